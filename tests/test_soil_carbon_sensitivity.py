"""The sensitivity table of docs/soil-carbon.md is computed, current and sensible."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "soil_carbon_sensitivity.py"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("soil_carbon_sensitivity", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doc_holds_the_computed_table(tool):
    text = tool.DOC.read_text(encoding="utf-8")
    assert tool.block() in text, "run .venv/bin/python tools/soil_carbon_sensitivity.py --write"


def test_sensitivity_goes_the_way_icbm_says(tool):
    df = tool.sensitivity()
    for farm in df.columns:
        col = df[farm]
        base = col.iat[0]
        assert base < 0  # both farms store carbon with the built method
        by = dict(zip(df.index, col, strict=True))
        names = list(df.index)
        # faster decay (re up) stores less, slower decay more
        assert by[names[2]] > base > by[names[1]]
        # more root C stores more, less root C less
        assert by[names[3]] < base < by[names[4]]
        # all ley and pasture roots every year (no root turnover): more stored
        assert by[names[5]] < base
        # no extra-root C, straw-like root humification: less stored
        assert by[names[6]] > base
        assert by[names[7]] > by[names[6]] > base


def test_with_values_changes_only_the_named_factors(tool):
    from farmcalc.factors import load_factor_set

    fs = load_factor_set("sweden")
    twice = tool.with_values(fs, tool._scale(("icbm.sr.",), 2.0))
    assert twice.value("icbm.sr.barley") == pytest.approx(2 * fs.value("icbm.sr.barley"))
    assert twice.value("icbm.hi.barley") == fs.value("icbm.hi.barley")
    assert twice.value("icbm.re") == fs.value("icbm.re")
