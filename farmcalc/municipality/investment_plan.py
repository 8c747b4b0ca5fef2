"""The municipality's climate investment plan: adoption scenarios over the farms' own data.

A *scenario* says, per measure and year, which share of the farms where the
measure applies takes it up (2026–2030, optionally 2045). The plan projects
the municipality's emissions per gas and its fossil CO2 against the
contract's −14 %/yr path, and what the scenario costs: the investment in
each year, the yearly cost, the public support it needs, and a municipal
abatement cost curve — every published figure under the dashboard's
disclosure rule.

How a farm's figures are made (:func:`farm_inventory`)
    Every measure of :data:`PLAN_ORDER` is applied to every farm as one
    package (:mod:`farmcalc.steering.packages`): each to the tables the one before it
    left. A measure's figures on a farm are its *marginal* saving in that
    order (per gas, in CO2e, and the fossil CO2) and the costs of the
    quantities it changes (:func:`farmcalc.steering.costs.step_costs`). A farm that
    takes up every measure thus saves exactly the package's calculated saving
    — never a sum of single savings. Where a scenario leaves out a measure
    that comes earlier in the order and acts on the same thing (a cover
    before biogas), the later one's saving is counted as if the earlier one
    were done: the projection then errs on the low side. These figures
    depend on the farm-year's result alone, so the web app stores them
    beside it and a plan over 50,000 farm-years only sums arrays.

How a scenario is projected (:func:`project`)
    The share is the expected share of the farms that adopt: in year ``y``
    a measure saves ``share(y) × Σ farms' savings`` and costs ``share(y) ×
    Σ farms' yearly costs``; the farms that adopt in ``y`` invest
    ``(share(y) − share(y − 1)) × Σ farms' investments``. The farms are held
    as they were in the data year: only the measures change them.

Disclosure
    A measure's figures are sums over the farms where it applies. Each
    measure is a group of cells (saving per gas, fossil CO2, investment,
    cost, support) that share their fate, put through
    :func:`farmcalc.municipality.summary.protect` with the dashboard's rule, per
    respondent. A hidden measure is left out of *every* published figure of
    the plan, totals included: with year-by-year totals and shares that
    differ between years, a reader could otherwise solve for a hidden
    measure's potential from the totals. The baseline emissions are the
    dashboard's own published (protected) cells.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    DEFAULT_GWP,
    FactorSet,
    GWPSet,
    load_factor_set,
    load_gwp,
)
from farmcalc.i18n import gettext_
from farmcalc.inputs.tables import FarmTables
from farmcalc.inputs.text import bad_character, char_name
from farmcalc.municipality.summary import (
    APART,
    MEASURE_ACTS_ON,
    PATH_RATE,
    Aggregate,
    Rule,
    by_respondent,
    measure_cells_of,
    protect,
)
from farmcalc.rows import GAS_DTYPE, code
from farmcalc.steering import economics
from farmcalc.steering.action_plan import LAST_YEAR, TARGET_YEAR
from farmcalc.steering.costs import Costs, load_costs, make_step, step_cost_arrays
from farmcalc.steering.measures import (
    ALL_MEASURES,
    _stack,
    _take,
    load_parameters,
    savings_arrays,
    savings_matrix,
)
from farmcalc.steering.packages import apply_package

if TYPE_CHECKING:
    from farmcalc.api import BatchResult

SCENARIO_FORMAT = "farmcalc.scenario/1"
"""The ``format`` of a scenario document (``examples/klimatinvesteringsplan.json``)."""
PLAN_FORMAT = "farmcalc.municipality.investment_plan/1"
"""The ``schema`` of a projected plan (:func:`project`)."""
FIRST_YEAR = 2026
"""The first year a scenario gives shares for."""
PLAN_YEARS: tuple[int, ...] = tuple(range(FIRST_YEAR, TARGET_YEAR + 1))
"""The years a scenario gives shares for (2026–2030) ..."""
ALL_YEARS: tuple[int, ...] = (*PLAN_YEARS, LAST_YEAR)
"""... and, optionally, :data:`LAST_YEAR` (2045)."""
PLAN_ORDER: tuple[str, ...] = ALL_MEASURES
"""The order the measures are applied in on every farm (the catalogue's order)."""

SAVING_FIELDS = ("co2e", "fossil_co2", "co2", "ch4", "n2o", "co2e_rows")
"""Savings per farm and measure [kg CO2e yr-1]: total (as the dashboard's total),
fossil CO2, the three gases in CO2e, and the rows reported as CO2e only
(purchased electricity and heat, fertiliser manufacture); the last four add
up to the total."""
SAVING_CELLS = {  # the dashboard's cell of each saving field
    "co2e": "total",
    "fossil_co2": "fossil_co2",
    "co2": "gas:CO2",
    "ch4": "gas:CH4",
    "n2o": "gas:N2O",
    "co2e_rows": "gas:CO2e",
}
COST_FIELDS = (
    "investment_sek",
    "investment_support_sek",
    "annual_cost_sek",
    "annual_cost_before_support_sek",
    "annual_support_sek",
)
"""Costs per farm and measure [SEK] or [SEK yr-1] (:func:`farmcalc.steering.costs.step_costs`)."""
FIELDS: tuple[str, ...] = ("applies", *SAVING_FIELDS, *COST_FIELDS)
"""The figures of one farm and measure in an inventory, in order (``applies`` is 0 or 1)."""
INVENTORY_DTYPE = np.dtype("<f8")


# ------------------------------------------------------------------ inventory


def farm_inventory(
    tables: FarmTables,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
    costs: Costs | None = None,
) -> np.ndarray:
    """Every measure's marginal saving and costs on every farm, in :data:`PLAN_ORDER`.

    Parameters
    ----------
    tables : FarmTables
        Valid tables of the farms (one farm-year each).
    factors, gwp : str or FactorSet / GWPSet
        Factor set and GWP100 set of the farms' results.
    parameters : mapping, optional
        The measures' parameters (default ``farmcalc/data/measures.csv``).
    costs : Costs, optional
        The cost catalogue (default :func:`farmcalc.steering.costs.load_costs`).

    Returns
    -------
    ndarray
        Shape ``(farms, measures, fields)``: per farm, per measure of
        :data:`PLAN_ORDER`, the :data:`FIELDS` — ``applies`` (1 when the
        measure changes the farm), the savings [kg CO2e yr-1] after every
        measure before it, and its costs [SEK], [SEK yr-1].
    """
    from farmcalc.api import calculate_batch  # the api imports the engine; keep this light

    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    g = gwp if isinstance(gwp, GWPSet) else load_gwp(gwp)
    params = parameters if parameters is not None else load_parameters()
    costs = costs or load_costs()
    n, k = tables.n_farms, len(PLAN_ORDER)
    out = np.zeros((n, k, len(FIELDS)), dtype=INVENTORY_DTYPE)
    if not n:
        return out
    chain = apply_package(tables, PLAN_ORDER, factors=fs, parameters=params)
    # a step changes only the farms it applies to: the others keep the value of the
    # step before, so only the changed farms of each step are calculated (one batch)
    changed = [np.flatnonzero(a) for a in chain.applies]
    parts = [tables] + [
        _take(chain.tables[i + 1], idx) for i, idx in enumerate(changed) if len(idx)
    ]
    calc = farm_values(calculate_batch(_stack(parts), factors=fs, gwp=g))
    values = np.empty((k + 1, n, len(SAVING_FIELDS)))
    values[0] = calc[:n]
    at = n
    for i, idx in enumerate(changed):  # thirteen steps
        values[i + 1] = values[i]
        values[i + 1, idx] = calc[at : at + len(idx)]
        at += len(idx)
    saved = values[:-1] - values[1:]  # (measures, farms, fields)
    # a source the step did not touch is recalculated bit for bit the same, but a
    # sum over sources may differ in its last digits: that is no saving
    saved[np.abs(saved) <= 1e-9 * np.abs(values[:-1]) + 1e-9] = 0.0
    out[:, :, 0] = np.stack(chain.applies, axis=1)
    out[:, :, 1 : 1 + len(SAVING_FIELDS)] = saved.transpose(1, 0, 2)
    first_cost = 1 + len(SAVING_FIELDS)
    for i, m in enumerate(PLAN_ORDER):  # thirteen steps, each over all farms at once
        step = make_step(
            chain.tables[i], chain.tables[i + 1], chain.applies[i], m, fs, costs, params
        )
        c = step_cost_arrays(step, m, costs, costs.discount_rate)
        for j, f in enumerate(COST_FIELDS, start=first_cost):
            out[:, i, j] = c[f]
    return out


def farm_values(batch: BatchResult) -> np.ndarray:
    """Per farm of a calculated batch the :data:`SAVING_FIELDS` as emitted [kg CO2e yr-1].

    The same numbers as the dashboard's cells ``total``, ``fossil_co2`` and
    ``gas:*`` of the farm (:func:`farmcalc.municipality.summary.contributions`; tested),
    summed straight from the emission rows' codes (no DataFrame).
    """
    rows = batch.inventory.rows
    n = batch.tables.n_farms
    fidx = rows.farm
    co2e = batch.co2e
    source, gas = rows.source, rows.gas
    emitted = ~np.isin(source, [code(s, "source") for s in APART])
    oil_heating = (source == code("heating", "source")) & (
        rows.category == code("heating_oil", "category")
    )
    fossil = (gas == code("CO2", "gas")) & ((source == code("fuel", "source")) | oil_heating)
    out = np.empty((n, len(SAVING_FIELDS)))
    # each sum adds its rows in row order, as a sum over all rows with the others as 0 would
    e = np.flatnonzero(emitted)
    out[:, 0] = np.bincount(fidx[e], weights=co2e[e], minlength=n)[:n]
    f = np.flatnonzero(fossil)
    out[:, 1] = np.bincount(fidx[f], weights=co2e[f], minlength=n)[:n]
    # the four gas columns in one sum: bin = farm x 4 + the gas's column
    column = np.full(len(GAS_DTYPE.categories), -1, dtype=np.int64)
    for j, g in enumerate(_GAS_FIELDS):
        column[code(g, "gas")] = j
    col = column[gas[e]]
    kept = e[col >= 0]
    by_gas = np.bincount(
        fidx[kept] * len(_GAS_FIELDS) + col[col >= 0],
        weights=co2e[kept],
        minlength=n * len(_GAS_FIELDS),
    )
    out[:, 2:] = by_gas[: n * len(_GAS_FIELDS)].reshape(n, len(_GAS_FIELDS))
    return out


def savings_alone(
    tables: FarmTables,
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    before: Mapping[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Each measure alone, on every farm: one engine run over the measures' tables.

    What is kept of every calculated farm-year besides its result: the saving of each
    of :data:`~farmcalc.steering.measures.ALL_MEASURES` taken alone (the
    municipality's totals), beside :func:`farm_inventory` (the plan's measures one after
    another: the climate investment plan). Numpy arrays in, numpy arrays out: a worker
    process can do it from pickled tables.

    Parameters
    ----------
    tables : FarmTables
        Valid tables of the farms (one farm-year each).
    factors, gwp : str or FactorSet / GWPSet
        Factor set and GWP100 set of the farms' results.
    before : mapping of ndarray, optional
        The farms as they are, already calculated (``BatchResult.totals_columns``;
        ``co2e_kg`` and ``soil_carbon_co2e_kg`` are read); calculated here if absent.

    Returns
    -------
    ndarray
        Shape (farms, measures): the saving of each measure alone [kg CO2e yr-1]
        (:func:`~farmcalc.steering.measures.savings_matrix`).
    """
    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    g = gwp if isinstance(gwp, GWPSet) else load_gwp(gwp)
    saved = savings_arrays(tables, factors=fs, gwp=g, measures=ALL_MEASURES, base=before)
    return savings_matrix(saved, tables.n_farms)


_GAS_FIELDS = ("CO2", "CH4", "N2O", "CO2e")
"""The gases of :data:`SAVING_FIELDS` ``co2`` … ``co2e_rows``, in order."""


# ------------------------------------------------------------------ scenarios


class ScenarioError(ValueError):
    """A scenario document with problems; ``problems`` maps a field path to a message."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


@dataclass
class Scenario:
    """An adoption scenario: per measure, the share of its farms that take it up, per year.

    ``shares[measure][year]`` is a fraction 0–1 for the years of
    :data:`ALL_YEARS` the scenario gives; a year not given keeps the share
    of the year before (0 before the first). ``data_year`` is the year of
    the farms' figures (default: the latest with data); ``base_year`` the
    base of the −14 %/yr path (default: ``data_year``).
    """

    name: str
    shares: dict[str, dict[int, float]] = field(default_factory=dict)
    data_year: int | None = None
    base_year: int | None = None
    description: str = ""

    def share(self, measure: str, year: int) -> float:
        """The share of ``measure`` in ``year`` (the last year given up to it; 0 before)."""
        given = self.shares.get(measure, {})
        past = [y for y in given if y <= year]
        return float(given[max(past)]) if past else 0.0

    @property
    def long_term(self) -> bool:
        """Whether the scenario reaches :data:`LAST_YEAR` (2045)."""
        return any(LAST_YEAR in s for s in self.shares.values())

    def measures(self) -> list[str]:
        """The measures the scenario takes up in some year, in :data:`PLAN_ORDER`."""
        return [m for m in PLAN_ORDER if any(v > 0 for v in self.shares.get(m, {}).values())]

    def to_doc(self) -> dict[str, Any]:
        """The scenario as a JSON document (shares in per cent)."""
        doc: dict[str, Any] = {"format": SCENARIO_FORMAT, "name": self.name}
        if self.description:
            doc["description"] = self.description
        if self.data_year is not None:
            doc["data_year"] = self.data_year
        if self.base_year is not None:
            doc["base_year"] = self.base_year
        doc["shares_pct"] = {
            m: {str(y): _pct_out(v) for y, v in sorted(self.shares[m].items())}
            for m in PLAN_ORDER
            if m in self.shares
        }
        return doc


def _pct_out(share: float) -> float | int:
    pct = round(share * 100.0, 6)
    return int(pct) if float(pct).is_integer() else pct


MAX_NAME = 120


def _number(value: Any) -> float | None:
    """A finite number from JSON (int/float) or from a form's text (decimal comma allowed)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-").replace("\u00a0", "").replace(" ", "")
        text = text.removesuffix("%").replace(",", ".")
        try:
            x = float(text)
        except ValueError:
            return None
        return x if math.isfinite(x) else None
    return None


def _year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit():  # "²" is a digit to isdigit(), not to int()
        return int(text[:9])
    return None


def parse_scenario(doc: Mapping[str, Any], locale: str = "sv") -> Scenario:
    """Read and check a scenario document; raise :class:`ScenarioError` with every problem.

    The document (``examples/klimatinvesteringsplan.json``)::

        {"format": "farmcalc.scenario/1", "name": "…", "data_year": 2025,
         "base_year": 2025, "shares_pct": {"hvo100": {"2026": 20, "2030": 80}}}

    Shares are per cent of the farms where the measure applies, 0–100 (a
    form's text with a decimal comma is read too), for the years of
    :data:`ALL_YEARS`; a share may not fall from one year to a later one.
    Problems are keyed by field path (``name``, ``shares_pct.hvo100.2027``)
    and say in ``locale`` what is wrong and why.
    """

    def _(msgid: str, **kw: Any) -> str:  # the msgid in ``locale`` (extracted as ``_``)
        return gettext_(msgid, locale) % kw

    problems: dict[str, str] = {}
    if not isinstance(doc, Mapping):
        raise ScenarioError({"": _("A scenario is a JSON object.")})
    fmt = doc.get("format", SCENARIO_FORMAT)
    if fmt != SCENARIO_FORMAT:
        problems["format"] = _(
            "Unknown format %(format)s: this version reads %(known)s.",
            format=str(fmt)[:40],
            known=SCENARIO_FORMAT,
        )
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        problems["name"] = _("Give the scenario a name.")
        name = ""
    elif len(name.strip()) > MAX_NAME:
        problems["name"] = _("The name is too long: at most %(n)d characters.", n=MAX_NAME)
    description = doc.get("description") or ""
    if not isinstance(description, str):
        problems["description"] = _("The description must be text.")
        description = ""
    for key, text, multiline in (("name", name, False), ("description", description, True)):
        found = bad_character(text, multiline=multiline) if key not in problems else None
        if found:  # NUL, control characters, lone surrogates (farmcalc/inputs/text.py)
            problems[key] = _(
                "Contains a character that is not allowed: %(char)s (character %(pos)d). "
                "Remove it and try again.",
                char=char_name(found[1]),
                pos=found[0],
            )
    years: dict[str, int | None] = {}
    for key in ("data_year", "base_year"):
        raw = doc.get(key)
        if raw is None or raw == "":
            years[key] = None
            continue
        y = _year(raw)
        if y is None or not 1990 <= y <= TARGET_YEAR:
            problems[key] = _(
                "Write a year between 1990 and %(last)d, such as 2025.", last=TARGET_YEAR
            )
        years[key] = y
    dy, by = years.get("data_year"), years.get("base_year")
    if dy is not None and by is not None and by > dy and "base_year" not in problems:
        problems["base_year"] = _(
            "The base year cannot come after the year of the farms' figures (%(year)d).", year=dy
        )
    raw_shares = doc.get("shares_pct", {})
    shares: dict[str, dict[int, float]] = {}
    if not isinstance(raw_shares, Mapping):
        problems["shares_pct"] = _("The shares are an object: measure → year → per cent.")
        raw_shares = {}
    for measure, per_year in raw_shares.items():
        where = f"shares_pct.{measure}"
        if measure not in PLAN_ORDER:
            problems[where] = _(
                "Unknown measure %(measure)s. Known measures: %(known)s.",
                measure=str(measure)[:40],
                known=", ".join(PLAN_ORDER),
            )
            continue
        if not isinstance(per_year, Mapping):
            problems[where] = _('Give the shares of a measure per year, such as {"2030": 50}.')
            continue
        got: dict[int, float] = {}
        for key, value in per_year.items():
            at = f"{where}.{key}"
            y = _year(key)
            if y is None or y not in ALL_YEARS:
                problems[at] = _(
                    "Shares are given for %(first)d–%(target)d and %(last)d only.",
                    first=FIRST_YEAR,
                    target=TARGET_YEAR,
                    last=LAST_YEAR,
                )
                continue
            if value is None or value == "":
                continue  # an empty field: the year keeps the share of the year before
            x = _number(value)
            if x is None:
                problems[at] = _("Write the share as a number of per cent, such as 25.")
            elif x < 0:
                problems[at] = _("A share cannot be negative.")
            elif x > 100:
                problems[at] = _(
                    "A share cannot be over 100 %%: it is the share of the farms where the "
                    "measure applies."
                )
            else:
                got[y] = x / 100.0
        last, last_year = 0.0, None
        for y in sorted(got):
            if got[y] + 1e-12 < last:
                problems[f"{where}.{y}"] = _(
                    "The share cannot fall from %(before)s %% in %(year)d: farms that have "
                    "taken up a measure keep it.",
                    before=_pct_out(last),
                    year=last_year,
                )
            last, last_year = max(last, got[y]), y
        if got:
            shares[str(measure)] = got
    if problems:
        raise ScenarioError(problems)
    return Scenario(
        name=str(name).strip(),
        shares=shares,
        data_year=dy,
        base_year=by,
        description=description.strip(),
    )


# ------------------------------------------------------------------ projection


@dataclass(frozen=True)
class PlanInput:
    """The farms of one data year: their inventories and who they belong to.

    ``inventory`` has shape ``(farms, measures, fields)`` (:func:`farm_inventory`);
    ``respondent`` one opaque key per farm (the disclosure rule counts
    respondents: an owner's farms are one).
    """

    year: int
    inventory: np.ndarray
    respondent: np.ndarray


def measure_cells(inventory: np.ndarray) -> pd.DataFrame:
    """Each farm's part of every measure's published cells [t CO2e], [kSEK].

    Columns ``<measure>:<figure>`` for the savings and costs (:data:`FIELDS`
    without ``applies``), in tonnes and thousands of SEK; a farm where the
    measure does not apply contributes 0 to every cell of it.
    """
    n, k, f = inventory.shape
    applies = inventory[:, :, :1] > 0
    # one (farms, measures × figures) block in the columns' order: no per-column copies
    cells = np.where(applies, inventory[:, :, 1:], 0.0) / 1000.0
    names = [f"{m}:{x}" for m in PLAN_ORDER for x in FIELDS[1:]]
    return pd.DataFrame(cells.reshape(n, k * (f - 1)), columns=names, copy=False)


def protected_measures(
    data: PlanInput, rule: Rule, hidden_cells: Sequence[str] = ()
) -> pd.DataFrame:
    """Which measures' figures may be published, per the disclosure rule.

    Every figure of a measure is a cell; a measure's cells are linked (one
    hidden, all hidden). A measure whose items are hidden on the dashboard
    (``hidden_cells``, :data:`farmcalc.municipality.summary.MEASURE_ACTS_ON`) is hidden
    too. Returns one row per measure of :data:`PLAN_ORDER`: ``shown``,
    ``reason`` and ``farms`` (farms where it applies; None when hidden).
    """
    x = measure_cells(data.inventory)
    frame = pd.DataFrame({"respondent": data.respondent})
    kw = asdict(rule)
    kw.pop("protection", None)  # no relations: nothing for the LP audit to bound
    p = protect(
        by_respondent(frame, x),
        links=[[f"{m}:{f}" for f in FIELDS[1:]] for m in PLAN_ORDER],
        **kw,
    )
    hidden = set(hidden_cells)
    rows = []
    for i, m in enumerate(PLAN_ORDER):
        cells = p.loc[[f"{m}:{f}" for f in FIELDS[1:]]]
        shown = bool(cells["shown"].all())
        reasons = [r for r in cells["reason"] if r]
        reason = reasons[0] if reasons else None
        if shown and m in MEASURE_ACTS_ON and hidden.intersection(measure_cells_of(m)):
            shown, reason = False, "secondary"
        farms = int((data.inventory[:, i, 0] > 0).sum())
        rows.append(
            {
                "measure": m,
                "shown": shown,
                "reason": None if shown else reason,
                "farms": farms if shown else None,
            }
        )
    return pd.DataFrame(rows)


def _round(x: float, decimals: int = 0) -> float:
    return float(round(x, decimals)) + 0.0  # no "-0"


def project(
    data: PlanInput,
    scenario: Scenario,
    *,
    baseline: Aggregate,
    rule: Rule | None = None,
    path_rate: float = PATH_RATE,
) -> dict[str, Any]:
    """The scenario over the farms of ``data``: emissions per year, money, the gap and the MACC.

    Parameters
    ----------
    data : PlanInput
        The farms' inventories for the data year.
    scenario : Scenario
        The adoption shares.
    baseline : Aggregate
        The dashboard's protected aggregates (:func:`farmcalc.municipality.summary.aggregate`)
        of the same farms: the data year's published emissions and the base
        year's fossil CO2 are the starting points.
    rule : Rule, optional
        The disclosure rule (default the dashboard's).
    path_rate : float
        The path's yearly fall [yr-1] (the contract's 14 %).

    Returns
    -------
    dict
        JSON-ready (:data:`PLAN_FORMAT`). ``measures``: per measure its
        farms, potential at full adoption and savings and money at the
        scenario's shares (None where hidden); ``years``: per year the
        projected emissions per gas, fossil CO2, the path and the gap, the
        investment, yearly cost and public support; ``gap_2030`` with the
        measures that could close it, cheapest first; ``curve``: the MACC
        bars; ``hidden_measures`` the measures left out and why. Tonnes are
        whole tonnes, money whole thousands of SEK.
    """
    rule = rule or baseline.rule
    year = data.year
    base_year = scenario.base_year if scenario.base_year is not None else year
    hidden_cells = [
        r["cell"]
        for r in baseline.cells.to_dict("records")
        if int(r["year"]) == year and not r["shown"]
    ]
    prot = protected_measures(data, rule, hidden_cells)
    shown = prot["shown"].to_numpy(dtype=bool)
    inv = data.inventory
    applies = inv[:, :, 0] > 0
    sums = np.einsum("fm,fmk->mk", applies.astype(float), inv[:, :, 1:]) / 1000.0  # t, kSEK
    idx = {f: j for j, f in enumerate(FIELDS[1:])}
    years = [y for y in PLAN_YEARS if y > year] or []
    if scenario.long_term:
        years.append(LAST_YEAR)
    share = np.array([[scenario.share(m, y) for y in years] for m in PLAN_ORDER]).reshape(
        len(PLAN_ORDER), len(years)
    )
    share = np.where(shown[:, None], share, 0.0)  # a hidden measure counts nowhere
    prev = np.concatenate([np.zeros((len(PLAN_ORDER), 1)), share[:, :-1]], axis=1)
    adopt = np.clip(share - prev, 0.0, None)

    # per year and figure, once: at the year's shares, and for the farms adopting that year
    at_share = (share[:, :, None] * sums[:, None, :]).sum(axis=0)  # (years, figures)
    adopting = (adopt[:, :, None] * sums[:, None, :]).sum(axis=0)

    value = baseline.value
    base = {
        "co2e": value("total", year),
        "fossil_co2": value("fossil_co2", year),
        "co2": value("gas:CO2", year),
        "ch4": value("gas:CH4", year),
        "n2o": value("gas:N2O", year),
        "co2e_rows": value("gas:CO2e", year),
    }
    fossil_base = value("fossil_co2", base_year)
    path = {
        y: (
            fossil_base * (1.0 - path_rate) ** (y - base_year) if fossil_base is not None else None
        )
        for y in [year, *years]
    }
    year_rows = []
    for k, y in enumerate(years):
        row: dict[str, Any] = {"year": y}
        for f in SAVING_FIELDS:
            saved = float(at_share[k, idx[f]])
            row[f"{f}_t_saved"] = _round(saved)
            row[f"{f}_t"] = _round(base[f] - saved) if base[f] is not None else None
        row["fossil_co2_path_t"] = _round(path[y]) if path[y] is not None else None
        row["fossil_co2_gap_t"] = (
            _round(row["fossil_co2_t"] - path[y])
            if row["fossil_co2_t"] is not None and path[y] is not None
            else None
        )
        row["investment_ksek"] = _round(float(adopting[k, idx["investment_sek"]]))
        row["investment_support_ksek"] = _round(float(adopting[k, idx["investment_support_sek"]]))
        row["annual_cost_ksek"] = _round(float(at_share[k, idx["annual_cost_sek"]]))
        row["annual_cost_before_support_ksek"] = _round(
            float(at_share[k, idx["annual_cost_before_support_sek"]])
        )
        row["annual_support_ksek"] = _round(float(at_share[k, idx["annual_support_sek"]]))
        row["public_support_ksek"] = _round(
            row["investment_support_ksek"] + row["annual_support_ksek"]
        )
        year_rows.append(row)

    measure_rows = []
    for i, m in enumerate(PLAN_ORDER):
        p = prot.iloc[i]
        r: dict[str, Any] = {
            "measure": m,
            "shown": bool(p["shown"]),
            "reason": p["reason"] if not p["shown"] else None,  # not NaN beside a reason
            "farms": None if p["farms"] is None or pd.isna(p["farms"]) else int(p["farms"]),
            "shares_pct": {str(y): _pct_out(scenario.share(m, y)) for y in years},
        }
        if r["shown"]:
            s = sums[i]
            co2e, cost_b, cost_a = (
                s[idx["co2e"]],
                s[idx["annual_cost_before_support_sek"]],
                s[idx["annual_cost_sek"]],
            )
            r.update(
                {
                    "potential_t": _round(co2e),
                    "potential_fossil_co2_t": _round(s[idx["fossil_co2"]]),
                    "potential_investment_ksek": _round(s[idx["investment_sek"]]),
                    "potential_annual_cost_ksek": _round(cost_a),
                    "potential_annual_cost_before_support_ksek": _round(cost_b),
                    "sek_per_t_co2e": _finite(economics.sek_per_tonne(cost_b * 1000, co2e * 1000)),
                    "sek_per_t_co2e_after_support": _finite(
                        economics.sek_per_tonne(cost_a * 1000, co2e * 1000)
                    ),
                    "saved_t": {str(y): _round(share[i, k] * co2e) for k, y in enumerate(years)},
                    "investment_ksek": _round(float((adopt[i] * s[idx["investment_sek"]]).sum())),
                }
            )
        measure_rows.append(r)

    target = next((row for row in year_rows if row["year"] == TARGET_YEAR), None)
    gap = _gap(target, measure_rows, share, years, sums, idx, shown)
    curve = sorted(
        (
            {
                "measure": r["measure"],
                "t_co2e": r["saved_t"].get(str(TARGET_YEAR), 0.0),
                "potential_t": r["potential_t"],
                "sek_per_t_co2e": r["sek_per_t_co2e"],
            }
            for r in measure_rows
            if r["shown"] and r["potential_t"] > 0 and r["sek_per_t_co2e"] is not None
        ),
        key=lambda b: b["sek_per_t_co2e"],
    )
    totals = {
        "investment_ksek": _round(sum(r["investment_ksek"] for r in year_rows)),
        "public_support_ksek": _round(sum(r["public_support_ksek"] for r in year_rows)),
        "investment_support_ksek": _round(sum(r["investment_support_ksek"] for r in year_rows)),
    }
    return {
        "schema": PLAN_FORMAT,
        "scenario": scenario.to_doc(),
        "data_year": year,
        "base_year": base_year,
        "path_rate": path_rate,
        "order": list(PLAN_ORDER),
        "units": {"emissions": "t CO2e", "fossil_co2": "t CO2", "money": "kSEK"},
        "baseline": {
            **{f"{f}_t": base[f] for f in SAVING_FIELDS},
            "fossil_co2_base_year_t": fossil_base,
        },
        "years": year_rows,
        "totals": totals,
        "measures": measure_rows,
        "gap_2030": gap,
        "curve": curve,
        "hidden_measures": [
            {"measure": r["measure"], "reason": r["reason"]}
            for r in measure_rows
            if not r["shown"]
        ],
        "rule": asdict(rule),
    }


def _finite(x: Any) -> float | None:
    x = float(x)
    return _round(x) if math.isfinite(x) else None


def _gap(
    target: Mapping[str, Any] | None,
    measure_rows: list[dict[str, Any]],
    share: np.ndarray,
    years: list[int],
    sums: np.ndarray,
    idx: Mapping[str, int],
    shown: np.ndarray,
) -> dict[str, Any] | None:
    """The 2030 gap to the path and the measures that would close it, cheapest per tonne first."""
    if target is None or target["fossil_co2_gap_t"] is None:
        return None
    k = years.index(TARGET_YEAR)
    gap = target["fossil_co2_gap_t"]
    options = []
    for i, r in enumerate(measure_rows):
        if not shown[i]:
            continue
        more = (1.0 - share[i, k]) * sums[i, idx["fossil_co2"]]
        if more <= 0.5:
            continue
        options.append(
            {
                "measure": r["measure"],
                "more_fossil_co2_t": _round(more),
                "sek_per_t_co2e": r["sek_per_t_co2e"],
            }
        )
    options.sort(key=lambda o: (o["sek_per_t_co2e"] is None, o["sek_per_t_co2e"] or 0.0))
    left = gap
    for o in options:  # a dozen measures
        o["closes_gap"] = left > 0 and o["more_fossil_co2_t"] >= left
        o["gap_left_t"] = _round(max(left - o["more_fossil_co2_t"], 0.0)) if left > 0 else 0.0
        left = max(left - o["more_fossil_co2_t"], 0.0)
    return {
        "year": TARGET_YEAR,
        "gap_t": gap,
        "on_path": gap <= 0,
        "closing_measures": options if gap > 0 else [],
        "closable": gap <= 0 or left <= 0,
    }
