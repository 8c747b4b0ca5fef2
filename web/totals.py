"""Per-farm totals beside the stored results, and the municipality's one query.

Every write of a result also writes the farm-year's row of
``farm_year_totals`` (:func:`write_totals`, called by ``crud.store_result``,
``crud.bulk_insert_farm_years`` and ``crud.upsert_farm_years``): the farm
type, and in ``summary`` the numbers the aggregates need, packed as
little-endian float64: the year, the farm type's position in
``farmcalc.aggregate.FARM_TYPES``, then ``SUMMARY_COLUMNS`` (farmland,
livestock units, kg CO2e per source and gas, worked out by
``summarise_stored`` from the stored record and result; then
``farmcalc.measures.SAVING_COLUMNS``: what each of the thirteen measures of
``ALL_MEASURES`` would save on its own, ``stored_savings``, with the factor
set and GWP of the result). Reading 50,000
farm-years is then one bytes object per row instead of thirty numbers.

Only farms the municipality has **confirmed** are read (``farms.confirmation
= 'confirmed'``, in the query itself: docs/municipality.md "Who counts"); a
farm anyone may add by signing up counts nowhere until then. Besides the
numbers the query reads each farm-year's owner id (``respondent``: two farms
of one owner are one respondent for the disclosure rule) and farm id
(``farm_key``: the same farm in every year, for the like-for-like series).
Both are opaque integers that the aggregates use and never publish; no farm
code or name is read.

:func:`load_frame` first asks for the farm-years whose totals are missing,
older than their result (written by some other path) or packed in another
:data:`LAYOUT`, makes those from the stored results, then reads the
municipality's totals in one query. So the aggregates always match the
stored results.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, insert, or_, select, tuple_
from sqlmodel import Session

from farmcalc.aggregate import FARM_TYPES, SUMMARY_COLUMNS, summarise_as_stored, summarise_stored
from farmcalc.measures import ALL_MEASURES, SAVING_COLUMNS, batch_savings, stored_savings
from web.models import Confirmation, Farm, FarmYear, FarmYearTotals, Role, User

if TYPE_CHECKING:
    from farmcalc.api import BatchResult

NUMBERS = (*SUMMARY_COLUMNS, *SAVING_COLUMNS)
"""The per-farm numbers after year and farm type: the summary, then each measure's saving."""
PACKED = ("year", "farm_type", *NUMBERS)
"""The numbers in ``summary``, in order (``farm_type`` as its position in FARM_TYPES)."""
KEY_COLUMNS = ("respondent", "farm_key")
"""Read beside the numbers, never published: the farm's owner id and the farm id."""
FRAME_COLUMNS = ("year", "farm_type", *NUMBERS, *KEY_COLUMNS)
DTYPE = np.dtype("<f8")
LAYOUT = hashlib.sha256((",".join(PACKED) + ";" + ",".join(FARM_TYPES)).encode()).hexdigest()[:16]
"""Names what ``summary`` holds: rows packed with another list are stale."""
CHUNK = 500
log = logging.getLogger(__name__)


def totals_values(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``farm_year_totals`` rows for farm-year rows (dicts of ``FarmYear`` columns).

    Rows without a result are skipped.
    """
    calc = [r for r in rows if r.get("result")]
    if not calc:
        return []
    records = [r["record"] for r in calc]
    results = [r["result"] for r in calc]
    summary = summarise_stored(records, results)
    savings = stored_savings(records, results)  # the measures, with each result's method
    packed = _pack([int(r["year"]) for r in calc], summary, savings)
    return [_totals_row(r, p) for r, p in zip(calc, packed, strict=True)]


def batch_totals(batch: BatchResult) -> list[dict[str, Any]]:
    """The packed totals of every farm of a calculated batch, from the batch itself.

    One dict per farm (``farm_type``, ``layout``, ``summary``): what
    :func:`totals_values` makes from the farm-years of the batch's records
    and result dicts, bit for bit, without reading the records and results
    back (``summarise_as_stored``, ``batch_savings``). The Excel import
    passes them to :func:`write_totals` (``made``).
    """
    if not batch.tables.n_farms:
        return []
    years = batch.tables.farms["year"].to_numpy(dtype=np.int64)
    return _pack(years, summarise_as_stored(batch), batch_savings(batch))


def _pack(years: Any, summary: pd.DataFrame, savings: pd.DataFrame) -> list[dict[str, Any]]:
    """``farm_type``, ``layout`` and the packed ``summary`` of each farm."""
    kinds = summary["farm_type"].astype(str)
    packed = np.empty((len(summary), len(PACKED)), dtype=DTYPE)
    packed[:, 0] = years
    packed[:, 1] = pd.Categorical(kinds, categories=FARM_TYPES).codes
    packed[:, 2 : 2 + len(SUMMARY_COLUMNS)] = summary[list(SUMMARY_COLUMNS)].to_numpy(dtype=float)
    packed[:, 2 + len(SUMMARY_COLUMNS) :] = savings[list(SAVING_COLUMNS)].to_numpy(dtype=float)
    return [
        {"farm_type": kind, "layout": LAYOUT, "summary": vec.tobytes()}
        for kind, vec in zip(kinds.tolist(), packed, strict=True)
    ]


def _totals_row(r: Mapping[str, Any], packed: Mapping[str, Any]) -> dict[str, Any]:
    """The ``farm_year_totals`` row of farm-year row ``r`` with its packed totals."""
    return {
        "farm_id": r["farm_id"],
        "year": r["year"],
        "calculated_at": r.get("calculated_at"),
        "factor_set": r.get("factor_set") or r["result"].get("factor_set"),
        "gwp": r.get("gwp") or r["result"].get("gwp"),
        **packed,
    }


def upsert_statement(session: Session, table: Any, keys: Sequence[str] = ("farm_id", "year")):
    """An INSERT into ``table`` that updates every other column of a row whose ``keys`` exist."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - the app supports SQLite and PostgreSQL
        raise NotImplementedError(f"upsert on {dialect}")
    stmt = dialect_insert(table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={c.name: stmt.excluded[c.name] for c in table.c if c.name not in keys},
    )


def _upsert(session: Session):
    return upsert_statement(session, FarmYearTotals.__table__)


def write_totals(
    *,
    session: Session,
    rows: Iterable[Mapping[str, Any]],
    replace: bool = False,
    made: Sequence[Mapping[str, Any]] | None = None,
) -> int:
    """Write the totals of farm-year rows (no commit: part of the caller's transaction).

    ``replace=True`` updates rows that exist (an upsert); else they must not exist.
    A result that cannot be summed (not a ``farmcalc.result/1``) gets no row:
    storing it still works, and :func:`load_frame` leaves it out. ``made``,
    one per row, are the rows' packed totals worked out already
    (:func:`batch_totals`); without it they are made from the rows' records
    and results (:func:`totals_values`).
    """
    rows = list(rows)
    if made is None:
        values = _values_skipping_bad(rows)
    else:
        values = [_totals_row(r, m) for r, m in zip(rows, made, strict=True) if r.get("result")]
    if values:  # Core executemany: the ORM's bulk path costs twice as much per row
        table = FarmYearTotals.__table__
        session.execute(_upsert(session) if replace else insert(table), values)
    return len(values)


def write_farm_year_totals(*, session: Session, farm_year: FarmYear) -> None:
    """The totals row of one farm-year that has just been given a result."""
    session.flush()  # the farm-year row must exist for the foreign key
    write_totals(
        session=session,
        rows=[
            {
                "farm_id": farm_year.farm_id,
                "year": farm_year.year,
                "record": farm_year.record,
                "result": farm_year.result,
                "calculated_at": farm_year.calculated_at,
                "factor_set": farm_year.factor_set,
                "gwp": farm_year.gwp,
            }
        ],
        replace=True,
    )


def _in_municipality(code: str):
    """The municipality's farms that count: confirmed ones only (docs/municipality.md)."""
    return and_(Farm.municipality_code == code, Farm.confirmation == Confirmation.confirmed.value)


def stale_keys(*, session: Session, municipality_code: str) -> list[tuple[int, int]]:
    """(farm_id, year) of calculated farm-years whose totals are missing or stale.

    Reads farm_years through its index (farm_id, year, calculated_at) only.
    """
    t = FarmYearTotals.__table__.c
    stmt = (
        select(FarmYear.farm_id, FarmYear.year)
        .join(Farm, Farm.id == FarmYear.farm_id)  # type: ignore[arg-type]
        .outerjoin(
            FarmYearTotals,
            and_(t.farm_id == FarmYear.farm_id, t.year == FarmYear.year),
        )
        .where(
            _in_municipality(municipality_code),
            FarmYear.calculated_at.is_not(None),  # type: ignore[union-attr]
            or_(
                t.farm_id.is_(None),
                t.calculated_at.is_(None),
                t.calculated_at != FarmYear.calculated_at,
                t.layout != LAYOUT,
            ),
        )
    )
    return [(int(f), int(y)) for f, y in session.connection().execute(stmt).all()]


def respondent_column() -> Any:
    """The respondent of a farm, as a SQL expression over ``Farm`` joined with its owner.

    A farmer's farms are one respondent (the owner); a farm held by any other
    account (an advisor's clients from a bulk upload) is a business of its
    own, confirmed as such: its respondent is the farm (negative: never an
    owner's id).
    """
    return case((User.role == Role.farmer.value, Farm.owner_id), else_=-Farm.id)


def load_frame(
    *, session: Session, municipality_code: str, years: Sequence[int] | None = None
) -> pd.DataFrame:
    """One row per calculated farm-year of the municipality's confirmed farms.

    Columns :data:`FRAME_COLUMNS`: the packed numbers, then ``respondent``
    (the owner's id for a farmer's farms; minus the farm id for a farm held by
    any other account, e.g. an advisor's clients) and ``farm_key`` (the farm
    id), both int64. Stale
    totals are made first (:func:`stale_keys`); then one query reads the
    packed totals of the municipality's confirmed farms with the two keys (no
    farm code, no name).
    """
    stale = stale_keys(session=session, municipality_code=municipality_code)
    if stale:
        _remake(session, stale)
    t = FarmYearTotals.__table__.c
    stmt = (
        select(t.summary, respondent_column(), t.farm_id)
        .join(Farm, Farm.id == t.farm_id)  # type: ignore[arg-type]
        .join(User, User.id == Farm.owner_id)  # type: ignore[arg-type]
        .where(_in_municipality(municipality_code), t.layout == LAYOUT)
    )
    if years is not None:
        stmt = stmt.where(t.year.in_(list(years)))
    rows = _fetch_raw(session, stmt)
    frame = unpack([row[0] for row in rows])
    keys = np.array([row[1:] for row in rows], dtype=np.int64).reshape(len(rows), 2)
    frame["respondent"] = keys[:, 0]
    frame["farm_key"] = keys[:, 1]
    return frame


def _fetch_raw(session: Session, stmt: Any) -> list[tuple]:
    """Rows of ``stmt`` straight from the database driver.

    No SQLAlchemy result processing: 50,000 rows come back in a fraction of
    the time (the statement is still compiled, with bound parameters, by
    SQLAlchemy).
    """
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if compiled.positional:
        params = tuple(params[k] for k in compiled.positiontup or ())
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def unpack(packed: Sequence[bytes]) -> pd.DataFrame:
    """Packed ``summary`` values as a frame of :data:`PACKED` (``year``, ``farm_type``, …)."""
    if not packed:
        frame = pd.DataFrame(columns=list(PACKED))
        frame["year"] = frame["year"].astype(np.int64)
        return frame
    numbers = np.frombuffer(b"".join(packed), dtype=DTYPE).reshape(len(packed), len(PACKED))
    frame = pd.DataFrame(numbers[:, 2:].astype(float), columns=list(NUMBERS))
    frame.insert(0, "year", numbers[:, 0].astype(np.int64))
    frame.insert(
        1, "farm_type", pd.Categorical.from_codes(numbers[:, 1].astype(np.int64), FARM_TYPES)
    )
    return frame


def method_mix(*, session: Session, municipality_code: str) -> list[dict[str, Any]]:
    """How many of the municipality's (confirmed) farm-years each factor set and GWP calculated."""
    t = FarmYearTotals.__table__.c
    stmt = (
        select(t.factor_set, t.gwp, func.count())
        .join(Farm, Farm.id == t.farm_id)  # type: ignore[arg-type]
        .where(_in_municipality(municipality_code))
        .group_by(t.factor_set, t.gwp)
        .order_by(t.factor_set, t.gwp)
    )
    return [
        {"factor_set": fs, "gwp": g, "farm_years": int(n)}
        for fs, g, n in session.connection().execute(stmt).all()
    ]


def _remake(session: Session, keys: list[tuple[int, int]]) -> None:
    """Write the totals of ``keys`` (farm_id, year) from their stored results."""
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        fys = session.execute(
            select(
                FarmYear.farm_id,
                FarmYear.year,
                FarmYear.record,
                FarmYear.result,
                FarmYear.calculated_at,
                FarmYear.factor_set,
                FarmYear.gwp,
            ).where(tuple_(FarmYear.farm_id, FarmYear.year).in_(chunk))
        ).all()
        made = _values_skipping_bad([dict(r._mapping) for r in fys])
        if made:
            session.execute(_upsert(session), made)
    session.commit()


def _values_skipping_bad(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`totals_values`, leaving out (and logging) a stored record it cannot read."""
    try:
        return totals_values(rows)
    except Exception:  # one bad stored record must not hide all the others
        out = []
        for r in rows:
            try:
                out += totals_values([r])
            except Exception:
                log.warning(
                    "no totals for farm-year %s/%s", r.get("farm_id"), r.get("year"), exc_info=True
                )
        return out


def stored_measure_savings(*, session: Session, farm_year: FarmYear) -> dict[str, float] | None:
    """``{measure: kg CO2e saved}`` of a farm-year, as its totals row keeps them.

    The same numbers as ``farmcalc.measures.measure_savings`` of the stored
    record with the result's factor set and GWP (that is how the row was
    made), read instead of worked out again. ``None`` when there is no fresh
    row: none yet, made for another result (``calculated_at``, factor set or
    GWP differ) or with another layout.
    """
    if farm_year.calculated_at is None:
        return None
    t = FarmYearTotals.__table__.c
    row = (
        session.connection()
        .execute(
            select(t.summary, t.calculated_at, t.factor_set, t.gwp, t.layout).where(
                t.farm_id == farm_year.farm_id, t.year == farm_year.year
            )
        )
        .first()
    )
    if row is None or row.layout != LAYOUT:
        return None
    result = farm_year.result or {}
    same = (
        _same_instant(row.calculated_at, farm_year.calculated_at)
        and row.factor_set == (result.get("factor_set") or farm_year.factor_set)
        and row.gwp == (result.get("gwp") or farm_year.gwp)
    )
    if not same:
        return None
    numbers = unpack([row.summary]).iloc[0]
    return {m: float(numbers[c]) for m, c in zip(ALL_MEASURES, SAVING_COLUMNS, strict=True)}


def _same_instant(a: Any, b: Any) -> bool:
    """Two stored times are the same (SQLite gives them back without a time zone)."""
    if a is None or b is None:
        return False
    return a.replace(tzinfo=None) == b.replace(tzinfo=None)
