"""The municipality's one query over the per-farm totals, and a farm-year's measure savings.

Every stored result has its farm-year's row of ``farm_year_totals``, written
with it in one transaction by the one writer (``web.store.writer.store_results``):
the farm type and, as plain columns (:data:`web.store.models.TOTALS_COLUMNS`),
the numbers the aggregates need (farmland, livestock units, kg CO2e per
source and gas: ``farmcalc.municipality.summary.SUMMARY_COLUMNS``; what each of the
measures of ``ALL_MEASURES`` would save on its own:
``farmcalc.steering.measures.SAVING_COLUMNS``). This module only reads them, with
ordinary SQLAlchemy selects; nothing here writes or remakes a row.

Only farms the municipality has **confirmed** are read (``farms.confirmation
= 'confirmed'``, in the query itself: docs/municipality.md "Who counts"); a
farm anyone may add by signing up counts nowhere until then. Besides the
numbers the query reads each farm-year's owner id (``respondent``: two farms
of one owner are one respondent for the disclosure rule) and farm id
(``farm_key``: the same farm in every year, for the like-for-like series).
Both are opaque integers that the aggregates use and never publish; no farm
code or name is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from farmcalc.municipality.summary import FARM_TYPES
from farmcalc.steering.measures import ALL_MEASURES, SAVING_COLUMNS
from web.store.models import (
    TOTALS_COLUMNS,
    Confirmation,
    Farm,
    FarmYear,
    FarmYearTotals,
    Role,
    User,
)

NUMBERS = TOTALS_COLUMNS
"""The per-farm numbers after year and farm type: the summary, then each measure's saving."""
KEY_COLUMNS = ("respondent", "farm_key")
"""Read beside the numbers, never published: the farm's owner id and the farm id."""
FRAME_COLUMNS = ("year", "farm_type", *NUMBERS, *KEY_COLUMNS)


def dialect_insert(dialect: str) -> Any:
    """The ``insert`` of SQLite or PostgreSQL, the two databases with ``ON CONFLICT``."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the app supports SQLite and PostgreSQL
        raise NotImplementedError(f"upsert on {dialect}")
    return insert


def upsert_statement(session: Session, table: Any, keys: Sequence[str] = ("farm_id", "year")):
    """An INSERT into ``table`` that updates every other column of a row whose ``keys`` exist."""
    stmt = dialect_insert(session.get_bind().dialect.name)(table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={c.name: stmt.excluded[c.name] for c in table.c if c.name not in keys},
    )


def _in_municipality(code: str):
    """The municipality's farms that count: confirmed ones only (docs/municipality.md)."""
    return and_(Farm.municipality_code == code, Farm.confirmation == Confirmation.confirmed.value)


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

    Columns :data:`FRAME_COLUMNS`: ``year`` (int64), ``farm_type``
    (categorical of ``FARM_TYPES``), the numbers (float), then
    ``respondent`` (the owner's id for a farmer's farms; minus the farm id
    for a farm held by any other account, e.g. an advisor's clients) and
    ``farm_key`` (the farm id), both int64. One select of the plain columns
    of ``farm_year_totals`` with the two keys (no farm code, no name).
    """
    t = FarmYearTotals.__table__.c
    stmt = (
        select(
            t.year,
            t.farm_type,
            *(t[c] for c in NUMBERS),
            respondent_column().label("respondent"),
            t.farm_id.label("farm_key"),
        )
        .join(Farm, Farm.id == t.farm_id)  # type: ignore[arg-type]
        .join(User, User.id == Farm.owner_id)  # type: ignore[arg-type]
        .where(_in_municipality(municipality_code))
    )
    if years is not None:
        stmt = stmt.where(t.year.in_(list(years)))
    rows = session.connection().execute(stmt).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(FRAME_COLUMNS)
    k = len(NUMBERS)
    numbers = np.array(columns[2 : 2 + k], dtype=float).reshape(k, len(rows))
    frame = pd.DataFrame(numbers.T, columns=list(NUMBERS))
    frame.insert(0, "year", np.array(columns[0], dtype=np.int64))
    frame.insert(1, "farm_type", pd.Categorical(list(columns[1]), categories=FARM_TYPES))
    frame["respondent"] = np.array(columns[2 + k], dtype=np.int64)
    frame["farm_key"] = np.array(columns[3 + k], dtype=np.int64)
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


def stored_measure_savings(*, session: Session, farm_year: FarmYear) -> dict[str, float] | None:
    """``{measure: kg CO2e saved}`` of a farm-year, as its totals row keeps them.

    The numbers ``farmcalc.steering.measures.measure_savings`` gave for the stored
    result's calculation (the one writer stores both together), read instead
    of worked out again. ``None`` when the farm-year has no result (so no row).
    """
    if farm_year.calculated_at is None:
        return None
    t = FarmYearTotals.__table__.c
    stmt = select(*(t[c] for c in SAVING_COLUMNS)).where(
        t.farm_id == farm_year.farm_id, t.year == farm_year.year
    )
    row = session.connection().execute(stmt).first()
    if row is None:
        return None
    return {m: float(v) for m, v in zip(ALL_MEASURES, row, strict=True)}
