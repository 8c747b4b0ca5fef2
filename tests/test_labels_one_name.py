"""One Swedish name per category, everywhere (issue 9, section 3).

Every source, gas, livestock category, manure system, crop and the other
record vocabularies has one Swedish name: :func:`farmcalc.labels.label`. This
walks every key and checks each place that shows it — the municipality's
tables (``farmcalc.municipality.summary.label``), the Excel template (headers and drop-down
lists), the results workbook, the CLI table and the factor pages' topics — and
the catalogue: no two categories share a Swedish name, and CO2e is never named
as if it were a gas.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import farmcalc
from farmcalc.excel import layout as L  # noqa: N812
from farmcalc.excel.result_workbook import write_results
from farmcalc.excel.template import write_template
from farmcalc.inputs.vocabulary import (
    CROPS,
    GASES,
    INPUT_LEVELS,
    LAND_USES,
    LIVESTOCK_CATEGORIES,
    MANURE_SYSTEMS,
    MINERAL_N_TYPES,
    SOIL_TYPES,
    SOURCES,
    TILLAGE,
)
from farmcalc.labels import LABELS, label
from farmcalc.municipality import summary as aggregate

ROOT = Path(__file__).resolve().parents[1]
VOCABULARIES = {
    "sources": SOURCES,
    "gases": GASES,
    "livestock": LIVESTOCK_CATEGORIES,
    "manure systems": MANURE_SYSTEMS,
    "crops": CROPS,
    "mineral N types": MINERAL_N_TYPES,
    "soil types": SOIL_TYPES,
    "land uses": LAND_USES,
    "tillage": TILLAGE,
    "input levels": INPUT_LEVELS,
}
EVERY_KEY = sorted({k for keys in VOCABULARIES.values() for k in keys})


@pytest.mark.parametrize("key", EVERY_KEY)
def test_every_key_has_its_own_swedish_name(key):
    assert key in LABELS, key
    sv = label(key, "sv")
    assert sv != key, f"{key} has no Swedish name"


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_no_two_keys_of_a_vocabulary_share_a_name(name):
    keys = VOCABULARIES[name]
    names = [label(k, "sv").casefold() for k in keys]
    assert len(set(names)) == len(names), name


def test_co2e_is_not_named_as_a_gas():
    sv = label("CO2e", "sv")
    assert sv != "Koldioxidekvivalenter"
    assert sv.startswith("Redovisat som CO₂e")
    assert label("CO2e", "en").startswith("Reported as CO2e")


@pytest.mark.parametrize("key", sorted({*aggregate.ITEMS, *GASES}))
def test_the_municipality_tables_use_the_same_name(key):
    assert aggregate.label(key, "sv") == label(key, "sv")


def test_the_municipality_names_co2e_as_the_results_do():
    assert aggregate.label("gas:CO2e", "sv") == label("CO2e", "sv")


def test_the_template_uses_the_same_names():
    assert {s: h for s, h in L._MANURE_HEADERS.items()} == {
        s: label(s, "sv") for s in MANURE_SYSTEMS
    }
    buf = io.BytesIO()
    write_template(buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    lists = wb[L.LISTS_SHEET]
    columns = list(lists.iter_cols(min_row=3, values_only=True))
    for voc, codes in L.VOCABULARIES.items():
        k = next(i for i, c in enumerate(columns) if c[0] == L.VOCABULARY_TITLES[voc])
        names = [v for v in columns[k][1:] if v]
        assert names == [label(c, "sv") for c in codes], voc


def test_the_results_workbook_uses_the_same_names(tmp_path):
    record = json.loads((ROOT / "examples" / "exempelgarden.json").read_text(encoding="utf-8"))
    batch = farmcalc.calculate_batch([record])
    path = tmp_path / "r.xlsx"
    write_results(batch, path)
    wb = openpyxl.load_workbook(path, read_only=True)
    every = {label(k, "sv") for k in EVERY_KEY} | {
        label(k, "sv")
        for k in LABELS  # the soils-N2O and energy categories too
    }
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            seen |= {v for v in row if isinstance(v, str)}
    used = {label(s, "sv") for s in {e["source"] for e in batch.to_dicts()[0]["emissions"]}}
    assert used <= seen
    assert "Koldioxidekvivalenter" not in seen
    assert label("CO2e", "sv") in seen  # electricity, reported as CO2e
    assert used <= every


def test_the_cli_table_uses_the_same_names_whole():
    out = subprocess.run(
        [sys.executable, "-m", "farmcalc.cli", "calc", "--format", "table",
         str(ROOT / "examples" / "exempelgarden.json")],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    table = out.split("\n---")[1]  # between the rules: the emission rows
    result = farmcalc.calculate(
        json.loads((ROOT / "examples" / "exempelgarden.json").read_text(encoding="utf-8"))
    )
    for e in result["emissions"]:
        if e["source"] == "soil_carbon":
            continue
        assert f"{label(e['source'], 'sv')}: {label(e['category'], 'sv')}" in table
        assert label(e["gas"], "sv") in table
    assert "Koldioxidekvivalenter" not in table


def test_the_factor_pages_name_shared_topics_as_the_results_do():
    pytest.importorskip("flask")
    from web.views.factor_pages import GROUPS

    same = {
        "enteric": "enteric_fermentation",
        "manure": "manure_management",
        "fertiliser_production": "fertiliser_production",
        "urea": "urea",
        "lime": "liming",
        "organic_soils": "organic_soils",
        "electricity": "electricity",
        "district_heating": "district_heating",
    }
    for topic, key in same.items():
        assert GROUPS[topic]._args[0] == LABELS[key], topic  # one msgid, one translation
