"""The climate investment plan's Excel export: sheets, native charts, numbers, disclosure, safety.

Plans are projected by the real core (demo farms, ``farm_inventory``, the
dashboard's ``aggregate``) and the workbook is read back with openpyxl.
"""

from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pytest
from soffice import needs_soffice, resave_with_libreoffice

from farmcalc import calculate_batch
from farmcalc.demo import demo_records
from farmcalc.inputs.tables import records_to_tables
from farmcalc.municipality.investment_plan import (
    PlanInput,
    farm_inventory,
    parse_scenario,
    project,
)
from farmcalc.municipality.plan_workbook import plans_workbook
from farmcalc.municipality.summary import Rule, aggregate, summarise

YEAR = 2025
INJECTION = '=HYPERLINK("http://example.com/x","klicka")'


@pytest.fixture(scope="module")
def farms():
    recs = demo_records(60, seed=3, year=YEAR)
    frame = summarise(calculate_batch(recs))
    frame["year"] = YEAR
    tables, _ = records_to_tables(recs, strict=True)
    data = PlanInput(year=YEAR, inventory=farm_inventory(tables), respondent=np.arange(len(recs)))
    return frame, data


def _plan(farms, doc, rule=None):
    frame, data = farms
    agg = aggregate(frame, year=YEAR, base_year=YEAR, rule=rule)
    return project(data, parse_scenario(doc), baseline=agg, rule=rule)


SHARES = {
    "hvo100": {"2026": 20, "2028": 50, "2030": 80, "2045": 100},
    "cover_slurry": {"2027": 30},
    "biogas": {"2028": 20, "2030": 40},
    "rewet_organic_soil": {"2030": 10},
    "feed_3nop": {"2026": 10, "2030": 40},
    "catch_crop": {"2027": 25, "2030": 60},
    "solar_pv": {"2030": 50},
}


@pytest.fixture(scope="module")
def plans(farms):
    # min_farms 14: heat_pump (13 farms) is hidden, hvo100 too (the dashboard hides a cell
    # it acts on); catch_crop (28), solar_pv (60) and others are shown
    rule = Rule(min_farms=14)
    first = _plan(farms, {"name": "Snabb omställning", "shares_pct": SHARES}, rule)
    second = _plan(
        farms,
        {
            "name": INJECTION,
            "description": "+SUM(A1:A9)",
            "shares_pct": {"hvo100": {"2030": 40}, "less_mineral_n": {"2027": 50}},
        },
        rule,
    )
    return first, second


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_one_plan_sheet_and_method_with_native_line_and_bar_charts(plans):
    wb = _open(plans_workbook([plans[0]]))
    assert len(wb.sheetnames) == 2
    plan, method = wb.worksheets
    assert "Snabb omställning" in plan.title
    assert method.title == "Metod"
    kinds = sorted(type(c).__name__ for c in plan._charts)
    assert kinds == ["BarChart", "LineChart"]
    text = " ".join(str(c.value) for row in method.iter_rows() for c in row if c.value)
    assert "andel" in text.lower() and "ordning" in text.lower() and "14 gårdar" in text


def _find(ws, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for c in row:
            if c.value == text:
                return c.row, c.column
    raise AssertionError(f"{text!r} not on {ws.title}")


def test_yearly_table_numbers_are_number_cells_with_units_in_headers(plans):
    p = plans[0]
    ws = _open(plans_workbook([p])).worksheets[0]
    r, c = _find(ws, "År")
    headers = [ws.cell(r, c + k).value for k in range(13)]
    assert "Fossil koldioxid (ton CO₂)" in headers
    assert "Investering (tkr)" in headers
    assert "Redovisat som CO₂e: el, värme, handelsgödsel (ton CO₂e)" in headers
    assert any(h and "(ton CO₂e)" in h for h in headers)
    col = {h: c + k for k, h in enumerate(headers)}
    # the data year's row first, then the plan's years
    assert ws.cell(r + 1, c).value == YEAR
    for k, y in enumerate(p["years"], start=2):
        assert ws.cell(r + k, c).value == y["year"]
        cell = ws.cell(r + k, col["Fossil koldioxid (ton CO₂)"])
        assert cell.data_type == "n" and cell.value == y["fossil_co2_t"]
        assert cell.number_format == "# ##0"
        inv = ws.cell(r + k, col["Investering (tkr)"])
        assert inv.data_type == "n" and inv.value == y["investment_ksek"]
        gap = ws.cell(r + k, col["Gap mot banan (ton CO₂)"])
        assert gap.value == y["fossil_co2_gap_t"]


def test_shares_are_numbers_in_per_cent(plans):
    ws = _open(plans_workbook([plans[0]])).worksheets[0]
    r, c = _find(ws, "Kör maskinerna på HVO100 i stället för diesel")
    years = [ws.cell(r - 1, c + k).value for k in range(1, 7)]
    assert years == ["2026 (%)", "2027 (%)", "2028 (%)", "2029 (%)", "2030 (%)", "2045 (%)"]
    values = [ws.cell(r, c + k).value for k in range(1, 7)]
    assert values == [20, 20, 50, 50, 80, 100]


def test_hidden_measure_shows_no_number_only_the_reason(plans):
    p = plans[0]
    hidden = {h["measure"] for h in p["hidden_measures"]}
    assert {"heat_pump", "hvo100"} <= hidden and "solar_pv" not in hidden
    ws = _open(plans_workbook([p])).worksheets[0]
    r, c = _find(ws, "Åtgärder")  # the measures table's title
    header = r + 1
    width = ws.max_column
    rows = {}
    for row in range(header + 1, header + 1 + len(p["measures"])):
        rows[ws.cell(row, c).value] = [ws.cell(row, c + k) for k in range(1, width)]
    pump = rows["Byt oljepannan mot en värmepump"]
    hvo = rows["Kör maskinerna på HVO100 i stället för diesel"]
    for cells in (pump, hvo):
        assert not any(x.data_type == "n" and x.value is not None for x in cells)
        texts = [x.value for x in cells if x.value]
        assert texts and all(str(t).startswith("Visas inte") for t in texts)
    assert any("färre än 14 gårdar" in str(x.value) for x in pump)
    assert any("annan dold siffra" in str(x.value) for x in hvo)
    solar = rows["Sätta upp 20 kW solceller"]
    assert solar[0].data_type == "n" and solar[0].value == 60  # farms
    assert all(x.data_type == "n" for x in solar[:-1]) and not solar[-1].value
    # a hidden measure is on no bar of the cost curve either
    r, c = _find(ws, "Kostnadskurva")
    names = [ws.cell(k, c).value for k in range(r + 2, r + 2 + len(p["curve"]))]
    assert "Sätta upp 20 kW solceller" in names
    assert "Kör maskinerna på HVO100 i stället för diesel" not in names
    kr = [ws.cell(k, c + 1).value for k in range(r + 2, r + 2 + len(p["curve"]))]
    assert kr == sorted(kr) and all(isinstance(v, float | int) for v in kr)


def test_several_plans_get_a_comparison_sheet_with_a_chart(plans):
    wb = _open(plans_workbook(list(plans)))
    assert len(wb.sheetnames) == 4
    comp = wb["Jämförelse"]
    assert [type(c).__name__ for c in comp._charts] == ["LineChart"]
    r, c = _find(comp, "Fossil koldioxid per år (ton CO₂)")
    heads = [comp.cell(r + 1, c + k).value for k in range(4)]
    assert heads[0] == "År" and heads[1] == "Snabb omställning" and heads[2] == INJECTION
    y2030 = {p["years"][4]["year"]: p for p in plans}
    assert list(y2030) == [2030]
    row = next(k for k in range(r + 2, r + 12) if comp.cell(k, c).value == 2030)
    assert comp.cell(row, c + 1).value == plans[0]["years"][4]["fossil_co2_t"]
    assert comp.cell(row, c + 2).value == plans[1]["years"][4]["fossil_co2_t"]


def test_formula_injection_in_names_is_written_as_text(plans):
    data = plans_workbook(list(plans))
    wb = _open(data)
    seen = 0
    for ws in wb.worksheets:
        assert not ws.title.startswith(("=", "+", "-", "@"))
        for row in ws.iter_rows():
            for c in row:
                if c.value in (INJECTION, "+SUM(A1:A9)"):
                    seen += 1
                    assert c.data_type == "s"  # a string, never a formula
                    assert c.quotePrefix  # stays text when edited in Excel
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    assert seen >= 3  # plan sheet name and description, comparison header
    with_formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    for ws in with_formulas.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert not (
                    isinstance(c.value, str) and c.value.startswith("=") and c.data_type == "f"
                )


def test_english_locale_and_empty_list(plans):
    wb = _open(plans_workbook([plans[0]], locale="en"))
    assert wb.sheetnames[-1] == "Method"
    _find(wb.worksheets[0], "Year")
    with pytest.raises(ValueError):
        plans_workbook([])


@needs_soffice
def test_libreoffice_resaves_the_workbook_with_its_charts(plans, tmp_path):
    src = tmp_path / "plan.xlsx"
    src.write_bytes(plans_workbook(list(plans)))
    again = openpyxl.load_workbook(resave_with_libreoffice(src, tmp_path))
    assert again.sheetnames == _open(src.read_bytes()).sheetnames
    assert sum(len(ws._charts) for ws in again.worksheets) == 5
    r, c = _find(again.worksheets[0], "År")
    assert again.worksheets[0].cell(r + 2, c).value == plans[0]["years"][0]["year"]


def test_a_plan_with_hidden_and_shown_measures_is_strict_json(plans):
    """A shown measure's reason is null, not NaN (which is no JSON) beside hidden ones."""
    for p in plans:
        json.loads(json.dumps(p, allow_nan=False))
        assert all(m["reason"] is None for m in p["measures"] if m["shown"])


# ---------------------------------------- the faster sums behind the plan change no result


def test_measure_cells_equal_the_per_column_definition_bit_for_bit(farms):
    from farmcalc.municipality.investment_plan import FIELDS, PLAN_ORDER, measure_cells

    inv = farms[1].inventory
    expected = {}
    for i, m in enumerate(PLAN_ORDER):
        applies = inv[:, i, 0] > 0
        for j, f in enumerate(FIELDS[1:], start=1):
            expected[f"{m}:{f}"] = np.where(applies, inv[:, i, j], 0.0) / 1000.0
    got = measure_cells(inv)
    assert list(got.columns) == list(expected)
    for c, v in expected.items():
        assert np.array_equal(got[c].to_numpy(), v), c


def test_by_respondent_equals_a_bincount_per_column_bit_for_bit():
    import pandas as pd

    from farmcalc.municipality.summary import by_respondent

    rng = np.random.default_rng(2)
    x = pd.DataFrame(rng.normal(size=(3000, 40)) * 1e3, columns=[f"c{i}" for i in range(40)])
    x.iloc[::3, 5] = 0.0
    owners = rng.integers(0, 900, size=3000)
    inv, keys = pd.factorize(owners)
    arr = x.to_numpy()
    by_column = pd.DataFrame({c: arr[:, k] for k, c in enumerate(x.columns)})
    assert x.to_numpy().flags.f_contiguous != np.ascontiguousarray(arr).flags.f_contiguous
    for frame in (x, by_column, pd.DataFrame(np.ascontiguousarray(arr), columns=x.columns)):
        got = by_respondent(pd.DataFrame({"respondent": owners}), frame)
        assert list(got.index) == list(keys) and list(got.columns) == list(x.columns)
        for k, c in enumerate(x.columns):
            assert np.array_equal(got[c].to_numpy(), np.bincount(inv, weights=arr[:, k])), c
