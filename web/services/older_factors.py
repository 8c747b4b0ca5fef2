"""Results made with an older version of their factor set, and recalculating them.

A stored result names the factor set and version that made it
(``farm_years.factor_set``, ``factor_set_version``). When the set has a newer
version, the farm list and the farm page mark the farm-year "calculated with
older factors" and offer to recalculate (web/views/farm_pages.py). Every query here
limits the farm-years to the farms the user may see (``access.farm_query_for``:
a farmer their own, an advisor also their clients', an admin all), so a farm
id the user may not see simply finds nothing.

Recalculating is all-or-nothing: every farm-year is calculated first, and the
results are stored in one transaction only when all of them could be.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, or_
from sqlmodel import Session, col, select

from farmcalc.errors import FactorError, ValidationError
from farmcalc.factors import DEFAULT_GWP, available_factor_sets, load_factor_set
from web.store.access import farm_query_for
from web.store.models import Farm, FarmYear
from web.store.writer import store_results


def current_versions() -> dict[str, str]:
    """``{factor set: its version now}`` of every set present."""
    out = {}
    for name in available_factor_sets():
        try:
            out[name] = load_factor_set(name).version
        except FactorError:
            continue
    return out


def _older_condition(versions: dict[str, str]):
    if not versions:
        return false()
    return and_(
        col(FarmYear.result).is_not(None),
        col(FarmYear.factor_set_version).is_not(None),
        or_(
            *(
                and_(FarmYear.factor_set == name, FarmYear.factor_set_version != version)
                for name, version in versions.items()
            )
        ),
    )


def older_query(user: Any, farm_ids: Iterable[int] | None = None):
    """``SELECT farm_years`` with older factors, on farms ``user`` may see (``farm_ids`` only)."""
    visible = farm_query_for(user).with_only_columns(col(Farm.id))
    stmt = select(FarmYear).where(
        col(FarmYear.farm_id).in_(visible), _older_condition(current_versions())
    )
    if farm_ids is not None:
        stmt = stmt.where(col(FarmYear.farm_id).in_(list(farm_ids)))
    return stmt.order_by(col(FarmYear.farm_id), col(FarmYear.year))


def older_counts(session: Session, user: Any, farm_ids: Iterable[int]) -> dict[int, int]:
    """``{farm id: number of its years with older factors}`` of the farms given."""
    ids = list(farm_ids)
    if not ids:
        return {}
    visible = farm_query_for(user).with_only_columns(col(Farm.id))
    stmt = (
        select(FarmYear.farm_id, func.count())
        .where(
            col(FarmYear.farm_id).in_(ids),
            col(FarmYear.farm_id).in_(visible),
            _older_condition(current_versions()),
        )
        .group_by(FarmYear.farm_id)
    )
    return {int(f): int(n) for f, n in session.exec(stmt).all()}


def count_older(session: Session, user: Any) -> int:
    """How many farm-years of all the user's farms have older factors."""
    sub = older_query(user).subquery()
    return int(session.exec(select(func.count()).select_from(sub)).one())


@dataclass(frozen=True)
class Failure:
    """A farm-year that could not be recalculated, and why (the first problems)."""

    farm: Farm
    year: int
    messages: list[str]


def recalculate(
    session: Session, farm_years: list[FarmYear], *, locale: str
) -> tuple[int, list[Failure]]:
    """Recalculate ``farm_years`` with their set's current version: all, or none.

    Returns
    -------
    (int, list of Failure)
        How many were stored (0 when any failed) and the failures.
    """
    from farmcalc import calculate_batch

    batches, failures = [], []
    for fy in farm_years:
        factors = fy.factor_set if fy.factor_set in available_factor_sets() else None
        try:
            if factors is None:
                raise FactorError(fy.factor_set or "")
            batch = calculate_batch([fy.record], factors=factors, gwp=fy.gwp or DEFAULT_GWP)
            batches.append((fy, batch))
        except ValidationError as exc:
            farm = session.get(Farm, fy.farm_id)
            failures.append(Failure(farm, fy.year, [i.message(locale) for i in exc.issues[:3]]))
        except FactorError:
            farm = session.get(Farm, fy.farm_id)
            failures.append(Failure(farm, fy.year, []))
    if failures:
        return 0, failures
    for fy, batch in batches:  # the one writer; one commit for all of them
        store_results(session, [fy], batch, locale=locale, commit=False)
    session.commit()
    return len(batches), []
