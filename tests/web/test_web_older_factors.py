"""Results made with an older factor version: marked on the farm pages, recalculated by POST.

Attack first: nobody recalculates a farm they may not see, and "recalculate all" touches
only the farms the user may see (a farmer their own, an advisor their clients').
"""

from __future__ import annotations

import re

import pytest

from farmcalc.demo import demo_records
from farmcalc.factors import load_factor_set

OLD = "2000.0.0"
MARK = "Beräknat med äldre faktorer"
URL = "/farms/recalculate-older"


def _record() -> dict:
    return demo_records(2, year=2024)[1]


def _stored(app, farm_id: int, year: int = 2024):
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    with app.app_context():
        fy = (
            get_session()
            .exec(select(FarmYear).where(FarmYear.farm_id == farm_id, FarmYear.year == year))
            .one()
        )
        return fy.factor_set_version, (fy.result or {}).get("factor_set_version")


def _calculated_with_old_version(app, farm_id: int, year: int = 2024, record=None) -> None:
    """A farm-year calculated with the sweden set, then stored as if by version OLD."""
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, farm_id)
        fy = crud.save_farm_year(session=db, farm=farm, year=year, record=_record())
        result = crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden")
        if record is not None:  # the record changed (and no longer validates) afterwards
            fy = crud.save_farm_year(session=db, farm=farm, year=year, record=record)
        fy.result = {**result, "factor_set_version": OLD}
        fy.factor_set_version = OLD
        db.add(fy)
        db.commit()


@pytest.fixture
def older(app, seed):
    """Both farms of the cast have 2024 calculated with the old version."""
    for target in ("own", "other"):
        _calculated_with_old_version(app, seed.farms[target])
    return load_factor_set("sweden").version


# ------------------------------------------------------------------ attacks first


def test_another_users_farm_cannot_be_recalculated(app, client, seed, login, older):
    own = seed.farms["own"]
    for who in ("other_farmer", "other_advisor", "advisor_without", "municipality"):
        login(client, seed.emails[who])
        r = client.post(URL, data={"farm_id": str(own)})
        assert r.status_code == 404, who
        assert _stored(app, own) == (OLD, OLD), who
        client.post("/auth/signout")


def test_recalculate_all_touches_only_the_users_farms(app, client, seed, login, older):
    login(client, seed.emails["other_farmer"])
    assert client.post(URL).status_code == 302
    assert _stored(app, seed.farms["other"]) == (older, older)  # their own farm
    assert _stored(app, seed.farms["own"]) == (OLD, OLD)  # not the owner's


def test_an_advisor_recalculates_all_of_their_clients_farms_only(app, client, seed, login, older):
    login(client, seed.emails["advisor_with"])  # has access to "own" only
    html = client.get("/farms/").get_data(as_text=True)
    assert MARK in html and "Räkna om alla" in html
    r = client.post(URL)
    assert r.status_code == 302 and r.headers["Location"].endswith("/farms/")
    assert _stored(app, seed.farms["own"]) == (older, older)
    assert _stored(app, seed.farms["other"]) == (OLD, OLD)
    html = client.get("/farms/").get_data(as_text=True)
    assert MARK not in html and "Räkna om alla" not in html
    assert "1 år har räknats om med faktorernas nuvarande version." in html


def test_bad_farm_ids_are_404_not_errors(client, seed, login, older):
    login(client, seed.emails["owner"])
    for bad in ("999999", "99999999999999999999", "-1", "x", ""):
        r = client.post(URL, data={"farm_id": bad})
        assert r.status_code == 404 if bad else 302, bad


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_recalculating_needs_csrf(app, client, seed, older):
    page = client.get("/auth/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": seed.emails["owner"], "password": "korrekt-hast-batteri", "csrf_token": token}
    assert client.post("/auth/signin", data=data).status_code == 302
    assert client.post(URL, data={"farm_id": str(seed.farms["own"])}).status_code == 400
    assert _stored(app, seed.farms["own"]) == (OLD, OLD)
    html = client.get("/farms/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = client.post(URL, data={"farm_id": str(seed.farms["own"]), "csrf_token": token})
    assert r.status_code == 302
    assert _stored(app, seed.farms["own"])[0] == older


# ------------------------------------------------------------------ marked and recalculated


def test_an_old_result_is_marked_and_recalculated(app, client, seed, login, older):
    own = seed.farms["own"]
    login(client, seed.emails["owner"])
    listing = client.get("/farms/").get_data(as_text=True)
    assert MARK in listing
    detail = client.get(f"/farms/{own}").get_data(as_text=True)
    assert MARK in detail and f"version {OLD}" in detail
    assert "Räkna om" in detail
    r = client.post(URL, data={"farm_id": str(own), "back": "detail"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/farms/{own}")
    assert _stored(app, own) == (older, older)
    detail = client.get(f"/farms/{own}").get_data(as_text=True)
    assert MARK not in detail
    assert "1 år har räknats om med faktorernas nuvarande version." in detail
    assert MARK not in client.get("/farms/").get_data(as_text=True)


def test_a_current_result_is_not_marked(app, client, seed, login):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        fy = crud.save_farm_year(
            session=db, farm=db.get(Farm, seed.farms["own"]), year=2024, record=_record()
        )
        crud.calculate_farm_year(session=db, farm_year=fy, factors="sweden")
    login(client, seed.emails["owner"])
    assert MARK not in client.get("/farms/").get_data(as_text=True)
    assert MARK not in client.get(f"/farms/{seed.farms['own']}").get_data(as_text=True)


def test_recalculate_all_is_all_or_nothing(app, client, seed, login, older):
    own = seed.farms["own"]
    # a second old year of the same farm whose record no longer validates
    _calculated_with_old_version(app, own, 2023, record={"livestock": "nonsense"})
    login(client, seed.emails["owner"])
    r = client.post(URL)
    assert r.status_code == 302
    assert _stored(app, own, 2024) == (OLD, OLD)  # nothing stored, not even the good year
    assert _stored(app, own, 2023) == (OLD, OLD)
    html = client.get("/farms/").get_data(as_text=True)
    assert "Inget har räknats om" in html and "2023" in html and "F-own" in html
