"""The six optional livestock class fields of issue 11 on the sheet Djur: live weight,
growth, pregnant share, months on the farm, crude protein and digestibility.

The template has them with Swedish headers, what is written reads back the same, a
workbook of the template before issue 11 (frozen in tests/data, "do not modify") still
imports, a bad cell is named by sheet, row and column, and LibreOffice's re-save reads
the same.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from soffice import needs_soffice, resave_with_libreoffice

import farmcalc
from farmcalc.excel import layout as L  # noqa: N812
from farmcalc.excel import read_workbook
from farmcalc.excel.template import example_records, write_farms, write_template
from farmcalc.excel.to_records import tables_to_records

DATA = Path(__file__).resolve().parents[1] / "data"
OLD_TEMPLATE = DATA / "template_before_issue11.xlsx"  # the example template of 2026-12-03

# field → the Swedish header of the template (docs: /work/notes/FIELDS11.md, docs/excel.md)
HEADERS = {
    "live_weight_kg": "Levande vikt (kg/djur)",
    "weight_gain_kg_per_day": "Tillväxt (kg/dag)",
    "pregnant_fraction": "Andel dräktiga (andel 0–1)",
    "months_on_farm": "Månader på gården",
    "crude_protein_pct": "Råprotein i foderstaten (% av ts)",
    "digestibility_pct": "Smältbarhet (DE, % av bruttoenergi)",
}
# a suckler-cow herd's cows, heifers and a sheep flock's lambs with their own data
CLASS_DATA = {
    "suckler_cow": {"live_weight_kg": 620, "pregnant_fraction": 0.92, "digestibility_pct": 62},
    "heifer": {"live_weight_kg": 380, "weight_gain_kg_per_day": 0.8, "months_on_farm": 12},
    "lamb": {
        "live_weight_kg": 32.5,
        "weight_gain_kg_per_day": 0.25,
        "months_on_farm": 5,
        "crude_protein_pct": 16.5,
    },
}


def farm() -> dict:
    return {
        "schema": "farmcalc.farm/1",
        "farm_id": "L-1",
        "municipality_code": "1290",
        "year": 2025,
        "livestock": [
            {"category": cat, "head": head, "manure_systems": {"deep_bedding": 1}, **data}
            for (cat, data), head in zip(CLASS_DATA.items(), (40, 25, 120), strict=True)
        ],
        "crops": [{"crop": "grass_clover_ley", "area_ha": 60, "yield_kg_dm_per_ha": 7000}],
    }


def headers_of(path_or_bytes, sheet: str = "Djur") -> list:
    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    ws = openpyxl.load_workbook(src)[sheet]
    return [c.value for c in ws[1]]


def test_the_template_has_the_columns_with_swedish_headers():
    buf = io.BytesIO()
    write_template(buf)
    headers = headers_of(buf.getvalue())
    for fld, header in HEADERS.items():
        assert L.LIVESTOCK.by_field[fld].header == header
        assert header in headers, header
        assert not L.LIVESTOCK.by_field[fld].required  # optional columns
        assert "Tomt" in L.LIVESTOCK.by_field[fld].note  # says what empty means
    # Excel's own check (a warning) holds the record's bounds: months 0–12, DE 40–90
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["Djur"]
    checks = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            # no operator in the file means "between" (ECMA-376 18.18.21)
            bounds = (float(dv.formula1), float(dv.formula2)) if dv.formula2 else None
            checks[headers[cell_range.min_col - 1]] = (dv.type, dv.operator or "between", bounds)
    assert checks[HEADERS["months_on_farm"]] == ("decimal", "between", (0, 12))
    assert checks[HEADERS["digestibility_pct"]] == ("decimal", "between", (40, 90))
    assert checks[HEADERS["pregnant_fraction"]] == ("decimal", "between", (0, 1))
    # the old columns keep their places; the new ones come after them
    assert headers.index(HEADERS["live_weight_kg"]) > headers.index(
        L.LIVESTOCK.by_field["feed_3nop_fraction"].header
    )


def test_written_farms_read_back_the_same():
    record = farm()
    buf = io.BytesIO()
    write_farms([record], buf)
    tables, issues = read_workbook(buf.getvalue())
    assert tables is not None and issues == [], [str(i) for i in issues]
    (back,) = tables_to_records(tables)
    for animal, (cat, data) in zip(back["livestock"], CLASS_DATA.items(), strict=True):
        assert animal["category"] == cat
        assert {
            k: animal.get(k) for k in L.LIVESTOCK.by_field if k in HEADERS and k in animal
        } == data
    # the same numbers as the record itself
    assert farmcalc.calculate(back)["totals"] == farmcalc.calculate(record)["totals"]


def test_swedish_typing_in_the_new_columns(cells_to_xlsx, maker):
    cells = maker.base()
    headers = cells["Djur"][0]
    typed = {
        "Gårds-id": cells["Gårdar"][1][0],
        "Djurslag": "Lamm",
        "Antal djur (st)": 120,
        "Gödsel: Djupströ (andel 0–1)": 1,
        "Levande vikt (kg/djur)": "32,5",
        "Tillväxt (kg/dag)": "0,25",
        "Andel dräktiga (andel 0–1)": "90 %",
        "Månader på gården": "5",
        "Råprotein i foderstaten (% av ts)": "16,5",
        "Smältbarhet (DE, % av bruttoenergi)": "72",
    }
    row = [typed.get(h) for h in headers]
    cells["Djur"].append(row)
    tables, issues = read_workbook(cells_to_xlsx(cells))
    assert tables is not None, [str(i) for i in issues]
    lamb = tables_to_records(tables)[0]["livestock"][-1]
    assert lamb["category"] == "lamb"
    assert (lamb["live_weight_kg"], lamb["weight_gain_kg_per_day"]) == (32.5, 0.25)
    assert (lamb["pregnant_fraction"], lamb["months_on_farm"]) == (0.9, 5)
    assert (lamb["crude_protein_pct"], lamb["digestibility_pct"]) == (16.5, 72)


def test_a_workbook_of_the_old_template_still_imports():
    # the file is the example template as written before issue 11: no such columns
    assert not set(HEADERS.values()) & set(headers_of(OLD_TEMPLATE))
    old, issues = read_workbook(OLD_TEMPLATE)
    assert old is not None and issues == [], [str(i) for i in issues]
    for fld in HEADERS:
        assert old.livestock[fld].isna().all(), fld  # not given: the set's default
    records = tables_to_records(old)
    assert not any(k in a for r in records for a in r["livestock"] for k in HEADERS)
    # the same farms as the example of today's template, with the same results
    assert records == tables_to_records(read_workbook(_example_bytes())[0])
    assert records == [
        tables_to_records(farmcalc.records_to_tables([r])[0])[0] for r in example_records()
    ]


def _example_bytes() -> bytes:
    buf = io.BytesIO()
    write_template(buf, example=True)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        (
            "months_on_farm",
            13,
            'Blad "Djur", rad 4, kolumn "Månader på gården": "13" är större än 12',
        ),
        (
            "months_on_farm",
            0,
            'Blad "Djur", rad 4, kolumn "Månader på gården": "0" måste vara större än 0',
        ),
        (
            "live_weight_kg",
            "abc",
            'Blad "Djur", rad 4, kolumn "Levande vikt (kg/djur)": "abc" är inte ett tal',
        ),
        (
            "digestibility_pct",
            35,
            'Blad "Djur", rad 4, kolumn "Smältbarhet (DE, % av bruttoenergi)": "35" är mindre '
            "än 40",
        ),
        (
            "pregnant_fraction",
            1.5,
            'Blad "Djur", rad 4, kolumn "Andel dräktiga (andel 0–1)": "1,5" är ingen andel '
            "mellan 0 och 1 (skriv 85 % som 0,85)",
        ),
    ],
)
def test_a_bad_cell_names_sheet_row_and_column(field, typed, expected):
    buf = io.BytesIO()
    write_farms([farm()], buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["Djur"]
    col = [c.value for c in ws[1]].index(HEADERS[field]) + 1
    ws.cell(4, col, typed)  # row 4: the lambs
    out = io.BytesIO()
    wb.save(out)
    tables, issues = read_workbook(out.getvalue())
    assert tables is None
    assert [i.message("sv") for i in issues] == [expected]


@needs_soffice
def test_libreoffice_resave_keeps_the_class_data(tmp_path):
    records = [farm(), *copy.deepcopy(example_records(2))]
    src = tmp_path / "klassdata.xlsx"
    write_farms(records, src)
    resaved = resave_with_libreoffice(src, tmp_path)
    assert resaved.read_bytes() != src.read_bytes()
    original, issues = read_workbook(src)
    again, issues_again = read_workbook(resaved)
    assert again is not None and issues == issues_again == [], [str(i) for i in issues_again]
    assert again.livestock.equals(original.livestock)
    assert tables_to_records(again)[0]["livestock"][2]["months_on_farm"] == 5
    a = farmcalc.calculate_batch(original)
    b = farmcalc.calculate_batch(again)
    np.testing.assert_allclose(
        b.totals.select_dtypes("number"), a.totals.select_dtypes("number"), rtol=1e-12
    )
