"""Deleting a farm in a real browser: the confirmation page, the typed code, the farm gone."""

from __future__ import annotations

from browserkit import (
    FARMER_PASSWORD,
    axe_violations,
    describe_violations,
    require_browser,
    sign_up,
    sv,
    unique_email,
)

require_browser()
from playwright.sync_api import expect  # noqa: E402


def test_owner_deletes_a_farm_after_typing_its_code(live_server, new_page, shot):
    page = new_page(live_server)
    sign_up(page, live_server, name="Rensa Bonde", email=unique_email(), password=FARMER_PASSWORD)
    page.goto(live_server("/farms/new"))
    main = page.get_by_role("main")
    main.get_by_label(sv("Farm identifier")).fill("B-DEL")
    main.get_by_label(sv("Farm name")).fill("Gården som ska bort")
    main.get_by_role("button", name=sv("Add the farm")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gården som ska bort")

    page.get_by_role("main").get_by_role("link", name=sv("Delete the farm")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(sv("Delete the farm"))
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name=sv("The municipality's figures"))).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, "farm-delete")

    field = main.get_by_label(sv("The farm's identifier"))
    field.fill("B-DE")  # a wrong code: nothing deleted, the error at the field
    main.get_by_role("button", name=sv("Delete the farm for good")).click()
    field = page.get_by_role("main").get_by_label(sv("The farm's identifier"))
    expect(field).to_have_attribute("aria-invalid", "true")

    field.fill("B-DEL")
    page.get_by_role("main").get_by_role("button", name=sv("Delete the farm for good")).click()
    page.wait_for_url(live_server("/farms/"))
    expect(page.get_by_text("B-DEL", exact=False).first).to_be_visible()  # the message names it
    assert "Gården som ska bort" not in page.get_by_role("main").inner_text()
