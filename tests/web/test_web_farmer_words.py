"""Issue 16, words: the Swedish pages speak as a farmer does.

"Årsredovisning" is the statutory annual accounts, not a farm's figures for a year; a farmer
knows lerjord and sandjord, not IPCC's soil classes; and chooses a municipality by its name.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from farmcalc.inputs.vocabulary import SOIL_TYPES
from web.services.municipalities import MUNICIPALITIES, municipality_name

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "translations" / "sv" / "LC_MESSAGES" / "messages.po"


def swedish_texts() -> list[str]:
    with PO.open("rb") as f:
        catalog = read_po(f)
    out: list[str] = []
    for m in catalog:
        if m.id:
            out.extend(m.string if isinstance(m.string, tuple) else [m.string])
    return out


def test_no_swedish_text_calls_a_farm_year_annual_accounts():
    bad = [t for t in swedish_texts() if re.search("årsredovisning", t, re.IGNORECASE)]
    assert bad == []


def test_farm_id_is_gards_id():
    texts = swedish_texts()
    assert not [t for t in texts if "Gård-id" in t]
    assert any("Gårds-id" in t for t in texts)


@pytest.fixture
def owner(client, seed, login):
    login(client, seed.emails["owner"])
    return seed.farms["own"]


def test_soil_list_in_farmers_words_keeps_the_stored_codes(client, owner):
    html = client.get(f"/farms/{owner}/years/2025/soils").get_data(as_text=True)
    select = html[html.index('id="soil-soil_type"') :]
    select = select[: select.index("</select>")]
    options = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', select))
    assert set(options) == set(SOIL_TYPES)  # the stored codes are the method's classes
    assert options["high_activity_clay"].startswith("Lerjord")
    assert "mojord" in options["sandy"].lower() and "sandjord" in options["sandy"].lower()
    # the method's own class is still named, in brackets, where a farmer may wonder
    assert "högaktiv lera" in options["high_activity_clay"]
    # mulljord and torvjord are told where they go: the drained organic soils
    assert "mulljord" in html.lower() and "torvjord" in html.lower()
    # the common soils come first
    assert list(options)[:2] == ["high_activity_clay", "sandy"]


def test_ley_yield_is_asked_in_kg_ts_per_ha(client, owner):
    html = client.get(f"/farms/{owner}/years/2025/crops").get_data(as_text=True)
    assert "kg ts per ha" in html


def test_municipality_list_is_sweden_290_with_unique_four_digit_codes():
    assert len(MUNICIPALITIES) == 290
    codes = [c for c, _ in MUNICIPALITIES]
    assert len(set(codes)) == 290 and all(re.fullmatch(r"[0-9]{4}", c) for c in codes)
    assert len({n for _, n in MUNICIPALITIES}) == 290
    assert municipality_name("1290") == "Kristianstad"
    assert municipality_name("0980") == "Gotland"
    assert municipality_name("2584") == "Kiruna"
    assert municipality_name("9999") is None


def test_new_farm_chooses_the_municipality_by_name_and_stores_the_code(app, client, seed, login):
    login(client, seed.emails["owner"])
    html = client.get("/farms/new").get_data(as_text=True)
    assert re.search(r'<select [^>]*id="municipality_code"', html)
    assert '<option value="1280">Malmö</option>' in html
    assert "Kommun" in html
    data = {"farm_code": "F-words", "name": "Ordgården", "municipality_code": "1280"}
    r = client.post("/farms/new", data=data)
    assert r.status_code == 302
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        farm = get_session().exec(select(Farm).where(Farm.farm_code == "F-words")).one()
        assert farm.municipality_code == "1280"
    # a code that is no Swedish municipality is refused, in Swedish
    r = client.post("/farms/new", data={**data, "farm_code": "F-bad", "municipality_code": "9999"})
    assert r.status_code == 200
    assert (
        "”9999” är inte någon av de fyrsiffriga koderna för Sveriges 290 kommuner"
        in r.get_data(as_text=True)
    )


def test_farm_pages_name_the_municipality(client, owner):
    for url in (f"/farms/{owner}", f"/farms/{owner}/years/2025/farm"):
        html = client.get(url).get_data(as_text=True)
        assert "Kristianstad (1290)" in html, url
        assert "Kommunkod" not in html, url


def test_a_municipality_user_lands_on_the_dashboard(client, seed):
    from tests.web.conftest import sign_in

    r = sign_in(client, seed.emails["municipality"])
    assert r.status_code == 302 and r.headers["Location"].endswith("/municipality/")
    # a farmer still lands on the farm list, and a next= page still wins
    other = client.application.test_client()
    r = sign_in(other, seed.emails["owner"])
    assert r.headers["Location"].endswith("/farms/")


def test_summary_adds_up_hectares_and_animals(client, owner):
    from tests.web.test_web_form import fill_every_step

    fill_every_step(client, owner)
    html = client.get(f"/farms/{owner}/years/2025/summary").get_data(as_text=True)
    # exempelgården: 40 + 30 + 80 + 15 + 25 ha; 120 dairy cows, 90 heifers, 40 calves
    assert "Areal totalt: 190 ha – jämför med SAM-ansökan." in html
    assert "Djur totalt: 250 (120 mjölkkor, 90 kvigor, 40 kalvar)." in html
