"""Durable background jobs: imports and exports queued in the database, run by leased workers.

A job (:class:`~web.store.models.ImportJob`, :class:`~web.store.models.ExportJob`) is a
row; the queue is the rows with ``status = 'queued'``, so a queued job
survives a restart. A worker thread (``IMPORT_WORKERS`` of them per process)
**claims** a job by one conditional ``UPDATE … WHERE status = 'queued'``
(whoever changes the row owns it), setting ``lease_owner`` and
``lease_until``; while the job runs a heartbeat pushes ``lease_until``
forward every third of ``JOB_LEASE_SECONDS``. A running job whose lease has
passed lost its worker (a crash, ``kill -9``, a restart): :func:`recover`,
run when the workers start (``farmcalc serve``, the app's first request or
first queued job) and then every lease period, puts it back in the queue
when it can be done again (an import whose workbook is stored in ``upload``,
an export, each at most ``MAX_ATTEMPTS`` times) and otherwise fails it with
a message that says so in the uploader's language. A user's imports run one
at a time: a worker does not claim an import of a user who has one running.

Finished jobs, their stored uploads and exported workbooks are deleted after
``JOB_RETENTION_DAYS`` (:func:`clean`: at start and by ``farmcalc jobs
clean``); an export's file is dropped at its ``expires_at``
(``EXPORT_RETENTION_HOURS``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import and_, delete, exists, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from farmcalc.i18n import _, gettext_
from web.store.models import ExportJob, ImportJob, ImportStatus, utcnow

log = logging.getLogger(__name__)

STALE_WITHOUT_LEASE = timedelta(minutes=15)  # a running row without a lease (older code), silent
MAX_ATTEMPTS = 3  # a job whose worker died this often is failed, not tried again
OPEN = (ImportStatus.queued, ImportStatus.running)
FINISHED = (ImportStatus.done, ImportStatus.failed)

T = {
    "import_lost": _(
        "The import was interrupted (the server stopped while it ran) and could not be "
        "resumed. Nothing was stored. Upload the workbook again."
    ),
    "import_gave_up": _(
        "The import was interrupted {n} times (the server stopped while it ran). Nothing was "
        "stored. Upload the workbook again, or split it into smaller workbooks."
    ),
    "export_gave_up": _(
        "The workbook could not be made: the server stopped {n} times while it was being "
        "made. Try again, or choose fewer farms."
    ),
}

Runner = Callable[[Flask, int, str], None]  # (app, job id, worker id)
MODELS: dict[str, type[ImportJob] | type[ExportJob]] = {"import": ImportJob, "export": ExportJob}


def _engine(app: Flask) -> Engine:
    return app.extensions["farmcalc_engine"]


def worker_id() -> str:
    """This process and thread, and a random part (a pid may come back after a restart)."""
    host = socket.gethostname()[:40]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_of(app: Flask) -> timedelta:
    return timedelta(seconds=float(app.config["JOB_LEASE_SECONDS"]))


# ------------------------------------------------------------------ the queue


def claim(
    engine: Engine, kind: str, job_id: int, worker: str, lease: timedelta, *, serial: bool = True
) -> bool:
    """Take a queued job for ``worker``; True if this call got it (one caller ever does).

    With ``serial`` an import is not taken while its user has another import
    running (a user's imports run one after the other).
    """
    model = MODELS[kind]
    now = utcnow()
    cond = [col(model.id) == job_id, col(model.status) == ImportStatus.queued]
    if serial and model is ImportJob:
        other = aliased(ImportJob)
        cond.append(
            ~exists().where(
                other.user_id == ImportJob.user_id,
                other.status == ImportStatus.running,
                other.id != ImportJob.id,
            )
        )
    with Session(engine) as s:
        n = s.execute(
            update(model)
            .where(*cond)
            .values(
                status=ImportStatus.running,
                step="running",
                lease_owner=worker,
                lease_until=now + lease,
                started_at=now,
                updated_at=now,
                attempts=model.attempts + 1,
            )
        ).rowcount
        s.commit()
    return n == 1


def heartbeat(engine: Engine, kind: str, job_id: int, worker: str, lease: timedelta) -> bool:
    """Push the lease of a job ``worker`` runs forward; False if it is no longer its job."""
    model = MODELS[kind]
    with Session(engine) as s:
        n = s.execute(
            update(model)
            .where(
                col(model.id) == job_id,
                col(model.lease_owner) == worker,
                col(model.status) == ImportStatus.running,
            )
            .values(lease_until=utcnow() + lease)
        ).rowcount
        s.commit()
    return n == 1


def next_queued(engine: Engine, limit: int = 20) -> list[tuple[str, int]]:
    """The oldest queued jobs, imports first: ``[(kind, id), …]``."""
    out: list[tuple[str, int]] = []
    with Session(engine) as s:
        for kind, model in MODELS.items():
            ids = s.exec(
                select(model.id)
                .where(col(model.status) == ImportStatus.queued)
                .order_by(col(model.id))
                .limit(limit)
            ).all()
            out.extend((kind, int(i)) for i in ids)
    return out


def recover(engine: Engine, *, now: Any = None) -> dict[str, int]:
    """Running jobs past their lease: back in the queue, or failed with a clear message.

    Returns counts ``{"resumed": n, "failed": m}``. A job is resumed when it
    can be done again from what is stored (an import with its ``upload``, any
    export) and has been tried fewer than :data:`MAX_ATTEMPTS` times.
    """
    now = now or utcnow()
    resumed = failed = 0
    with Session(engine) as s:
        for kind, model in MODELS.items():
            lost = or_(
                col(model.lease_until) < now,
                # rows from before leases (or a crash before the first heartbeat): silent too long
                and_(
                    col(model.lease_until).is_(None),
                    col(model.updated_at) < now - STALE_WITHOUT_LEASE,
                ),
            )
            rows = s.exec(
                select(model).where(col(model.status) == ImportStatus.running, lost)
            ).all()
            for job in rows:
                can_redo = job.attempts < MAX_ATTEMPTS and (
                    kind == "export" or getattr(job, "upload", None) is not None
                )
                values: dict[str, Any]
                if can_redo:
                    values = {"status": ImportStatus.queued, "step": "queued", "progress": 0}
                    resumed += 1
                else:
                    if kind == "export":
                        msg = gettext_(T["export_gave_up"], job.locale).format(n=job.attempts)
                    elif job.attempts >= MAX_ATTEMPTS:
                        msg = gettext_(T["import_gave_up"], job.locale).format(n=job.attempts)
                    else:
                        msg = gettext_(T["import_lost"], job.locale)
                    values = {"status": ImportStatus.failed, "message": msg, "finished_at": now}
                    if kind == "import":
                        values["upload"] = None
                    failed += 1
                # only if it is still the lost run (a worker may just have finished it)
                s.execute(
                    update(model)
                    .where(
                        col(model.id) == job.id,
                        col(model.status) == ImportStatus.running,
                        col(model.lease_owner) == job.lease_owner,
                    )
                    .values(lease_owner="", lease_until=None, updated_at=now, **values)
                )
            s.commit()
    if resumed or failed:
        log.warning("jobs of a lost worker: %d resumed, %d failed", resumed, failed)
    return {"resumed": resumed, "failed": failed}


def clean(engine: Engine, *, days: float, now: Any = None) -> dict[str, int]:
    """Delete finished jobs older than ``days`` and drop exported files past their expiry.

    A job waiting for its uploader's confirmation (an import refused for
    removals, its workbook kept) is a finished job too: after ``days`` its
    workbook goes with it. Open jobs are never deleted here.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    with Session(engine) as s:
        n_imports = s.execute(
            delete(ImportJob).where(
                col(ImportJob.status).in_(FINISHED), col(ImportJob.created_at) < cutoff
            )
        ).rowcount
        n_exports = s.execute(
            delete(ExportJob).where(
                col(ExportJob.status).in_(FINISHED), col(ExportJob.created_at) < cutoff
            )
        ).rowcount
        n_files = s.execute(
            update(ExportJob)
            .where(col(ExportJob.result).is_not(None), col(ExportJob.expires_at) < now)
            .values(result=None)
        ).rowcount
        s.commit()
    return {"imports": n_imports, "exports": n_exports, "files": n_files}


# ------------------------------------------------------------------ workers


@dataclass
class Workers:
    """The worker threads of one app (``app.extensions["farmcalc_jobs"]``)."""

    app: Flask
    runners: dict[str, Runner]
    stop: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: bool = False


def _state(app: Flask) -> Workers:
    st = app.extensions.get("farmcalc_jobs")
    if st is None:
        raise RuntimeError("web.services.jobs.init_app(app) was not called")
    return st


def init_app(app: Flask) -> None:
    """Register the runners; start the workers at the first request unless testing."""
    from web.services.workbook_import import run_import

    app.extensions["farmcalc_jobs"] = Workers(app, {"import": run_import, "export": _run_export})
    if app.config.get("JOBS_AUTOSTART", not app.testing):

        @app.before_request
        def _start_workers() -> None:
            if not _state(app).started:
                start(app)


def _run_export(app: Flask, job_id: int, worker: str) -> None:
    """The export runner: a plan's ranges (web/services/municipal_ranges.py) or a file."""
    from web.services.municipal_ranges import PLAN_RANGES_KIND, run_plan_ranges
    from web.services.result_exports import run_export

    with Session(_engine(app)) as s:
        kind = s.exec(select(ExportJob.kind).where(col(ExportJob.id) == job_id)).first()
    (run_plan_ranges if kind == PLAN_RANGES_KIND else run_export)(app, job_id, worker)


def start(app: Flask, *, clean_up: bool = True) -> dict[str, int]:
    """Recover lost jobs, clean old ones and start the workers (once per app).

    Called by ``farmcalc serve``, the first request (``JOBS_AUTOSTART``) and
    the first job queued in this process. Returns what :func:`recover` did.
    """
    st = _state(app)
    with st.lock:
        if st.started:
            return {"resumed": 0, "failed": 0}
        st.started = True
        st.stop.clear()
        engine = _engine(app)
        done = recover(engine)
        if clean_up:
            clean(engine, days=float(app.config["JOB_RETENTION_DAYS"]))
        for i in range(max(1, int(app.config["IMPORT_WORKERS"]))):
            t = threading.Thread(target=_loop, args=(st,), name=f"farmcalc-jobs-{i}", daemon=True)
            t.start()
            st.threads.append(t)
    return done


def stop(app: Flask, timeout: float = 30.0) -> None:
    """Stop the workers after the jobs they run (a queued job stays queued)."""
    st = app.extensions.get("farmcalc_jobs")
    if st is None:
        return
    with st.lock:
        st.stop.set()
        st.wake.set()
        threads, st.threads = st.threads, []
        st.started = False
    for t in threads:
        t.join(timeout)


def notify(app: Flask) -> None:
    """A job was queued: start the workers if need be and wake one."""
    st = _state(app)
    if not st.started:
        start(app)
    st.wake.set()


def _loop(st: Workers) -> None:
    app = st.app
    engine = _engine(app)
    lease = lease_of(app)
    poll = float(app.config["JOB_POLL_SECONDS"])
    last_recover = utcnow()
    while not st.stop.is_set():
        try:
            if utcnow() - last_recover > lease:
                recover(engine)
                last_recover = utcnow()
            ran = False
            for kind, job_id in next_queued(engine):
                if st.stop.is_set():
                    break
                worker = worker_id()
                if claim(engine, kind, job_id, worker, lease):
                    run_claimed(app, kind, job_id, worker)
                    ran = True
                    break
            if ran:
                continue
        except Exception:  # the database away for a moment: try again later
            log.exception("job worker")
        st.wake.wait(poll)
        st.wake.clear()


def run_claimed(app: Flask, kind: str, job_id: int, worker: str) -> None:
    """Run a job this worker claimed, its lease kept alive by a heartbeat thread."""
    engine = _engine(app)
    lease = lease_of(app)
    done = threading.Event()

    def beat() -> None:
        while not done.wait(lease.total_seconds() / 3):
            try:
                if not heartbeat(engine, kind, job_id, worker, lease):
                    return
            except Exception:
                log.exception("heartbeat of %s job %s", kind, job_id)

    t = threading.Thread(target=beat, name=f"farmcalc-heartbeat-{job_id}", daemon=True)
    t.start()
    try:
        with app.app_context():
            _state(app).runners[kind](app, job_id, worker)
    finally:
        done.set()
        t.join()


def run_now(app: Flask, kind: str, job_id: int) -> bool:
    """Claim a queued job and run it in this thread (small files, ``IMPORT_SYNC``)."""
    worker = worker_id()
    if not claim(_engine(app), kind, job_id, worker, lease_of(app)):
        return False
    run_claimed(app, kind, job_id, worker)
    return True
