"""The calculation over many farms at once: tables in, long emission rows out.

Every step works on whole columns (numpy/pandas); the only Python loops are
over the dozen calculators, never over farms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet, GWPSet
from farmcalc.record import FarmTables
from farmcalc.soil_carbon import calc_soil_carbon_icbm, calc_soil_carbon_ipcc
from farmcalc.sources.energy import calc_energy
from farmcalc.sources.liming import calc_liming
from farmcalc.sources.livestock import calc_livestock
from farmcalc.sources.organic_soils import calc_organic_soils
from farmcalc.sources.soils_n2o import calc_soils_n2o
from farmcalc.vocabulary import FOSSIL_CH4_SOURCES, SOURCES

ROW_COLUMNS = ["farm_idx", "source", "category", "gas", "kg"]
SOIL_CARBON_METHODS = ("icbm", "ipcc_tier1")


@dataclass(frozen=True)
class EngineOutput:
    """Everything the calculation produced, still as tables.

    Attributes
    ----------
    rows : DataFrame
        ``farm_idx, source, category, gas, kg, co2e_kg``, one row per
        farm × source × category × gas, in a stable order.
    n_flows : DataFrame
        Nitrogen of each livestock row (excreted, pasture, housed, available).
    per_crop : DataFrame
        Emissions attributable to each crop's own inputs.
    soil_carbon : DataFrame
        Per farm: mean annual SOC change by both methods [kg C yr-1].
    soil_carbon_method : str
        The method whose result is reported as the ``soil_carbon`` source.
    """

    rows: pd.DataFrame
    n_flows: pd.DataFrame
    per_crop: pd.DataFrame
    soil_carbon: pd.DataFrame
    soil_carbon_method: str


def gwp_per_row(source: np.ndarray, gas: np.ndarray, gwp: GWPSet) -> np.ndarray:
    """GWP100 of each row's gas; CH4 of fuels is fossil, all other CH4 biogenic."""
    fossil = np.isin(source, list(FOSSIL_CH4_SOURCES))
    return np.select(
        [gas == "CO2", gas == "N2O", (gas == "CH4") & fossil, gas == "CH4", gas == "CO2e"],
        [gwp.co2, gwp.n2o, gwp.ch4_fossil, gwp.ch4_biogenic, 1.0],
        default=np.nan,
    )


def run(tables: FarmTables, fs: FactorSet, gwp: GWPSet) -> EngineOutput:
    """Calculate every source for every farm of ``tables``."""
    farm_index = tables.farms.index
    livestock = calc_livestock(tables, fs)
    n_flows = livestock.n_flows

    # Soil carbon first: losses of SOC mineralise N (F_SOM, Eq. 11.8).
    f_on_available = (
        n_flows.groupby("farm_idx")["n_available_kg"].sum().reindex(farm_index, fill_value=0.0)
    )
    ipcc = calc_soil_carbon_ipcc(tables, fs)
    # ICBM is a Swedish model: sets without its parameters report it as not available.
    if "icbm.k1" in fs:
        icbm = calc_soil_carbon_icbm(tables, fs, manure_n_kg=f_on_available)
    else:
        icbm = pd.DataFrame({"delta_c_kg_per_yr": np.nan}, index=farm_index)
    c_loss = ipcc["c_loss_kg"].reindex(farm_index, fill_value=0.0)
    f_som = c_loss / fs.value("soils.c_to_n_som")

    f_prp = (
        n_flows.groupby(["farm_idx", "category"], as_index=False)["n_pasture_kg"]
        .sum()
        .rename(columns={"n_pasture_kg": "n_kg"})
    )
    soils = calc_soils_n2o(tables, fs, f_prp, f_on_available, f_som)

    method = fs.setting("soil_carbon_method")
    if method not in SOIL_CARBON_METHODS:
        raise ValueError(f"unknown soil_carbon_method {method!r}")
    chosen = icbm if method == "icbm" else ipcc
    delta_c = chosen["delta_c_kg_per_yr"].reindex(farm_index, fill_value=0.0).to_numpy()
    soil_rows = pd.DataFrame(
        {
            "farm_idx": farm_index.to_numpy(),
            "source": "soil_carbon",
            "category": method,
            "gas": "CO2",
            # a gain of soil carbon is a removal: negative emission
            "kg": -delta_c * fs.value("constants.co2_per_c"),
        }
    )
    parts = [
        livestock.rows,
        soils.rows,
        calc_organic_soils(tables, fs),
        calc_liming(tables, fs),
        calc_energy(tables, fs),
        soil_rows,
    ]
    parts = [p[ROW_COLUMNS] for p in parts if len(p)]
    rows = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ROW_COLUMNS)
    )
    rows = rows.groupby(["farm_idx", "source", "category", "gas"], as_index=False, sort=False)[
        "kg"
    ].sum()
    rows = rows[rows["kg"] != 0]
    order = pd.Categorical(rows["source"], categories=list(SOURCES), ordered=True)
    rows = (
        rows.assign(_o=order)
        .sort_values(["farm_idx", "_o", "category", "gas"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    rows["co2e_kg"] = rows["kg"].to_numpy() * gwp_per_row(
        rows["source"].to_numpy(), rows["gas"].to_numpy(), gwp
    )
    soil_carbon = pd.DataFrame(
        {
            "icbm_delta_c_kg_per_yr": icbm["delta_c_kg_per_yr"].reindex(farm_index),
            "ipcc_delta_c_kg_per_yr": ipcc["delta_c_kg_per_yr"].reindex(
                farm_index, fill_value=0.0
            ),
        },
        index=farm_index,
    )
    return EngineOutput(rows, n_flows, soils.per_crop, soil_carbon, method)
