"""Factor pages for people (issue 14 item 4): a Swedish guide per source with the factors
that weigh most on the example farm (computed), the research notes behind "Detaljer",
a searchable grouped table, and no paths of the code anywhere on the pages."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from farmcalc.api import calculate_batch
from farmcalc.factors import available_factor_sets, load_factor_set
from farmcalc.provenance import governing_factors
from web.services.factor_guide import common_key, example_record, source_guides
from web.views.factor_pages import plain_notes

# a path of the code: a project folder, a file with a directory, a Python module name
CODE_PATH = re.compile(
    r"\b(?:docs|farmcalc|web|tests|tools|bench)/"
    r"|\b[\w.-]+/[\w./-]*\.(?:py|md|csv|json|toml|Rmd)\b"
    r"|\bfarmcalc\.\w"
)


def visible_text(html: str) -> str:
    """The page's text as a reader gets it (tags and attributes gone)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("name", available_factor_sets())
def test_no_path_of_the_code_on_the_factor_pages(client, name):
    for url in (f"/factors/{name}", f"/factors/{name}/sources"):
        text = visible_text(client.get(url).get_data(as_text=True))
        found = sorted({m.group(0) for m in CODE_PATH.finditer(text)})
        assert not found, (url, found)


def test_the_notes_had_paths_and_lose_only_those():
    """The research notes of the factor files name paths (the reason for the cleaning)."""
    notes = [str(n) for s in available_factor_sets() for n in load_factor_set(s).rows["notes"]]
    assert any(CODE_PATH.search(n) for n in notes)
    cleaned = plain_notes(
        "Read (docs/swedish-sources.md); SLU CIBUSmod data/soil/input/h_values.csv"
    )
    assert not CODE_PATH.search(cleaned)
    assert "h_values.csv" in cleaned and "Read (" in cleaned
    assert plain_notes("0.059/0.090 = 0.66, kg/ha") == "0.059/0.090 = 0.66, kg/ha"


def test_guide_shares_are_the_rows_each_factor_governs_on_the_example_farm():
    """Worked out again here, row by row: a factor's share is the CO2e of the rows it governs
    over the farm's emissions without soil carbon; a source's share is its rows' CO2e."""
    fs = load_factor_set("sweden")
    rows = calculate_batch([example_record()], factors=fs).emissions
    total = rows.loc[rows["source"] != "soil_carbon", "co2e_kg"].sum()
    guides = {g.source: g for g in source_guides(fs)}
    for src, part in rows.groupby("source", observed=True):
        assert guides[src].share == pytest.approx(part["co2e_kg"].sum() / total, rel=1e-9)
    fuel = guides["fuel"]
    want = rows.loc[
        (rows["source"] == "fuel") & (rows["category"] == "diesel") & (rows["gas"] == "CO2"),
        "co2e_kg",
    ].sum()
    co2 = next(w for w in fuel.factors if w.key == "fuel.density.diesel")
    assert co2.share == pytest.approx(
        rows.loc[(rows["source"] == "fuel") & (rows["category"] == "diesel"), "co2e_kg"].sum()
        / total
    )
    assert want > 0
    # enteric methane of this farm rests on the Tier 2 table of its cattle
    top = guides["enteric_fermentation"].factors[0]
    assert top.key == "enteric.tier2" and len(top.ids) > 10
    assert governing_factors(fs, "enteric_fermentation", "dairy_cow", "CH4", 2)
    assert guides["urea"].factors  # the example farm spreads urea
    assert common_key(["manure.mcf.a", "manure.mcf.b"]) == "manure.mcf"


def test_the_page_explains_each_source_in_swedish_with_its_factors(client):
    html = client.get("/factors/sweden").get_data(as_text=True)
    text = " ".join(visible_text(html).split())
    assert "Vad som räknas och vilka faktorer som väger tyngst" in text
    assert "Metan som nötkreatur, får och andra idisslare rapar upp" in text
    assert re.search(r"På exempelgården: \d+,\d % av utsläppen\.", text)
    assert "skalar" in text and "Tier 2-parameter för nötkreaturens foder och energi" in text
    # every guide link points at a row of the table
    for anchor in re.findall(r'<ol class="guide-factors">.*?</ol>', html, re.S):
        for target in re.findall(r'href="#(f-[^"]+)"', anchor):
            assert f'id="{target}"' in html, target
    # notes behind "Detaljer", the search box and each row's search text
    assert html.count("<summary>Detaljer</summary>") == len(load_factor_set("sweden").rows)
    assert (
        'id="factor-filter"' in html and '<label for="factor-filter">Sök bland faktorerna' in html
    )
    m = re.search(r'<tr id="f-fuel\.co2\.diesel" data-search="([^"]*)"', html)
    assert m and "koldioxid" in m.group(1) and "diesel" in m.group(1)
    assert "factors.js" in html
