"""Ranges of the municipality's totals: shared draws summed over the farms draw by draw.

The municipality's published figures are sums over farms. Their uncertainty
comes from the factors, and one factor (say EF1 of soil N2O) is the same for
every farm, so a sum over farms is not narrowed by pretending the farms are
independent: :func:`atom_draws` runs the engine with **one** set of seeded
factor draws (:func:`farmcalc.uncertainty.shared_draws`) for all farms and
sums every draw's emissions over the farms per *atom* (item × gas of
:data:`farmcalc.municipality.summary.ATOMS`). A published figure's draws are
sums of atoms (:func:`cell_draws`); its range is the 2.5th, 50th and 97.5th
percentile (:data:`farmcalc.uncertainty.PERCENTILES`).

**Disclosure.** A range is a function of how each published figure is made
up, not only of its value: when a sector's two items are hidden and their
factors are uncertain by different amounts, the width of the sector's range
tells how the sector splits between them (``tests/test_municipal_ranges.py``
does exactly that). So :func:`range_cells` gives a range only to a figure of
:data:`RANGE_CELLS` (the total, fossil CO2, the sectors) that is shown **and
whose every atom is shown** — then the range is a function of published
cells and of sums over all the farms of a shown atom, which the rule
protects — and its bounds are rounded to :data:`RANGE_DIGITS` significant
digits (never finer than the figure's whole tonnes). The probability that
fossil CO2 is at or below the path (:func:`share_at_or_below`) is given only
with fossil CO2's range and rounded to :data:`PROBABILITY_STEP` per cent.
See ``docs/municipality.md`` ("Ranges").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from farmcalc import engine
from farmcalc.draws import DrawnFactorSet
from farmcalc.factors import FactorSet, GWPSet
from farmcalc.inputs.tables import FarmTables
from farmcalc.municipality.summary import (
    APART,
    ATOMS,
    FOSSIL_CO2,
    INVENTORY_SECTOR,
    ITEM_GASES,
    SECTORS,
    _atom_codes,
)
from farmcalc.outputs.characterisation import co2e as co2e_of
from farmcalc.rows import CATEGORY_DTYPE, GAS_DTYPE, SOURCE_DTYPE
from farmcalc.steering import economics
from farmcalc.uncertainty import PERCENTILES, shared_draws
from farmcalc.uncertainty.activity import activity_draws, drawn_tables

RANGE_CELLS = ("total", "fossil_co2", *(f"sector:{s}" for s in SECTORS))
"""The published figures that may carry a range."""
RANGE_DIGITS = 2
"""Significant digits of a published range's bounds (a range says "about")."""
PROBABILITY_STEP = 5
"""A published probability is rounded to this many per cent [%]."""
_CELLS = 4_000_000  # rows × draws per engine run (memory bound of one chunk)


def _atom_cell(item: str, gas: str) -> str:
    return f"atom:{item}:{gas}" if len(ITEM_GASES[item]) > 1 else f"item:{item}"


def cell_atoms(cell: str) -> list[int]:
    """Indices into :data:`~farmcalc.municipality.summary.ATOMS` that ``cell`` sums.

    Parameters
    ----------
    cell : str
        ``total`` (every emitted atom, soil carbon apart), ``fossil_co2``
        (:data:`~farmcalc.municipality.summary.FOSSIL_CO2`) or ``sector:<s>``.
    """
    if cell == "total":
        return [k for k, (i, _) in enumerate(ATOMS) if i not in APART]
    if cell == "fossil_co2":
        return [ATOMS.index(a) for a in FOSSIL_CO2]
    if cell.startswith("sector:"):
        s = cell.split(":", 1)[1]
        return [k for k, (i, _) in enumerate(ATOMS) if i not in APART and INVENTORY_SECTOR[i] == s]
    raise ValueError(f"no range for cell {cell!r}")


def cell_atom_cells(cell: str) -> list[str]:
    """The published cells of the atoms of ``cell`` (``item:…`` or ``atom:…:…``)."""
    return [_atom_cell(*ATOMS[k]) for k in cell_atoms(cell)]


def atom_draws(
    tables: FarmTables,
    *,
    factors: FactorSet,
    gwp: GWPSet,
    draws: int = 1000,
    seed: int = 0,
    measure: str | None = None,
    activity: bool = True,
    activity_overrides: Sequence[Mapping | None] | None = None,
) -> np.ndarray:
    """Each draw's CO2e of every atom summed over all farms (shared factor draws, and each
    farm's own figures drawn as :func:`farmcalc.uncertainty.run` draws them).

    Parameters
    ----------
    tables : FarmTables
        The farms (all calculated with ``factors`` and ``gwp``).
    factors : FactorSet
        The factor set; its rows' distributions say what is drawn.
    gwp : GWPSet
        GWP100 set.
    draws : int
        ``D``, the number of draws.
    seed : int
        Seed of the draws: the same seed, ``draws`` and factor set give the
        same draws as :func:`farmcalc.uncertainty.run` (common random numbers).
    measure : str, optional
        Apply this measure (:func:`farmcalc.steering.measures.apply_measure`)
        to every farm first; with the same seed, the draws pair with those
        without it.
    activity : bool
        Draw the farms' own figures too (activity data, per farm and
        independently, keyed on the seed, the farm and the input:
        :func:`farmcalc.uncertainty.activity.activity_draws`), as the core's run.
    activity_overrides : sequence of mapping or None, optional
        Per farm, its record's ``activity_uncertainty`` (None: the defaults).

    Returns
    -------
    ndarray, shape (D, len(ATOMS))
        [kg CO2e yr-1]; column ``k`` is atom ``ATOMS[k]``.
    """
    if measure is not None:
        from farmcalc.steering.measures import apply_measure

        tables = apply_measure(tables, measure, factors=factors).tables
    k = len(ATOMS)
    out = np.zeros((int(draws), k))
    if tables.n_farms == 0:
        return out
    sd = shared_draws(factors, int(draws), int(seed))
    ad = activity_draws(tables, int(seed), activity_overrides, on=activity)
    plain = engine.run(tables, factors)
    chunk = int(max(1, min(draws, _CELLS // max(len(plain.rows), 1))))
    for start in range(0, int(draws), chunk):  # chunks of draws, never farms
        stop = min(int(draws), start + chunk)
        drawn = DrawnFactorSet.of(factors, {f: v[start:stop] for f, v in sd.factors.items()})
        rows = engine.run(drawn_tables(tables, ad, start, stop), drawn).rows
        atom = _row_atoms(rows)
        d = stop - start
        c = np.broadcast_to(co2e_of(rows, gwp), (d, len(rows)))
        idx = (np.arange(d)[:, None] * k + atom[None, :]).ravel()
        out[start:stop] = np.bincount(idx, c.ravel(), d * k).reshape(d, k)
    return out


def _row_atoms(rows) -> np.ndarray:
    """The atom of every emission row (heating split by its category, as ``summarise``)."""
    src = np.asarray(SOURCE_DTYPE.categories, dtype=object)[rows.source]
    cat = np.asarray(CATEGORY_DTYPE.categories, dtype=object)[rows.category]
    gas = np.asarray(GAS_DTYPE.categories, dtype=object)[rows.gas]
    item = np.where(src == "heating", cat, src)
    return _atom_codes(item, gas)


def cell_draws(atoms: np.ndarray, cell: str) -> np.ndarray:
    """Each draw's value of a published figure [kg CO2e yr-1], shape (D,)."""
    return np.asarray(atoms)[:, cell_atoms(cell)].sum(axis=1)


def percentiles(draws: np.ndarray) -> dict[str, float]:
    """``p2_5``, ``p50``, ``p97_5`` of ``draws`` (:data:`~farmcalc.uncertainty.PERCENTILES`)."""
    q = np.percentile(np.asarray(draws, dtype=float), list(PERCENTILES.values()))
    return {p: float(v) for p, v in zip(PERCENTILES, q, strict=True)}


def round_significant(x: float, digits: int = RANGE_DIGITS) -> float:
    """``x`` to ``digits`` significant digits, and never finer than whole units."""
    if x == 0 or not math.isfinite(x):
        return float(x)
    places = digits - 1 - math.floor(math.log10(abs(x)))
    return float(round(x, min(places, 0)))


def range_cells(shown: Mapping[str, bool], cells: Sequence[str] = RANGE_CELLS) -> dict[str, bool]:
    """Which figures may carry a range: shown, and every one of their atoms shown.

    Parameters
    ----------
    shown : mapping of str to bool
        Cell → whether the year's figure is published (``Aggregate.cell(…)["shown"]``).
    cells : sequence of str
        Figures asked for (default :data:`RANGE_CELLS`).
    """
    return {
        c: bool(shown.get(c)) and all(bool(shown.get(a, False)) for a in cell_atom_cells(c))
        for c in cells
    }


def published_range(draws_kg: np.ndarray) -> dict[str, float]:
    """A figure's range as published: t, bounds to :data:`RANGE_DIGITS` significant digits."""
    p = percentiles(np.asarray(draws_kg) / 1000.0)
    return {k: round_significant(v) for k, v in p.items()}


def share_at_or_below(draws: np.ndarray, limit: float) -> float:
    """Share of the draws at or below ``limit`` [-] (0–1)."""
    d = np.asarray(draws, dtype=float)
    return float(np.count_nonzero(d <= limit)) / len(d) if len(d) else float("nan")


def published_probability(share: float, step: int = PROBABILITY_STEP) -> int:
    """A share [-] as a whole per cent rounded to ``step`` (a probability says "about")."""
    return int(step * round(100.0 * share / step))


# ------------------------------------------------------------ the investment plan


def package_atom_draws(
    tables: FarmTables,
    measures: Sequence[str],
    *,
    factors: FactorSet,
    gwp: GWPSet,
    draws: int = 1000,
    seed: int = 0,
    activity: bool = True,
    activity_overrides: Sequence[Mapping | None] | None = None,
) -> np.ndarray:
    """Atom draws before and after each step of a package (the plan's order), paired.

    The measures are applied in order, each to the tables the step before left
    (:func:`farmcalc.steering.packages.apply_package`, as the plan's figures
    are made); every step runs with the same shared draws (and the same draws of
    each farm's own figures: they are keyed on the farm and the input), so step
    ``k``'s marginal saving in a draw is ``out[k] - out[k + 1]``.

    Returns
    -------
    ndarray, shape (len(measures) + 1, D, len(ATOMS))
        [kg CO2e yr-1]; ``out[0]`` is the farms as they are.
    """
    from farmcalc.steering.packages import apply_package

    steps = [tables]
    if tables.n_farms and measures:
        steps = list(apply_package(tables, list(measures), factors=factors).tables)
    out = np.zeros((len(measures) + 1, int(draws), len(ATOMS)))
    for k, t in enumerate(steps):  # a dozen steps, each over all farms at once
        out[k] = atom_draws(
            t,
            factors=factors,
            gwp=gwp,
            draws=draws,
            seed=seed,
            activity=activity,
            activity_overrides=activity_overrides,
        )
    return out


def package_cost_draws(
    tables: FarmTables,
    measures: Sequence[str],
    *,
    factors: FactorSet,
    draws: int = 1000,
    seed: int = 0,
) -> np.ndarray:
    """Each step's yearly cost before support over all farms, in every draw of the costs.

    The package's steps as :func:`package_atom_draws` makes them (each measure on
    the tables the step before left, as the plan's figures are made), costed with
    the drawn cost catalogue (:func:`farmcalc.steering.costs.cost_draws`: one price
    for every farm in a draw, from ``seed``): ``investment × annuity + running
    cost − running saving``, the plan's "before support" cost.

    Returns
    -------
    ndarray, shape (len(measures), D)
        [SEK yr-1]; summed over the farms where each step applies.
    """
    from farmcalc.steering.costs import cost_draws, make_step, step_cost_arrays
    from farmcalc.steering.packages import apply_package

    out = np.zeros((len(measures), int(draws)))
    if not tables.n_farms or not measures:
        return out
    chain = apply_package(tables, list(measures), factors=factors)
    drawn = cost_draws(int(draws), int(seed))
    for k, m in enumerate(chain.measures):  # a dozen steps, each over all farms at once
        step = make_step(chain.tables[k], chain.tables[k + 1], chain.applies[k], m, factors, drawn)
        c = step_cost_arrays(step, m, drawn, drawn.discount_rate)  # type: ignore[arg-type]
        cost = np.broadcast_to(c["annual_cost_before_support_sek"], (int(draws), tables.n_farms))
        out[k] = cost.sum(axis=1)
    return out


def plan_draws(
    steps: np.ndarray,
    shares: np.ndarray,
    annual_cost_sek: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each draw's marginal savings, the plan's saving and its fossil CO2 at ``shares``.

    Parameters
    ----------
    steps : ndarray, shape (M + 1, D, len(ATOMS))
        :func:`package_atom_draws` [kg CO2e yr-1].
    shares : ndarray, shape (M,)
        Share of the farms where each measure applies that take it up [-]
        (0 for a measure the plan leaves out).
    annual_cost_sek : ndarray, shape (M,) or (M, D)
        Each measure's yearly cost over all farms where it applies [SEK yr-1]:
        one value, or one per draw (:func:`package_cost_draws`; draw ``d`` of the
        cost is paired with draw ``d`` of the saving).

    Returns
    -------
    dict
        ``saving`` (M, D): each measure's marginal saving at full adoption,
        soil carbon apart [kg CO2e yr-1]; ``sek_per_t`` (M, D) [SEK t-1]
        (NaN where a draw saves nothing); ``fossil`` (D,): fossil CO2 of the
        farms with the plan's shares [kg CO2 yr-1]; ``plan_saving`` (D,)
        [kg CO2e yr-1].
    """
    total = np.stack([cell_draws(s, "total") for s in steps])  # (M + 1, D)
    fossil = np.stack([cell_draws(s, "fossil_co2") for s in steps])
    saving = total[:-1] - total[1:]
    fossil_saving = fossil[:-1] - fossil[1:]
    sh = np.asarray(shares, dtype=float)[:, None]
    cost = np.asarray(annual_cost_sek, dtype=float)
    cost = cost[:, None] if cost.ndim == 1 else cost
    per_t = economics.sek_per_tonne(np.broadcast_to(cost, saving.shape), saving)
    return {
        "saving": saving,
        "sek_per_t": per_t,
        "fossil": fossil[0] - (sh * fossil_saving).sum(axis=0),
        "plan_saving": (sh * saving).sum(axis=0),
    }
