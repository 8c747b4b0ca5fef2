"""Fixtures of the browser tests: Debian's Chromium, headless, driven by Playwright.

- ``live_server`` (session): the app of ``make_test_app`` on an SQLite file
  upgraded by Alembic, served by werkzeug on 127.0.0.1 and a free port in a
  thread, with CSRF on and the sign-in rate limit on (high enough for the
  suite), seeded with the demo users and calculated demo farms
  (``web.commands.create_demo_data``, as ``farmcalc demo``). ``pg_server`` is the
  same on PostgreSQL when ``FARMCALC_TEST_POSTGRES_URL`` is set (CI sets it);
  ``any_server`` is parametrised over both.
- ``browser`` (session): one Chromium. Playwright never downloads a browser
  here: it launches ``/usr/bin/chromium`` (``apt-get install chromium``). Without
  it the tests skip, except in CI (``CI`` set), where they fail
  (``browserkit.require_browser``).
- ``new_page(server, email=None, **context_options)``: a page in a context of
  its own (its own cookies), signed in as the demo user ``email`` if given
  (the sign-in runs once per server and user through the real form; its
  cookies are reused). A test that signs out signs in by itself.
- ``shot(page, name)``: a full-page PNG into ``FARMCALC_SCREENSHOTS`` (or a
  temporary folder), for people to look at.

Helpers (Swedish texts, sign-in, axe-core) are in ``browserkit.py``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    TIMEOUT_MS,
    Server,
    require_browser,
    sign_in,
)
from sqlalchemy import text

from web.store.db import dispose, make_engine, normalise_url, upgrade

PG_ENV = "FARMCALC_TEST_POSTGRES_URL"
# Enough farms that the municipality's figures pass its disclosure rules: with 12, the ley
# farms' soil carbon (issue 11's ICBM inputs) dominated and the total was hidden.
DEMO_FARMS = 20
DEMO_YEARS = (2023, 2024, 2025)


def _web_conftest() -> Any:
    """tests/web/conftest.py as a module: ``make_test_app`` keeps one source of settings."""
    path = Path(__file__).resolve().parents[1] / "web" / "conftest.py"
    spec = importlib.util.spec_from_file_location("farmcalc_tests_web_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


make_test_app = _web_conftest().make_test_app


# ------------------------------------------------------------------ the server


def _seed(app: Any) -> dict[str, Any]:
    """The demo users and calculated demo farms, as ``farmcalc demo`` makes them."""
    from sqlalchemy import func
    from sqlmodel import select

    from web.commands import DEMO_PASSWORD, DEMO_USERS, create_demo_data
    from web.store.db import get_session
    from web.store.models import Farm, FarmYear

    with app.app_context():
        create_demo_data(n_farms=DEMO_FARMS, years=DEMO_YEARS)
        n_years = func.count(FarmYear.year)
        row = (
            get_session()
            .exec(
                select(Farm.id, n_years, func.max(FarmYear.year))
                .join(FarmYear, FarmYear.farm_id == Farm.id)  # type: ignore[arg-type]
                .where(FarmYear.result.is_not(None))  # type: ignore[union-attr]
                .group_by(Farm.id)
                .order_by(n_years.desc(), Farm.id)
            )
            .first()
        )
    assert row is not None, "the demo data has no calculated farm-year"
    return {
        "password": DEMO_PASSWORD,
        "emails": {role: email for email, _name, role in DEMO_USERS},
        "farm_id": row[0],
        "year": row[2],
    }


def _serve(db_url: str, instance: Path, backend: str) -> Iterator[Server]:
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    app = make_test_app(
        db_url,
        instance,
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        SIGNIN_RATE_LIMIT="300/minute",
        SIGNUP_RATE_LIMIT="300/minute",  # the suite signs up many accounts from 127.0.0.1
    )
    seeded = _seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=f"live-{backend}", daemon=True)
    thread.start()
    try:
        yield Server(
            url=f"http://127.0.0.1:{server.server_port}", app=app, backend=backend, **seeded
        )
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        dispose(app)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[Server]:
    """The app on SQLite (upgraded by Alembic), with the demo data, on a free port."""
    folder = tmp_path_factory.mktemp("live-sqlite")
    url = f"sqlite:///{folder / 'farmcalc.sqlite'}"
    upgrade(url)
    yield from _serve(url, folder / "instance", "sqlite")


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory) -> Iterator[Server]:
    """The same app on PostgreSQL, in a schema of its own (``FARMCALC_TEST_POSTGRES_URL``)."""
    if not os.environ.get(PG_ENV):
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set in CI: .ci/run must start PostgreSQL")
        pytest.skip(f"{PG_ENV} is not set")
    base = normalise_url(os.environ[PG_ENV])
    schema = f"browser_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        url_text = url.render_as_string(hide_password=False)
        upgrade(url_text)
        yield from _serve(url_text, tmp_path_factory.mktemp("live-pg") / "instance", "postgresql")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_server(request) -> Server:
    """``live_server``, and ``pg_server`` when PostgreSQL is there (CI)."""
    return request.getfixturevalue("live_server" if request.param == "sqlite" else "pg_server")


# ------------------------------------------------------------------ the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    finally:
        pw.stop()


@pytest.fixture(scope="session")
def storage_states(browser) -> Callable[[Server, str], dict]:
    """The cookies of a signed-in demo user, made once per server and user."""
    cache: dict[tuple[str, str], dict] = {}

    def state(server: Server, email: str) -> dict:
        key = (server.url, email)
        if key not in cache:
            context = browser.new_context(locale="sv-SE")
            context.set_default_timeout(TIMEOUT_MS)
            try:
                sign_in(context.new_page(), server, email, server.password)
                cache[key] = context.storage_state()
            finally:
                context.close()
        return cache[key]

    return state


@pytest.fixture
def new_page(browser, storage_states) -> Iterator[Callable[..., Any]]:
    """``new_page(server, email=None, **context_options)``: a page in a new context."""
    contexts: list[Any] = []

    def make(server: Server, email: str | None = None, **options: Any) -> Any:
        opts: dict[str, Any] = {"locale": "sv-SE", "viewport": DESKTOP, **options}
        if email:
            opts["storage_state"] = storage_states(server, email)
        context = browser.new_context(**opts)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# ------------------------------------------------------------------ screenshots


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("FARMCALC_SCREENSHOTS")
    if folder:
        path = Path(folder)
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def shot(screenshot_dir, request) -> Callable[..., Path]:
    """``shot(page, name, full_page=True)``: a screenshot ``<test>-<name>.png``."""
    test = re.sub(r"[^\w-]+", "_", request.node.name).strip("_")

    def take(page: Any, name: str, *, full_page: bool = True) -> Path:
        path = screenshot_dir / f"{test}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
