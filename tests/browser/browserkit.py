"""Helpers of the browser tests (tests/browser): Swedish texts, signing in, axe-core.

A module of its own (not conftest.py) so that test modules can import it by a
name no other test folder uses.
"""

from __future__ import annotations

import importlib.util
import os
import re
import uuid
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("FARMCALC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CONTRAST_SKIP = "tbody tr:nth-child(n+4)"  # colour contrast on three rows of each table
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FARMER_PASSWORD = "gröna-fält-och-kor"  # of the accounts the tests sign up


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for package in ("playwright", "axe_playwright_python"):
        if importlib.util.find_spec(package) is None:
            return f"the Python package {package} is missing (pip install -e '.[test]')"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def require_browser() -> None:
    """Skip the calling test module without a browser, but fail in CI (``CI`` set)."""
    reason = missing_browser()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def sv(msgid: str, **params: Any) -> str:
    """The Swedish text of an English msgid, as the pages show it.

    Fails when the catalogue has no Swedish for it: a page that shows English
    where Swedish is expected must not pass as Swedish.
    """
    from farmcalc.i18n import compile_catalogs, get_translations

    compile_catalogs()
    translated = get_translations("sv").gettext(msgid)
    words = re.sub(r"%\(\w+\)[sd]|%%", "", msgid)
    assert translated != msgid or not re.search(r"[A-Za-z]", words), (
        f"no Swedish translation of {msgid!r}"
    )
    return translated % params if params else translated


def squash(s: str) -> str:
    """Spaces of any kind (Babel groups digits with U+00A0) as one plain space."""
    return re.sub(r"\s+", " ", s.replace("\u00a0", " ").replace("\u202f", " ")).strip()


@dataclass
class Server:
    """A running app: its base URL, the app, and what the seed made."""

    url: str
    app: Any
    backend: str
    password: str  # of the demo users
    emails: dict[str, str]  # role → the demo user's e-mail
    farm_id: int  # the demo farmer's farm with the most calculated years
    year: int  # that farm's latest calculated year

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def sign_in(page: Any, server: Server, email: str, password: str) -> None:
    """Sign in through the real form and wait until the app has let us in.

    Admin and municipality users (and anyone who turned it on) get the
    two-factor step (web/views/twofactor.py): the first time they enrol, typing the
    secret the page shows into pyotp as a phone app would; then the code.
    """
    page.goto(server("/auth/signin"))
    main = page.get_by_role("main")
    main.get_by_label(sv("E-mail address")).fill(email)
    main.get_by_label(sv("Password"), exact=True).fill(password)
    main.get_by_role("button", name=sv("Sign in")).click()
    page.wait_for_url(lambda url: "/auth/signin" not in url)
    if "/auth/twofactor" not in page.url:
        return
    import pyotp

    if "/auth/twofactor/enrol" in page.url:
        secret = main.locator("#totp-secret").inner_text().strip()
        main.get_by_label(sv("Code")).fill(pyotp.TOTP(secret).now())
        main.get_by_role("button", name=sv("Turn on")).click()
        main.get_by_role("link", name=sv("Continue")).click()
    else:
        secret = _totp_secret(server, email)
        main.get_by_label(sv("Code")).fill(pyotp.TOTP(secret).now())
        main.get_by_role("button", name=sv("Sign in")).click()
    page.wait_for_url(lambda url: "/auth/" not in url)


def _totp_secret(server: Server, email: str) -> str:
    """The user's TOTP secret, read as the phone app keeps it; the last code's step is
    forgotten, since tests sign in again within the same 30 seconds."""
    from web.store import crud
    from web.store.db import get_session

    with server.app.app_context():
        db = get_session()
        user = crud.get_user_by_email(session=db, email=email)
        user.totp_last_step = None
        db.add(user)
        db.commit()
        return user.totp_secret


def unique_email() -> str:
    return f"bonde-{uuid.uuid4().hex[:10]}@example.se"


def sign_up(page, server, *, name: str, email: str, password: str = FARMER_PASSWORD) -> None:
    """Create a farmer account through the real sign-up page (from the start page's link)."""
    page.goto(server("/"))
    page.get_by_role("main").get_by_role("link", name=sv("Create account")).click()
    page.get_by_role("heading", level=1, name=sv("Create account")).wait_for()
    form = page.get_by_role("main")
    form.get_by_label(sv("Your name")).fill(name)
    form.get_by_label(sv("E-mail address")).fill(email)
    form.get_by_role("radio", name=sv("a farmer")).check()
    form.get_by_label(sv("Password (at least 10 characters)")).fill(password)
    form.get_by_label(sv("Password again")).fill(password)
    form.get_by_role("button", name=sv("Create account")).click()
    if "@" not in email or len(password) < 10:
        return  # a form with errors stays on the page
    # the address is verified through the link mailed to it (the console backend's outbox)
    page.get_by_role("heading", level=1, name=sv("Check your e-mail")).wait_for()
    sent = [m for m in server.app.extensions.get("farmcalc_outbox", []) if m["To"] == email]
    link = re.search(r"https?://[^/\s]+(/auth/verify/(?!resend\b)[\w-]+)", sent[-1].get_content())
    page.goto(server(link.group(1)))
    page.get_by_role("button", name=sv("Confirm the e-mail address")).click()
    page.wait_for_url(lambda url: "/auth/verify/" not in url)


@cache
def axe_script() -> str:
    """axe-core's axe.min.js (MPL-2.0), as the PyPI package axe-playwright-python ships it."""
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict]:
    """axe-core's violations of WCAG 2.1 A and AA on the page as it is now.

    The script is evaluated through the DevTools protocol, so the app's CSP
    (no inline scripts) stays on. Every rule runs on the whole page except
    colour contrast, which skips table rows after the third of each table body
    (``CONTRAST_SKIP``): the rows repeat the same styles, and contrast on the
    600 rows of the factors page alone takes half a minute.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_script())
    found = page.evaluate(
        "options => axe.run(document, options)",
        {
            "runOnly": {"type": "tag", "values": AXE_TAGS},
            "rules": {"color-contrast": {"enabled": False}},
            "resultTypes": ["violations"],
        },
    )["violations"]
    contrast = page.evaluate(
        "([exclude, options]) => axe.run({exclude: [[exclude]]}, options)",
        [
            CONTRAST_SKIP,
            {
                "runOnly": {"type": "rule", "values": ["color-contrast"]},
                "resultTypes": ["violations"],
            },
        ],
    )["violations"]
    return found + contrast


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v['help']} – {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def horizontal_overflow(page: Any) -> tuple[int, int]:
    """(scrollWidth, innerWidth) of the page."""
    return tuple(page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]"))
