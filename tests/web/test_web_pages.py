"""Pages: security headers everywhere, no inline script or style, Swedish error
pages that leak nothing, the language switch, Swedish numbers."""

import re

import pytest

from web.security import CSP

PUBLIC = ["/", "/auth/signin", "/auth/signup", "/static/style.css", "/no/such/page"]


def assert_security_headers(r):
    h = r.headers
    assert h["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert h["X-Frame-Options"] == "DENY"


def test_security_headers_on_every_page(app, client, seed, login):
    for url in [*PUBLIC, "/farms/"]:
        with client.get(url) as r:  # a static file streams: close it
            assert_security_headers(r)
    login(client, seed.emails["owner"])
    own = seed.farms["own"]
    for url in ["/farms/", f"/farms/{own}", f"/farms/{own}/access", "/farms/new", "/farms/0"]:
        r = client.get(url)
        assert_security_headers(r)
        assert r.headers["Cache-Control"] == "no-store"
    assert_security_headers(client.post("/auth/signout"))


def test_no_inline_script_or_style_and_no_external_resources(client, seed, login):
    login(client, seed.emails["owner"])
    own = seed.farms["own"]
    for url in ["/", "/auth/signup", "/farms/", f"/farms/{own}", f"/farms/{own}/access"]:
        html = client.get(url).get_data(as_text=True)
        # scripts only as files of the site (the desk's "tick all": /static/desk.js), never inline
        assert not re.search(r'<script(?![^>]*\ssrc="/static/[\w.-]+\.js")', html), url
        assert not re.search(r"<script[^>]*>[^<]+</script>", html), url
        assert "<style" not in html, url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url  # onclick= etc.
        assert not re.search(r'(src|href)="(https?:)?//', html), url


def test_pages_are_swedish_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Logga in" in html
    assert "Hoppa till innehållet" in html
    assert 'href="#main"' in html and 'id="main"' in html


def test_language_switch_to_english_and_back(client):
    r = client.post("/lang", data={"lang": "en", "next": "/auth/signin"})
    assert r.status_code == 302 and r.headers["Location"] == "/auth/signin"
    html = client.get("/auth/signin").get_data(as_text=True)
    assert '<html lang="en">' in html and "Sign in" in html and "Logga in" not in html
    client.post("/lang", data={"lang": "sv", "next": "https://evil.example/"})
    r = client.get("/")
    assert '<html lang="sv">' in r.get_data(as_text=True)


def test_language_switch_ignores_unknown_language(client):
    client.post("/lang", data={"lang": "de", "next": "/"})
    assert '<html lang="sv">' in client.get("/").get_data(as_text=True)


def test_numbers_use_decimal_comma(app, client, seed, login):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Farm, utcnow

    with app.app_context():
        db = get_session()
        farm = db.get(Farm, seed.farms["own"])
        fy = crud.save_farm_year(session=db, farm=farm, year=2025, record={})
        # a made-up result (display only: no calculation makes these numbers)
        fy.result = {
            "factor_set": "sweden",
            "factor_set_version": "9.9.9",
            "gwp": "AR5",
            "totals": {"co2e_kg": 1234567.0, "soil_carbon_co2e_kg": -2500.0},
        }
        fy.factor_set, fy.factor_set_version, fy.gwp = "sweden", "9.9.9", "AR5"
        fy.calculated_at, fy.is_draft = utcnow(), False
        db.add(fy)
        db.commit()
    login(client, seed.emails["owner"])
    html = client.get(f"/farms/{seed.farms['own']}").get_data(as_text=True)
    assert "1\u00a0234,6" in html
    assert "-2,5" in html or "\u22122,5" in html
    assert "9.9.9" in html
    client.post("/lang", data={"lang": "en", "next": "/"})
    html = client.get(f"/farms/{seed.farms['own']}").get_data(as_text=True)
    assert "1,234.6" in html


def test_404_is_swedish_and_plain(client):
    r = client.get("/finns/inte")
    assert r.status_code == 404
    html = r.get_data(as_text=True)
    assert "Sidan finns inte" in html
    assert "Traceback" not in html and "werkzeug" not in html.lower()


def test_405_page(client):
    r = client.get("/lang")
    assert r.status_code == 405
    assert "Det går inte att använda" in r.get_data(as_text=True)
    assert "POST" in r.headers["Allow"]


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1000}])
def test_413_too_large(client):
    r = client.post("/auth/signin", data={"email": "x" * 5000, "password": "y"})
    assert r.status_code == 413
    assert "För mycket data" in r.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"PROPAGATE_EXCEPTIONS": False}])
def test_500_is_friendly_and_leaks_nothing(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret database password is hunter2")

    @app.route("/api/v1/boom")
    def api_boom():
        raise RuntimeError("secret database password is hunter2")

    r = client.get("/boom")
    assert r.status_code == 500
    html = r.get_data(as_text=True)
    assert "Något gick fel" in html
    assert "hunter2" not in html and "Traceback" not in html and "RuntimeError" not in html
    assert_security_headers(r)
    r = client.get("/api/v1/boom")
    assert r.status_code == 500
    assert r.get_json()["error"] == 500
    assert "hunter2" not in r.get_data(as_text=True)


def test_403_page(client, seed, login):
    login(client, seed.emails["municipality"])
    r = client.get("/farms/new")
    assert r.status_code == 403
    assert "Det här får ditt konto inte göra" in r.get_data(as_text=True)


def test_api_paths_answer_json_errors(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.get_json() == {"error": 404, "message": r.get_json()["message"]}


def test_forms_bind_labels_to_inputs(client):
    html = client.get("/auth/signup").get_data(as_text=True)
    for field_id in ("name", "email", "password", "password2"):
        assert f'<label class="label" for="{field_id}">' in html
        assert f'id="{field_id}"' in html


def test_stylesheet_is_served_from_the_app(client):
    with client.get("/static/style.css") as r:
        assert r.status_code == 200
        assert ":focus-visible" in r.get_data(as_text=True)
        assert "no-store" not in r.headers.get("Cache-Control", "")
