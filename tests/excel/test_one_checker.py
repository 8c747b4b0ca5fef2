"""One checker: a farm record and a workbook row are held to the same rules, with the same codes.

The same farm is given twice: as records (``records_to_tables``) and as the
workbook they came from (``read_workbook``). Each mistake is made in both, and
both paths must refuse it (or warn) with the same code from the one
enumeration :class:`farmcalc.inputs.issues.Code`; the workbook's issue adds
the sheet, row and column.
"""

from __future__ import annotations

import copy

import pytest

from farmcalc.excel import layout as L  # noqa: N812
from farmcalc.excel import read_workbook
from farmcalc.excel.sheet_issues import XMSG, SheetIssue
from farmcalc.excel.to_records import tables_to_records
from farmcalc.inputs.checks import ABSURD
from farmcalc.inputs.issues import MSG, Code
from farmcalc.inputs.tables import records_to_tables


def _col(sheet: L.Sheet, fld: str) -> int:
    return [c.field for c in sheet.columns].index(fld)


@pytest.fixture
def both(maker, cells_to_xlsx):
    """The base workbook's cells and the records read from it (the same two farms)."""
    cells = maker.base()
    tables, issues = read_workbook(cells_to_xlsx(cells))
    assert tables is not None, [str(i) for i in issues]
    return cells, tables_to_records(tables)


# (sheet, data row, field) of the workbook; the record's path; the value; the one code
MISTAKES = [
    (L.LIVESTOCK, 1, "head", ("livestock", 0, "head"), -3, Code.MINIMUM),
    (L.LIVESTOCK, 1, "pasture_fraction", ("livestock", 0, "pasture_fraction"), -0.5, Code.SHARE),
    (
        L.LIVESTOCK,
        1,
        "live_weight_kg",
        ("livestock", 0, "live_weight_kg"),
        0,
        Code.EXCLUSIVE_MINIMUM,
    ),
    (L.LIVESTOCK, 1, "live_weight_kg", ("livestock", 0, "live_weight_kg"), 2000, Code.MAXIMUM),
    (L.LIVESTOCK, 1, "digestibility_pct", ("livestock", 0, "digestibility_pct"), 30, Code.MINIMUM),
    (L.FARMS, 1, "diesel_l", ("energy", None, "diesel_l"), 1e13, Code.TOO_LARGE),
    (L.FARMS, 1, "diesel_l", ("energy", None, "diesel_l"), "mycket", Code.TYPE_NUMBER),
    (L.CROPS_SHEET, 1, "crop", ("crops", 0, "crop"), "Kaffe", Code.UNKNOWN_VALUE),
    (
        L.FARMS,
        1,
        "municipality_code",
        ("", None, "municipality_code"),
        "129",
        Code.MUNICIPALITY_CODE,
    ),
    (
        L.FARMS,
        1,
        "municipality_code",
        ("", None, "municipality_code"),
        "12\x0790",
        Code.TEXT_CHARACTER,
    ),
]


def _set_record(rec: dict, where: tuple, value) -> None:
    key, pos, fld = where
    if not key:
        rec[fld] = value
    elif pos is None:
        rec.setdefault(key, {})[fld] = value
    else:
        rec[key][pos][fld] = value


@pytest.mark.parametrize(
    ("sheet", "row", "fld", "where", "value", "code"),
    MISTAKES,
    ids=[f"{m[2]}={m[4]!r}" for m in MISTAKES],
)
def test_the_same_mistake_gets_the_same_code_on_both_paths(
    both, cells_to_xlsx, sheet, row, fld, where, value, code
):
    cells, records = both
    cells = copy.deepcopy(cells)
    line = cells[sheet.name][row]
    line += [""] * (len(sheet.columns) - len(line))  # the base rows stop at the last value
    cells[sheet.name][0] = [c.header for c in sheet.columns]
    line[_col(sheet, fld)] = value
    _, sheet_issues = read_workbook(cells_to_xlsx(cells))
    on_sheet = [i for i in sheet_issues if i.severity == "error"]
    assert [(i.code, i.sheet, i.row, i.column) for i in on_sheet] == [
        (code, sheet.name, row + 1, sheet.by_field[fld].header)
    ], [i.message() for i in on_sheet]

    records = copy.deepcopy(records)
    _set_record(records[0], where, value)
    _, issues = records_to_tables(records, strict=False)
    errors = [i for i in issues if i.severity == "error"]
    assert [i.code for i in errors] == [code], [str(i) for i in errors]
    # both say in Swedish what is wrong
    assert on_sheet[0].text("sv") and errors[0].text("sv")


def test_a_huge_number_is_unreasonable_in_a_workbook_too(both, cells_to_xlsx):
    """Before: the record refused 1e13 litres of diesel, the workbook took them."""
    cells, _ = both
    cells = copy.deepcopy(cells)
    cells["Gårdar"][1][_col(L.FARMS, "diesel_l")] = 2 * ABSURD
    tables, issues = read_workbook(cells_to_xlsx(cells))
    assert tables is None
    assert [i.message() for i in issues] == [
        'Blad "Gårdar", rad 2, kolumn "Diesel (liter)": "2000000000000" är orimligt stort '
        "(mer än 1\xa0000\xa0000\xa0000\xa0000); kontrollera enheten"
    ]


def test_a_control_character_is_refused_in_a_record_too(both):
    """Before: the workbook refused a NUL in a farm id, the record path stored it.

    (A name is not checked so in a record: one stored before the rule must still be
    read; tests/web/test_web_hostile.py.)
    """
    _, records = both
    records = copy.deepcopy(records)
    records[1]["farm_id"] = "K\x002"
    _, issues = records_to_tables(records, strict=False)
    assert [(i.farm, i.path, i.code) for i in issues if i.severity == "error"] == [
        (1, "farm_id", Code.TEXT_CHARACTER)
    ]
    assert "tecken" in issues[0].text("sv")


def test_one_enumeration_of_codes():
    """Every message, of a record or of a cell, belongs to a code of the one enumeration."""
    assert set(MSG) <= set(Code)
    assert set(XMSG) <= set(Code)
    assert set(Code) == set(MSG) | set(XMSG)  # every code has its message
    issue = SheetIssue("minimum", sheet="Djur", row=3, column="Antal djur (st)", value=-3)
    assert issue.code is Code.MINIMUM  # a plain string becomes its member
    with pytest.raises(ValueError, match="negative"):
        SheetIssue("negative")  # the workbook's old code of the same rule is gone


@pytest.mark.parametrize(
    ("pasture", "codes"),
    [(1.0, []), (0.15, [Code.MANURE_SYSTEMS_MISSING])],
    ids=["grazed", "housed"],
)
def test_manure_shares_of_zero_mean_no_system_on_both_paths(both, cells_to_xlsx, pasture, codes):
    """Before: a record with every share 0 was refused (shares_sum), the workbook row not.

    A share of 0 is a system not used: animals out all year need none, housed
    animals still need one (``manure_systems_missing``), whichever way in.
    """
    cells, records = both
    cells = copy.deepcopy(cells)
    row = cells["Djur"][1]
    for fld in L.MANURE_FIELDS:
        row[_col(L.LIVESTOCK, fld)] = 0
    row[_col(L.LIVESTOCK, "pasture_fraction")] = pasture
    _, sheet_issues = read_workbook(cells_to_xlsx(cells))
    assert [i.code for i in sheet_issues if i.severity == "error"] == codes

    records = copy.deepcopy(records)
    animal = records[0]["livestock"][0]
    animal["manure_systems"] = dict.fromkeys(animal["manure_systems"], 0.0)
    animal["pasture_fraction"] = pasture
    _, issues = records_to_tables(records, strict=False)
    assert [i.code for i in issues if i.severity == "error"] == codes
