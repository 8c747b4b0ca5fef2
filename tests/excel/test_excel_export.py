"""The results workbook, and text users typed never becoming a formula."""

import copy
import re
import zipfile

import numpy as np
import openpyxl
import pytest

import farmcalc
from farmcalc.excel import (
    calculate_workbook,
    example_records,
    read_workbook,
    write_error_report,
    write_results,
    write_template,
)
from farmcalc.excel.sheet_issues import SheetIssue
from farmcalc.labels import label

INJECTIONS = ['=HYPERLINK("http://example.com","klicka")', "+1", "-2", "@SUM(1)", "=1+1"]


@pytest.fixture(scope="module")
def batch():
    return farmcalc.calculate_batch(example_records())


def test_results_workbook_sheets_and_numbers(batch, tmp_path):
    path = tmp_path / "resultat.xlsx"
    write_results(batch, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Sammanfattning",
        "Utsläpp",
        "Per gröda",
        "Åtgärder",
        "Varningar",
        "Diagram",
        "Källor",
    ]
    summary = wb["Sammanfattning"]
    header = [c.value for c in summary[1]]
    assert header[:5] == ["Gårds-id", "Gårdens namn", "År", "Åkerareal (ha)", "Utsläpp (ton CO₂e)"]
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    assert len(rows) == batch.tables.n_farms
    np.testing.assert_allclose([r[4] for r in rows], batch.totals["co2e_kg"] / 1000, rtol=1e-12)
    net = header.index("Netto (ton CO₂e)")
    np.testing.assert_allclose([r[net] for r in rows], batch.totals["net_co2e_kg"] / 1000)
    assert rows[0][1] == "Exempelgården"
    assert summary.cell(2, 5).number_format == "#,##0.0"
    emissions = list(wb["Utsläpp"].iter_rows(min_row=2, values_only=True))
    assert len(emissions) == len(batch.emissions)
    assert {r[2] for r in emissions} >= {"Fodersmältning (idisslare)", "Drivmedel till maskiner"}
    assert {r[4] for r in emissions} >= {"Metan (CH₄)", "Lustgas (N₂O)"}
    np.testing.assert_allclose(
        sum(r[6] for r in emissions), batch.emissions["co2e_kg"].sum() / 1000, rtol=1e-9
    )
    per_crop = list(wb["Per gröda"].iter_rows(min_row=2, values_only=True))
    assert len(per_crop) == len(batch.per_crop)
    sources = [r for r in wb["Källor"].iter_rows(values_only=True) if r[0]]
    flat = [str(v) for r in sources for v in r if v is not None]
    assert label(batch.factor_set.name) in flat and batch.factor_set.version in flat
    assert batch.factor_set.name not in flat  # the set by its Swedish name, not its id
    assert "AR5" in flat
    assert any("IPCC 2019" in v for v in flat)
    factor_ids = {r[0] for r in sources}
    assert set(batch.factor_set.rows.index) <= factor_ids
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3  # by source, by gas, per farm


def test_results_in_english(batch, tmp_path):
    path = tmp_path / "results.xlsx"
    write_results(batch, path, locale="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Summary",
        "Emissions",
        "Per crop",
        "Measures",
        "Warnings",
        "Charts",
        "Sources",
    ]
    assert wb["Summary"]["A1"].value == "Farm id"


def _records_with_injections():
    records = copy.deepcopy(example_records(3))
    for rec, text in zip(records, INJECTIONS, strict=False):
        rec["name"] = text
    records[1]["farm_id"] = "-2"
    records[2]["farm_id"] = "@SUM(1)"
    return records


def _assert_no_formulas(path):
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name


def test_template_keeps_typed_text_as_text(tmp_path):
    records = _records_with_injections()
    path = tmp_path / "mall.xlsx"
    write_template(path, records=records)
    _assert_no_formulas(path)
    ws = openpyxl.load_workbook(path)["Gårdar"]
    names = [ws.cell(r, 3).value for r in range(2, 5)]
    assert names == [r["name"] for r in records]
    assert all(ws.cell(r, 3).data_type == "s" for r in range(2, 5))
    assert ws.cell(2, 3).quotePrefix  # Excel keeps it text when edited
    tables, issues = read_workbook(path)
    assert tables is not None, [str(i) for i in issues]
    assert tables.farms["name"].tolist() == [r["name"] for r in records]
    assert tables.farms["farm_id"].tolist() == [r["farm_id"] for r in records]


def test_results_keep_typed_text_as_text(tmp_path):
    records = _records_with_injections()
    path = tmp_path / "resultat.xlsx"
    write_results(farmcalc.calculate_batch(records), path)
    _assert_no_formulas(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Sammanfattning"]
    for r, rec in enumerate(records, start=2):
        assert ws.cell(r, 1).value == rec["farm_id"] and ws.cell(r, 1).data_type == "s"
        assert ws.cell(r, 2).value == rec["name"] and ws.cell(r, 2).data_type == "s"
    assert ws.cell(2, 2).quotePrefix and ws.cell(3, 1).quotePrefix
    ids = {row[0] for row in wb["Utsläpp"].iter_rows(min_row=2, values_only=True)}
    assert ids == {r["farm_id"] for r in records}


def test_error_report_keeps_typed_text_as_text(tmp_path):
    issues = [
        SheetIssue("type_number", sheet="Djur", row=2 + k, column="Antal djur (st)", value=v)
        for k, v in enumerate(INJECTIONS)
    ]
    path = tmp_path / "fel.xlsx"
    write_error_report(issues, path)
    _assert_no_formulas(path)
    ws = openpyxl.load_workbook(path).active
    values = [ws.cell(r, 5).value for r in range(5, 5 + len(INJECTIONS))]
    assert values == INJECTIONS
    assert re.search(r"HYPERLINK", ws.cell(5, 6).value)


def test_calculate_workbook(example_xlsx):
    batch, issues = calculate_workbook(example_xlsx)
    assert issues == [] and batch is not None
    want = farmcalc.calculate_batch(example_records())
    np.testing.assert_allclose(batch.totals["co2e_kg"], want.totals["co2e_kg"], rtol=1e-12)
    assert batch.to_dicts("sv")[0]["farm_id"] == "EX-000001"


# Text that xlsxwriter would copy into the XML unescaped (it takes it for one
# of its own rich strings), here smuggling a formula into cell Z2.
RAW_XML = '<r><t>a</t></r></is></c><c r="Z2"><f>1+1</f><v>2</v></c><c r="Z3"><is><r><t>b</t></r>'
ODD_TEXTS = [" leading space", "trailing\t", 'a & b <c> "d"', "ctl \x01 _x0041_", "\ufeff=1"]


def _odd_records():
    records = _records_with_injections() + copy.deepcopy(example_records(6))[3:]
    for rec, text in zip(records[3:], ODD_TEXTS, strict=False):
        rec["name"] = text
    return records


def _write(batch, path, monkeypatch, *, constant_memory, bulk=True):
    from farmcalc.excel import result_workbook as export
    from farmcalc.excel import xlsx

    with monkeypatch.context() as m:
        m.setattr(export, "CONSTANT_MEMORY_ROWS", 0 if constant_memory else 10**9)
        if not bulk:
            m.setattr(xlsx, "_bulk_ok", lambda *args: False)
        write_results(batch, path)
    return path


def _parts(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_bulk_columns_write_what_xlsxwriter_writes_cell_by_cell(tmp_path, monkeypatch):
    batch = farmcalc.calculate_batch(_odd_records())
    bulk = _write(batch, tmp_path / "bulk.xlsx", monkeypatch, constant_memory=True)
    cells = _write(batch, tmp_path / "cells.xlsx", monkeypatch, constant_memory=True, bulk=False)
    assert _parts(bulk) == _parts(cells)  # every sheet, style and chart, byte for byte


def test_bulk_results_have_the_same_cells_as_before(tmp_path, monkeypatch):
    """The constant_memory layout (column-wise XML) against the normal one, cell by cell."""
    records = _odd_records()
    batch = farmcalc.calculate_batch(records)
    bulk = _write(batch, tmp_path / "bulk.xlsx", monkeypatch, constant_memory=True)
    normal = _write(batch, tmp_path / "normal.xlsx", monkeypatch, constant_memory=False)
    _assert_no_formulas(bulk)
    a, b = openpyxl.load_workbook(bulk), openpyxl.load_workbook(normal)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        wa, wb_ = a[name], b[name]
        assert (wa.max_row, wa.max_column) == (wb_.max_row, wb_.max_column), name
        assert wa.freeze_panes == wb_.freeze_panes and wa.auto_filter.ref == wb_.auto_filter.ref
        for ra, rb in zip(wa.iter_rows(max_row=40), wb_.iter_rows(max_row=40), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                where = f"{name}!{ca.coordinate}"
                assert (ca.value, ca.data_type) == (cb.value, cb.data_type), where
                assert ca.number_format == cb.number_format, where
                assert ca.quotePrefix == cb.quotePrefix and ca.font.b == cb.font.b, where
    names = [a["Sammanfattning"].cell(r, 2).value for r in range(2, 2 + len(records))]
    assert names == [r["name"] for r in records]
    assert a["Sammanfattning"]["B2"].quotePrefix  # "=HYPERLINK(…)"
    assert a["Sammanfattning"]["A3"].quotePrefix  # farm id "-2"
    assert not a["Sammanfattning"]["B5"].quotePrefix  # " leading space"


@pytest.mark.parametrize("constant_memory", [True, False])
def test_text_looking_like_xml_stays_text(tmp_path, monkeypatch, constant_memory):
    records = _odd_records()
    records[0]["name"] = RAW_XML
    path = _write(
        farmcalc.calculate_batch(records),
        tmp_path / "r.xlsx",
        monkeypatch,
        constant_memory=constant_memory,
    )
    _assert_no_formulas(path)
    ws = openpyxl.load_workbook(path)["Sammanfattning"]
    assert ws["B2"].value == RAW_XML and ws["Z2"].value is None
    issues = [SheetIssue("type_number", sheet="Djur", row=2, column="Antal", value=RAW_XML)]
    write_error_report(issues, tmp_path / "fel.xlsx")
    _assert_no_formulas(tmp_path / "fel.xlsx")
    assert openpyxl.load_workbook(tmp_path / "fel.xlsx").active["E5"].value == RAW_XML
