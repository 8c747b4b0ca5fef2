"""The web app's sub-commands of ``farmcalc``, registered by entry point.

``pyproject.toml`` names :func:`register` in the group ``farmcalc.commands``;
``farmcalc.cli`` calls it with its sub-parsers. Heavy imports wait inside the
commands, so ``farmcalc calc`` stays quick.

- ``farmcalc serve [--host 127.0.0.1] [--port 5000]``: upgrade the database, then serve
- ``farmcalc db upgrade`` / ``db current`` / ``db revision -m MESSAGE``
- ``farmcalc demo [--farms N]``: demo users and farms with calculated results
- ``farmcalc user create --email E --name N --role R [--password P]``
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from farmcalc.i18n import _, gettext_

if TYPE_CHECKING:
    from flask import Flask

DEMO_PASSWORD = "demo-gard-2025"
DEMO_USERS = (
    ("lantbrukare@example.se", "Lena Lantbrukare", "farmer"),
    ("radgivare@example.se", "Rasmus Rådgivare", "advisor"),
    ("kommun@example.se", "Kristianstads kommun", "municipality"),
    ("admin@example.se", "Admin", "admin"),
)
DEMO_YEAR = 2025

T = {
    "serving": _("farmcalc is running at {url} — open the address in a web browser."),
    "stop": _("Stop it with Ctrl+C."),
    "upgraded": _("The database is up to date: {url}"),
    "demo_users": _("Demo accounts (password {password}):"),
    "demo_farms": _("Demo farms: {new} added, {old} already there, owned by {email}."),
    "user_created": _("User {email} created with role {role}."),
    "user_exists": _("There is already a user with the e-mail address {email}."),
    "password_short": _("The password must be at least 10 characters long."),
    "password_prompt": _("Password: "),
    "revision": _("New migration: {path}"),
}


def _t(key: str, **kw: Any) -> str:
    return gettext_(T[key], "sv").format(**kw)


def _masked(url: Any) -> str:
    from web.db import normalise_url

    return normalise_url(url).render_as_string(hide_password=True)


@contextmanager
def _app() -> Iterator[Flask]:
    """The app for one command; its database connections are closed at the end."""
    from web import create_app
    from web.db import dispose

    app = create_app()
    try:
        yield app
    finally:
        dispose(app)


# ------------------------------------------------------------------- commands


def cmd_serve(args: argparse.Namespace) -> int:
    from web.db import upgrade

    with _app() as app:
        upgrade(app.config["DATABASE_URL"])
        url = f"http://{args.host}:{args.port}/"
        print(_t("serving", url=url))
        print(_t("stop"), flush=True)
        try:
            import waitress
        except ImportError:  # pragma: no cover - waitress is a dependency
            app.run(host=args.host, port=args.port)
        else:
            waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident=None)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from web.db import upgrade

    with _app() as app:
        url = app.config["DATABASE_URL"]
        upgrade(url, args.revision)
    print(_t("upgraded", url=_masked(url)))
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    from alembic import command

    from web.db import alembic_config

    with _app() as app:
        command.current(alembic_config(app.config["DATABASE_URL"]), verbose=False)
    return 0


def cmd_db_revision(args: argparse.Namespace) -> int:
    """Autogenerate a migration from the difference between models and database."""
    from alembic import command

    from web.db import MIGRATIONS_DIR, alembic_config, upgrade

    with _app() as app:
        url = app.config["DATABASE_URL"]
    upgrade(url)  # compare against the newest schema
    cfg = alembic_config(url)
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    rev_id = f"{len(list((MIGRATIONS_DIR / 'versions').glob('[0-9]*.py'))) + 1:04d}"
    script = command.revision(cfg, message=args.message, autogenerate=True, rev_id=rev_id)
    path = getattr(script, "path", script)
    print(_t("revision", path=path))
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from web import crud
    from web.db import get_session, upgrade
    from web.models import Role, UserCreate

    password = args.password or os.environ.get("FARMCALC_PASSWORD")
    if not password:
        password = getpass.getpass(_t("password_prompt"))
    if len(password) < 10:
        print(_t("password_short"), file=sys.stderr)
        return 2
    with _app() as app, app.app_context():
        upgrade(app.config["DATABASE_URL"])
        db = get_session()
        if crud.email_taken(session=db, email=args.email):
            print(_t("user_exists", email=args.email), file=sys.stderr)
            return 2
        user = crud.create_user(
            session=db,
            user_in=UserCreate(
                email=args.email, name=args.name, role=Role(args.role), password=password
            ),
        )
        print(_t("user_created", email=user.email, role=user.role))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from web.db import upgrade

    with _app() as app, app.app_context():
        upgrade(app.config["DATABASE_URL"])
        summary = create_demo_data(n_farms=args.farms)
    print(_t("demo_users", password=DEMO_PASSWORD))
    for email, _name, role in DEMO_USERS:
        print(f"  {email:<26} {role}")
    print(
        _t(
            "demo_farms",
            new=summary["new_farms"],
            old=summary["old_farms"],
            email=DEMO_USERS[0][0],
        )
    )
    return 0


def create_demo_data(*, n_farms: int = 3, year: int = DEMO_YEAR) -> dict[str, int]:
    """Demo users and ``n_farms`` calculated farms; running it again adds nothing.

    Needs an app context. Farms come from ``farmcalc.demo.demo_records`` (ids
    ``D-000001`` …) and belong to the demo farmer; the demo advisor gets access
    to the first one. Results are calculated in one ``calculate_batch`` call
    and written in bulk with their factor-set version.
    """
    from sqlalchemy import insert
    from sqlmodel import select

    from farmcalc import calculate_batch
    from farmcalc.demo import demo_records
    from web import crud
    from web.db import get_session
    from web.models import AdvisorAccess, Farm, FarmYear, Role, UserCreate, utcnow

    db = get_session()
    users = {}
    for email, name, role in DEMO_USERS:
        user = crud.get_user_by_email(session=db, email=email)
        if user is None:
            user = crud.create_user(
                session=db,
                user_in=UserCreate(
                    email=email, name=name, role=Role(role), password=DEMO_PASSWORD
                ),
            )
        users[role] = user
    farmer, advisor = users["farmer"], users["advisor"]

    records = demo_records(n_farms, year=year)
    existing = {
        f.farm_code: f for f in db.exec(select(Farm).where(Farm.owner_id == farmer.id)).all()
    }
    new = [r for r in records if r["farm_id"] not in existing]
    if new:
        db.execute(
            insert(Farm),
            [
                {
                    "owner_id": farmer.id,
                    "farm_code": r["farm_id"],
                    "name": r["name"],
                    "municipality_code": r["municipality_code"],
                    "created_at": utcnow(),
                }
                for r in new
            ],
        )
        db.commit()
    farms = {f.farm_code: f for f in db.exec(select(Farm).where(Farm.owner_id == farmer.id)).all()}
    have_year = set(
        db.exec(
            select(FarmYear.farm_id).where(
                FarmYear.year == year,
                FarmYear.farm_id.in_([f.id for f in farms.values()]),  # type: ignore[union-attr]
            )
        ).all()
    )
    todo = [r for r in records if farms[r["farm_id"]].id not in have_year]
    if todo:
        results = calculate_batch(todo).to_dicts("sv")
        now = utcnow()
        crud.bulk_insert_farm_years(
            session=db,
            rows=[
                {
                    "farm_id": farms[r["farm_id"]].id,
                    "year": year,
                    "record": r,
                    "step": "done",
                    "is_draft": False,
                    "result": res,
                    "factor_set": res["factor_set"],
                    "factor_set_version": res["factor_set_version"],
                    "gwp": res["gwp"],
                    "calculated_at": now,
                }
                for r, res in zip(todo, results, strict=True)
            ],
        )
    first = farms.get(records[0]["farm_id"]) if records else None
    if first is not None and db.get(AdvisorAccess, (first.id, advisor.id)) is None:
        db.add(AdvisorAccess(farm_id=first.id, advisor_id=advisor.id))
        db.commit()
    return {"new_farms": len(new), "old_farms": len(records) - len(new)}


# ------------------------------------------------------------------- register


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``serve``, ``db``, ``demo`` and ``user`` to ``farmcalc``'s sub-commands."""
    s = subparsers.add_parser("serve", help="run the web app (upgrades the database first)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=5000)
    s.add_argument("--threads", type=int, default=4)
    s.set_defaults(func=cmd_serve)

    d = subparsers.add_parser("db", help="the web app's database (Alembic migrations)")
    dsub = d.add_subparsers(dest="db_command", required=True)
    up = dsub.add_parser("upgrade", help="upgrade the database to the newest schema")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=cmd_db_upgrade)
    cur = dsub.add_parser("current", help="show the database's schema revision")
    cur.set_defaults(func=cmd_db_current)
    rev = dsub.add_parser("revision", help="autogenerate a migration after changing models")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=cmd_db_revision)

    demo = subparsers.add_parser("demo", help="create demo users and demo farms with results")
    demo.add_argument("--farms", type=int, default=3, help="number of demo farms (default 3)")
    demo.set_defaults(func=cmd_demo)

    u = subparsers.add_parser("user", help="manage web users")
    usub = u.add_subparsers(dest="user_command", required=True)
    uc = usub.add_parser("create", help="create a user of any role")
    uc.add_argument("--email", required=True)
    uc.add_argument("--name", required=True)
    uc.add_argument(
        "--role", required=True, choices=("farmer", "advisor", "municipality", "admin")
    )
    uc.add_argument("--password", help="else $FARMCALC_PASSWORD, else asked for")
    uc.set_defaults(func=cmd_user_create)
