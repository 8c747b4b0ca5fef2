"""FarmTables back to farm records (farmcalc/excel/to_records.py): records_to_tables inverted."""

import copy
import json

import pandas as pd
import pytest

import farmcalc
from farmcalc.demo import demo_records
from farmcalc.excel import example_records, read_workbook, tables_to_records, write_template
from farmcalc.inputs.tables import records_to_tables

TABLES = ("farms", "livestock", "manure_systems", "crops", "soil_changes")


def assert_same_tables(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(
            getattr(a, name).reset_index(drop=True),
            getattr(b, name).reset_index(drop=True),
            check_dtype=False,
            check_index_type=False,
        )


@pytest.mark.parametrize("records", [example_records(), demo_records(60)], ids=["example", "demo"])
def test_round_trip_through_the_workbook(records, tmp_path):
    path = tmp_path / "gardar.xlsx"
    write_template(path, records=records)
    tables, issues = read_workbook(path)
    assert tables is not None, [str(i) for i in issues]
    back = tables_to_records(tables)
    json.dumps(back)  # plain JSON values only (stored as JSON by the web app)
    assert [r["farm_id"] for r in back] == [r["farm_id"] for r in records]
    again, _ = records_to_tables(back)
    assert_same_tables(tables, again)
    pd.testing.assert_frame_equal(farmcalc.calculate_many(tables), farmcalc.calculate_many(back))


def test_not_given_numbers_are_left_out_and_items_keep_their_order():
    rec = copy.deepcopy(example_records(2)[1])
    rec["year"] = 2024
    rec2 = copy.deepcopy(rec)
    rec2["year"] = 2025
    rec2["crops"] = list(reversed(rec2["crops"]))
    tables, _ = records_to_tables([rec, rec2])
    # rows of a table in another order than the farms' must still find their farm
    tables = type(tables)(
        tables.farms,
        tables.livestock,
        tables.manure_systems,
        tables.crops.iloc[::-1],
        tables.soil_changes,
    )
    back = tables_to_records(tables)
    assert [r["year"] for r in back] == [2024, 2025]
    assert [c["crop"] for c in back[1]["crops"]] == [c["crop"] for c in rec2["crops"]]
    assert "products" not in back[0] or "meat_sold_kg_liveweight" in back[0]["products"]
    dairy = [lv for lv in back[0]["livestock"] if lv["category"] == "dairy_cow"]
    for lv in back[0]["livestock"]:
        assert "n_excretion_kg_per_head" not in lv  # NaN: not given
        assert sum(lv.get("manure_systems", {}).values()) in (0, pytest.approx(1.0))
    assert all("milk_kg_ecm_per_head" in lv for lv in dairy)
    assert back[0]["soil"]["soil_type"] == "high_activity_clay"
    assert "organic_carbon_t_per_ha" not in back[0]["soil"]


def test_no_farms():
    tables, _ = records_to_tables([])
    assert tables_to_records(tables) == []
