"""Shares typed as percent in Excel, and one message for one mistake down a column
(issue 9, section 3: "typing 45 gives 44 identical errors")."""

from __future__ import annotations

import io

import openpyxl
import pytest

from farmcalc.excel import layout as L  # noqa: N812
from farmcalc.excel.reader import read_workbook
from farmcalc.excel.sheet_issues import SheetIssue, group_identical, row_ranges
from farmcalc.excel.template import write_farms


def farms(n: int) -> list[dict]:
    return [
        {
            "schema": "farmcalc.farm/1",
            "farm_id": f"P-{k:03d}",
            "municipality_code": "1290",
            "year": 2025,
            "livestock": [
                {
                    "category": "heifer",
                    "head": 10,
                    "pasture_fraction": 0.45,
                    "manure_systems": {"deep_bedding": 1.0},
                }
            ],
            "crops": [{"crop": "grass_ley", "area_ha": 20, "yield_kg_dm_per_ha": 8000}],
        }
        for k in range(n)
    ]


def workbook(n: int, pasture: list) -> bytes:
    """``n`` farms, the column 'Andel på bete' of sheet Djur overwritten with ``pasture``."""
    buf = io.BytesIO()
    write_farms(farms(n), buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["Djur"]
    headers = [c.value for c in ws[1]]
    col = headers.index(L.LIVESTOCK.by_field["pasture_fraction"].header) + 1
    for r, v in enumerate(pasture, start=2):
        ws.cell(r, col, v)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_column_typed_in_percent_is_read_as_percent_with_one_note():
    # the issue's case: 45 typed on every row of 44 farms
    tables, issues = read_workbook(workbook(44, [45] * 44))
    assert tables is not None, [str(i) for i in issues]
    assert tables.livestock["pasture_fraction"].tolist() == pytest.approx([0.45] * 44)
    assert [(i.code, i.severity, i.column) for i in issues] == [
        ("share_percent", "warning", "Andel på bete (andel 0–1)")
    ]
    text = issues[0].message("sv")
    assert "procent" in text and "45 = 0,45" in text


def test_percent_and_zero_mix_is_percent_too():
    tables, issues = read_workbook(workbook(3, [45, 0, 100]))
    assert tables.livestock["pasture_fraction"].tolist() == pytest.approx([0.45, 0.0, 1.0])
    assert [i.code for i in issues] == ["share_percent"]


def test_an_ambiguous_column_is_not_guessed_and_its_errors_come_once():
    # 0,5 on one row: shares 0–1 are possible, so 45 is not a share; one error for 43 rows
    tables, issues = read_workbook(workbook(44, [0.5] + [45] * 43))
    assert tables is None
    errors = [i for i in issues if i.severity == "error"]
    assert len(errors) == 1
    assert errors[0].code == "share" and errors[0].rows == tuple(range(3, 46))
    msg = errors[0].message("sv")
    assert msg.startswith('Blad "Djur", rader 3–45, kolumn "Andel på bete (andel 0–1)": "45"')
    assert errors[0].as_dict("sv")["rows_text"] == "3–45"


def test_a_one_in_a_percent_looking_column_is_ambiguous():
    tables, issues = read_workbook(workbook(3, [1, 45, 60]))
    assert tables is None
    assert sorted(i.code for i in issues if i.severity == "error") == ["share", "share"]


def test_percent_signs_are_read_as_percent():
    tables, issues = read_workbook(workbook(2, ["45 %", "12,5%"]))
    assert tables.livestock["pasture_fraction"].tolist() == pytest.approx([0.45, 0.125])
    assert issues == []


def test_row_ranges():
    assert row_ranges((2, 3, 4, 7, 9, 10)) == "2–4, 7, 9–10"
    assert row_ranges((5,)) == "5"


def test_different_problems_stay_apart():
    a = SheetIssue("share", sheet="Djur", row=2, column="X", value=45)
    b = SheetIssue("share", sheet="Djur", row=3, column="X", value=46)
    c = SheetIssue("share", sheet="Djur", row=4, column="X", value=45)
    d = SheetIssue("required", sheet="Djur", row=5, column="Y")
    out = group_identical([a, b, c, d])
    assert [(i.value, i.row, i.rows) for i in out] == [(45, 2, (2, 4)), (46, 3, ()), (None, 5, ())]
