"""Energy use and upstream emissions: fuels, heat, electricity, fertiliser manufacture.

Fuel combustion follows the IPCC 2006 Guidelines, Vol. 2 (energy content ×
emission factor per TJ). Electricity, district heating and fertiliser
production are upstream CO2-equivalents from non-IPCC sources (see the
factor rows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet, as_keys
from farmcalc.rows import aggregate_rows, emission_rows
from farmcalc.sources.soils_n2o import long_rows

if TYPE_CHECKING:
    from farmcalc.record import FarmTables

Numeric = float | np.ndarray | pd.Series
"""A scalar, a numpy array or a pandas Series."""

MJ_PER_TJ = 1.0e6
# (farms column, fuel key, source) of the fuels burnt on the farm
FUEL_USES = (
    ("diesel_l", "diesel", "fuel"),
    ("hvo100_l", "hvo100", "fuel"),
    ("petrol_l", "petrol", "fuel"),
    ("heating_oil_l", "heating_oil", "heating"),
)
GAS_FACTORS = (("CO2", "fuel.co2"), ("CH4", "fuel.ch4"), ("N2O", "fuel.n2o"))


def fuel_energy_tj(
    volume_l: Numeric, density_kg_per_l: Numeric, ncv_mj_per_kg: Numeric
) -> Numeric:
    """Energy content of a fuel volume.

    Parameters
    ----------
    volume_l : numeric
        Fuel used [l yr-1].
    density_kg_per_l : numeric
        Density [kg l-1].
    ncv_mj_per_kg : numeric
        Net calorific value [MJ kg-1].

    Returns
    -------
    numeric
        Energy [TJ yr-1].

    References
    ----------
    IPCC 2006 Guidelines, Vol. 2, Ch. 1, section 1.4.1.2 and Table 1.2.
    """
    return volume_l * density_kg_per_l * ncv_mj_per_kg / MJ_PER_TJ


def fuel_combustion(
    volume_l: Numeric, density_kg_per_l: Numeric, ncv_mj_per_kg: Numeric, ef_kg_per_tj: Numeric
) -> Numeric:
    """Emission of one gas from burning a fuel volume.

    ``emission = litres × density × NCV × EF``.

    Parameters
    ----------
    volume_l : numeric
        Fuel used [l yr-1].
    density_kg_per_l : numeric
        Density [kg l-1].
    ncv_mj_per_kg : numeric
        Net calorific value [MJ kg-1].
    ef_kg_per_tj : numeric
        Emission factor of the gas [kg TJ-1].

    Returns
    -------
    numeric
        Emission [kg yr-1].

    References
    ----------
    IPCC 2006 Guidelines, Vol. 2, Ch. 3, Eq. 3.3.1, Table 3.3.1 (off-road);
    Ch. 2, Eq. 2.1, Tables 2.2-2.5 (stationary).
    """
    return fuel_energy_tj(volume_l, density_kg_per_l, ncv_mj_per_kg) * ef_kg_per_tj


def indirect_energy_co2e(kwh: Numeric, ef_kg_co2e_per_kwh: Numeric) -> Numeric:
    """Upstream CO2-equivalents of purchased electricity or heat.

    Parameters
    ----------
    kwh : numeric
        Energy bought [kWh yr-1].
    ef_kg_co2e_per_kwh : numeric
        Emission factor [kg CO2e kWh-1].

    Returns
    -------
    numeric
        [kg CO2e yr-1].

    References
    ----------
    Not IPCC: see the cited source of ``electricity.ef`` / ``district_heating.ef``.
    """
    return kwh * ef_kg_co2e_per_kwh


def fertiliser_production_co2e(n_kg: Numeric, ef_kg_co2e_per_kg_n: Numeric) -> Numeric:
    """Upstream CO2-equivalents of manufacturing (and transporting) mineral N.

    Parameters
    ----------
    n_kg : numeric
        Mineral N bought [kg N yr-1].
    ef_kg_co2e_per_kg_n : numeric
        Carbon footprint of the product [kg CO2e (kg N)-1].

    Returns
    -------
    numeric
        [kg CO2e yr-1].

    References
    ----------
    Not IPCC: see the cited source of ``fertiliser_production.<type>``.
    """
    return n_kg * ef_kg_co2e_per_kg_n


def calc_energy(tables: FarmTables, fs: FactorSet) -> pd.DataFrame:
    """Rows of ``fuel``, ``heating``, ``electricity`` and ``fertiliser_production``.

    Parameters
    ----------
    tables : FarmTables
        Uses ``farms`` (fuel litres, ``electricity_kwh``,
        ``district_heating_kwh``) and ``crops`` (mineral N by type).
    fs : FactorSet
        Factors ``fuel.*``, ``electricity.ef``, ``district_heating.ef``,
        ``fertiliser_production.*``.

    Returns
    -------
    DataFrame
        ``farm_idx, source, category, gas, kg``. Fuels: CO2 (fossil only),
        CH4, N2O; district heating, electricity and fertiliser production:
        CO2e. Zero rows dropped.
    """
    farms = tables.farms
    crops = tables.crops
    parts = []
    for gas, prefix in GAS_FACTORS:  # three gases × four fuels, never farms
        wide = {}
        for column, fuel, source in FUEL_USES:
            wide[(source, fuel)] = fuel_combustion(
                farms[column].to_numpy(dtype=float),
                fs.value(f"fuel.density.{fuel}"),
                fs.value(f"fuel.ncv.{fuel}"),
                fs.value(f"{prefix}.{fuel}"),
            )
        parts.append(long_rows(wide, farms.index, gas))

    upstream = {
        ("heating", "district_heating"): indirect_energy_co2e(
            farms["district_heating_kwh"].to_numpy(dtype=float), fs.value("district_heating.ef")
        ),
        ("electricity", "electricity"): indirect_energy_co2e(
            farms["electricity_kwh"].to_numpy(dtype=float), fs.value("electricity.ef")
        ),
    }
    parts.append(long_rows(upstream, farms.index, "CO2e"))

    ntype = as_keys(crops["mineral_n_type"])
    n_kg = crops["area_ha"].to_numpy(dtype=float) * crops["mineral_n_kg_per_ha"].to_numpy(
        dtype=float
    )
    fert = aggregate_rows(
        [
            emission_rows(
                crops["farm_idx"].to_numpy(),
                "fertiliser_production",
                ntype,
                "CO2e",
                fertiliser_production_co2e(n_kg, fs.lookup("fertiliser_production", ntype)),
            )
        ]
    )
    parts.append(fert)
    return aggregate_rows(parts)
