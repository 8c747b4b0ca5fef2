"""The calculation over many farms at once: tables in, long emission rows out.

Every step works on whole columns (numpy/pandas); the only Python loops are
over the dozen calculators, never over farms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet, GWPSet, as_keys
from farmcalc.record import FarmTables
from farmcalc.rows import (
    GAS_DTYPE,
    ROW_COLUMNS,
    SOURCE_DTYPE,
    Rows,
    aggregate_rows,
    codes,
    emission_rows,
    group_sum,
)
from farmcalc.soil_carbon import calc_soil_carbon_icbm, calc_soil_carbon_ipcc
from farmcalc.sources.energy import calc_energy
from farmcalc.sources.liming import calc_liming
from farmcalc.sources.livestock import calc_livestock
from farmcalc.sources.organic_soils import calc_organic_soils
from farmcalc.sources.soils_n2o import calc_soils_n2o
from farmcalc.vocabulary import FOSSIL_CH4_SOURCES

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


def gwp_per_row(source_codes: np.ndarray, gas_codes: np.ndarray, gwp: GWPSet) -> np.ndarray:
    """GWP100 of each row's gas; CH4 of fuels is fossil, all other CH4 biogenic.

    Takes the integer codes of :mod:`farmcalc.rows`; one vectorised look-up
    per row, as a characterisation vector.
    """
    fossil_sources = [SOURCE_DTYPE.categories.get_loc(s) for s in FOSSIL_CH4_SOURCES]
    fossil = np.isin(source_codes, fossil_sources)
    by_gas = {
        "CO2": gwp.co2,
        "N2O": gwp.n2o,
        "CH4": gwp.ch4_biogenic,
        "CO2e": 1.0,
    }
    vector = np.array([by_gas[g] for g in GAS_DTYPE.categories])
    factor = vector[gas_codes]
    ch4 = GAS_DTYPE.categories.get_loc("CH4")
    return np.where(fossil & (gas_codes == ch4), gwp.ch4_fossil, factor)


def pasture_n(n_flows: pd.DataFrame) -> pd.DataFrame:
    """Urine and dung N on pasture (F_PRP) per farm and livestock category.

    Returns
    -------
    DataFrame
        ``farm_idx, category, n_kg`` [kg N yr-1], sorted by farm and by the
        category's name, each sum in the order of the livestock rows (as
        ``groupby(["farm_idx", "category"]).sum()`` of the names gives it).
    """
    cat = as_keys(n_flows["category"])
    names = cat.categories.to_numpy(dtype=object)
    by_name = np.argsort(names, kind="stable")
    name_rank = np.empty(len(names), dtype=np.int64)
    name_rank[by_name] = np.arange(len(names))
    known = cat.codes >= 0
    farm = n_flows["farm_idx"].to_numpy(dtype=np.int64)[known]
    key = farm * len(names) + name_rank[cat.codes[known]]
    keys, group = np.unique(key, return_inverse=True)
    n_kg = group_sum(group, n_flows["n_pasture_kg"].to_numpy(dtype=float)[known], len(keys))
    return pd.DataFrame(
        {
            "farm_idx": keys // len(names),
            "category": pd.Categorical.from_codes(by_name[keys % len(names)], dtype=cat.dtype),
            "n_kg": n_kg,
        }
    )


def run(tables: FarmTables, fs: FactorSet, gwp: GWPSet) -> EngineOutput:
    """Calculate every source for every farm of ``tables``."""
    farm_index = tables.farms.index
    livestock = calc_livestock(tables, fs)
    n_flows = livestock.n_flows

    # Soil carbon first: losses of SOC mineralise N (F_SOM, Eq. 11.8).
    f_on_available = pd.Series(
        group_sum(
            n_flows["farm_idx"].to_numpy(dtype=np.int64),
            n_flows["n_available_kg"].to_numpy(dtype=float),
            len(farm_index),
        ),
        index=farm_index,
    )
    ipcc = calc_soil_carbon_ipcc(tables, fs)
    # ICBM is a Swedish model: sets without its parameters report it as not available.
    if "icbm.k1" in fs:
        icbm = calc_soil_carbon_icbm(tables, fs, manure_n_kg=f_on_available.to_numpy())
        icbm_delta_c = icbm.delta_c_kg_per_yr
    else:
        icbm_delta_c = np.full(len(farm_index), np.nan)
    # Eq. 11.8: R = 10 for management changes on cropland remaining cropland, else 15
    c_loss, c_loss_cropland = ipcc.c_loss_kg, ipcc.c_loss_cropland_kg
    f_som = pd.Series(  # a Series while calc_soils_n2o takes one
        (c_loss - c_loss_cropland) / fs.value("soils.c_to_n_som")
        + (c_loss_cropland / fs.value("soils.c_to_n_som_cropland")),
        index=farm_index,
    )

    f_prp = pasture_n(n_flows)
    soils = calc_soils_n2o(tables, fs, f_prp, f_on_available, f_som)

    method = fs.setting("soil_carbon_method")
    if method not in SOIL_CARBON_METHODS:
        raise ValueError(f"unknown soil_carbon_method {method!r}")
    delta_c = icbm_delta_c if method == "icbm" else ipcc.delta_c_kg_per_yr
    soil_rows = emission_rows(
        farm_index.to_numpy(),
        "soil_carbon",
        method,
        "CO2",
        # a gain of soil carbon is a removal: a negative emission
        -delta_c * fs.value("constants.co2_per_c"),
    )
    parts = [
        livestock.rows,
        soils.rows,
        calc_organic_soils(tables, fs),
        calc_liming(tables, fs),
        calc_energy(tables, fs),
        soil_rows,
    ]
    rows = aggregate_rows([p if isinstance(p, Rows) else p[ROW_COLUMNS] for p in parts])
    rows["co2e_kg"] = rows["kg"].to_numpy() * gwp_per_row(
        codes(rows["source"], "source"), codes(rows["gas"], "gas"), gwp
    )
    soil_carbon = pd.DataFrame(
        {
            "icbm_delta_c_kg_per_yr": icbm_delta_c,
            "ipcc_delta_c_kg_per_yr": ipcc.delta_c_kg_per_yr,
        },
        index=farm_index,
    )
    return EngineOutput(rows, n_flows, soils.per_crop, soil_carbon, method)
