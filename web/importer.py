"""Store an advisor's workbook: all or nothing, never twice.

    result = import_workbook(session=db, user=advisor, source=data)
    if not result.ok:
        write_error_report(result.issues, "fel.xlsx")

Used by the upload page (web/imports.py, through an :class:`ImportJob` run in
the background or at once) and by ``farmcalc import`` (web/cli.py). Steps:

1. **read**: :func:`farmcalc.excel.reader.open_workbook`: the hostile-file
   checks, then the cells (calamine).
2. **validated**: :func:`farmcalc.excel.reader.parse_workbook`: every rule on
   every cell; any error → nothing is stored.
3. **access**: each farm id of the sheet Gårdar is looked up among the farms
   the user may see (:func:`web.access.farm_query_for`, by ``farm_code``):
   a farm the user owns wins, else the one farm shared with them. A farm id
   no visible farm has, but that another account's farm has, is an error
   naming the sheet and row ("du har inte behörighet till gården K-0042"); so
   is an id shared with the user by several farmers (ambiguous). Any other id
   is a **new farm owned by the user** (without a user — ``farmcalc import``
   without ``--advisor`` — it is an error: nothing to own it).
4. **calculated**: one :func:`farmcalc.calculate_batch` over all farms; the
   farm records come from :func:`farmcalc.excel.tables_to_records`.
5. **stored**: one transaction: the new farms (one Core ``INSERT``), then every
   farm-year by ``INSERT … ON CONFLICT (farm_id, year) DO UPDATE``
   (:func:`web.crud.upsert_farm_years`) with its row of the municipality's
   totals (worked out in step 4 from the batch, :func:`web.totals.batch_totals`),
   and the caller's ``on_store`` (the
   job row says "done") — then one commit. An exception anywhere rolls all of
   it back: the database is as it was.

Existing farms keep their name and municipality (the farm-year's record
holds the workbook's). An update replaces the record and the result of the
farm-year and keeps its id, form step and creation time.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlmodel import Session

from farmcalc import calculate_batch
from farmcalc.excel.issues import SheetIssue, WorkbookRefused, has_errors, show_value
from farmcalc.excel.reader import (
    RawWorkbook,
    Source,
    open_workbook,
    parse_workbook,
    record_warnings,
)
from farmcalc.excel.records import tables_to_records
from farmcalc.excel.report import write_error_report
from farmcalc.excel.safety import MAX_BYTES, MAX_ROWS
from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP
from farmcalc.i18n import _, gettext_
from farmcalc.record import FarmTables
from farmcalc.validation import ERROR
from web import crud
from web.access import farm_query_for, signed_in_user
from web.models import Farm, FarmBase, FarmYear, ImportJob, ImportStatus, Role, User, utcnow
from web.totals import batch_totals

log = logging.getLogger(__name__)

# progress (0–100) when each step is done
STEPS: dict[str, int] = {
    "queued": 0,
    "running": 5,
    "read": 35,
    "validated": 50,
    "access": 55,
    "calculated": 80,
    "storing": 85,
    "stored": 100,
}
IN_CHUNK = 5_000  # ids per "IN (…)" (SQLite allows 32,766 parameters)
DEFAULT_MUNICIPALITY = FarmBase.model_fields["municipality_code"].default

ACCESS_MSG = {
    "farm_no_access": _("you have no access to farm {farm_id}"),
    "farm_ambiguous": _(
        "farm {farm_id} is the id of several farms shared with you; ask the farmers to give "
        "their farms different ids"
    ),
    "farm_unknown": _(
        "there is no farm {farm_id}; give an advisor's e-mail address (--advisor) to create "
        "new farms"
    ),
}
T = {
    "failed": _(
        "The import stopped because of an error on our side. Nothing was stored. Try again "
        "in a little while."
    ),
    "interrupted": _("The import was interrupted (the server restarted). Nothing was stored."),
}


@dataclass(frozen=True)
class AccessIssue(SheetIssue):
    """A row of the sheet Gårdar naming a farm the user may not import into."""

    def text(self, locale: str = "sv") -> str:
        return gettext_(ACCESS_MSG[self.code], locale).format(farm_id=self.farm_id)


@dataclass
class ImportResult:
    """What an import did (``ok``) or why it stored nothing (``issues``)."""

    issues: list[SheetIssue] = field(default_factory=list)
    ok: bool = False
    n_farm_years: int = 0
    n_new_farms: int = 0
    n_inserted: int = 0
    n_updated: int = 0
    years: list[int] = field(default_factory=list)

    @property
    def errors(self) -> list[SheetIssue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[SheetIssue]:
        return [i for i in self.issues if i.severity != ERROR]


@dataclass
class FarmPlan:
    """Which stored farm each farm of the workbook goes to."""

    codes: np.ndarray  # farm id per farm row of the tables
    existing: dict[str, int]  # farm code → farms.id
    new: dict[str, dict[str, Any]]  # farm code → the new farm's columns
    owner_id: int | None


Progress = Callable[[str, int], None]
OnStore = Callable[[Session, ImportResult], None]


def _chunks(values: list, size: int = IN_CHUNK) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


# --------------------------------------------------------------------- access


def plan_farms(
    *, session: Session, user: User | None, tables: FarmTables, raw: RawWorkbook
) -> tuple[FarmPlan, list[SheetIssue]]:
    """Match the workbook's farm ids to farms the user may see; errors for the others.

    ``user=None`` is the operator (``farmcalc import`` without ``--advisor``):
    every farm, but no new ones.
    """
    u = signed_in_user(user)
    codes = tables.farms["farm_id"].astype(object).to_numpy()
    unique = sorted({str(c) for c in codes})
    visible: dict[str, list[tuple[int, int]]] = {}
    base = farm_query_for(u) if u is not None else select(Farm)
    for chunk in _chunks(unique):
        stmt = base.where(Farm.farm_code.in_(chunk)).with_only_columns(  # type: ignore[attr-defined]
            Farm.id, Farm.farm_code, Farm.owner_id
        )
        for fid, code, owner in session.execute(stmt).all():
            visible.setdefault(code, []).append((fid, owner))
    existing: dict[str, int] = {}
    refused: dict[str, str] = {}
    unseen: list[str] = []
    for code in unique:
        found = visible.get(code)
        if not found:
            unseen.append(code)
            continue
        own = [fid for fid, owner in found if u is not None and owner == u.id]
        if own:
            existing[code] = own[0]
        elif len(found) == 1:
            existing[code] = found[0][0]
        else:
            refused[code] = "farm_ambiguous"
    if unseen:
        others: set[str] = set()
        for chunk in _chunks(unseen):
            stmt = select(Farm.farm_code).where(Farm.farm_code.in_(chunk)).distinct()  # type: ignore[attr-defined]
            others.update(session.execute(stmt).scalars().all())
        for code in unseen:
            if code in others:
                refused[code] = "farm_no_access"
            elif u is None:
                refused[code] = "farm_unknown"
    new: dict[str, dict[str, Any]] = {}
    if u is not None:
        farms = tables.farms
        first = ~farms["farm_id"].duplicated().to_numpy()
        names = farms["name"].astype(object).where(farms["name"].notna(), "").to_numpy()
        munis = farms["municipality_code"].astype(object).to_numpy()
        for i in np.flatnonzero(first).tolist():
            code = str(codes[i])
            if code in existing or code in refused:
                continue
            muni = munis[i] if isinstance(munis[i], str) else DEFAULT_MUNICIPALITY
            new[code] = {"farm_code": code, "name": str(names[i])[:200], "municipality_code": muni}
    issues: list[SheetIssue] = []
    if refused:
        sheet = raw.sheets["farms"]
        rows = sheet.excel_rows
        for i, code in enumerate(codes.tolist()):
            code = str(code)
            if code in refused:
                issues.append(
                    AccessIssue(
                        refused[code],
                        sheet=sheet.name,
                        row=int(rows[i]),
                        value=code,
                        farm_id=code,
                    )
                )
    plan = FarmPlan(codes, existing, new, u.id if u is not None else None)
    return plan, issues


# ------------------------------------------------------------------- storing


def farm_year_rows(
    tables: FarmTables,
    *,
    factors: str = DEFAULT_FACTOR_SET,
    gwp: str = DEFAULT_GWP,
    locale: str = "sv",
    issues: list[SheetIssue] | None = None,
) -> list[dict[str, Any]]:
    """Calculate every farm at once; one dict per farm row: its record and result.

    Farm ids are not resolved yet (``farm_code`` instead of ``farm_id``).
    ``totals`` is the farm-year's row of the municipality's totals
    (``web.totals.batch_totals``), worked out here from the batch for all
    farms at once; :func:`store` writes it beside the farm-year.
    """
    batch = calculate_batch(tables, factors=factors, gwp=gwp)
    if issues:
        batch = replace(batch, issues=record_warnings(issues))
    results = batch.to_dicts(locale)
    records = tables_to_records(tables)
    try:
        totals: list[dict[str, Any] | None] = list(batch_totals(batch))
    except Exception:  # then made from the stored rows, as every other writer makes them
        log.warning("totals of the imported farms made from the stored rows", exc_info=True)
        totals = [None] * len(records)
    now = utcnow()
    return [
        {
            "farm_code": rec["farm_id"],
            "year": rec["year"],
            "record": rec,
            "result": res,
            "factor_set": res["factor_set"],
            "factor_set_version": res["factor_set_version"],
            "gwp": res["gwp"],
            "calculated_at": now,
            "is_draft": False,
            "step": "done",
            "totals": tot,
        }
        for rec, res, tot in zip(records, results, totals, strict=True)
    ]


def store(
    *,
    session: Session,
    plan: FarmPlan,
    rows: list[dict[str, Any]],
    result: ImportResult,
    on_store: OnStore | None = None,
) -> ImportResult:
    """New farms and every farm-year in one transaction (rolled back on any error)."""
    try:
        ids = dict(plan.existing)
        if plan.new:
            now = utcnow()
            farms = Farm.__table__
            stmt = insert(farms).returning(
                farms.c.id, farms.c.farm_code, sort_by_parameter_order=True
            )
            new_rows = [
                {**f, "owner_id": plan.owner_id, "created_at": now} for f in plan.new.values()
            ]
            for fid, code in session.execute(stmt, new_rows).all():
                ids[code] = fid
        have: set[tuple[int, int]] = set()
        for chunk in _chunks(sorted(plan.existing.values())):
            stmt = select(FarmYear.farm_id, FarmYear.year).where(FarmYear.farm_id.in_(chunk))  # type: ignore[union-attr]
            have.update((int(f), int(y)) for f, y in session.execute(stmt).all())
        values = []
        totals = []
        for r in rows:
            v = dict(r)
            totals.append(v.pop("totals", None))
            code = v.pop("farm_code")
            v["farm_id"] = ids[code]
            farm = plan.new.get(code)
            if farm is not None and not v["record"].get("name") and farm["name"]:
                v["record"] = {**v["record"], "name": farm["name"]}
            values.append(v)
        made = totals if all(t is not None for t in totals) else None
        crud.upsert_farm_years(session=session, rows=values, commit=False, totals=made)
        n_updated = sum((v["farm_id"], v["year"]) in have for v in values)
        result.ok = True
        result.n_new_farms = len(plan.new)
        result.n_farm_years = len(values)
        result.n_updated = n_updated
        result.n_inserted = len(values) - n_updated
        result.years = sorted({int(v["year"]) for v in values})
        if on_store is not None:
            on_store(session, result)
        session.commit()
    except BaseException:
        session.rollback()
        result.ok = False
        raise
    return result


def import_workbook(
    *,
    session: Session,
    user: User | None,
    source: Source,
    factors: str = DEFAULT_FACTOR_SET,
    gwp: str = DEFAULT_GWP,
    locale: str = "sv",
    progress: Progress | None = None,
    on_store: OnStore | None = None,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
) -> ImportResult:
    """Read, validate, check access, calculate and store a workbook (see the module).

    Returns an :class:`ImportResult`; ``ok`` is False (and nothing is stored)
    when the workbook has any error. Exceptions (a database error, say) roll
    the transaction back and propagate.
    """
    step = progress or (lambda _s, _p: None)
    u = signed_in_user(user)
    if u is not None and u.role == Role.municipality:
        raise PermissionError("municipality users do not import farms")
    try:
        raw = open_workbook(source, max_rows=max_rows, max_bytes=max_bytes)
    except WorkbookRefused as exc:
        return ImportResult([exc.issue])
    step("read", STEPS["read"])
    tables, issues = parse_workbook(raw)
    if tables is None or has_errors(issues):
        return ImportResult(issues)
    step("validated", STEPS["validated"])
    plan, refused = plan_farms(session=session, user=u, tables=tables, raw=raw)
    if refused:
        return ImportResult(refused + issues)
    step("access", STEPS["access"])
    rows = farm_year_rows(tables, factors=factors, gwp=gwp, locale=locale, issues=issues)
    step("calculated", STEPS["calculated"])
    step("storing", STEPS["storing"])
    return store(
        session=session, plan=plan, rows=rows, result=ImportResult(issues), on_store=on_store
    )


# ---------------------------------------------------------------------- jobs

MAX_ISSUES_KEPT = 500


def error_report_bytes(issues: list[SheetIssue], locale: str = "sv") -> bytes:
    buf = io.BytesIO()
    write_error_report(issues, buf, locale=locale)
    return buf.getvalue()


def _issue_dict(issue: SheetIssue, locale: str) -> dict[str, Any]:
    """``SheetIssue.as_dict`` with the value as the user typed it (``-3``, not ``-3.0``)."""
    out = issue.as_dict(locale)
    if issue.value is not None:
        out["value"] = show_value(issue.value, locale)[1:-1]
    return out


def _finish(job: ImportJob, result: ImportResult) -> None:
    job.progress = 100
    job.n_farm_years = result.n_farm_years
    job.n_new_farms = result.n_new_farms
    job.n_inserted = result.n_inserted
    job.n_updated = result.n_updated
    job.n_errors = len(result.errors)
    job.n_warnings = len(result.warnings)
    job.years = list(result.years)
    ordered = result.errors + result.warnings
    job.issues = [_issue_dict(i, job.locale) for i in ordered[:MAX_ISSUES_KEPT]]
    job.report = error_report_bytes(ordered, job.locale) if ordered else None
    now = utcnow()
    job.finished_at = now
    job.updated_at = now


def run_job(
    engine: Any,
    job_id: int,
    data: bytes,
    *,
    factors: str = DEFAULT_FACTOR_SET,
    gwp: str = DEFAULT_GWP,
    max_bytes: int = MAX_BYTES,
) -> None:
    """Run the import of job ``job_id`` with its own session (in a worker thread or not).

    Progress is committed after each step; the data and ``status = done`` are
    committed together. A workbook with errors ends ``failed`` with its
    issues and error report; an exception ends ``failed`` with a message, and
    nothing of the workbook is stored.
    """
    with Session(engine) as session:
        job = session.get(ImportJob, job_id)
        if job is None or job.status != ImportStatus.queued:
            return  # gone, or given up as interrupted while it waited
        user = session.get(User, job.user_id)
        job.status = ImportStatus.running
        job.step = "running"
        job.progress = STEPS["running"]
        job.started_at = job.updated_at = utcnow()
        session.add(job)
        session.commit()
        locale = job.locale

        def progress(step: str, pct: int) -> None:
            job.step = step
            job.progress = pct
            job.updated_at = utcnow()
            session.add(job)
            session.commit()

        def on_store(s: Session, result: ImportResult) -> None:
            _finish(job, result)
            job.status = ImportStatus.done
            job.step = "stored"
            s.add(job)

        try:
            result = import_workbook(
                session=session,
                user=user,
                source=data,
                factors=factors,
                gwp=gwp,
                locale=locale,
                progress=progress,
                on_store=on_store,
                max_bytes=max_bytes,
            )
            if not result.ok:
                _finish(job, result)
                job.status = ImportStatus.failed
                job.step = "validated" if result.errors else job.step
                session.add(job)
                session.commit()
        except Exception:
            log.exception("import job %s failed", job_id)
            session.rollback()
            job = session.get(ImportJob, job_id)
            if job is not None:
                job.status = ImportStatus.failed
                job.message = gettext_(T["failed"], locale)
                job.finished_at = job.updated_at = utcnow()
                session.add(job)
                session.commit()
