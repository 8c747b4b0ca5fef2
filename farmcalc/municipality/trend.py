"""Like for like: the municipality's trend over the same farms in every year.

When more farms report, the municipality's totals rise although no farm
emits more. The *balanced panel* is the farms that have a calculated result
in every year from the base year to the selected year; its totals compare
like with like, and the dashboard's headline (fossil CO2 against the path
of −14 % a year, the average yearly change) is based on it, saying how many
farms it covers. Beside it, the series of all reporting farms stays, and
both are given per hectare and per livestock unit too.

Protection. The panel's figures are sums over farms too, so every one of
them passes the same primary rule as the municipality's other cells
(:func:`farmcalc.municipality.summary.protect`, per respondent). A panel figure also
tells, with the published figure of all farms of that year, the sum over
the farms *outside* the panel (all − panel): that difference must pass the
primary rule as well, or be empty, else the panel figure is hidden
(``secondary``). Per-hectare, per-LU and index figures are worked out from
published (rounded) figures only, so they reveal nothing more.

The method is described in ``docs/municipality.md`` ("Like for like").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from farmcalc.municipality.summary import SECONDARY, contributions, protect

if TYPE_CHECKING:
    from farmcalc.municipality.summary import Aggregate

FARM_KEY = "farm_key"
"""Column of the per-farm-year frame that names the farm (never published)."""
RESPONDENT = "respondent"
"""Column naming the respondent (the owner): farms of one owner count as one."""

PANEL_CELLS = {
    "total_t": "total",
    "fossil_co2_t": "fossil_co2",
    "ch4_t": "mass:CH4",
    "n2o_t": "mass:N2O",
}
"""Panel figure → the municipality's cell it is a part of."""
PANEL_COVERAGE = {"area_ha": "farmland_ha", "livestock_units": "livestock_units"}
"""Panel coverage figure → the per-farm summary column it sums."""

TREND_COLUMNS = (
    "year",
    "farms",
    "area_ha",
    "livestock_units",
    "total_t",
    "fossil_co2_t",
    "ch4_t",
    "n2o_t",
    "fossil_co2_path_t",
    "fossil_co2_vs_path_pct",
    "fossil_co2_index",
    "ch4_index",
    "n2o_index",
    "total_kg_per_ha",
    "fossil_co2_kg_per_ha",
    "n2o_kg_per_ha",
    "total_kg_per_lu",
    "ch4_kg_per_lu",
)
"""The like-for-like series' columns (values from published figures only)."""


def balanced_panel(farms: pd.DataFrame, years: Sequence[int]) -> np.ndarray:
    """Rows of ``farms`` whose farm has a row in every one of ``years``.

    Parameters
    ----------
    farms : DataFrame
        One row per farm-year with ``year`` and :data:`FARM_KEY`.
    years : sequence of int
        The years every farm of the panel must have.

    Returns
    -------
    ndarray of bool
        True for the farm-years of farms in the panel whose year is in ``years``.
    """
    if FARM_KEY not in farms.columns or not len(farms) or not len(years):
        return np.zeros(len(farms), dtype=bool)
    in_years = farms["year"].isin(list(years)).to_numpy()
    sub = farms.loc[in_years, [FARM_KEY, "year"]].drop_duplicates()
    n_years = sub.groupby(FARM_KEY, sort=False, observed=True)["year"].nunique()
    members = n_years.index[n_years.to_numpy() == len(set(years))]
    return in_years & farms[FARM_KEY].isin(members).to_numpy()


def _cells_of(farms: pd.DataFrame) -> pd.DataFrame:
    """Each farm-year's part of the panel figures: tonnes, hectares, livestock units."""
    c = contributions(farms)
    out = {k: c[cell].to_numpy() for k, cell in PANEL_CELLS.items()}
    out.update({k: farms[col].to_numpy(dtype=float) for k, col in PANEL_COVERAGE.items()})
    return pd.DataFrame(out, index=farms.index)


def _respondent_sums(x: np.ndarray, codes: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
    """Rows of ``x`` summed per respondent code (one ``bincount`` per column)."""
    inv = pd.factorize(codes)[0]
    n = int(inv.max()) + 1 if len(inv) else 0
    return pd.DataFrame(
        {c: np.bincount(inv, weights=x[:, k], minlength=n) for k, c in enumerate(columns)}
    )


def _published(agg: Aggregate, year: int) -> dict[str, bool]:
    """Whether the municipality's own figure of each panel figure is published in ``year``."""
    cov = agg.coverage_of("total", year)
    shown = {k: bool(agg.cell(cell, year)["shown"]) for k, cell in PANEL_CELLS.items()}
    shown.update({k: cov.get(k) is not None for k in PANEL_COVERAGE})
    return shown


def _ratio(v: float | None, b: float | None, scale: float = 1.0, nd: int = 1) -> float | None:
    return None if v is None or not b else round(scale * v / b, nd)


def add_indicators(rows: pd.DataFrame, *, base_year: int | None, path_rate: float) -> pd.DataFrame:
    """Path, indices and intensities of a series worked out from its published figures.

    ``rows`` has per year ``total_t``, ``fossil_co2_t``, ``ch4_t``, ``n2o_t``,
    ``area_ha`` and ``livestock_units`` (None where hidden); the new columns
    are None wherever a figure they need is.
    """
    out = rows.copy()
    recs = out.to_dict("records")
    base = next((r for r in recs if r["year"] == base_year), None)

    def g(r: dict[str, Any] | None, k: str) -> float | None:
        if r is None:
            return None
        v = r.get(k)
        return None if v is None or v != v else float(v)

    fb, cb, nb = g(base, "fossil_co2_t"), g(base, "ch4_t"), g(base, "n2o_t")
    new: dict[str, list[Any]] = {k: [] for k in TREND_COLUMNS if k not in out.columns}
    for r in recs:
        y = int(r["year"])
        fossil, area, lu = g(r, "fossil_co2_t"), g(r, "area_ha"), g(r, "livestock_units")
        path = (
            float(round(fb * (1.0 - path_rate) ** (y - base_year)))
            if fb is not None and base_year is not None and y >= base_year
            else None
        )
        values = {
            "fossil_co2_path_t": path,
            "fossil_co2_vs_path_pct": (
                round(100.0 * (fossil - path) / path, 1) if fossil is not None and path else None
            ),
            "fossil_co2_index": _ratio(fossil, fb, 100.0),
            "ch4_index": _ratio(g(r, "ch4_t"), cb, 100.0),
            "n2o_index": _ratio(g(r, "n2o_t"), nb, 100.0),
            "total_kg_per_ha": _ratio(g(r, "total_t"), area, 1000.0, 0),
            "fossil_co2_kg_per_ha": _ratio(fossil, area, 1000.0),
            "n2o_kg_per_ha": _ratio(g(r, "n2o_t"), area, 1000.0, 2),
            "total_kg_per_lu": _ratio(g(r, "total_t"), lu, 1000.0, 0),
            "ch4_kg_per_lu": _ratio(g(r, "ch4_t"), lu, 1000.0),
        }
        for k in new:
            new[k].append(values.get(k))
    for k, v in new.items():
        out[k] = pd.Series(v, index=out.index, dtype=object)
    return out


def yearly_change_pct(series: pd.DataFrame, column: str, base: int, year: int) -> float | None:
    """Average yearly change of ``column`` from ``base`` to ``year`` [%] (published values)."""
    if year <= base or not len(series):
        return None
    by_year = dict(zip(series["year"], series[column], strict=True))
    b, v = by_year.get(base), by_year.get(year)
    if b is None or v is None or b != b or v != v or b <= 0 or v <= 0:
        return None
    return round(100.0 * ((float(v) / float(b)) ** (1.0 / (year - base)) - 1.0), 1)


@dataclass
class Panel:
    """The like-for-like series of one municipality between two years.

    Attributes
    ----------
    base_year, year : int or None
        The panel's first and last year (the aggregate's base and selected years).
    farms : int or None
        Farms in the panel (the same farms every year); None when fewer than
        the rule's minimum (then every figure is hidden).
    series : DataFrame
        :data:`TREND_COLUMNS` per year from ``base_year`` to ``year``, plus
        ``reasons`` (figure → why it is hidden).
    change_pct : float or None
        Average yearly change of the panel's fossil CO2 [%].
    """

    base_year: int | None
    year: int | None
    farms: int | None
    series: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TREND_COLUMNS))
    change_pct: float | None = None

    def row(self, year: int | None = None) -> dict[str, Any]:
        """The series' row of ``year`` (default: the panel's last year), None values if absent."""
        y = self.year if year is None else year
        for r in self.series.to_dict("records"):
            if r["year"] == y:
                return {k: (None if v is None or v != v else v) for k, v in r.items()}
        return {k: None for k in TREND_COLUMNS}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        rows = [self.row(int(y)) for y in self.series["year"]] if len(self.series) else []
        return {
            "base_year": self.base_year,
            "year": self.year,
            "farms": self.farms,
            "fossil_co2_change_pct_per_year": self.change_pct,
            "series": rows,
        }


def like_for_like(farms: pd.DataFrame, agg: Aggregate) -> Panel:
    """The balanced panel's protected series, from ``agg``'s base year to its selected year.

    Parameters
    ----------
    farms : DataFrame
        The frame :func:`farmcalc.municipality.summary.aggregate` was given (one row per
        farm-year, with :data:`FARM_KEY`; :data:`RESPONDENT` optional).
    agg : Aggregate
        The municipality's protected aggregates of the same frame: its
        published figures decide which panel figures may be shown beside them.
    """
    base, year, rule = agg.base_year, agg.year, agg.rule
    if base is None or year is None or FARM_KEY not in farms.columns:
        return Panel(base, year, None)
    years = [y for y in agg.years if base <= y <= year]
    member = balanced_panel(farms, years)
    n = int(farms.loc[member, FARM_KEY].nunique()) if member.any() else 0
    respondents = (
        int(farms.loc[member, RESPONDENT].nunique())
        if RESPONDENT in farms.columns and member.any()
        else n
    )
    kw = {"min_farms": rule.min_farms, "max_share_1": rule.max_share_1}
    kw["max_share_2"] = rule.max_share_2
    year_col = farms["year"].to_numpy()
    cells = _cells_of(farms)  # once for every farm-year; years and groups by masks
    columns, x = list(cells.columns), cells.to_numpy(dtype=float)
    codes = farms[RESPONDENT].to_numpy() if RESPONDENT in farms.columns else np.arange(len(farms))
    rows = []
    for y in years:  # one pass per year (a handful), never per farm
        in_year = year_col == y
        p, c = (
            protect(_respondent_sums(x[rows], codes[rows], columns), **kw)
            for rows in (in_year & member, in_year & ~member)
        )
        published = _published(agg, y)
        row: dict[str, Any] = {"year": y, "farms": n if respondents >= rule.min_farms else None}
        reasons: dict[str, str] = {}
        for k in (*PANEL_CELLS, *PANEL_COVERAGE):
            shown = bool(p.at[k, "shown"]) and respondents >= rule.min_farms
            reason = p.at[k, "reason"]
            if shown and published[k] and not bool(c.at[k, "shown"]):
                shown, reason = False, SECONDARY
            row[k] = p.at[k, "value"] if shown else None
            if not shown:
                reasons[k] = reason or SECONDARY
        row["reasons"] = reasons
        rows.append(row)
    series = add_indicators(pd.DataFrame(rows), base_year=base, path_rate=agg.path_rate)
    return Panel(
        base_year=base,
        year=year,
        farms=n if respondents >= rule.min_farms else None,
        series=series,
        change_pct=yearly_change_pct(series, "fossil_co2_t", base, year),
    )
