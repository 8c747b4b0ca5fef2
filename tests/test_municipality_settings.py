"""The municipality's settings live in data with unit, source and reason (no literals in code)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from farmcalc.municipality import disclosure, summary
from farmcalc.municipality.settings import COLUMNS, SETTINGS_FILE, settings

ROOT = Path(__file__).resolve().parents[1]
UNITS = {
    r["unit"]
    for r in csv.DictReader(
        (ROOT / "factors" / "units.csv").read_text(encoding="utf-8").splitlines()
    )
}


def _rows() -> list[dict[str, str]]:
    with SETTINGS_FILE.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def test_every_setting_has_a_value_a_unit_a_source_and_a_reason():
    rows = _rows()
    assert len({r["setting"] for r in rows}) == len(rows)
    for r in rows:
        float(r["value"])
        for col in ("unit", "source", "source_locator", "rationale"):
            assert r[col].strip(), (r["setting"], col)
        # two units of settings only: a count of respondents, livestock units per hectare
        assert r["unit"] in UNITS | {"farms", "LU ha-1"}, r


def test_the_values_are_what_a_disclosure_rule_and_a_path_can_be():
    s = settings()
    assert isinstance(s["min_farms"], int) and s["min_farms"] >= 3  # the handbook's least
    assert 0 < s["max_share_1"] < s["max_share_2"] < 1
    assert 0 < s["protection"] < 1 and 0 < s["path_rate"] < 1
    assert s["specialist_share"] == 2 / 3  # two thirds, as the EU typology says


def test_the_code_uses_the_file():
    s = settings()
    rule = summary.Rule()
    assert (rule.min_farms, rule.max_share_1, rule.max_share_2, rule.protection) == (
        s["min_farms"],
        s["max_share_1"],
        s["max_share_2"],
        s["protection"],
    )
    assert s["protection"] == disclosure.DEFAULT_PROTECTION
    assert s["path_rate"] == summary.PATH_RATE
    assert s["min_livestock_density"] == summary.MIN_LIVESTOCK_DENSITY
    assert s["specialist_share"] == summary.SPECIALIST_SHARE
    assert s["dairy_share_of_cattle"] == summary.DAIRY_SHARE_OF_CATTLE


def test_another_file_gives_other_settings(tmp_path):
    text = SETTINGS_FILE.read_text(encoding="utf-8").replace("min_farms,5,", "min_farms,7,")
    other = tmp_path / "settings.csv"
    other.write_text(text, encoding="utf-8")
    assert settings(other)["min_farms"] == 7
    assert settings()["min_farms"] == 5


@pytest.mark.parametrize(
    "path",
    [
        "farmcalc/municipality/summary.py",
        "farmcalc/municipality/disclosure.py",
        "web/config.py",
        "web/services/yardstick.py",
        "web/views/municipality.py",
    ],
)
def test_no_setting_is_written_as_a_literal(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    for name in ("PROTECTION", "PATH_RATE", "MIN_LIVESTOCK_DENSITY", "SPECIALIST_SHARE"):
        assert not re.search(rf"^{name} = [0-9]", text, re.M), (path, name)
    for literal in ('"0.85"', '"0.5"', ", 0.85)", ", 0.5)", '_FARMS", 5)', 'FARMS", "5"'):
        assert literal not in text, (path, literal)
