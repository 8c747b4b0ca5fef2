"""Factor pages for people (issue 14 item 4): a Swedish guide per source with the factors
that weigh most on the example farm (computed), the research notes behind "Detaljer",
a searchable grouped table, and no paths of the code anywhere on the pages."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from babel.numbers import format_decimal

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
    # the search box, every factor a row of the table, factors.js (search and Detaljer)
    assert (
        'id="factor-filter"' in html and '<label for="factor-filter">Sök bland faktorerna' in html
    )
    fs = load_factor_set("sweden")
    assert sorted(re.findall(r'<tr id="f-([^"]+)"', html)) == sorted(fs.rows.index)
    assert 'data-details="Detaljer"' in html and "factors.js" in html
    row = re.search(r'<tr id="f-fuel\.co2\.diesel">(.*?)</tr>', html, re.S).group(1)
    assert "Diesel" in row and factor_value_sv(fs.value("fuel.co2.diesel")) in row
    kind = html.rfind('class="factor-kind"', 0, html.index('id="f-fuel.co2.diesel"'))
    assert "Koldioxid när bränslet förbränns" in html[kind : kind + 200]


def factor_value_sv(v: float) -> str:
    return format_decimal(v, format="#,##0.##" if abs(v) >= 1000 else "@#####", locale="sv")


MAX_PAGE_BYTES = 250_000
"""The set's page was 881,218 bytes with every note on it; the goal of issue 14's phone use."""


@pytest.mark.parametrize("name", available_factor_sets())
def test_the_set_page_is_light(client, name):
    """Under MAX_PAGE_BYTES: the notes, ids and places in the source are not on it, and the
    words a kind of factor shares are said once over its rows, not on each row."""
    html = client.get(f"/factors/{name}").get_data(as_text=True)
    size = len(html.encode("utf-8"))
    print(f"\n/factors/{name}: {size:,} bytes, {len(load_factor_set(name).rows)} factors")
    assert size < MAX_PAGE_BYTES, size
    assert "factor-notes" not in html and "data-search" not in html
    # "Andel av gödselns kväve som avgår som ammoniak och kväveoxider" heads its 117 rows once
    words = "Andel av gödselns kväve som avgår som ammoniak och kväveoxider"
    n_rows = sum(i.startswith("manure.frac_gas.") for i in load_factor_set(name).rows.index)
    assert n_rows > 50 and html.count(words) == 1


def test_details_of_a_topic_as_data_and_as_a_page(client):
    """What "Detaljer" shows: every factor of the topic with its id, the place in the source
    and its research notes (the factor files' notes without code paths), in Swedish words."""
    fs = load_factor_set("sweden")
    res = client.get("/factors/sweden/notes/fuel/data.json")
    assert res.status_code == 200 and res.mimetype == "application/json"
    assert "max-age" in res.headers["Cache-Control"]
    rows = res.get_json()["rows"]
    fuel = [i for i in fs.rows.index if i.startswith("fuel.")]
    assert sorted(rows) == sorted(fuel)
    d = rows["fuel.co2.diesel"]
    assert d["id"] == "Id i faktorfilerna: fuel.co2.diesel"
    assert d["notes"] == plain_notes(fs.rows.at["fuel.co2.diesel", "notes"])
    assert d["locator"] == "Ställe i källan: " + plain_notes(
        fs.rows.at["fuel.co2.diesel", "source_locator"]
    )
    page = client.get("/factors/sweden/notes/fuel")
    assert page.status_code == 200
    text = visible_text(page.get_data(as_text=True))
    assert "Detaljer: Bränslen" in text and "Id i faktorfilerna: fuel.co2.diesel" in text
    assert html_lib.unescape(d["notes"]) in " ".join(text.split()) or not d["notes"]
    # the set's page links each topic's page (without JavaScript) and its data (with it)
    html = client.get("/factors/sweden").get_data(as_text=True)
    assert 'href="/factors/sweden/notes/fuel"' in html
    assert 'data-notes="/factors/sweden/notes/fuel/data.json"' in html
    for url in (
        "/factors/sweden/notes/nope",
        "/factors/sweden/notes/nope/data.json",
        "/factors/nope/notes/fuel/data.json",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("name", available_factor_sets())
def test_no_path_of_the_code_behind_detaljer(client, name):
    for gid in sorted({i.split(".")[0] for i in load_factor_set(name).rows.index}):
        page = visible_text(client.get(f"/factors/{name}/notes/{gid}").get_data(as_text=True))
        data = client.get(f"/factors/{name}/notes/{gid}/data.json").get_json()["rows"]
        texts = [page] + [v for r in data.values() for k, v in r.items() if k != "id"]
        found = sorted({m.group(0) for t in texts for m in CODE_PATH.finditer(t)})
        assert not found, (name, gid, found)
