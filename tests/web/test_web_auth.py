"""Sign-up, sign-in, sign-out, the rate limit, CSRF and safe redirects."""

import pytest

from web.store.models import Role
from web.views.auth import safe_next

PASSWORD = "korrekt-hast-batteri"


def signup(client, email="ny@example.se", role="farmer", password=PASSWORD, **extra):
    data = {
        "name": "Nils Ny",
        "email": email,
        "role": role,
        "password": password,
        "password2": password,
        **extra,
    }
    return client.post("/auth/signup", data=data)


def test_signup_creates_farmer_signs_in_and_lowercases_email(app, client):
    from tests.web.conftest import verify_email

    r = signup(client, email="  Nils.Ny@Example.SE ")
    assert r.status_code == 302
    assert r.headers["Location"] == "/auth/signup/sent"  # then the link in the e-mail
    r = verify_email(app, client, "nils.ny@example.se")
    assert r.headers["Location"] == "/farms/"
    page = client.get("/farms/").get_data(as_text=True)
    assert "Nils Ny" in page
    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import User

    with app.app_context():
        user = get_session().exec(select(User)).one()
        assert user.email == "nils.ny@example.se"
        assert user.role == Role.farmer
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_signup_as_advisor(app, client):
    assert signup(client, role="advisor").status_code == 302
    from web.store import crud
    from web.store.db import get_session

    with app.app_context():
        assert crud.get_user_by_email(session=get_session(), email="ny@example.se").role == (
            Role.advisor
        )


@pytest.mark.parametrize("role", ["admin", "municipality", "boss"])
def test_signup_refuses_roles_given_by_an_admin(client, role):
    r = signup(client, role=role)
    assert r.status_code == 200
    assert 'id="role-error"' in r.get_data(as_text=True)


def test_signup_duplicate_email_and_bad_fields_show_swedish_errors_at_the_field(client):
    assert signup(client).status_code == 302
    # a known address gets the same answer as a new one (tests/web/test_web_signup.py)
    r = signup(client, email="NY@example.se")
    assert r.status_code == 302 and r.headers["Location"] == "/auth/signup/sent"
    r = signup(client, email="inte-en-adress", password="kort")
    html = r.get_data(as_text=True)
    assert 'id="email-error"' in html and 'id="password-error"' in html
    assert 'aria-invalid="true"' in html


def test_signin_wrong_password_and_unknown_email(client, seed, login):
    for email, pw in (("owner@example.se", "fel-losenord-123"), ("ingen@example.se", PASSWORD)):
        r = login(client, email, pw)
        assert r.status_code == 200
        assert "Fel e-postadress eller lösenord." in r.get_data(as_text=True)
    assert client.get("/farms/").status_code == 302


def test_signin_is_case_insensitive_and_follows_safe_next(client, seed):
    r = client.post(
        "/auth/signin?next=/farms/{}".format(seed.farms["own"]),
        data={"email": "OWNER@example.se", "password": PASSWORD},
    )
    assert r.status_code == 302
    assert r.headers["Location"] == f"/farms/{seed.farms['own']}"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_signin_ignores_unsafe_next(client, seed, target):
    r = client.post(
        "/auth/signin",
        query_string={"next": target},
        data={"email": "owner@example.se", "password": PASSWORD},
    )
    assert r.headers["Location"] == "/farms/"


def test_safe_next():
    assert safe_next("/farms/3?x=1") == "/farms/3?x=1"
    for bad in (None, "", "farms", "//x.se", "/\\x.se", "http://x.se/", "https:/x"):
        assert safe_next(bad) is None


def test_login_required_redirects_with_next(client):
    r = client.get("/farms/")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/auth/signin?next=")


def test_signout_ends_the_session_and_the_old_cookie_is_dead(app, seed, login):
    first = app.test_client()
    login(first, "owner@example.se")
    assert first.get("/farms/").status_code == 200
    stolen = first.get_cookie("session").value

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/farms/").status_code == 200  # the copy works while signed in

    r = first.post("/auth/signout")
    assert r.status_code == 302
    assert first.get("/farms/").status_code == 302

    replay2 = app.test_client()
    replay2.set_cookie("session", stolen)
    r = replay2.get("/farms/")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/auth/signin")


def test_signout_needs_post(client, seed, login):
    login(client, "owner@example.se")
    assert client.get("/auth/signout").status_code == 405
    assert client.get("/farms/").status_code == 200


def test_signin_starts_a_new_session_but_keeps_the_language(client, seed, login):
    client.post("/lang", data={"lang": "en", "next": "/"})
    login(client, "owner@example.se")
    html = client.get("/farms/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "My farms" in html


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "SIGNIN_RATE_LIMIT": "3/minute"}]
)
def test_signin_is_rate_limited(client, seed, login):
    for _ in range(3):
        assert login(client, "owner@example.se", "fel-losenord-123").status_code == 200
    r = login(client, "owner@example.se", PASSWORD)
    assert r.status_code == 429
    html = r.get_data(as_text=True)
    assert "För många försök" in html
    assert client.get("/auth/signin").status_code == 200  # only POST counts


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_token_is_required_on_every_form(client, seed):
    data = {"email": "owner@example.se", "password": PASSWORD}
    r = client.post("/auth/signin", data=data)
    assert r.status_code == 400
    assert "Formuläret" in r.get_data(as_text=True)
    for url in ("/auth/signup", "/lang", "/auth/signout", "/farms/new"):
        assert client.post(url, data={"lang": "en"}).status_code == 400, url

    # with the token of the page, it works
    import re

    page = client.get("/auth/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/auth/signin", data={**data, "csrf_token": token})
    assert r.status_code == 302
