"""Organic soils: CO2, DOC, N2O and CH4 (2013 IPCC Wetlands Supplement, Ch. 2, 3 and 5).

Drained cropland and grassland (Ch. 2), rewetted organic soil (Ch. 3) and
wetlands made on mineral soil (Ch. 5, CH4 only). Temperate factors;
grassland and rewetted land are taken as nutrient-rich, grassland as
deep-drained (method rule 10). Model functions return the units of their
factors. The wetland on mineral soil is reported under this source too
(category ``wetland_mineral_soil``): the contract has no source for wetlands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet
from farmcalc.rows import aggregate_rows
from farmcalc.sources.soils_n2o import long_rows

if TYPE_CHECKING:
    from farmcalc.record import FarmTables

Numeric = float | np.ndarray | pd.Series
"""A scalar, a numpy array or a pandas Series."""

LAND_USES = ("cropland", "grassland")
REWETTED = "rewetted"
WETLAND = "wetland_mineral_soil"
SOURCE = "organic_soils"


def onsite_co2_c(area_ha: Numeric, ef_co2_c: Numeric) -> Numeric:
    """On-site CO2-C emitted by drained organic soils.

    Parameters
    ----------
    area_ha : numeric
        Drained organic soil [ha].
    ef_co2_c : numeric
        Emission factor [t CO2-C ha-1 yr-1].

    Returns
    -------
    numeric
        CO2-C [t C yr-1].

    References
    ----------
    IPCC 2013 Wetlands Supplement, Ch. 2, Eq. 2.3, Table 2.1.
    """
    return area_ha * ef_co2_c


def doc_co2_c(area_ha: Numeric, ef_doc: Numeric) -> Numeric:
    """Off-site CO2-C from dissolved organic carbon lost from drained organic soils.

    Parameters
    ----------
    area_ha : numeric
        Drained organic soil [ha].
    ef_doc : numeric
        EF_DOC of drained land [t CO2-C ha-1 yr-1].

    Returns
    -------
    numeric
        CO2-C [t C yr-1].

    References
    ----------
    IPCC 2013 Wetlands Supplement, Ch. 2, Eq. 2.4 and Eq. 2.5, Table 2.2.
    """
    return area_ha * ef_doc


def organic_soil_n2o_n(area_ha: Numeric, ef_n2o_n: Numeric) -> Numeric:
    """Direct N2O-N from drained organic soils.

    Parameters
    ----------
    area_ha : numeric
        Drained organic soil [ha].
    ef_n2o_n : numeric
        EF2 [kg N2O-N ha-1 yr-1].

    Returns
    -------
    numeric
        N2O-N [kg N2O-N yr-1].

    References
    ----------
    IPCC 2013 Wetlands Supplement, Ch. 2, Eq. 2.7, Table 2.5.
    """
    return area_ha * ef_n2o_n


def organic_soil_ch4(
    area_ha: Numeric, ef_ch4_land: Numeric, ef_ch4_ditch: Numeric, frac_ditch: Numeric
) -> Numeric:
    """CH4 from drained organic soils and their drainage ditches.

    ``CH4 = A × ((1 − Frac_ditch) × EF_CH4_land + Frac_ditch × EF_CH4_ditch)``.

    Parameters
    ----------
    area_ha : numeric
        Drained organic soil, ditches included [ha].
    ef_ch4_land : numeric
        Emission of the drained land surface [kg CH4 ha-1 yr-1].
    ef_ch4_ditch : numeric
        Emission of the ditch surface [kg CH4 (ha of ditch)-1 yr-1].
    frac_ditch : numeric
        Fraction of the area occupied by ditches [-].

    Returns
    -------
    numeric
        CH4 [kg CH4 yr-1].

    References
    ----------
    IPCC 2013 Wetlands Supplement, Ch. 2, Eq. 2.6, Tables 2.3 and 2.4.
    """
    return area_ha * ((1.0 - frac_ditch) * ef_ch4_land + frac_ditch * ef_ch4_ditch)


def rewetted_ch4(area_ha: Numeric, ef_ch4_c: Numeric, ch4_per_c: Numeric) -> Numeric:
    """CH4 from rewetted organic soils (ditches included).

    ``CH4 = A × EF_CH4-C × 16/12``.

    Parameters
    ----------
    area_ha : numeric
        Rewetted organic soil [ha].
    ef_ch4_c : numeric
        Emission factor [kg CH4-C ha-1 yr-1].
    ch4_per_c : numeric
        Molar mass ratio 16/12 [kg CH4 (kg CH4-C)-1].

    Returns
    -------
    numeric
        CH4 [kg CH4 yr-1].

    References
    ----------
    IPCC 2013 Wetlands Supplement, Ch. 3, Eq. 3.8, Table 3.3.
    """
    return area_ha * ef_ch4_c * ch4_per_c


def wetland_ch4(area_ha: Numeric, ef_ch4: Numeric) -> Numeric:
    """CH4 from a wetland made on mineral soil.

    Parameters
    ----------
    area_ha : numeric
        Wetland area [ha].
    ef_ch4 : numeric
        Emission factor [kg CH4 ha-1 yr-1].

    Returns
    -------
    numeric
        CH4 [kg CH4 yr-1].

    References
    ----------
    IPCC 2013 Wetlands Supplement, Ch. 5, Eq. 5.1, Table 5.4 (Tier 1).
    """
    return area_ha * ef_ch4


def calc_organic_soils(tables: FarmTables, fs: FactorSet) -> pd.DataFrame:
    """Emission rows of organic soils and wetlands (source ``organic_soils``).

    Categories ``cropland``, ``grassland`` (drained), ``rewetted`` and
    ``wetland_mineral_soil``.

    Parameters
    ----------
    tables : FarmTables
        Uses ``farms.organic_cropland_ha, organic_grassland_ha,
        organic_rewetted_ha, wetland_mineral_soil_ha``.
    fs : FactorSet
        Factors ``organic_soils.*``, ``wetland.ch4.mineral_soil``, ``constants.*``.

    Returns
    -------
    DataFrame
        ``farm_idx, source, category, gas, kg``: CO2 (on-site + DOC), N2O, CH4
        (zero rows dropped).
    """
    farms = tables.farms
    co2_per_c = fs.value("constants.co2_per_c")
    n2o_per_n = fs.value("constants.n2o_per_n2o_n")
    t_to_kg = 1000.0
    co2, n2o, ch4 = {}, {}, {}
    for use in LAND_USES:  # two land uses, never farms
        area = farms[f"organic_{use}_ha"].to_numpy(dtype=float)
        c = onsite_co2_c(area, fs.value(f"organic_soils.co2_c.{use}")) + doc_co2_c(
            area, fs.value(f"organic_soils.doc_c.{use}")
        )
        co2[(SOURCE, use)] = c * t_to_kg * co2_per_c
        n2o[(SOURCE, use)] = organic_soil_n2o_n(area, fs.value(f"organic_soils.n2o_n.{use}"))
        ch4[(SOURCE, use)] = organic_soil_ch4(
            area,
            fs.value(f"organic_soils.ch4_land.{use}"),
            fs.value(f"organic_soils.ch4_ditch.{use}"),
            fs.value(f"organic_soils.frac_ditch.{use}"),
        )
    # Ch. 3: rewetted organic soil (no ditch term: the EF includes the whole area)
    area = farms["organic_rewetted_ha"].to_numpy(dtype=float)
    if area.any():
        c = onsite_co2_c(area, fs.value("organic_soils.co2_c.rewetted")) + doc_co2_c(
            area, fs.value("organic_soils.doc_c.rewetted")
        )
        co2[(SOURCE, REWETTED)] = c * t_to_kg * co2_per_c
        n2o[(SOURCE, REWETTED)] = organic_soil_n2o_n(
            area, fs.value("organic_soils.n2o_n.rewetted")
        )
        ch4[(SOURCE, REWETTED)] = rewetted_ch4(
            area, fs.value("organic_soils.ch4_c.rewetted"), fs.value("constants.ch4_per_ch4_c")
        )
    # Ch. 5: a wetland made on mineral soil (CH4 only at Tier 1)
    area = farms["wetland_mineral_soil_ha"].to_numpy(dtype=float)
    if area.any():
        ch4[(SOURCE, WETLAND)] = wetland_ch4(area, fs.value("wetland.ch4.mineral_soil"))
    return aggregate_rows(
        [
            long_rows(co2, farms.index, "CO2"),
            long_rows(n2o, farms.index, "N2O", n2o_per_n),
            long_rows(ch4, farms.index, "CH4"),
        ]
    )
