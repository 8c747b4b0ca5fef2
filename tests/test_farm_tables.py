"""FarmTables: arrays first, DataFrames only when asked for, the same either way.

``records_to_tables`` makes the numpy columns (``FarmTables.arrays``) and
builds a table's DataFrame the first time it is read. These tests hold the
lazily built frames to frames built straight from the records with plain
pandas (the reference below), tables made of frames to the same arrays, and
the fast check of a few farms to the column-by-column check of many.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import farmcalc.inputs.checks as checks_module
import farmcalc.inputs.parsing as parsing_module
import farmcalc.inputs.tables as tables_module
from farmcalc.arrays import arrays_from_frames
from farmcalc.inputs.checks import Collector, clean_numbers
from farmcalc.inputs.fields import (
    CHANGE_NUMS,
    CROP_NUMS,
    FARM_OBJECTS,
    LIVESTOCK_NUMS,
    STATE_DEFAULTS,
    STATE_FIELDS,
    TABLE_COLUMNS,
    TABLE_INDEX,
    TABLE_NAMES,
    VOCABULARY_DTYPES,
)
from farmcalc.inputs.parsing import block_columns
from farmcalc.inputs.tables import FarmTables, records_to_tables, with_categories
from farmcalc.inputs.vocabulary import SOIL_TYPES
from tests.golden.farms import golden_records

ROOT = Path(__file__).resolve().parents[1]


def _example() -> dict:
    return json.loads((ROOT / "examples" / "exempelgarden.json").read_text())


def _nums(obj: dict, specs) -> dict:
    return {
        s.column: float(obj[s.key]) if obj.get(s.key) is not None else s.missing for s in specs
    }


def _reference_frames(records: list[dict]) -> dict[str, pd.DataFrame]:
    """The five tables of valid records, built row by row with plain pandas."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLE_NAMES}
    for f, rec in enumerate(records):
        farm = {
            "farm_id": rec.get("farm_id"),
            "name": rec.get("name"),
            "municipality_code": rec.get("municipality_code"),
            "year": int(rec["year"]),
        }
        for key, specs in FARM_OBJECTS.items():
            farm.update(_nums(rec.get(key) or {}, specs))
        farm["soil_type"] = (rec.get("soil") or {}).get("soil_type") or SOIL_TYPES[0]
        rows["farms"].append(farm)
        for pos, lv in enumerate(rec.get("livestock") or []):
            lv_idx = len(rows["livestock"])
            rows["livestock"].append(
                {
                    "farm_idx": f,
                    "pos": pos,
                    "category": lv["category"],
                    **_nums(lv, LIVESTOCK_NUMS),
                }
            )
            for system, share in (lv.get("manure_systems") or {}).items():
                rows["manure_systems"].append(
                    {"farm_idx": f, "lv_idx": lv_idx, "system": system, "share": float(share)}
                )
        for pos, crop in enumerate(rec.get("crops") or []):
            rows["crops"].append(
                {
                    "farm_idx": f,
                    "pos": pos,
                    "crop": crop["crop"],
                    "mineral_n_type": crop.get("mineral_n_type") or "unspecified",
                    **_nums(crop, CROP_NUMS),
                }
            )
        for pos, ch in enumerate((rec.get("soil") or {}).get("changes") or []):
            row = {"farm_idx": f, "pos": pos, **_nums(ch, CHANGE_NUMS)}
            for side in ("from", "to"):
                for k in STATE_FIELDS:
                    row[f"{side}_{k}"] = (ch.get(side) or {}).get(k) or STATE_DEFAULTS[k]
            rows["soil_changes"].append(row)
    frames = {}
    for name, columns in TABLE_COLUMNS.items():
        data = {}
        for col in columns:
            values = [r[col] for r in rows[name]]
            if col in VOCABULARY_DTYPES[name]:
                data[col] = pd.Categorical(values, dtype=VOCABULARY_DTYPES[name][col])
            elif col in ("farm_idx", "pos", "lv_idx", "year"):
                data[col] = np.array(values, dtype=np.int64)
            elif col in ("farm_id", "name", "municipality_code"):
                data[col] = np.array(values, dtype=object)
            else:
                data[col] = np.array(values, dtype=float)
        n = len(rows[name])
        index = pd.RangeIndex(n, name=TABLE_INDEX[name]) if name in TABLE_INDEX else None
        frames[name] = pd.DataFrame(data, index=index)
    return frames


def _assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert list(got.dtypes) == list(want.dtypes)
    assert type(got.index) is type(want.index) and got.index.name == want.index.name
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True)


def _assert_same_arrays(got, want) -> None:
    assert got.n_farms == want.n_farms
    for name in TABLE_NAMES:
        a, b = getattr(got, name), getattr(want, name)
        assert list(a) == list(b), name
        for col in a:
            assert a[col].dtype == b[col].dtype, (name, col)
            if a[col].dtype == object:
                assert a[col].tolist() == b[col].tolist(), (name, col)
            else:
                assert np.array_equal(a[col], b[col], equal_nan=a[col].dtype.kind == "f")


def test_lazily_built_frames_equal_frames_built_from_the_records():
    records = golden_records()
    tables, issues = records_to_tables(records)
    assert not [i for i in issues if i.severity == "error"]
    assert tables.built_frames() == ()
    reference = _reference_frames(records)
    for name in TABLE_NAMES:
        _assert_same_frame(getattr(tables, name), reference[name])
    assert tables.built_frames() == TABLE_NAMES


def test_tables_of_frames_give_the_same_arrays():
    tables, _ = records_to_tables(golden_records())
    frames = {name: getattr(tables, name) for name in TABLE_NAMES}
    again = FarmTables(**frames)
    assert again.built_frames() == TABLE_NAMES
    _assert_same_arrays(again.arrays, tables.arrays)
    assert again.arrays is again.arrays  # made once
    # the categoricals of the Excel reader (with_categories) give the same codes
    _assert_same_arrays(with_categories(again).arrays, tables.arrays)


def test_one_record_builds_no_dataframe():
    tables, issues = records_to_tables([_example()])
    a = tables.arrays
    assert tables.n_farms == 1 and a.n_farms == 1
    assert tables.farmland_ha().tolist() == [190.0]
    assert [i for i in issues if i.severity == "error"] == []
    assert tables.built_frames() == ()
    # asked for, a frame is built once and kept
    crops = tables.crops
    assert tables.built_frames() == ("crops",) and tables.crops is crops
    assert crops["area_ha"].sum() == 190.0


def test_calculating_one_record_builds_no_dataframe():
    """The calculation reads the arrays only (the result's frames are built when asked for)."""
    import farmcalc

    tables, _ = records_to_tables([_example()])
    batch = farmcalc.calculate_batch(tables)
    assert batch.tables is tables or batch.tables.built_frames() == ()
    assert tables.built_frames() == ()


def test_with_categories_keeps_tables_of_records_as_they_are():
    tables, _ = records_to_tables([_example()])
    assert with_categories(tables) is tables
    assert tables.built_frames() == ()


def test_replace_takes_new_frames_and_makes_new_arrays():
    tables, _ = records_to_tables([_example()])
    crops = tables.crops.copy()
    crops["area_ha"] = crops["area_ha"] * 2
    changed = dataclasses.replace(tables, crops=crops)
    assert changed.crops is crops
    assert (
        changed.arrays.crops["area_ha"].tolist() == (tables.arrays.crops["area_ha"] * 2).tolist()
    )
    assert changed.farmland_ha().tolist() == [380.0]
    assert tables.arrays.crops["area_ha"].sum() == 190.0  # the original is untouched


def test_tables_need_all_five_frames():
    tables, _ = records_to_tables([_example()])
    with pytest.raises(TypeError, match="missing: crops"):
        FarmTables(
            farms=tables.farms,
            livestock=tables.livestock,
            manure_systems=tables.manure_systems,
            soil_changes=tables.soil_changes,
        )


def test_categorical_frames_with_other_categories_give_vocabulary_codes():
    """A categorical column whose categories are not the vocabulary's is recoded by name."""
    tables, _ = records_to_tables([_example()])
    crops = tables.crops.copy()
    names = crops["crop"].astype(object)
    crops["crop"] = pd.Categorical(names, categories=[*sorted(set(names)), "no_such_crop"])
    lv = tables.livestock.copy()
    lv["category"] = lv["category"].astype(object)  # plain text column
    lv.loc[2, "category"] = None
    arrays = arrays_from_frames(dataclasses.replace(tables, crops=crops, livestock=lv))
    assert arrays.crops["crop"].tolist() == tables.arrays.crops["crop"].tolist()
    assert arrays.livestock["category"].tolist() == [0, 1, -1]
    assert arrays.crops["crop"].dtype == np.int16


def _broken(rec: dict, k: int) -> dict:
    """A copy of the example with one kind of mistake (or none) for k = 0, 1, …"""
    rec = copy.deepcopy(rec)
    rec["farm_id"] = f"B-{k}"
    mistakes = [
        lambda r: None,
        lambda r: r["livestock"][0].update(head=-1),
        lambda r: r["livestock"][0].update(head=True),
        lambda r: r["livestock"][1].update(head="many"),
        lambda r: r["livestock"][1].update(head=10**20),
        lambda r: r["energy"].update(diesel_l=float("inf")),
        lambda r: r["livestock"][0].pop("head"),
        lambda r: r["livestock"][0].update(live_weight_kg=0),
        lambda r: r["livestock"][0].update(live_weight_kg=2000),
        lambda r: r["soil"]["changes"][0].update(year_of_change=2020.5),
        lambda r: r["soil"]["changes"][0].update(year_of_change="2020"),
        lambda r: r["livestock"][0]["manure_systems"].update(deep_bedding=0.5),
        lambda r: r["crops"][0].update(crop="banana", mineral_n_type=None),
        lambda r: r["crops"][1].update(residues_removed_fraction=1.5),
        lambda r: r["soil"].update(organic_carbon_t_per_ha=0),
        lambda r: r.update(year=1850.0),
        lambda r: r.update(year=None),
        lambda r: r["crops"][0].update(yield_kg_dm_per_ha=7000),
        lambda r: r["livestock"][0].update(milk_kg_ecm_per_head=20000),
        lambda r: r["livestock"][0].update(digestibility_pct=30),
        lambda r: r["energy"].update(diesel_l=None),
    ]
    mistakes[k % len(mistakes)](rec)
    return rec


@pytest.mark.parametrize("k", range(21))
def test_few_farms_checked_at_once_as_column_by_column(monkeypatch, k):
    """The one-pass check of a few farms gives the tables and issues of the many-farm path."""
    records = [_broken(_example(), k)]
    tables, issues = records_to_tables(records, strict=False)
    for module in (checks_module, parsing_module, tables_module):  # every reader of the limit
        monkeypatch.setattr(module, "FEW_FARMS", 0)
    ref_tables, ref_issues = records_to_tables(records, strict=False)
    assert issues == ref_issues
    assert all(
        type(a.params.get("value")) is type(b.params.get("value"))
        for a, b in zip(issues, ref_issues, strict=True)
    )
    _assert_same_arrays(tables.arrays, ref_tables.arrays)
    if k % 20:  # 0: none, 20: a missing optional number (no issue)
        assert issues, "each mistake is found"


def test_a_clean_farm_takes_the_one_pass_check():
    """(So that the comparison above compares two paths.)"""
    raw = block_columns([_example()], Collector(), few=True)
    assert clean_numbers(*raw, few=True) is not None
    raw = block_columns([_broken(_example(), 1)], Collector(), True)
    assert clean_numbers(*raw, few=True) is None


def test_arrays_are_read_only_either_way():
    """The arrays are shared by every reader (and the frames made of them): none may write."""
    tables, _ = records_to_tables([_example()])
    again = FarmTables(**{name: getattr(tables, name) for name in TABLE_NAMES})
    for arrays in (tables.arrays, again.arrays):
        with pytest.raises(ValueError, match="read-only"):
            arrays.crops["area_ha"][0] = 0.0
        with pytest.raises(ValueError, match="read-only"):
            arrays.crops["crop"][0] = 1
    assert tables.crops["area_ha"].sum() == 190.0


@pytest.mark.parametrize("n_farms", [2, 40, 600])  # few farms, many, more than one block
def test_items_lacking_keys_that_the_shortest_item_has(n_farms):
    """Items whose optional keys differ in every way give the reference tables.

    The reader takes the shortest item's keys as those every item has and
    finds out when one lacks them (here: the shortest has a fresh yield that
    the others do not), and reads an optional key no item has as missing.
    """
    shapes = [
        {"crop": "barley", "area_ha": 3, "yield_kg_per_ha": 5000},
        {
            "crop": "grass_clover_ley",
            "area_ha": 4,
            "yield_kg_dm_per_ha": 7000,
            "mineral_n_kg_per_ha": 40,
        },
        {"crop": "oats", "area_ha": 2.5, "mineral_n_kg_per_ha": 90, "manure_n_kg_per_ha": 20},
    ]
    records = []
    for i in range(n_farms):
        rec = _example()
        rec["farm_id"] = f"F{i}"
        rec["crops"] = [shapes[(i + j) % 3] for j in range(1 + i % 3)]
        rec["livestock"] = [{"category": "heifer", "head": 3, "pasture_fraction": 1.0}]
        records.append(rec)
    tables, issues = records_to_tables(records, strict=False)
    assert not [i for i in issues if i.severity == "error"]
    for name, want in _reference_frames(records).items():
        _assert_same_frame(getattr(tables, name), want)
