"""The climate investment plan's data: the farms' stored measure figures; projecting a plan.

A plan reads, for the municipality's **confirmed** farms of the data year, the
plain ``farm_year_measures`` rows (one per farm-year and measure that applies:
the measure's marginal saving per gas and its costs,
:func:`farmcalc.municipality.investment_plan.farm_inventory`), written with each
result by the one writer (``web.store.writer.store_results``); a plan only sums
arrays (``bench/bench_plan.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import and_, select
from sqlmodel import Session

from farmcalc.municipality.investment_plan import FIELDS, PLAN_ORDER, PlanInput, Scenario, project
from farmcalc.municipality.summary import Rule, aggregate
from web.store.models import MEASURE_COLUMNS, Farm, FarmYear, FarmYearMeasure, User
from web.store.totals_query import _in_municipality, load_frame, respondent_column

log = logging.getLogger(__name__)
_FIELD_INDEX = [FIELDS.index(c) for c in MEASURE_COLUMNS]
_APPLIES = FIELDS.index("applies")


def load_plan_input(*, session: Session, municipality_code: str, year: int) -> PlanInput:
    """The data year's farms of the municipality (confirmed only): figures and respondents.

    Two statements: the calculated farm-years with their respondent column, and
    their ``farm_year_measures`` rows (written with each result by
    ``web.store.writer.store_results``), scattered into the inventory array
    (farms, measures, fields) with numpy; a measure without a row does not apply.
    """
    where = (
        _in_municipality(municipality_code),
        FarmYear.year == year,
        FarmYear.calculated_at.is_not(None),  # type: ignore[union-attr]
    )
    farms = (
        session.connection()
        .execute(
            select(FarmYear.farm_id, respondent_column())
            .join(Farm, Farm.id == FarmYear.farm_id)  # type: ignore[arg-type]
            .join(User, User.id == Farm.owner_id)  # type: ignore[arg-type]
            .where(*where)
            .order_by(FarmYear.farm_id)
        )
        .all()
    )
    t = FarmYearMeasure.__table__.c
    rows = (
        session.connection()
        .execute(
            select(t.farm_id, t.measure, *(t[c] for c in MEASURE_COLUMNS))
            .join(FarmYear, and_(FarmYear.farm_id == t.farm_id, FarmYear.year == t.year))
            .join(Farm, Farm.id == t.farm_id)  # type: ignore[arg-type]
            .where(*where)
        )
        .all()
    )
    ids = np.array([r[0] for r in farms], dtype=np.int64)
    inventory = np.zeros((len(ids), len(PLAN_ORDER), len(FIELDS)))
    if rows:
        at = np.searchsorted(ids, np.array([r[0] for r in rows], dtype=np.int64))
        position = {m: i for i, m in enumerate(PLAN_ORDER)}
        step = np.array([position[r[1]] for r in rows], dtype=np.int64)
        inventory[at, step, _APPLIES] = 1.0
        figures = np.array([r[2:] for r in rows], dtype=float)
        inventory[at[:, None], step[:, None], np.array(_FIELD_INDEX)[None, :]] = figures
    return PlanInput(
        year=year,
        inventory=inventory,
        respondent=np.array([r[1] for r in farms], dtype=np.int64),
    )


def municipality_years(*, session: Session, municipality_code: str) -> list[int]:
    """The years with calculated farm-years of the municipality's confirmed farms (one query)."""
    stmt = (
        select(FarmYear.year)
        .join(Farm, Farm.id == FarmYear.farm_id)  # type: ignore[arg-type]
        .where(
            _in_municipality(municipality_code),
            FarmYear.calculated_at.is_not(None),  # type: ignore[union-attr]
        )
        .distinct()
    )
    return sorted(int(y) for y in session.connection().execute(stmt).scalars())


def project_scenario(
    *, session: Session, municipality_code: str, scenario: Scenario, rule: Rule
) -> dict[str, Any] | None:
    """The scenario projected over the municipality's stored farms (None without data).

    The data year is the scenario's (when there are farms that year) or the
    latest with data; the path's base year the scenario's (when present) or
    the data year.
    """
    return project_scenarios(
        session=session, municipality_code=municipality_code, scenarios=[scenario], rule=rule
    )[0]


def data_year_of(*, session: Session, municipality_code: str, scenario: Scenario) -> int | None:
    """The data year a projection of ``scenario`` uses (as :func:`project_scenarios`): the
    scenario's when there are farms that year, else the latest with data; None without."""
    years = municipality_years(session=session, municipality_code=municipality_code)
    if not years:
        return None
    return scenario.data_year if scenario.data_year in years else years[-1]


def project_scenarios(
    *, session: Session, municipality_code: str, scenarios: Sequence[Scenario], rule: Rule
) -> list[dict[str, Any] | None]:
    """Several scenarios projected as :func:`project_scenario` each, sharing the farms' data.

    The farms' figures and the baseline aggregates are read and protected once
    per (data year, base year) pair; :func:`farmcalc.municipality.investment_plan.project`
    runs per scenario.
    """
    years = municipality_years(session=session, municipality_code=municipality_code)
    if not years:
        return [None] * len(scenarios)
    shared: dict[tuple[int, int], tuple[Any, PlanInput]] = {}
    out: list[dict[str, Any] | None] = []
    for sc in scenarios:  # the two to four scenarios of a comparison
        year = sc.data_year if sc.data_year in years else years[-1]
        base = min(sc.base_year if sc.base_year in years else year, year)
        if (year, base) not in shared:
            # the dashboard protects each year's cells on their own: the two years the
            # plan starts from are enough, and give the same published cells (tested)
            both = load_frame(
                session=session, municipality_code=municipality_code, years=[year, base]
            )
            agg = aggregate(
                both, year=year, base_year=base, rule=rule, municipality_code=municipality_code
            )
            data = load_plan_input(session=session, municipality_code=municipality_code, year=year)
            shared[(year, base)] = (agg, data)
        agg, data = shared[(year, base)]
        used = Scenario(
            name=sc.name,
            shares=sc.shares,
            data_year=year,
            base_year=base,
            description=sc.description,
        )
        plan = project(data, used, baseline=agg, rule=rule)
        plan["municipality_code"] = municipality_code
        plan["years_with_data"] = years
        out.append(plan)
    return out
