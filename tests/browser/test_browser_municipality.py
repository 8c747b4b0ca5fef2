"""The municipality's dashboard: Swedish for the municipality, 404 for a farmer."""

from __future__ import annotations

import re

from browserkit import require_browser, squash, sv

require_browser()
from playwright.sync_api import expect  # noqa: E402


def test_municipality_sees_the_dashboard_in_swedish(live_server, new_page, shot):
    page = new_page(live_server, live_server.emails["municipality"])
    page.goto(live_server("/farms/"))
    nav = page.get_by_role("navigation", name=sv("Main menu"))
    nav.get_by_role("link", name=sv("Agriculture in the municipality")).click()
    expect(page).to_have_url(re.compile(r"/municipality/$"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(sv("Agriculture's climate impact"))
    expect(heading).to_contain_text("Kristianstads kommun")
    # the demo farms are there as totals, in whole tonnes written the Swedish way
    year = max(
        int(y)
        for y in page.get_by_label(sv("Year"), exact=True).locator("option").all_inner_texts()
    )
    assert year == 2025
    lead = squash(page.locator(".lead").first.inner_text())
    assert lead.startswith(f"{year}:"), lead
    total = squash(page.locator(".big-number").first.inner_text())
    assert re.fullmatch(r"\d{1,3}( \d{3})* " + re.escape(sv("t CO2e")), total), total
    shot(page, "dashboard")

    # another year through the form
    page.get_by_label(sv("Year"), exact=True).select_option("2023")
    page.get_by_role("button", name=sv("Show"), exact=True).click()
    expect(page).to_have_url(re.compile(r"year=2023"))
    expect(page.locator(".lead").first).to_contain_text("2023:")


def test_farmer_gets_404_for_the_dashboard(live_server, new_page):
    page = new_page(live_server, live_server.emails["farmer"])
    nav = page.get_by_role("navigation", name=sv("Main menu"))
    page.goto(live_server("/farms/"))
    expect(nav.get_by_role("link", name=sv("Agriculture in the municipality"))).to_have_count(0)
    response = page.goto(live_server("/municipality/"))
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("main")).to_contain_text(sv("Error code: %(code)s", code=404))
    expect(page.get_by_role("main")).not_to_contain_text(sv("Agriculture's climate impact"))
