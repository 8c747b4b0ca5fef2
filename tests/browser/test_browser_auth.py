"""Accounts in a real browser: sign up, sign in, the language switch, sign out."""

from __future__ import annotations

import re

from browserkit import FARMER_PASSWORD, require_browser, sign_in, sign_up, sv, unique_email

require_browser()
from playwright.sync_api import expect  # noqa: E402


def test_sign_up_then_sign_in(live_server, new_page, shot):
    page = new_page(live_server)
    email = unique_email()
    sign_up(page, live_server, name="Karin Bonde", email=email, password="för-kort")
    # the server's Swedish message at the field; nothing was created
    expect(
        page.get_by_text(sv("Between %(min)d and %(max)d characters.", min=10, max=200))
    ).to_be_visible()
    expect(page.get_by_label(sv("Password (at least 10 characters)"))).to_have_attribute(
        "aria-invalid", "true"
    )
    shot(page, "signup-error")

    sign_up(page, live_server, name="Karin Bonde", email=email)
    expect(page).to_have_url(re.compile(r"/farms/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(sv("My farms"))
    welcome = sv("Your e-mail address is confirmed. Welcome, %(name)s!", name="Karin Bonde")
    expect(page.get_by_text(welcome)).to_be_visible()
    shot(page, "welcome")

    # a fresh browser (no cookies) signs in with the new account
    other = new_page(live_server)
    other.goto(live_server("/farms/"))
    expect(other).to_have_url(re.compile(r"/auth/signin"))
    main = other.get_by_role("main")
    main.get_by_label(sv("E-mail address")).fill(email)
    main.get_by_label(sv("Password"), exact=True).fill("fel-lösenord-123")
    main.get_by_role("button", name=sv("Sign in")).click()
    expect(other.get_by_role("alert")).to_contain_text(sv("Wrong e-mail address or password."))
    main.get_by_label(sv("Password"), exact=True).fill(FARMER_PASSWORD)
    main.get_by_role("button", name=sv("Sign in")).click()
    expect(other).to_have_url(re.compile(r"/farms/$"))  # ?next= brought us back
    expect(other.get_by_role("contentinfo")).to_contain_text(email)


def test_language_switch(live_server, new_page):
    page = new_page(live_server, live_server.emails["farmer"])
    page.goto(live_server(f"/farms/{live_server.farm_id}"))
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", name=sv("Years"), exact=True)).to_be_visible()
    nav = page.get_by_role("navigation", name=sv("Main menu"))

    nav.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/farms/{live_server.farm_id}$"))  # same page
    expect(page.get_by_role("heading", name="Years", exact=True)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main menu")
    expect(nav.get_by_role("link", name="My farms")).to_be_visible()
    # the choice stays while browsing
    nav.get_by_role("link", name="My farms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My farms")

    nav.get_by_role("button", name="Svenska").click()
    expect(html).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text(sv("My farms"))


def test_sign_out_ends_the_session(live_server, new_page, browser):
    page = new_page(live_server)
    sign_in(page, live_server, live_server.emails["farmer"], live_server.password)
    farm_url = live_server(f"/farms/{live_server.farm_id}")
    page.goto(farm_url)
    expect(page.get_by_role("heading", name=sv("Years"), exact=True)).to_be_visible()
    cookies = page.context.cookies()

    page.get_by_role("button", name=sv("Sign out")).click()
    expect(page.get_by_text(sv("You are signed out."))).to_be_visible()
    nav = page.get_by_role("navigation", name=sv("Main menu"))
    expect(nav.get_by_role("link", name=sv("Sign in"))).to_be_visible()

    # the back button asks the server again (no-store) and gets the sign-in page
    page.go_back()
    expect(page).to_have_url(re.compile(r"/auth/signin"))
    expect(page.get_by_role("heading", level=1)).to_have_text(sv("Sign in"))
    page.goto(farm_url)
    expect(page).to_have_url(re.compile(r"/auth/signin"))

    # a copy of the old cookie opens nothing either
    thief = browser.new_context(locale="sv-SE")
    try:
        thief.add_cookies(cookies)
        stolen = thief.new_page()
        stolen.goto(farm_url)
        expect(stolen).to_have_url(re.compile(r"/auth/signin"))
    finally:
        thief.close()
