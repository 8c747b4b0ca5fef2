"""The template: every field, one layout table, lists, and the example round trip."""

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import farmcalc
from farmcalc.excel import example_records, read_workbook, write_template
from farmcalc.excel import layout as L  # noqa: N812
from farmcalc.inputs.fields import CHANGE_COLUMNS, CROP_COLUMNS, FARM_COLUMNS, LIVESTOCK_COLUMNS
from farmcalc.inputs.tables import records_to_tables
from farmcalc.inputs.vocabulary import MANURE_SYSTEMS

ROOT = Path(__file__).resolve().parents[2]


def test_every_field_of_the_farm_record_is_in_the_template():
    fields = {s.key: {c.field for c in s.columns} for s in L.SHEETS}
    assert set(FARM_COLUMNS) <= fields["farms"]
    assert set(LIVESTOCK_COLUMNS[2:]) <= fields["livestock"]
    assert {f"manure:{m}" for m in MANURE_SYSTEMS} <= fields["livestock"]
    assert set(CROP_COLUMNS[2:]) <= fields["crops"]
    assert set(CHANGE_COLUMNS[2:]) <= fields["soil_changes"]


@pytest.mark.parametrize("sheet", L.SHEETS, ids=lambda s: s.key)
def test_headers_are_unambiguous(sheet):
    seen: dict[str, str] = {}
    for col in sheet.columns:
        names, _units = L.header_keys(col)
        for n in names:
            assert seen.setdefault(n, col.field) == col.field, (n, col.field, seen[n])


@pytest.mark.parametrize("vocabulary", sorted(L.VOCABULARIES))
def test_list_labels_map_back_to_one_code_each(vocabulary):
    lookup = L.vocabulary_lookup(vocabulary)
    for code in L.VOCABULARIES[vocabulary]:
        assert lookup[L.norm(code)] == code
        assert lookup[L.norm(farmcalc.labels.label(code, "sv"))] == code
        assert lookup[L.norm(farmcalc.labels.label(code, "en"))] == code


def test_headers_carry_units():
    assert L.FARMS.by_field["diesel_l"].header == "Diesel (liter)"
    assert L.LIVESTOCK.by_field["head"].header == "Antal djur (st)"
    assert L.CROPS_SHEET.by_field["area_ha"].header == "Areal (ha)"


def test_template_sheets_lists_and_formats(tmp_path):
    path = tmp_path / "mall.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Instruktioner",
        "Gårdar",
        "Djur",
        "Grödor",
        "Markförändringar",
        "Listor",
    ]
    lists = wb["Listor"]
    assert lists.sheet_state == "hidden"
    assert lists["A1"].value == L.TEMPLATE_MARKER
    assert lists["B1"].value == L.TEMPLATE_VERSION
    djur = wb["Djur"]
    headers = [c.value for c in djur[1]]
    assert headers == [c.header for c in L.LIVESTOCK.columns]
    assert djur.freeze_panes == "A2"
    validations = {str(dv.sqref): dv for dv in djur.data_validations.dataValidation}
    category = validations["C2:C100001"]
    assert category.type == "list" and "Listor" in category.formula1
    # the list shows Swedish labels
    col = category.formula1.split("!")[1].replace("$", "").split(":")[0][0]
    labels = [c.value for c in lists[col][3:] if c.value]
    assert "Mjölkkor" in labels and "Slaktsvin" in labels
    assert validations["D2:D100001"].type == "decimal"
    assert djur.column_dimensions["D"].width > 8
    instructions = " ".join(
        str(c.value) for row in wb["Instruktioner"].iter_rows() for c in row if c.value
    )
    assert "Decimalkomma" in instructions and "Antal djur" in instructions


def test_empty_template_has_no_farms(tmp_path):
    path = tmp_path / "mall.xlsx"
    write_template(path)
    tables, issues = read_workbook(path)
    assert tables is None
    assert [i.message() for i in issues] == ['Blad "Gårdar": bladet har inga gårdar']


def test_example_round_trip_gives_the_same_tables_and_numbers(example_xlsx):
    records = example_records()
    tables, issues = read_workbook(example_xlsx)
    assert tables is not None, [str(i) for i in issues]
    ref, _ = records_to_tables(records)
    for name in ("farms", "livestock", "crops", "soil_changes"):
        pd.testing.assert_frame_equal(getattr(tables, name), getattr(ref, name))
    # manure systems: the same rows, in the template's column order
    key = ["lv_idx", "system"]
    pd.testing.assert_frame_equal(
        tables.manure_systems.sort_values(key).reset_index(drop=True),
        ref.manure_systems.sort_values(key).reset_index(drop=True),
    )
    got = farmcalc.calculate_batch(tables)
    want = farmcalc.calculate_batch(records)
    cols = ["co2e_kg", "CH4_kg", "N2O_kg", "CO2_kg", "soil_carbon_co2e_kg", "net_co2e_kg"]
    np.testing.assert_allclose(got.totals[cols], want.totals[cols], rtol=1e-12)
    long = farmcalc.calculate_many(records)
    key = ["farm_id", "source", "category", "gas"]
    a = got.emissions.sort_values(key).reset_index(drop=True)
    b = long.sort_values(key).reset_index(drop=True)
    assert a[key].equals(b[key])
    np.testing.assert_allclose(a["co2e_kg"], b["co2e_kg"], rtol=1e-12)
    # every sheet of the example has rows
    assert len(tables.soil_changes) and len(tables.livestock) and len(tables.crops)


def test_template_is_a_plain_xlsx(example_xlsx):
    with zipfile.ZipFile(example_xlsx) as z:
        names = z.namelist()
    assert "xl/workbook.xml" in names
    assert not any("vbaProject" in n for n in names)


def test_docs_list_the_layout():
    text = (ROOT / "docs" / "excel.md").read_text(encoding="utf-8")
    block = text.split("<!-- layout:start -->\n", 1)[1].split("<!-- layout:end -->", 1)[0]
    assert block == L.layout_markdown(), "regenerate docs/excel.md from layout_markdown()"


def test_a_missing_text_is_an_empty_cell_not_nan(tmp_path):
    """Found while using it: a farm without a name was written as the text "nan", which
    the next upload took as the farm's name. A missing text is an empty cell, and reads
    back as missing."""
    from farmcalc.excel import tables_to_records

    records = example_records()[:2]
    records[1] = {k: v for k, v in records[1].items() if k != "name"}
    path = tmp_path / "farms.xlsx"
    write_template(path, records=records)
    ws = openpyxl.load_workbook(path, read_only=True)[L.FARMS.name]
    rows = list(ws.iter_rows(min_row=2, max_row=3, values_only=True))
    name = [c.field for c in L.FARMS.columns].index("name")
    assert rows[0][name] == records[0]["name"]
    assert rows[1][name] is None
    assert not any(v == "nan" for row in rows for v in row)
    tables, issues = read_workbook(path)
    assert tables is not None, [str(i) for i in issues]
    back = {r["farm_id"]: r for r in tables_to_records(tables)}
    assert "name" not in back[records[1]["farm_id"]]
    assert back[records[0]["farm_id"]]["name"] == records[0]["name"]
