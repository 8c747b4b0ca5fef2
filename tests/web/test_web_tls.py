"""Issue 15 §8: over TLS, ``Secure`` cookies and HSTS, by one setting (``FARMCALC_TLS=1``).

HSTS is sent only on a secure request (``request.is_secure``): over plain HTTP
the header means nothing and would only confuse a reader. Behind nginx the
request is secure when ``FARMCALC_PROXY_FIX=1`` trusts its ``X-Forwarded-Proto``.
The old ``FARMCALC_SECURE_COOKIES=1`` keeps working and means the same.
"""

from __future__ import annotations

import urllib.request

import pytest
from slow_clients import serve

from web import create_app
from web.store.db import dispose

HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
def make_app(migrated_db_url, tmp_path, monkeypatch):
    """An app built with the given environment variables set (and the others unset)."""
    apps = []

    def make(**env: str):
        for name in ("FARMCALC_TLS", "FARMCALC_SECURE_COOKIES", "FARMCALC_PROXY_FIX"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        config = {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": migrated_db_url}
        app = create_app(config, instance_path=tmp_path / "instance")
        apps.append(app)
        return app

    yield make
    for app in apps:
        dispose(app)


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[0]


@pytest.mark.parametrize("setting", ["FARMCALC_TLS", "FARMCALC_SECURE_COOKIES"])
def test_tls_setting_makes_cookies_secure_and_sends_hsts_over_https(make_app, setting):
    app = make_app(**{setting: "1"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    client = app.test_client()
    resp = client.get("/auth/signin", base_url="https://localhost")
    assert resp.status_code == 200
    assert resp.headers["Strict-Transport-Security"] == HSTS
    # the session cookie carries the CSRF token of the form: Secure
    assert "; Secure" in _session_cookie(resp)
    # error pages and static files are covered too
    assert (
        client.get("/no-such-page", base_url="https://localhost").headers[
            "Strict-Transport-Security"
        ]
        == HSTS
    )


def test_no_hsts_over_plain_http_even_with_the_setting(make_app):
    client = make_app(FARMCALC_TLS="1").test_client()
    resp = client.get("/")
    assert resp.status_code == 200
    assert "Strict-Transport-Security" not in resp.headers


def test_without_the_setting_no_hsts_and_cookies_not_secure(make_app):
    app = make_app()
    assert app.config["SESSION_COOKIE_SECURE"] is False
    client = app.test_client()
    resp = client.get("/auth/signin", base_url="https://localhost")
    assert "Strict-Transport-Security" not in resp.headers
    assert "; Secure" not in _session_cookie(resp)


def test_behind_a_proxy_the_forwarded_scheme_decides(make_app):
    """nginx speaks plain HTTP to the app and says ``X-Forwarded-Proto: https``."""
    client = make_app(FARMCALC_TLS="1", FARMCALC_PROXY_FIX="1").test_client()
    resp = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert resp.headers["Strict-Transport-Security"] == HSTS
    resp = client.get("/", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in resp.headers


def test_farmcalc_serve_behind_a_proxy_sends_hsts(tmp_path):
    """waitress 3 drops X-Forwarded-* by default: ``farmcalc serve`` must let ProxyFix see them."""
    env = {"FARMCALC_TLS": "1", "FARMCALC_PROXY_FIX": "1"}
    with serve(tmp_path, env=env) as base:
        req = urllib.request.Request(
            base + "/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.7"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()
            assert resp.headers["Strict-Transport-Security"] == HSTS
