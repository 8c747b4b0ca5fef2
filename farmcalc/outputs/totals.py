"""Per-farm totals, intensities and scope views; the per-crop table — as columns.

Every function here works on whole columns (numpy arrays) for all farms of a
batch at once; :class:`~farmcalc.outputs.batch.BatchResult` turns the
columns into DataFrames only when a caller asks for ``totals`` or
``per_crop``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet, GWPSet
from farmcalc.inputs.tables import FarmTables
from farmcalc.inputs.vocabulary import LIVESTOCK_CATEGORIES
from farmcalc.rows import GAS_DTYPE, Rows, code
from farmcalc.sources.energy import (
    fuel_upstream_co2e,
    market_electricity_co2e,
    scope_view_columns,
)

TOTALS = (
    "CH4_kg",
    "N2O_kg",
    "CO2_kg",
    "co2e_kg",
    "soil_carbon_co2e_kg",
    "net_co2e_kg",
    "scope3_co2e_kg",
)
"""The ``totals`` of a ``farmcalc.result/1`` dict, in order."""

_SOIL_CARBON = code("soil_carbon", "source")
_FERTILISER = code("fertiliser_production", "source")
_N_GAS = len(GAS_DTYPE.categories)
_DAIRY = LIVESTOCK_CATEGORIES.index("dairy_cow")
_GAS_TOTALS = tuple((f"{g}_kg", code(g, "gas")) for g in ("CH4", "N2O", "CO2"))


def column(table, name: str) -> np.ndarray:
    """Column ``name`` of a DataFrame or a mapping of arrays, as an array."""
    c = table[name]
    return c.to_numpy() if isinstance(c, pd.Series) else np.asarray(c)


def _bincount(idx: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    # (float even without rows: bincount of nothing gives integers)
    return np.bincount(idx, weights=weights, minlength=n)[:n].astype(float, copy=False)


def farm_totals(
    tables: FarmTables,
    rows: Rows,
    co2e: np.ndarray,
    icbm_delta_c: np.ndarray,
    ipcc_delta_c: np.ndarray,
    fs: FactorSet,
) -> dict[str, np.ndarray]:
    """One value per farm of each total, intensity and view (the ``totals`` columns).

    Parameters
    ----------
    tables : FarmTables
        The batch's input (``arrays`` are read).
    rows, co2e : Rows, ndarray
        The inventory's rows and their CO2e [kg yr-1].
    icbm_delta_c, ipcc_delta_c : ndarray
        Per farm: SOC change by each method [kg C yr-1].
    fs : FactorSet
        The set of the calculation.

    Returns
    -------
    dict of str to ndarray
        ``farm_id, year``, the gases, CO2e totals, intensities, milk and its
        IDF 2022 allocation, both soil-carbon methods, the scope views.
    """
    a = tables.arrays
    n = a.n_farms
    fidx = rows.farm
    kg = rows.kg
    gas = rows.gas.astype(np.int64)
    src = rows.source
    sc = src == _SOIL_CARBON
    em = ~sc
    # Each sum runs over its rows in order, as a bincount of all rows with
    # zero weight elsewhere did: adding 0.0 never changes a sum.
    by_gas = _bincount((fidx * _N_GAS + gas)[em], kg[em], n * _N_GAS).reshape(n, _N_GAS)
    co2e_by_kind = _bincount(fidx * 2 + sc, co2e, 2 * n).reshape(n, 2)
    fert = src == _FERTILISER
    farms = a.farms
    t: dict[str, np.ndarray] = {"farm_id": farms["farm_id"], "year": farms["year"]}
    for name, g in _GAS_TOTALS:
        t[name] = by_gas[:, g]
    total = t["co2e_kg"] = co2e_by_kind[:, 0]
    t["soil_carbon_co2e_kg"] = co2e_by_kind[:, 1]
    net = t["net_co2e_kg"] = total + co2e_by_kind[:, 1]
    t["scope3_co2e_kg"] = _bincount(fidx[fert], co2e[fert], n)
    crops = a.crops
    farmland = _bincount(crops["farm_idx"], crops["area_ha"], n)
    # milk (kg ECM) and the IDF 2022 physical allocation to milk
    lv = a.livestock
    dairy = lv["category"] == _DAIRY
    milk_per_head = lv["milk_kg_ecm_per_head"]
    milk_given = dairy & ~np.isnan(milk_per_head)
    milk = _bincount(lv["farm_idx"], np.where(milk_given, lv["head"] * milk_per_head, 0.0), n)
    meat = farms["meat_sold_kg_liveweight"]
    meat = np.where(np.isnan(meat), 0.0, meat)
    t["farmland_ha"] = farmland
    # an intensity that does not fit a float (a tiny area or milk yield) is not available
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t["co2e_kg_per_ha"] = _finite(np.where(farmland > 0, total / farmland, np.nan))
        t["net_co2e_kg_per_ha"] = _finite(np.where(farmland > 0, net / farmland, np.nan))
        ratio = np.where(milk > 0, meat / milk, 0.0)
        # clipped to 0 .. 1 (np.clip's values, without its cost on small arrays)
        af = np.minimum(
            np.maximum(1.0 - fs.value("allocation.idf2022.milk_slope") * ratio, 0.0), 1.0
        )
        t["milk_kg_ecm"] = milk
        t["milk_allocation"] = np.where(milk > 0, af, np.nan)
        t["co2e_kg_per_kg_ecm"] = _finite(np.where(milk > 0, total * af / milk, np.nan))
    co2_per_c = fs.value("constants.co2_per_c")
    t["soil_carbon_icbm_co2_kg"] = -icbm_delta_c * co2_per_c
    t["soil_carbon_ipcc_co2_kg"] = -ipcc_delta_c * co2_per_c
    views = scope_view_columns(
        fidx,
        src,
        gas,
        co2e,
        n,
        fuel_upstream_co2e(tables, fs),
        market_electricity_co2e(tables, fs),
    )
    t.update(views)
    return t


def crop_table(per_crop, gwp: GWPSet) -> dict[str, np.ndarray]:
    """The per-crop table with its CO2e, harvest and per-tonne intensity, as columns.

    Parameters
    ----------
    per_crop : DataFrame or mapping of arrays
        The soils calculator's per-crop emissions (``n2o_kg``, ``urea_co2_kg``,
        ``fertiliser_production_co2e_kg``, the area and yields).
    gwp : GWPSet
    """
    pc = {c: column(per_crop, c) for c in per_crop}
    pc["co2e_kg"] = (
        pc["n2o_kg"] * gwp.n2o + pc["urea_co2_kg"] * gwp.co2 + pc["fertiliser_production_co2e_kg"]
    )
    # the harvest on the basis it was given: dry matter where given, else fresh weight
    dm = pc["yield_kg_dm_per_ha"]
    pc["harvest_dm"] = ~np.isnan(dm)
    pc["harvest_t"] = pc["area_ha"] * np.where(np.isnan(dm), pc["yield_kg_per_ha"], dm) / 1000.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pc["co2e_kg_per_t"] = _finite(
            np.where(pc["harvest_t"] > 0, pc["co2e_kg"] / pc["harvest_t"], np.nan)
        )
    return pc


def _finite(x: np.ndarray) -> np.ndarray:
    """``x`` with every infinite value NaN (a quotient too large for a float: not available);
    finite values unchanged, bit for bit."""
    return np.where(np.isinf(x), np.nan, x)


def frame(columns: Mapping[str, np.ndarray], index: pd.Index | None = None) -> pd.DataFrame:
    """A DataFrame of ``columns`` (no copies)."""
    return pd.DataFrame(dict(columns), index=index, copy=False)
