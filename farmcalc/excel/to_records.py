"""FarmTables back to farm records (``farmcalc.farm/1`` dicts), one per farm.

    tables, issues = read_workbook("gardar.xlsx")
    records = tables_to_records(tables)   # what the web app stores per farm-year

The inverse of :func:`farmcalc.inputs.tables.records_to_tables`: calculating the
records gives the same numbers as calculating the tables. Numbers the
tables hold as "not given" (NaN: milk yield, N excretion, manure N of a crop,
soil carbon stock, meat sold) are left out of the record; every other number
is written, zeros included. Each table is turned into plain values column by
column from its numpy arrays (``FarmTables.arrays``: no DataFrame is built) and
its rows are dealt to their farms in one pass (sorted by farm and position),
never by scanning a table once per farm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from farmcalc.arrays import vocabularies
from farmcalc.inputs.fields import (
    CHANGE_NUMS,
    CROP_NUMS,
    FARM_OBJECTS,
    LIVESTOCK_NUMS,
    STATE_FIELDS,
)
from farmcalc.inputs.tables import FarmTables, no_cyclic_gc
from farmcalc.inputs.vocabulary import SCHEMA_ID

Columns = Mapping[str, np.ndarray]


def _values(table: str, cols: Columns, column: str, *, integer: bool = False) -> list[Any]:
    """A column of the tables' arrays as plain Python values; missing (NaN, -1, None) as None.

    A vocabulary column (int16 codes) gives its names; a number column its floats
    (ints where ``integer``); a text column its strings.
    """
    values = cols[column]
    vocab = vocabularies()[table].get(column)
    if vocab is not None:
        names = [*vocab, None]  # code -1 (missing) is the last
        return [names[c] for c in values.tolist()]
    if values.dtype.kind != "f":
        return values.tolist()
    missing = np.isnan(values)
    if integer:
        out: list[Any] = np.where(missing, 0, values).astype(np.int64).tolist()
    else:
        out = values.tolist()
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            out[i] = None
    return out


def _items(table: str, cols: Columns, fields: list[tuple[str, str, bool]]) -> list[dict]:
    """One dict per row: ``fields`` are (record key, column, integer); None is left out."""
    keys = [key for key, _col, _integer in fields]
    columns = [_values(table, cols, col, integer=integer) for _key, col, integer in fields]
    if not columns:
        return [{} for _ in range(len(next(iter(cols.values()))))]
    out = [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
    for key, values in zip(keys, columns, strict=True):  # then the missing values go
        if None in values:
            for item, v in zip(out, values, strict=True):
                if v is None:
                    del item[key]
    return out


def _deal(cols: Columns, items: list, n_farms: int) -> list[list]:
    """``items`` (one per row of ``cols``) grouped by farm, in position order."""
    per_farm: list[list] = [[] for _ in range(n_farms)]
    farm = cols["farm_idx"]
    if not len(farm):
        return per_farm
    farms = farm.tolist()
    for i in np.lexsort((cols["pos"], farm)).tolist():
        per_farm[farms[i]].append(items[i])
    return per_farm


def tables_to_records(tables: FarmTables) -> list[dict]:
    """One ``farmcalc.farm/1`` record per row of ``tables.farms``, in that order.

    Read from the tables' numpy columns (``tables.arrays``), column by column:
    no DataFrame is built. Python's cyclic collector is paused meanwhile (the
    dicts hold no cycles; see :func:`farmcalc.inputs.tables.no_cyclic_gc`).
    """
    with no_cyclic_gc():
        return _records(tables)


def _records(tables: FarmTables) -> list[dict]:
    arrays = tables.arrays
    farms = arrays.farms
    n = arrays.n_farms

    # livestock, with their manure systems
    lv = arrays.livestock
    lv_items = _items(
        "livestock",
        lv,
        [("category", "category", False)] + [(s.key, s.column, False) for s in LIVESTOCK_NUMS],
    )
    ms = arrays.manure_systems
    if len(ms["lv_idx"]):
        labels = lv.get("index", np.arange(len(lv["farm_idx"]), dtype=np.int64))
        position = {label: i for i, label in enumerate(labels.tolist())}
        at = [position.get(label, -1) for label in ms["lv_idx"].tolist()]
        systems = _values("manure_systems", ms, "system")
        shares = _values("manure_systems", ms, "share")
        for i, system, share in zip(at, systems, shares, strict=True):
            if i >= 0 and system is not None and share is not None:
                lv_items[i].setdefault("manure_systems", {})[system] = share
    livestock = _deal(lv, lv_items, n)

    crops = arrays.crops
    crop_items = _items(
        "crops",
        crops,
        [("crop", "crop", False)]
        + [(s.key, s.column, False) for s in CROP_NUMS]
        + [("mineral_n_type", "mineral_n_type", False)],
    )
    for item in crop_items:  # a yield given as dry matter has no delivered weight
        if "yield_kg_dm_per_ha" in item:
            item.pop("yield_kg_per_ha", None)
    crop_lists = _deal(crops, crop_items, n)

    ch = arrays.soil_changes
    change_items = _items("soil_changes", ch, [(s.key, s.column, s.integer) for s in CHANGE_NUMS])
    states = {
        side: _items("soil_changes", ch, [(k, f"{side}_{k}", False) for k in STATE_FIELDS])
        for side in ("from", "to")
    }
    for i, item in enumerate(change_items):
        item["from"] = states["from"][i]
        item["to"] = states["to"][i]
    change_lists = _deal(ch, change_items, n)

    # farms: one dict per object (lime, energy, …), then the records
    objects = {
        key: _items("farms", farms, [(s.key, s.column, False) for s in nums])
        for key, nums in FARM_OBJECTS.items()
    }
    ids = _values("farms", farms, "farm_id")
    names = _values("farms", farms, "name")
    municipalities = _values("farms", farms, "municipality_code")
    years = _values("farms", farms, "year", integer=True)
    soil_types = _values("farms", farms, "soil_type")

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
