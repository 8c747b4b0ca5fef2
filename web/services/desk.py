"""The advisor's desk: the farm list with each farm's latest result, a page at a time.

One SQL statement makes a page (:func:`desk_page`): the farms the user may see
(``access.farm_query_for``: the access condition is in the query), filtered by
a search of name and identifier, the municipality and the farm type, sorted,
``LIMIT``/``OFFSET``, and the number of matching farms (``count(*) OVER ()``),
each joined with

- its latest calculated farm-year (``farm_years``): year, factor set and
  version, the total (``result → totals → co2e_kg``) and whether the result
  has warnings (read from the stored result, never recalculated);
- that year's ``farm_year_totals`` row: the farm type and the kg CO2e of each
  source, of which the biggest is shown (soil carbon, shown apart, is not a
  source of emissions);
- that year's cheapest measure from the plain ``farm_year_measures`` rows (written
  with the result by the one writer): the lowest SEK per tonne CO2e (annual cost
  after support ÷ the measure's saving in tonnes in the catalogue's order, as the
  climate investment plan counts it; measures that save nothing are left out; a
  tie goes to the measure first in the catalogue's order), worked out in the
  statement (a correlated subquery per page row on the table's primary key);
- whether the farm has a year not calculated (a draft).

The status of a farm is "no year yet", "draft" (a year without a result),
"older factors" (the latest result's factor-set version is not the current
one) and "has warnings" (the latest result has warnings); several may hold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlmodel import Session, col

from farmcalc.municipality.investment_plan import PLAN_ORDER
from farmcalc.municipality.summary import APART, FARM_TYPES, ITEM_GASES, atom_column, label
from farmcalc.steering.measures import describe, load_parameters
from web.services.older_factors import current_versions
from web.store.access import farm_query_for
from web.store.models import Farm, FarmYear, FarmYearMeasure, FarmYearTotals
from web.store.paging import Page

SORTS = ("name", "code", "municipality", "type", "year", "total")
"""What the desk sorts by (``?sort=``); ``?dir=desc`` reverses."""
MAX_SEARCH = 100
"""Characters of a search that are used; the rest is ignored."""

SOURCES: tuple[str, ...] = tuple(i for i in ITEM_GASES if i not in APART)
"""The sources of emissions compared for the biggest one (soil carbon apart)."""
KG_PER_TONNE = 1000.0
"""[kg t-1]: a unit conversion (as ``farmcalc.steering.economics.sek_per_tonne``), no factor."""


def cheapest_columns(farm_id: Any, year: Any) -> tuple[Any, Any]:
    """The cheapest measure of a farm-year and its SEK per tonne CO2e, as SQL expressions.

    Two correlated scalar subqueries on ``farm_year_measures`` (its primary key
    ``(farm_id, year, measure)`` finds the farm-year's rows): among the measures with a
    saving (``co2e > 0``), the lowest ``annual_cost_sek ÷ (co2e ÷ 1000)`` [SEK t-1 CO2e]
    (:func:`farmcalc.steering.economics.sek_per_tonne`), a tie to the first in
    ``PLAN_ORDER``. NULL when no measure saves anything.
    """
    m = FarmYearMeasure.__table__.alias("measure_row")
    per_t = m.c.annual_cost_sek / (m.c.co2e / literal(KG_PER_TONNE))
    steps = {k: i for i, k in enumerate(PLAN_ORDER)}
    order = case(steps, value=m.c.measure, else_=len(PLAN_ORDER))
    best = (
        select(m.c.measure, per_t.label("per_t"))
        .where(m.c.farm_id == farm_id, m.c.year == year, m.c.co2e > 0)
        .order_by(per_t, order)
        .limit(1)
    )
    return (
        best.with_only_columns(m.c.measure).scalar_subquery().label("cheapest_measure"),
        best.with_only_columns(per_t).scalar_subquery().label("cheapest_sek_per_t"),
    )


@dataclass(frozen=True)
class DeskQuery:
    """What the desk shows: search, filters, sort and page (from the query string)."""

    q: str = ""
    municipality: str = ""
    farm_type: str = ""
    sort: str = "name"
    desc: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> DeskQuery:
        """Read ``?q=&municipality=&type=&sort=&dir=&page=``; anything unknown is ignored."""
        q = " ".join(str(args.get("q", ""))[:MAX_SEARCH].split())
        code = str(args.get("municipality", "")).strip()
        kind = str(args.get("type", ""))
        sort = str(args.get("sort", "name"))
        raw = str(args.get("page", ""))
        page = int(raw[:7]) if raw.isascii() and raw.isdigit() else 1
        return cls(
            q=q,
            municipality=code if len(code) == 4 and code.isascii() and code.isdigit() else "",
            farm_type=kind if kind in FARM_TYPES else "",
            sort=sort if sort in SORTS else "name",
            desc=args.get("dir") == "desc",
            page=max(1, page),
        )

    def args(self, **change: Any) -> dict[str, Any]:
        """The query string of this view with ``change`` (for links); defaults left out."""
        values = {
            "q": self.q,
            "municipality": self.municipality,
            "type": self.farm_type,
            "sort": self.sort,
            "dir": "desc" if self.desc else "",
            "page": self.page,
        }
        values.update(change)
        return {k: v for k, v in values.items() if v not in ("", None, 1, "name")}


@dataclass
class DeskRow:
    """One farm of the desk."""

    id: int
    name: str
    farm_code: str
    municipality_code: str
    owner_id: int
    confirmation: str
    confirmed_at: Any
    year: int | None
    total_kg: float | None
    farm_type: str | None
    factor_set: str | None
    factor_set_version: str | None
    has_warnings: bool
    has_draft: bool
    older: bool
    biggest_source: str | None = None
    biggest_label: str | None = None
    biggest_kg: float | None = None
    cheapest_measure: str | None = None
    cheapest_title: str | None = None
    cheapest_sek_per_t: float | None = None
    statuses: list[str] = field(default_factory=list)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + escaped + "%"


def desk_statement(user: Any, query: DeskQuery, *, per_page: int, page: int | None = None):
    """The one statement of a desk page (see the module's docstring).

    An inner query finds the page's farms (access, search, filters, sort, ``LIMIT``,
    the count) from light columns only: the farms, the index of ``farm_years`` and the
    plain ``farm_year_totals`` (the total to sort by is the sum of its sources' columns,
    equal to the result's total). The outer query joins the page's farms only with
    their stored result (total, warnings), totals row, measure figures and drafts.
    """
    visible = farm_query_for(user).subquery()
    latest = (
        select(FarmYear.farm_id, func.max(FarmYear.year).label("year"))
        .where(
            col(FarmYear.calculated_at).is_not(None),
            col(FarmYear.farm_id).in_(select(visible.c.id)),
        )
        .group_by(FarmYear.farm_id)
        .subquery()
    )
    t = FarmYearTotals.__table__.c
    sources = [t[atom_column(i, g)] for i in SOURCES for g in ITEM_GASES[i]]
    sort_total = sum(sources[1:], sources[0])
    inner = (
        select(visible.c.id, latest.c.year)
        .select_from(visible)
        .outerjoin(latest, latest.c.farm_id == visible.c.id)
        .outerjoin(FarmYearTotals, and_(t.farm_id == latest.c.farm_id, t.year == latest.c.year))
    )
    if query.q:
        like = _like(query.q)
        inner = inner.where(
            or_(
                func.lower(visible.c.name).like(like, escape="\\"),
                func.lower(visible.c.farm_code).like(like, escape="\\"),
            )
        )
    if query.municipality:
        inner = inner.where(visible.c.municipality_code == query.municipality)
    if query.farm_type:
        inner = inner.where(t.farm_type == query.farm_type)
    key = {
        "name": func.lower(visible.c.name),
        "code": visible.c.farm_code,
        "municipality": visible.c.municipality_code,
        "type": t.farm_type,
        "year": latest.c.year,
        "total": sort_total,
    }[query.sort]
    key = key.desc() if query.desc else key.asc()
    # farms without the value last either way, then a stable order
    order = (key.nulls_last(), func.lower(visible.c.name), visible.c.farm_code, visible.c.id)
    n = query.page if page is None else page
    found = (
        inner.add_columns(
            func.row_number().over(order_by=order).label("pos"),
            func.count().over().label("n_total"),
        )
        .order_by(*order)
        .limit(per_page)
        .offset((n - 1) * per_page)
        .subquery()
    )
    farms = Farm.__table__.alias("farm")
    fy = FarmYear.__table__.alias("latest_year")
    cheapest = cheapest_columns(fy.c.farm_id, fy.c.year)
    draft = exists().where(
        FarmYear.farm_id == found.c.id,
        or_(col(FarmYear.result).is_(None), col(FarmYear.is_draft).is_(True)),
    )
    return (
        select(
            farms.c.id,
            farms.c.name,
            farms.c.farm_code,
            farms.c.municipality_code,
            farms.c.owner_id,
            farms.c.confirmation,
            farms.c.confirmed_at,
            found.c.year,
            found.c.n_total,
            fy.c.result["totals"]["co2e_kg"].as_float().label("total_kg"),
            fy.c.result[("warnings", 0)].is_not(None).label("has_warnings"),
            draft.label("has_draft"),
            fy.c.factor_set,
            fy.c.factor_set_version,
            t.farm_type,
            *sources,
            *cheapest,
        )
        .select_from(found)
        .join(farms, farms.c.id == found.c.id)
        .outerjoin(fy, and_(fy.c.farm_id == found.c.id, fy.c.year == found.c.year))
        .outerjoin(FarmYearTotals, and_(t.farm_id == fy.c.farm_id, t.year == fy.c.year))
        .order_by(found.c.pos)
    )


def _biggest(row: Mapping[str, Any]) -> tuple[str | None, float | None]:
    best, best_kg = None, None
    for item in SOURCES:
        values = [row[atom_column(item, g)] for g in ITEM_GASES[item]]
        if any(v is None for v in values):
            return None, None
        kg = math.fsum(values)
        if best_kg is None or kg > best_kg:
            best, best_kg = item, kg
    return best, best_kg


def desk_page(
    session: Session, user: Any, query: DeskQuery, *, per_page: int, locale: str = "sv"
) -> Page:
    """A page of the desk: one statement (a second only for a page past the end)."""
    rows = [r._mapping for r in session.execute(desk_statement(user, query, per_page=per_page))]
    number = query.page
    if not rows and number > 1:  # past the end: the last page
        first = session.execute(desk_statement(user, query, per_page=1, page=1)).first()
        n_all = first._mapping["n_total"] if first is not None else 0
        number = max(1, -(-int(n_all or 0) // per_page))
        rows = [
            r._mapping
            for r in session.execute(desk_statement(user, query, per_page=per_page, page=number))
        ]
    versions = current_versions()
    parameters = load_parameters()
    out = []
    for r in rows:
        older = bool(
            r["factor_set_version"]
            and r["factor_set"] in versions
            and versions[r["factor_set"]] != r["factor_set_version"]
        )
        row = DeskRow(
            id=r["id"],
            name=r["name"],
            farm_code=r["farm_code"],
            municipality_code=r["municipality_code"],
            owner_id=r["owner_id"],
            confirmation=str(r["confirmation"]),
            confirmed_at=r["confirmed_at"],
            year=r["year"],
            total_kg=r["total_kg"],
            farm_type=r["farm_type"],
            factor_set=r["factor_set"],
            factor_set_version=r["factor_set_version"],
            has_warnings=bool(r["has_warnings"]) and r["year"] is not None,
            has_draft=bool(r["has_draft"]),
            older=older,
        )
        if r["farm_type"] is not None:
            row.biggest_source, row.biggest_kg = _biggest(r)
            row.biggest_label = label(row.biggest_source, locale) if row.biggest_source else None
        if r["cheapest_measure"] is not None:
            row.cheapest_measure = r["cheapest_measure"]
            row.cheapest_sek_per_t = float(r["cheapest_sek_per_t"])
            row.cheapest_title = describe(row.cheapest_measure, locale, parameters)["title"]
        row.statuses = statuses(row)
        out.append(row)
    total = int(rows[0]["n_total"]) if rows else 0
    return Page(out, number, per_page, total)


def statuses(row: DeskRow) -> list[str]:
    """The status keys of a farm: ``none``, ``draft``, ``calculated``, ``older``, ``warnings``."""
    out = []
    if row.year is None and not row.has_draft:
        return ["none"]
    if row.has_draft:
        out.append("draft")
    if row.year is not None:
        out.append("calculated")
        if row.older:
            out.append("older")
        if row.has_warnings:
            out.append("warnings")
    return out
