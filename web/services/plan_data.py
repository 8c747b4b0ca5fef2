"""The climate investment plan's data: the farms' stored measure figures; projecting a plan.

A plan reads, for the municipality's **confirmed** farms of the data year,
one packed row per farm-year of ``farm_year_measures``
(:func:`farmcalc.municipality.investment_plan.farm_inventory`: every measure's marginal
saving and costs). Missing or stale rows (older than their result, or made
with another measure order, measure file or cost file) are made first, in
one vectorised batch per factor set and GWP, from the stored records — the
first plan after new data pays for that once; every later plan only sums
arrays (``bench/bench_plan.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import and_, or_, select, tuple_
from sqlmodel import Session

from farmcalc.errors import FarmcalcError
from farmcalc.inputs.tables import records_to_tables
from farmcalc.municipality.investment_plan import (
    PlanInput,
    Scenario,
    farm_inventory,
    inventory_layout,
    pack_inventory,
    project,
    unpack_inventory,
)
from farmcalc.municipality.summary import Rule, aggregate
from web.store.models import Farm, FarmYear, FarmYearMeasures, User
from web.store.totals_query import (
    _in_municipality,
    load_frame,
    respondent_column,
    upsert_statement,
)

CHUNK = 5000
log = logging.getLogger(__name__)


def stale_measure_keys(
    *, session: Session, municipality_code: str, year: int, layout: str
) -> list[tuple[int, int]]:
    """(farm_id, year) of the data year's farm-years whose figures are missing or stale."""
    t = FarmYearMeasures.__table__.c
    stmt = (
        select(FarmYear.farm_id, FarmYear.year)
        .join(Farm, Farm.id == FarmYear.farm_id)  # type: ignore[arg-type]
        .outerjoin(FarmYearMeasures, and_(t.farm_id == FarmYear.farm_id, t.year == FarmYear.year))
        .where(
            _in_municipality(municipality_code),
            FarmYear.year == year,
            FarmYear.calculated_at.is_not(None),  # type: ignore[union-attr]
            or_(
                t.farm_id.is_(None),
                t.calculated_at.is_(None),
                t.calculated_at != FarmYear.calculated_at,
                t.layout != layout,
            ),
        )
    )
    return [(int(f), int(y)) for f, y in session.connection().execute(stmt).all()]


def _inventory_rows(rows: Sequence[Mapping[str, Any]], layout: str) -> list[dict[str, Any]]:
    """``farm_year_measures`` rows for farm-year rows, one batch per factor set and GWP.

    A stored record that can no longer be read is left out (and logged), as
    the dashboard's totals leave it out.
    """
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for r in rows:
        res = r.get("result") or {}
        fs = r.get("factor_set") or res.get("factor_set")
        g = r.get("gwp") or res.get("gwp")
        if fs and g:
            groups.setdefault((str(fs), str(g)), []).append(r)
    out: list[dict[str, Any]] = []
    for (fs, g), members in groups.items():
        try:
            tables, _issues = records_to_tables([m["record"] for m in members], strict=True)
        except FarmcalcError:
            good = []
            for m in members:  # rare: find the unreadable records one by one
                try:
                    records_to_tables([m["record"]], strict=True)
                    good.append(m)
                except FarmcalcError:
                    log.warning(
                        "farm %s year %s: stored record unreadable", m["farm_id"], m["year"]
                    )
            if not good:
                continue
            members = good
            tables, _issues = records_to_tables([m["record"] for m in members], strict=True)
        packed = pack_inventory(farm_inventory(tables, factors=fs, gwp=g))
        out += [
            {
                "farm_id": m["farm_id"],
                "year": m["year"],
                "calculated_at": m["calculated_at"],
                "layout": layout,
                "figures": p,
            }
            for m, p in zip(members, packed, strict=True)
        ]
    return out


def make_measure_figures(session: Session, keys: Sequence[tuple[int, int]], layout: str) -> int:
    """Make and store the figures of ``keys`` (farm_id, year) from their stored records.

    The factor set and GWP are the farm-year's columns (written with every
    result): the result document itself is not read.
    """
    made = 0
    for start in range(0, len(keys), CHUNK):
        chunk = list(keys[start : start + CHUNK])
        fys = session.execute(
            select(
                FarmYear.farm_id,
                FarmYear.year,
                FarmYear.record,
                FarmYear.calculated_at,
                FarmYear.factor_set,
                FarmYear.gwp,
            ).where(tuple_(FarmYear.farm_id, FarmYear.year).in_(chunk))
        ).all()
        values = _inventory_rows([dict(r._mapping) for r in fys], layout)
        if values:
            session.execute(upsert_statement(session, FarmYearMeasures.__table__), values)
            made += len(values)
    session.commit()
    return made


def load_plan_input(*, session: Session, municipality_code: str, year: int) -> PlanInput:
    """The data year's farms of the municipality (confirmed only): figures and respondents.

    Stale figures are made first (:func:`stale_measure_keys`).
    """
    layout = inventory_layout()
    stale = stale_measure_keys(
        session=session, municipality_code=municipality_code, year=year, layout=layout
    )
    if stale:
        make_measure_figures(session, stale, layout)
    t = FarmYearMeasures.__table__.c
    stmt = (
        select(t.figures, respondent_column())
        .join(Farm, Farm.id == t.farm_id)  # type: ignore[arg-type]
        .join(User, User.id == Farm.owner_id)  # type: ignore[arg-type]
        .where(_in_municipality(municipality_code), t.year == year, t.layout == layout)
    )
    rows = session.connection().execute(stmt).all()
    return PlanInput(
        year=year,
        inventory=unpack_inventory([r[0] for r in rows]),
        respondent=np.array([r[1] for r in rows], dtype=np.int64),
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
