"""The farm's ranges (issue 13) in a real browser at 1280 and 390 px: the total's range in
the summary, "Vad betyder intervallet?", the factors that make the result uncertain, each
source's range; the numbers those of the core's run of the stored record; axe clean; another
user's farm-year answers 404 and shows no range."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal
from browserkit import (
    DESKTOP,
    PHONE,
    axe_violations,
    describe_violations,
    horizontal_overflow,
    require_browser,
)

require_browser()
from playwright.sync_api import expect  # noqa: E402


def t_sv(kg: float) -> str:
    return format_decimal(kg / 1000.0, format="#,##0.0", locale="sv").replace("-", "\u2212")


def stored_core(server) -> dict:
    """The core's run of the server's farm-year, with the page's draws and seed."""
    from sqlmodel import select

    from farmcalc.uncertainty import run
    from web.services.farm_ranges import DEFAULT_DRAWS, DEFAULT_SEED
    from web.store.db import get_session
    from web.store.models import FarmYear

    with server.app.app_context():
        fy = (
            get_session()
            .exec(
                select(FarmYear).where(
                    FarmYear.farm_id == server.farm_id, FarmYear.year == server.year
                )
            )
            .one()
        )
        record, fset, gwp = fy.record, fy.result["factor_set"], fy.result["gwp"]
    return run([record], draws=DEFAULT_DRAWS, seed=DEFAULT_SEED, factors=fset, gwp=gwp).to_dict(0)


def other_farm(server) -> int:
    """A farm the demo farmer neither owns nor advises."""
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import Farm, User

    with server.app.app_context():
        db = get_session()
        me = db.exec(select(User).where(User.email == server.emails["farmer"])).one()
        return db.exec(select(Farm.id).where(Farm.owner_id != me.id).order_by(Farm.id)).first()


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_ranges_on_the_result_page(live_server, new_page, shot, width):
    opts = (
        {"viewport": PHONE, "is_mobile": True, "has_touch": True}
        if width == "phone"
        else {"viewport": DESKTOP}
    )
    page = new_page(live_server, live_server.emails["farmer"], **opts)
    url = f"/farms/{live_server.farm_id}/years/{live_server.year}/result"
    assert page.goto(live_server(url)).status == 200
    want = stored_core(live_server)
    tot = want["totals"]["co2e_kg"]
    card = page.locator(".card--total")
    expect(card).to_contain_text(
        f"troligen mellan {t_sv(tot['p2_5'])} och {t_sv(tot['p97_5'])} ton"
    )
    ranges = page.locator("#ranges")
    explain = ranges.locator("details.range-explain")
    explain.locator("summary", has_text="Vad betyder intervallet?").click()
    expect(explain).to_contain_text("95 av 100")
    expect(ranges.get_by_role("heading", name="Det här gör resultatet osäkert")).to_be_visible()
    n = ranges.locator("ol.uncertain-factors > li").count()
    assert 3 <= n <= 5
    ranges.locator("details.range-sources summary").click()
    table = ranges.locator("table.range-table")
    expect(table).to_be_visible()
    first = max(
        (r for r in want["by_source"] if r["source"] != "soil_carbon"), key=lambda r: r["p50"]
    )
    expect(table.locator("tbody tr").first).to_contain_text(
        f"{t_sv(first['p2_5'])}–{t_sv(first['p97_5'])}"
    )
    scroll_width, inner_width = horizontal_overflow(page)
    assert scroll_width <= inner_width  # the open table scrolls in its own region
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, f"result-ranges-{width}")


def test_another_users_farm_year_has_no_ranges(live_server, new_page):
    page = new_page(live_server, live_server.emails["farmer"], viewport=DESKTOP)
    farm = other_farm(live_server)
    res = page.goto(live_server(f"/farms/{farm}/years/{live_server.year}/result"))
    assert res.status == 404
    assert page.locator("#ranges").count() == 0
    assert "troligen mellan" not in page.content()
