"""Personal API tokens in a real browser: make one (shown once), use it, revoke it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

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


def api_get(server, path: str, token: str) -> tuple[int, object]:
    request = urllib.request.Request(server(path), headers={"Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # our own server
    try:
        with opener.open(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_make_use_and_revoke_a_token(live_server, new_page, shot):
    page = new_page(live_server)
    sign_up(page, live_server, name="Token Bonde", email=unique_email(), password=FARMER_PASSWORD)
    page.get_by_role("link", name=sv("API tokens")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(sv("API tokens"))
    expect(page.get_by_text(sv("You have no API tokens."))).to_be_visible()

    main = page.get_by_role("main")
    main.get_by_role("button", name=sv("Make token")).click()  # no name: error at the field
    expect(main.get_by_label(sv("Name of the token"))).to_have_attribute("aria-invalid", "true")
    main.get_by_label(sv("Name of the token")).fill("Gårdsprogrammet")
    main.get_by_role("button", name=sv("Make token")).click()
    token = main.get_by_label(sv("Token"), exact=True).input_value()
    assert token.startswith("fc_")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    shot(page, "api-token-new")

    assert api_get(live_server, "/api/v1/farms", token) == (200, [])

    page.goto(live_server("/account/tokens"))
    assert token not in page.content()  # shown once
    main = page.get_by_role("main")
    expect(main.get_by_role("cell", name=sv("Active"))).to_be_visible()
    main.get_by_role("button", name=sv("Revoke")).click()
    expect(page.get_by_text(sv("Revoked"), exact=True)).to_be_visible()
    status, body = api_get(live_server, "/api/v1/farms", token)
    assert status == 401 and body["error"] == 401
