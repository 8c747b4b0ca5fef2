"""FarmTables back to farm records (``farmcalc.farm/1`` dicts), one per farm.

    tables, issues = read_workbook("gardar.xlsx")
    records = tables_to_records(tables)   # what the web app stores per farm-year

The inverse of :func:`farmcalc.inputs.record.records_to_tables`: calculating the
records gives the same numbers as calculating the tables. Numbers the
tables hold as "not given" (NaN: milk yield, N excretion, manure N of a crop,
soil carbon stock, meat sold) are left out of the record; every other number
is written, zeros included. Each table is turned into plain values column by
column and its rows are dealt to their farms in one pass (sorted by farm and
position), never by scanning a table once per farm.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from farmcalc.inputs.record import (
    CHANGE_NUMS,
    CROP_NUMS,
    FARM_OBJECTS,
    LIVESTOCK_NUMS,
    STATE_FIELDS,
    FarmTables,
)
from farmcalc.inputs.vocabulary import SCHEMA_ID


def _values(frame: pd.DataFrame, column: str, *, integer: bool = False) -> list[Any]:
    """A column as plain Python values; missing (NaN, NA, None) as None."""
    s = frame[column]
    missing = s.isna().to_numpy()
    if integer:
        vals = s.to_numpy(dtype=float, na_value=np.nan) if missing.any() else s.to_numpy()
        out = [int(v) for v in np.where(missing, 0, vals).tolist()]
    else:
        out = s.astype(object).tolist()
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            out[i] = None
    return out


def _items(frame: pd.DataFrame, fields: list[tuple[str, str, bool]]) -> list[dict]:
    """One dict per row: ``fields`` are (record key, column, integer); None is left out."""
    cols = [(key, _values(frame, col, integer=integer)) for key, col, integer in fields]
    n = len(frame)
    out: list[dict] = [{} for _ in range(n)]
    for key, vals in cols:
        for item, v in zip(out, vals, strict=True):
            if v is not None:
                item[key] = v
    return out


def _deal(frame: pd.DataFrame, items: list, n_farms: int) -> list[list]:
    """``items`` (one per row of ``frame``) grouped by farm, in position order."""
    per_farm: list[list] = [[] for _ in range(n_farms)]
    if not len(frame):
        return per_farm
    farm = frame["farm_idx"].to_numpy(dtype=np.int64)
    pos = frame["pos"].to_numpy(dtype=np.int64)
    for i in np.lexsort((pos, farm)).tolist():
        per_farm[farm[i]].append(items[i])
    return per_farm


def tables_to_records(tables: FarmTables) -> list[dict]:
    """One ``farmcalc.farm/1`` record per row of ``tables.farms``, in that order."""
    farms = tables.farms
    n = len(farms)

    # livestock, with their manure systems
    lv = tables.livestock
    lv_items = _items(
        lv,
        [("category", "category", False)] + [(s.key, s.column, False) for s in LIVESTOCK_NUMS],
    )
    ms = tables.manure_systems
    if len(ms):
        at = lv.index.get_indexer(ms["lv_idx"].to_numpy())
        for i, system, share in zip(
            at.tolist(), _values(ms, "system"), _values(ms, "share"), strict=True
        ):
            if i >= 0 and system is not None and share is not None:
                lv_items[i].setdefault("manure_systems", {})[system] = share
    livestock = _deal(lv, lv_items, n)

    crops = tables.crops
    crop_items = _items(
        crops,
        [("crop", "crop", False)]
        + [(s.key, s.column, False) for s in CROP_NUMS]
        + [("mineral_n_type", "mineral_n_type", False)],
    )
    for item in crop_items:  # a yield given as dry matter has no delivered weight
        if "yield_kg_dm_per_ha" in item:
            item.pop("yield_kg_per_ha", None)
    crop_lists = _deal(crops, crop_items, n)

    ch = tables.soil_changes
    change_items = _items(ch, [(s.key, s.column, s.integer) for s in CHANGE_NUMS])
    states = {
        side: _items(ch, [(k, f"{side}_{k}", False) for k in STATE_FIELDS])
        for side in ("from", "to")
    }
    for i, item in enumerate(change_items):
        item["from"] = states["from"][i]
        item["to"] = states["to"][i]
    change_lists = _deal(ch, change_items, n)

    # farms: one dict per object (lime, energy, …), then the records
    objects = {
        key: _items(farms, [(s.key, s.column, False) for s in nums])
        for key, nums in FARM_OBJECTS.items()
    }
    ids = _values(farms, "farm_id")
    names = _values(farms, "name")
    municipalities = _values(farms, "municipality_code")
    years = _values(farms, "year", integer=True)
    soil_types = _values(farms, "soil_type")

    records = []
    for f in range(n):
        rec: dict[str, Any] = {"schema": SCHEMA_ID, "farm_id": ids[f]}
        if names[f] is not None:
            rec["name"] = names[f]
        if municipalities[f] is not None:
            rec["municipality_code"] = municipalities[f]
        rec["year"] = years[f]
        rec["livestock"] = livestock[f]
        rec["crops"] = crop_lists[f]
        for key, items in objects.items():
            if key != "soil" and items[f]:
                rec[key] = items[f]
        soil = dict(objects["soil"][f])
        if soil_types[f] is not None:
            soil["soil_type"] = soil_types[f]
        if change_lists[f]:
            soil["changes"] = change_lists[f]
        if soil:
            rec["soil"] = soil
        records.append(rec)
    return records
