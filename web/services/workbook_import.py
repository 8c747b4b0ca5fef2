"""Store an advisor's workbook: all or nothing, never twice.

    result = import_workbook(session=db, user=advisor, source=data)
    if not result.ok:
        write_error_report(result.issues, "fel.xlsx")

Used by the upload page (web/views/imports.py, through an :class:`ImportJob` run in
the background or at once) and by ``farmcalc import`` (web/commands.py). Steps:

1. **read**: :func:`farmcalc.excel.reader.open_workbook`: the hostile-file
   checks, then the cells (calamine).
2. **validated**: :func:`farmcalc.excel.reader.parse_workbook`: every rule on
   every cell; any error → nothing is stored.
3. **access**: each farm id of the sheet Gårdar is looked up among the farms
   the user may see (:func:`web.store.access.farm_query_for`, by ``farm_code``):
   a farm the user owns wins, else the one farm shared with them. An id
   shared with the user by several farmers is an error (ambiguous). Any other
   id is a **new farm owned by the user**, whether or not another account
   has a farm of that id: codes are per owner (``UNIQUE (owner_id,
   farm_code)``), so nobody can block a code for others or learn which codes
   exist. Without a user (``farmcalc import`` without ``--advisor``) an id
   no farm has is an error: nothing to own it.
4. **removals**: a farm-year already stored with rows of a kind (animals,
   crops, changes of land use) for which the workbook has none, because the
   sheet is missing or has no rows for it, would lose them. The import is
   then refused, each such farm-year named with what it would lose
   (:class:`RemovalIssue`), unless ``replace`` says to go on: ``True``
   (``farmcalc import --replace-missing``) or the keys of the removals the
   user was shown and confirmed (the upload page); a removal not among them
   refuses the import again, listed anew.
5. **calculated**: one :func:`farmcalc.calculate_batch` over all farms; the
   farm records come from :func:`farmcalc.excel.tables_to_records`.
6. **stored**: one transaction: the new farms (one Core ``INSERT``), then the
   batch handed to the one writer (:func:`web.store.writer.store_results`): every
   farm-year by ``INSERT … ON CONFLICT (farm_id, year) DO UPDATE`` with its
   result, and its row of the municipality's totals made from the same
   batch; and the caller's ``on_store`` (the
   job row says "done") — then one commit. An exception anywhere rolls all of
   it back: the database is as it was.

Existing farms keep their name and municipality (the farm-year's record
holds the workbook's). An update replaces the record and the result of the
farm-year and keeps its id, form step and creation time.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import ColumnElement, case, func, insert, select
from sqlmodel import Session

from farmcalc import calculate_batch
from farmcalc.api import BatchResult
from farmcalc.excel import layout as L  # noqa: N812 — the one layout table
from farmcalc.excel.reader import (
    RawWorkbook,
    Source,
    absent_sheets,
    open_workbook,
    parse_workbook,
    record_warnings,
)
from farmcalc.excel.report import write_error_report
from farmcalc.excel.safety import MAX_BYTES, MAX_ROWS
from farmcalc.excel.sheet_issues import SheetIssue, WorkbookRefused, has_errors, show_value
from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP
from farmcalc.i18n import _, format_number, gettext_
from farmcalc.inputs.activity_uncertainty import ACTIVITY_KEY
from farmcalc.inputs.issues import ERROR, WARNING
from farmcalc.inputs.tables import FarmTables, no_cyclic_gc
from farmcalc.labels import label
from web.store import audit, batch_worker
from web.store.access import farm_query_for, signed_in_user
from web.store.batch_worker import Pending
from web.store.db import checkpoint_later
from web.store.models import (
    AuditAction,
    Farm,
    FarmYear,
    ImportJob,
    ImportStatus,
    Role,
    User,
    utcnow,
)
from web.store.writer import json_text, store_results

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

ACCESS_MSG = {
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
    removals: list[Removal] = field(default_factory=list)
    """What the workbook would remove (refused: ``ok`` False) or removed (``ok``)."""

    @property
    def refused_for_removals(self) -> bool:
        """Refused only because stored rows would be removed: a confirmation may go on."""
        return not self.ok and bool(self.removals)

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
    stored: dict[tuple[int, int], StoredYear] = field(default_factory=dict)
    """The existing farms' stored farm-years by (farms.id, year): what the import needs of
    each stored record, read once (:func:`stored_farm_years`)."""


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
    farm_cols = tables.arrays.farms  # numpy columns: no DataFrame is built for the import
    codes = np.asarray(farm_cols["farm_id"], dtype=object)
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
    for code in unique:
        found = visible.get(code)
        if not found:  # a new farm of the user's, whoever else may have the code
            if u is None:
                refused[code] = "farm_unknown"
            continue
        own = [fid for fid, owner in found if u is not None and owner == u.id]
        if own:
            existing[code] = own[0]
        elif len(found) == 1:
            existing[code] = found[0][0]
        else:
            refused[code] = "farm_ambiguous"
    new: dict[str, dict[str, Any]] = {}
    if u is not None:
        names = ["" if n is None else n for n in farm_cols["name"].tolist()]
        munis = farm_cols["municipality_code"].tolist()
        for i, code in enumerate(codes.tolist()):  # the first row of each farm id
            code = str(code)
            if code in existing or code in refused or code in new:
                continue
            # Kommunkod is required on the sheet Gårdar: never a silent default
            new[code] = {
                "farm_code": code,
                "name": str(names[i])[:200],
                "municipality_code": str(munis[i]),
            }
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
    owner = u.id if u is not None else None
    plan = FarmPlan(codes, existing, new, owner, stored_farm_years(session, existing.values()))
    return plan, issues


@dataclass(frozen=True)
class StoredYear:
    """What an import needs of a stored farm-year's record: the :data:`KINDS` whose list
    has items (which removals to look for) and its :data:`KEPT_PARTS` (kept, not lost)."""

    listed: frozenset[str]  # Kind.key of each kind with stored items
    kept: dict[str, Any] | None  # KEPT_PARTS the record has, None if none


def stored_farm_years(
    session: Session, farm_ids: Iterable[int]
) -> dict[tuple[int, int], StoredYear]:
    """Every stored farm-year of ``farm_ids`` with its :class:`StoredYear`, by (farm id,
    year): one read per import, by Core columns (plain rows; the ORM's row objects cost
    ~0.4 s per 10,000). The database works out the flags and picks the kept parts by JSON
    path, parsing each record once (SQLite caches the parse within a row): no record is
    sent whole (10,000 farm-years: ~0.1 s, where this read of the keys alone and then one
    read per kind and part took ~0.17 s).
    """
    t = FarmYear.__table__.c
    flags = [_has_items(session, t.record, k.path) for k in KINDS]
    parts = [t.record[key] for key in KEPT_PARTS]
    present = [_has_part(session, t.record, key) for key in KEPT_PARTS]
    out: dict[tuple[int, int], StoredYear] = {}
    n, m = len(KINDS), len(KEPT_PARTS)
    for chunk in _chunks(sorted(farm_ids)):
        stmt = select(t.farm_id, t.year, *flags, *present, *parts).where(t.farm_id.in_(chunk))
        for row in session.execute(stmt).all():
            has, values = row[2 : 2 + n + m], row[2 + n + m :]
            listed = frozenset(k.key for k, h in zip(KINDS, has[:n], strict=True) if h)
            kept = {
                key: v
                for key, h, v in zip(KEPT_PARTS, has[n:], values, strict=True)
                if h and v is not None
            }
            out[(int(row[0]), int(row[1]))] = StoredYear(listed, kept or None)
    return out


# ---------------------------------------------------------------------- caps

CAP_MSG = {
    "farms_cap": _(
        "you already have {count} farms and the workbook would add {new}: an account may "
        "have at most {cap} farms"
    ),
    "years_cap": _("farm {farm_id} would get {years} years: at most {cap} per farm"),
}


@dataclass(frozen=True)
class CapIssue(SheetIssue):
    """A row of the sheet Gårdar past a cap per account (web/store/limits.py)."""

    def text(self, locale: str = "sv") -> str:
        return gettext_(CAP_MSG[self.code], locale).format(**self.params)


def cap_issues(
    *, session: Session, user: User | None, plan: FarmPlan, tables: FarmTables, raw: RawWorkbook
) -> list[SheetIssue]:
    """Errors where the workbook would pass the farms cap of ``user`` or the years cap of a
    farm (``web.store.limits``), at the first row past it; nothing is stored then."""
    from web.store import limits

    if user is None:  # the operator's import (farmcalc import without --advisor)
        return []
    sheet = raw.sheets["farms"]
    rows = sheet.excel_rows
    codes = [str(c) for c in plan.codes.tolist()]
    issues: list[SheetIssue] = []
    if plan.new:
        cap = limits.farm_cap(user)
        have = limits.farms_owned(session=session, user=user)
        if have + len(plan.new) > cap:
            first_over = list(plan.new)[max(cap - have, 0)]
            i = codes.index(first_over)
            params = {"count": have, "new": len(plan.new), "cap": cap}
            issues.append(
                CapIssue(
                    "farms_cap",
                    sheet=sheet.name,
                    row=int(rows[i]),
                    value=first_over,
                    farm_id=first_over,
                    params=params,
                )
            )
    cap_years = limits.setting("MAX_FARM_YEARS")
    per: dict[str, set[int]] = {}
    for code, year in zip(codes, tables.arrays.farms["year"].tolist(), strict=True):
        per.setdefault(code, set()).add(int(year))
    stored = {plan.existing[c]: c for c in per if c in plan.existing}
    for fid, year in plan.stored:
        per[stored[fid]].add(year)
    for code, years in per.items():
        if len(years) > cap_years:
            i = codes.index(code)
            params = {"farm_id": code, "years": len(years), "cap": cap_years}
            issues.append(
                CapIssue(
                    "years_cap",
                    sheet=sheet.name,
                    row=int(rows[i]),
                    value=code,
                    farm_id=code,
                    params=params,
                )
            )
    return issues


# ------------------------------------------------------------------ removals


@dataclass(frozen=True)
class Kind:
    """Rows of a farm-year kept on a sheet of their own (animals, crops, changes)."""

    key: str  # the FarmTables table
    sheet: L.Sheet
    path: tuple[str, ...]  # where the farm record keeps the list


KINDS: tuple[Kind, ...] = (
    Kind("livestock", L.LIVESTOCK, ("livestock",)),
    Kind("crops", L.CROPS_SHEET, ("crops",)),
    Kind("soil_changes", L.SOIL_CHANGES, ("soil", "changes")),
)
KIND_BY_KEY = {k.key: k for k in KINDS}
MAX_ITEMS_NAMED = 8  # items of one farm-year named in a message, then "and 3 more"

REMOVAL_MSG = {
    "remove_livestock": _("farm {farm_id} ({year}) would lose its stored animals: {items}"),
    "remove_crops": _("farm {farm_id} ({year}) would lose its stored crops: {items}"),
    "remove_soil_changes": _(
        "farm {farm_id} ({year}) would lose its stored changes of land use or management: {items}"
    ),
    "removed_livestock": _("the stored animals of farm {farm_id} ({year}) were removed: {items}"),
    "removed_crops": _("the stored crops of farm {farm_id} ({year}) were removed: {items}"),
    "removed_soil_changes": _(
        "the stored changes of land use or management of farm {farm_id} ({year}) were "
        "removed: {items}"
    ),
}
REMOVAL_WHY = {
    "absent": _("the workbook has no such sheet"),
    "empty": _("the sheet has no rows for this farm and year"),
}
REMOVAL_TEXT = {
    "join": _("{why}, so {what}"),
    "item": _("Farm {farm_id} ({year}): {items}"),
    "more": _("and {n} more"),
    "head": _("{category} {n} head"),
    "area": _("{crop} {area} ha"),
    "change": _("{area} ha changed in {year}"),
    "replace_hint": _(
        "Nothing was saved. If these rows are to be removed, run the import again with "
        "--replace-missing."
    ),
}


@dataclass(frozen=True)
class Removal:
    """Stored rows of one farm-year that the workbook has none of."""

    kind: str  # a key of KIND_BY_KEY
    farm_code: str
    year: int
    items: list[dict[str, Any]]  # the stored rows (record items)
    absent: bool  # the whole sheet is missing (else: no rows for this farm-year)

    @property
    def key(self) -> str:
        """Stands for exactly these rows: the confirmation covers them and nothing else."""
        doc = json.dumps(
            [self.kind, self.farm_code, self.year, self.items], sort_keys=True, default=str
        )
        return hashlib.sha256(doc.encode()).hexdigest()[:32]

    def issue(self, *, done: bool, sheet: str | None = None) -> RemovalIssue:
        """The refusal (an error) or, once replaced, the note of what went (a warning)."""
        kind = KIND_BY_KEY[self.kind]
        return RemovalIssue(
            f"{'removed' if done else 'remove'}_{self.kind}",
            sheet=sheet or kind.sheet.name,
            severity=WARNING if done else ERROR,
            farm_id=self.farm_code,
            params={
                "year": self.year,
                "why": "absent" if self.absent else "empty",
                "kind": self.kind,
                "items": self.items,
            },
        )


def _describe(kind: str, items: list[dict[str, Any]], locale: str) -> str:
    """``mjölkkor 207 st., kvigor 165 st.`` — the rows, as the user would name them."""

    def num(v: Any, fmt: str = "#,##0.##") -> str:
        return format_number(v, locale, fmt=fmt) if isinstance(v, int | float) else "?"

    t = {k: gettext_(v, locale) for k, v in REMOVAL_TEXT.items()}
    parts = []
    for item in items[:MAX_ITEMS_NAMED]:
        if kind == "livestock":
            name = label(str(item.get("category")), locale).lower()
            parts.append(t["head"].format(category=name, n=num(item.get("head"))))
        elif kind == "crops":
            name = label(str(item.get("crop")), locale).lower()
            parts.append(t["area"].format(crop=name, area=num(item.get("area_ha"))))
        else:
            year = item.get("year_of_change")
            year = str(int(year)) if isinstance(year, int | float) else "?"
            parts.append(t["change"].format(area=num(item.get("area_ha")), year=year))
    if len(items) > MAX_ITEMS_NAMED:
        parts.append(t["more"].format(n=len(items) - MAX_ITEMS_NAMED))
    return ", ".join(parts)


@dataclass(frozen=True)
class RemovalIssue(SheetIssue):
    """A farm-year's stored rows that the workbook would remove (or removed)."""

    def parts(self, locale: str = "sv") -> tuple[str, str]:
        """(``Blad "Djur": arbetsboken har inget sådant blad``, ``Gård EX-1 (2025): …``)."""
        p = self.params
        why = gettext_(REMOVAL_WHY[p["why"]], locale)
        item = gettext_(REMOVAL_TEXT["item"], locale).format(
            farm_id=self.farm_id, year=p["year"], items=_describe(p["kind"], p["items"], locale)
        )
        return f"{self.location(locale)}: {why}", item

    def text(self, locale: str = "sv") -> str:
        p = self.params
        what = gettext_(REMOVAL_MSG[self.code], locale).format(
            farm_id=self.farm_id, year=p["year"], items=_describe(p["kind"], p["items"], locale)
        )
        why = gettext_(REMOVAL_WHY[p["why"]], locale)
        return gettext_(REMOVAL_TEXT["join"], locale).format(why=why, what=what)


def _has_items(session: Session, record: ColumnElement, path: tuple[str, ...]) -> ColumnElement:
    """SQL: the record's list at ``path`` has an item. The database leaves out the
    farm-years whose list is empty or absent (most, for changes of land use), so their
    rows are neither sent nor decoded (10,000 farm-years: 0.12 s)."""
    if session.get_bind().dialect.name == "postgresql":
        part = record[path if len(path) > 1 else path[0]]
        is_list = func.jsonb_typeof(part) == "array"
        return case((is_list, func.jsonb_array_length(part)), else_=0) > 0
    return func.coalesce(func.json_array_length(record, "$." + ".".join(path)), 0) > 0


def _has_part(session: Session, record: ColumnElement, key: str) -> ColumnElement:
    """SQL: the record has ``key`` (its value may still be JSON null)."""
    if session.get_bind().dialect.name == "postgresql":
        return record[key].is_not(None)
    return func.json_type(record, "$." + key).is_not(None)


def find_removals(
    *, session: Session, plan: FarmPlan, tables: FarmTables, raw: RawWorkbook
) -> list[Removal]:
    """Stored rows of the workbook's farm-years that the workbook has none of.

    Only farm-years already stored can lose anything; for each kind (animals,
    crops, changes of land use) the stored list is read (only that part of
    the record, by the database's JSON path) where the workbook has no row of
    the kind for the farm-year, whether because the sheet is missing
    (:func:`farmcalc.excel.reader.absent_sheets`) or because it has no rows
    for the farm-year.
    """
    if not plan.existing:
        return []
    arrays = tables.arrays  # numpy columns: no DataFrame is built for the import
    n = arrays.n_farms
    codes = [str(c) for c in plan.codes.tolist()]
    years = arrays.farms["year"].tolist()
    counts = {k.key: np.bincount(getattr(arrays, k.key)["farm_idx"], minlength=n) for k in KINDS}
    absent = {s.key for s in absent_sheets(raw)}
    out: list[Removal] = []
    for kind in KINDS:  # one query per kind, for the farm-years with no rows of it only
        wanted: dict[tuple[int, int], str] = {}  # (farm id, year) → farm code
        for i in np.flatnonzero(counts[kind.key] == 0).tolist():
            fid = plan.existing.get(codes[i])
            stored = plan.stored.get((fid, int(years[i]))) if fid is not None else None
            if stored is not None and kind.key in stored.listed:
                wanted[(fid, int(years[i]))] = codes[i]
        if not wanted:  # no stored items to lose (most imports): nothing more is read
            continue
        t = FarmYear.__table__.c  # Core columns: plain rows, no ORM loading
        part = t.record[kind.path if len(kind.path) > 1 else kind.path[0]]
        listed = _has_items(session, t.record, kind.path)  # only stored lists with items
        for chunk in _chunks(sorted({f for f, _y in wanted})):
            stmt = select(t.farm_id, t.year, part).where(t.farm_id.in_(chunk), listed)
            for fid, year, items in session.execute(stmt).all():
                code = wanted.get((int(fid), int(year)))
                if code is not None and isinstance(items, list) and items:
                    out.append(
                        Removal(kind.key, code, int(year), items, absent=kind.key in absent)
                    )
    order = {k.key: i for i, k in enumerate(KINDS)}
    return sorted(out, key=lambda r: (order[r.kind], r.farm_code, r.year))


def removal_issues(removals: list[Removal], raw: RawWorkbook, *, done: bool) -> list[RemovalIssue]:
    """One issue per removal, on the sheet as the file names it (the template's name if absent)."""
    names = {key: sheet.name for key, sheet in raw.sheets.items()}
    return [r.issue(done=done, sheet=names.get(r.kind)) for r in removals]


# ------------------------------------------------------------------- storing


@dataclass
class Calculated:
    """The calculated workbook: the batch, one row per farm and its result dict.

    ``rows`` are the farm-years to store (``farm_code`` instead of
    ``farm_id``: the farm ids are resolved by :func:`store`), in the
    batch's order.
    """

    batch: BatchResult
    rows: list[dict[str, Any]]
    results: list[dict[str, Any]]
    figures: Pending

    def __len__(self) -> int:
        return len(self.rows)


def farm_year_rows(
    batch: BatchResult,
    figures: Pending,
    *,
    locale: str = "sv",
    issues: list[SheetIssue] | None = None,
) -> Calculated:
    """The calculated workbook's result dicts and its farm-years to store.

    ``batch`` is ``calculate_batch`` of the workbook's tables; ``figures`` its measures'
    figures and records' texts, started by :func:`web.store.batch_worker.start` (a large
    workbook's in a worker process while the result dicts are made here). :func:`store`
    hands them to the one writer (``web.store.writer.store_results``), which writes the
    results and the municipality's totals made from them.
    """
    if issues:
        batch = batch.with_issues(record_warnings(issues))
    with no_cyclic_gc():  # thousands of dicts, no cycles: no collection scanning them all
        results = batch.to_dicts(locale, texts=False)  # the stored form (FarmYear.result_in)
        now = utcnow()
        farms = batch.tables.arrays.farms
        rows = [
            {"farm_code": str(code), "year": int(year), "step": "done", "updated_at": now}
            for code, year in zip(farms["farm_id"].tolist(), farms["year"].tolist(), strict=True)
        ]
    return Calculated(batch, rows, results, figures)


KEPT_PARTS = (ACTIVITY_KEY,)
"""Parts of a stored record that the workbook has no sheet for: an import keeps them (a
farm's own activity uncertainty, set through the API or a record file, is not lost when
the farm's workbook is uploaded again)."""


def kept_parts(plan: FarmPlan) -> dict[tuple[int, int], dict[str, Any]]:
    """The :data:`KEPT_PARTS` of the stored farm-years the workbook updates, by (farm id,
    year): only those that have any (read with the plan: :func:`stored_farm_years`)."""
    return {key: s.kept for key, s in plan.stored.items() if s.kept}


Patch = tuple[str | None, dict[str, Any] | None]
"""What the import adds to a farm's record made from the workbook: a new farm's name
(where the record has none) and the stored record's :data:`KEPT_PARTS`."""


def record_patches(*, plan: FarmPlan, tables: FarmTables) -> dict[int, Patch]:
    """The :data:`Patch` of each farm that has one, by its position in the tables (few:
    rows of a new farm without the farm's name, stored records with kept parts)."""
    kept = kept_parts(plan)
    farms = tables.arrays.farms
    codes = np.asarray(plan.codes, dtype=object).astype(str)
    unnamed = pd.isna(farms["name"]) | (farms["name"] == "")
    named_new = [c for c, f in plan.new.items() if f["name"]]
    code_of = {fid: code for code, fid in plan.existing.items()}
    kept_codes = [code_of[f] for f, _y in kept if f in code_of]
    # only the rows that can have a patch (few) are looked at one by one
    few = np.flatnonzero((unnamed & np.isin(codes, named_new)) | np.isin(codes, kept_codes))
    out: dict[int, Patch] = {}
    for i in few.tolist():
        code, year = codes[i], int(farms["year"][i])
        farm = plan.new.get(code)
        name = farm["name"] if farm is not None and unnamed[i] else None
        fid = plan.existing.get(code)
        keep = kept.get((fid, year)) if fid is not None else None
        if name or keep:
            out[i] = (name, keep)
    return out


def patched(text: str, patch: Patch) -> str:
    """A record's JSON text with its :data:`Patch`."""
    name, keep = patch
    record = orjson.loads(text)
    if name and not record.get("name"):
        record = {**record, "name": name}
    if keep:
        record = {**record, **keep}
    return json_text(record)


def store(
    *,
    session: Session,
    plan: FarmPlan,
    rows: Calculated,
    result: ImportResult,
    on_store: OnStore | None = None,
    patches: dict[int, Patch] | None = None,
) -> ImportResult:
    """New farms and every farm-year with its result and totals in one transaction
    (rolled back on any error); the records with their ``patches``
    (:func:`record_patches`)."""
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
        have = plan.stored
        values = []
        for r in rows.rows:  # the records' texts come from rows.figures (the worker's)
            v = dict(r)
            v["farm_id"] = ids[v["farm_code"]]
            values.append(v)
        checkpoint_later(session)  # the commit does not copy the log into the file (db.py)
        if patches:
            texts = rows.figures.records()
            for i, patch in patches.items():
                values[i]["record_json"] = patched(texts[i], patch)
        store_results(  # the one writer: farm-years, results, totals; audit "imported"
            session,
            values,
            rows.batch,
            results=rows.results,
            action=AuditAction.imported,
            commit=False,
            figures=rows.figures,
            release=True,  # the result dicts are freed while the worker finishes
        )
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
    replace: bool | Collection[str] = False,
) -> ImportResult:
    """Read, validate, check access, calculate and store a workbook (see the module).

    Returns an :class:`ImportResult`; ``ok`` is False (and nothing is stored)
    when the workbook has any error, or would remove stored rows that
    ``replace`` does not cover (``result.removals`` lists them). ``replace``
    is ``True`` (remove whatever the workbook leaves out) or the
    :attr:`Removal.key` of each removal the user confirmed. Exceptions (a
    database error, say) roll the transaction back and propagate.
    """
    with no_cyclic_gc():  # millions of short-lived objects, no cycles: no full collections
        return _import_workbook(
            session=session,
            user=user,
            source=source,
            factors=factors,
            gwp=gwp,
            locale=locale,
            progress=progress,
            on_store=on_store,
            max_rows=max_rows,
            max_bytes=max_bytes,
            replace=replace,
        )


def _import_workbook(
    *,
    session: Session,
    user: User | None,
    source: Source,
    factors: str,
    gwp: str,
    locale: str,
    progress: Progress | None,
    on_store: OnStore | None,
    max_rows: int,
    max_bytes: int,
    replace: bool | Collection[str],
) -> ImportResult:
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
    batch = calculate_batch(tables, factors=factors, gwp=gwp)
    # a large workbook's records and measures in a worker process from here on, while
    # access is checked and the result dicts are made (dropped if the import stops)
    figures = batch_worker.start(batch, records=True)
    plan, refused = plan_farms(session=session, user=u, tables=tables, raw=raw)
    if refused:
        return ImportResult(refused + issues)
    over = cap_issues(session=session, user=u, plan=plan, tables=tables, raw=raw)
    if over:
        return ImportResult(over + issues)
    removals = find_removals(session=session, plan=plan, tables=tables, raw=raw)
    if removals:
        allowed = replace is True or (
            not isinstance(replace, bool) and {r.key for r in removals} <= set(replace)
        )
        if not allowed:
            return ImportResult(
                removal_issues(removals, raw, done=False) + issues, removals=removals
            )
        issues = removal_issues(removals, raw, done=True) + issues
    patches = record_patches(plan=plan, tables=tables)
    step("access", STEPS["access"])
    rows = farm_year_rows(batch, figures, locale=locale, issues=issues)
    step("calculated", STEPS["calculated"])
    step("storing", STEPS["storing"])
    return store(
        session=session,
        plan=plan,
        rows=rows,
        result=ImportResult(issues, removals=removals),
        on_store=on_store,
        patches=patches,
    )


# ---------------------------------------------------------------------- jobs

MAX_ISSUES_KEPT = 500


def error_report_bytes(issues: list[SheetIssue], locale: str = "sv") -> bytes:
    buf = io.BytesIO()
    write_error_report(issues, buf, locale=locale)
    return buf.getvalue()


def _issue_dict(issue: SheetIssue, locale: str) -> dict[str, Any]:
    """``SheetIssue.as_dict`` with the value as the user typed it (``-3``, not ``-3.0``).

    A removal also gets ``group`` (sheet and why: the job page's heading) and
    ``item`` (the farm-year and its rows: a line under it).
    """
    out = issue.as_dict(locale)
    if issue.value is not None:
        out["value"] = show_value(issue.value, locale)[1:-1]
    if isinstance(issue, RemovalIssue):
        out["group"], out["item"] = issue.parts(locale)
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
    job.removals = [r.key for r in result.removals]  # to confirm (failed) or removed (done)
    now = utcnow()
    job.finished_at = now
    job.updated_at = now


def run_import(app: Any, job_id: int, worker: str) -> None:
    """The import runner of web/services/jobs.py: run a claimed job with the app's settings."""
    run_job(
        app.extensions["farmcalc_engine"],
        job_id,
        worker=worker,
        max_bytes=app.config["IMPORT_MAX_FILE_BYTES"],
    )


def run_job(
    engine: Any,
    job_id: int,
    *,
    worker: str,
    factors: str = DEFAULT_FACTOR_SET,
    gwp: str = DEFAULT_GWP,
    max_bytes: int = MAX_BYTES,
) -> None:
    """Run the import of job ``job_id`` claimed by ``worker`` (services/jobs.py) in a session.

    The workbook is the job's ``upload`` (stored when it was uploaded, so a
    job whose worker died can be run again); a job whose ``removals`` are set
    was confirmed by its uploader and removes exactly those (``replace``, see
    :func:`import_workbook`). Progress is committed after each step; the data
    and ``status = done`` are committed together. A workbook with errors ends
    ``failed`` with its issues and error report; an exception ends ``failed``
    with a message, and nothing of the workbook is stored. A workbook refused
    only because it would remove stored rows keeps its file in the job with
    the keys of those removals, for the uploader to confirm; any other end
    clears it.
    """
    with Session(engine) as session:
        job = session.get(ImportJob, job_id)
        if job is None or job.status != ImportStatus.running or job.lease_owner != worker:
            return  # gone, or not this worker's
        data = bytes(job.upload or b"")
        replace: bool | list[str] = list(job.removals) or False
        user = session.get(User, job.user_id)
        job.step = "running"
        job.progress = STEPS["running"]
        job.updated_at = utcnow()
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
            job.upload = None
            job.lease_owner = ""
            s.add(job)

        try:
            with audit.acting_as(audit.import_actor(user, job_id)):  # the log names the job
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
                    replace=replace,
                )
            if not result.ok:
                _finish(job, result)
                job.status = ImportStatus.failed
                job.step = "validated" if result.errors else job.step
                job.upload = data if result.refused_for_removals else None
                job.lease_owner = ""
                session.add(job)
                session.commit()
        except Exception:
            log.exception("import job %s failed", job_id)
            session.rollback()
            job = session.get(ImportJob, job_id)
            if job is not None:
                job.status = ImportStatus.failed
                job.upload = None
                job.removals = []
                job.lease_owner = ""
                job.message = gettext_(T["failed"], locale)
                job.finished_at = job.updated_at = utcnow()
                session.add(job)
                session.commit()
