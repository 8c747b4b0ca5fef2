"""The advisor's results workbook, and the desk's reports as zip: made at once for a few
farms, by a background job for many (``kind`` ``results`` or ``reports``).

The routes are web/views/imports.py (``GET /import/results.xlsx``) and
web/views/downloads.py (the job's page and file); web/services/jobs.py claims
an export job and runs :func:`run_export`. Access is in the query
(:func:`web.store.access.farm_year_query_for`).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from dataclasses import replace
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from farmcalc import calculate_batch
from farmcalc.excel import write_results
from farmcalc.i18n import _, gettext_
from farmcalc.inputs.issues import ERROR, WARNING
from farmcalc.inputs.tables import records_to_tables
from web.services import jobs
from web.store.access import farm_year_query_for
from web.store.models import ExportJob, FarmYear, ImportStatus, User, utcnow

log = logging.getLogger(__name__)

T = {
    "failed": _(
        "The workbook could not be made because of an error on our side. Try again in a "
        "little while."
    ),
    "no_data": _("No farm has complete data for {year}."),
    "results_name": _("results"),
    "no_reports": _("None of the chosen farms has a calculated year."),
}
REPORTS_FILENAME = "klimatrapporter-{date:%Y-%m-%d}.zip"
"""The file name of the desk's reports zip made by a job."""

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
    return _workbook(session, results_query(user, year), locale)


def latest_results_query(user: Any, farm_ids: list[int]):
    """The records of the latest calculated year of each farm of ``farm_ids`` that ``user``
    may see (access in the query)."""
    latest = (
        farm_year_query_for(user)
        .where(col(FarmYear.farm_id).in_(farm_ids), col(FarmYear.result).is_not(None))
        .with_only_columns(FarmYear.farm_id, func.max(FarmYear.year).label("year"))
        .group_by(FarmYear.farm_id)
        .subquery()
    )
    return (
        select(FarmYear.record)
        .join(latest, (latest.c.farm_id == FarmYear.farm_id) & (latest.c.year == FarmYear.year))
        .order_by(col(FarmYear.farm_id))
    )


def latest_results_workbook(
    session: Session, user: Any, farm_ids: list[int], locale: str
) -> tuple[bytes, int]:
    """The results workbook of the chosen farms' latest calculated years (the desk's bulk
    action, web/views/farm_pages.py) and its farm count."""
    return _workbook(session, latest_results_query(user, farm_ids), locale)


def _workbook(session: Session, stmt: Any, locale: str) -> tuple[bytes, int]:
    records = [r for r in session.execute(stmt).scalars() if r]
    tables, issues = records_to_tables(records, strict=False)
    bad = {i.farm for i in issues if i.severity == ERROR}
    if bad:  # the tables again, of the valid records only
        records = [r for i, r in enumerate(records) if i not in bad]
        tables, issues = records_to_tables(records, strict=True) if records else (None, [])
    n = len(records)
    del records  # the records' dicts go before the calculation's arrays come
    if tables is None or n == 0:
        return b"", 0
    batch = calculate_batch(tables)  # the tables once: not converted a second time
    # the warnings of the check, for the workbook's sheet of warnings
    batch = replace(batch, issues=[i for i in issues if i.severity == WARNING])
    del tables
    buf = io.BytesIO()
    write_results(batch, buf, locale=locale)
    return buf.getvalue(), n


def chosen_filename(locale: str) -> str:
    """The file name of the desk's workbook of chosen farms."""
    return f"{gettext_(T['results_name'], locale)}-{utcnow():%Y-%m-%d}.xlsx"


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


def latest_subjects(session: Session, user: Any, farm_ids: list[int]) -> list[Any]:
    """The report subjects of the latest calculated year of each farm of ``farm_ids`` that
    ``user`` may see (access in the query), in farm-id order."""
    from web.services.farm_report import subject_of_farm_year
    from web.store.models import Farm

    stmt = (
        farm_year_query_for(user)
        .where(col(FarmYear.farm_id).in_(farm_ids), col(FarmYear.result).is_not(None))
        .order_by(col(FarmYear.farm_id), col(FarmYear.year).desc())
    )
    chosen: dict[int, FarmYear] = {}
    for fy in session.exec(stmt):
        chosen.setdefault(fy.farm_id, fy)
    farms = {f.id: f for f in session.exec(select(Farm).where(col(Farm.id).in_(list(chosen))))}
    return [
        subj
        for fid, fy in chosen.items()
        if (subj := subject_of_farm_year(farms[fid], fy)) is not None
    ]


def _reports(app: Flask, s: Session, job: ExportJob, user: Any) -> tuple[bytes, int]:
    """The zip of the job's chosen farms' reports, the progress stored after each report."""
    from web.services.farm_report import report_filename, report_pdf

    with app.test_request_context():  # the report's templates use url_for
        subjects = latest_subjects(s, user, [int(i) for i in job.params["farm_ids"]])
        buf = io.BytesIO()
        seen: dict[str, int] = {}
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for i, subj in enumerate(subjects):
                name = report_filename(subj)
                seen[name] = seen.get(name, 0) + 1
                if seen[name] > 1:
                    name = f"{name[:-4]}-{seen[name]}.pdf"
                zf.writestr(name, report_pdf(subj))
                job.progress = 10 + int(85 * (i + 1) / len(subjects))
                job.updated_at = utcnow()
                s.add(job)
                s.commit()
    return (buf.getvalue() if subjects else b""), len(subjects)


def run_export(app: Flask, job_id: int, worker: str) -> None:
    """The export runner of services/jobs.py: make the file of a claimed job and store it."""
    engine = app.extensions["farmcalc_engine"]
    with Session(engine) as s:
        job = s.get(ExportJob, job_id)
        if job is None or job.status != ImportStatus.running or job.lease_owner != worker:
            return
        locale = job.locale
        try:
            user = s.get(User, job.user_id)
            reports = job.kind == "reports"
            year = 0 if reports else int(job.params["year"])
            job.progress, job.step, job.updated_at = 10, "running", utcnow()
            s.add(job)
            s.commit()
            if reports:
                data, n = _reports(app, s, job, user)
            else:
                data, n = results_workbook(s, user, year, locale)
            job.updated_at = job.finished_at = utcnow()
            job.lease_owner = ""
            job.n_rows = n
            job.progress = 100
            if n == 0:
                job.status = ImportStatus.failed
                job.message = (
                    gettext_(T["no_reports"], locale)
                    if reports
                    else gettext_(T["no_data"], locale).format(year=year)
                )
            else:
                job.status = ImportStatus.done
                job.step = "done"
                job.result = data
                job.size_bytes = len(data)
                job.filename = (
                    REPORTS_FILENAME.format(date=job.finished_at)
                    if reports
                    else results_filename(year, locale)
                )
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
