"""The advisor's desk with 1,000 farms in a real browser: search, sort and page (the
milliseconds of each are printed, measured in the browser by the Navigation Timing API: a
speed goal is the benchmark's, ``bench/bench_web.py``, never a timed test), another advisor's
farms never shown, phone width, axe; the handover link."""

from __future__ import annotations

import re

import pytest
from browserkit import (
    axe_violations,
    describe_violations,
    horizontal_overflow,
    require_browser,
    sv,
)

require_browser()
from playwright.sync_api import expect  # noqa: E402

N_FARMS = 1000
DESK_ADVISOR = "skrivbord.radgivare@example.se"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def thousand(live_server) -> dict[str, int]:
    """An advisor owning 1,000 calculated farms (stored through the one writer, one batch),
    in two municipalities."""
    from sqlmodel import select

    from farmcalc import calculate_batch
    from farmcalc.demo import demo_records
    from farmcalc.inputs.tables import records_to_tables
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm, Role, User, UserCreate
    from web.store.writer import store_results

    with live_server.app.app_context():
        db = get_session()
        user = db.exec(select(User).where(User.email == DESK_ADVISOR)).first()
        if user is None:
            user = crud.create_user(
                session=db,
                user_in=UserCreate(
                    email=DESK_ADVISOR,
                    name="Skrivbordets rådgivare",
                    role=Role.advisor,
                    password=live_server.password,
                ),
            )
        records = demo_records(N_FARMS, year=2024)
        farms = [
            Farm(
                farm_code=r["farm_id"],
                name=f"Klientgård {i + 1:04d}",
                municipality_code="1290" if i % 4 else "1291",
                owner_id=user.id,
            )
            for i, r in enumerate(records)
        ]
        db.add_all(farms)  # 1,000 at once (the farms cap of one account is not what is tested)
        db.commit()
        rows = [
            {"farm_id": f.id, "year": 2024, "record": r}
            for f, r in zip(farms, records, strict=True)
        ]
        batch = calculate_batch(records_to_tables(records, strict=True)[0])
        store_results(db, rows, batch)
        return {"advisor": user.id, "first": farms[0].id}


def _ms(page) -> str:
    """The last navigation's times in the browser [ms]: from its start to the load event, and
    of that the wait for the first byte of the page (the server's part). Printed, not asserted:
    under CI's load the server's part took 728 ms once where it takes 180-270 ms alone."""
    load, server = page.evaluate(
        "() => { const e = performance.getEntriesByType('navigation')[0];"
        " return [e.loadEventEnd - e.startTime, e.responseStart - e.requestStart]; }"
    )
    assert 0 < server <= load, f"{page.url}: no navigation timing"
    return f"{load:.0f} ms (server {server:.0f} ms)"


def _rows(page) -> list[str]:
    return page.locator("#desk tbody tr td:nth-child(2) a").all_inner_texts()


def test_desk_with_1000_farms_search_sort_page(live_server, thousand, new_page, shot):
    page = new_page(live_server, DESK_ADVISOR)
    page.goto(live_server("/farms/"))
    expect(page.locator("#desk-count")).to_contain_text(re.compile(r"av 1\D?000$"))
    first = _ms(page)
    assert len(_rows(page)) == live_server.app.config["PAGE_SIZE"]
    assert "Gården" not in " ".join(_rows(page))  # the demo farmer's farms are not here

    form = page.get_by_role("search")
    form.get_by_label(sv("Name or identifier")).fill("Klientgård 077")
    form.get_by_role("button", name=sv("Show")).click()
    page.wait_for_load_state("load")
    search = _ms(page)
    assert _rows(page) == [f"Klientgård 077{i}" for i in range(10)]

    form = page.get_by_role("search")
    form.get_by_label(sv("Name or identifier")).fill("")
    form.get_by_label(sv("Farm type")).select_option("dairy")
    form.get_by_role("button", name=sv("Show")).click()
    page.wait_for_load_state("load")
    types = page.locator("#desk tbody td:nth-child(4)").all_inner_texts()
    assert types and set(types) == {types[0]}

    page.goto(live_server("/farms/"))
    page.get_by_role("link", name=re.compile(sv("Emissions, t CO2e"))).click()
    page.wait_for_url(re.compile(r"sort=total"))
    page.get_by_role("link", name=re.compile(sv("Emissions, t CO2e"))).click()  # descending
    page.wait_for_url(re.compile(r"dir=desc"))
    sort = _ms(page)
    totals = [
        float(t.replace("\u00a0", "").replace(" ", "").replace(",", "."))
        for t in page.locator("#desk tbody td:nth-child(6)").all_inner_texts()
    ]
    assert totals == sorted(totals, reverse=True) and len(totals) > 1
    expect(page.locator("th[aria-sort=descending]")).to_have_count(1)

    page.get_by_role("link", name=sv("Next page")).click()
    page.wait_for_url(re.compile(r"page=2"))
    paged = _ms(page)
    more = [
        float(t.replace("\u00a0", "").replace(" ", "").replace(",", "."))
        for t in page.locator("#desk tbody td:nth-child(6)").all_inner_texts()
    ]
    assert more[0] <= totals[-1]
    shot(page, "desk-1000-sorted-page-2")
    print(
        f"\ndesk with {N_FARMS} farms, in the browser (navigation start to load event): first "
        f"page {first}, search {search}, sort {sort}, next page {paged}"
    )

    # choose every farm of the page: the box in the header (desk.js)
    page.get_by_role("checkbox", name=sv("Choose every farm on this page")).check()
    checked = page.locator('#desk tbody input[name="farm_id"]:checked')
    expect(checked).to_have_count(live_server.app.config["PAGE_SIZE"])


def test_desk_at_phone_width_and_axe(live_server, thousand, new_page, shot):
    for viewport, name in ((PHONE, "phone"), ({"width": 1280, "height": 900}, "desktop")):
        page = new_page(live_server, DESK_ADVISOR, viewport=viewport)
        page.goto(live_server("/farms/?sort=total&dir=desc"))
        expect(page.locator("#desk")).to_be_visible()
        width, inner = horizontal_overflow(page)
        assert width <= inner, (name, width, inner)
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        shot(page, f"desk-{name}")


def test_handover_in_the_browser(live_server, thousand, new_page, shot):
    """The advisor invites by e-mail; the invited farmer signs in, opens the link, accepts."""
    from browserkit import sign_in, unique_email

    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Role, UserCreate

    farmer = unique_email()
    with live_server.app.app_context():
        crud.create_user(
            session=get_session(),
            user_in=UserCreate(
                email=farmer, name="Ny Bonde", role=Role.farmer, password=live_server.password
            ),
        )
    page = new_page(live_server, DESK_ADVISOR)
    page.goto(live_server(f"/farms/{thousand['first']}"))
    page.get_by_role("link", name=sv("Hand the farm over to the farmer")).click()
    page.get_by_label(sv("The farmer's e-mail address")).fill(farmer)
    page.get_by_role("button", name=sv("Send the invitation")).click()
    expect(page.get_by_text(farmer).first).to_be_visible()
    mail = [m for m in live_server.app.extensions["farmcalc_outbox"] if m["To"] == farmer][-1]
    link = re.search(r"https?://[^/\s]+(/farms/handover/[\w-]+)", mail.get_content())[1]

    other = new_page(live_server)
    sign_in(other, live_server, farmer, live_server.password)
    other.goto(live_server(link))
    expect(other.get_by_role("heading", level=1)).to_have_text(sv("Take over a farm"))
    violations = axe_violations(other)
    assert not violations, describe_violations(violations)
    shot(other, "handover-invitation")
    other.get_by_role("button", name=sv("Take over the farm")).click()
    other.wait_for_url(re.compile(rf"/farms/{thousand['first']}$"))
    expect(other.get_by_role("heading", level=1)).to_have_text("Klientgård 0001")
    shot(other, "handover-accepted")
    # the advisor keeps access: the farm is still in its desk, now shared with it
    page.goto(live_server("/farms/?q=Klientg%C3%A5rd+0001"))
    expect(page.locator("#desk tbody tr").first).to_contain_text(sv("shared with you"))
