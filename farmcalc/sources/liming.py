"""CO2 from liming and from urea fertilisation (IPCC 2019 Refinement, Vol. 4, Ch. 11).

Urea CO2 is reported here, once, as source ``urea``: :func:`calc_liming` adds
its rows. :func:`farmcalc.sources.soils_n2o.calc_soils_n2o` only repeats the
value per crop (``per_crop.urea_co2_kg``) for intensities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from farmcalc.arrays import Numeric
from farmcalc.factors import FactorSet
from farmcalc.inputs.vocabulary import MINERAL_N_TYPES
from farmcalc.rows import Rows
from farmcalc.sources.common import FarmGroups, WideLayout, mineral_n_kg

if TYPE_CHECKING:
    from farmcalc.inputs.tables import FarmTables

T_TO_KG = 1000.0
"""Kilograms per tonne (lime is entered in t)."""


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


def calc_liming(tables: FarmTables, fs: FactorSet) -> Rows:
    """CO2 rows of liming (``liming``: limestone, dolomite) and urea (``urea``: urea).

    Parameters
    ----------
    tables : FarmTables
        Uses ``arrays.farms`` (``limestone_t, dolomite_t``) and ``arrays.crops``
        (urea N = ``area_ha × mineral_n_kg_per_ha`` where ``mineral_n_type`` is
        ``urea``).
    fs : FactorSet
        Factors ``lime.c_fraction.*``, ``urea.*``, ``constants.co2_per_c``; a
        drawn set gives rows with a leading axis of draws.

    Returns
    -------
    Rows
        Gas CO2, farm by farm; zero rows dropped.
    """
    a = tables.arrays
    farms, crops = a.farms, a.crops
    co2_per_c = fs.value("constants.co2_per_c")
    ef_l = fs.value("lime.c_fraction.limestone")
    ef_d = fs.value("lime.c_fraction.dolomite")
    urea_n = FarmGroups(crops["farm_idx"], a.n_farms).sum(
        np.where(crops["mineral_n_type"] == _UREA, mineral_n_kg(crops), 0.0)
    )
    kg = (  # in the order of _LAYOUT
        liming_co2(farms["limestone_t"], 0.0, ef_l, ef_d, co2_per_c) * T_TO_KG,
        liming_co2(0.0, farms["dolomite_t"], ef_l, ef_d, co2_per_c) * T_TO_KG,
        urea_co2(urea_n, fs.value("urea.n_fraction"), fs.value("urea.c_fraction"), co2_per_c),
    )
    return _LAYOUT.rows(kg, a.n_farms)


_UREA = MINERAL_N_TYPES.index("urea")
_LAYOUT = WideLayout(
    [("liming", "limestone", "CO2"), ("liming", "dolomite", "CO2"), ("urea", "urea", "CO2")]
)
