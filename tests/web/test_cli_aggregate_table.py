"""Issue 16: ``farmcalc aggregate --format table`` prints the protected figures as a table,
every label whole (no cut names), and ``calc --format table`` names the factor set."""

import subprocess
import sys
from pathlib import Path

from farmcalc.labels import label

ROOT = Path(__file__).resolve().parents[2]


def test_aggregate_table_prints_every_row_whole(runner):
    assert runner("demo", "--farms", "3").exit_code == 0
    r = runner("aggregate", "--year", "2025", "--format", "table")
    assert r.exit_code == 0, r.errors
    lines = r.output.splitlines()
    assert lines[0].split()[0] == "Tabell" and lines[0].endswith("Anmärkning")
    rule = lines[1]
    assert set(rule) <= {"-", " "}
    # each row's texts whole, in the columns of the rule (nothing cut, nothing shifted)
    starts = [0] + [i + 2 for i in range(len(rule) - 1) if rule[i : i + 2] == "  "]
    longest = max((x for x in lines[2:]), key=len)
    assert len(longest) <= len(rule) + 1
    assert "Redovisat som CO₂e (el, fjärrvärme, handelsgödsel)" in r.output
    for x in lines[2:]:
        row_label = x[starts[1] : starts[2]].rstrip()
        assert row_label and not row_label.endswith(" "), x


def test_calc_table_names_the_factor_set():
    out = subprocess.run(
        [sys.executable, "-m", "farmcalc.cli", "calc", "--format", "table",
         str(ROOT / "examples" / "exempelgarden.json")],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    method = out.splitlines()[1]
    assert label("sweden", "sv") in method and "sweden" not in method.replace(
        label("sweden", "sv"), ""
    )
