"""Reading workbooks: what advisors type is accepted, every problem is located."""

import copy
import io
import unicodedata

import numpy as np
import pytest

import farmcalc
from farmcalc.excel import layout as L  # noqa: N812
from farmcalc.excel import read_workbook, reader
from farmcalc.excel.reader import BLANK, parse_number_text
from farmcalc.excel.sheet_issues import SheetIssue


def _col(sheet, fld):
    return [c.field for c in sheet.columns].index(fld)


def _base_tables(maker, cells_to_xlsx):
    tables, issues = read_workbook(cells_to_xlsx(maker.base()))
    assert tables is not None, [str(i) for i in issues]
    return tables


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3,5", 3.5),
        ("3.5", 3.5),
        ("  12 ", 12.0),
        ("18 000", 18000.0),
        ("18\u00a0000", 18000.0),
        ("1\u202f234,5", 1234.5),
        ("1 234 567,25", 1234567.25),
        ("\u22123", -3.0),
        ("-0,5", -0.5),
        ("1e3", 1000.0),
        (",5", 0.5),
    ],
)
def test_numbers_typed_as_text(text, value):
    assert parse_number_text(text) == value


@pytest.mark.parametrize(
    "text", ["abc", "1.234,5", "1,234.5", "1,2,3", "12 34", "nan", "inf", "1 2", "85 %", "--1"]
)
def test_text_that_is_not_a_number(text):
    assert parse_number_text(text) is None


def test_percent_only_in_share_columns():
    assert parse_number_text("85 %", percent=True) == pytest.approx(0.85)
    assert parse_number_text("12,5%", percent=True) == pytest.approx(0.125)
    assert parse_number_text("   ") is BLANK


def test_swedish_ways_of_writing_give_the_same_farms(maker, cells_to_xlsx):
    want = _base_tables(maker, cells_to_xlsx)
    cells = copy.deepcopy(maker.base())
    farms, djur, grodor = cells["Gårdar"], cells["Djur"], cells["Grödor"]
    farms[1][_col(L.FARMS, "diesel_l")] = "5\u00a0000"  # NBSP thousands, as text
    farms[1][_col(L.FARMS, "electricity_kwh")] = "20 000,0"
    farms[1][_col(L.FARMS, "limestone_t")] = "10"  # a number stored as text
    djur[1][_col(L.LIVESTOCK, "pasture_fraction")] = "0,15"
    djur[1][_col(L.LIVESTOCK, "manure:liquid_slurry_crust")] = "85 %"
    djur[1][_col(L.LIVESTOCK, "category")] = "dairy_cow"  # the English code
    djur[2][_col(L.LIVESTOCK, "category")] = "  KALVAR "  # case and spaces
    grodor[1][_col(L.CROPS_SHEET, "yield_kg_per_ha")] = "8.000,0".replace(".", " ")
    grodor[1][_col(L.CROPS_SHEET, "mineral_n_type")] = "ammonium_nitrate"
    # Å, Ä and Ö decomposed (NFD) in a sheet name, headers and list values
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    cells = {nfd(k): v for k, v in cells.items()}
    for rows in cells.values():
        rows[0] = [nfd(h) for h in rows[0]]
    grodor[2][_col(L.CROPS_SHEET, "crop")] = nfd("Klövergräsvall")
    got, issues = read_workbook(cells_to_xlsx(cells))
    assert got is not None, [str(i) for i in issues]
    assert issues == []
    for name in ("farms", "livestock", "manure_systems", "crops", "soil_changes"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.equals(b), name


def test_columns_found_by_header_in_any_order_with_or_without_unit(maker, cells_to_xlsx):
    want = _base_tables(maker, cells_to_xlsx)
    cells = copy.deepcopy(maker.base())
    for name, rows in cells.items():
        width = len(rows[0])
        order = list(reversed(range(width)))
        cells[name] = [[row[i] if i < len(row) else "" for i in order] for row in rows]
    farms = cells["Gårdar"]
    c = farms[0].index("Diesel (liter)")
    farms[0][c] = "diesel"  # no unit
    c = farms[0].index("El (kWh)")
    farms[0][c] = "electricity_kwh"  # the record's field name
    farms[0].append("Anteckningar")  # the advisor's own column
    farms[1].append("ring tillbaka")
    # a title row above the headers and an empty row among the data
    cells["Grödor"].insert(0, ["Grödor 2025"])
    cells["Grödor"].insert(3, [""] * len(cells["Grödor"][1]))
    got, issues = read_workbook(cells_to_xlsx(cells))
    assert got is not None, [str(i) for i in issues]
    assert [i.message() for i in issues] == [
        'Varning: Blad "Gårdar", rad 1, kolumn "Anteckningar": kolumnen känns inte igen '
        "och läses inte"
    ]
    for name in ("farms", "livestock", "crops"):
        assert getattr(got, name).equals(getattr(want, name)), name


def test_numbers_as_ids_and_municipality_codes(maker, cells_to_xlsx):
    cells = copy.deepcopy(maker.base())
    cells["Gårdar"][1][0] = 1001
    cells["Gårdar"][1][_col(L.FARMS, "municipality_code")] = 114  # Upplands Väsby: 0114
    for row in cells["Djur"][1:] + cells["Grödor"][1:3]:
        row[0] = 1001.0
    tables, issues = read_workbook(cells_to_xlsx(cells))
    assert tables is not None, [str(i) for i in issues]
    assert tables.farms["farm_id"].tolist() == ["1001", "K-2"]
    assert tables.farms["municipality_code"].tolist() == ["0114", "1290"]
    assert set(tables.livestock["farm_idx"]) == {0}


def test_year_may_be_left_out_on_other_sheets(maker, cells_to_xlsx):
    want = _base_tables(maker, cells_to_xlsx)
    cells = copy.deepcopy(maker.base())
    for name in ("Djur", "Grödor"):
        for row in cells[name][1:]:
            row[1] = ""
    got, issues = read_workbook(cells_to_xlsx(cells))
    assert got is not None and issues == []
    assert got.livestock.equals(want.livestock) and got.crops.equals(want.crops)


def test_rows_of_other_sheets_are_grouped_by_farm(maker, cells_to_xlsx):
    cells = copy.deepcopy(maker.base())
    grodor = cells["Grödor"]
    grodor[1], grodor[3] = grodor[3], grodor[1]  # K-2's crop first
    tables, _ = read_workbook(cells_to_xlsx(cells))
    assert tables.crops["farm_idx"].tolist() == [0, 0, 1]
    assert tables.crops["pos"].tolist() == [0, 1, 0]
    assert tables.crops["crop"].tolist() == ["grass_clover_ley", "winter_wheat", "barley"]


def test_the_message_names_sheet_row_column_and_value(maker, cells_to_xlsx):
    cells = copy.deepcopy(maker.base())
    cells["Djur"][2][_col(L.LIVESTOCK, "head")] = -3
    cells["Grödor"][1][_col(L.CROPS_SHEET, "area_ha")] = "30,5 ha"
    tables, issues = read_workbook(cells_to_xlsx(cells))
    assert tables is None
    assert [i.message() for i in issues] == [
        'Blad "Djur", rad 3, kolumn "Antal djur (st)": "−3" är negativt',
        'Blad "Grödor", rad 2, kolumn "Areal (ha)": "30,5 ha" är inte ett tal',
    ]
    assert issues[0].message("en") == (
        'Sheet "Djur", row 3, column "Antal djur (st)": "-3" is negative'
    )
    d = issues[0].as_dict()
    assert (d["sheet"], d["row"], d["column"], d["value"]) == ("Djur", 3, "Antal djur (st)", -3)
    assert d["severity"] == "error" and d["code"] == "minimum"


def test_every_error_of_the_workbook_is_collected(maker, cells_to_xlsx):
    cells = copy.deepcopy(maker.base())
    cells["Gårdar"][2][_col(L.FARMS, "diesel_l")] = "mycket"
    cells["Djur"][1][_col(L.LIVESTOCK, "head")] = -1
    cells["Djur"][2][_col(L.LIVESTOCK, "category")] = "Drakar"
    cells["Grödor"][2][_col(L.CROPS_SHEET, "crop")] = "Kaffe"
    cells["Grödor"][1][0] = "K-404"
    tables, issues = read_workbook(cells_to_xlsx(cells))
    assert tables is None
    where = [(i.sheet, i.row, i.code) for i in issues]
    assert where == [
        ("Gårdar", 3, "type_number"),
        ("Djur", 2, "minimum"),
        ("Djur", 3, "unknown_value"),
        ("Grödor", 2, "orphan"),
        ("Grödor", 3, "unknown_value"),
    ]


def test_warnings_are_placed_on_their_rows(maker, cells_to_xlsx):
    cells = copy.deepcopy(maker.base())
    cells["Djur"][1][_col(L.LIVESTOCK, "milk_kg_ecm_per_head")] = 16000
    tables, issues = read_workbook(cells_to_xlsx(cells))
    assert tables is not None
    (w,) = issues
    assert w.severity == "warning" and (w.sheet, w.row) == ("Djur", 2)
    assert w.column == "Mjölk (kg ECM per ko och år)"
    assert w.message().startswith('Varning: Blad "Djur", rad 2, kolumn "Mjölk')
    batch, _ = farmcalc.excel.calculate_workbook(cells_to_xlsx(cells))
    assert batch.to_dicts("sv")[0]["warnings"]


def test_bytes_and_file_objects_are_read(maker, cells_to_xlsx):
    path = cells_to_xlsx(maker.base())
    a, _ = read_workbook(path)
    b, _ = read_workbook(path.read_bytes())
    c, _ = read_workbook(io.BytesIO(path.read_bytes()))
    assert a.farms.equals(b.farms) and a.crops.equals(c.crops)


def test_openpyxl_fallback_reads_the_same(maker, cells_to_xlsx, monkeypatch):
    path = cells_to_xlsx(maker.base())
    want, _ = read_workbook(path)

    def broken(*args, **kwargs):
        raise RuntimeError("calamine cannot read this")

    monkeypatch.setattr(reader, "_read_calamine", broken)
    got, issues = read_workbook(path)
    assert got is not None, [str(i) for i in issues]
    for name in ("farms", "livestock", "manure_systems", "crops"):
        assert getattr(got, name).equals(getattr(want, name)), name


def test_without_defusedxml_nothing_is_read(maker, cells_to_xlsx, monkeypatch):
    import sys

    path = cells_to_xlsx(maker.base())
    monkeypatch.setitem(sys.modules, "defusedxml", None)
    tables, issues = read_workbook(path)
    assert tables is None
    assert issues[0].code == "no_defusedxml"
    assert "defusedxml" in issues[0].message()


def test_issue_without_location():
    issue = SheetIssue("file_empty")
    assert issue.message() == "Filen är tom."
    assert issue.message("en") == "The file is empty."


def test_share_sums_use_a_tolerance(maker, cells_to_xlsx):
    cells = copy.deepcopy(maker.base())
    row = cells["Djur"][1]
    for f, v in (
        ("liquid_slurry_crust", 1 / 3),
        ("deep_bedding", 1 / 3),
        ("solid_storage", 1 / 3),
    ):
        row[_col(L.LIVESTOCK, f"manure:{f}")] = v
    tables, issues = read_workbook(cells_to_xlsx(cells))
    assert tables is not None, [str(i) for i in issues]
    shares = tables.manure_systems.query("lv_idx == 0")["share"]
    np.testing.assert_allclose(shares.sum(), 1.0)


@pytest.mark.parametrize("fallback", [False, True], ids=["calamine", "openpyxl"])
def test_a_too_small_declared_dimension_drops_no_rows(maker, cells_to_xlsx, monkeypatch, fallback):
    """openpyxl's read-only mode trusts <dimension>; neither reader may lose rows."""
    import re
    import zipfile

    path = cells_to_xlsx(maker.base())
    members = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data = z.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', data)
            members.append((info.filename, data))
    small = path.with_name("small.xlsx")
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    if fallback:
        monkeypatch.setattr(reader, "_read_calamine", lambda *a, **k: 1 / 0)
    want, _ = read_workbook(path)
    got, issues = read_workbook(small)
    assert got is not None, [str(i) for i in issues]
    assert got.n_farms == 2 and len(got.crops) == 3
    assert got.crops.equals(want.crops)
