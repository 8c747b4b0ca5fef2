"""The advisor's Excel round trip on the web: template, upload, error report, results.

| route | what |
|---|---|
| ``GET /import/`` | templates, the upload form, results by year, the user's recent imports |
| ``GET /import/template.xlsx``, ``/import/example.xlsx`` | the empty template, the example |
| ``POST /import/`` | upload (CSRF; up to ``IMPORT_MAX_BYTES``) → an ``ImportJob`` → its page |
| ``GET /import/jobs/<id>`` | progress (polled by static/import.js), then counts and problems |
| ``GET /import/jobs/<id>/status`` | the job as JSON (for the polling) |
| ``POST /import/jobs/<id>/replace`` | confirm the listed removals; import the same file |
| ``GET /import/jobs/<id>/report.xlsx`` | the error report workbook |
| ``GET /import/results.xlsx?year=Y`` | the results workbook of the user's farms of year Y |

Farmers, advisors and admins may import (into farms they may see, and new
farms they then own; see web/importer.py); municipality users get 403. A
job belongs to its uploader: anyone else gets 404. Small files (below
``IMPORT_SYNC_MAX_BYTES``) and every file when ``IMPORT_SYNC`` is set (tests)
are imported during the request; larger ones by a small thread pool
(``IMPORT_WORKERS``), the page following the job's progress in the database,
so that it survives a reload.

A workbook that would remove stored rows (a farm's animals, crops or changes
of land use that it has no rows for, see web/importer.py) stores nothing;
its job page lists, per farm and year, what would go, and offers a form:
tick "remove what is listed" and press the button (a second POST, with
CSRF) to import the very file that was uploaded (kept in the job until
then), now removing exactly what was listed. If more would go by then, the
job is refused again with the new list.
"""

from __future__ import annotations

import io
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, timedelta
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import update
from sqlmodel import col, func, select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from farmcalc import calculate_batch
from farmcalc.excel import write_results, write_template
from farmcalc.record import records_to_tables
from farmcalc.validation import ERROR
from web import errors
from web.access import can_create_farms, farm_year_query_for
from web.db import get_engine, get_session
from web.i18n import current_lang, number
from web.importer import STEPS, T, run_job
from web.models import FarmYear, ImportJob, ImportStatus, utcnow

bp = Blueprint("imports", __name__, url_prefix="/import")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ISSUES_SHOWN = 200
RECENT_JOBS = 10
UNFINISHED = (ImportStatus.queued, ImportStatus.running)
STALE_AFTER = timedelta(minutes=15)  # a job not heard of for this long was interrupted

STEP_LABELS = {
    "queued": lazy_gettext("Waiting to start"),
    "running": lazy_gettext("Checking the file"),
    "read": lazy_gettext("File checked and read"),
    "validated": lazy_gettext("Every cell checked"),
    "access": lazy_gettext("Farms matched to your farms"),
    "calculated": lazy_gettext("Emissions calculated"),
    "storing": lazy_gettext("Saving"),
    "stored": lazy_gettext("Saved"),
}
STATUS_LABELS = {
    ImportStatus.queued: lazy_gettext("Waiting"),
    ImportStatus.running: lazy_gettext("Importing"),
    ImportStatus.done: lazy_gettext("Imported"),
    ImportStatus.failed: lazy_gettext("Not imported"),
}


class UploadForm(FlaskForm):
    file = FileField(
        lazy_gettext("Workbook (.xlsx)"),
        description=lazy_gettext(
            "The template filled in, saved as an Excel workbook (.xlsx), at most 20 MB."
        ),
        render_kw={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )


class ReplaceForm(FlaskForm):
    confirm = BooleanField(
        lazy_gettext("Replace: remove the stored rows listed above"),
        validators=[
            DataRequired(
                lazy_gettext(
                    "Tick the box to confirm that the rows listed are to be removed; nothing "
                    "has been changed."
                )
            )
        ],
    )


class YearForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download: nothing changes

    year = SelectField(lazy_gettext("Year"), coerce=int)


# ------------------------------------------------------------------- helpers


@bp.url_value_preprocessor
def _allow_large_upload(endpoint: str | None, _values: Any) -> None:
    """Raise the body limit for the upload only; this runs before the CSRF check reads it."""
    if endpoint == "imports.index" and request.method == "POST":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge):
    limit = number(current_app.config["IMPORT_MAX_BYTES"] / 2**20, "#,##0.##")
    return errors.error_response(
        413,
        gettext(
            "The file is larger than %(limit)s MB, more than the service accepts. Remove "
            "empty rows and sheets you do not need, or split the farms into several "
            "workbooks, and upload them one at a time.",
            limit=limit,
        ),
    )


def _require_importer() -> None:
    if not can_create_farms(current_user):
        abort(403)


def _executor(app: Flask) -> ThreadPoolExecutor:
    with _LOCK:
        ex = app.extensions.get("farmcalc_import_executor")
        if ex is None:
            ex = ThreadPoolExecutor(
                max_workers=app.config["IMPORT_WORKERS"], thread_name_prefix="farmcalc-import"
            )
            app.extensions["farmcalc_import_executor"] = ex
            app.extensions["farmcalc_import_futures"] = {}
        return ex


_LOCK = threading.Lock()


def _job_or_404(job_id: int) -> ImportJob:
    job = (
        get_session()
        .exec(
            select(ImportJob).where(ImportJob.id == job_id, ImportJob.user_id == current_user.id)
        )
        .first()
    )
    if job is None:
        abort(404)
    return _settle_stale(job)


def _aware(ts):
    return ts.replace(tzinfo=UTC) if ts is not None and ts.tzinfo is None else ts


def _settle_stale(job: ImportJob) -> ImportJob:
    """A job unfinished and silent for long was cut off (restart): say so."""
    from web.models import utcnow

    if job.status in UNFINISHED and utcnow() - _aware(job.updated_at) > STALE_AFTER:
        db = get_session()
        job.status = ImportStatus.failed
        job.message = gettext(T["interrupted"])
        job.finished_at = job.updated_at = utcnow()
        db.add(job)
        db.commit()
        db.refresh(job)
    return job


def _years_with_data() -> list[int]:
    stmt = (
        farm_year_query_for(current_user)
        .where(col(FarmYear.result).is_not(None))
        .with_only_columns(FarmYear.year)
        .distinct()
        .order_by(col(FarmYear.year).desc())
    )
    return [int(y) for y in get_session().execute(stmt).scalars().all()]


def _xlsx(data: bytes | io.BytesIO, name: str) -> Response:
    buf = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    buf.seek(0)
    return send_file(buf, mimetype=XLSX, as_attachment=True, download_name=name)


# -------------------------------------------------------------------- routes


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> Response | str:
    _require_importer()
    db = get_session()
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors.append(gettext("Choose an Excel workbook (.xlsx) to upload."))
        else:
            open_jobs = db.exec(
                select(func.count())
                .select_from(ImportJob)
                .where(ImportJob.user_id == current_user.id, col(ImportJob.status).in_(UNFINISHED))
            ).one()
            if open_jobs >= current_app.config["IMPORT_MAX_OPEN_JOBS"]:
                flash(
                    gettext("Wait until your imports in progress are done, then try again."),
                    "error",
                )
                return redirect(url_for("imports.index"))
            return _start_job(upload)
    years = _years_with_data()
    year_form = YearForm(formdata=None)
    year_form.year.choices = [(y, str(y)) for y in years]
    jobs = db.exec(
        select(ImportJob)
        .where(ImportJob.user_id == current_user.id)
        .order_by(col(ImportJob.created_at).desc(), col(ImportJob.id).desc())
        .limit(RECENT_JOBS)
    ).all()
    return render_template(
        "imports/index.html",
        form=form,
        year_form=year_form,
        years=years,
        jobs=[_settle_stale(j) for j in jobs],
        status_labels=STATUS_LABELS,
        max_mb=current_app.config["IMPORT_MAX_BYTES"] // 2**20,
    )


def _start_job(upload: Any) -> Response:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    data = upload.read()
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    db = get_session()
    job = ImportJob(
        user_id=current_user.id, filename=name, size_bytes=len(data), locale=current_lang()
    )
    db.add(job)
    db.commit()
    db.refresh(job)
    _dispatch(app, job.id, data, {"max_bytes": app.config["IMPORT_MAX_FILE_BYTES"]})
    return redirect(url_for("imports.job", job_id=job.id))


def _dispatch(app: Flask, job_id: int, data: bytes, kwargs: dict) -> None:
    """Run the job now (small files, ``IMPORT_SYNC``) or in the thread pool."""
    if app.config["IMPORT_SYNC"] or len(data) <= app.config["IMPORT_SYNC_MAX_BYTES"]:
        run_job(get_engine(), job_id, data, **kwargs)
    else:
        future: Future = _executor(app).submit(_run_in_app, app, job_id, data, kwargs)
        app.extensions["farmcalc_import_futures"][job_id] = future
        future.add_done_callback(
            lambda _f: app.extensions["farmcalc_import_futures"].pop(job_id, None)
        )


def _run_in_app(app: Flask, job_id: int, data: bytes, kwargs: dict) -> None:
    with app.app_context():
        run_job(get_engine(), job_id, data, **kwargs)


@bp.route("/template.xlsx")
@login_required
def template() -> Response:
    _require_importer()
    buf = io.BytesIO()
    write_template(buf)
    return _xlsx(buf, "farmcalc-mall.xlsx")


@bp.route("/example.xlsx")
@login_required
def example() -> Response:
    _require_importer()
    buf = io.BytesIO()
    write_template(buf, example=True)
    return _xlsx(buf, "farmcalc-exempel.xlsx")


def _job_state(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": str(job.status),
        "status_label": str(STATUS_LABELS[ImportStatus(job.status)]),
        "step": job.step,
        "step_label": str(STEP_LABELS.get(job.step, job.step)),
        "progress": job.progress if job.status != ImportStatus.done else 100,
        "finished": job.status not in UNFINISHED,
    }


def _awaits_confirmation(job: ImportJob) -> bool:
    return job.status == ImportStatus.failed and job.upload is not None and bool(job.removals)


def _is_removal(issue: dict[str, Any]) -> bool:
    return str(issue.get("code", "")).startswith(("remove_", "removed_"))


@bp.route("/jobs/<int:job_id>")
@login_required
def job(job_id: int) -> str:
    return _job_page(_job_or_404(job_id), ReplaceForm())


def _job_page(job: ImportJob, replace_form: ReplaceForm) -> str:
    issues = job.issues or []
    removals = [i for i in issues if _is_removal(i)]
    rest = [i for i in issues if not _is_removal(i)]
    errors_ = [i for i in rest if i.get("severity") == ERROR]
    warnings = [i for i in rest if i.get("severity") != ERROR]
    return render_template(
        "imports/job.html",
        job=job,
        state=_job_state(job),
        removals=removals[:MAX_ISSUES_SHOWN],
        n_removals=max(len(job.removals), len(removals)),
        n_warnings=job.n_warnings - (len(job.removals) if job.status == ImportStatus.done else 0),
        awaits_confirmation=_awaits_confirmation(job),
        replace_form=replace_form,
        errors=errors_[:MAX_ISSUES_SHOWN],
        warnings=warnings[: max(0, MAX_ISSUES_SHOWN - len(errors_))],
        steps=STEPS,
    )


@bp.route("/jobs/<int:job_id>/replace", methods=["POST"])
@login_required
def replace(job_id: int) -> Response | str:
    """Import the job's file again, removing exactly the rows its page listed."""
    _require_importer()
    job = _job_or_404(job_id)
    if not _awaits_confirmation(job):
        abort(404)  # imported already, or nothing to confirm
    form = ReplaceForm()
    if not form.validate_on_submit():
        return _job_page(job, form)
    data, keys = bytes(job.upload or b""), list(job.removals)
    db = get_session()
    claimed = db.execute(  # one confirmation runs, however often the button is pressed
        update(ImportJob)
        .where(
            col(ImportJob.id) == job.id,
            col(ImportJob.status) == ImportStatus.failed,
            col(ImportJob.upload).is_not(None),
        )
        .values(
            status=ImportStatus.queued, step="queued", progress=0, updated_at=utcnow(), message=""
        )
    ).rowcount
    db.commit()
    if claimed != 1:
        abort(404)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    kwargs = {"max_bytes": app.config["IMPORT_MAX_FILE_BYTES"], "replace": keys}
    _dispatch(app, job.id, data, kwargs)
    return redirect(url_for("imports.job", job_id=job.id))


@bp.route("/jobs/<int:job_id>/status")
@login_required
def job_status(job_id: int) -> Response:
    return jsonify(_job_state(_job_or_404(job_id)))


@bp.route("/jobs/<int:job_id>/report.xlsx")
@login_required
def report(job_id: int) -> Response:
    job = _job_or_404(job_id)
    if not job.report:
        abort(404)
    stem = (job.filename.rsplit(".", 1)[0] or "arbetsbok")[:80]
    suffix = gettext("problems")
    return _xlsx(job.report, f"{stem}-{suffix}.xlsx")


@bp.route("/results.xlsx")
@login_required
def results() -> Response:
    """The results workbook of every farm of the year the user may see, calculated anew."""
    _require_importer()
    year = request.args.get("year", type=int)
    if year is None:
        abort(404)
    stmt = (
        farm_year_query_for(current_user)
        .where(FarmYear.year == year)
        .with_only_columns(FarmYear.record)
        .order_by(col(FarmYear.farm_id))
    )
    records = [r for r in get_session().execute(stmt).scalars().all() if r]
    _tables, issues = records_to_tables(records, strict=False)
    bad = {i.farm for i in issues if i.severity == ERROR}
    valid = [r for i, r in enumerate(records) if i not in bad]
    if not valid:
        flash(gettext("No farm has complete data for %(year)d.", year=year), "error")
        return redirect(url_for("imports.index"))
    buf = io.BytesIO()
    write_results(calculate_batch(valid), buf, locale=current_lang())
    prefix = gettext("results")
    return _xlsx(buf, f"{prefix}-{year}.xlsx")
