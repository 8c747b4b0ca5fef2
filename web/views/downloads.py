"""Workbooks that grow with the number of farms, made in the background (web/services/jobs.py).

| route | what |
|---|---|
| ``GET /exports/`` | the user's exports, newest first, a page at a time |
| ``GET /exports/<id>`` | progress (polled by static/import.js), then the download link |
| ``GET /exports/<id>/status`` | the job as JSON (for the polling) |
| ``GET /exports/<id>/file`` | the finished workbook, until it expires |

``GET /import/results.xlsx?year=Y`` (web/views/imports.py) answers at once with the
workbook when it covers at most ``EXPORT_SYNC_MAX_FARMS`` farm-years, refuses
(with a message saying what to narrow) above ``EXPORT_MAX_FARMS``, and
otherwise queues an :class:`~web.store.models.ExportJob` and sends the user to its
page. Asking again while the job is open lands on the same job. A job, its
status and its file are its owner's alone: every query says ``user_id =
current user`` (anyone else gets 404). The file is kept
``EXPORT_RETENTION_HOURS`` (then 404 with a page saying to make it anew),
the job ``JOB_RETENTION_DAYS``.

The municipality's export (``/municipality/export.xlsx``) and the investment
plan's (``/investment-plan/…xlsx``) hold protected aggregates: their size does
not grow with the farms, so they stay answered in the request.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, send_file
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select
from werkzeug.wrappers import Response

from farmcalc import calculate_batch
from farmcalc.excel import write_results
from farmcalc.i18n import _, gettext_
from farmcalc.inputs.issues import ERROR
from farmcalc.inputs.record import records_to_tables
from web.services import jobs
from web.store.access import farm_year_query_for
from web.store.db import get_session
from web.store.models import ExportJob, FarmYear, ImportStatus, User, utcnow
from web.store.paging import paginate

log = logging.getLogger(__name__)
bp = Blueprint("exports", __name__, url_prefix="/exports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
T = {
    "failed": _(
        "The workbook could not be made because of an error on our side. Try again in a "
        "little while."
    ),
    "no_data": _("No farm has complete data for {year}."),
    "results_name": _("results"),
}
STEP_LABELS = {
    "queued": lazy_gettext("Waiting to start"),
    "running": lazy_gettext("Reading the farms"),
    "calculated": lazy_gettext("Emissions calculated"),
    "writing": lazy_gettext("Writing the workbook"),
    "done": lazy_gettext("Ready"),
}
STATUS_LABELS = {
    ImportStatus.queued: lazy_gettext("Waiting"),
    ImportStatus.running: lazy_gettext("Being made"),
    ImportStatus.done: lazy_gettext("Ready"),
    ImportStatus.failed: lazy_gettext("Not made"),
}


# ------------------------------------------------------------ the workbooks


def results_query(user: Any, year: int):
    """The records of the farm-years of ``year`` that ``user`` may see (access in the query)."""
    return (
        farm_year_query_for(user)
        .where(FarmYear.year == year, col(FarmYear.record).is_not(None))
        .with_only_columns(FarmYear.record)
        .order_by(col(FarmYear.farm_id))
    )


def count_results(session: Session, user: Any, year: int) -> int:
    """How many farm-years the results workbook of ``year`` would hold."""
    stmt = results_query(user, year).order_by(None).with_only_columns(func.count())
    return int(session.execute(stmt).scalar_one())


def results_workbook(session: Session, user: Any, year: int, locale: str) -> tuple[bytes, int]:
    """The results workbook (bytes) of the user's farms of ``year`` and its farm count.

    The farms whose record has an error are left out (as the form would not
    calculate them); ``(b"", 0)`` when none is left. xlsxwriter writes large
    workbooks with ``constant_memory`` (farmcalc/excel/result_workbook.py).
    """
    records = [r for r in session.execute(results_query(user, year)).scalars() if r]
    tables, issues = records_to_tables(records, strict=False)
    bad = {i.farm for i in issues if i.severity == ERROR}
    if bad:  # the tables again, of the valid records only
        records = [r for i, r in enumerate(records) if i not in bad]
        tables = records_to_tables(records, strict=True)[0] if records else None
    n = len(records)
    del records  # the records' dicts go before the calculation's arrays come
    if tables is None or n == 0:
        return b"", 0
    batch = calculate_batch(tables)  # the tables once: not converted a second time
    del tables
    buf = io.BytesIO()
    write_results(batch, buf, locale=locale)
    return buf.getvalue(), n


def results_filename(year: int, locale: str) -> str:
    return f"{gettext_(T['results_name'], locale)}-{year}.xlsx"


# --------------------------------------------------------------- the jobs


def params_key(kind: str, params: dict[str, Any]) -> str:
    doc = json.dumps([kind, params], sort_keys=True)
    return hashlib.sha256(doc.encode()).hexdigest()


def queue_export(session: Session, app: Flask, user_id: int, kind: str, params: dict, locale: str):
    """Queue an export (or find the user's open one of the same kind and params); its id."""
    key = params_key(kind, params)

    def open_job() -> int | None:
        return session.exec(
            select(ExportJob.id).where(
                ExportJob.user_id == user_id,
                ExportJob.params_key == key,
                col(ExportJob.status).in_(jobs.OPEN),
            )
        ).first()

    found = open_job()
    if found is not None:
        return found
    job = ExportJob(user_id=user_id, kind=kind, params=params, params_key=key, locale=locale)
    session.add(job)
    try:
        session.commit()
    except IntegrityError:  # the same export asked for at the same moment: join it
        session.rollback()
        found = open_job()
        if found is None:
            raise
        return found
    jobs.notify(app)
    return job.id


def run_export(app: Flask, job_id: int, worker: str) -> None:
    """The export runner of services/jobs.py: make the workbook of a claimed job and store it."""
    engine = app.extensions["farmcalc_engine"]
    with Session(engine) as s:
        job = s.get(ExportJob, job_id)
        if job is None or job.status != ImportStatus.running or job.lease_owner != worker:
            return
        locale = job.locale
        try:
            user = s.get(User, job.user_id)
            year = int(job.params["year"])
            job.progress, job.step, job.updated_at = 10, "running", utcnow()
            s.add(job)
            s.commit()
            data, n = results_workbook(s, user, year, locale)
            job.updated_at = job.finished_at = utcnow()
            job.lease_owner = ""
            job.n_rows = n
            job.progress = 100
            if n == 0:
                job.status = ImportStatus.failed
                job.message = gettext_(T["no_data"], locale).format(year=year)
            else:
                job.status = ImportStatus.done
                job.step = "done"
                job.result = data
                job.size_bytes = len(data)
                job.filename = results_filename(year, locale)
                hours = float(app.config["EXPORT_RETENTION_HOURS"])
                job.expires_at = job.finished_at + timedelta(hours=hours)
            s.add(job)
            s.commit()
        except Exception:
            log.exception("export job %s failed", job_id)
            s.rollback()
            job = s.get(ExportJob, job_id)
            if job is not None:
                job.status = ImportStatus.failed
                job.lease_owner = ""
                job.message = gettext_(T["failed"], locale)
                job.finished_at = job.updated_at = utcnow()
                s.add(job)
                s.commit()


# ------------------------------------------------------------------ routes


def _job_or_404(job_id: int) -> ExportJob:
    if not 0 < job_id < 2**31:
        abort(404)
    job = (
        get_session()
        .exec(
            select(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.user_id == current_user.id)
            .options()
        )
        .first()
    )
    if job is None:
        abort(404)
    return job


def _aware(ts):
    from datetime import UTC

    return ts.replace(tzinfo=UTC) if ts is not None and ts.tzinfo is None else ts


def _state(job: ExportJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": str(job.status),
        "status_label": str(STATUS_LABELS[ImportStatus(job.status)]),
        "step": job.step,
        "step_label": str(STEP_LABELS.get(job.step, job.step)),
        "progress": job.progress if job.status != ImportStatus.done else 100,
        "finished": job.status not in jobs.OPEN,
    }


def _expired(job: ExportJob) -> bool:
    return job.expires_at is not None and _aware(job.expires_at) <= utcnow()


@bp.route("/")
@login_required
def index() -> str:
    stmt = (
        select(ExportJob)
        .where(ExportJob.user_id == current_user.id)
        .order_by(col(ExportJob.created_at).desc(), col(ExportJob.id).desc())
    )
    page = paginate(get_session(), stmt, per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "exports/index.html", page=page, status_labels=STATUS_LABELS, expired=_expired
    )


@bp.route("/<int:job_id>")
@login_required
def job(job_id: int) -> str:
    job = _job_or_404(job_id)
    return render_template("exports/job.html", job=job, state=_state(job), expired=_expired(job))


@bp.route("/<int:job_id>/status")
@login_required
def status(job_id: int) -> Response:
    return jsonify(_state(_job_or_404(job_id)))


@bp.route("/<int:job_id>/file")
@login_required
def download(job_id: int) -> Response:
    """The workbook, to its owner only, while it is kept (the query checks both)."""
    if not 0 < job_id < 2**31:
        abort(404)
    row = (
        get_session()
        .execute(
            select(ExportJob.result, ExportJob.filename).where(
                ExportJob.id == job_id,
                ExportJob.user_id == current_user.id,
                ExportJob.status == ImportStatus.done,
                col(ExportJob.result).is_not(None),
                col(ExportJob.expires_at) > utcnow(),
            )
        )
        .first()
    )
    if row is None:
        abort(404)
    buf = io.BytesIO(row[0])
    return send_file(buf, mimetype=XLSX, as_attachment=True, download_name=row[1] or "export.xlsx")
