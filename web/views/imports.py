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
| ``GET /import/jobs/<id>/reports.zip`` | one climate report (PDF) per farm of the import |
| ``GET /import/jobs/`` | all the user's imports, a page at a time |
| ``GET /import/results.xlsx?year=Y`` | the results workbook of the user's farms of year Y (a few
  farms: at once; more: an export job, views/downloads.py; above ``EXPORT_MAX_FARMS``: refused) |

Farmers, advisors and admins may import (into farms they may see, and new
farms they then own; see web/services/workbook_import.py); municipality users get 403. A
job belongs to its uploader: anyone else gets 404. The uploaded workbook is
stored in the job (``upload``) and the job queued in the database
(web/services/jobs.py); small files (below ``IMPORT_SYNC_MAX_BYTES``) and every file
when ``IMPORT_SYNC`` is set (tests) are then imported during the request,
larger ones by the job workers (``IMPORT_WORKERS`` threads), the page
following the job's progress in the database, so that it survives a reload
and a restart (a job whose worker died is resumed from its stored upload).
The same workbook uploaded again (same bytes, same user) while its job is
open lands on that job: a unique index over the open jobs' ``(user_id,
upload_sha256)`` makes two uploads at the same moment one job.

A workbook that would remove stored rows (a farm's animals, crops or changes
of land use that it has no rows for, see web/services/workbook_import.py) stores nothing;
its job page lists, per farm and year, what would go, and offers a form:
tick "remove what is listed" and press the button (a second POST, with
CSRF) to import the very file that was uploaded (kept in the job until
then), now removing exactly what was listed. If more would go by then, the
job is refused again with the new list.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC
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
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import col, func, select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from farmcalc.excel import write_template
from farmcalc.inputs.issues import ERROR
from web.language import current_lang, number
from web.services import jobs
from web.services import result_exports as exports
from web.services.workbook_import import STEPS
from web.store import batch_worker
from web.store.access import can_create_farms, farm_year_query_for
from web.store.db import get_engine, get_session
from web.store.limits import CapExceededError, check_upload
from web.store.models import FarmYear, ImportJob, ImportStatus, utcnow
from web.store.paging import paginate
from web.views import error_pages as errors

bp = Blueprint("imports", __name__, url_prefix="/import")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ISSUES_SHOWN = 200
RECENT_JOBS = 10
UNFINISHED = (ImportStatus.queued, ImportStatus.running)

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


def _job_or_404(job_id: int) -> ImportJob:
    if not 0 < job_id < 2**31:
        abort(404)
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
    """A job whose worker's lease has passed lost its worker: resume it, or say it failed.

    Workers do this themselves every lease period (web/services/jobs.py); the page does
    it too, so that a job is never shown running for ever.
    """
    lease_until = _aware(job.lease_until)
    silent = lease_until is None and utcnow() - _aware(job.updated_at) > jobs.STALE_WITHOUT_LEASE
    if job.status == ImportStatus.running and (silent or (lease_until and lease_until < utcnow())):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if jobs.recover(get_engine())["resumed"]:
            jobs.notify(app)
        get_session().refresh(job)
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
            return _start_job(upload)
    if not current_app.testing:  # the workbook comes next: its batch worker warms up now
        batch_worker.prestart()
    years = _years_with_data()
    year_form = YearForm(formdata=None)
    year_form.year.choices = [(y, str(y)) for y in years]
    recent = db.exec(_jobs_query().limit(RECENT_JOBS + 1)).all()
    return render_template(
        "imports/index.html",
        form=form,
        year_form=year_form,
        years=years,
        jobs=[_settle_stale(j) for j in recent[:RECENT_JOBS]],
        more_jobs=len(recent) > RECENT_JOBS,
        status_labels=STATUS_LABELS,
        max_mb=current_app.config["IMPORT_MAX_BYTES"] // 2**20,
    )


def _open_job_of(digest: str) -> int | None:
    """The user's open job of the same workbook (same bytes), if any."""
    return (
        get_session()
        .exec(
            select(ImportJob.id).where(
                ImportJob.user_id == current_user.id,
                ImportJob.upload_sha256 == digest,
                col(ImportJob.status).in_(UNFINISHED),
            )
        )
        .first()
    )


def _start_job(upload: Any) -> Response:
    """Store the upload in a queued job (or join the open job of the same bytes); run it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    data = upload.read()
    digest = hashlib.sha256(data).hexdigest()
    same = _open_job_of(digest)
    if same is not None:  # uploaded twice (a double click, two tabs): one job
        return redirect(url_for("imports.job", job_id=same))
    db = get_session()
    open_jobs = db.exec(
        select(func.count())
        .select_from(ImportJob)
        .where(ImportJob.user_id == current_user.id, col(ImportJob.status).in_(UNFINISHED))
    ).one()
    if open_jobs >= app.config["IMPORT_MAX_OPEN_JOBS"]:
        flash(gettext("Wait until your imports in progress are done, then try again."), "error")
        return redirect(url_for("imports.index"))
    try:
        check_upload(session=db, user=current_user, size=len(data))  # bytes per day
    except CapExceededError as exc:
        flash(str(exc), "error")
        return redirect(url_for("imports.index"))
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    job = ImportJob(
        user_id=current_user.id,
        filename=name,
        size_bytes=len(data),
        locale=current_lang(),
        upload=data,
        upload_sha256=digest,
    )
    db.add(job)
    try:
        db.commit()
    except IntegrityError:  # the same bytes uploaded at the same moment: join that job
        db.rollback()
        same = _open_job_of(digest)
        if same is None:
            raise
        return redirect(url_for("imports.job", job_id=same))
    job_id = int(job.id)  # type: ignore[arg-type]
    _dispatch(app, job_id, len(data))
    return redirect(url_for("imports.job", job_id=job_id))


def _dispatch(app: Flask, job_id: int, size: int) -> None:
    """Run the queued job now (small files, ``IMPORT_SYNC``) or wake the workers."""
    now = app.config["IMPORT_SYNC"] or size <= app.config["IMPORT_SYNC_MAX_BYTES"]
    if now and jobs.run_now(app, "import", job_id):
        return
    jobs.notify(app)  # (a job not run now: another of the user's imports is running)


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


def _jobs_query():
    """The user's imports, newest first (the large columns are left unloaded)."""
    return (
        select(ImportJob)
        .where(ImportJob.user_id == current_user.id)
        .options(defer(ImportJob.upload), defer(ImportJob.report), defer(ImportJob.issues))
        .order_by(col(ImportJob.created_at).desc(), col(ImportJob.id).desc())
    )


@bp.route("/jobs/")
@login_required
def jobs_list() -> str:
    """Every import of the user, a page at a time."""
    _require_importer()
    page = paginate(get_session(), _jobs_query(), per_page=current_app.config["PAGE_SIZE"])
    return render_template("imports/jobs.html", page=page, status_labels=STATUS_LABELS)


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
    _dispatch(app, int(job.id), int(job.size_bytes))  # type: ignore[arg-type]
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


@bp.route("/jobs/<int:job_id>/reports.zip")
@login_required
def reports(job_id: int) -> Response:
    """One climate report (PDF) per farm the job imported, as a zip (web/services/farm_report.py).

    The job must be the user's (else 404); its farms are those the user may
    see now (access in the query). More than ``MAX_ZIP_FARMS`` farms: refused
    with a message on the job page.
    """
    from web.services.farm_report import (
        MAX_ZIP_FARMS,
        import_farm_years,
        reports_zip,
        subject_of_farm_year,
    )

    job = _job_or_404(job_id)
    pairs = import_farm_years(session=get_session(), user=current_user, job_id=int(job.id))
    if not pairs:
        flash(gettext("The import brought no calculated farm that you may see."), "error")
        return redirect(url_for("imports.job", job_id=job.id))
    if len(pairs) > MAX_ZIP_FARMS:
        flash(
            gettext(
                "The import brought more than %(n)s farms: make the reports from the farm "
                "list a few at a time.",
                n=MAX_ZIP_FARMS,
            ),
            "error",
        )
        return redirect(url_for("imports.job", job_id=job.id))
    subjects = [s for farm, fy in pairs if (s := subject_of_farm_year(farm, fy)) is not None]
    stem = (job.filename.rsplit(".", 1)[0] or "import")[:80]
    return send_file(
        io.BytesIO(reports_zip(subjects)),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{stem}-klimatrapporter.zip",
    )


@bp.route("/results.xlsx")
@login_required
def results() -> Response:
    """The results workbook of every farm of the year the user may see, calculated anew.

    At most ``EXPORT_SYNC_MAX_FARMS`` farm-years: made in the request; up to
    ``EXPORT_MAX_FARMS``: an export job (web/views/downloads.py) and its page; more:
    refused with a message saying what to narrow.
    """
    _require_importer()
    year = request.args.get("year", type=int)
    if year is None or not 0 < year < 10_000:
        abort(404)
    cfg = current_app.config
    db = get_session()
    n = exports.count_results(db, current_user, year)
    if n > cfg["EXPORT_MAX_FARMS"]:
        flash(
            gettext(
                "The results workbook for %(year)d would hold %(n)s farms, more than the "
                "%(cap)s one workbook may hold. Narrow it: choose a year with fewer farms, "
                "or ask the farmers to share fewer farms with this account.",
                year=year,
                n=number(n),
                cap=number(cfg["EXPORT_MAX_FARMS"]),
            ),
            "error",
        )
        return redirect(url_for("imports.index"))
    if n > cfg["EXPORT_SYNC_MAX_FARMS"]:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        job_id = exports.queue_export(
            db, app, current_user.id, "results", {"year": year}, current_lang()
        )
        return redirect(url_for("exports.job", job_id=job_id))
    data, n = exports.results_workbook(db, current_user, year, current_lang())
    if not n:
        flash(gettext("No farm has complete data for %(year)d.", year=year), "error")
        return redirect(url_for("imports.index"))
    return _xlsx(data, exports.results_filename(year, current_lang()))
