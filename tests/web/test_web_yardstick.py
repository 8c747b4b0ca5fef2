"""The fair yardstick (web/services/yardstick.py, issue 14 item 3): attacks first.

A dairy farm of 120 cows (about 157 livestock units: the class 150–400 LU) is
compared with other confirmed dairy farms of its class. With 4 other owners no
figure may appear (nor anything a figure could be worked out from); with 5 the
median and quartiles appear and equal those worked out here independently from
the stored results.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import PASSWORD
from sqlmodel import select

from farmcalc.api import calculate_batch
from web.services.yardstick import passes_rule, round_significant, size_class, yardstick
from web.store import crud
from web.store.db import get_session
from web.store.models import Confirmation, FarmCreate, FarmYear, Role, UserCreate
from web.store.writer import store_results

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "exempelgarden.json"
YEAR = 2025


def _record(code: str, cows: int, diesel: float) -> dict:
    r = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    r = copy.deepcopy(r)
    r["farm_id"], r["year"] = code, YEAR
    r["livestock"][0]["head"] = cows
    r["energy"]["diesel_l"] = diesel
    return r


def _farm(db, owner_email: str, code: str, cows: int, diesel: float, confirmed: bool = True):
    owner = crud.get_user_by_email(session=db, email=owner_email)
    if owner is None:
        owner = crud.create_user(
            session=db,
            user_in=UserCreate(email=owner_email, name=code, role=Role.farmer, password=PASSWORD),
        )
    farm = crud.create_farm(
        session=db,
        farm_in=FarmCreate(farm_code=code, name=f"Gård {code}", municipality_code="1290"),
        owner=owner,
    )
    if confirmed:
        farm.confirmation = Confirmation.confirmed
        db.add(farm)
        db.commit()
    rec = _record(code, cows, diesel)
    results = store_results(
        db, [{"farm_id": farm.id, "year": YEAR, "record": rec}], calculate_batch([rec])
    )
    return farm.id, results[0]


def _build(app, peers: int, *, same_owner: bool = False) -> dict:
    """The viewer's farm and ``peers`` other confirmed farms of its class, plus noise
    that must never count: an unconfirmed farm, a farm of another size class, the
    viewer's own second farm."""
    out: dict = {"peers": []}
    with app.app_context():
        db = get_session()
        out["own"], _r = _farm(db, "viewer@example.se", "V-1", 120, 18000)
        _farm(db, "viewer@example.se", "V-2", 125, 90000)  # own second farm: never counted
        for k in range(peers):
            owner = "p-0@example.se" if same_owner and k == 1 else f"p-{k}@example.se"
            _fid, res = _farm(db, owner, f"P-{k}", 120 + 6 * k, 12000 + 3500 * k)
            out["peers"].append((owner, res))
        _farm(db, "pending@example.se", "Q-1", 130, 400000, confirmed=False)
        _farm(db, "big@example.se", "B-1", 400, 40000)  # > 400 LU: another class
    return out


def _fy(db, farm_id: int) -> FarmYear:
    return db.exec(
        select(FarmYear).where(FarmYear.farm_id == farm_id, FarmYear.year == YEAR)
    ).one()


def _section(html: str) -> str:
    m = re.search(r'<section class="yardstick".*?</section>', html, re.S)
    assert m, "no yardstick section"
    return m.group(0)


def _numbers(text: str) -> set[str]:
    found = re.findall(r"\d[\d\u00a0 ]*(?:,\d+)?", re.sub(r"<[^>]+>", " ", text))
    return {n.strip() for n in found}


def _page(app, client, login, farm_id: int) -> str:
    login(client, "viewer@example.se")
    r = client.get(f"/farms/{farm_id}/years/{YEAR}/result")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_attack_four_other_farms_show_no_figure(app, client, login):
    built = _build(app, 4)
    with app.app_context():
        db = get_session()
        fy = _fy(db, built["own"])
        ys = yardstick(session=db, farm_year=fy)
    assert ys is not None and ys.farm_type == "dairy"
    assert [f.id for f in ys.figures] == ["per_kg_ecm", "per_ha", "per_farm"]
    assert all(f.quartiles is None and f.reason == "few_farms" for f in ys.figures)
    section = _section(_page(app, client, login, built["own"]))
    assert "yardstick-table" not in section and "Median" not in section
    assert "färre än 5 jämförbara gårdar" in section
    # no number but the class limits, the year and the minimum: nothing to derive a cell from
    assert _numbers(section) <= {"150", "400", str(YEAR), "5"}, _numbers(section)


def test_attack_two_farms_of_one_owner_are_one_respondent(app, client, login):
    built = _build(app, 5, same_owner=True)  # 5 farms, 4 owners
    with app.app_context():
        db = get_session()
        fy = _fy(db, built["own"])
        ys = yardstick(session=db, farm_year=fy)
    assert all(f.quartiles is None for f in ys.figures)
    assert "yardstick-table" not in _section(_page(app, client, login, built["own"]))


def test_five_other_farms_show_the_quartiles_worked_out_independently(app, client, login):
    built = _build(app, 5)
    per_farm = [r["totals"]["co2e_kg"] / 1000 for _o, r in built["peers"]]
    per_ecm = []
    per_ha = []
    for _o, r in built["peers"]:
        inten = {i["id"]: i for i in r["intensities"]}
        per_ecm.append(inten["per_kg_ecm"]["value"])
        per_ha.append(inten["per_ha"]["value"])
    with app.app_context():
        db = get_session()
        fy = _fy(db, built["own"])
        ys = yardstick(session=db, farm_year=fy)
    got = {f.id: f for f in ys.figures}
    for fid, values in (("per_farm", per_farm), ("per_kg_ecm", per_ecm), ("per_ha", per_ha)):
        want = tuple(round_significant(float(q)) for q in np.percentile(values, (25, 50, 75)))
        assert got[fid].quartiles == pytest.approx(want, rel=1e-9), fid
        assert got[fid].reason is None
    html = _page(app, client, login, built["own"])
    section = _section(html)
    assert "yardstick-table" in section
    assert 'id="yardstick-per_kg_ecm"' in section and 'id="yardstick-per_farm"' in section
    median = got["per_kg_ecm"].quartiles[1]
    assert f"{median:.2f}".replace(".", ",") in section  # Swedish decimal comma


def test_another_users_farm_gives_no_yardstick(app, client, login):
    built = _build(app, 5)
    login(client, "p-0@example.se")
    assert client.get(f"/farms/{built['own']}/years/{YEAR}/result").status_code == 404


def test_rule_counts_and_dominance():
    assert passes_rule([1, 1, 1, 1], 5, 0.5, 0.85) == "few_farms"
    assert passes_rule([1, 1, 1, 1, 1], 5, 0.5, 0.85) is None
    assert passes_rule([10, 1, 1, 1, 1], 5, 0.5, 0.85) == "dominance"
    assert passes_rule([4, 4, 1, 0.2, 0.2], 5, 0.5, 0.85) == "dominance"  # two > 85 %


def test_size_classes():
    assert size_class("dairy", 190, 156.7).low == 150
    assert size_class("arable", 45, 0).high == 50
    assert size_class("pigs", 10, 1000).high == float("inf")
    assert round_significant(1.3404) == 1.3 and round_significant(9528.7) == 9500
