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

import io
import logging
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, send_file
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from sqlmodel import col, select
from werkzeug.wrappers import Response

from web.services import jobs
from web.services.municipal_ranges import PLAN_RANGES_KIND
from web.store.db import get_session
from web.store.models import ExportJob, ImportStatus, utcnow
from web.store.paging import paginate

log = logging.getLogger(__name__)
bp = Blueprint("exports", __name__, url_prefix="/exports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
        .where(ExportJob.user_id == current_user.id, ExportJob.kind != PLAN_RANGES_KIND)
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
    zipped = (row[1] or "").endswith(".zip")  # the desk's reports (result_exports.py)
    mimetype = "application/zip" if zipped else XLSX
    return send_file(
        buf, mimetype=mimetype, as_attachment=True, download_name=row[1] or "export.xlsx"
    )
