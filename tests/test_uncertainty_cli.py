"""farmcalc calc --uncertainty N [--seed S] (issue 13 item 4)."""

import json
from pathlib import Path

from farmcalc.cli import main
from farmcalc.demo import demo_records

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "exempelgarden.json"
P = {"p2_5", "p50", "p97_5"}


def test_one_record_gains_uncertainty_in_the_issues_shape(capsys):
    assert main(["calc", str(EXAMPLE), "--uncertainty", "50", "--seed", "4"]) == 0
    out = json.loads(capsys.readouterr().out)
    u = out["uncertainty"]
    assert u["draws"] == 50 and u["seed"] == 4
    assert set(u["totals"]["co2e_kg"]) == P
    t = u["totals"]["co2e_kg"]
    assert t["p2_5"] < t["p50"] < t["p97_5"]
    # the deterministic total lies inside the 95 % interval
    assert t["p2_5"] < out["totals"]["co2e_kg"] < t["p97_5"]
    rows = u["by_source"]
    assert rows and all({"source", "gas"} | P <= set(r) for r in rows)
    assert {"enteric_fermentation", "soils_direct_n2o"} <= {r["source"] for r in rows}


def test_a_list_gives_farms_and_the_sum_draw_by_draw(tmp_path, capsys):
    f = tmp_path / "farms.json"
    records = [json.loads(EXAMPLE.read_text(encoding="utf-8")), *demo_records(3)]
    f.write_text(json.dumps(records), encoding="utf-8")
    assert main(["calc", str(f), "--uncertainty", "40"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"farms", "uncertainty_sum"}
    assert len(out["farms"]) == 4 and all("uncertainty" in r for r in out["farms"])
    s = out["uncertainty_sum"]["totals"]["co2e_kg"]
    medians = sum(r["uncertainty"]["totals"]["co2e_kg"]["p50"] for r in out["farms"])
    assert set(s) == P and s["p2_5"] < s["p50"] < s["p97_5"]
    assert abs(s["p50"] / medians - 1) < 0.05  # a sum of draws, not of percentiles
    # without --uncertainty a list stays a list
    assert main(["calc", str(f)]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)


def test_the_table_shows_the_range_in_swedish(capsys):
    assert main(["calc", str(EXAMPLE), "--uncertainty", "30", "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "Hur säkert? 30 dragningar av faktorerna och av gårdens egna uppgifter (frö 0)" in out
    assert "95 procent av dragningarna mellan" in out
    assert "Osäkerheten kommer mest från:" in out
    assert (
        main(["calc", str(EXAMPLE), "--uncertainty", "30", "--format", "table", "--no-activity"])
        == 0
    )
    assert "Hur säkert? 30 dragningar av faktorerna (frö 0)" in capsys.readouterr().out


def test_the_records_own_activity_uncertainty_and_no_activity(tmp_path, capsys):
    record = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    record["activity_uncertainty"] = {"livestock.head": 0.5}
    f = tmp_path / "farm.json"
    f.write_text(json.dumps(record), encoding="utf-8")
    assert main(["calc", str(f), "--uncertainty", "300"]) == 0
    u = json.loads(capsys.readouterr().out)["uncertainty"]
    assert u["activity"]["used"] == "record"
    # the herd ±50 % is what makes the range: named in the farmer's words
    assert u["sensitivity"][0]["label"] == "antal mjölkkor"
    assert main(["calc", str(f), "--uncertainty", "300", "--locale", "en"]) == 0
    u = json.loads(capsys.readouterr().out)["uncertainty"]
    assert u["sensitivity"][0]["label"] == "number of dairy cows"
    assert main(["calc", str(f), "--uncertainty", "300", "--no-activity"]) == 0
    u = json.loads(capsys.readouterr().out)["uncertainty"]
    assert u["activity"] == {"used": "off", "inputs": []}
    assert all(s["kind"] == "factor" for s in u["sensitivity"])


def test_zero_draws_is_refused_in_swedish(capsys):
    assert main(["calc", str(EXAMPLE), "--uncertainty", "0"]) != 0
    assert "antalet dragningar måste vara minst 1" in capsys.readouterr().err
