"""Handing a farm an advisor created to the farmer (web/services/handover.py).

Attack first: only the advisor who owns a farm may invite; an invitation's link works only
for the invited account, once, before it expires; nothing changes otherwise.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.web.conftest import PASSWORD

FARMER = "ny.bonde@example.se"


def _owner(app, farm_id: int) -> int:
    from web.store.db import get_session
    from web.store.models import Farm

    with app.app_context():
        db = get_session()
        db.expire_all()
        return db.get(Farm, farm_id).owner_id


def _user(app, email: str, role: str = "farmer") -> int:
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import Role, UserCreate

    with app.app_context():
        return crud.create_user(
            session=get_session(),
            user_in=UserCreate(
                email=email, name=email.split("@")[0], role=Role(role), password=PASSWORD
            ),
        ).id


@pytest.fixture
def advisors_farm(app, seed) -> int:
    """A farm advisor_without created (owns)."""
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import FarmCreate

    with app.app_context():
        db = get_session()
        advisor = crud.get_user_by_email(session=db, email=seed.emails["advisor_without"])
        return crud.create_farm(
            session=db,
            farm_in=FarmCreate(
                farm_code="H-1", name="Överlämnade gården", municipality_code="1290"
            ),
            owner=advisor,
        ).id


def _invite(app, client, login, seed, farm_id: int, email: str = FARMER) -> str:
    """The advisor invites ``email``; returns the link's path from the mail."""
    login(client, seed.emails["advisor_without"])
    outbox = app.extensions.setdefault("farmcalc_outbox", [])
    before = len(outbox)
    r = client.post(f"/farms/{farm_id}/handover", data={"email": email})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert len(outbox) == before + 1
    message = outbox[-1]
    assert message["To"] == email.lower()
    client.post("/auth/signout")
    return re.search(r"https?://[^/\s]+(/farms/handover/[A-Za-z0-9_-]+)", message.get_content())[1]


# ------------------------------------------------------------------ attacks first


def test_only_the_advisor_who_owns_the_farm_may_invite(app, client, seed, login, advisors_farm):
    cases = [
        ("owner", seed.farms["own"]),  # a farmer's own farm: nothing to hand over
        ("advisor_with", seed.farms["own"]),  # shared with this advisor, not theirs
        ("other_advisor", advisors_farm),
        ("municipality", advisors_farm),
        ("admin", advisors_farm),
    ]
    outbox = app.extensions.setdefault("farmcalc_outbox", [])
    for who, farm_id in cases:
        login(client, seed.emails[who])
        assert client.get(f"/farms/{farm_id}/handover").status_code == 404, who
        r = client.post(f"/farms/{farm_id}/handover", data={"email": FARMER})
        assert r.status_code == 404, who
        client.post("/auth/signout")
    assert not [m for m in outbox if m["To"] == FARMER]


def test_a_link_used_by_another_account_is_404_and_changes_nothing(
    app, client, seed, login, advisors_farm
):
    _user(app, FARMER)
    link = _invite(app, client, login, seed, advisors_farm)
    advisor = seed.users["advisor_without"]
    for who in ("other_farmer", "owner", "advisor_with", "admin"):
        login(client, seed.emails[who])
        assert client.get(link).status_code == 404, who
        assert client.post(link).status_code == 404, who
        client.post("/auth/signout")
    assert _owner(app, advisors_farm) == advisor
    # the invited farmer still can
    login(client, FARMER)
    assert client.post(link).status_code == 302
    assert _owner(app, advisors_farm) != advisor


def test_a_used_link_and_an_expired_link_are_404(app, client, seed, login, advisors_farm):
    from sqlalchemy import update

    from web.store.db import get_session
    from web.store.models import FarmInvitation, utcnow

    farmer = _user(app, FARMER)
    link = _invite(app, client, login, seed, advisors_farm)
    login(client, FARMER)
    assert client.post(link).status_code == 302
    assert _owner(app, advisors_farm) == farmer
    assert client.get(link).status_code == 404  # used
    assert client.post(link).status_code == 404
    client.post("/auth/signout")

    # a second farm, its link expired
    from web.store import crud
    from web.store.models import FarmCreate, User

    with app.app_context():
        db = get_session()
        advisor = db.get(User, seed.users["advisor_without"])
        farm2 = crud.create_farm(
            session=db,
            farm_in=FarmCreate(farm_code="H-2", name="Andra", municipality_code="1290"),
            owner=advisor,
        ).id
    link2 = _invite(app, client, login, seed, farm2)
    with app.app_context():
        db = get_session()
        db.execute(
            update(FarmInvitation)
            .where(FarmInvitation.farm_id == farm2)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.commit()
    login(client, FARMER)
    assert client.get(link2).status_code == 404
    assert client.post(link2).status_code == 404
    assert _owner(app, farm2) == seed.users["advisor_without"]
    for bad in ("/farms/handover/x", "/farms/handover/" + "A" * 43, "/farms/handover/%00" * 3):
        assert client.get(bad).status_code == 404


def test_an_advisor_account_with_the_address_cannot_take_the_farm(
    app, client, seed, login, advisors_farm
):
    _user(app, "annan.radgivare@example.se", role="advisor")
    link = _invite(app, client, login, seed, advisors_farm, email="annan.radgivare@example.se")
    login(client, "annan.radgivare@example.se")
    r = client.post(link, follow_redirects=True)
    assert "Bara ett lantbrukarkonto kan ta över en gård" in r.get_data(as_text=True)
    assert _owner(app, advisors_farm) == seed.users["advisor_without"]


def test_a_signed_out_visitor_is_sent_to_sign_in(app, client, seed, login, advisors_farm):
    link = _invite(app, client, login, seed, advisors_farm)
    r = client.get(link)
    assert r.status_code == 302 and "/auth/signin" in r.headers["Location"]


# ------------------------------------------------------------------ the handover


def test_handover_moves_ownership_advisor_keeps_access_until_revoked(
    app, client, seed, login, advisors_farm
):
    farmer = _user(app, FARMER.upper().replace("EXAMPLE", "example"))  # stored lower-cased
    link = _invite(app, client, login, seed, advisors_farm, email="Ny.Bonde@Example.se")
    login(client, FARMER)
    page = client.get(link).get_data(as_text=True)
    assert "Överlämnade gården" in page and "advisor_without" in page
    r = client.post(link)
    assert r.status_code == 302 and r.headers["Location"] == f"/farms/{advisors_farm}"
    assert _owner(app, advisors_farm) == farmer
    assert "Överlämnade gården" in client.get("/farms/").get_data(as_text=True)
    access = client.get(f"/farms/{advisors_farm}/access").get_data(as_text=True)
    assert "advisor_without" in access  # the advisor keeps access
    client.post("/auth/signout")

    login(client, seed.emails["advisor_without"])
    desk = client.get("/farms/").get_data(as_text=True)
    assert "Överlämnade gården" in desk and "delad med dig" in desk
    assert client.get(f"/farms/{advisors_farm}/handover").status_code == 404  # not theirs now
    assert client.get(f"/farms/{advisors_farm}/delete").status_code == 404
    client.post("/auth/signout")

    login(client, FARMER)
    r = client.post(f"/farms/{advisors_farm}/access/{seed.users['advisor_without']}/revoke")
    assert r.status_code == 302
    client.post("/auth/signout")
    login(client, seed.emails["advisor_without"])
    assert client.get(f"/farms/{advisors_farm}").status_code == 404
    assert "Överlämnade gården" not in client.get("/farms/").get_data(as_text=True)


def test_farmer_with_the_same_identifier_is_told_what_to_do(
    app, client, seed, login, advisors_farm
):
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import FarmCreate, User

    farmer = _user(app, FARMER)
    with app.app_context():
        db = get_session()
        crud.create_farm(
            session=db,
            farm_in=FarmCreate(farm_code="H-1", name="Min", municipality_code="1290"),
            owner=db.get(User, farmer),
        )
    link = _invite(app, client, login, seed, advisors_farm)
    login(client, FARMER)
    r = client.post(link, follow_redirects=True)
    assert "Du har redan en gård med identiteten H-1" in r.get_data(as_text=True)
    assert _owner(app, advisors_farm) == seed.users["advisor_without"]
    assert client.get(link).status_code == 200  # still open: usable once the code differs


def test_migration_0014_downgrade_and_upgrade(db_url):
    from alembic import command
    from sqlalchemy import inspect

    from web.store.db import alembic_config, make_engine, upgrade

    upgrade(db_url)
    command.downgrade(alembic_config(db_url), "0013")
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
        assert "farm_invitations" not in names and "farms" in names
    finally:
        engine.dispose()
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert "farm_invitations" in inspect(conn).get_table_names()
    finally:
        engine.dispose()
