"""The database: one engine per app, one SQLModel session per request.

``get_session()`` is the only way views reach the database; the session is
closed (and an unfinished transaction rolled back) when the request ends.
The schema belongs to Alembic (``web/migrations``): ``upgrade(url)`` brings a
database to the newest revision, and nothing here calls ``create_all``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
WAL_AUTOCHECKPOINT = 1000
"""SQLite's own default: a commit that leaves this many pages in the write-ahead log
copies them into the database file (a checkpoint) before it returns."""
log = logging.getLogger(__name__)


def normalise_url(url: str | URL) -> URL:
    """A SQLAlchemy URL; ``postgres://`` and ``postgresql://`` use psycopg 3."""
    u = make_url(url)
    if u.drivername in ("postgres", "postgresql"):
        u = u.set(drivername="postgresql+psycopg")
    return u


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.close()


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys."""
    u = normalise_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "checkin", _sqlite_on_checkin)
        return engine
    return create_engine(u, pool_pre_ping=True, **kwargs)


_LATER = "farmcalc_checkpoint_later"
_checkpoints: set[threading.Thread] = set()


def checkpoint_later(session: Session) -> None:
    """Let the commit of ``session``'s transaction return without copying the write-ahead
    log into the database file (SQLite only): the copy is made by a thread of its own
    once the connection is back in the pool.

    For a large write, the Excel import's: 10,000 farms leave about 13,000 pages
    (~55 MB) in the log, and their copy took ~0.1 s of the commit. The commit is as
    durable either way (the log is synced); SQLite's documentation allows checkpoints
    to be run by another thread or process. Only this transaction's connection is
    changed, and back to :data:`WAL_AUTOCHECKPOINT` when it is returned: if the thread
    does not get to it, the next large commit on any connection makes the copy.
    """
    conn = session.connection()
    database = conn.engine.url.database
    if conn.dialect.name != "sqlite" or not database or database == ":memory:":
        return
    conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
    conn.connection.info[_LATER] = database  # the pool's record of this connection


def _sqlite_on_checkin(dbapi_connection: Any, record: Any) -> None:
    database = record.info.pop(_LATER, None) if record is not None else None
    if database is None or dbapi_connection is None:
        return
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
    thread = threading.Thread(
        target=_checkpoint, args=(database,), name="sqlite-checkpoint", daemon=True
    )
    _checkpoints.add(thread)
    thread.start()


def _checkpoint(database: str) -> None:
    """A PASSIVE checkpoint on a connection of its own (it waits for no reader or writer;
    whatever it cannot copy now the next one copies)."""
    try:
        uri = f"file:{Path(database).resolve()}?mode=rw"  # never creates a file
        conn = sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:  # the database is gone (a test's), or busy: the next one
        log.debug("checkpoint of %s not made: %s", database, exc)
    finally:
        _checkpoints.discard(threading.current_thread())


def wait_for_checkpoints(timeout: float = 30.0) -> None:
    """Wait for the checkpoints started by :func:`checkpoint_later` (tests, shutdown)."""
    for thread in list(_checkpoints):
        thread.join(timeout)


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Run ``alembic upgrade <revision>`` on the database at ``url``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def alembic_config(url: str | URL):
    """An Alembic ``Config`` for web/migrations and the database at ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # passed as an attribute, not an ini option: a URL may hold "%" characters
    cfg.attributes["database_url"] = normalise_url(url)
    return cfg


def init_app(app: Flask) -> None:
    """Create the app's engine and close each request's session at teardown."""
    app.extensions["farmcalc_engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(close_session)


def dispose(app: Flask) -> None:
    """Stop the app's job workers (web/services/jobs.py), close its pooled connections."""
    from web.services import jobs

    jobs.stop(app)
    app.extensions["farmcalc_engine"].dispose()
    wait_for_checkpoints()  # a large write's copy into the database file (checkpoint_later)


def get_engine() -> Engine:
    return current_app.extensions["farmcalc_engine"]


def get_session() -> Session:
    """The request's session (one per app context, created on first use)."""
    if "db_session" not in g:
        g.db_session = Session(get_engine())
    return g.db_session


def rollback_session() -> None:
    """Roll back the request's open transaction, if any (before an error page is rendered).

    After a failed statement PostgreSQL refuses every further statement of the
    transaction; the error page asks who is signed in, so it needs a fresh one.
    """
    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except Exception:
            g.pop("db_session", None)
            session.close()


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
