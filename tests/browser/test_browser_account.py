"""The account page in a real browser: change the password on the phone; the other
browser is signed out, this one stays signed in, and the new password works."""

from __future__ import annotations

import re

from browserkit import (
    PHONE,
    axe_violations,
    describe_violations,
    require_browser,
    sign_in,
    sign_up,
    sv,
    unique_email,
)

require_browser()
from playwright.sync_api import expect  # noqa: E402

OLD = "gröna-fält-och-kor"
NEW = "nya-gröna-fält-2025"


def test_change_password_on_a_phone(live_server, new_page, shot):
    email = unique_email()
    phone = new_page(live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    sign_up(phone, live_server, name="Lösen Bonde", email=email, password=OLD)
    expect(phone).to_have_url(re.compile(r"/farms/$"))
    computer = new_page(live_server)  # the same person, signed in on another computer
    sign_in(computer, live_server, email, OLD)

    nav = phone.get_by_role("navigation", name=sv("Main menu"))
    nav.get_by_role("link", name=sv("My account")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(sv("My account"))
    main = phone.get_by_role("main")
    expect(main.get_by_text(email)).to_be_visible()
    expect(main.get_by_text(sv("Farmer"), exact=True)).to_be_visible()
    expect(main.get_by_role("link", name=sv("API tokens"))).to_be_visible()
    shot(phone, "phone")

    # a wrong current password: the message at the field, nothing changed
    main.get_by_label(sv("Current password")).fill("inte-mitt-lösenord")
    main.get_by_label(sv("New password (at least 10 characters)")).fill(NEW)
    main.get_by_label(sv("New password again")).fill(NEW)
    main.get_by_role("button", name=sv("Change password")).click()
    current = main.get_by_label(sv("Current password"))
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(main.get_by_text(sv("That is not your current password. Try again."))).to_be_visible()
    violations = axe_violations(phone)
    assert not violations, describe_violations(violations)
    shot(phone, "wrong-password")

    current.fill(OLD)
    main.get_by_label(sv("New password (at least 10 characters)")).fill(NEW)
    main.get_by_label(sv("New password again")).fill(NEW)
    main.get_by_role("button", name=sv("Change password")).click()
    done = sv(
        "Your password is changed. You are still signed in here, and signed out everywhere else."
    )
    expect(phone.get_by_role("status")).to_contain_text(done)
    shot(phone, "changed")

    phone.goto(live_server("/farms/"))  # this browser is still signed in
    expect(phone.get_by_role("heading", level=1)).to_have_text(sv("My farms"))
    computer.goto(live_server("/farms/"))  # the other one is not
    expect(computer).to_have_url(re.compile(r"/auth/signin"))
    sign_in(computer, live_server, email, NEW)
    expect(computer).to_have_url(re.compile(r"/farms/$"))
