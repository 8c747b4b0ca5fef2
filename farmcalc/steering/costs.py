"""What measures cost: the cost catalogue as data, and each farm's cost from its own tables.

The catalogue ``farmcalc/data/measure_costs.csv`` is long: one row per
measure, item and unit quantity (``per``), with ``value, unit, low, high,
price_year, perspective, source_id, source_locator, rationale``. Sources are
``farmcalc/data/measure_cost_sources.csv``; a value without a citable source
has ``source_id = farmcalc_cost_assumption`` and a rationale starting
"Assumption". :func:`check_cost_file` validates the file.

Items: ``investment_sek`` (one-off), ``annual_cost_sek``, ``annual_saving_sek``,
``annual_support_sek`` (yearly), ``support_share`` (of the investment, paid by
public support), ``lifetime_years``; conversions a quantity needs
(``slurry_m3_per_lu`` …); and once, for ``all``, the ``discount_rate``.

Costs scale with the farm: ``per`` names a *quantity* that
:data:`QUANTITIES` works out from the farm's tables before and after the
measure (litres of diesel replaced, m3 of slurry store covered, hectares
rewetted, cow-days fed 3-NOP …), vectorised over all farms. A farm's
investment is ``Σ value × quantity`` over the measure's investment rows, and
so on; :mod:`farmcalc.steering.economics` turns these into the annualised net cost,
SEK per tonne CO2e and payback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from farmcalc.arrays import vocabularies
from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP, FactorSet, GWPSet, load_factor_set
from farmcalc.i18n import _, gettext_
from farmcalc.inputs.tables import FarmTables
from farmcalc.steering import economics

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COSTS_FILE = DATA_DIR / "measure_costs.csv"
COST_SOURCES_FILE = DATA_DIR / "measure_cost_sources.csv"
ASSUMPTION = "farmcalc_cost_assumption"
"""``source_id`` of a value without a citable source."""
ALL = "all"
"""``measure_id`` of the rows that hold for every measure (the discount rate)."""
COST_FILE_COLUMNS = (
    "measure_id",
    "item",
    "per",
    "value",
    "unit",
    "low",
    "high",
    "price_year",
    "perspective",
    "source_id",
    "source_locator",
    "rationale",
    "distribution",
    "correlation_group",
)
DISTRIBUTIONS = ("pert", "none")
"""How a row is drawn (:func:`cost_draws`): ``pert`` between ``low`` and ``high`` with the
row's value as its mode, or ``none`` (not drawn: the value is used in every draw)."""
COST_STREAM = 0x636F737473
"""The spawn key of the cost draws' stream (the bytes of "costs"): derived from the run's
seed, independent of the factor draws that ``numpy.random.default_rng(seed)`` makes."""
PERSPECTIVES = ("farm", "public", "society")
MONEY_ITEMS = ("investment_sek", "annual_cost_sek", "annual_saving_sek", "annual_support_sek")
"""Items in SEK per unit of a quantity (``per`` must name one)."""
SHARE_ITEMS = ("support_share",)
CONVERSIONS = ("slurry_m3_per_lu", "store_share_of_year", "biogas_kwh_per_m3")
ITEMS = (*MONEY_ITEMS, *SHARE_ITEMS, "lifetime_years", "discount_rate", *CONVERSIONS)
DAYS_PER_YEAR = 365.0
"""Unit conversion [d yr-1]."""
LEY_CROPS = ("grass_clover_ley", "grass_ley")
"""Crops that count as ley in the rotation."""


# ------------------------------------------------------------------ quantities


@dataclass(frozen=True)
class Step:
    """A measure applied: the farms before and after, where it applies, and the factors."""

    before: FarmTables
    after: FarmTables
    applies: np.ndarray
    fs: FactorSet
    conv: Mapping[str, float]  # the measure's conversions from the catalogue
    params: Mapping[str, float]  # the measure's parameters (farmcalc/data/measures.csv)


def _farm_col(t: FarmTables, col: str) -> np.ndarray:
    values = t.arrays.farms.get(col)
    return np.zeros(t.n_farms) if values is None else values


def _by_farm(t: FarmTables, farm_idx: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.bincount(farm_idx, weights=values, minlength=t.n_farms)[: t.n_farms]


def _gain(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return np.clip(after - before, 0.0, None)


Columns = Mapping[str, np.ndarray]
"""One table of :class:`farmcalc.arrays.FarmArrays`: column name -> array."""


def _crop_sum(t: FarmTables, fn: Callable[[Columns], np.ndarray]) -> np.ndarray:
    crops = t.arrays.crops
    if len(crops["farm_idx"]) == 0:
        return np.zeros(t.n_farms)
    return _by_farm(t, crops["farm_idx"], fn(crops))


def _crop_col(crops: Columns, col: str) -> np.ndarray:
    values = crops.get(col)
    if values is None:
        return np.zeros(len(crops["farm_idx"]))
    return np.nan_to_num(values)


def _code(table: str, column: str, name: str) -> int:
    return vocabularies()[table][column].index(name)


def _housed_lu_in(t: FarmTables, fs: FactorSet, system: str) -> np.ndarray:
    """Housed livestock units whose manure goes to ``system``, per farm [LU]."""
    lv, ms = t.arrays.livestock, t.arrays.manure_systems
    n_lv = len(lv["farm_idx"])
    if n_lv == 0 or len(ms["farm_idx"]) == 0:
        return np.zeros(t.n_farms)
    names = vocabularies()["livestock"]["category"]
    housed = (
        lv["head"]
        * fs.take("livestock.livestock_units", names, lv["category"])
        * (1.0 - np.nan_to_num(lv["pasture_fraction"]))
    )
    hit = ms["system"] == _code("manure_systems", "system", system)
    share = np.bincount(ms["lv_idx"][hit], weights=ms["share"][hit], minlength=n_lv)
    return _by_farm(t, lv["farm_idx"], housed * share[:n_lv])


def _slurry_m3(s: Step, system: str) -> np.ndarray:
    lu = _gain(_housed_lu_in(s.before, s.fs, system), _housed_lu_in(s.after, s.fs, system))
    return lu * s.conv["slurry_m3_per_lu"]


def _cow_days_3nop(t: FarmTables) -> np.ndarray:
    lv = t.arrays.livestock
    if len(lv["farm_idx"]) == 0 or "feed_3nop_fraction" not in lv:
        return np.zeros(t.n_farms)
    days = (
        lv["head"]
        * (1.0 - np.nan_to_num(lv["pasture_fraction"]))
        * np.nan_to_num(lv["feed_3nop_fraction"])
        * DAYS_PER_YEAR
    )
    return _by_farm(t, lv["farm_idx"], days)


def _ley_codes() -> np.ndarray:
    return np.array([_code("crops", "crop", c) for c in LEY_CROPS], dtype=np.int16)


def _ley_ha(t: FarmTables) -> np.ndarray:
    return _crop_sum(t, lambda c: np.where(np.isin(c["crop"], _ley_codes()), c["area_ha"], 0.0))


def _n_kg(c: Columns) -> np.ndarray:
    return c["area_ha"] * _crop_col(c, "mineral_n_kg_per_ha")


def _catch_crop_ha(c: Columns) -> np.ndarray:
    return c["area_ha"] * _crop_col(c, "catch_crop_fraction")


def _kwh_replaced(s: Step) -> np.ndarray:
    return _gain(_farm_col(s.after, "electricity_kwh"), _farm_col(s.before, "electricity_kwh"))


QUANTITIES: dict[str, Callable[[Step], np.ndarray]] = {
    "farm": lambda s: s.applies.astype(float),
    "l_diesel": lambda s: _gain(_farm_col(s.after, "diesel_l"), _farm_col(s.before, "diesel_l")),
    "l_heating_oil": lambda s: _gain(
        _farm_col(s.after, "heating_oil_l"), _farm_col(s.before, "heating_oil_l")
    ),
    "kwh_electricity_added": lambda s: _gain(
        _farm_col(s.before, "electricity_kwh"), _farm_col(s.after, "electricity_kwh")
    ),
    "kwh_electricity_replaced": _kwh_replaced,
    "kwp": lambda s: s.applies * s.params["kwp_installed"],
    "m3_store": lambda s: _slurry_m3(s, "liquid_slurry_cover") * s.conv["store_share_of_year"],
    "m3_slurry_digested": lambda s: _slurry_m3(s, "anaerobic_digester"),
    "kwh_biogas": lambda s: _slurry_m3(s, "anaerobic_digester") * s.conv["biogas_kwh_per_m3"],
    "kg_n_saved": lambda s: _gain(_crop_sum(s.after, _n_kg), _crop_sum(s.before, _n_kg)),
    "ha_fertilised": lambda s: (
        s.applies * _crop_sum(s.before, lambda c: np.where(_n_kg(c) > 0, c["area_ha"], 0.0))
    ),
    "ha_peat_converted": lambda s: _gain(
        _farm_col(s.after, "organic_cropland_ha"), _farm_col(s.before, "organic_cropland_ha")
    ),
    "ha_rewetted": lambda s: _gain(
        _farm_col(s.before, "organic_rewetted_ha"), _farm_col(s.after, "organic_rewetted_ha")
    ),
    "ha_wetland": lambda s: _gain(
        _farm_col(s.before, "wetland_mineral_soil_ha"),
        _farm_col(s.after, "wetland_mineral_soil_ha"),
    ),
    "ha_catch_crop": lambda s: _gain(*(_crop_sum(t, _catch_crop_ha) for t in (s.before, s.after))),
    "ha_ley_added": lambda s: _gain(_ley_ha(s.before), _ley_ha(s.after)),
    "cow_day_3nop": lambda s: _gain(_cow_days_3nop(s.before), _cow_days_3nop(s.after)),
    "kg_n_inhibitor": lambda s: _gain(
        *(
            _crop_sum(t, lambda c: _n_kg(c) * _crop_col(c, "nitrification_inhibitor_fraction"))
            for t in (s.before, s.after)
        )
    ),
}
"""Quantity name (the catalogue's ``per``) → per-farm amount [its unit yr-1 or once]."""

QUANTITY_CONVERSIONS = {
    "m3_store": ("slurry_m3_per_lu", "store_share_of_year"),
    "m3_slurry_digested": ("slurry_m3_per_lu",),
    "kwh_biogas": ("slurry_m3_per_lu", "biogas_kwh_per_m3"),
}
"""The conversions (catalogue items of the same measure) each quantity needs."""


# --------------------------------------------------------------- the data file


@functools.cache
def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def cost_rows(path: Path | None = None) -> pd.DataFrame:
    """The catalogue's rows (every column as text), for display."""
    return _read(Path(path) if path else COSTS_FILE).copy()


def cost_sources() -> pd.DataFrame:
    """Citations of the catalogue's sources, indexed by ``source_id``."""
    return _read(COST_SOURCES_FILE).set_index("source_id")


@dataclass(frozen=True)
class Costs:
    """The catalogue as numbers: ``rows[(measure, item, per)] = value`` and the discount rate.

    Drawn (:func:`cost_draws`), a drawn row's value is an array of shape ``(D, 1)``
    (one value per draw, broadcasting against per-farm quantities) and
    ``n_draws``/``seed`` say which draws; otherwise they are None.
    """

    rows: Mapping[tuple[str, str, str], float]
    discount_rate: float
    n_draws: int | None = None
    seed: int | None = None

    def items(self, measure: str, item: str) -> list[tuple[str, float]]:
        """``[(per, value)]`` of one measure's rows of ``item``, in the catalogue's order."""
        return self._by_item.get((measure, item), [])

    @functools.cached_property
    def _by_item(self) -> dict[tuple[str, str], list[tuple[str, float]]]:
        """``(measure, item) → [(per, value)]``, made once (the rows are not changed)."""
        out: dict[tuple[str, str], list[tuple[str, float]]] = {}
        for (m, i, p), v in self.rows.items():
            out.setdefault((m, i), []).append((p, v))
        return out

    def value(self, measure: str, item: str, default: float = 0.0) -> float:
        """The one value of an item without ``per`` (a share, a lifetime, a conversion)."""
        return self.rows.get((measure, item, ""), default)


def load_costs(path: Path | None = None) -> Costs:
    """The cost catalogue (default ``farmcalc/data/measure_costs.csv``) as numbers."""
    df = _read(Path(path) if path else COSTS_FILE)
    rows = {
        (m, i, p): float(v)
        for m, i, p, v in zip(df["measure_id"], df["item"], df["per"], df["value"], strict=True)
    }
    return Costs(rows=rows, discount_rate=rows[(ALL, "discount_rate", "")])


def pert_quantile(low: float, mode: float, high: float, q: np.ndarray) -> np.ndarray:
    """Quantile ``q`` of the Beta-PERT distribution on ``[low, high]`` with mode ``mode``.

    ``a = 1 + 4 (mode − low) / (high − low)``, ``b = 1 + 4 (high − mode) / (high − low)``;
    the quantile is ``low + (high − low) × I⁻¹(a, b, q)`` (the inverse regularised
    incomplete beta function). Mean ``(low + 4 mode + high) / 6``.

    Parameters
    ----------
    low, mode, high : float
        Minimum, most likely value and maximum [the row's unit]; ``low < high``.
    q : ndarray
        Probabilities [-], 0–1.

    Returns
    -------
    ndarray
        [the row's unit], within ``[low, high]``.
    """
    width = high - low
    a = 1.0 + 4.0 * (mode - low) / width
    b = 1.0 + 4.0 * (high - mode) / width
    return low + width * special.betaincinv(a, b, np.asarray(q, dtype=float))


def cost_draws(n_draws: int, seed: int = 0, path: Path | None = None) -> Costs:
    """The catalogue drawn ``n_draws`` times: one price for all farms in each draw.

    Every row with ``distribution = pert`` is drawn from a Beta-PERT between
    its ``low`` and ``high`` with its value as the mode (:func:`pert_quantile`
    of a uniform draw); rows of one ``correlation_group`` share their uniform
    draw (fully rank-correlated: one electricity price for the heat pump and
    the solar panels). The uniforms come from ``numpy.random.default_rng`` of
    ``SeedSequence(seed, spawn_key=(COST_STREAM,))``: the run's seed gives the
    same prices every time, in a stream of their own (the factor draws of the
    same seed are not changed). The same draws are used for every farm, as
    the factor draws are (common random numbers).

    Parameters
    ----------
    n_draws : int
        ``D``, the number of draws (>= 1).
    seed : int
        The run's seed.
    path : Path, optional
        The catalogue (default ``farmcalc/data/measure_costs.csv``).

    Returns
    -------
    Costs
        Drawn rows hold arrays of shape ``(D, 1)`` [the row's unit], the
        others their value; ``n_draws`` and ``seed`` set.
    """
    if n_draws < 1:
        raise ValueError("n_draws must be at least 1")
    df = _read(Path(path) if path else COSTS_FILE)
    plain = load_costs(path)
    drawn = df[df["distribution"].str.strip() == "pert"]
    keys = list(zip(drawn["measure_id"], drawn["item"], drawn["per"], strict=True))
    groups = [
        g.strip() or "|".join(k) for g, k in zip(drawn["correlation_group"], keys, strict=True)
    ]
    names = sorted(set(groups))
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(COST_STREAM,)))
    u = rng.random((len(names), int(n_draws)))
    at = {g: i for i, g in enumerate(names)}
    rows: dict[tuple[str, str, str], float | np.ndarray] = dict(plain.rows)
    for key, g, low, value, high in zip(  # ~40 catalogue rows, never farms
        keys, groups, drawn["low"], drawn["value"], drawn["high"], strict=True
    ):
        v = pert_quantile(float(low), float(value), float(high), u[at[g]])[:, None]
        v.flags.writeable = False
        rows[key] = v
    return Costs(
        rows=rows,  # type: ignore[arg-type]
        discount_rate=rows[(ALL, "discount_rate", "")],  # type: ignore[arg-type]
        n_draws=int(n_draws),
        seed=int(seed),
    )


def _float(text: str) -> float:
    """A bound as a number; NaN when empty or not a number (NaN compares False)."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


def check_cost_file(
    path: Path | None = None, measures: Sequence[str] | None = None, locale: str = "sv"
) -> list[str]:
    """Problems of a cost catalogue (an empty list when it is sound), in ``locale``.

    Every row needs the columns of :data:`COST_FILE_COLUMNS`; a measure of
    ``measures`` (default :func:`known_measures`, taken now) or
    ``all``; a known item; a ``per`` naming a quantity of :data:`QUANTITIES` for
    money items and empty otherwise; each (measure, item, per) once; a number,
    never negative, within ``low``–``high``; a share within 0–1 and a lifetime
    > 0; a distribution of :data:`DISTRIBUTIONS` (``pert`` only with ``low <
    high``; a row not drawn in no correlation group); a unit; a price year; a
    perspective of :data:`PERSPECTIVES`; a known
    source; a locator and a rationale (an assumption's rationale starts with
    "Assumption"). Every measure needs cost rows; one with an investment needs
    a lifetime; a quantity's conversions must be given; the discount rate
    exactly once. Each problem starts with where it is: the file, the row (as
    a spreadsheet numbers it, the header being row 1) and the column.
    """
    if measures is None:
        measures = known_measures()
    path = Path(path) if path else COSTS_FILE

    def _(msgid: str, **kw: object) -> str:  # the msgid in ``locale`` (extracted as ``_``)
        return gettext_(msgid, locale) % kw

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        return [f"{path.name}: " + _("the file cannot be read as CSV (%(error)s).", error=e)]
    missing = [c for c in COST_FILE_COLUMNS if c not in df.columns]
    if missing:
        return [
            f"{path.name}: " + _("columns are missing: %(columns)s.", columns=", ".join(missing))
        ]
    known = set(measures)
    sources = set(cost_sources().index)
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for n, row in enumerate(df.to_dict("records"), start=2):

        def at(col: str, text: str, n: int = n) -> None:
            where = _(
                "%(file)s, row %(row)d, column %(column)s", file=path.name, row=n, column=col
            )
            problems.append(f"{where}: {text}")

        m, item, per = row["measure_id"], row["item"], row["per"]
        if m != ALL and m not in known:
            at(
                "measure_id",
                _("unknown measure %(m)r (known: %(known)s).", m=m, known=", ".join(measures)),
            )
        if item not in ITEMS:
            at(
                "item",
                _("unknown item %(item)r (known: %(known)s).", item=item, known=", ".join(ITEMS)),
            )
        elif (item == "discount_rate") != (m == ALL):
            at("item", _("the discount rate is given once, for %(all)r, only.", all=ALL))
        if item in MONEY_ITEMS and per not in QUANTITIES:
            at(
                "per",
                _(
                    "per %(per)r is not a quantity (%(known)s).",
                    per=per,
                    known=", ".join(QUANTITIES),
                ),
            )
        if item not in MONEY_ITEMS and per:
            at("per", _("%(item)s takes no per (got %(per)r).", item=item, per=per))
        if (m, item, per) in seen:
            at("item", _("%(key)s is given twice.", key=(m, item, per)))
        seen.add((m, item, per))
        try:
            value = float(row["value"])
            if not np.isfinite(value):
                raise ValueError
        except ValueError:
            at("value", _("%(value)r is not a number.", value=row["value"]))
            value = None
        if value is not None:
            if value < 0:
                at(
                    "value",
                    _(
                        "%(value)s is negative: a cost is never below zero (a saving is an item "
                        "of its own, annual_saving_sek).",
                        value=value,
                    ),
                )
            if item in (*SHARE_ITEMS, "store_share_of_year", "discount_rate") and value > 1:
                at("value", _("%(item)s %(value)s is over 1 (a share).", item=item, value=value))
            if item in ("lifetime_years", *CONVERSIONS) and value <= 0:
                at("value", _("%(item)s must be above 0.", item=item))
        for bound in ("low", "high"):
            if not row[bound]:
                continue
            try:
                b = float(row[bound])
            except ValueError:
                at(bound, _("%(value)r is not a number.", value=row[bound]))
                continue
            if value is not None and (value < b if bound == "low" else value > b):
                at(
                    "value",
                    _(
                        "the value %(value)s lies outside its %(bound)s %(b)s.",
                        value=value,
                        bound=bound,
                        b=b,
                    ),
                )
        dist = row["distribution"].strip()
        if dist not in DISTRIBUTIONS:
            at(
                "distribution",
                _(
                    "%(value)r is not a distribution (%(known)s).",
                    value=row["distribution"],
                    known=", ".join(DISTRIBUTIONS),
                ),
            )
        elif dist == "pert" and not (_float(row["low"]) < _float(row["high"])):
            at(
                "distribution",
                _(
                    "pert needs a range: a low below the high (got %(low)r, %(high)r).",
                    low=row["low"],
                    high=row["high"],
                ),
            )
        elif dist == "none" and row["correlation_group"].strip():
            at("correlation_group", _("a row that is not drawn belongs to no group."))
        if not row["unit"].strip():
            at("unit", _("the unit is empty."))
        if not row["price_year"].strip().isdigit():
            at("price_year", _("%(value)r is not a year.", value=row["price_year"]))
        if row["perspective"] not in PERSPECTIVES:
            at(
                "perspective",
                _(
                    "%(value)r is not a perspective (%(known)s).",
                    value=row["perspective"],
                    known=", ".join(PERSPECTIVES),
                ),
            )
        if row["source_id"] not in sources:
            at("source_id", _("unknown source %(value)r.", value=row["source_id"]))
        for col in ("source_locator", "rationale"):
            if not row[col].strip():
                at(col, _("the column is empty."))
        if row["source_id"] == ASSUMPTION and not row["rationale"].startswith("Assumption"):
            at("rationale", _("an assumption's rationale must start with 'Assumption'."))
    if sum(1 for k in seen if k[1] == "discount_rate") != 1:
        problems.append(f"{path.name}: " + _("the discount rate must be given exactly once."))
    for m in measures:
        mine = [k for k in seen if k[0] == m]
        if not mine:
            problems.append(f"{path.name}: " + _("no cost rows for measure %(m)r.", m=m))
        if any(k[1] == "investment_sek" for k in mine) and (m, "lifetime_years", "") not in seen:
            problems.append(
                f"{path.name}: " + _("%(m)s has an investment but no lifetime_years.", m=m)
            )
        for _m, _i, per in mine:
            for conv in QUANTITY_CONVERSIONS.get(per, ()):
                if (m, conv, "") not in seen:
                    problems.append(
                        f"{path.name}: "
                        + _("%(m)s uses %(per)r, which needs %(conv)s.", m=m, per=per, conv=conv)
                    )
    return problems


# ------------------------------------------------------------------ the costs


COST_COLUMNS = [
    "investment_sek",
    "investment_support_sek",
    "annual_running_cost_sek",
    "annual_running_saving_sek",
    "annual_support_sek",
    "annual_cost_sek",
    "annual_cost_before_support_sek",
    "payback_years",
]


def step_cost_arrays(
    step: Step, measure: str, costs: Costs, discount_rate: float
) -> dict[str, np.ndarray]:
    """One measure's costs on every farm as numpy arrays, one per :data:`COST_COLUMNS`.

    The arithmetic of :func:`step_costs` (which puts these arrays in a frame):
    the investment and the part public support pays [SEK]; running cost,
    running saving and yearly support [SEK yr-1]; ``annual_cost_sek``, the
    farm's annualised net cost after support (negative: the farm saves money);
    the same before support; payback [yr]. With drawn catalogue values
    (:func:`cost_draws`, each of shape ``(D, 1)``) the arrays that depend on a
    drawn value have shape ``(D, F)`` (:func:`measure_cost_draws` widens them all).
    """
    n = step.before.n_farms
    quantity: dict[str, np.ndarray] = {}

    def total(item: str) -> np.ndarray:
        out = np.zeros(n)
        for per, value in costs.items(measure, item):
            if per not in quantity:
                quantity[per] = np.where(step.applies, QUANTITIES[per](step), 0.0)
            out = out + value * quantity[per]  # drawn values (D, 1) widen it to (D, F)
        return out

    investment = total("investment_sek")
    share = costs.value(measure, "support_share")
    lifetime = costs.value(measure, "lifetime_years", 1.0)
    running_cost = total("annual_cost_sek")
    running_saving = total("annual_saving_sek")
    support = total("annual_support_sek")
    capital = investment * economics.annuity_factor(discount_rate, lifetime)
    farm = economics.annualised_net_cost(
        investment, discount_rate, lifetime, share, running_cost, running_saving + support
    )
    return {
        "investment_sek": investment,
        "investment_support_sek": investment * share,
        "annual_running_cost_sek": running_cost,
        "annual_running_saving_sek": running_saving,
        "annual_support_sek": support,
        "annual_cost_sek": np.asarray(farm, dtype=float),
        "annual_cost_before_support_sek": capital + running_cost - running_saving,
        "payback_years": np.asarray(
            economics.payback_years(
                investment * (1.0 - share), running_cost, running_saving + support
            ),
            dtype=float,
        ),
    }


def step_costs(step: Step, measure: str, costs: Costs, discount_rate: float) -> pd.DataFrame:
    """One measure's costs on every farm, from the quantities it changes (``step``).

    Returns
    -------
    DataFrame
        One row per farm, :data:`COST_COLUMNS`: the investment and the part
        public support pays [SEK]; running cost, running saving and yearly
        support [SEK yr-1]; ``annual_cost_sek``, the farm's annualised net cost
        after support (negative: the farm saves money); the same before
        support (the cost to farm and public together); payback [yr]. The
        arrays of :func:`step_cost_arrays`.
    """
    return pd.DataFrame(
        step_cost_arrays(step, measure, costs, discount_rate), columns=COST_COLUMNS
    )


def make_step(
    before: FarmTables,
    after: FarmTables,
    applies: np.ndarray,
    measure: str,
    fs: FactorSet,
    costs: Costs,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
) -> Step:
    """A :class:`Step` with the measure's conversions and parameters."""
    from farmcalc.steering.measures import load_parameters

    params = (parameters if parameters is not None else load_parameters()).get(measure, {})
    conv = {c: costs.value(measure, c, np.nan) for c in CONVERSIONS}
    return Step(
        before=before,
        after=after,
        applies=np.asarray(applies, bool),
        fs=fs,
        conv=conv,
        params=params,
    )


def known_measures() -> tuple[str, ...]:
    """Every measure :func:`farmcalc.steering.measures.apply_measure` knows, taken now."""
    from farmcalc.steering import measures

    return tuple(getattr(measures, "ALL_MEASURES", measures.MEASURES))


def measure_costs(
    tables: FarmTables,
    measures: Sequence[str],
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
    costs: Costs | None = None,
    discount_rate: float | None = None,
) -> pd.DataFrame:
    """Each measure alone on each farm: its saving, its costs and SEK per tonne CO2e.

    The savings come from :func:`farmcalc.steering.measures.measure_savings` (one batch
    calculation); the costs from the quantities each measure changes on the
    farm's own tables (:data:`QUANTITIES`) and the catalogue.

    Parameters
    ----------
    tables : FarmTables
        Valid farm tables.
    measures : sequence of str
        Measure ids of :data:`farmcalc.steering.measures.MEASURES`.
    factors, gwp : str or FactorSet / GWPSet
        Factor set and GWP100 set of the calculation.
    parameters : mapping, optional
        The measures' parameters (default ``farmcalc/data/measures.csv``).
    costs : Costs, optional
        The cost catalogue (default :func:`load_costs`).
    discount_rate : float, optional
        Real discount rate [yr-1]; default the catalogue's.

    Returns
    -------
    DataFrame
        One row per farm and measure: ``farm_idx``, ``measure``, ``applies``,
        ``co2e_kg_saved`` [kg CO2e yr-1], :data:`COST_COLUMNS`,
        ``sek_per_t_co2e`` (the farm's cost after support per tonne; NaN when
        nothing is saved; negative: money saved) and
        ``sek_per_t_co2e_before_support``.
    """
    from farmcalc.steering.measures import apply_measure, measure_savings

    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    costs = costs or load_costs()
    r = costs.discount_rate if discount_rate is None else float(discount_rate)
    measures = list(measures)
    saved = measure_savings(tables, factors=fs, gwp=gwp, measures=measures, parameters=parameters)
    parts = []
    for m in measures:  # a handful of measures, never farms
        applied = apply_measure(tables, m, factors=fs, parameters=parameters)
        step = make_step(tables, applied.tables, applied.applies, m, fs, costs, parameters)
        parts.append(step_costs(step, m, costs, r))
    out = saved[["farm_idx", "measure", "applies", "co2e_kg_saved"]].reset_index(drop=True)
    if parts:
        out = pd.concat([out, pd.concat(parts, ignore_index=True)], axis=1)
    else:
        out = out.assign(**{c: pd.Series(dtype=float) for c in COST_COLUMNS})
    kg = out["co2e_kg_saved"].to_numpy(dtype=float)
    out["sek_per_t_co2e"] = economics.sek_per_tonne(out["annual_cost_sek"].to_numpy(float), kg)
    out["sek_per_t_co2e_before_support"] = economics.sek_per_tonne(
        out["annual_cost_before_support_sek"].to_numpy(float), kg
    )
    return out


def measure_cost_draws(
    tables: FarmTables,
    measures: Sequence[str],
    *,
    draws: int,
    seed: int = 0,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
    path: Path | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """Each measure alone on each farm, its costs in every draw of the catalogue.

    The arithmetic of :func:`step_cost_arrays` with the drawn catalogue of
    :func:`cost_draws` (the same prices for every farm in a draw; the same
    ``seed`` gives the same numbers).

    Parameters
    ----------
    tables : FarmTables
        Valid farm tables (``F`` farms).
    measures : sequence of str
        Measure ids.
    draws : int
        ``D``, the number of draws.
    seed : int
        The run's seed.
    factors : str or FactorSet
        Factor set (livestock units and the like the quantities need).
    parameters : mapping, optional
        The measures' parameters (default ``farmcalc/data/measures.csv``).
    path : Path, optional
        The catalogue (default ``farmcalc/data/measure_costs.csv``).

    Returns
    -------
    dict
        Measure → :data:`COST_COLUMNS` → ndarray of shape ``(D, F)`` [SEK],
        [SEK yr-1], [yr] (``annual_cost_sek``: the farm's annualised net cost
        after support).
    """
    from farmcalc.steering.measures import apply_measure

    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    drawn = cost_draws(draws, seed, path)
    shape = (int(draws), tables.n_farms)
    out = {}
    for m in measures:  # a handful of measures, never farms
        applied = apply_measure(tables, m, factors=fs, parameters=parameters)
        step = make_step(tables, applied.tables, applied.applies, m, fs, drawn, parameters)
        c = step_cost_arrays(step, m, drawn, drawn.discount_rate)  # type: ignore[arg-type]
        out[m] = {k: np.broadcast_to(np.asarray(v, dtype=float), shape) for k, v in c.items()}
    return out


def with_cost_draws(result, tables: FarmTables, *, parameters=None, path: Path | None = None):
    """An uncertainty run's measures with their costs drawn too.

    :func:`farmcalc.uncertainty.run` gives each measure's saving from paired
    factor draws and its SEK per tonne with the catalogue's fixed cost. This
    draws the costs as well (:func:`measure_cost_draws`, seeded from the run's
    seed) and pairs draw ``d`` of the cost with draw ``d`` of the saving, so
    ``sek_per_t_p2_5/_p50/_p97_5`` [SEK t-1 CO2e] hold both uncertainties
    (over the draws that save anything, as the run's own). ``annual_cost_sek``
    stays the catalogue's value; ``annual_cost_sek_p2_5/_p50/_p97_5`` [SEK yr-1]
    are added.

    Parameters
    ----------
    result : farmcalc.uncertainty.UncertaintyResult
        A run with measures (the in-memory run: it keeps each draw's saving).
    tables : FarmTables
        The tables the run was made of.

    Returns
    -------
    UncertaintyResult
        A copy with the new ``measures`` frame (the same rows in the same order).
    """
    import dataclasses
    import warnings

    from farmcalc.uncertainty.run import PERCENTILES

    meas = result.measures
    if not len(meas):
        return result
    names = list(dict.fromkeys(meas["measure"]))
    drawn = measure_cost_draws(
        tables,
        names,
        draws=result.n_draws,
        seed=result.seed,
        factors=result.factor_set,
        parameters=parameters,
        path=path,
    )
    q = list(PERCENTILES.values())
    parts = []
    for m in names:  # a handful of measures, never farms
        rows = meas[meas["measure"] == m].sort_values("farm_idx")
        cost = drawn[m]["annual_cost_sek"][:, rows["farm_idx"].to_numpy()]
        saved = result.measure_savings[m][:, rows["farm_idx"].to_numpy()]
        per_t = economics.sek_per_tonne(cost, saved)
        rows = rows.copy()
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a farm no draw saves on: NaN
            got = np.nanpercentile(per_t, q, axis=0)
        for p, v in zip(PERCENTILES, got, strict=True):
            rows[f"sek_per_t_{p}"] = v
        for p, v in zip(PERCENTILES, np.percentile(cost, q, axis=0), strict=True):
            rows[f"annual_cost_sek_{p}"] = v
        parts.append(rows)
    new = pd.concat(parts).loc[meas.index]
    return dataclasses.replace(result, measures=new)


# ------------------------------------------------------------------ the catalogue

ITEM_LABEL = {
    "investment_sek": _("Investment"),
    "annual_cost_sek": _("Running cost per year"),
    "annual_saving_sek": _("Running saving per year"),
    "annual_support_sek": _("Support per year"),
    "support_share": _("Share of the investment paid by support"),
    "lifetime_years": _("Lifetime"),
    "discount_rate": _("Discount rate (real)"),
    "slurry_m3_per_lu": _("Slurry per livestock unit and year"),
    "store_share_of_year": _("Share of the year's slurry the store holds"),
    "biogas_kwh_per_m3": _("Biogas energy per m³ of slurry"),
}
PER_LABEL = {
    "": "",
    "farm": _("per farm"),
    "l_diesel": _("per litre of diesel replaced"),
    "l_heating_oil": _("per litre of heating oil replaced"),
    "kwh_electricity_added": _("per kWh of electricity added"),
    "kwh_electricity_replaced": _("per kWh of electricity replaced"),
    "kwp": _("per kWp installed"),
    "m3_store": _("per m³ of slurry store covered"),
    "m3_slurry_digested": _("per m³ of slurry digested"),
    "kwh_biogas": _("per kWh of biogas"),
    "kg_n_saved": _("per kg of mineral N not bought"),
    "ha_fertilised": _("per hectare fertilised"),
    "ha_peat_converted": _("per hectare of peat turned to grass"),
    "ha_rewetted": _("per hectare rewetted"),
    "ha_wetland": _("per hectare of wetland"),
    "ha_catch_crop": _("per hectare of catch crop"),
    "ha_ley_added": _("per hectare of ley added"),
    "cow_day_3nop": _("per animal and day fed 3-NOP"),
    "kg_n_inhibitor": _("per kg N with an inhibitor"),
}
PERSPECTIVE_LABEL = {"farm": _("farm"), "public": _("public"), "society": _("society")}


def _num(text: str) -> float | None:
    return float(text) if text.strip() else None


def _row_dict(row: Mapping[str, str], sources: pd.DataFrame, locale: str) -> dict:
    src = sources.loc[row["source_id"]]
    return {
        "item": row["item"],
        "label": gettext_(ITEM_LABEL[row["item"]], locale),
        "per": row["per"],
        "per_label": gettext_(PER_LABEL[row["per"]], locale) if PER_LABEL.get(row["per"]) else "",
        "value": float(row["value"]),
        "unit": row["unit"],
        "low": _num(row["low"]),
        "high": _num(row["high"]),
        "price_year": int(row["price_year"]),
        "perspective": row["perspective"],
        "perspective_label": gettext_(PERSPECTIVE_LABEL[row["perspective"]], locale),
        "assumption": row["source_id"] == ASSUMPTION,
        "source_id": row["source_id"],
        "source": src["citation"],
        "url": src["url"] or None,
        "source_locator": row["source_locator"],
        "rationale": row["rationale"],
    }


def discount_rate_row(locale: str = "sv") -> dict:
    """The catalogue's discount-rate row with its source (a :func:`catalogue` cost row)."""
    rows = cost_rows()
    row = rows[rows["item"] == "discount_rate"].iloc[0].to_dict()
    return _row_dict(row, cost_sources(), locale)


def catalogue(locale: str = "sv", measures: Sequence[str] | None = None) -> list[dict]:
    """Every measure (:func:`known_measures`, or only ``measures``) with its cost rows.

    Returns
    -------
    list of dict
        Per measure: ``id``, ``title`` (the reader's language) and ``costs``: the
        catalogue's rows, each with ``item``, ``label``, ``per``, ``per_label``,
        ``value``, ``unit``, ``low``, ``high``, ``price_year``, ``perspective``,
        ``assumption`` (True: no citable source), ``source_id``, ``source``
        (citation), ``url``, ``source_locator`` and ``rationale``.
    """
    from farmcalc.steering.measures import describe

    rows = cost_rows()
    sources = cost_sources()
    out = []
    for m in known_measures() if measures is None else measures:
        try:
            title = describe(m, locale)["title"]
        except (KeyError, IndexError, StopIteration):  # a measure without its texts yet
            title = m
        mine = rows[rows["measure_id"] == m].to_dict("records")
        out.append(
            {"id": m, "title": title, "costs": [_row_dict(r, sources, locale) for r in mine]}
        )
    return out


# ------------------------------------------------------------------ packages


def package_costs(
    tables: FarmTables,
    measures: Sequence[str],
    *,
    factors: str | FactorSet = DEFAULT_FACTOR_SET,
    gwp: str | GWPSet = DEFAULT_GWP,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
    costs: Costs | None = None,
    discount_rate: float | None = None,
) -> pd.DataFrame:
    """A package's savings (:func:`~.packages.package_savings`) with each step's costs.

    Each step's costs come from the quantities it changes on the tables the
    step before left (biogas after a cover digests the covered slurry); the
    package's costs are their sum, its saving the calculated difference.

    Returns
    -------
    DataFrame
        One row per farm and step: the columns of
        :data:`farmcalc.steering.packages.PACKAGE_COLUMNS`, the step's
        :data:`COST_COLUMNS`, and per farm (the same on each of its steps)
        ``package_investment_sek``, ``package_annual_cost_sek`` and
        ``package_sek_per_t_co2e`` (NaN when the package saves nothing).
    """
    from farmcalc.steering.packages import apply_package, chain_totals, package_frame

    fs = factors if isinstance(factors, FactorSet) else load_factor_set(factors)
    costs = costs or load_costs()
    r = costs.discount_rate if discount_rate is None else float(discount_rate)
    chain = apply_package(tables, measures, factors=fs, parameters=parameters)
    frame = package_frame(chain, chain_totals(chain, factors=fs, gwp=gwp))
    parts = [
        step_costs(
            make_step(
                chain.tables[k], chain.tables[k + 1], chain.applies[k], m, fs, costs, parameters
            ),
            m,
            costs,
            r,
        )
        for k, m in enumerate(chain.measures)  # a handful of steps, never farms
    ]
    if parts:
        frame = pd.concat([frame, pd.concat(parts, ignore_index=True)], axis=1)
    n, k = tables.n_farms, len(chain.measures)
    for col, name in (
        ("investment_sek", "package_investment_sek"),
        ("annual_cost_sek", "package_annual_cost_sek"),
    ):
        per_farm = frame[col].to_numpy(dtype=float).reshape(k, n).sum(axis=0) if k else np.zeros(n)
        frame[name] = np.tile(per_farm, k)
    frame["package_sek_per_t_co2e"] = economics.sek_per_tonne(
        frame["package_annual_cost_sek"].to_numpy(float),
        frame["package_co2e_kg_saved"].to_numpy(float),
    )
    return frame
