"""The one writer of results: a calculated batch in, farm-years and their totals out.

Every caller that stores a result (the farm form, the API, the Excel import,
``farmcalc demo``, recalculating with newer factors) calculates a
:class:`farmcalc.api.BatchResult` and hands it here::

    batch = calculate_batch([record], factors="sweden", gwp="AR5")
    results = store_results(session, [farm_year], batch, locale="sv")

:func:`store_results` writes, in the caller's transaction (one ``INSERT …
ON CONFLICT DO UPDATE`` per table, SQLite and PostgreSQL; committed unless
``commit=False``):

- each farm-year's record and ``farmcalc.result/1`` dict with its factor
  set, version, GWP and ``calculated_at`` (``farm_years``); the dict without the texts
  every result shares (what each intensity covers and each view counts, a quarter of its
  size: ``farmcalc.outputs.result.with_texts`` and ``FarmYear.result_in`` put them back in
  the reader's language);
- the municipality's totals of each farm-year (``farm_year_totals``, plain
  columns :data:`web.store.models.TOTALS_COLUMNS`): :func:`totals_rows`, made from
  the same batch (``farmcalc.municipality.summary.summarise``) and each measure's
  saving worked out from the batch's tables (``farmcalc.steering.measures.measure_savings``);
- the climate investment plan's figures of each measure that applies to a farm-year
  (``farm_year_measures``, plain columns :data:`web.store.models.MEASURE_COLUMNS`, one row
  per farm-year and measure): :func:`measure_tuples`, from the same batch's tables
  (``farmcalc.municipality.investment_plan.farm_inventory``); the farm-year's old rows are
  deleted first, the new ones sent as one ``executemany`` of tuples (one ``COPY`` on
  PostgreSQL).

A farm-year is never written twice (the unique key ``(farm_id, year)``), and
its result and totals come from one calculation: nothing remakes them later.
Whoever changes a record and wants a result calls this again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import delete, text
from sqlmodel import Session

from farmcalc.inputs.tables import no_cyclic_gc
from farmcalc.municipality.investment_plan import FIELDS, PLAN_ORDER
from farmcalc.municipality.summary import SUMMARY_COLUMNS
from farmcalc.steering.measures import SAVING_COLUMNS
from web.store import audit
from web.store.batch_worker import Pending, Totals, batch_totals, json_text, start
from web.store.bulk import write_rows
from web.store.models import (
    MEASURE_COLUMNS,
    TOTALS_COLUMNS,
    AuditAction,
    FarmYear,
    FarmYearMeasure,
    FarmYearTotals,
    utcnow,
)

if TYPE_CHECKING:
    from farmcalc.api import BatchResult

RESULT_COLUMNS = (
    "record",
    "result",
    "factor_set",
    "factor_set_version",
    "gwp",
    "calculated_at",
    "is_draft",
)
"""What storing a result writes into an existing farm-year (``id``, ``step``, ``created_at``
stay; ``updated_at`` only when the caller's row names it: calculating again is no change)."""
KEY = ("farm_id", "year")
FARM_YEAR_COLUMNS = (*KEY, "step", "created_at", "updated_at", *RESULT_COLUMNS)
"""The columns :func:`store_results` writes into ``farm_years`` (a new row's ``id`` is the
database's)."""
TOTALS_ROW_COLUMNS = (*KEY, "calculated_at", "factor_set", "gwp", "farm_type", *TOTALS_COLUMNS)
"""The columns of a ``farm_year_totals`` row, in the order :func:`store_results` writes them."""
JSON_COLUMNS = ("record", "result")
"""The farm-year's JSON documents, written as text made once (:func:`json_text`)."""
log = logging.getLogger(__name__)

FarmYearLike = FarmYear | Mapping[str, Any]
"""A farm-year to store: the ORM row, or a mapping with ``farm_id``, ``year``, ``record``
(and optionally ``step``, ``updated_at``)."""


def totals_numbers(totals: Totals) -> list[tuple[str, list[float]]]:
    """The ``farm_year_totals`` figures of a :class:`~web.store.batch_worker.Totals`
    (``Pending.totals``, or :func:`~web.store.batch_worker.batch_totals` here):
    ``(farm_type, numbers)`` per farm, the numbers (floats) in
    :data:`web.store.models.TOTALS_COLUMNS` order."""
    columns = {
        **dict(zip(SUMMARY_COLUMNS, totals.summary.T, strict=True)),
        **dict(zip(SAVING_COLUMNS, totals.savings.T, strict=True)),
    }
    n = len(totals.kinds)
    numbers = np.column_stack([columns[c] for c in TOTALS_COLUMNS]).reshape(n, -1).tolist()
    return list(zip(totals.kinds, numbers, strict=True))


def totals_tuples(batch: BatchResult) -> list[tuple[str, list[float]]]:
    """The municipality's numbers of every farm of ``batch`` (its summary and each
    measure's saving alone), worked out in this process: :func:`totals_numbers` of
    :func:`~web.store.batch_worker.batch_totals`, what the writer stores."""
    return totals_numbers(batch_totals(batch))


def totals_rows(batch: BatchResult) -> list[dict[str, Any]]:
    """:func:`totals_tuples` as one dict per farm (``farm_type`` and the numbers, floats)."""
    return [
        {"farm_type": kind, **dict(zip(TOTALS_COLUMNS, numbers, strict=True))}
        for kind, numbers in totals_tuples(batch)
    ]


_FIELD_INDEX = [FIELDS.index(c) for c in MEASURE_COLUMNS]
_APPLIES = FIELDS.index("applies")
_PLAN_NAMES = np.array(PLAN_ORDER, dtype=object)
DELETE_CHUNK = 500
"""Farm-years per ``DELETE`` of their old measure rows (bound parameters stay few)."""


MEASURE_ROW_COLUMNS: tuple[str, ...] = ("farm_id", "year", "measure", *MEASURE_COLUMNS)
"""The columns of a ``farm_year_measures`` row, in the order of :func:`measure_tuples`."""


def measure_tuples(inventory: np.ndarray, keys: Sequence[tuple[int, int]]) -> list[tuple]:
    """``farm_year_measures`` rows of an inventory as tuples: one per farm-year and measure
    that applies, the values in :data:`MEASURE_ROW_COLUMNS` order.

    The rows are picked and their figures taken with numpy; the tuples are made by
    ``zip`` over whole columns (no dict per row).

    Parameters
    ----------
    inventory : ndarray
        ``farmcalc.municipality.investment_plan.farm_inventory``, shape
        (farms, measures, fields).
    keys : sequence of (int, int)
        (farm_id, year) of each farm, in the inventory's order.

    Returns
    -------
    list of tuple
        ``(farm_id, year, measure, *figures)``, figures as floats.
    """
    farm, step = np.nonzero(inventory[:, :, _APPLIES] > 0)
    if not len(farm):
        return []
    figures = inventory[farm, step][:, _FIELD_INDEX]
    key = np.asarray(keys, dtype=np.int64).reshape(-1, 2)[farm]
    names = _PLAN_NAMES[step]
    columns = [key[:, 0].tolist(), key[:, 1].tolist(), names.tolist(), *figures.T.tolist()]
    return list(zip(*columns, strict=True))


def measure_rows(inventory: np.ndarray, keys: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    """``farm_year_measures`` rows of an inventory: one per farm-year and measure that applies.

    Parameters
    ----------
    inventory : ndarray
        ``farmcalc.municipality.investment_plan.farm_inventory``, shape
        (farms, measures, fields).
    keys : sequence of (int, int)
        (farm_id, year) of each farm, in the inventory's order.

    Returns
    -------
    list of dict
        ``farm_id``, ``year``, ``measure`` and the :data:`MEASURE_COLUMNS` (floats):
        :func:`measure_tuples` by column name.
    """
    return [
        dict(zip(MEASURE_ROW_COLUMNS, t, strict=True)) for t in measure_tuples(inventory, keys)
    ]


_DELETE_MEASURES_PG = text(
    "DELETE FROM farm_year_measures AS m"
    " USING unnest(CAST(:farm_ids AS bigint[]), CAST(:years AS integer[])) AS k(farm_id, year)"
    " WHERE m.farm_id = k.farm_id AND m.year = k.year"
)
"""PostgreSQL: every farm-year's old measure rows in one statement (two arrays bound)."""


def _replace_measures(session: Session, keys: list[tuple[int, int]], rows: list[tuple]) -> None:
    """Delete the farm-years' old measure rows, insert the new ones (:func:`_insert_measures`).

    PostgreSQL deletes by one join with the keys as two arrays (10,000 farm-years: ~0.1 s,
    where 20 ``(farm_id, year) IN (…)`` statements of 500 pairs took over 1 s); SQLite
    by those chunks.
    """
    t = FarmYearMeasure.__table__
    if session.get_bind().dialect.name == "postgresql":
        farm_ids, years = ([int(k[i]) for k in keys] for i in (0, 1))
        session.execute(_DELETE_MEASURES_PG, {"farm_ids": farm_ids, "years": years})
    else:  # per year, the farms in chunks: each statement finds its rows by the key's index
        by_year: dict[int, list[int]] = {}
        for farm_id, year in keys:
            by_year.setdefault(int(year), []).append(int(farm_id))
        for year, farm_ids in sorted(by_year.items()):
            for start in range(0, len(farm_ids), DELETE_CHUNK):
                chunk = farm_ids[start : start + DELETE_CHUNK]
                session.execute(delete(t).where(t.c.year == year, t.c.farm_id.in_(chunk)))
    if rows:
        _insert_measures(session, rows)


def _insert_measures(session: Session, rows: list[tuple]) -> None:
    """Insert ``farm_year_measures`` rows (:func:`measure_tuples`) in the session's transaction.

    PostgreSQL with psycopg: one ``COPY … FROM STDIN`` (74,000 rows of a 10,000-farm
    import: ~0.5 s, where an ``executemany`` of the same tuples takes 1.1–1.9 s and
    SQLAlchemy's ``insert()`` with a list of dicts ~1.9 s). Otherwise the driver's
    ``executemany`` of the tuples (SQLite: ~0.14 s, ``insert()`` with dicts ~0.65 s).
    """
    write_rows(session, FarmYearMeasure.__table__, MEASURE_ROW_COLUMNS, rows)


def _row_of(fy: FarmYearLike) -> dict[str, Any]:
    if isinstance(fy, FarmYear):
        return {"farm_id": fy.farm_id, "year": fy.year, "record": fy.record}
    return dict(fy)


def store_results(
    session: Session,
    farm_years: Sequence[FarmYearLike],
    batch: BatchResult,
    *,
    locale: str = "sv",
    results: Sequence[Mapping[str, Any]] | None = None,
    action: AuditAction | None = None,
    commit: bool = True,
    figures: Pending | None = None,
    release: bool = False,
) -> list[dict[str, Any]]:
    """Store the result and the municipality's totals of every farm of ``batch``.

    Parameters
    ----------
    session : Session
        The caller's session; everything is written in its transaction.
    farm_years : sequence of FarmYear or mapping
        One per farm of ``batch``, in the batch's order. A mapping is a
        farm-year that may not exist yet (``farm_id``, ``year``, ``record``;
        ``step``, ``updated_at``, ``farm_code`` optional); an existing one is updated.
    batch : BatchResult
        ``farmcalc.calculate_batch`` of the farm-years' records.
    locale : str
        Language of the result dicts' texts (the notes and warnings: the texts every
        result shares are not stored, ``FarmYear.result_in`` puts them in).
    results : sequence of dict, optional
        ``batch.to_dicts(locale, texts=False)`` (the stored form) when the caller made
        them already.
    release : bool
        Empty ``results`` (a list) as soon as their JSON texts are made, and return
        none: their thousands of dicts are freed while a large batch's worker finishes
        (the Excel import); default False.
    action : AuditAction, optional
        The audit entry of each farm-year (``imported``, ``created``); none
        by default (calculating again is not a change: docs/privacy.md).
    commit : bool
        Commit at the end (default); ``False`` leaves it to the caller.
    figures : Pending, optional
        The measures' figures of ``batch`` when the caller started them
        (:func:`web.store.batch_worker.start`); else started here, before the result
        dicts are made (a large batch's in a worker process meanwhile). Started with
        ``records``, it also gives the records' JSON texts, made from the batch's
        tables: the farm-years then need no ``record`` (or one given as JSON text,
        ``record_json``, which wins).

    Returns
    -------
    list of dict
        The stored result dicts, one per farm (none with ``release``).
    """
    rows = [_row_of(fy) for fy in farm_years]
    if len(rows) != batch.tables.n_farms:
        raise ValueError(f"{len(rows)} farm-years for a batch of {batch.tables.n_farms} farms")
    if not rows:
        return []
    session.flush()  # the caller's pending farm-year rows first
    with no_cyclic_gc():  # thousands of dicts and rows, no cycles: no collection scans them
        pending = figures if figures is not None else start(batch)
        given = results
        results = list(results) if results is not None else batch.to_dicts(locale, texts=False)
        now = utcnow()
        stamp = "updated_at" in rows[0]  # the caller's change: else a new result is no change
        result_texts = [json_text(res) for res in results]
        fs, gwp = batch.factor_set, batch.gwp.name  # every dict's factor_set, version, gwp
        if release:  # the dicts go now, not after the writes
            if isinstance(given, list):
                given.clear()
            results = []
        made = pending.records()  # the worker's, if it made them meanwhile
        records = [
            r["record_json"] if "record_json" in r else made[i] if made else json_text(r["record"])
            for i, r in enumerate(rows)
        ]
        fy_rows = [
            (
                r["farm_id"],
                r["year"],
                r.get("step", ""),
                now,
                r.get("updated_at", now),
                record,
                text,
                fs.name,
                fs.version,
                gwp,
                now,
                False,
            )
            for r, record, text in zip(rows, records, result_texts, strict=True)
        ]
        update = [*RESULT_COLUMNS, *(["updated_at"] if stamp else [])]
        write_rows(
            session,
            FarmYear.__table__,
            FARM_YEAR_COLUMNS,
            fy_rows,
            conflict=KEY,
            update=update,
            json_columns=JSON_COLUMNS,
        )
        keys = [(int(r[0]), int(r[1])) for r in fy_rows]
        if action is not None:  # the farm codes where the caller gave them (the import)
            codes = {int(r["farm_id"]): r["farm_code"] for r in rows if "farm_code" in r}
            audit.record_many(session, keys=keys, action=action, codes=codes or None)
        # the plan's rows first: the worker works out the totals meanwhile (batch_worker)
        _replace_measures(session, keys, measure_tuples(pending.inventory(), keys))
        totals = totals_numbers(pending.totals())
        sums = [
            (r[0], r[1], now, r[7], r[9], kind, *numbers)
            for r, (kind, numbers) in zip(fy_rows, totals, strict=True)
        ]
        write_rows(
            session,
            FarmYearTotals.__table__,
            TOTALS_ROW_COLUMNS,
            sums,
            conflict=KEY,
            update=TOTALS_ROW_COLUMNS[2:],
        )
    for fy in farm_years:  # ORM rows the statement changed: read again when next used
        if isinstance(fy, FarmYear) and fy in session:
            session.expire(fy)
    if commit:
        session.commit()
    return results


__all__ = [
    "json_text",
    "measure_rows",
    "measure_tuples",
    "store_results",
    "totals_numbers",
    "totals_rows",
    "totals_tuples",
]
