"""Lists that grow with the farms or the jobs come a page at a time (web/store/paging.py; issue 15,
finding 5: ``/farms/`` was 11.5 MB of HTML with 100,000 farms).

With a few hundred farms (and jobs) the page's size is bounded, every farm is
reachable by the Swedish next links exactly once, the count is shown, and
access is still the query's: another account's farms never appear.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert

from web.store.models import AdvisorAccess, ExportJob, Farm, ImportJob, utcnow

N_FARMS = 260
PAGE = 50


def session_of(app):
    from web.store.db import get_session

    return get_session()


def add_farms(app, owner_id: int, n: int, prefix: str) -> None:
    now = utcnow()
    with app.app_context():
        db = session_of(app)
        db.execute(
            insert(Farm),
            [
                {
                    "farm_code": f"{prefix}-{i:04d}",
                    "name": f"{prefix} gård {i:04d}",
                    "municipality_code": "1290",
                    "owner_id": owner_id,
                    "created_at": now,
                }
                for i in range(n)
            ],
        )
        db.commit()


def codes_on(page: str, prefix: str) -> list[str]:
    return re.findall(rf"<td>({prefix}-\d{{4}})</td>", page)


def next_link(page: str) -> str | None:
    m = re.search(r'<a rel="next" href="([^"]+)">Nästa sida</a>', page)
    return m.group(1).replace("&amp;", "&") if m else None


def test_farms_come_a_page_at_a_time_and_all_are_reachable(app, client, seed, login):
    owner = seed.users["advisor_with"]
    add_farms(app, owner, N_FARMS, "MIN")
    add_farms(app, seed.users["other_advisor"], 40, "ANNAN")  # another account's: never shown
    with app.app_context():  # one farm of another farmer shared with the advisor
        db = session_of(app)
        shared = Farm(farm_code="DELAD-0001", name="Delad", municipality_code="1290", owner_id=1)
        db.add(shared)
        db.commit()
        db.add(AdvisorAccess(farm_id=shared.id, advisor_id=owner))
        db.commit()
    login(client, seed.emails["advisor_with"])
    seen: list[str] = []
    url: str | None = "/farms/"
    sizes = []
    pages = 0
    while url:
        r = client.get(url)
        assert r.status_code == 200
        page = r.get_data(as_text=True)
        sizes.append(len(r.data))
        rows = re.findall(r'<a href="/farms/(\d+)">', page)
        assert 0 < len(rows) <= PAGE
        assert "ANNAN-" not in page
        seen += rows
        pages += 1
        url = next_link(page)
        assert pages <= 10
    total = N_FARMS + 2  # the shared demo farm of the cast and DELAD-0001
    assert pages == -(-total // PAGE)
    assert len(seen) == len(set(seen)) == total
    assert max(sizes) < 40_000  # bounded, whatever the number of farms
    first = client.get("/farms/").get_data(as_text=True)
    assert f"Visar 1–{PAGE} av {total}" in first and f"Sida 1 av {pages}" in first
    assert "Föregående sida" not in first
    last = client.get(f"/farms/?page={pages}").get_data(as_text=True)
    assert "Föregående sida" in last and next_link(last) is None
    # a page past the end is the last one; a number that is none is the first
    assert codes_on(client.get("/farms/?page=99999999999999").get_data(as_text=True), "MIN") == (
        codes_on(last, "MIN")
    )
    for bad in ("abc", "-3", "0", "١٢", "1e9"):
        r = client.get(f"/farms/?page={bad}")
        assert r.status_code == 200 and f"Visar 1–{PAGE} av {total}" in r.get_data(as_text=True)


def test_the_page_size_does_not_grow_with_the_farms(app, client, seed, login):
    owner = seed.users["advisor_with"]
    login(client, seed.emails["advisor_with"])
    add_farms(app, owner, 60, "A")
    small = len(client.get("/farms/").data)
    add_farms(app, owner, 600, "B")
    large = len(client.get("/farms/").data)
    assert large < small * 1.2


@pytest.mark.parametrize("kind", ["imports", "exports"])
def test_job_lists_are_paged_and_the_users_own(app, client, seed, login, kind):
    me, other = seed.users["advisor_with"], seed.users["other_advisor"]
    model, url = (ImportJob, "/import/jobs/") if kind == "imports" else (ExportJob, "/exports/")
    with app.app_context():
        db = session_of(app)
        for i in range(120):
            if model is ImportJob:
                db.add(ImportJob(user_id=me, filename=f"fil-{i:03d}.xlsx", status="done"))
                db.add(ImportJob(user_id=other, filename=f"annan-{i:03d}.xlsx", status="done"))
            else:
                db.add(ExportJob(user_id=me, params={"year": 2000 + i}, status="failed"))
                db.add(ExportJob(user_id=other, params={"year": 1800 + i}, status="failed"))
        db.commit()
    login(client, seed.emails["advisor_with"])
    links = set()
    next_url: str | None = url
    pages = 0
    while next_url:
        page = client.get(next_url).get_data(as_text=True)
        assert "annan-" not in page and "Resultatarbetsbok för 18" not in page
        found = re.findall(
            rf'href="{"/import/jobs" if model is ImportJob else "/exports"}/(\d+)"', page
        )
        assert 0 < len(found) <= PAGE
        links.update(found)
        next_url = next_link(page)
        pages += 1
        assert pages <= 5
    assert len(links) == 120 and pages == 3
    assert "Visar 1–50 av 120" in client.get(url).get_data(as_text=True)
    if model is ImportJob:
        start = client.get("/import/").get_data(as_text=True)
        assert start.count("fil-") == 10 and 'href="/import/jobs/"' in start


def test_api_tokens_are_paged_and_the_users_own(app, client, seed, login):
    from web.store import crud
    from web.store.models import User

    with app.app_context():
        db = session_of(app)
        me = db.get(User, seed.users["advisor_with"])
        other = db.get(User, seed.users["other_advisor"])
        for i in range(70):
            crud.create_api_token(session=db, user=me, name=f"min-{i:03d}", days=30)
            crud.create_api_token(session=db, user=other, name=f"annan-{i:03d}", days=30)
    login(client, seed.emails["advisor_with"])
    names: set[str] = set()
    url: str | None = "/account/tokens"
    pages = 0
    while url:
        page = client.get(url).get_data(as_text=True)
        assert "annan-" not in page
        found = re.findall(r"min-\d{3}", page)
        assert 0 < len(set(found)) <= PAGE
        names.update(found)
        url = next_link(page)
        pages += 1
        assert pages <= 4
    assert len(names) == 70 and pages == 2
