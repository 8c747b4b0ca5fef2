"""The result page shows both ways of counting: the inventory's and the life cycle's."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal

from farmcalc.outputs.result import with_texts


def sv_tonnes(kg: float) -> str:
    return format_decimal(kg / 1000, format="#,##0.0", locale="sv")


RECORD = {
    "schema": "farmcalc.farm/1",
    "farm_id": "SCOPES-WEB",
    "year": 2024,
    "crops": [
        {
            "crop": "barley",
            "area_ha": 40,
            "yield_kg_per_ha": 5000,
            "mineral_n_kg_per_ha": 110,
            "mineral_n_type": "ammonium_nitrate",
        }
    ],
    "energy": {
        "diesel_l": 9000,
        "hvo100_l": 3000,
        "heating_oil_l": 1500,
        "electricity_kwh": 60000,
    },
}


@pytest.fixture
def stored(app, seed):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        fy = crud.save_farm_year(session=db, farm=farm, year=2024, record=RECORD)
        return crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden", locale="sv")


def url(seed):
    return f"/farms/{seed.farms['own']}/years/2024/result"


def test_result_page_shows_both_views_in_swedish(client, seed, login, stored):
    login(client, seed.emails["owner"])
    html = client.get(url(seed)).get_data(as_text=True)
    inv, lc = stored["views"]["inventory"], stored["views"]["life_cycle"]
    assert "Två sätt att räkna" in html
    assert "Som Sveriges klimatrapportering räknar" in html
    assert "Över hela livscykeln" in html
    assert f"{sv_tonnes(inv['co2e_kg'])} ton CO₂e från jordbruket" in html
    assert f"{sv_tonnes(inv['energy_co2e_kg'])} ton CO₂e, räknas för sig som energi" in html
    assert f"{sv_tonnes(lc['co2e_kg'])} ton CO₂e" in html
    assert f"nordisk elmix: {sv_tonnes(lc['electricity_co2e_kg'])} ton CO₂e" in html
    market = sv_tonnes(lc["market_based_electricity_co2e_kg"])
    assert f"blir den {market} ton CO₂e" in html
    # the two views differ by what they count, and the page says by how much
    assert lc["co2e_kg"] > inv["co2e_kg"] + inv["energy_co2e_kg"]


def test_an_older_result_without_views_shows_no_section(app, client, seed, login, stored):
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    with app.app_context():
        db = get_session()
        fy = db.exec(
            select(FarmYear).where(FarmYear.farm_id == seed.farms["own"], FarmYear.year == 2024)
        ).one()
        fy.result = {k: v for k, v in stored.items() if k != "views"}
        db.add(fy)
        db.commit()
    login(client, seed.emails["owner"])
    res = client.get(url(seed))
    assert res.status_code == 200
    assert "Två sätt att räkna" not in res.get_data(as_text=True)


def test_views_follow_the_result_schema(stored):
    import jsonschema

    from web.views.openapi import _result_schema

    schema = _result_schema()
    shown = with_texts(stored, "sv")  # as the API shows a stored result
    jsonschema.validate(shown, schema)
    views = schema["properties"]["views"]["properties"]
    assert set(shown["views"]["inventory"]) == set(views["inventory"]["properties"])
    assert set(shown["views"]["life_cycle"]) == set(views["life_cycle"]["properties"])
    broken = {**stored, "views": {"inventory": {}, "life_cycle": {}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
