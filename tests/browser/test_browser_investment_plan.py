"""The municipality's climate investment plan in a real browser: in Swedish, on a phone."""

from __future__ import annotations

from browserkit import (
    axe_violations,
    describe_violations,
    horizontal_overflow,
    require_browser,
    squash,
    sv,
)

require_browser()
from playwright.sync_api import expect  # noqa: E402

PHONE_375 = {"width": 375, "height": 812}
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 8)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def no_sideways_scroll(page) -> None:
    """The page is no wider than the screen (wide tables scroll inside their region)."""
    width, inner = horizontal_overflow(page)
    assert width <= inner, (width, inner, page.evaluate(WIDE))


def test_strategist_makes_a_climate_investment_plan(live_server, new_page, shot):
    page = new_page(live_server, live_server.emails["municipality"])
    page.goto(live_server("/municipality/"))
    page.get_by_role("link", name=sv("Climate investment plan")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sv("Climate investment plan"))
    page.get_by_role("link", name=sv("New scenario")).click()
    page.get_by_label(sv("Name of the scenario")).fill("Fossilfritt 2030")
    # a share over 100 %: refused at its field, nothing stored
    page.locator("#share-hvo100-2030").fill("120")
    page.get_by_role("button", name=sv("Save and show the figures")).click()
    error = page.locator("#share-hvo100-2030-error")
    expect(error).to_contain_text("En andel kan inte vara över 100 %")
    expect(page.locator("#share-hvo100-2030")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, "error")
    # the scenario, with a decimal comma
    page.locator("#share-hvo100-2026").fill("20")
    page.locator("#share-hvo100-2030").fill("80")
    page.locator("#share-nitrification_inhibitor-2027").fill("12,5")
    page.locator("#share-nitrification_inhibitor-2030").fill("60")
    page.locator("#share-solar_pv-2028").fill("30")
    page.get_by_role("button", name=sv("Save and show the figures")).click()
    expect(page.get_by_text(sv("The scenario has been saved."))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fossilfritt 2030")
    card = squash(page.locator(".card--total").inner_text())
    assert sv("Fossil CO2 in %(year)s", year=2030) in card, card
    assert ("över banan" in card) or ("På väg att nå målet" in card), card
    expect(
        page.get_by_role(
            "img",
            name=sv(
                "Fossil CO2 with the scenario against the path of −%(rate)s %% a year", rate=14
            ),
        )
    ).to_be_visible()
    body = squash(page.locator("main").inner_text())
    for text in ("tkr", "kr/t", sv("How the figures are made"), sv("Measure by measure")):
        assert text in body, text
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert horizontal_overflow(page)[0] <= horizontal_overflow(page)[1]
    shot(page, "desktop")
    url = page.url

    # a phone 375 px wide: the page does not scroll sideways, still no violation
    phone = new_page(live_server, live_server.emails["municipality"], viewport=PHONE_375)
    phone.goto(url)
    expect(phone.locator(".card--total")).to_be_visible()
    no_sideways_scroll(phone)
    violations = axe_violations(phone)
    assert not violations, describe_violations(violations)
    shot(phone, "phone")
    phone.goto(live_server("/municipality/plan/new"))
    no_sideways_scroll(phone)
    violations = axe_violations(phone)
    assert not violations, describe_violations(violations)
    shot(phone, "phone-form")
