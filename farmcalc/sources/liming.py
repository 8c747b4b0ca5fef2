"""CO2 from liming and from urea fertilisation (IPCC 2019 Refinement, Vol. 4, Ch. 11).

Urea CO2 is reported here, once, as source ``urea``: :func:`calc_liming` adds
its rows. :func:`farmcalc.sources.soils_n2o.calc_soils_n2o` only repeats the
value per crop (``per_crop.urea_co2_kg``) for intensities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet, as_keys, is_key
from farmcalc.rows import group_sum
from farmcalc.sources.soils_n2o import long_rows

if TYPE_CHECKING:
    from farmcalc.record import FarmTables

Numeric = float | np.ndarray | pd.Series
"""A scalar, a numpy array or a pandas Series."""


def liming_co2(
    limestone: Numeric,
    dolomite: Numeric,
    ef_limestone: Numeric,
    ef_dolomite: Numeric,
    co2_per_c: Numeric,
) -> Numeric:
    """CO2 from agricultural lime.

    ``CO2 = (M_limestone × EF_limestone + M_dolomite × EF_dolomite) × 44/12``.

    Parameters
    ----------
    limestone, dolomite : numeric
        Mass of limestone (CaCO3) and dolomite (CaMg(CO3)2) applied [t yr-1]
        (or any mass unit; the result is in the same unit).
    ef_limestone, ef_dolomite : numeric
        Carbon content [t C t-1].
    co2_per_c : numeric
        Molar mass ratio CO2/C, 44/12 [kg CO2 (kg C)-1].

    Returns
    -------
    numeric
        CO2 [t CO2 yr-1, or the mass unit of the input].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.12.
    """
    return (limestone * ef_limestone + dolomite * ef_dolomite) * co2_per_c


def urea_co2(
    urea_n_kg: Numeric, n_fraction: Numeric, c_fraction: Numeric, co2_per_c: Numeric
) -> Numeric:
    """CO2 from urea applied to soils.

    Urea mass ``M = urea N / n_fraction``; ``CO2 = M × c_fraction × 44/12``.

    Parameters
    ----------
    urea_n_kg : numeric
        N applied as urea [kg N yr-1].
    n_fraction : numeric
        N content of urea [kg N (kg urea)-1].
    c_fraction : numeric
        C content of urea, the Tier 1 EF [kg C (kg urea)-1].
    co2_per_c : numeric
        Molar mass ratio CO2/C, 44/12 [kg CO2 (kg C)-1].

    Returns
    -------
    numeric
        CO2 [kg CO2 yr-1].

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 11, Eq. 11.13.
    """
    return urea_n_kg / n_fraction * c_fraction * co2_per_c


def calc_liming(tables: FarmTables, fs: FactorSet) -> pd.DataFrame:
    """CO2 rows of liming (``liming``: limestone, dolomite) and urea (``urea``: urea).

    Parameters
    ----------
    tables : FarmTables
        Uses ``farms.limestone_t, dolomite_t`` and ``crops`` (urea N =
        ``area_ha × mineral_n_kg_per_ha`` where ``mineral_n_type == "urea"``).
    fs : FactorSet

    Returns
    -------
    DataFrame
        ``farm_idx, source, category, gas, kg`` (gas CO2; zero rows dropped).
    """
    farms = tables.farms
    crops = tables.crops
    co2_per_c = fs.value("constants.co2_per_c")
    t_to_kg = 1000.0
    lime = farms["limestone_t"].to_numpy(dtype=float)
    dolo = farms["dolomite_t"].to_numpy(dtype=float)
    ef_l = fs.value("lime.c_fraction.limestone")
    ef_d = fs.value("lime.c_fraction.dolomite")
    is_urea = is_key(as_keys(crops["mineral_n_type"]), "urea")
    urea_n = group_sum(
        crops["farm_idx"].to_numpy(dtype=np.int64),
        np.where(
            is_urea,
            crops["area_ha"].to_numpy(dtype=float)
            * crops["mineral_n_kg_per_ha"].to_numpy(dtype=float),
            0.0,
        ),
        len(farms),
    )
    wide = {
        ("liming", "limestone"): liming_co2(lime, 0.0, ef_l, ef_d, co2_per_c) * t_to_kg,
        ("liming", "dolomite"): liming_co2(0.0, dolo, ef_l, ef_d, co2_per_c) * t_to_kg,
        ("urea", "urea"): urea_co2(
            urea_n,
            fs.value("urea.n_fraction"),
            fs.value("urea.c_fraction"),
            co2_per_c,
        ),
    }
    return long_rows(wide, farms.index, "CO2")
