"""Compare years (issue 16): the change column (t CO2e and %, Swedish format, U+2212
minus, "lägre"/"högre") and the diverging chart of the change per source, worked out
from two stored years."""

from __future__ import annotations

import copy
import html as html_lib
import re
from collections import defaultdict

import pytest
from babel.numbers import format_decimal

from farmcalc.demo import demo_records
from farmcalc.labels import label

MINUS = "\u2212"
NBSP = "\u00a0"
DIESEL_CUT_L = 3000  # litres less diesel in 2024 than in 2023


def sv(value: float, fmt: str) -> str:
    """Swedish format with the minus sign U+2212, as the page writes numbers."""
    return format_decimal(value, format=fmt, locale="sv").replace("-", MINUS)


def signed(value: float, fmt: str, rounded: float) -> str:
    return ("+" if rounded > 0 else "") + sv(value, fmt)


@pytest.fixture
def two_years(app, seed):
    """2023 and 2024 of a dairy farm, both with the same factor set; 2024 used less diesel."""
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    first = demo_records(2, year=2023)[1]
    second = copy.deepcopy(first)
    second["year"] = 2024
    second["energy"]["diesel_l"] = first["energy"]["diesel_l"] - DIESEL_CUT_L
    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        out = {}
        for year, record in ((2023, first), (2024, second)):
            fy = crud.save_farm_year(session=db, farm=farm, year=year, record=record)
            out[year] = crud.calculate_farm_year(
                session=db, farm_year=fy, factors="sweden", locale="sv"
            )
    return out


def per_source(result: dict) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for e in result["emissions"]:
        if e["source"] != "soil_carbon":
            totals[e["source"]] += e["co2e_kg"]
    return totals


def cells(html: str, heading: str) -> list[str]:
    """The cells of the compare table's row ``heading``, tags out, spaces squashed."""
    html = re.search(r'<table class="compare">.*?</table>', html, re.S).group(0)
    row = re.search(rf'<th scope="row">{re.escape(heading)}</th>(.*?)</tr>', html, re.S).group(1)
    found = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [
        re.sub(
            r"\s+", " ", html_lib.unescape(re.sub(r"<br>", " ", re.sub(r"<(?!br)[^>]+>", "", c)))
        )
        .replace(NBSP, " ")
        .strip()
        for c in found
    ]


def test_change_column_worked_out_from_the_two_stored_years(client, seed, login, two_years):
    login(client, seed.emails["owner"])
    html = client.get(f"/farms/{seed.farms['own']}/compare").get_data(as_text=True)
    assert "Förändring 2023–2024" in html
    old, new = two_years[2023]["totals"], two_years[2024]["totals"]

    # total emissions: the difference of the stored totals, and per cent of 2023
    d = new["co2e_kg"] - old["co2e_kg"]
    assert d < 0  # less diesel
    pct = 100.0 * d / old["co2e_kg"]
    expected = f"{sv(d / 1000, '#,##0.0')} t {sv(pct, '#,##0')} % lägre"
    assert cells(html, "Utsläpp, ton CO₂e")[-1] == expected
    assert MINUS in expected and "-" not in expected  # U+2212, never a hyphen

    # per source: the fuel changes, the animals do not
    before, after = per_source(two_years[2023]), per_source(two_years[2024])
    changed = [s for s in before if round((after[s] - before[s]) / 1000, 1) != 0]
    assert changed, "less diesel changes at least one source"
    for s in before:
        ds = after.get(s, 0.0) - before[s]
        rounded = round(ds / 1000, 1)
        word = "oförändrat" if rounded == 0 else "lägre" if ds < 0 else "högre"
        text = signed(ds / 1000, "#,##0.0", rounded) + " t"
        if before[s]:
            text += " " + signed(100 * ds / before[s], "#,##0", rounded) + " %"
        assert cells(html, label(s, "sv"))[-1] == f"{text} {word}", s

    # net with soil carbon: per cent of the size of 2023's figure
    dn = new["net_co2e_kg"] - old["net_co2e_kg"]
    rn = round(dn / 1000, 1)
    word = "oförändrat" if rn == 0 else "lägre" if dn < 0 else "högre"
    pn = signed(100 * dn / abs(old["net_co2e_kg"]), "#,##0", rn)
    net = f"{signed(dn / 1000, '#,##0.0', rn)} t {pn} % {word}"
    assert cells(html, "Netto med markkol, ton CO₂e")[-1] == net


def test_chart_shows_the_change_per_source_left_for_lower(client, seed, login, two_years):
    login(client, seed.emails["owner"])
    html = client.get(f"/farms/{seed.farms['own']}/compare").get_data(as_text=True)
    svg = re.search(r'<svg class="chart-svg chart-change".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in svg and "Förändring per källa från 2023 till 2024" in svg
    before, after = per_source(two_years[2023]), per_source(two_years[2024])
    biggest = min(before, key=lambda s: after.get(s, 0.0) - before[s])  # the largest fall
    rows = re.findall(r'<g class="chart-row">(.*?)</g>', svg, re.S)
    row = next(r for r in rows if f">{label(biggest, 'sv')}<" in r)
    # the largest change fills the left half: x = 50 % − 50 %, width 50 %
    assert 'class="chart-change__lower" x="0.00%"' in row and 'width="50.00%"' in row
    # a source that did not change draws no bar
    same = [s for s in before if after.get(s, 0.0) == before[s]]
    for s in same:
        r = next(r for r in rows if f">{html_lib.escape(label(s, 'sv'))}<" in r)
        assert "chart-change__" not in r
    # the figures as a table too
    assert "<summary>Visa som tabell</summary>" in html


def test_one_calculated_year_has_no_change_column(app, client, seed, login):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        fy = crud.save_farm_year(
            session=db, farm=farm, year=2024, record=demo_records(2, year=2024)[1]
        )
        crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden", locale="sv")
    login(client, seed.emails["owner"])
    html = client.get(f"/farms/{seed.farms['own']}/compare").get_data(as_text=True)
    assert "Förändring" not in html and "chart-change" not in html
    assert 'id="chart-years"' in html  # the bars of the one year
