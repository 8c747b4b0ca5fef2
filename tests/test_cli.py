"""The command line: results as JSON or a Swedish table; bad input exits 2 without a traceback."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from farmcalc.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "exempelgarden.json"


def test_calc_json(capsys):
    assert main(["calc", str(EXAMPLE), "--format", "json", "--factors", "ipcc2019"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "farmcalc.result/1" and out["factor_set"] == "ipcc2019"


def test_calc_list_gives_list(tmp_path, capsys, example_record):
    second = dict(example_record, farm_id="K-0043")
    f = tmp_path / "two.json"
    f.write_text(json.dumps([example_record, second]), encoding="utf-8")
    assert main(["calc", str(f), "--gwp", "AR6"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["farm_id"] for r in out] == ["K-0042", "K-0043"]
    assert {r["gwp"] for r in out} == {"AR6"}


def test_calc_table_is_swedish(capsys):
    assert main(["calc", str(EXAMPLE), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "Klimatresultat för Exempelgården (K-0042), 2025" in out
    assert "Fodersmältning" in out and "Totala utsläpp" in out
    assert "ton CO₂e" in out
    # decimal comma and a no-break space as thousands separator
    total_line = next(line for line in out.splitlines() if line.startswith("Totala utsläpp"))
    assert "," in total_line and "\u00a0" in total_line


def test_invalid_record_exits_2_with_swedish_messages(tmp_path, capsys, example_record):
    example_record["livestock"][2]["head"] = -3
    example_record["crops"][0]["crop"] = "bananer"
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(example_record), encoding="utf-8")
    assert main(["calc", str(f)]) == 2
    err = capsys.readouterr().err
    assert "livestock[2].head: måste vara ≥ 0, inte \u22123" in err
    assert 'crops[0].crop: okänt värde "bananer"' in err
    assert "Traceback" not in err


def test_invalid_json_and_missing_file(tmp_path, capsys):
    f = tmp_path / "broken.json"
    f.write_text("{not json", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["calc", str(f)])
    assert exc.value.code == 2
    assert "inte giltig JSON" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["calc", str(tmp_path / "nope.json")])
    assert exc.value.code == 2


def test_unknown_factor_set_exits_2(capsys):
    assert main(["calc", str(EXAMPLE), "--factors", "mars"]) == 2
    assert "unknown factor set 'mars'" in capsys.readouterr().err


def test_schema_command(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"].startswith("farmcalc farm record")


def test_console_script_runs_as_a_process(tmp_path, example_record):
    """The installed entry point, as a newcomer would call it."""
    example_record["year"] = "tjugotjugofem"
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(example_record), encoding="utf-8")
    exe = Path(sys.executable).with_name("farmcalc")
    proc = subprocess.run([str(exe), "calc", str(f)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "year: måste vara ett tal" in proc.stderr
    assert "Traceback" not in proc.stderr
    ok = subprocess.run(
        [str(exe), "calc", str(EXAMPLE), "--format", "table"], capture_output=True, text=True
    )
    assert ok.returncode == 0 and "Netto" in ok.stdout


def test_measures_table_is_swedish_and_shows_assumptions(capsys):
    assert main(["measures", "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "Åtgärder och vad de kostar" in out
    assert "Kalkylränta (real): 3,5\u00a0% per år" in out
    assert "Lägg tak eller tältduk över flytgödselbehållaren (cover_slurry)" in out
    assert "antagande" in out and "greppa_ammoniak_2023" in out
    assert "50\u00a0%" in out  # the support share as a percentage, decimal comma style


def test_measures_json_lists_every_measure_with_sourced_costs(capsys):
    from farmcalc.steering.costs import known_measures

    assert main(["measures", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["discount_rate"]["value"] == 0.035
    assert [m["id"] for m in out["measures"]] == list(known_measures())
    for m in out["measures"]:
        assert m["costs"], m["id"]
        for row in m["costs"]:
            assert row["assumption"] or (row["source"] and row["source_locator"])


def test_calc_with_measures_and_package(capsys):
    argv = ["calc", str(EXAMPLE), "--format", "json", "--measures", "cover_slurry,biogas"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    names = [m["measure"] for m in out["measures"]]
    assert names == ["cover_slurry", "biogas"]
    for m in out["measures"]:
        assert set(m) >= {
            "measure",
            "co2e_kg_saved",
            "annual_cost_sek",
            "investment_sek",
            "sek_per_t_co2e",
        }
    pkg = out["package"]
    assert pkg["measures"] == ["cover_slurry", "biogas"]
    steps = pkg["steps"]
    assert sum(s["marginal_co2e_kg_saved"] for s in steps) == pytest.approx(pkg["co2e_kg_saved"])
    assert pkg["co2e_kg_saved"] != pytest.approx(sum(m["co2e_kg_saved"] for m in out["measures"]))
    assert pkg["annual_cost_sek"] == pytest.approx(sum(s["annual_cost_sek"] for s in steps))
    assert pkg["sek_per_t_co2e"] == pytest.approx(
        pkg["annual_cost_sek"] / (pkg["co2e_kg_saved"] / 1000)
    )


def test_calc_with_one_measure_has_no_package(capsys):
    assert main(["calc", str(EXAMPLE), "--measures", "hvo100"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [m["measure"] for m in out["measures"]] == ["hvo100"]
    assert "package" not in out


def test_unknown_measure_exits_2_in_swedish(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["calc", str(EXAMPLE), "--measures", "cover_slurry,tak_pa_brunnen"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert 'okänd åtgärd "tak_pa_brunnen"' in err
    assert "cover_slurry" in err and "biogas" in err  # the known ones are named
    assert "Traceback" not in err
