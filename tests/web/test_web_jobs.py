"""Durable jobs and background exports (services/jobs.py, views/downloads.py; issue 15).

Attack tests, on SQLite and PostgreSQL: two identical uploads at the same
moment (two real threads) end in one job, never in "fel hos oss"; a job
left running by a killed worker (a real ``kill -9`` of a real process) is
resumed at the next start, or failed with a Swedish message when its
workbook is gone; queued jobs survive a restart; old jobs and their files are
cleaned up; the results workbook of many farms is an export job whose file
only its owner can download, until it expires; above the cap it is refused
with a message saying what to narrow.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from farmcalc.excel import example_records
from tests.web.test_web_import import N_EXAMPLE, XLSX, counts, upload, workbook
from web.store.models import ExportJob, Farm, ImportJob, utcnow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config() -> dict:
    return {"IMPORT_SYNC": True}


@pytest.fixture(scope="module")
def example_xlsx() -> bytes:
    return workbook(example=True)


def many_farms_xlsx(n: int) -> bytes:
    """A valid workbook of ``n`` farms (the example's farms under new ids)."""
    base = example_records()
    records = []
    for i in range(n):
        rec = dict(base[i % len(base)])
        rec["farm_id"] = f"BIG-{i:05d}"
        records.append(rec)
    return workbook(records)


def session_of(app):
    from web.store.db import get_session

    return get_session()


def jobs_of(app, model=ImportJob) -> list:
    with app.app_context():
        db = session_of(app)
        rows = db.exec(select(model).order_by(model.id)).all()
        rows = [r[0] if not isinstance(r, model) else r for r in rows]
        for r in rows:
            db.expunge(r)
        return rows


def wait_for(app, job_id: int, model=ImportJob, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            db = session_of(app)
            job = db.get(model, job_id)
            db.expunge(job)
        if job.status not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


# ------------------------------------------------ two identical uploads at once


def test_two_identical_uploads_at_the_same_moment_are_one_job(app, seed, login, example_xlsx):
    """Two browsers of one user post the same bytes at once: one job, both land on it."""
    clients = [app.test_client(), app.test_client()]
    for c in clients:
        login(c, seed.emails["advisor_with"])
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def post(i: int) -> None:
        barrier.wait()
        answers[i] = upload(clients[i], example_xlsx)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(a is not None and a.status_code == 302 for a in answers), answers
    places = {a.headers["Location"] for a in answers}
    assert len(places) == 1 and re.search(r"/import/jobs/\d+$", places.pop())
    jobs = jobs_of(app)
    assert len(jobs) == 1, [(j.id, j.status, j.message) for j in jobs]
    job = wait_for(app, jobs[0].id)
    assert job.status == "done" and job.message == ""
    assert counts(app)[1] == N_EXAMPLE  # stored once
    page = clients[1].get(f"/import/jobs/{job.id}").get_data(as_text=True)
    assert "fel hos oss" not in page and "Arbetsboken är importerad" in page


def test_the_database_refuses_two_open_jobs_of_the_same_bytes(app, seed):
    """The guard is the database's (a unique index over the open jobs), not the view's."""
    user = seed.users["advisor_with"]
    with app.app_context():
        db = session_of(app)
        db.add(ImportJob(user_id=user, upload_sha256="a" * 64, status="done"))
        db.add(ImportJob(user_id=user, upload_sha256="a" * 64, status="queued"))
        db.add(ImportJob(user_id=seed.users["owner"], upload_sha256="a" * 64, status="queued"))
        db.commit()
        db.add(ImportJob(user_id=user, upload_sha256="a" * 64, status="running"))
        with pytest.raises(IntegrityError):
            db.commit()
        db.rollback()


# ----------------------------------------------------- crash, restart, resume


def test_a_job_of_a_dead_worker_is_resumed_or_failed_at_the_next_start(app, seed, example_xlsx):
    """Left "running" with an old lease: resumed from its stored workbook, else failed."""
    from web.services import jobs

    user = seed.users["advisor_with"]
    old = utcnow() - timedelta(hours=1)
    with app.app_context():
        db = session_of(app)
        with_file = ImportJob(
            user_id=user,
            filename="gardar.xlsx",
            status="running",
            step="calculated",
            upload=example_xlsx,
            upload_sha256="b" * 64,
            lease_owner="host:4242:dead",
            lease_until=old,
            attempts=1,
            updated_at=old,
        )
        without = ImportJob(
            user_id=seed.users["owner"],
            status="running",
            lease_owner="host:4242:dead",
            lease_until=old,
            attempts=1,
            updated_at=old,
        )
        db.add_all([with_file, without])
        db.commit()
        ids = with_file.id, without.id
    done = jobs.start(app)
    assert done == {"resumed": 1, "failed": 1}
    resumed = wait_for(app, ids[0])
    assert resumed.status == "done" and resumed.n_farm_years == N_EXAMPLE
    assert resumed.attempts == 2 and resumed.upload is None  # the file is not kept once stored
    failed = wait_for(app, ids[1])
    assert failed.status == "failed"
    assert "avbröts" in failed.message and "Ladda upp arbetsboken igen" in failed.message
    jobs.stop(app)


def test_a_job_whose_worker_died_three_times_is_failed_not_retried(app, seed, example_xlsx):
    from web.services import jobs

    old = utcnow() - timedelta(hours=1)
    with app.app_context():
        db = session_of(app)
        job = ImportJob(
            user_id=seed.users["advisor_with"],
            status="running",
            upload=example_xlsx,
            lease_until=old,
            attempts=jobs.MAX_ATTEMPTS,
        )
        db.add(job)
        db.commit()
        job_id = job.id
        assert jobs.recover(db.get_bind()) == {"resumed": 0, "failed": 1}
    job = wait_for(app, job_id)
    assert job.status == "failed" and "avbröts 3 gånger" in job.message
    assert job.upload is None


@pytest.mark.parametrize("app_config", [{"IMPORT_SYNC": False, "IMPORT_SYNC_MAX_BYTES": 0}])
def test_queued_jobs_survive_a_restart(app, seed, login, migrated_db_url, tmp_path, example_xlsx):
    """A job queued by a process that then stops is run by the next one."""
    from tests.web.conftest import make_test_app
    from web.services import jobs
    from web.store.db import dispose

    client = app.test_client()
    login(client, seed.emails["advisor_with"])
    jobs.stop(app)  # no worker in this process: the job stays queued
    app.extensions["farmcalc_jobs"].started = True  # (as if its workers had just died)
    r = upload(client, example_xlsx)
    job_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert jobs_of(app)[0].status == "queued"
    page = client.get(f"/import/jobs/{job_id}").get_data(as_text=True)
    assert "Väntar på att starta" in page
    app.extensions["farmcalc_jobs"].started = False
    dispose(app)  # the process ends
    again = make_test_app(migrated_db_url, tmp_path / "instance")
    try:
        jobs.start(again)  # the next process starts
        job = wait_for(again, job_id)
        assert job.status == "done" and job.n_farm_years == N_EXAMPLE
    finally:
        dispose(again)


N_KILL = 1000  # farms: an import of a few seconds, long enough to be killed in the middle
WORKER = """
import sys, time
from web import create_app
from web.services import jobs
app = create_app({"JOB_LEASE_SECONDS": 1.0, "JOB_POLL_SECONDS": 0.05, "TESTING": True})
jobs.start(app)
time.sleep(120)
"""


def test_kill_9_during_an_import_then_the_next_start_resumes_it(
    app, seed, migrated_db_url, tmp_path
):
    """A real worker process is killed (SIGKILL) while it imports; the next start finishes it."""
    from web.services import jobs

    data = many_farms_xlsx(N_KILL)
    with app.app_context():
        db = session_of(app)
        job = ImportJob(
            user_id=seed.users["advisor_with"],
            filename="stor.xlsx",
            size_bytes=len(data),
            upload=data,
            upload_sha256="c" * 64,
        )
        db.add(job)
        db.commit()
        job_id = job.id
    env = {
        **os.environ,
        "DATABASE_URL": migrated_db_url,
        "FARMCALC_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER], env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        seen = None
        while time.monotonic() < deadline:
            seen = jobs_of(app)[0]
            if seen.status == "running" and seen.progress >= 35:  # the file read: mid-import
                break
            time.sleep(0.02)
        assert seen is not None and seen.status == "running", seen and seen.status
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    left = jobs_of(app)[0]
    assert left.status == "running" and left.lease_owner  # what a crash leaves behind
    assert counts(app)[1] == 0  # nothing stored half-way
    time.sleep(1.2)  # the dead worker's lease (1 s) runs out
    assert jobs.start(app)["resumed"] == 1
    job = wait_for(app, job_id, timeout=120)
    jobs.stop(app)
    assert job.status == "done", job.message
    assert job.n_farm_years == N_KILL and job.attempts == 2
    assert counts(app)[1] == N_KILL


# ------------------------------------------------------------------- clean-up


def test_old_jobs_and_their_files_are_cleaned_up(app, seed, runner):
    from web.services import jobs

    user = seed.users["advisor_with"]
    long_ago = utcnow() - timedelta(days=31)
    with app.app_context():
        db = session_of(app)
        db.add_all(
            [
                ImportJob(user_id=user, status="done", created_at=long_ago, report=b"x"),
                ImportJob(user_id=user, status="failed", created_at=long_ago, upload=b"y"),
                ImportJob(user_id=user, status="done"),  # recent: kept
                ImportJob(user_id=user, status="queued", created_at=long_ago),  # open: kept
                ExportJob(user_id=user, status="done", created_at=long_ago, result=b"z"),
                ExportJob(  # recent, but its file expired
                    user_id=user,
                    status="done",
                    result=b"z",
                    expires_at=utcnow() - timedelta(hours=1),
                ),
            ]
        )
        db.commit()
        assert jobs.clean(db.get_bind(), days=30) == {"imports": 2, "exports": 1, "files": 1}
    assert [j.status for j in jobs_of(app)] == ["done", "queued"]
    exports = jobs_of(app, ExportJob)
    assert len(exports) == 1 and exports[0].result is None
    with app.app_context():
        db = session_of(app)
        db.add(ImportJob(user_id=user, status="done", created_at=long_ago))
        db.commit()
    r = runner("jobs", "clean")
    assert r.exit_code == 0, r.errors
    assert "1 importer" in r.output
    assert len(jobs_of(app)) == 2


# ---------------------------------------------------- the results workbook


def imported(client, login, seed, data, who="advisor_with") -> None:
    login(client, seed.emails[who])
    r = upload(client, data)
    assert r.status_code == 302


@pytest.mark.parametrize("app_config", [{"IMPORT_SYNC": True, "EXPORT_SYNC_MAX_FARMS": 2}])
def test_results_of_many_farms_are_an_export_job_for_its_owner_only(
    app, client, seed, login, example_xlsx
):
    from web.services import jobs

    imported(client, login, seed, example_xlsx)
    app.extensions["farmcalc_jobs"].started = True  # no worker yet: the page is seen waiting
    r = client.get("/import/results.xlsx?year=2025")
    assert r.status_code == 302, r.status_code  # not made inside the request
    m = re.search(r"/exports/(\d+)$", r.headers["Location"])
    assert m, r.headers["Location"]
    job_id = int(m.group(1))
    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "import.js" in page and 'id="import-bar"' in page  # it polls
    again = client.get("/import/results.xlsx?year=2025")
    assert again.headers["Location"] == r.headers["Location"]  # the same job
    app.extensions["farmcalc_jobs"].started = False
    jobs.start(app)
    job = wait_for(app, job_id, ExportJob)
    jobs.stop(app)
    assert job.status == "done" and job.n_rows == N_EXAMPLE
    status = client.get(f"/exports/{job_id}/status").get_json()
    assert status["finished"] and status["status"] == "done"
    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert f"/exports/{job_id}/file" in page
    got = client.get(f"/exports/{job_id}/file")
    assert got.status_code == 200 and got.mimetype == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(got.data), read_only=True)
    ids = [row[0] for row in wb["Sammanfattning"].iter_rows(min_row=2, values_only=True)]
    assert sorted(i for i in ids if i) == sorted(r["farm_id"] for r in example_records())
    assert "resultat-2025.xlsx" in got.headers["Content-Disposition"]
    client.post("/auth/signout")
    for who in ("advisor_without", "owner", "admin"):
        login(client, seed.emails[who])
        for suffix in ("", "/status", "/file"):
            assert client.get(f"/exports/{job_id}{suffix}").status_code == 404, (who, suffix)
        assert f"/exports/{job_id}" not in client.get("/exports/").get_data(as_text=True)
        client.post("/auth/signout")
    assert client.get(f"/exports/{job_id}/file").status_code == 302  # anonymous: sign in
    with app.app_context():
        db = session_of(app)
        db.execute(update(ExportJob).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.commit()
    login(client, seed.emails["advisor_with"])
    assert client.get(f"/exports/{job_id}/file").status_code == 404  # expired
    assert "inte längre kvar" in client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert client.get(f"/exports/{2**31}/file").status_code == 404


@pytest.mark.parametrize("app_config", [{"IMPORT_SYNC": True, "EXPORT_MAX_FARMS": 3}])
def test_results_above_the_cap_are_refused_saying_what_to_narrow(
    app, client, seed, login, example_xlsx
):
    imported(client, login, seed, example_xlsx)
    r = client.get("/import/results.xlsx?year=2025")
    assert r.status_code == 302 and r.headers["Location"].endswith("/import/")
    page = client.get("/import/").get_data(as_text=True)
    assert f"skulle omfatta {N_EXAMPLE} gårdar" in page
    assert "högst 3" in page and "välj ett år" in page.lower()
    assert jobs_of(app, ExportJob) == []


def test_a_few_farms_still_answer_at_once(app, client, seed, login, example_xlsx):
    """Few farms: the workbook in the answer; a farm-year whose record has errors left out."""
    from web.store.models import FarmYear

    imported(client, login, seed, example_xlsx)
    with app.app_context():  # a record with an error (a draft): not in the workbook
        db = session_of(app)
        farm = Farm(farm_code="UTKAST", name="Utkast", municipality_code="1290", owner_id=3)
        db.add(farm)
        db.commit()
        bad = {**example_records()[0], "farm_id": "UTKAST"}
        bad["energy"] = {**bad.get("energy", {}), "diesel_l": -100}  # an error: below 0
        db.add(FarmYear(farm_id=farm.id, year=2025, record=bad))
        db.commit()
    r = client.get("/import/results.xlsx?year=2025")
    assert r.status_code == 200 and r.mimetype == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(r.data), read_only=True)
    ids = [row[0] for row in wb["Sammanfattning"].iter_rows(min_row=2, values_only=True)]
    assert sorted(i for i in ids if i) == sorted(r["farm_id"] for r in example_records())
    assert jobs_of(app, ExportJob) == []
    with app.app_context():
        n = session_of(app).execute(select(func.count()).select_from(Farm)).scalar_one()
    assert n == N_EXAMPLE + 3
