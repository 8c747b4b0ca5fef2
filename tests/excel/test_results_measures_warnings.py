"""The advisor's results workbook: per farm its measures with costs, and its warnings
(issue 14 item 5). The written file is opened with openpyxl; one is re-saved by
LibreOffice and opened again."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import openpyxl
import pytest
from soffice import needs_soffice, resave_with_libreoffice

import farmcalc
from farmcalc.excel import write_results
from farmcalc.excel.result_workbook import measure_rows
from farmcalc.inputs.tables import records_to_tables
from farmcalc.steering.action_plan import PlanStep, plan_figures
from farmcalc.steering.measures import describe

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "exempelgarden.json"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """The example farm, and a copy with a wheat yield that earns a warning and no slurry."""
    one = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    two = copy.deepcopy(one)
    two["farm_id"], two["name"] = "W-1", "Varningsgården"
    two["crops"][0]["yield_kg_per_ha"] = 30000
    return [one, two]


@pytest.fixture(scope="module")
def batch(records):
    _tables, issues = records_to_tables(records)
    b = farmcalc.calculate_batch(records)
    assert [i.farm for i in b.issues] == [1] and issues  # the one warning
    return b


def test_measure_rows_equal_a_one_step_plan_of_each_measure(batch, records):
    """Each row is the measure alone on the farm as it is: a plan of that one step gives
    the same saving and cost per tonne (worked out by the action plan's own path)."""
    rows = measure_rows(batch)
    first = rows[rows["farm_idx"] == 0]
    assert len(first) >= 5
    tables, _ = records_to_tables(records[:1])
    for r in first.itertuples():
        plan = plan_figures(
            tables, [PlanStep(r.measure, 2025)], first_year=2025, factors=batch.factor_set
        )
        step = plan["steps"][0]
        assert r.co2e_kg_saved == pytest.approx(step["marginal_co2e_kg_saved"], rel=1e-9)
        assert r.investment_sek == pytest.approx(step["investment_sek"], rel=1e-12)
        assert r.sek_per_t_co2e == pytest.approx(step["sek_per_t_co2e"], rel=1e-9)
    assert (rows["co2e_kg_saved"] > 0).all()
    per_farm = [g["sek_per_t_co2e"].tolist() for _k, g in rows.groupby("farm_idx")]
    assert all(v == sorted(v) for v in per_farm)  # the cheapest per tonne first


def _sheet_rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _check_workbook(path: Path, batch) -> None:
    wb = openpyxl.load_workbook(path)
    assert "Åtgärder" in wb.sheetnames and "Varningar" in wb.sheetnames
    measures = _sheet_rows(wb["Åtgärder"])
    assert measures[0][:5] == [
        "Gårds-id",
        "Gårdens namn",
        "År",
        "Åtgärd",
        "Minskar (ton CO₂e per år)",
    ]
    rows = measure_rows(batch)
    assert len(measures) == 1 + len(rows)
    titles = {m: describe(m, "sv")["title"] for m in rows["measure"]}
    for got, want in zip(measures[1:], rows.itertuples(), strict=True):
        assert got[0] == batch.tables.farms["farm_id"].iloc[want.farm_idx]
        assert got[3] == titles[want.measure]
        assert got[4] == pytest.approx(want.co2e_kg_saved / 1000.0, rel=1e-12)
        assert got[8] == pytest.approx(want.sek_per_t_co2e, rel=1e-12)
    warnings = _sheet_rows(wb["Varningar"])
    assert warnings[0] == [
        "Gårds-id",
        "Gårdens namn",
        "År",
        "Var i gårdens uppgifter",
        "Varning",
    ]
    assert warnings[1][:4] == ["W-1", "Varningsgården", 2025, "crops[0].yield_kg_per_ha"]
    assert "ovanligt hög skörd av höstvete" in warnings[1][4]
    assert len(warnings) == 2


def test_results_workbook_has_measures_with_costs_and_warnings(batch, tmp_path):
    path = tmp_path / "resultat.xlsx"
    write_results(batch, path)
    _check_workbook(path, batch)


def test_no_warnings_and_no_measures_are_said(tmp_path):
    rec = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    b = farmcalc.calculate_batch([rec])
    path = tmp_path / "r.xlsx"
    write_results(b, path, measures=False)
    wb = openpyxl.load_workbook(path)
    assert "Åtgärder" not in wb.sheetnames
    assert wb["Varningar"]["A2"].value.startswith("Inga varningar")


@needs_soffice
def test_libreoffice_opens_and_resaves_the_results_workbook(batch, tmp_path):
    path = tmp_path / "resultat.xlsx"
    write_results(batch, path)
    resaved = resave_with_libreoffice(path, tmp_path)
    assert resaved.is_file() and resaved.read_bytes() != path.read_bytes()
    _check_workbook(resaved, batch)  # the same cells after LibreOffice read and wrote them
