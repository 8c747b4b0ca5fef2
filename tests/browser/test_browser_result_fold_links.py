"""The result page's links to its folds ("Alla källor", "Alla åtgärder" in the lead) open the
<details> they jump to (web/static/open_target.js): followed, arrived at with the fragment in
the address, and followed again after the fold was closed (the fragment does not change)."""

from __future__ import annotations

from browserkit import PHONE, require_browser

require_browser()
from playwright.sync_api import expect  # noqa: E402


def _url(live_server, fragment: str = "") -> str:
    return live_server(f"/farms/{live_server.farm_id}/years/{live_server.year}/result{fragment}")


def test_the_leads_links_open_the_fold_they_jump_to(live_server, new_page):
    page = new_page(live_server, live_server.emails["farmer"], viewport=PHONE, is_mobile=True)
    page.goto(_url(live_server))
    lead = page.locator("section.lead")
    for name, fold in (("Alla källor", "#all-sources"), ("Alla åtgärder", "#all-measures")):
        expect(page.locator(fold)).not_to_have_attribute("open", "")
        lead.get_by_role("link", name=name, exact=True).click()
        expect(page.locator(fold)).to_have_attribute("open", "")
        # what it holds is shown and scrolled to
        expect(page.locator(f"{fold} > summary")).to_be_in_viewport()
        expect(page.locator(f"{fold} > :not(summary)").first).to_be_visible()
    # closed again by its summary, the same link (same fragment, no hashchange) opens it
    page.locator("#all-measures > summary").click()
    expect(page.locator("#all-measures")).not_to_have_attribute("open", "")
    lead.get_by_role("link", name="Alla åtgärder", exact=True).click()
    expect(page.locator("#all-measures")).to_have_attribute("open", "")


def test_arriving_with_the_fragment_opens_the_fold(live_server, new_page):
    page = new_page(live_server, live_server.emails["farmer"])
    page.goto(_url(live_server, "#all-sources"))
    expect(page.locator("#all-sources")).to_have_attribute("open", "")
    expect(page.locator("#all-measures")).not_to_have_attribute("open", "")
