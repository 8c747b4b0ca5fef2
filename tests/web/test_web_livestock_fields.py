"""The optional class data of a livestock row on the farm form (issue 11): live weight,
growth, pregnant share, months on the farm, crude protein and digestibility.

They sit in a folded part "Mer om djuren (valfritt)" of each animal row, are typed the
Swedish way, stored in the record under the names of docs/farm-record.md, and change the
result as the core says (compared with ``farmcalc.calculate`` of the same record, never
with a number written here). Errors name the row, the field and the rule.
"""

from __future__ import annotations

import copy
import re

import pytest

import farmcalc
from farmcalc.outputs.result import with_texts

MORE = ("Mer om djuren (valfritt)",)
NEW_KEYS = (
    "live_weight_kg",
    "weight_gain_kg_per_day",
    "pregnant_fraction",
    "months_on_farm",
    "crude_protein_pct",
    "digestibility_pct",
)
# heifers and lambs, with the farmer's own weight, growth and months (lambs: months alive)
ANIMALS = {
    "livestock-0-category": "heifer",
    "livestock-0-head": "30",
    "livestock-0-pasture_fraction": "25",
    "livestock-0-live_weight_kg": "380",
    "livestock-0-weight_gain_kg_per_day": "0,8",
    "livestock-0-months_on_farm": "12",
    "livestock-0-crude_protein_pct": "15,5",
    "livestock-0-digestibility_pct": "68",
    "livestock-1-category": "lamb",
    "livestock-1-head": "120",
    "livestock-1-pasture_fraction": "40",
    "livestock-1-live_weight_kg": "32,5",
    "livestock-1-weight_gain_kg_per_day": "0,25",
    "livestock-1-months_on_farm": "5",
}
MANURE = {
    "livestock-0-manure_systems-deep_bedding": "100",
    "livestock-1-manure_systems-deep_bedding": "100",
}


def url(farm, step, year=2025):
    return f"/farms/{farm}/years/{year}/{step}"


def stored(app, farm, year=2025):
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    with app.app_context():
        db = get_session()
        stmt = select(FarmYear).where(FarmYear.farm_id == farm, FarmYear.year == year)
        return db.exec(stmt).first().model_dump()


def text_of(html: str) -> str:
    # spaces of the markup collapsed; the no-break spaces of Swedish numbers kept
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


def error_at(html: str, fid: str) -> str:
    m = re.search(rf'<p class="error-message" id="{fid}-error">(.*?)</p>', html, flags=re.S)
    assert m, (fid, re.findall(r'class="error-message" id="([^"]+)"', html))
    return text_of(m.group(1)).strip()


def summary_items(html: str) -> list[str]:
    box = re.search(r'<div class="error-summary".*?</div>', html, flags=re.S)
    assert box, "no error summary"
    return [text_of(li).strip() for li in re.findall(r"<li>(.*?)</li>", box.group(0), re.S)]


@pytest.fixture
def owner(client, seed, login):
    login(client, seed.emails["owner"])
    return seed.farms["own"]


def test_the_folded_part_is_closed_for_a_farmer_who_leaves_it_empty(client, owner):
    html = client.get(url(owner, "animals")).get_data(as_text=True)
    folds = re.findall(r'<details class="more" id="livestock-0-more"( open)?>', html)
    assert folds == [""]  # one row, its details folded
    summary = re.search(r'<summary class="more__title">(.*?)</summary>', html).group(1)
    assert summary in MORE
    fold = html[html.index('id="livestock-0-more"') : html.index("</details>")]
    for label in (
        "Levande vikt (kg/djur)",
        "Tillväxt (kg/dag)",
        "Andel dräktiga (%)",
        "Månader på gården",
        "Råprotein i foderstaten (% av ts)",
        "Smältbarhet (DE, % av bruttoenergi)",
    ):
        assert f">{label}</label>" in fold, label
    for key in NEW_KEYS:
        assert f'name="livestock-0-{key}"' in fold
        assert f'aria-describedby="livestock-0-{key}-hint"' in fold  # help text in the fold
    assert "Lamm: månaderna de lever" in fold


def test_heifers_and_lambs_with_their_own_data_change_the_result(app, client, owner):
    client.post(url(owner, "farm"), data={"action": "next"})
    r = client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    record = stored(app, owner)["record"]
    heifer, lamb = record["livestock"]
    assert heifer == {
        "category": "heifer",
        "head": 30,
        "pasture_fraction": 0.25,
        "milk_kg_ecm_per_head": None,
        "n_excretion_kg_per_head": None,
        "live_weight_kg": 380,
        "weight_gain_kg_per_day": 0.8,
        "months_on_farm": 12,
        "crude_protein_pct": 15.5,
        "digestibility_pct": 68,
    }
    # what was left empty is not in the record (the factor set's default), not None
    assert (lamb["live_weight_kg"], lamb["weight_gain_kg_per_day"]) == (32.5, 0.25)
    assert lamb["months_on_farm"] == 5
    assert not {"pregnant_fraction", "crude_protein_pct", "digestibility_pct"} & set(lamb)

    # the step shows them again the Swedish way, and the folded part is open
    html = client.get(url(owner, "animals")).get_data(as_text=True)
    assert '<details class="more" id="livestock-1-more" open>' in html
    assert 'name="livestock-1-live_weight_kg" value="32,5"' in html
    assert 'name="livestock-0-weight_gain_kg_per_day" value="0,8"' in html

    client.post(url(owner, "manure"), data={**MANURE, "action": "next"})
    r = client.post(url(owner, "summary"))
    assert r.status_code == 302, text_of(r.get_data(as_text=True))[:3000]
    fy = stored(app, owner)
    assert fy["is_draft"] is False
    # stored without the texts every result shares; with them, the result itself
    assert with_texts(fy["result"], "sv") == farmcalc.calculate(fy["record"], locale="sv")
    # the class data count: the same farm without them gives another result
    without = copy.deepcopy(fy["record"])
    for animal in without["livestock"]:
        for key in NEW_KEYS:
            animal.pop(key, None)
    plain = farmcalc.calculate(without, locale="sv")
    assert fy["result"]["totals"] != plain["totals"]

    # the summary lists them under the animal's row
    page = text_of(client.get(url(owner, "summary")).get_data(as_text=True))
    assert "Levande vikt (kg/djur) 32,5" in page and "Månader på gården 5" in page


def test_emptying_a_detail_takes_it_out_of_the_record(app, client, owner):
    client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    data = {**ANIMALS, "livestock-1-live_weight_kg": " ", "action": "next"}
    client.post(url(owner, "animals"), data=data)
    lamb = stored(app, owner)["record"]["livestock"][1]
    assert "live_weight_kg" not in lamb and lamb["months_on_farm"] == 5


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        # the core's rule (farmcalc/inputs/record.py), in the record's own words
        ("months_on_farm", "13", "Måste vara ≤ 12, inte 13."),
        ("months_on_farm", "0", "Måste vara större än 0, inte 0."),
        ("live_weight_kg", "1 600", "Måste vara ≤ 1\u00a0500, inte 1\u00a0600."),
        ("weight_gain_kg_per_day", "3,5", "Måste vara ≤ 3, inte 3,5."),
        ("digestibility_pct", "35", "Måste vara ≥ 40, inte 35."),
        ("crude_protein_pct", "45", "Måste vara ≤ 40, inte 45."),
        # the form's own typing rules
        ("live_weight_kg", "abc", "Skriv ett tal, t.ex. 12,5."),
        ("pregnant_fraction", "120", "Skriv en procentsats mellan 0 och 100."),
        ("weight_gain_kg_per_day", "-0,2", "Talet kan inte vara negativt."),
    ],
)
def test_a_bad_value_gives_a_swedish_error_naming_the_row(app, client, owner, key, typed, message):
    client.post(url(owner, "animals"), data={**ANIMALS, "action": "next"})
    before = stored(app, owner)["record"]
    r = client.post(url(owner, "animals"), data={**ANIMALS, f"livestock-1-{key}": typed})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    fid = f"livestock-1-{key}"
    assert error_at(html, fid) == f"Fel: {message}"
    # what was typed stays in the field, marked invalid, and the fold is open to show it
    assert f'name="{fid}" value="{typed}"' in html.replace("&#34;", '"')
    assert re.search(rf'id="{fid}" name="{fid}"[^>]*aria-invalid="true"', html)
    assert '<details class="more" id="livestock-1-more" open>' in html
    # the summary at the top says where: the row, the animal, the field
    label = re.search(rf'<label class="label" for="{fid}">(.*?)</label>', html).group(1)
    assert f"Rad 2: Lamm – {label}: {message}" in summary_items(html)
    if message.startswith("Skriv") or message.startswith("Talet"):
        # a typing error keeps what was saved before
        assert stored(app, owner)["record"]["livestock"][1].get(key) == before["livestock"][1].get(
            key
        )
