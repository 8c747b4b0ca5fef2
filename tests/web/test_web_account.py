"""The account page (``/account/``): who you are, and changing your password."""

import re

import pytest

PASSWORD = "korrekt-hast-batteri"  # the seed users' password (conftest.py)

NEW = "nytt-langt-losenord-2025"
OWNER = "owner@example.se"


def change(client, current=PASSWORD, new=NEW, again=None, **extra):
    data = {
        "current_password": current,
        "new_password": new,
        "new_password2": new if again is None else again,
        **extra,
    }
    return client.post("/account/", data=data)


def password_hash_of(app, email: str) -> str:
    from web.store import crud
    from web.store.db import get_session

    with app.app_context():
        return crud.get_user_by_email(session=get_session(), email=email).password_hash


@pytest.mark.parametrize(
    ("role", "role_name", "tokens_link"),
    [
        ("owner", "Lantbrukare", True),
        ("advisor_with", "Lantbruksrådgivare", True),
        ("municipality", "Kommun", False),
        ("admin", "Administratör", True),
    ],
)
def test_page_says_who_you_are_and_is_in_every_roles_menu(
    client, seed, login, role, role_name, tokens_link
):
    login(client, seed.emails[role])
    r = client.get("/account/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<h1>Mitt konto</h1>" in html
    assert seed.emails[role] in html
    assert f"<dd>{role_name}</dd>" in html
    assert '<a href="/account/" aria-current="page">Mitt konto</a>' in html
    assert ('href="/account/tokens"' in html) is tokens_link
    assert '<h2 id="change-password">Byt lösenord</h2>' in html
    for name in ("current_password", "new_password", "new_password2"):
        assert f'name="{name}"' in html
    # the menu link is on the other pages too
    assert 'href="/account/">Mitt konto</a>' in client.get("/").get_data(as_text=True)


def test_change_password_then_only_the_new_one_signs_in(app, client, seed, login):
    login(client, OWNER)
    old_hash = password_hash_of(app, OWNER)
    r = change(client)
    assert r.status_code == 302
    assert r.headers["Location"] == "/account/"
    html = client.get("/account/").get_data(as_text=True)
    assert "Ditt lösenord är bytt." in html
    new_hash = password_hash_of(app, OWNER)
    assert new_hash != old_hash and new_hash.startswith("$argon2id$")
    assert NEW not in new_hash

    client.post("/auth/signout")
    r = login(client, OWNER, PASSWORD)
    assert r.status_code == 200
    assert "Fel e-postadress eller lösenord." in r.get_data(as_text=True)
    assert login(client, OWNER, NEW).status_code == 302
    assert client.get("/farms/").status_code == 200


def test_wrong_current_password_changes_nothing(app, client, seed, login):
    login(client, OWNER)
    old_hash = password_hash_of(app, OWNER)
    r = change(client, current="inte-mitt-losenord")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="current_password-error"' in html
    assert "Det är inte ditt nuvarande lösenord." in html
    assert 'aria-describedby="current_password-error"' in html
    assert password_hash_of(app, OWNER) == old_hash
    assert client.get("/farms/").status_code == 200  # still signed in, nothing locked


def test_new_passwords_that_differ_are_refused_at_the_field(app, client, seed, login):
    login(client, OWNER)
    old_hash = password_hash_of(app, OWNER)
    r = change(client, again=NEW + "x")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="new_password2-error"' in html
    assert "De två lösenorden är inte likadana." in html
    assert password_hash_of(app, OWNER) == old_hash


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("kort", "Mellan 10 och 200 tecken."),
        ("x" * 201, "Mellan 10 och 200 tecken."),
        ("", "Fyll i det här fältet."),
    ],
)
def test_weak_new_password_follows_the_sign_up_rule(app, client, seed, login, new, message):
    login(client, OWNER)
    old_hash = password_hash_of(app, OWNER)
    r = change(client, new=new)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    error = re.search(r'id="new_password-error">([^<]*)<', html)
    assert error and message in error.group(1)
    assert 'aria-invalid="true"' in html
    assert password_hash_of(app, OWNER) == old_hash


def test_empty_current_password_is_asked_for(client, seed, login):
    login(client, OWNER)
    html = change(client, current="").get_data(as_text=True)
    assert 'id="current_password-error"' in html


def test_other_sessions_end_this_one_and_other_users_stay(app, seed, login):
    here, phone, other_user = app.test_client(), app.test_client(), app.test_client()
    login(here, OWNER)
    login(phone, OWNER)
    login(other_user, seed.emails["other_farmer"])
    for c in (here, phone, other_user):
        assert c.get("/farms/").status_code == 200

    assert change(here).status_code == 302
    assert here.get("/farms/").status_code == 200  # this browser stays signed in
    r = phone.get("/farms/")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/auth/signin")
    assert other_user.get("/farms/").status_code == 200

    from sqlmodel import select

    from web.store.db import get_session
    from web.store.models import LoginSession

    with app.app_context():
        rows = get_session().exec(select(LoginSession)).all()
        assert sorted(row.user_id for row in rows) == sorted(
            [seed.users["owner"], seed.users["other_farmer"]]
        )


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_not_signed_in_goes_to_sign_in(client, seed, method):
    r = client.get("/account/") if method == "GET" else change(client)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/auth/signin?next=")
    assert "account" in r.headers["Location"]


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_token_is_required(app, client, seed):
    page = client.get("/auth/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post(
        "/auth/signin", data={"email": OWNER, "password": PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 302
    old_hash = password_hash_of(app, OWNER)

    r = change(client)
    assert r.status_code == 400
    assert "Formuläret" in r.get_data(as_text=True)
    assert change(client, csrf_token="fel").status_code == 400
    assert password_hash_of(app, OWNER) == old_hash

    page = client.get("/account/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert change(client, csrf_token=token).status_code == 302
    assert password_hash_of(app, OWNER) != old_hash


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "SIGNIN_RATE_LIMIT": "4/minute"}]
)
def test_wrong_current_passwords_count_towards_the_sign_in_limit(app, client, seed, login):
    assert login(client, OWNER).status_code == 302  # sign-in: 1 of 4
    for _ in range(3):  # mistakes in the new password do not count
        assert change(client, again="nagot-annat-losenord").status_code == 200
    assert client.get("/account/").status_code == 200  # nor does reading the page
    for _ in range(3):  # wrong current password: 2, 3, 4 of 4
        assert change(client, current="gissning-123456").status_code == 200
    r = change(client)  # even the right one must wait now
    assert r.status_code == 429
    assert "För många försök" in r.get_data(as_text=True)
    assert login(app.test_client(), OWNER).status_code == 429  # the same count as sign-in
    assert client.get("/account/").status_code == 200  # still signed in: nobody is locked out
    assert login(app.test_client(), OWNER, NEW).status_code == 429


def test_set_password_without_a_kept_session_ends_them_all(app, seed, login):
    a, b = app.test_client(), app.test_client()
    login(a, OWNER)
    login(b, OWNER)
    from web.store import crud
    from web.store.db import get_session

    with app.app_context():
        db = get_session()
        user = crud.get_user_by_email(session=db, email=OWNER)
        crud.set_password(session=db, user=user, password=NEW)
    assert a.get("/farms/").status_code == 302
    assert b.get("/farms/").status_code == 302
