"""``farmcalc plan SCENARIO.json``: the climate investment plan over the stored farms.

Real database (SQLite, and PostgreSQL when ``FARMCALC_TEST_POSTGRES_URL`` is
set) with demo farms made by ``farmcalc demo``; the CLI runs in-process.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from farmcalc.municipality.investment_plan import parse_scenario
from web import create_app
from web.store.db import dispose, get_session

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "klimatinvesteringsplan.json"
SCENARIO = {
    "format": "farmcalc.scenario/1",
    "name": "Testplan",
    "shares_pct": {
        "hvo100": {"2026": 20, "2030": 80},
        "cover_slurry": {"2027": 30},
        "solar_pv": {"2028": 10, "2030": 40},
    },
}


def _strict(text: str):
    def no_constant(name):
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=no_constant)


@pytest.fixture
def demo(runner):
    r = runner("demo", "--farms", "80")
    assert r.exit_code == 0, r.errors
    return runner


def _write(tmp_path: Path, doc, name: str = "scenario.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_json_output_is_the_projected_plan(demo, migrated_db_url, tmp_path):
    path = _write(tmp_path, SCENARIO)
    r = demo("plan", str(path), "--format", "json")
    assert r.exit_code == 0, r.errors
    out = _strict(r.output)
    assert out["schema"] == "farmcalc.municipality.investment_plan/1"
    assert out["municipality_code"] == "1290" and out["data_year"] == 2025
    assert [y["year"] for y in out["years"]] == [2026, 2027, 2028, 2029, 2030]
    assert out["scenario"]["name"] == "Testplan"
    assert "\\u" not in r.output  # UTF-8, not escapes
    from web.services.plan_data import project_scenario
    from web.views.municipality import rule_from_config

    app = create_app(
        {"DATABASE_URL": migrated_db_url, "SECRET_KEY": "x"}, instance_path=tmp_path / "i"
    )
    try:
        with app.app_context():
            expected = project_scenario(
                session=get_session(),
                municipality_code="1290",
                scenario=parse_scenario(SCENARIO),
                rule=rule_from_config(),
            )
    finally:
        dispose(app)
    assert out == json.loads(json.dumps(expected))
    # 80 demo farms: every measure is shown, and the plan cuts the fossil CO2
    assert out["hidden_measures"] == []
    assert out["years"][-1]["fossil_co2_t"] < out["baseline"]["fossil_co2_t"]
    # another municipality has no farms: exit 2, nothing printed
    r = demo("plan", str(path), "--municipality", "0180")
    assert r.exit_code == 2
    assert "0180" in r.errors and r.output == ""


def test_the_example_scenario_runs_and_writes_a_workbook(demo, tmp_path, monkeypatch):
    target = tmp_path / "plan.xlsx"
    r = demo("plan", str(EXAMPLE), "--format", "xlsx", "--output", str(target))
    assert r.exit_code == 0, r.errors
    assert str(target) in r.output
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[-1] == "Metod"
    assert "Kristianstad" in wb.sheetnames[0]
    assert len(wb.worksheets[0]._charts) == 2
    # the example reaches 2045
    r = demo("plan", str(EXAMPLE))
    assert r.exit_code == 0, r.errors
    assert [y["year"] for y in _strict(r.output)["years"]][-1] == 2045
    # xlsx without --output: a default name in the working directory
    monkeypatch.chdir(tmp_path)
    r = demo("plan", str(_write(tmp_path, SCENARIO)), "--format", "xlsx")
    assert r.exit_code == 0, r.errors
    assert "klimatinvesteringsplan-1290-2025.xlsx" in r.output
    assert (tmp_path / "klimatinvesteringsplan-1290-2025.xlsx").is_file()


@pytest.mark.parametrize(
    ("doc", "where", "words"),
    [
        (
            {"name": "X", "shares_pct": {"hvo100": {"2030": 120}}},
            "shares_pct.hvo100.2030",
            "över 100 %",
        ),
        (
            {"name": "X", "shares_pct": {"flying_tractor": {"2030": 10}}},
            "shares_pct.flying_tractor",
            "Okänd åtgärd",
        ),
        (
            {"name": "X", "shares_pct": {"biogas": {"2027": 40, "2029": 20}}},
            "shares_pct.biogas.2029",
            "kan inte minska",
        ),
        ({"shares_pct": {}}, "name", "namn"),
    ],
)
def test_a_bad_scenario_exits_2_with_the_swedish_problem_at_its_field(
    runner, tmp_path, doc, where, words
):
    target = tmp_path / "plan.xlsx"
    path = _write(tmp_path, doc)
    r = runner("plan", str(path), "--format", "xlsx", "--output", str(target))
    assert r.exit_code == 2
    assert f"{path}: {where}: " in r.errors, r.errors
    assert words.lower() in r.errors.lower(), r.errors
    assert r.output == "" and not target.exists()
    assert "Traceback" not in r.errors


def test_not_json_or_no_file_exits_2_in_swedish(runner, tmp_path):
    bad = tmp_path / "trasig.json"
    bad.write_text('{"name": "X",\n "shares_pct": {', encoding="utf-8")
    r = runner("plan", str(bad))
    assert r.exit_code == 2
    assert f"{bad}: " in r.errors and "rad 2" in r.errors and "JSON" in r.errors, r.errors
    r = runner("plan", str(tmp_path / "saknas.json"))
    assert r.exit_code == 2 and "finns inte" in r.errors, r.errors
