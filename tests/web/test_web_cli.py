"""``farmcalc serve``, ``db upgrade``, ``demo`` and ``user create``; the core stays web-free."""

import ast
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlmodel import select

from farmcalc import calculate
from farmcalc.demo import demo_panel
from web import create_app
from web.store.db import dispose, get_session
from web.store.models import AdvisorAccess, Farm, FarmYear, FarmYearTotals, User

ROOT = Path(__file__).resolve().parents[2]


def test_core_never_imports_the_web_stack():
    banned = {"flask", "flask_babel", "flask_login", "flask_wtf", "sqlmodel", "sqlalchemy", "web"}
    for path in (ROOT / "farmcalc").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in banned, f"{path.name} imports {name}"


def test_core_cli_loads_web_commands_without_importing_flask():
    code = (
        "import sys, farmcalc.cli as c; p = c.build_parser(); "
        "print(sorted(p._subparsers._group_actions[0].choices)); "
        "print(any(m.split('.')[0] in ('flask', 'sqlmodel') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "'serve'" in out[0] and "'demo'" in out[0] and "'db'" in out[0]
    assert out[1] == "False"


def _app_for(url, tmp_path):
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "x"}, instance_path=tmp_path / "i")


def test_demo_creates_users_farms_and_results_and_is_idempotent(runner, migrated_db_url, tmp_path):
    r = runner("demo", "--farms", "2")
    assert r.exit_code == 0, r.errors
    assert "lantbrukare@example.se" in r.output and "radgivare@example.se" in r.output
    assert "kommun@example.se" in r.output
    r2 = runner("demo", "--farms", "2")
    assert r2.exit_code == 0, r2.errors
    app = _app_for(migrated_db_url, tmp_path)
    try:
        with app.app_context():
            db = get_session()
            users = {u.email: u.role for u in db.exec(select(User)).all()}
            assert users["lantbrukare@example.se"] == "farmer"
            assert users["radgivare@example.se"] == "advisor"
            assert users["kommun@example.se"] == "municipality"
            assert "admin" in users.values()
            farms = db.exec(select(Farm)).all()
            demo = [f for f in farms if f.farm_code.startswith("D-")]
            pending = [f for f in farms if f.farm_code.startswith("N-")]
            assert len(demo) == 2 and len(pending) == 2 and len(farms) == 4
            # the demo municipality has confirmed the demo farms; two more await it
            municipality = db.exec(select(User).where(User.role == "municipality")).one()
            assert all(
                f.confirmation == "confirmed" and f.confirmed_by_id == municipality.id
                for f in demo
            )
            assert all(f.confirmation == "pending" for f in pending)
            years = db.exec(select(FarmYear)).all()
            # each farm reports 2021–2025 (demo_panel; some farms only some years),
            # the pending farms the last year
            expected = demo_panel(2)
            assert len(years) == sum(len(v) for v in expected.values()) + len(pending)
            assert {fy.year for fy in years} <= set(expected)
            assert len(db.exec(select(FarmYearTotals)).all()) == len(years)
            for fy in years:
                assert fy.is_draft is False and fy.factor_set_version
                assert fy.result["factor_set_version"] == fy.factor_set_version
                fresh = calculate(fy.record, locale="sv")
                assert fresh["totals"] == fy.result["totals"]
            assert len(db.exec(select(AdvisorAccess)).all()) == 1
    finally:
        dispose(app)


def test_demo_password_signs_in(runner, migrated_db_url, tmp_path):
    from web.commands import DEMO_PASSWORD

    assert runner("demo", "--farms", "1").exit_code == 0
    app = _app_for(migrated_db_url, tmp_path)
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    try:
        client = app.test_client()
        r = client.post(
            "/auth/signin", data={"email": "lantbrukare@example.se", "password": DEMO_PASSWORD}
        )
        assert r.status_code == 302
        assert "Demogård 1" in client.get("/farms/").get_data(as_text=True)
    finally:
        dispose(app)


def test_user_create_any_role(runner, migrated_db_url, tmp_path):
    args = ["user", "create", "--email", "Chef@Kommun.se", "--name", "Chef"]
    r = runner(*args, "--role", "municipality", "--password", "langt-losenord-1")
    assert r.exit_code == 0, r.errors
    r = runner(*args, "--role", "admin", "--password", "langt-losenord-1")
    assert r.exit_code == 2
    r = runner(
        "user",
        "create",
        "--email",
        "a@b.se",
        "--name",
        "A",
        "--role",
        "admin",
        "--password",
        "kort",
    )
    assert r.exit_code == 2
    app = _app_for(migrated_db_url, tmp_path)
    try:
        with app.app_context():
            users = get_session().exec(select(User)).all()
            assert [(u.email, u.role) for u in users] == [("chef@kommun.se", "municipality")]
    finally:
        dispose(app)


def test_db_upgrade_command(runner, db_url):
    r = runner("db", "upgrade")
    assert r.exit_code == 0, r.errors
    assert "databasen" in r.output.lower()
    assert "***" in r.output or "sqlite" in r.output  # never the password


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_upgrades_and_answers(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "FARMCALC_INSTANCE_PATH": str(tmp_path / "instance"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "farmcalc.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                    body = resp.read().decode()
                    assert resp.status == 200
                    assert resp.headers["X-Frame-Options"] == "DENY"
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert '<html lang="sv">' in body
        assert (tmp_path / "instance" / "farmcalc.sqlite").is_file()
        assert (tmp_path / "instance" / "secret_key").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_serve_on_a_taken_port_says_so_in_swedish(tmp_path):
    """Issue 9 §5: with the port taken, a message and exit code 2, never a traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "FARMCALC_INSTANCE_PATH": str(tmp_path / "instance")}
        env.pop("DATABASE_URL", None)
        proc = subprocess.run(
            [sys.executable, "-m", "farmcalc.cli", "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"Porten {port}" in proc.stderr
    assert f"make run PORT={port + 1}" in proc.stderr
    assert "körs på" not in proc.stdout  # never claims to be running
