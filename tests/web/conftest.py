"""Fixtures of the web app's tests, as in flaskr: ``app``, ``client``, ``runner``.

Every test that uses the database runs on SQLite and, when the environment
variable ``FARMCALC_TEST_POSTGRES_URL`` names a PostgreSQL database (CI sets
it), on PostgreSQL too: ``db_url`` is parametrised, and each PostgreSQL test
gets a schema of its own. The database is made by the Alembic migrations,
exactly as in production.

``seed`` makes the cast of the access tests: two farmers, two advisors (one
with access to the owner's farm), a municipality user and an admin.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from web import create_app
from web.store.db import dispose, make_engine, normalise_url, upgrade

PG_ENV = "FARMCALC_TEST_POSTGRES_URL"
PG_SKIP_REASON = f"{PG_ENV} is not set"  # counted by tests/conftest.py's closing line
PASSWORD = "korrekt-hast-batteri"  # test users' password
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An SQLite file upgraded once by Alembic; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "farmcalc.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


def require_postgres() -> None:
    """Skip a PostgreSQL test without ``FARMCALC_TEST_POSTGRES_URL`` — fail it in CI."""
    if not os.environ.get(PG_ENV):
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set in CI: .ci/run must start PostgreSQL")
        pytest.skip(PG_SKIP_REASON)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """An empty database (not yet migrated): SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'farmcalc.sqlite'}"
        return
    require_postgres()
    base = normalise_url(os.environ[PG_ENV])
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def migrated_db_url(db_url, sqlite_template) -> str:
    """``db_url`` upgraded to the newest migration."""
    u = make_url(db_url)
    if u.get_backend_name() == "sqlite":
        shutil.copyfile(sqlite_template, u.database)
    else:
        upgrade(db_url)
    return db_url


def make_test_app(db_url: str, instance: Path, **config):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": db_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "ARGON2_PARAMS": FAST_ARGON2,
            **config,
        },
        instance_path=instance,
    )


@pytest.fixture
def app_config() -> dict:
    """Extra settings for ``app``: override this fixture (or parametrize) in a test module."""
    return {}


@pytest.fixture
def app(migrated_db_url, tmp_path, app_config):
    app = make_test_app(migrated_db_url, tmp_path / "instance", **app_config)
    yield app
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class CliResult:
    exit_code: int
    output: str
    errors: str


@pytest.fixture
def runner(migrated_db_url, tmp_path, monkeypatch):
    """Run ``farmcalc ARGS…`` in-process against the test database."""
    from farmcalc.cli import main

    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    monkeypatch.setenv("FARMCALC_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SECRET_KEY", "test-secret")

    def invoke(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse errors
                code = exc.code if isinstance(exc.code, int) else 1
        return CliResult(code, out.getvalue(), err.getvalue())

    return invoke


# ------------------------------------------------------------------ the cast


@dataclass
class Cast:
    """Users and farms of the access tests (ids only: no detached objects)."""

    users: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    farms: dict[str, int] = field(default_factory=dict)
    # the advisor with access to each farm (revoke targets)
    advisor_of: dict[str, int] = field(default_factory=dict)


ROLES_OF = {
    "owner": "farmer",
    "other_farmer": "farmer",
    "advisor_with": "advisor",
    "advisor_without": "advisor",
    "other_advisor": "advisor",
    "municipality": "municipality",
    "admin": "admin",
}


@pytest.fixture
def seed(app) -> Cast:
    """Seven users, the owner's farm (shared with ``advisor_with``) and another farmer's
    farm (shared with ``other_advisor``)."""
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import FarmCreate, Role, UserCreate

    cast = Cast()
    with app.app_context():
        db = get_session()
        for key, role in ROLES_OF.items():
            email = f"{key.replace('_', '.')}@example.se"
            user = crud.create_user(
                session=db,
                user_in=UserCreate(email=email, name=key, role=Role(role), password=PASSWORD),
            )
            cast.users[key], cast.emails[key] = user.id, email
        for target, owner, advisor in (
            ("own", "owner", "advisor_with"),
            ("other", "other_farmer", "other_advisor"),
        ):
            owner_user = crud.get_user_by_email(session=db, email=cast.emails[owner])
            farm = crud.create_farm(
                session=db,
                farm_in=FarmCreate(
                    farm_code=f"F-{target}", name=f"Gården {target}", municipality_code="1290"
                ),
                owner=owner_user,
            )
            crud.grant_advisor_access(session=db, farm=farm, advisor_email=cast.emails[advisor])
            cast.farms[target], cast.advisor_of[target] = farm.id, cast.users[advisor]
    cast.farms["missing"] = 999_999
    cast.advisor_of["missing"] = cast.users["advisor_with"]
    return cast


def answer_twofactor(client, response):
    """Finish a sign-in that stopped at the two-factor step (web/views/twofactor.py).

    A user who must enrol is enrolled as the enrolment page does it (the secret
    made, confirmed with a code); then the code step is answered with a code
    from pyotp. Returns the code step's answer (302 to where the user was
    going), or ``response`` itself when no code was asked for.
    """
    import pyotp

    from web.store.db import get_session
    from web.store.models import User
    from web.views import twofactor

    where = response.headers.get("Location", "") if response.status_code == 302 else ""
    if not where.startswith("/auth/twofactor"):
        return response
    with client.session_transaction() as sess:
        user_id = sess["twofactor"]["user"]
    with client.application.app_context():
        db = get_session()
        user = db.get(User, user_id)
        if not twofactor.enabled(user):
            twofactor.ensure_secret(db, user)
            twofactor.enable(db, user)
        # tests sign in again at once: as if the last code's 30 seconds were over
        user.totp_last_step = None
        db.add(user)
        db.commit()
        secret = user.totp_secret
    page = client.get("/auth/twofactor").get_data(as_text=True)
    data = {"code": pyotp.TOTP(secret).now()}
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if csrf:  # a test app with CSRF on
        data["csrf_token"] = csrf.group(1)
    return client.post("/auth/twofactor", data=data)


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through the real form, with the two-factor step where the user has one."""
    r = client.post("/auth/signin", data={"email": email, "password": password})
    return answer_twofactor(client, r)


@pytest.fixture
def login():
    """``login(client, email, password=PASSWORD)``: sign in through the real form (and the
    two-factor step of admin and municipality users, answered with pyotp)."""
    return sign_in


def verify_email(app, client, email: str):
    """Open the newest verification link mailed to ``email`` (the console backend's outbox)
    and press its button, as a new account does after sign-up; returns the POST's response."""
    import re

    sent = [m for m in app.extensions.get("farmcalc_outbox", []) if m["To"] == email]
    assert sent, f"no e-mail to {email}"
    match = re.search(r"https?://[^/\s]+(/auth/verify/(?!resend\b)[\w-]+)", sent[-1].get_content())
    assert match, sent[-1].get_content()
    return client.post(match.group(1))
