"""Organic soils: CO2, DOC, N2O and CH4 (2013 IPCC Wetlands Supplement, Ch. 2, 3 and 5).

Drained cropland and grassland (Ch. 2), rewetted organic soil (Ch. 3) and
wetlands made on mineral soil (Ch. 5, CH4 only). Temperate factors;
grassland and rewetted land are taken as nutrient-rich, grassland as
deep-drained (method rule 10). Model functions return the units of their
factors. The wetland on mineral soil is reported under this source too
(category ``wetland_mineral_soil``): the contract has no source for wetlands.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from farmcalc.arrays import Numeric, count_nonzero, filled
from farmcalc.factors import FactorSet
from farmcalc.rows import Rows, code

if TYPE_CHECKING:
    from farmcalc.inputs.tables import FarmTables

LAND_USES = ("cropland", "grassland")
REWETTED = "rewetted"
WETLAND = "wetland_mineral_soil"
SOURCE = "organic_soils"
_SOURCE = code(SOURCE, "source")
_CATEGORY = {c: code(c, "category") for c in (*LAND_USES, REWETTED, WETLAND)}
_GAS = {g: code(g, "gas") for g in ("CO2", "N2O", "CH4")}


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


def calc_organic_soils(tables: FarmTables, fs: FactorSet) -> Rows:
    """Emission rows of organic soils and wetlands (source ``organic_soils``).

    Categories ``cropland``, ``grassland`` (drained), ``rewetted`` and
    ``wetland_mineral_soil``.

    Parameters
    ----------
    tables : FarmTables
        Uses ``farms.organic_cropland_ha, organic_grassland_ha,
        organic_rewetted_ha, wetland_mineral_soil_ha`` (``tables.arrays``).
    fs : FactorSet
        Factors ``organic_soils.*``, ``wetland.ch4.mineral_soil``, ``constants.*``;
        drawn factors give ``kg`` a leading draws axis.

    Returns
    -------
    Rows
        CO2 (on-site + DOC), N2O, CH4 per farm and category (zero rows dropped).
    """
    farms = tables.arrays.farms
    n = tables.arrays.n_farms
    co2_per_c = fs.value("constants.co2_per_c")
    t_to_kg = 1000.0
    columns = []  # (category, gas, kg per farm)
    for use in LAND_USES:  # two land uses, never farms
        area = farms[f"organic_{use}_ha"]
        c = onsite_co2_c(area, fs.value(f"organic_soils.co2_c.{use}")) + doc_co2_c(
            area, fs.value(f"organic_soils.doc_c.{use}")
        )
        columns.append((use, "CO2", c * t_to_kg * co2_per_c))
        columns.append(
            (use, "N2O", organic_soil_n2o_n(area, fs.value(f"organic_soils.n2o_n.{use}")))
        )
        ch4 = organic_soil_ch4(
            area,
            fs.value(f"organic_soils.ch4_land.{use}"),
            fs.value(f"organic_soils.ch4_ditch.{use}"),
            fs.value(f"organic_soils.frac_ditch.{use}"),
        )
        columns.append((use, "CH4", ch4))
    # Ch. 3: rewetted organic soil (no ditch term: the EF includes the whole area)
    area = farms["organic_rewetted_ha"]
    if count_nonzero(area):
        c = onsite_co2_c(area, fs.value("organic_soils.co2_c.rewetted")) + doc_co2_c(
            area, fs.value("organic_soils.doc_c.rewetted")
        )
        columns.append((REWETTED, "CO2", c * t_to_kg * co2_per_c))
        n2o_n = organic_soil_n2o_n(area, fs.value("organic_soils.n2o_n.rewetted"))
        columns.append((REWETTED, "N2O", n2o_n))
        ch4 = rewetted_ch4(
            area, fs.value("organic_soils.ch4_c.rewetted"), fs.value("constants.ch4_per_ch4_c")
        )
        columns.append((REWETTED, "CH4", ch4))
    # Ch. 5: a wetland made on mineral soil (CH4 only at Tier 1)
    area = farms["wetland_mineral_soil_ha"]
    if count_nonzero(area):
        columns.append((WETLAND, "CH4", wetland_ch4(area, fs.value("wetland.ch4.mineral_soil"))))
    return _rows(columns, n, fs.value("constants.n2o_per_n2o_n"))


def _rows(columns: list[tuple[str, str, Numeric]], n: int, n2o_per_n: Numeric) -> Rows:
    """Per-farm columns as long rows, farm by farm, then by category and gas code.

    That is the order :func:`farmcalc.rows.aggregate` gives; each (farm,
    category, gas) occurs once, so no sums. N2O-N becomes N2O here. Rows zero
    in every draw are dropped.
    """
    if n == 0:
        return Rows.empty()
    columns = sorted(
        ((_CATEGORY[c], _GAS[g], v * n2o_per_n if g == "N2O" else v) for c, g, v in columns),
        key=lambda col: col[:2],
    )
    k = len(columns)
    drawn = [np.shape(v)[:-1] for _, _, v in columns if np.ndim(v) > 1]
    lead = np.broadcast_shapes(*drawn) if drawn else ()
    kg = np.empty((*lead, n, k))
    for j, (_, _, v) in enumerate(columns):
        kg[..., j] = v
    kg = kg.reshape((*lead, n * k))
    keep = (kg != 0).any(axis=0) if lead else kg != 0
    if len(lead) > 1:
        keep = keep.reshape(-1, n * k).any(axis=0)
    categories, gases = tuple(c for c, _, _ in columns), tuple(g for _, g, _ in columns)
    layout = _layout if n <= _CACHED_FARMS else _layout.__wrapped__
    farm, category, gas = layout(categories, gases, n)
    return Rows(
        farm[keep],
        filled(int(count_nonzero(keep)), _SOURCE, np.int8),
        category[keep],
        gas[keep],
        kg[..., keep],
    )


_CACHED_FARMS = 16
"""Layouts of up to this many farms are cached (small batches, one farm per form save)."""


@functools.lru_cache(maxsize=64)
def _layout(
    categories: tuple[int, ...], gases: tuple[int, ...], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Farm, category and gas code of each of the ``n × k`` rows (cached; read-only)."""
    k = len(categories)
    out = (
        np.repeat(np.arange(n, dtype=np.int64), k),
        np.tile(np.array(categories, dtype=np.int16), n),
        np.tile(np.array(gases, dtype=np.int8), n),
    )
    for a in out:
        a.flags.writeable = False
    return out
