"""The farm's action plan in a real browser: from the result page, in Swedish, on a phone."""

from __future__ import annotations

import re

from browserkit import PHONE, axe_violations, describe_violations, require_browser, squash, sv

require_browser()
from playwright.sync_api import expect  # noqa: E402


def choose(page, row: int, measure: str, year: str) -> None:
    page.locator(f"#measure-{row}").select_option(measure)
    page.locator(f"#start-{row}").select_option(year)


def test_farmer_makes_an_action_plan(live_server, new_page, shot):
    farm, year = live_server.farm_id, live_server.year
    page = new_page(live_server, live_server.emails["farmer"])
    page.goto(live_server(f"/farms/{farm}/years/{year}/result"))
    page.get_by_role("link", name=sv("Make an action plan")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        sv("Action plan from %(year)s", year=year)
    )
    options = page.locator("#measure-0 option").evaluate_all("els => els.map(e => e.value)")
    measures = [m for m in options if m][:3]
    assert len(measures) >= 2, options
    # a measure twice: refused at its field, nothing stored
    choose(page, 0, measures[0], str(year + 2))
    choose(page, 1, measures[0], str(year + 3))
    page.get_by_role("button", name=sv("Save the plan and calculate")).click()
    error = page.locator("#measure-1-error")
    expect(error).to_have_text(
        sv("This measure is already in the plan: choose each measure once.")
    )
    expect(page.locator("#measure-1")).to_have_attribute("aria-invalid", "true")
    assert page.locator(".summary").count() == 0  # no plan stored yet
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, "error")
    # the plan: each measure once, starting in different years
    for i, m in enumerate(measures):
        choose(page, i, m, str(min(year + 2 * i, 2030)))
    page.get_by_role("button", name=sv("Save the plan and calculate")).click()
    expect(page.get_by_text(sv("The plan has been saved."))).to_be_visible()
    card = squash(page.locator(".card--total").inner_text())
    assert re.search(r"\d,\d " + re.escape(sv("t CO2e")), card), card
    expect(
        page.get_by_role(
            "img", name=sv("What each tonne costs: the plan's measures, cheapest first")
        )
    ).to_be_visible()
    body = squash(page.locator("main").inner_text())
    assert sv("kr per tonne") in body and sv("assumption") in body
    assert sv("Less emissions in total up to %(y)d", y=2030) in body
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, "desktop")
    # a phone: nothing wider than the screen, and still no violation
    phone = new_page(live_server, live_server.emails["farmer"], viewport=PHONE)
    phone.goto(live_server(f"/farms/{farm}/years/{year}/plan"))
    expect(phone.locator(".card--total")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    violations = axe_violations(phone)
    assert not violations, describe_violations(violations)
    shot(phone, "phone")
    for name, selector in (
        ("form", ".plan-rows"),
        ("summary", ".summary"),
        ("curve", "#chart-macc"),
    ):
        phone.locator(selector).scroll_into_view_if_needed()
        shot(phone, f"phone-{name}", full_page=False)
