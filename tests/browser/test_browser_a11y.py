"""axe-core on the main pages: no violation of WCAG 2.1 A or AA.

Swedish public-sector services must meet WCAG 2.1 AA (lagen om tillgänglighet
till digital offentlig service). Each page is checked in Swedish, as the user
who would see it; the farm pages on the demo farmer's farm with the most
calculated years.
"""

from __future__ import annotations

import pytest
from browserkit import (
    DESKTOP,
    TIMEOUT_MS,
    axe_violations,
    describe_violations,
    require_browser,
    sv,
)

require_browser()
from playwright.sync_api import expect  # noqa: E402

STEPS = ("farm", "animals", "manure", "crops", "energy", "soils", "summary")

# (id, role signed in or None, path with {farm} and {year})
PAGES = [
    ("start", None, "/"),
    ("sign-in", None, "/auth/signin"),
    ("sign-up", None, "/auth/signup"),
    ("factors", None, "/factors/sweden"),
    ("factor-sources", None, "/factors/sweden/sources"),
    ("my-farms", "farmer", "/farms/"),
    ("new-farm", "farmer", "/farms/new"),
    ("farm", "farmer", "/farms/{farm}"),
    ("advisor-access", "farmer", "/farms/{farm}/access"),
    ("new-year", "farmer", "/farms/{farm}/years/new"),
    *((f"step-{s}", "farmer", f"/farms/{{farm}}/years/{{year}}/{s}") for s in STEPS),
    ("result", "farmer", "/farms/{farm}/years/{year}/result"),
    ("compare", "farmer", "/farms/{farm}/compare"),
    ("account", "farmer", "/account/"),
    ("api-tokens", "farmer", "/account/tokens"),
    ("two-step-sign-in", "farmer", "/account/twofactor"),
    ("advisor-farms", "advisor", "/farms/"),
    ("advisor-import", "advisor", "/import/"),
    ("not-found", "farmer", "/farms/999999"),
    ("municipality", "municipality", "/municipality/"),
    ("farms-to-confirm", "municipality", "/confirmations/"),
    ("trusted-advisors", "municipality", "/confirmations/advisors"),
]


@pytest.fixture(scope="module")
def page_as(browser, storage_states, live_server):
    """One page per role for the whole module (the pages only read)."""
    pages, contexts = {}, []

    def get(role):
        if role not in pages:
            options = {"locale": "sv-SE", "viewport": DESKTOP}
            if role:
                options["storage_state"] = storage_states(live_server, live_server.emails[role])
            context = browser.new_context(**options)
            context.set_default_timeout(TIMEOUT_MS)
            contexts.append(context)
            pages[role] = context.new_page()
        return pages[role]

    yield get
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("role", "path"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_page_has_no_wcag_violations(live_server, page_as, role, path):
    page = page_as(role)
    url = path.format(farm=live_server.farm_id, year=live_server.year)
    response = page.goto(live_server(url))
    assert response is not None
    expected = 404 if url == "/farms/999999" else 200
    assert response.status == expected, f"{url}: HTTP {response.status}"
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    violations = axe_violations(page)
    assert not violations, f"{url}:\n{describe_violations(violations)}"


def test_form_errors_have_no_wcag_violations(live_server, new_page):
    """A step with errors at the fields and the error summary at the top."""
    page = new_page(live_server, live_server.emails["farmer"])
    page.goto(live_server(f"/farms/{live_server.farm_id}/years/{live_server.year}/energy"))
    page.get_by_label(sv("Diesel (litres per year)")).fill("mycket")
    page.get_by_label(sv("Electricity (kWh per year)")).fill("-5")
    page.get_by_role("button", name=sv("Save and continue"), exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(sv("Please check these fields"))
    expect(page.get_by_label(sv("Diesel (litres per year)"))).to_have_attribute(
        "aria-invalid", "true"
    )
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_sign_up_errors_have_no_wcag_violations(live_server, page_as):
    page = page_as(None)
    page.goto(live_server("/auth/signup"))
    page.get_by_role("main").get_by_role("button", name=sv("Create account")).click()
    expect(page.get_by_label(sv("Your name"))).to_have_attribute("aria-invalid", "true")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_the_checker_finds_violations(page_as):
    """The harness itself: axe must report a missing label and too little contrast."""
    page = page_as(None)
    page.goto("about:blank")  # no CSP: the inline style must apply
    page.set_content(
        '<html lang="sv"><head><title>Prov</title></head><body><main><h1>Prov</h1>'
        '<input type="text" name="x">'
        '<p style="color:#bbb;background:#fff">Svag text</p></main></body></html>'
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= found, found
