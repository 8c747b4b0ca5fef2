"""Drained organic soils: CO2, DOC, N2O and CH4 (2013 IPCC Wetlands Supplement, Ch. 2).

Temperate factors; grassland is taken as nutrient-rich and deep-drained
(method rule 10). Model functions return the units of their factors.
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


def calc_organic_soils(tables: FarmTables, fs: FactorSet) -> pd.DataFrame:
    """Emission rows of drained organic soils (``organic_soils``: cropland, grassland).

    Parameters
    ----------
    tables : FarmTables
        Uses ``farms.organic_cropland_ha, organic_grassland_ha``.
    fs : FactorSet
        Factors ``organic_soils.*``, ``constants.*``.

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
    return aggregate_rows(
        [
            long_rows(co2, farms.index, "CO2"),
            long_rows(n2o, farms.index, "N2O", n2o_per_n),
            long_rows(ch4, farms.index, "CH4"),
        ]
    )
