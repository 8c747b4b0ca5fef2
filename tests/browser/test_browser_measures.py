"""What to do about it, in a real browser: the farmer's measures and the municipality's table."""

from __future__ import annotations

import re

from browserkit import require_browser, squash, sv

require_browser()
from playwright.sync_api import expect  # noqa: E402


def test_farmer_sees_what_to_do_largest_first(live_server, new_page, shot):
    page = new_page(live_server, live_server.emails["farmer"])
    page.goto(live_server(f"/farms/{live_server.farm_id}/years/{live_server.year}/result"))
    page.locator("#all-measures > summary").click()  # folded on the result page (issue 16)
    heading = page.get_by_role("heading", name=sv("What you can do, calculated for your farm"))
    expect(heading).to_be_visible()
    items = page.locator(".measure-list > li")
    assert items.count() >= 1
    figures = [squash(t) for t in page.locator(".measure-figure").all_inner_texts()]
    tonnes = []
    for text in figures:
        m = re.search(r"(\d{1,3}(?: \d{3})*,\d) " + re.escape(sv("t CO2e")), text)
        assert m, text  # tonnes with a decimal comma, the Swedish way
        tonnes.append(float(m.group(1).replace(" ", "").replace(",", ".")))
    assert tonnes == sorted(tonnes, reverse=True)
    expect(items.first.locator(".measure-assumes")).to_be_visible()
    items.first.scroll_into_view_if_needed()
    shot(page, "result-measures")


def test_municipality_sees_the_measures_table(live_server, new_page, shot):
    page = new_page(live_server, live_server.emails["municipality"])
    page.goto(live_server("/municipality/"))
    page.get_by_role("link", name=sv("Measures that would cut most"), exact=True).click()
    table = page.get_by_role(
        "table", name=re.compile(re.escape(sv("Measures that would cut most")))
    )
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name=sv("Farms"))).to_be_visible()
    assert table.locator("tbody tr").count() >= 5
    table.scroll_into_view_if_needed()
    shot(page, "municipality-measures")
