"""The fair yardstick: a farm-year beside farms of its type and size class.

For a farm-year with a stored result the result page (and the farm's report)
shows, per kg ECM, per hectare and per farm (t CO2e), the median and the
quartiles of the *other* farms of the same farm type and size class in the
same year, and where the farm itself falls. Only farms the municipality has
**confirmed** count (``farms.confirmation = 'confirmed'``, in the query), and
only their stored numbers are read: ``farm_year_totals`` (farm type, farmland,
livestock units, kg CO2e per source and gas) and, for per kg ECM, the stored
result's intensity. Nothing is calculated again.

Disclosure (docs/municipality.md, "The fair yardstick"). A figure is shown
only when it passes the municipality's rule (``DISCLOSURE_MIN_FARMS``,
``DISCLOSURE_MAX_SHARE_1``, ``DISCLOSURE_MAX_SHARE_2``):

- the comparison farms are counted as **respondents** (a farmer's farms are
  one respondent; the farm's own owner is left out altogether, so that the
  reader never compares with his own farms), one value per respondent (the
  respondent's sum of emissions over the sum of its hectares or kg ECM);
- at least ``min_farms`` respondents have a value for the figure;
- no respondent holds more than ``max_share_1`` and no two more than
  ``max_share_2`` of the sum of the figure's emissions (the dominance rule);
- the figures are rounded to two significant digits, so that even an order
  statistic (the median of five farms is one farm's value) is not a farm's
  exact figure.

A figure that fails is not computed at all: the reader gets a sentence saying
why and no number (not the count of farms either, as in the municipality's
tables). The figures are not parts of any published sum, so a hidden figure
cannot be worked out from the shown ones.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import and_, select
from sqlmodel import Session

from farmcalc.municipality.summary import (
    APART,
    ATOM_COLUMNS,
    ITEM_GASES,
    MAX_SHARE_1,
    MAX_SHARE_2,
    MIN_FARMS,
    atom_column,
)
from farmcalc.municipality.summary import label as type_label
from web.store.models import Confirmation, Farm, FarmYear, FarmYearTotals, User
from web.store.totals_query import respondent_column

LIVESTOCK_CLASS_LIMITS: tuple[float, ...] = (50.0, 150.0, 400.0)
"""[livestock units] limits of the size classes of a farm with animals (not a factor of the
calculation: a grouping of farms, like the size classes of the farm statistics)."""
ARABLE_CLASS_LIMITS: tuple[float, ...] = (50.0, 150.0, 400.0)
"""[ha] limits of the size classes of an arable farm (by its farmland)."""
SIGNIFICANT_DIGITS = 2
"""Digits a shown figure keeps (no farm's exact value is shown, even as a median)."""
QUARTILES = (25.0, 50.0, 75.0)

EMISSION_COLUMNS: tuple[str, ...] = tuple(
    c for c in ATOM_COLUMNS if c not in {atom_column(i, g) for i in APART for g in ITEM_GASES[i]}
)
"""kg CO2e of every source but soil carbon (the result's ``totals.co2e_kg``)."""

FIGURES = ("per_kg_ecm", "per_ha", "per_farm")
"""The yardstick's figures, in the order shown."""


@dataclass(frozen=True)
class SizeClass:
    """A size class: the measure (``livestock_units`` or ``farmland_ha``) and its bounds."""

    measure: str
    low: float
    high: float  # math.inf for the last class

    def holds(self, value: float) -> bool:
        return self.low <= value < self.high


def size_class(farm_type: str, farmland_ha: float, livestock_units: float) -> SizeClass:
    """The size class of a farm: by livestock units, an arable farm by its farmland."""
    if farm_type == "arable":
        measure, limits, value = "farmland_ha", ARABLE_CLASS_LIMITS, farmland_ha
    else:
        measure, limits, value = "livestock_units", LIVESTOCK_CLASS_LIMITS, livestock_units
    bounds = (0.0, *limits, math.inf)
    value = value if value == value else 0.0  # NaN: the smallest class
    for low, high in itertools.pairwise(bounds):
        if low <= value < high:
            return SizeClass(measure, low, high)
    return SizeClass(measure, bounds[-2], math.inf)


@dataclass
class Figure:
    """One figure of the yardstick: the farm's value and, when shown, the others' quartiles.

    ``quartiles`` is ``None`` when the rule hides the figure (``reason`` says why:
    ``few_farms`` or ``dominance``); ``farm`` is None when the figure does not apply to
    the farm (no milk, no farmland).
    """

    id: str
    farm: float | None
    quartiles: tuple[float, float, float] | None = None
    reason: str | None = None
    position: str | None = None  # "low", "middle", "high" against the quartiles


@dataclass
class Yardstick:
    """The farm-year beside its comparison farms (see the module's docstring)."""

    farm_type: str
    size: SizeClass
    year: int
    figures: list[Figure] = field(default_factory=list)

    @property
    def any_shown(self) -> bool:
        return any(f.quartiles is not None for f in self.figures)


def round_significant(x: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``x`` rounded to ``digits`` significant digits (0 stays 0)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def rule_of(config: Mapping[str, Any]) -> tuple[int, float, float]:
    """``(min_farms, max_share_1, max_share_2)`` of the app's configuration."""
    return (
        int(config.get("DISCLOSURE_MIN_FARMS", MIN_FARMS)),
        float(config.get("DISCLOSURE_MAX_SHARE_1", MAX_SHARE_1)),
        float(config.get("DISCLOSURE_MAX_SHARE_2", MAX_SHARE_2)),
    )


def passes_rule(
    weights: Sequence[float], min_farms: int, max_share_1: float, max_share_2: float
) -> str | None:
    """None when respondents with these (absolute) weights may be shown, else the reason."""
    a = np.sort(np.abs(np.asarray(weights, dtype=float)))[::-1]
    if len(a) < min_farms:
        return "few_farms"
    total = a.sum()
    if total > 0 and (a[0] > max_share_1 * total or a[:2].sum() > max_share_2 * total):
        return "dominance"
    return None


def _figure(
    fid: str,
    farm: float | None,
    emissions: np.ndarray,
    denominators: np.ndarray | None,
    rule: tuple[int, float, float],
) -> Figure:
    """One figure from the respondents' summed emissions and denominators (None: per farm)."""
    if denominators is not None:
        keep = denominators > 0
        emissions, denominators = emissions[keep], denominators[keep]
    reason = passes_rule(emissions, *rule)
    if reason is not None:
        return Figure(fid, farm, None, reason)
    values = emissions if denominators is None else emissions / denominators
    q = np.percentile(values, QUARTILES)
    quartiles = (
        round_significant(float(q[0])),
        round_significant(float(q[1])),
        round_significant(float(q[2])),
    )
    position = None
    if farm is not None:
        position = "low" if farm < quartiles[0] else "high" if farm > quartiles[2] else "middle"
    return Figure(fid, farm, quartiles, None, position)


def _ecm_of(result: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """``(kg CO2e counted to the milk, kg ECM)`` of a stored result, None without milk."""
    for i in (result or {}).get("intensities", []):
        if i.get("id") == "per_kg_ecm" and i.get("milk_kg_ecm"):
            return float(i["value"]) * float(i["milk_kg_ecm"]), float(i["milk_kg_ecm"])
    return None


def yardstick(
    *, session: Session, farm_year: FarmYear, config: Mapping[str, Any] | None = None
) -> Yardstick | None:
    """The yardstick of a farm-year with a stored result (None without its totals row).

    Parameters
    ----------
    session : Session
        The request's session (two selects: the peers' totals; for dairy farms,
        the peers' stored results' milk).
    farm_year : FarmYear
        The farm-year shown; the caller has checked the reader may see it.
    config : mapping, optional
        The disclosure rule (default: the app's configuration).
    """
    t = FarmYearTotals.__table__.c
    own = (
        session.connection()
        .execute(
            select(
                t.farm_type, t.farmland_ha, t.livestock_units, *(t[c] for c in EMISSION_COLUMNS)
            ).where(t.farm_id == farm_year.farm_id, t.year == farm_year.year)
        )
        .first()
    )
    if own is None:
        return None
    farm_type = str(own[0])
    ha, lu = float(own[1] or 0.0), float(own[2] or 0.0)
    own_kg = float(sum(float(v or 0.0) for v in own[3:]))
    size = size_class(farm_type, ha, lu)
    owner_id = session.get(Farm, farm_year.farm_id).owner_id  # type: ignore[union-attr]
    measure = t[size.measure]
    in_class = (
        measure >= size.low
        if math.isinf(size.high)
        else and_(measure >= size.low, measure < size.high)
    )
    respondent = respondent_column()
    rows = (
        session.connection()
        .execute(
            select(
                t.farm_id,
                respondent.label("respondent"),
                t.farmland_ha,
                *(t[c] for c in EMISSION_COLUMNS),
            )
            .join(Farm, Farm.id == t.farm_id)  # type: ignore[arg-type]
            .join(User, User.id == Farm.owner_id)  # type: ignore[arg-type]
            .where(
                t.year == farm_year.year,
                t.farm_type == farm_type,
                in_class,
                Farm.confirmation == Confirmation.confirmed.value,
                Farm.owner_id != owner_id,
            )
        )
        .all()
    )
    by_resp: dict[int, list[float]] = {}
    farm_resp: dict[int, int] = {}
    for r in rows:
        kg = float(sum(float(v or 0.0) for v in r[3:]))
        acc = by_resp.setdefault(int(r[1]), [0.0, 0.0, 0.0, 0.0])  # kg, ha, milk kg, ecm
        acc[0] += kg
        acc[1] += float(r[2] or 0.0)
        farm_resp[int(r[0])] = int(r[1])
    if farm_type in ("dairy", "mixed") and farm_resp:
        c = FarmYear.__table__.c
        results = (
            session.connection()
            .execute(
                select(c.farm_id, c.result).where(
                    c.year == farm_year.year, c.farm_id.in_(sorted(farm_resp))
                )
            )
            .all()
        )
        for fid, result in results:
            ecm = _ecm_of(result)
            if ecm is not None:
                acc = by_resp[farm_resp[int(fid)]]
                acc[2] += ecm[0]
                acc[3] += ecm[1]
    own_ecm = _ecm_of(farm_year.result)
    rule = rule_of(config if config is not None else current_app.config)
    arr = np.array(list(by_resp.values()), dtype=float).reshape(len(by_resp), 4)
    ys = Yardstick(farm_type=farm_type, size=size, year=farm_year.year)
    if farm_type in ("dairy", "mixed") or own_ecm is not None:
        ys.figures.append(
            _figure(
                "per_kg_ecm",
                own_ecm[0] / own_ecm[1] if own_ecm else None,
                arr[:, 2],
                arr[:, 3],
                rule,
            )
        )
    ys.figures.append(
        _figure("per_ha", own_kg / ha if ha > 0 else None, arr[:, 0], arr[:, 1], rule)
    )
    ys.figures.append(_figure("per_farm", own_kg / 1000.0, arr[:, 0] / 1000.0, None, rule))
    return ys


FIGURE_FORMAT = {"per_kg_ecm": "#,##0.00", "per_ha": "#,##0", "per_farm": "#,##0"}


def view_rows(ys: Yardstick) -> list[dict[str, Any]]:
    """The figures formatted in the reader's language (``number``), for ``_yardstick.html``."""
    from web.language import number

    out = []
    for f in ys.figures:
        fmt = FIGURE_FORMAT[f.id]
        out.append(
            {
                "id": f.id,
                "farm": number(f.farm, fmt) if f.farm is not None else None,
                "q": [number(v, fmt) for v in f.quartiles] if f.quartiles else None,
                "reason": f.reason,
                "position": f.position,
            }
        )
    return out


def yardstick_view(farm_year: FarmYear | None) -> dict[str, Any] | None:
    """What the partial ``_yardstick.html`` shows for a farm-year (None: nothing to show).

    Uses the request's session and the app's disclosure rule; the caller has
    already checked that the reader may see ``farm_year``.
    """
    from web.store.db import get_session

    if farm_year is None or farm_year.result is None:
        return None
    ys = yardstick(session=get_session(), farm_year=farm_year)
    if ys is None:
        return None
    high = None if math.isinf(ys.size.high) else ys.size.high
    from web.language import current_lang

    return {
        "farm_type": ys.farm_type,
        "type_label": type_label(ys.farm_type, current_lang()),
        "measure": ys.size.measure,
        "low": number_plain(ys.size.low),
        "high": number_plain(high) if high is not None else None,
        "year": ys.year,
        "min_farms": rule_of(current_app.config)[0],
        "rows": view_rows(ys),
        "any_shown": ys.any_shown,
    }


def number_plain(v: float) -> str:
    """A size-class limit as the reader writes it (``1 500``)."""
    from web.language import number

    return number(v, "#,##0")
