"""Credentials that expire (issue 15, finding 4): session lifetimes, password change,
API token expiry, the per-account sign-in limit, the password rule and two-factor sign-in.

Time is moved by changing the stored timestamps, never by sleeping.
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pyotp
import pytest
from sqlmodel import select

from tests.web.conftest import PASSWORD, sign_in

OWNER = "owner@example.se"
NEW = "nytt-langt-losenord-2025"


def _db(app):
    from web.store.db import get_session

    return get_session()


def user_row(app, email):
    from web.store import crud

    return crud.get_user_by_email(session=_db(app), email=email)


def shift_login_sessions(app, email, *, created=None, last_seen=None) -> int:
    """Move every login session of ``email`` back in time; returns how many."""
    from web.store.models import LoginSession, utcnow

    with app.app_context():
        db = _db(app)
        user = user_row(app, email)
        rows = db.exec(select(LoginSession).where(LoginSession.user_id == user.id)).all()
        for row in rows:
            if created is not None:
                row.created_at = utcnow() - created
            if last_seen is not None:
                row.last_seen_at = utcnow() - last_seen
            db.add(row)
        db.commit()
        return len(rows)


def login_sessions_of(app, email) -> int:
    from web.store.models import LoginSession

    with app.app_context():
        user = user_row(app, email)
        return len(
            _db(app).exec(select(LoginSession).where(LoginSession.user_id == user.id)).all()
        )


def signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


# ------------------------------------------------------------ session lifetimes


def test_an_idle_session_ends_and_its_stolen_cookie_is_dead(app, client, seed, login):
    login(client, OWNER)
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)  # a copied cookie
    assert signed_in(thief)
    shift_login_sessions(app, OWNER, last_seen=timedelta(minutes=119))
    assert signed_in(client)  # within the idle time: still in (and seen now)
    shift_login_sessions(app, OWNER, last_seen=timedelta(minutes=121))
    r = thief.get("/account/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/auth/signin")
    page = thief.get(r.headers["Location"]).get_data(as_text=True)
    assert "Du har loggats ut eftersom du varit borta en stund" in page
    assert not signed_in(client)
    assert login_sessions_of(app, OWNER) == 0  # the row is gone: no way back


def test_a_session_ends_after_its_absolute_lifetime_even_when_in_use(app, client, seed, login):
    login(client, OWNER)
    shift_login_sessions(app, OWNER, created=timedelta(hours=23, minutes=50))
    assert signed_in(client)
    shift_login_sessions(app, OWNER, created=timedelta(hours=24, minutes=1), last_seen=timedelta())
    assert not signed_in(client)
    assert login_sessions_of(app, OWNER) == 0


@pytest.mark.parametrize("app_config", [{"SESSION_IDLE_MINUTES": 5, "SESSION_MAX_HOURS": 1}])
def test_session_lifetimes_are_settings(app, client, seed, login):
    login(client, OWNER)
    shift_login_sessions(app, OWNER, last_seen=timedelta(minutes=6))
    assert not signed_in(client)
    login(client, OWNER)
    shift_login_sessions(app, OWNER, created=timedelta(minutes=61))
    assert not signed_in(client)


def test_lifetime_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    from web.config import from_env

    monkeypatch.setenv("FARMCALC_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("FARMCALC_SESSION_MAX_HOURS", "8")
    monkeypatch.setenv("FARMCALC_API_TOKEN_DAYS", "30")
    cfg = from_env(tmp_path)
    assert cfg["SESSION_IDLE_MINUTES"] == 30
    assert cfg["SESSION_MAX_HOURS"] == 8
    assert cfg["API_TOKEN_DAYS"] == 30
    assert cfg["API_TOKEN_MAX_DAYS"] == 365


# ------------------------------------------------- password change and tokens


def make_token(client, name="Gårdsprogram", days=None) -> tuple[str, str]:
    data = {"name": name}
    if days is not None:
        data["days"] = str(days)
    r = client.post("/account/tokens", data=data)
    assert r.status_code == 200, r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    match = re.search(r'id="new-token"[^>]*value="(fc_[^"]+)"', html)
    assert match, html
    return match.group(1), html


def api(client, token, path="/api/v1/farms"):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def change_password(client, new=NEW):
    return client.post(
        "/account/",
        data={"current_password": PASSWORD, "new_password": new, "new_password2": new},
    )


def test_password_change_signs_out_the_other_browser_and_revokes_every_token(app, seed, login):
    here, stolen = app.test_client(), app.test_client()
    login(here, OWNER)
    login(stolen, OWNER)
    token, _html = make_token(here)
    assert api(app.test_client(), token).status_code == 200
    assert change_password(here).status_code == 302
    assert signed_in(here)
    assert not signed_in(stolen)
    r = api(app.test_client(), token)
    assert r.status_code == 401
    assert r.get_json()["error"] == 401
    assert "återkallats" in r.get_json()["message"]
    page = here.get("/account/tokens").get_data(as_text=True)
    assert "Återkallad" in page and "Aktiv" not in page
    # a token made after the change works
    fresh, _ = make_token(here)
    assert api(app.test_client(), fresh).status_code == 200


def test_crud_set_password_revokes_tokens_too(app, seed, login):
    """Every way of setting a password (a reset, an admin) goes through crud.set_password."""
    from web.store import crud

    client = app.test_client()
    login(client, OWNER)
    token, _ = make_token(client)
    with app.app_context():
        db = _db(app)
        crud.set_password(session=db, user=user_row(app, OWNER), password=NEW)
    assert api(app.test_client(), token).status_code == 401


# ------------------------------------------------------------------ token expiry


def test_tokens_expire_after_the_default_days_and_the_page_says_when(app, client, seed, login):
    from web.store.models import ApiToken, utcnow

    login(client, OWNER)
    token, html = make_token(client)
    with app.app_context():
        row = _db(app).exec(select(ApiToken)).one()
        expires = row.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=utcnow().tzinfo)
        assert abs(expires - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)
    assert "Går ut" in html
    assert expires.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M") in html
    assert api(app.test_client(), token).status_code == 200
    with app.app_context():
        db = _db(app)
        row = db.exec(select(ApiToken)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.add(row)
        db.commit()
    r = api(app.test_client(), token)
    assert r.status_code == 401
    assert r.mimetype == "application/json"
    assert "har gått ut" in r.get_json()["message"]
    assert "invalid_token" in r.headers["WWW-Authenticate"]
    assert "Har gått ut" in client.get("/account/tokens").get_data(as_text=True)


def test_token_lifetime_is_chosen_within_the_maximum(app, client, seed, login):
    from web.store.models import ApiToken, utcnow

    login(client, OWNER)
    make_token(client, days=7)
    with app.app_context():
        row = _db(app).exec(select(ApiToken)).one()
        expires = row.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=utcnow().tzinfo)
        assert abs(expires - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)
    for days in (0, 366, 100000000000):
        r = client.post("/account/tokens", data={"name": "För länge", "days": str(days)})
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        assert 'id="new-token"' not in html
        assert "Mellan 1 och 365 dagar" in html
    with app.app_context():
        assert len(_db(app).exec(select(ApiToken)).all()) == 1


# ------------------------------------------------------- per-account sign-in limit

LIMITED = {"RATELIMIT_ENABLED": True, "SIGNIN_RATE_LIMIT": "1000/minute"}


def attempt(app, email, password="fel-gissning-123", ip="203.0.113.1"):
    return app.test_client().post(
        "/auth/signin",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def without_csrf(html: str) -> str:
    """The page without its CSRF tokens (one per browser)."""
    return re.sub(r'(name="csrf_token"[^>]*value=)"[^"]*"', r"\1", html)


@pytest.mark.parametrize("app_config", [LIMITED])
def test_guesses_from_many_ips_against_one_account_are_limited(app, seed):
    for i in range(10):
        assert attempt(app, OWNER, ip=f"198.51.100.{i + 1}").status_code == 200
    r = attempt(app, "  Owner@Example.SE ", password=PASSWORD, ip="192.0.2.77")
    assert r.status_code == 429  # even the right password waits: the guesser cannot tell
    assert 0 < int(r.headers["Retry-After"]) <= 15 * 60 + 1
    known = r.get_data(as_text=True)
    assert "För många försök" in known
    # the same answer for an address without an account: nothing tells whether it exists
    for i in range(10):
        assert attempt(app, "nobody@example.se", ip=f"198.51.100.{i + 1}").status_code == 200
    unknown = attempt(app, "nobody@example.se", ip="192.0.2.78")
    assert unknown.status_code == 429
    assert "Retry-After" in unknown.headers
    assert without_csrf(unknown.get_data(as_text=True)) == without_csrf(known)
    # another account is not affected, and a good sign-in does not count
    r = attempt(app, seed.emails["other_farmer"], password=PASSWORD)
    assert r.status_code == 302


@pytest.mark.parametrize("app_config", [LIMITED])
def test_the_account_limit_counts_only_failures(app, seed):
    for i in range(15):
        assert attempt(app, OWNER, password=PASSWORD, ip=f"198.51.100.{i}").status_code == 302


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "SIGNIN_RATE_LIMIT": "2/minute"}]
)
def test_the_per_ip_limit_says_when_to_come_back(app, seed):
    attempt(app, OWNER)
    attempt(app, "someone@example.se")
    r = attempt(app, "third@example.se")
    assert r.status_code == 429
    assert 0 < int(r.headers["Retry-After"]) <= 60 + 1


# ------------------------------------------------------------------ password rule


def signup(client, password, email="ny.bonde@example.se", name="Nils Bondesson"):
    return client.post(
        "/auth/signup",
        data={
            "name": name,
            "email": email,
            "role": "farmer",
            "password": password,
            "password2": password,
        },
    )


@pytest.mark.parametrize(
    "password",
    [
        "password123",
        "qwertyuiop",
        "1234567890",
        "farmcalc2025",
        "ny.bonde@example.se",
        "Nilsbondesson1",
        "gårdgårdgård",
    ],
)
def test_signup_refuses_common_and_guessable_passwords(app, client, password):
    r = signup(client, password)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="password-error"' in html
    assert "lätt att gissa" in html
    from web.store.models import User

    with app.app_context():
        assert _db(app).exec(select(User)).all() == []


def test_the_rule_accepts_the_passwords_of_the_tests_and_the_demo():
    from web.commands import DEMO_PASSWORD
    from web.services.passwords import password_problems

    for password in (PASSWORD, DEMO_PASSWORD, NEW, "gröna-fält-och-kor"):
        assert password_problems(password, ["owner@example.se", "Owner"]) == []


def test_the_rule_judges_long_passwords_without_failing():
    from web.services.passwords import password_problems

    long_phrase = "Kor, traktorer och havre på åkern bakom ladan i Kristianstad 2025! " * 3
    assert password_problems(long_phrase[:200], ["owner@example.se"]) == []
    assert "lätt att gissa" in " ".join(password_problems("a" * 200, ["owner@example.se"]))


def test_password_change_follows_the_rule(app, client, seed, login):
    login(client, OWNER)
    r = change_password(client, new="owner@example.se")
    assert r.status_code == 200
    assert "lätt att gissa" in r.get_data(as_text=True)


def test_cli_user_create_refuses_a_guessable_password(runner):
    args = ("user", "create", "--email", "k@example.se", "--name", "K", "--role", "admin")
    r = runner(*args, "--password", "password1234")
    assert r.exit_code != 0
    assert "lätt att gissa" in r.errors


# ------------------------------------------------------------------ two-factor


def twofactor_secret(app, email) -> str | None:
    with app.app_context():
        return user_row(app, email).totp_secret


def password_step(client, email, password=PASSWORD):
    return client.post("/auth/signin", data={"email": email, "password": password})


@pytest.mark.parametrize("role", ["municipality", "admin"])
def test_admin_and_municipality_must_enrol_before_they_are_in(app, client, seed, role):
    email = seed.emails[role]
    r = password_step(client, email)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/auth/twofactor/enrol")
    assert not signed_in(client)  # the password alone is not enough
    assert client.get("/farms/").status_code == 302
    page = client.get("/auth/twofactor/enrol").get_data(as_text=True)
    assert "<svg" in page  # the QR code, inline
    secret = twofactor_secret(app, email)
    assert secret and secret in page  # and the secret as text
    wrong = client.post("/auth/twofactor/enrol", data={"code": "000000"})
    assert wrong.status_code == 200
    assert "Koden stämmer inte" in wrong.get_data(as_text=True)
    assert not signed_in(client)
    r = client.post("/auth/twofactor/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    codes = re.findall(r'<li class="recovery-code"><code>([a-z0-9-]+)</code></li>', html)
    assert len(codes) == 10
    assert signed_in(client)
    from web.store.models import RecoveryCode

    with app.app_context():
        stored = [row.code_hash for row in _db(app).exec(select(RecoveryCode)).all()]
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept


def enrolled(app, client, email) -> str:
    password_step(client, email)
    client.get("/auth/twofactor/enrol")
    secret = twofactor_secret(app, email)
    html = client.post("/auth/twofactor/enrol", data={"code": pyotp.TOTP(secret).now()}).get_data(
        as_text=True
    )
    client.post("/auth/signout")
    return secret, re.findall(r'<li class="recovery-code"><code>([a-z0-9-]+)</code></li>', html)


def test_every_sign_in_asks_for_the_code_and_a_code_is_not_replayed(app, seed):
    email = seed.emails["municipality"]
    secret, _codes = enrolled(app, app.test_client(), email)
    client = app.test_client()
    r = password_step(client, email)
    assert r.headers["Location"].startswith("/auth/twofactor")
    assert not signed_in(client)
    totp = pyotp.TOTP(secret)
    # the code of the enrolment (same 30-second window) cannot be used again
    r = client.post("/auth/twofactor", data={"code": totp.now()})
    assert r.status_code == 200 and "redan använts" in r.get_data(as_text=True)
    assert not signed_in(client)
    with app.app_context():  # half a minute later
        db = _db(app)
        user = user_row(app, email)
        user.totp_last_step -= 2
        db.add(user)
        db.commit()
    r = client.post("/auth/twofactor", data={"code": totp.now()})
    assert r.status_code == 302
    assert signed_in(client)
    # someone who watched the code type it in elsewhere: refused
    other = app.test_client()
    password_step(other, email)
    r = other.post("/auth/twofactor", data={"code": totp.now()})
    assert r.status_code == 200 and not signed_in(other)


def test_a_recovery_code_signs_in_once(app, seed):
    email = seed.emails["admin"]
    _secret, codes = enrolled(app, app.test_client(), email)
    client = app.test_client()
    password_step(client, email)
    assert client.post("/auth/twofactor", data={"code": codes[0]}).status_code == 302
    assert signed_in(client)
    other = app.test_client()
    password_step(other, email)
    r = other.post("/auth/twofactor", data={"code": codes[0]})
    assert r.status_code == 200 and not signed_in(other)
    assert other.post("/auth/twofactor", data={"code": codes[1]}).status_code == 302


def test_the_code_step_needs_the_password_step_first(app, client, seed):
    enrolled(app, app.test_client(), seed.emails["admin"])
    r = client.get("/auth/twofactor")
    assert r.status_code == 302 and r.headers["Location"].startswith("/auth/signin")
    r = client.post("/auth/twofactor/enrol", data={"code": "123456"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/auth/signin")


@pytest.mark.parametrize("app_config", [LIMITED])
def test_the_code_step_is_rate_limited(app, seed):
    email = seed.emails["admin"]
    secret, _ = enrolled(app, app.test_client(), email)
    client = app.test_client()
    password_step(client, email)
    for _ in range(5):
        assert client.post("/auth/twofactor", data={"code": "000000"}).status_code == 200
    r = client.post("/auth/twofactor", data={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert not signed_in(client)


def test_a_farmer_may_turn_on_two_factor_on_the_account_page(app, client, seed, login):
    login(client, OWNER)
    assert "Tvåstegsinloggning" in client.get("/account/").get_data(as_text=True)
    page = client.get("/account/twofactor").get_data(as_text=True)
    assert "<svg" in page
    secret = twofactor_secret(app, OWNER)
    r = client.post("/account/twofactor", data={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200 and "recovery-code" in r.get_data(as_text=True)
    client.post("/auth/signout")
    r = password_step(client, OWNER)
    assert r.headers["Location"].startswith("/auth/twofactor")
    assert not signed_in(client)


def test_a_farmer_without_two_factor_signs_in_with_the_password(app, client, seed):
    r = password_step(client, OWNER)
    assert r.status_code == 302 and r.headers["Location"] == "/farms/"
    assert signed_in(client)


def test_the_login_helper_handles_the_code_step(app, client, seed, login):
    for role in ("municipality", "admin"):
        c = app.test_client()
        assert login(c, seed.emails[role]).status_code == 302
        assert signed_in(c)
        c2 = app.test_client()  # a second sign-in: the code step, not enrolment
        assert login(c2, seed.emails[role]).status_code == 302
        assert signed_in(c2)


# ------------------------------------------------------------------ migration 0010


def test_migration_0010_gives_old_tokens_an_expiry(db_url):
    """Tokens made before 0010 expire 90 days after they were made; 0010 downgrades."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from web.store.db import alembic_config, make_engine, upgrade

    upgrade(db_url, "0009")
    engine = make_engine(db_url)
    made = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, name, role, password_hash, created_at) "
                "VALUES ('a@example.se', 'A', 'farmer', 'x', :t)"
            ),
            {"t": made},
        )
        conn.execute(
            text(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at, revoked) "
                "VALUES (1, 't', :h, :t, false)"
            ),
            {"h": "0" * 64, "t": made},
        )
    upgrade(db_url, "0010")
    with engine.connect() as conn:
        expires = conn.execute(text("SELECT expires_at FROM api_tokens")).scalar_one()
    if isinstance(expires, str):  # SQLite hands text back for a raw query
        expires = datetime.fromisoformat(expires)
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    assert expires == made + timedelta(days=90)
    from alembic import command

    command.downgrade(alembic_config(db_url), "0009")
    with engine.connect() as conn:
        cols = conn.execute(text("SELECT * FROM api_tokens")).keys()
    assert "expires_at" not in cols
    engine.dispose()


def test_an_operator_resets_a_lost_phone_with_the_cli(app, seed, runner):
    email = seed.emails["admin"]
    enrolled(app, app.test_client(), email)
    signed = app.test_client()
    sign_in(signed, email)
    assert signed_in(signed)
    r = runner("user", "reset-twofactor", "--email", email)
    assert r.exit_code == 0, r.errors
    assert email in r.output
    with app.app_context():
        user = user_row(app, email)
        assert user.totp_secret is None and user.totp_enabled_at is None
    assert not signed_in(signed)  # the sessions made with the old phone end
    r = password_step(app.test_client(), email)
    assert r.headers["Location"].startswith("/auth/twofactor/enrol")  # enrols anew
    r = runner("user", "reset-twofactor", "--email", "nobody@example.se")
    assert r.exit_code == 2 and "nobody@example.se" in r.errors
