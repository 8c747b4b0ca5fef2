"""The web app's sub-commands of ``farmcalc``, registered by entry point.

``pyproject.toml`` names :func:`register` in the group ``farmcalc.commands``;
``farmcalc.cli`` calls it with its sub-parsers. Heavy imports wait inside the
commands, so ``farmcalc calc`` stays quick.

- ``farmcalc serve [--host 127.0.0.1] [--port 5000] [--connection-limit N] [--channel-timeout S]
  [--header-timeout S] [--threads N] [--backlog N]``: upgrade the database, then serve with
  waitress (:func:`cmd_serve`; each option also from ``FARMCALC_CONNECTION_LIMIT``,
  ``FARMCALC_CHANNEL_TIMEOUT``, ``FARMCALC_HEADER_TIMEOUT``, ``FARMCALC_THREADS``,
  ``FARMCALC_BACKLOG``)
- ``farmcalc db upgrade`` / ``db current`` / ``db revision -m MESSAGE``
- ``farmcalc jobs clean [--days D]``: delete finished import/export jobs older than the
  retention time, with their stored workbooks (web/services/jobs.py)
- ``farmcalc privacy purge [--days D]``: delete audit-log entries older than
  ``FARMCALC_AUDIT_RETENTION_DAYS`` (also at every start of ``serve``; web/store/audit.py)
- ``farmcalc demo [--farms N]``: demo users and farms with calculated results, 2021–2025
- ``farmcalc aggregate --year Y [--municipality C] [--base-year B] --format json|xlsx [--out F]``
- ``farmcalc plan SCENARIO.json [--municipality C] [--format json|xlsx] [--output F]``: the
  climate investment plan of a scenario over the stored farms (:func:`cmd_plan`)
- ``farmcalc user create --email E --name N --role R [--password P]``
- ``farmcalc user reset-twofactor --email E``: a lost phone (web/views/twofactor.py)
- ``farmcalc import F.xlsx [--advisor EMAIL] [--replace-missing]``: store a workbook's farms
  (services/workbook_import.py); a workbook that would remove stored rows is refused
  (exit 2) unless ``--replace-missing``
- ``farmcalc report FILE [--out F.pdf]`` / ``farmcalc report --farm ID --year Y [--out F.pdf]``:
  the farm's climate report as PDF (:func:`cmd_report`, web/services/farm_report.py)
"""

from __future__ import annotations

import argparse
import errno
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
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
DEMO_FARMS = 150  # a small municipality: enough farms join and leave for the like-for-like series
DEMO_YEARS = (2021, 2022, 2023, 2024, 2025)
DEMO_PENDING = 2  # farms awaiting the municipality's confirmation (its register is not empty)

T = {
    "serving": _("farmcalc is running at {url} — open the address in a web browser."),
    "stop": _("Stop it with Ctrl+C."),
    "port_taken": _(
        "Port {port} on {host} is already in use by another program (perhaps farmcalc is "
        "already running). Stop that program, or choose another port: "
        "make run PORT={suggest}  (or: farmcalc serve --port {suggest})"
    ),
    "cannot_listen": _("Cannot listen on {host}:{port}: {error}"),
    "bad_setting": _(
        "{value!r} is not a whole number of at least {minimum} (the option {option} or the "
        "environment variable {env})."
    ),
    "few_files": _(
        "The system allows this process only {limit} open files: farmcalc serve holds at "
        "most {connections} connections instead of {asked} (raise LimitNOFILE or ulimit -n)."
    ),
    "upgraded": _("The database is up to date: {url}"),
    "demo_users": _("Demo accounts (password {password}):"),
    "demo_farms": _(
        "Demo farms: {new} added, {old} already there. {email} owns the first {mine}; "
        "each of the others has a demo owner of its own (…{domain}, the same password)."
    ),
    "twofactor_reset": _(
        "Two-step sign-in of {email} is turned off and their sessions ended; they set it up "
        "again at their next sign-in."
    ),
    "demo_twofactor": _(
        "{emails}: two-step sign-in. The first sign-in shows a QR code (and the key as text) "
        "to add to an authenticator app on your phone; from then on it asks for the app's "
        "six-digit code after the password."
    ),
    "demo_confirmed": _(
        "The municipality ({municipality}) has confirmed the demo farms; {pending} farms of "
        "{email} await its confirmation."
    ),
    "user_created": _("User {email} created with role {role}."),
    "user_exists": _("There is already a user with the e-mail address {email}."),
    "password_prompt": _("Password: "),
    "revision": _("New migration: {path}"),
    "no_year": _("No calculated farm-year for {year} in municipality {code}."),
    "no_base": _("The base year {year} has no calculated farm-years (years present: {years})."),
    "aggregate_written": _("Aggregates written to {path}."),
    "import_done": _(
        "{file}: {n} farm-years imported ({inserted} new, {updated} updated); "
        "{farms} new farms created."
    ),
    "import_warnings": _("{n} warnings:"),
    "import_removed": _("Removed, as --replace-missing asked ({n}):"),
    "import_would_remove": _(
        "{file}: importing the workbook would remove the stored data listed below; nothing "
        "was saved:"
    ),
    "plan_written": _("Climate investment plan written to {path}."),
    "plan_no_file": _("{file}: no such file."),
    "plan_not_json": _(
        "{file}: not valid JSON at line {line}, column {column}: {error}. A scenario is a "
        "JSON object (see examples/klimatinvesteringsplan.json)."
    ),
    "plan_not_utf8": _("{file}: the file is not UTF-8 text."),
    "plan_problems": _("{file}: the scenario has {n} problems; nothing was written:"),
    "plan_no_data": _(
        "Municipality {code} has no calculated, confirmed farm-years: there is nothing to project."
    ),
    "plan_other_year": _(
        "{file}: data_year {asked} has no calculated farm-years in municipality {code}; the "
        "plan uses {used} (years with data: {years})."
    ),
    "no_such_user": _("There is no user with the e-mail address {email}."),
    "cannot_import": _("The user {email} may not import farms (role {role})."),
    "privacy_purged": _("Audit log: {n} entries older than {days} days deleted."),
    "jobs_cleaned": _(
        "Deleted {imports} imports and {exports} exports finished more than {days} days ago; "
        "removed {files} exported workbooks past their time."
    ),
    "jobs_recovered": _(
        "Jobs of a stopped worker: {resumed} put back in the queue, {failed} failed."
    ),
    "report_written": _("Climate report written to {path}."),
    "reports_written": _("{n} climate reports written to {path}."),
    "report_args": _(
        "Name a farm record file (FILE), or a stored farm-year with --farm ID and --year Y, "
        "not both."
    ),
    "report_no_file": _("{file}: no such file."),
    "report_not_json": _(
        "{file}: not valid JSON at line {line}, column {column}: {error}. A farm record is a "
        "JSON object (see examples/exempelgarden.json), or a list of them."
    ),
    "report_invalid": _("{file}: the farm record has {n} problems; no report was written:"),
    "report_no_farm_year": _(
        "Farm {farm} has no calculated result for {year}: calculate the year first (on the "
        "result page, or farmcalc import)."
    ),
    "report_list_needs_zip": _(
        "{file} holds {n} farm records: give --out a file name ending in .zip (one PDF per farm)."
    ),
}


def _t(key: str, **kw: Any) -> str:
    return gettext_(T[key], "sv").format(**kw)


def _masked(url: Any) -> str:
    from web.store.db import normalise_url

    return normalise_url(url).render_as_string(hide_password=True)


@contextmanager
def _app() -> Iterator[Flask]:
    """The app for one command; its database connections are closed at the end."""
    from web import create_app
    from web.store.db import dispose

    app = create_app()
    try:
        yield app
    finally:
        dispose(app)


# ------------------------------------------------------------------- commands


# waitress's settings of `farmcalc serve`: option, environment variable, default, minimum.
# 1000 connections hold several hundred slow clients (each an open file, checked with
# poll(), never select() and its FD_SETSIZE of 1024) while others are answered.
SERVE_SETTINGS = {
    "connection_limit": ("--connection-limit", "FARMCALC_CONNECTION_LIMIT", 1000, 1),
    "channel_timeout": ("--channel-timeout", "FARMCALC_CHANNEL_TIMEOUT", 60, 1),
    "header_timeout": ("--header-timeout", "FARMCALC_HEADER_TIMEOUT", 30, 1),
    "threads": ("--threads", "FARMCALC_THREADS", 4, 1),
    "backlog": ("--backlog", "FARMCALC_BACKLOG", 1024, 1),
}
FILES_BESIDE_CONNECTIONS = 64  # open files for the database, logs, the listening socket


def _setting(option: str, env: str, minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number ≥ ``minimum``, named by option and variable."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = minimum - 1
        if number < minimum:
            raise argparse.ArgumentTypeError(
                _t("bad_setting", value=value, minimum=minimum, option=option, env=env)
            )
        return number

    return parse


def _open_files_for(connections: int) -> int:
    """Raise the soft limit of open files so ``connections`` fit; the connections that do.

    Parameters
    ----------
    connections : int
        The connection limit asked for.

    Returns
    -------
    int
        ``connections``, or fewer when the hard limit is lower than they need.
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return connections
    need = connections + FILES_BESIDE_CONNECTIONS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        new_soft = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
        soft = new_soft
    if soft != resource.RLIM_INFINITY and soft < need:
        fit = max(1, soft - FILES_BESIDE_CONNECTIONS)
        print(_t("few_files", limit=soft, connections=fit, asked=connections), file=sys.stderr)
        return fit
    return connections


def _header_deadline(server: Any, seconds: int) -> None:
    """Close connections whose request headers are unfinished ``seconds`` after they began.

    waitress closes idle connections only (``channel_timeout``): a client that sends
    one header byte now and then is never idle and would keep its connection for
    ever. Each request parser notes when its first byte came; waitress's periodic
    maintenance then also closes the connections whose headers are overdue.

    Parameters
    ----------
    server : waitress.server.BaseWSGIServer
        The server made by ``waitress.create_server``.
    seconds : int
        The time a request's headers may take [s].
    """
    import time

    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser

    class TimedParser(HTTPRequestParser):
        def __init__(self, adj: Any) -> None:
            super().__init__(adj)
            self.began = time.monotonic()

    class TimedChannel(HTTPChannel):
        parser_class = TimedParser

    server.channel_class = TimedChannel
    maintenance = server.maintenance

    def maintenance_and_header_deadline(now: float) -> None:
        maintenance(now)
        cutoff = time.monotonic() - seconds
        for channel in list(server.active_channels.values()):
            request = channel.request
            if (
                request is not None
                and not request.headers_finished
                and not channel.requests
                and getattr(request, "began", cutoff) < cutoff
            ):
                channel.will_close = True

    server.maintenance = maintenance_and_header_deadline


def cmd_serve(args: argparse.Namespace) -> int:
    """Upgrade the database, then serve the app with waitress until stopped.

    waitress answers with ``args.threads`` threads; up to ``args.connection_limit``
    connections are held at once (more wait in the listen backlog of
    ``args.backlog``), a connection idle for ``args.channel_timeout`` seconds is
    closed, and connections are watched with ``poll()``; a request whose headers are
    not complete ``args.header_timeout`` seconds after its first byte is closed too
    (:func:`_header_deadline`). Behind nginx
    (deploy/nginx/farmcalc.conf, docs/deploy.md) the proxy cuts slow clients first.
    """
    import waitress

    from web.store.db import upgrade

    connection_limit = _open_files_for(args.connection_limit)
    with _app() as app:
        upgrade(app.config["DATABASE_URL"])
        from web.services import jobs

        jobs.start(app)  # resume or fail jobs of a dead worker, clean old ones, run the queue
        from web.store import batch_worker

        batch_worker.prestart()  # a large import's records and measures: warm from the start
        _purge_audit_log(app)  # entries past AUDIT_RETENTION_DAYS (docs/privacy.md)
        try:
            server = waitress.create_server(
                app,
                host=args.host,
                port=args.port,
                threads=args.threads,
                connection_limit=connection_limit,
                channel_timeout=args.channel_timeout,
                # idle and overdue connections are looked for twice per timeout
                cleanup_interval=max(1, min(30, args.channel_timeout, args.header_timeout) // 2),
                backlog=args.backlog,
                asyncore_use_poll=True,
                # waitress 3 drops X-Forwarded-* unless told to trust them: behind the proxy
                # (FARMCALC_PROXY_FIX=1) werkzeug's ProxyFix reads them instead
                clear_untrusted_proxy_headers=not app.config.get("PROXY_FIX"),
                ident=None,
            )
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                print(
                    _t("port_taken", host=args.host, port=args.port, suggest=args.port + 1),
                    file=sys.stderr,
                )
            else:
                print(
                    _t("cannot_listen", host=args.host, port=args.port, error=e), file=sys.stderr
                )
            return 2
        _header_deadline(server, args.header_timeout)
        url = f"http://{args.host}:{args.port}/"
        print(_t("serving", url=url))
        print(_t("stop"), flush=True)
        try:
            server.run()
        except KeyboardInterrupt:  # pragma: no cover - Ctrl+C in a terminal
            pass
        finally:
            server.close()
    return 0


def _purge_audit_log(app: Flask, days: int | None = None) -> int:
    """Delete the audit entries older than ``days`` (default ``AUDIT_RETENTION_DAYS``)."""
    from web.store import audit
    from web.store.db import get_session

    keep = int(app.config["AUDIT_RETENTION_DAYS"]) if days is None else days
    with app.app_context():
        return audit.purge(get_session(), days=keep)


def cmd_privacy_purge(args: argparse.Namespace) -> int:
    """``farmcalc privacy purge [--days D]``: the audit log's retention (web/store/audit.py)."""
    from web.store.db import upgrade

    with _app() as app:
        upgrade(app.config["DATABASE_URL"])
        days = int(app.config["AUDIT_RETENTION_DAYS"]) if args.days is None else args.days
        print(_t("privacy_purged", n=_purge_audit_log(app, days), days=days))
    return 0


def cmd_jobs_clean(args: argparse.Namespace) -> int:
    """Delete finished jobs older than ``--days`` (default ``JOB_RETENTION_DAYS``), expired files.

    Jobs left running by a worker that is gone (its lease passed) are first
    resumed or failed (web/services/jobs.py).
    """
    from web.services import jobs
    from web.store.db import upgrade

    with _app() as app:
        upgrade(app.config["DATABASE_URL"])
        engine = app.extensions["farmcalc_engine"]
        days = args.days if args.days is not None else float(app.config["JOB_RETENTION_DAYS"])
        recovered = jobs.recover(engine)
        done = jobs.clean(engine, days=days)
    if recovered["resumed"] or recovered["failed"]:
        print(_t("jobs_recovered", **recovered))
    print(_t("jobs_cleaned", days=f"{days:g}", **done))
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from web.store.db import upgrade

    with _app() as app:
        url = app.config["DATABASE_URL"]
        upgrade(url, args.revision)
    print(_t("upgraded", url=_masked(url)))
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    from alembic import command

    from web.store.db import alembic_config

    with _app() as app:
        command.current(alembic_config(app.config["DATABASE_URL"]), verbose=False)
    return 0


def cmd_db_revision(args: argparse.Namespace) -> int:
    """Autogenerate a migration from the difference between models and database."""
    from alembic import command

    from web.store.db import MIGRATIONS_DIR, alembic_config, upgrade

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
    from web.store import crud
    from web.store.db import get_session, upgrade
    from web.store.models import Role, UserCreate

    password = args.password or os.environ.get("FARMCALC_PASSWORD")
    if not password:
        password = getpass.getpass(_t("password_prompt"))
    from web.services.passwords import guessable_inputs, password_problems

    problems = password_problems(password, guessable_inputs(args.email, args.name))
    if (
        problems
    ):  # the rule of sign-up and the account page (web/services/passwords.py), in Swedish
        print(" ".join(problems), file=sys.stderr)
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


def cmd_user_reset_twofactor(args: argparse.Namespace) -> int:
    """Turn off ``--email``'s two-step sign-in and end their sessions (a lost phone).

    Check who asks before running it: a required role enrols again at the next
    sign-in, with the password alone.
    """
    from web.store import crud
    from web.store.db import get_session, upgrade
    from web.views import twofactor

    with _app() as app, app.app_context():
        upgrade(app.config["DATABASE_URL"])
        db = get_session()
        user = crud.get_user_by_email(session=db, email=args.email)
        if user is None:
            print(_t("no_such_user", email=args.email), file=sys.stderr)
            return 2
        twofactor.disable(db, user)
        crud.end_login_sessions_of(session=db, user=user)
        print(_t("twofactor_reset", email=user.email))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from web.store.db import upgrade

    with _app() as app, app.app_context():
        upgrade(app.config["DATABASE_URL"])
        summary = create_demo_data(n_farms=args.farms, pending=DEMO_PENDING)
        create_demo_scenario()
        two_step = [e for e, _n, role in DEMO_USERS if role in app.config["TWOFACTOR_ROLES"]]
    print(_t("demo_users", password=DEMO_PASSWORD))
    for email, _name, role in DEMO_USERS:
        print(f"  {email:<26} {role}")
    if two_step:
        print(_t("demo_twofactor", emails=", ".join(two_step)))
    print(
        _t(
            "demo_farms",
            new=summary["new_farms"],
            old=summary["old_farms"],
            email=DEMO_USERS[0][0],
            mine=DEMO_FARMER_FARMS,
            domain=DEMO_OWNER_DOMAIN,
        )
    )
    print(
        _t(
            "demo_confirmed",
            municipality=DEMO_USERS[2][0],
            pending=DEMO_PENDING,
            email=DEMO_USERS[0][0],
        )
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Store the farms of a workbook like the upload page (all or nothing, by farm and year)."""
    from pathlib import Path

    from farmcalc.excel.workbook_commands import EXIT_INPUT, print_issues
    from web.services.workbook_import import REMOVAL_TEXT, RemovalIssue, import_workbook
    from web.store import crud
    from web.store.access import can_create_farms
    from web.store.db import get_session, upgrade

    locale = args.locale
    if not Path(args.file).is_file():
        print(gettext_(_("{file}: no such file"), locale).format(file=args.file), file=sys.stderr)
        return EXIT_INPUT
    with _app() as app, app.app_context():
        upgrade(app.config["DATABASE_URL"])
        db = get_session()
        user = None
        if args.advisor:
            user = crud.get_user_by_email(session=db, email=args.advisor)
            if user is None:
                print(_t("no_such_user", email=args.advisor), file=sys.stderr)
                return EXIT_INPUT
            if not can_create_farms(user):
                print(_t("cannot_import", email=user.email, role=user.role), file=sys.stderr)
                return EXIT_INPUT
        from web.store import audit

        # the audit log names the advisor it was imported for, from the command line
        actor = audit.Actor(
            user_id=user.id if user else None, email=user.email if user else "", via="system"
        )
        with audit.acting_as(actor):
            result = import_workbook(
                session=db,
                user=user,
                source=args.file,
                factors=args.factors,
                gwp=args.gwp,
                locale=locale,
                max_bytes=app.config["IMPORT_MAX_FILE_BYTES"],
                replace=args.replace_missing,
            )
    if result.refused_for_removals:
        head = gettext_(T["import_would_remove"], locale).format(file=args.file)
        print(head, file=sys.stderr)
        for issue in result.issues:
            print("  " + issue.message(locale), file=sys.stderr)
        print(gettext_(REMOVAL_TEXT["replace_hint"], locale), file=sys.stderr)
        return EXIT_INPUT
    if not result.ok:
        print_issues(result.issues, args.file, locale)
        return EXIT_INPUT
    print(
        gettext_(T["import_done"], locale).format(
            file=args.file,
            n=result.n_farm_years,
            inserted=result.n_inserted,
            updated=result.n_updated,
            farms=result.n_new_farms,
        )
    )
    removed = [i for i in result.warnings if isinstance(i, RemovalIssue)]
    if removed:
        print(gettext_(T["import_removed"], locale).format(n=len(removed)))
        for issue in removed:
            print(f"  {issue.location(locale)}: {issue.text(locale)}")
    warnings = [i for i in result.warnings if not isinstance(i, RemovalIssue)]
    if warnings:
        print(gettext_(T["import_warnings"], locale).format(n=len(warnings)))
        for issue in warnings:
            print("  " + issue.message(locale))
    return 0


def create_demo_data(
    *,
    n_farms: int = DEMO_FARMS,
    years: tuple[int, ...] = DEMO_YEARS,
    all_years: bool = False,
    pending: int = 0,
) -> dict[str, int]:
    """Demo users and ``n_farms`` calculated farms over ``years``; running it again adds nothing.

    Needs an app context. Farms come from ``farmcalc.demo.demo_panel`` (ids
    ``D-000001`` …, Kristianstad's mix of farm types, numbers drifting year
    to year, some farms reporting only some years; ``all_years``: every farm
    reports every year). The demo farmer owns the first two farms (two farms
    of one owner: one respondent for the disclosure rule), every other farm
    has a demo owner of its own (``d-000003@demo.example.se`` …, the demo
    password); the demo advisor gets access to the first one. The demo
    municipality user has **confirmed** every demo farm, so the municipality's
    figures count them (docs/municipality.md, "Who counts"). ``pending``
    more farms of the demo farmer (``N-000001`` …, one calculated year) wait
    for the municipality's confirmation, so its register is not empty.

    Each year is calculated in one ``calculate_batch`` call and handed to the
    one writer (``web.store.writer.store_results``: the farm-years with their results
    and the municipality's per-farm totals, one transaction).
    """
    from sqlalchemy import insert, update
    from sqlmodel import col, select

    from farmcalc.demo import demo_panel
    from web.services.passwords import hash_password
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import (
        AdvisorAccess,
        Confirmation,
        Farm,
        Role,
        User,
        UserCreate,
        utcnow,
    )

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
    farmer, advisor, municipality = users["farmer"], users["advisor"], users["municipality"]

    panel = demo_panel(n_farms, years=tuple(years), all_years=all_years)
    first: dict[str, dict] = {}
    for y in years:
        for r in panel[y]:
            first.setdefault(r["farm_id"], r)
    codes = sorted(first)
    owner_email = {
        code: (farmer.email if k < DEMO_FARMER_FARMS else f"{code.lower()}{DEMO_OWNER_DOMAIN}")
        for k, code in enumerate(codes)
    }
    owners = _demo_owners(db, owner_email, farmer, hash_password(DEMO_PASSWORD))
    demo_owner_ids = set(owners.values())
    rows = db.exec(
        select(Farm.farm_code, Farm.id, Farm.owner_id)
        .join(User, col(User.id) == Farm.owner_id)
        .where(
            (col(User.email).like(f"%{DEMO_OWNER_DOMAIN}")) | (col(User.id) == farmer.id),
            col(Farm.farm_code).like("D-%"),
        )
    ).all()
    existing = {c: (i, o) for c, i, o in rows if o in demo_owner_ids and c in first}
    for code, (fid, owner) in existing.items():  # demo data of an older version: one owner
        want = owners[owner_email[code]]
        if (
            owner != want
            and not db.exec(
                select(Farm.id).where(Farm.owner_id == want, Farm.farm_code == code)
            ).first()
        ):
            db.execute(update(Farm).where(col(Farm.id) == fid).values(owner_id=want))
    db.commit()
    new = [first[c] for c in codes if c not in existing]
    if new:
        db.execute(
            insert(Farm),
            [
                {
                    "owner_id": owners[owner_email[r["farm_id"]]],
                    "farm_code": r["farm_id"],
                    "name": r["name"],
                    "municipality_code": r["municipality_code"],
                    "created_at": utcnow(),
                }
                for r in new
            ],
        )
        db.commit()
    farms = {
        c: i
        for c, i, o in db.exec(
            select(Farm.farm_code, Farm.id, Farm.owner_id).where(
                col(Farm.owner_id).in_(sorted(demo_owner_ids)), col(Farm.farm_code).like("D-%")
            )
        ).all()
        if c in first and o == owners[owner_email[c]]
    }
    added = _demo_years(db, panel, years, farms)
    # the demo municipality has confirmed every demo farm
    ids = sorted(farms.values())
    for start in range(0, len(ids), 5000):
        db.execute(
            update(Farm)
            .where(
                col(Farm.id).in_(ids[start : start + 5000]),
                Farm.confirmation != Confirmation.confirmed.value,
            )
            .values(
                confirmation=Confirmation.confirmed.value,
                confirmed_by_id=municipality.id,
                confirmed_at=utcnow(),
            )
        )
    db.commit()
    first_id = farms.get(codes[0]) if codes else None
    if first_id is not None and db.get(AdvisorAccess, (first_id, advisor.id)) is None:
        db.add(AdvisorAccess(farm_id=first_id, advisor_id=advisor.id))
        db.commit()
    added += _demo_pending(db, farmer, pending, years[-1])
    return {"new_farms": len(new), "old_farms": len(first) - len(new), "farm_years": added}


DEMO_SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "klimatinvesteringsplan.json"
"""The demo municipality's saved scenario: the example of docs/municipality.md."""


def create_demo_scenario(path: Path = DEMO_SCENARIO) -> bool:
    """Save the example scenario for the demo municipality, so that its climate investment
    plan is not an empty list on the first visit; True when it was added (needs an app
    context). Nothing when a scenario of that name is saved already, or when the example file
    is not there (an installed package without the repository's examples)."""
    from flask import current_app
    from sqlmodel import select

    from farmcalc.municipality.investment_plan import parse_scenario
    from web.store import crud
    from web.store.db import get_session
    from web.store.models import ClimateScenario

    if not path.is_file():
        return False
    scenario = parse_scenario(json.loads(path.read_text(encoding="utf-8")))
    code = str(current_app.config.get("MUNICIPALITY_CODE", "1290"))
    db = get_session()
    have = db.exec(
        select(ClimateScenario.id).where(
            ClimateScenario.municipality_code == code, ClimateScenario.name == scenario.name
        )
    ).first()
    if have is not None:
        return False
    owner = crud.get_user_by_email(session=db, email=DEMO_USERS[2][0])
    db.add(
        ClimateScenario(
            name=scenario.name,
            definition=scenario.to_doc(),
            municipality_code=code,
            created_by_id=owner.id if owner is not None else None,
        )
    )
    db.commit()
    return True


DEMO_FARMER_FARMS = 2
"""How many demo farms the demo farmer owns (the others have a demo owner each)."""
DEMO_OWNER_DOMAIN = "@demo.example.se"


def _demo_owners(db: Any, owner_email: dict[str, str], farmer: Any, password_hash: str) -> dict:
    """``{e-mail: user id}`` of the demo farms' owners; those missing are made in one insert."""
    from sqlalchemy import insert
    from sqlmodel import col, select

    from web.store.models import Role, User, utcnow

    emails = sorted(set(owner_email.values()) - {farmer.email})
    ids = {farmer.email: farmer.id}
    for start in range(0, len(emails), 5000):
        chunk = emails[start : start + 5000]
        ids.update(db.exec(select(User.email, User.id).where(col(User.email).in_(chunk))).all())
    missing = [e for e in emails if e not in ids]
    if missing:
        db.execute(
            insert(User),
            [
                {
                    "email": e,
                    "name": "Demoägare " + e.split("@")[0].upper(),
                    "role": Role.farmer.value,
                    "password_hash": password_hash,
                    "created_at": utcnow(),
                    "email_verified_at": utcnow(),  # made by the operator: verified
                }
                for e in missing
            ],
        )
        db.commit()
        for start in range(0, len(missing), 5000):
            chunk = missing[start : start + 5000]
            ids.update(
                db.exec(select(User.email, User.id).where(col(User.email).in_(chunk))).all()
            )
    return ids


def _demo_years(db: Any, panel: dict, years: tuple[int, ...], farms: dict[str, int]) -> int:
    """Calculate and store the panel's farm-years that are not stored yet."""
    from sqlmodel import col, select

    from farmcalc import calculate_batch
    from web.store.models import AuditAction, FarmYear
    from web.store.writer import store_results

    have: set[tuple[int, int]] = set()
    ids = sorted(farms.values())
    for start in range(0, len(ids), 5000):
        have.update(
            db.exec(
                select(FarmYear.farm_id, FarmYear.year).where(
                    col(FarmYear.farm_id).in_(ids[start : start + 5000])
                )
            ).all()
        )
    added = 0
    for y in years:
        todo = [
            r for r in panel[y] if r["farm_id"] in farms and (farms[r["farm_id"]], y) not in have
        ]
        if not todo:
            continue
        batch = calculate_batch(todo)
        rows = [
            {"farm_id": farms[r["farm_id"]], "year": y, "record": r, "step": "done"} for r in todo
        ]
        store_results(db, rows, batch, locale="sv", action=AuditAction.created)  # the one writer
        added += len(rows)
    return added


def _demo_pending(db: Any, farmer: Any, n: int, year: int) -> int:
    """``n`` farms of the demo farmer, calculated for ``year``, awaiting confirmation."""
    if n <= 0:
        return 0
    from sqlalchemy import insert
    from sqlmodel import col, select

    from farmcalc.demo import demo_records
    from web.store.models import Farm, utcnow

    records = demo_records(n, seed=4711, year=year, id_prefix="N")
    for i, r in enumerate(records):
        r["name"] = f"Nyanmäld gård {i + 1}"
    have = set(
        db.exec(
            select(Farm.farm_code).where(
                Farm.owner_id == farmer.id, col(Farm.farm_code).like("N-%")
            )
        ).all()
    )
    new = [r for r in records if r["farm_id"] not in have]
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
    farms = dict(
        db.exec(
            select(Farm.farm_code, Farm.id).where(
                Farm.owner_id == farmer.id, col(Farm.farm_code).like("N-%")
            )
        ).all()
    )
    return _demo_years(db, {year: records}, (year,), farms)


def municipality_code(value: str) -> str:
    """``--municipality``: four ASCII digits ("١٢٩٠" and "１２９０" are no code)."""
    from farmcalc.inputs.checks import is_municipality_code

    if not is_municipality_code(value):
        raise argparse.ArgumentTypeError(
            gettext_(
                _("{value!r} is not a municipality code: write its four digits, such as 1290."),
                "sv",
            ).format(value=value)
        )
    return value


def cmd_aggregate(args: argparse.Namespace) -> int:
    """The municipality's protected aggregates as JSON or Excel (what the dashboard shows)."""
    import json

    from farmcalc.municipality.summary import Rule, aggregate
    from farmcalc.municipality.summary_workbook import to_table, write_xlsx
    from web.store.db import get_session, upgrade
    from web.store.totals_query import load_frame, method_mix

    with _app() as app, app.app_context():
        upgrade(app.config["DATABASE_URL"])
        cfg = app.config
        code = args.municipality or str(cfg["MUNICIPALITY_CODE"])
        frame = load_frame(session=get_session(), municipality_code=code)
        mix = method_mix(session=get_session(), municipality_code=code)
        rule = Rule(
            min_farms=args.min_farms
            if args.min_farms is not None
            else cfg["DISCLOSURE_MIN_FARMS"],
            max_share_1=(
                args.max_share_1 if args.max_share_1 is not None else cfg["DISCLOSURE_MAX_SHARE_1"]
            ),
            max_share_2=(
                args.max_share_2 if args.max_share_2 is not None else cfg["DISCLOSURE_MAX_SHARE_2"]
            ),
            protection=(
                args.protection if args.protection is not None else cfg["DISCLOSURE_PROTECTION"]
            ),
        )
    years = sorted(int(y) for y in frame["year"].unique()) if len(frame) else []
    if args.year not in years:
        print(_t("no_year", year=args.year, code=code), file=sys.stderr)
        return 2
    if args.base_year is not None and args.base_year not in years:
        print(
            _t("no_base", year=args.base_year, years=", ".join(map(str, years))), file=sys.stderr
        )
        return 2
    agg = aggregate(
        frame, year=args.year, base_year=args.base_year, rule=rule, municipality_code=code
    )
    agg.method_mix = mix
    if args.format == "json":
        text = json.dumps(agg.to_dict(args.lang), ensure_ascii=False, indent=2) + "\n"
        if args.out:
            with open(args.out, "w", encoding="utf-8") as f:
                f.write(text)
            print(_t("aggregate_written", path=args.out), file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    if args.format == "table":  # a terminal's view: every label whole (issue 16)
        sys.stdout.write(to_table(agg, args.lang))
        return 0
    out = args.out or f"jordbruk-{code}-{args.year}.xlsx"
    write_xlsx(agg, out, args.lang)
    print(_t("aggregate_written", path=out))
    return 0


EXIT_BAD_INPUT = 2
"""``farmcalc plan``'s exit code for a missing or bad scenario file, or no data to project."""


def _read_scenario(path: str, locale: str) -> tuple[Any, int]:
    """The scenario of ``path`` checked by ``parse_scenario``; on a problem (None, exit code).

    Every problem is printed to standard error as ``FILE: FIELD: message``.
    """
    import json

    from farmcalc.municipality.investment_plan import ScenarioError, parse_scenario

    def say(key: str, **kw: Any) -> None:
        print(gettext_(T[key], locale).format(file=path, **kw), file=sys.stderr)

    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (FileNotFoundError, IsADirectoryError):
        say("plan_no_file")
        return None, EXIT_BAD_INPUT
    except UnicodeDecodeError:
        say("plan_not_utf8")
        return None, EXIT_BAD_INPUT
    except json.JSONDecodeError as e:
        say("plan_not_json", line=e.lineno, column=e.colno, error=e.msg)
        return None, EXIT_BAD_INPUT
    try:
        return parse_scenario(doc, locale=locale), 0
    except ScenarioError as e:
        say("plan_problems", n=len(e.problems))
        for where, message in e.problems.items():
            print(
                f"{path}: {where}: {message}" if where else f"{path}: {message}", file=sys.stderr
            )
        return None, EXIT_BAD_INPUT


def cmd_plan(args: argparse.Namespace) -> int:
    """The climate investment plan of a scenario over the municipality's stored farms.

    Reads and checks the scenario file (``farmcalc.scenario/1``,
    ``docs/investment-plan.md``), projects it over the confirmed, calculated
    farm-years of the municipality (``web.services.plan_data.project_scenario``,
    the dashboard's disclosure rule) and prints the plan as JSON or writes
    it as an Excel workbook with charts.

    Exit codes: 0 the plan was printed or written; 2 the scenario file is
    missing, not JSON or has problems (each printed to standard error as
    ``FILE: FIELD: message``), or the municipality has no calculated farm-years;
    nothing is written then.
    """
    import json

    from farmcalc.municipality.plan_workbook import plans_workbook
    from farmcalc.municipality.summary import Rule
    from web.services.plan_data import project_scenario
    from web.store.db import get_session, upgrade

    locale = args.lang
    scenario, code = _read_scenario(args.scenario, locale)
    if scenario is None:
        return code
    with _app() as app, app.app_context():
        upgrade(app.config["DATABASE_URL"])
        cfg = app.config
        municipality = args.municipality or str(cfg["MUNICIPALITY_CODE"])
        rule = Rule(
            min_farms=int(cfg["DISCLOSURE_MIN_FARMS"]),
            max_share_1=float(cfg["DISCLOSURE_MAX_SHARE_1"]),
            max_share_2=float(cfg["DISCLOSURE_MAX_SHARE_2"]),
            protection=float(cfg["DISCLOSURE_PROTECTION"]),
        )
        plan = project_scenario(
            session=get_session(), municipality_code=municipality, scenario=scenario, rule=rule
        )
    if plan is None:
        print(gettext_(T["plan_no_data"], locale).format(code=municipality), file=sys.stderr)
        return EXIT_BAD_INPUT
    if scenario.data_year is not None and scenario.data_year != plan["data_year"]:
        print(
            gettext_(T["plan_other_year"], locale).format(
                file=args.scenario,
                asked=scenario.data_year,
                code=municipality,
                used=plan["data_year"],
                years=", ".join(map(str, plan["years_with_data"])),
            ),
            file=sys.stderr,
        )
    if args.format == "json":
        text = json.dumps(plan, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        if args.output:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(text)
            print(gettext_(T["plan_written"], locale).format(path=args.output), file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    body = plans_workbook([plan], locale=locale)
    out = args.output or f"klimatinvesteringsplan-{municipality}-{plan['data_year']}.xlsx"
    with open(out, "wb") as f:
        f.write(body)
    print(gettext_(T["plan_written"], locale).format(path=out))
    return 0


# ------------------------------------------------------------------- register


def _report_subjects_of_file(args: argparse.Namespace) -> tuple[list[Any], bool] | int:
    """The report subjects of a record file (one record or a JSON list), or an exit code."""
    import json
    from pathlib import Path

    from farmcalc.errors import FactorError, ValidationError
    from farmcalc.excel.workbook_commands import EXIT_INPUT
    from web.services.farm_report import subject_of_record

    path = Path(args.file)
    if not path.is_file():
        print(_t("report_no_file", file=args.file), file=sys.stderr)
        return EXIT_INPUT
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        msg = getattr(exc, "msg", str(exc))
        print(
            _t("report_not_json", file=args.file, line=line, column=column, error=msg),
            file=sys.stderr,
        )
        return EXIT_INPUT
    many = isinstance(data, list)
    subjects = []
    for record in data if many else [data]:
        try:
            subjects.append(subject_of_record(record, factors=args.factors, gwp=args.gwp))
        except ValidationError as exc:
            print(_t("report_invalid", file=args.file, n=len(exc.issues)), file=sys.stderr)
            for issue in exc.issues:
                print("  " + issue.message("sv", with_farm=many), file=sys.stderr)
            return EXIT_INPUT
        except FactorError as exc:
            print(f"{args.file}: {exc}", file=sys.stderr)
            return EXIT_INPUT
    return subjects, many


def cmd_report(args: argparse.Namespace) -> int:
    """The farm's climate report as PDF: of a record file, or of a stored farm-year.

    A JSON list of records gives a zip with one PDF per farm (``--out`` ending
    in ``.zip``). The stored farm-year is read without any user's access check:
    the command runs with the database's own rights, like ``farmcalc import``.
    """
    from pathlib import Path

    from sqlmodel import select

    from farmcalc.excel.workbook_commands import EXIT_INPUT
    from web.services.farm_report import (
        report_filename,
        report_pdf,
        reports_zip,
        subject_of_farm_year,
    )
    from web.store.db import get_session, upgrade
    from web.store.models import Farm, FarmYear

    stored = args.farm is not None or args.year is not None
    if stored == bool(args.file) or (stored and (args.farm is None or args.year is None)):
        print(_t("report_args"), file=sys.stderr)
        return EXIT_INPUT
    with _app() as app, app.app_context(), app.test_request_context():
        if stored:
            upgrade(app.config["DATABASE_URL"])
            db = get_session()
            farm = db.get(Farm, args.farm)
            fy = None
            if farm is not None:
                fy = db.exec(
                    select(FarmYear).where(FarmYear.farm_id == farm.id, FarmYear.year == args.year)
                ).first()
            subject = subject_of_farm_year(farm, fy) if fy is not None else None
            if subject is None:
                print(_t("report_no_farm_year", farm=args.farm, year=args.year), file=sys.stderr)
                return EXIT_INPUT
            subjects, many = [subject], False
        else:
            got = _report_subjects_of_file(args)
            if isinstance(got, int):
                return got
            subjects, many = got
        if many:
            if not (args.out or "").endswith(".zip"):
                print(
                    _t("report_list_needs_zip", file=args.file, n=len(subjects)), file=sys.stderr
                )
                return EXIT_INPUT
            Path(args.out).write_bytes(reports_zip(subjects))
            print(_t("reports_written", n=len(subjects), path=args.out))
            return 0
        out = args.out or report_filename(subjects[0])
        pdf = report_pdf(subjects[0])
        Path(out).write_bytes(pdf)
    print(_t("report_written", path=out))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the web app's sub-commands (the list at the top of this module)."""
    s = subparsers.add_parser("serve", help="run the web app (upgrades the database first)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=5000)
    for dest, (option, env, default, minimum) in SERVE_SETTINGS.items():
        s.add_argument(
            option,
            dest=dest,
            type=_setting(option, env, minimum),
            default=os.environ.get(env, str(default)),  # argparse applies `type` to it
            help=f"{env}; default {default}",
        )
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
    demo.add_argument(
        "--farms",
        type=int,
        default=DEMO_FARMS,
        help=f"number of demo farms, each reporting 2021–2025 (default {DEMO_FARMS})",
    )
    demo.set_defaults(func=cmd_demo)

    ag = subparsers.add_parser(
        "aggregate", help="the municipality's protected aggregates (JSON or Excel)"
    )
    ag.add_argument("--year", type=int, required=True, help="the year of the tables")
    ag.add_argument(
        "--municipality",
        type=municipality_code,
        help="municipality code (default: FARMCALC_MUNICIPALITY)",
    )
    ag.add_argument("--base-year", type=int, help="base of the 14 %% path (default: first year)")
    ag.add_argument("--format", choices=("json", "xlsx", "table"), default="json")
    ag.add_argument("--out", help="file to write (json: default standard output)")
    ag.add_argument("--lang", choices=("sv", "en"), default="sv")
    ag.add_argument("--min-farms", type=int, help="disclosure rule: minimum farms per figure")
    ag.add_argument("--max-share-1", type=float, help="disclosure rule: largest farm's share")
    ag.add_argument("--max-share-2", type=float, help="disclosure rule: two largest farms' share")
    ag.add_argument(
        "--protection",
        type=float,
        help="disclosure audit: share of a hidden figure a reader must not narrow it to",
    )
    ag.set_defaults(func=cmd_aggregate)

    pl = subparsers.add_parser(
        "plan",
        help="the climate investment plan of a scenario over the stored farms (JSON or Excel)",
        description="Project an adoption scenario (docs/investment-plan.md, "
        "examples/klimatinvesteringsplan.json) over the municipality's calculated, confirmed "
        "farm-years. Exit codes: 0 done; 2 the scenario file is missing, not JSON or has "
        "problems (printed as FILE: FIELD: message), or there are no farm-years to project; "
        "nothing is written then.",
    )
    pl.add_argument("scenario", help="the scenario file (JSON, format farmcalc.scenario/1)")
    pl.add_argument(
        "--municipality",
        type=municipality_code,
        help="municipality code (default: FARMCALC_MUNICIPALITY)",
    )
    pl.add_argument("--format", choices=("json", "xlsx"), default="json")
    pl.add_argument(
        "--output",
        "--out",
        help="file to write (json: default standard output; xlsx: default "
        "klimatinvesteringsplan-CODE-YEAR.xlsx)",
    )
    pl.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of texts")
    pl.set_defaults(func=cmd_plan)

    j = subparsers.add_parser("jobs", help="the web app's import and export jobs")
    jsub = j.add_subparsers(dest="jobs_command", required=True)
    jc = jsub.add_parser(
        "clean",
        help="delete finished jobs (with their stored workbooks) older than the retention "
        "time (FARMCALC_JOB_RETENTION_DAYS, default 30 days)",
    )
    jc.add_argument("--days", type=float, help="keep jobs younger than this many days")
    jc.set_defaults(func=cmd_jobs_clean)

    pv = subparsers.add_parser("privacy", help="a farmer's data: retention (docs/privacy.md)")
    pvsub = pv.add_subparsers(dest="privacy_command", required=True)
    pp = pvsub.add_parser(
        "purge",
        help="delete audit-log entries older than FARMCALC_AUDIT_RETENTION_DAYS (default 1095)",
    )
    pp.add_argument("--days", type=int, help="keep entries younger than this many days")
    pp.set_defaults(func=cmd_privacy_purge)

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
    ur = usub.add_parser(
        "reset-twofactor",
        help="turn off a user's two-step sign-in (a lost phone): they enrol again at sign-in",
    )
    ur.add_argument("--email", required=True)
    ur.set_defaults(func=cmd_user_reset_twofactor)

    from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP, GWP_SETS

    imp = subparsers.add_parser(
        "import", help="store the farms of an Excel workbook in the web app's database"
    )
    imp.add_argument("file", help="the workbook (.xlsx), made from `farmcalc template`")
    imp.add_argument(
        "--advisor",
        metavar="EMAIL",
        help="import as this user: their farms and farms shared with them; new farm ids "
        "become their farms (without it: existing farms only, any owner)",
    )
    imp.add_argument(
        "--replace-missing",
        action="store_true",
        help="remove stored animals, crops and land-use changes of the workbook's farm-years "
        "that the workbook has no rows for (a missing or empty sheet); without it such a "
        "workbook is refused (exit 2) and nothing is stored",
    )
    imp.add_argument("--factors", default=DEFAULT_FACTOR_SET, help="factor set (default: sweden)")
    imp.add_argument("--gwp", choices=GWP_SETS, default=DEFAULT_GWP)
    imp.add_argument("--locale", choices=("sv", "en"), default="sv", help="language of messages")
    imp.set_defaults(func=cmd_import)

    rep = subparsers.add_parser(
        "report",
        help="the farm's climate report as PDF (Swedish, A4): of a record file or a stored "
        "farm-year",
        description="Make the farm's climate report (docs/report.md) of a farm record "
        "(JSON; a list of records gives a zip with one PDF per farm), or of a stored "
        "farm-year (--farm ID --year Y). Exit codes: 0 written; 2 no such file, not JSON, "
        "an invalid record (each problem printed with its field), or no calculated year.",
    )
    rep.add_argument("file", nargs="?", help="a farm record (.json), as `farmcalc calc` reads")
    rep.add_argument("--farm", type=int, help="a stored farm's id (with --year)")
    rep.add_argument("--year", type=int, help="the stored farm-year's year (with --farm)")
    rep.add_argument(
        "--out", help="file to write (default klimatrapport-FARM-YEAR.pdf; .zip for a list)"
    )
    rep.add_argument("--factors", default=DEFAULT_FACTOR_SET, help="factor set of a record file")
    rep.add_argument("--gwp", choices=GWP_SETS, default=DEFAULT_GWP)
    rep.set_defaults(func=cmd_report)
