"""Results made with older factors, in a real browser: the marker, and the button that
recalculates (a POST with the page's CSRF token; the live server has CSRF on)."""

from __future__ import annotations

from browserkit import require_browser, sv

require_browser()
from playwright.sync_api import expect  # noqa: E402

OLD = "2000.0.0"


def _make_older(server, farm_id: int, year: int) -> None:
    """Store the farm-year as if an older version of its factor set had made it."""
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    with server.app.app_context():
        db = get_session()
        fy = db.exec(
            select(FarmYear).where(FarmYear.farm_id == farm_id, FarmYear.year == year)
        ).one()
        fy.result = {**fy.result, "factor_set_version": OLD}
        fy.factor_set_version = OLD
        db.add(fy)
        db.commit()


def _version(server, farm_id: int, year: int) -> str:
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    with server.app.app_context():
        return (
            get_session()
            .exec(select(FarmYear).where(FarmYear.farm_id == farm_id, FarmYear.year == year))
            .one()
            .factor_set_version
        )


def _advisors_farm(server) -> int:
    """A calculated farm the demo advisor has access to."""
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import AdvisorAccess, FarmYear, User

    with server.app.app_context():
        db = get_session()
        advisor = db.exec(select(User).where(User.email == server.emails["advisor"])).one()
        return db.exec(
            select(FarmYear.farm_id)
            .join(AdvisorAccess, AdvisorAccess.farm_id == FarmYear.farm_id)
            .where(AdvisorAccess.advisor_id == advisor.id, FarmYear.result.is_not(None))
        ).first()


def test_farmer_sees_older_factors_and_recalculates(live_server, new_page, shot):
    farm, year = live_server.farm_id, live_server.year
    _make_older(live_server, farm, year)
    page = new_page(live_server, live_server.emails["farmer"])
    page.goto(live_server("/farms/"))
    expect(page.get_by_text(sv("Calculated with older factors")).first).to_be_visible()
    expect(page.get_by_role("button", name=sv("Recalculate all"))).to_be_visible()
    shot(page, "older-factors-farm-list")

    page.goto(live_server(f"/farms/{farm}"))
    notice = page.locator("#older-factors")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(str(year))
    shot(page, "older-factors-farm-page")
    notice.get_by_role("button", name=sv("Recalculate with the current factors")).click()
    expect(
        page.get_by_text(
            sv("1 year has been recalculated with the current version of the factors.")
        )
    ).to_be_visible()
    expect(page.locator("#older-factors")).to_have_count(0)
    assert _version(live_server, farm, year) != OLD


def test_advisor_recalculates_all_their_clients(live_server, new_page, shot):
    farm = _advisors_farm(live_server)
    assert farm is not None, "the demo advisor has no calculated client farm"
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import FarmYear

    with live_server.app.app_context():
        years = [
            fy.year
            for fy in get_session().exec(
                select(FarmYear).where(FarmYear.farm_id == farm, FarmYear.result.is_not(None))
            )
        ]
    _make_older(live_server, farm, years[-1])
    page = new_page(live_server, live_server.emails["advisor"])
    page.goto(live_server("/farms/"))
    button = page.get_by_role("button", name=sv("Recalculate all"))
    expect(button).to_be_visible()
    button.click()
    expect(
        page.get_by_text(
            sv("1 year has been recalculated with the current version of the factors.")
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name=sv("Recalculate all"))).to_have_count(0)
    shot(page, "older-factors-advisor-recalculated")
    assert _version(live_server, farm, years[-1]) != OLD
