"""The municipality confirms a farm that a new account added (issue 9: who counts)."""

from __future__ import annotations

import re

from browserkit import require_browser, sign_up, sv, unique_email

require_browser()
from playwright.sync_api import expect  # noqa: E402


def test_the_municipality_confirms_a_new_farm(live_server, new_page, shot):
    # a stranger signs up and adds a farm in 1290: it waits, and says so
    farmer = new_page(live_server)
    sign_up(farmer, live_server, name="Ny Granne", email=unique_email())
    farmer.goto(live_server("/farms/new"))
    form = farmer.get_by_role("main")
    form.get_by_label(sv("Farm identifier")).fill("NY-1")
    form.get_by_label(sv("Farm name")).fill("Grannens gård")
    form.get_by_label(sv("Municipality"), exact=True).select_option("1290")  # Kristianstad
    form.get_by_role("button", name=sv("Add the farm")).click()
    expect(farmer).to_have_url(re.compile(r"/farms/\d+$"))
    expect(farmer.get_by_role("main")).to_contain_text(sv("Awaiting confirmation"))

    # the municipality finds it in its register, from the menu, and confirms it
    page = new_page(live_server, live_server.emails["municipality"])
    page.goto(live_server("/municipality/"))
    nav = page.get_by_role("navigation", name=sv("Main menu"))
    nav.get_by_role("link", name=sv("Farms to confirm")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sv("Farms to confirm"))
    row = page.get_by_role("row").filter(has_text="Grannens gård")
    expect(row).to_contain_text("NY-1")
    expect(row).to_contain_text("Ny Granne")
    expect(row).to_contain_text(sv("Awaiting confirmation"))
    expect(page.get_by_role("main")).not_to_contain_text("CO2e")  # names, never figures
    shot(page, "register")
    row.get_by_role("button", name=re.compile("^" + re.escape(sv("Confirm")))).click()
    expect(page.get_by_role("status")).to_contain_text(
        sv("The farm is confirmed: it counts in the municipality's figures.")
    )
    row = page.get_by_role("row").filter(has_text="Grannens gård")
    expect(row).to_contain_text(sv("Confirmed"))
    expect(row).to_contain_text(sv("by %(name)s", name="Kristianstads kommun"))
    shot(page, "confirmed")

    # the farmer sees it
    farmer.reload()
    expect(farmer.get_by_role("main")).to_contain_text(
        sv("Confirmed by the municipality %(date)s", date="").strip()
    )
