"""Disclosure audit: what a reader can prove about each hidden figure.

Everything the municipality publishes for one year is read together, as an
attacker would: every published identity (a total and its parts), every
published value known to ± half its rounding unit, emissions ≥ 0, and the
gas shares that the public factor sets fix (a heating oil's N2O per CO2, the
GWP between a gas in tonnes and in CO2e). For each cell hidden for a primary
reason (too few respondents, dominance) two linear programmes (SciPy's
``linprog`` with HiGHS) give the lowest and highest value the cell can take
under those constraints: the interval the attacker can prove. The cell is
*protected* when that interval reaches at least ``protection`` × |true value|
below and above the true value.

:func:`gas_ratio_bounds` and :func:`mass_bounds` derive the attacker's
knowledge of the factors from the factor files, by running the calculator on
one probe farm per fuel and per land use of drained organic soil, with every
factor set and GWP set: no factor value is written here.

The method is described in ``docs/municipality.md`` ("Disclosure control").
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import permutations

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from farmcalc.factors import GWP_SETS, available_factor_sets, load_gwp
from farmcalc.municipality.settings import setting

DEFAULT_PROTECTION = setting("protection")
"""Default protection level: a hidden primary cell's provable interval must
reach at least this share of its value below and above it
(``farmcalc/data/municipality_settings.csv``)."""

PROTECTION_ENV = "FARMCALC_DISCLOSURE_PROTECTION"

RELATIVE_SLACK = 1e-9
"""Ratio bounds are widened by this relative amount, so that the true
figures (sums of floating-point results) always satisfy them."""


def protection_from_env(default: float = DEFAULT_PROTECTION) -> float:
    """The protection level from ``FARMCALC_DISCLOSURE_PROTECTION`` (or ``default``)."""
    raw = os.environ.get(PROTECTION_ENV)
    return float(raw) if raw not in (None, "") else default


# ----------------------------------------------------- the attacker's factors


def _probe_records() -> tuple[list[dict], list[str]]:
    """One farm per fuel (1000 l) and per drained organic land use (1 ha).

    The fuels and land uses are those the calculator knows
    (``farmcalc.sources.energy.FUEL_USES``, ``organic_soils.LAND_USES``);
    the amounts are arbitrary (ratios do not depend on them).
    """
    from farmcalc.sources.energy import FUEL_USES
    from farmcalc.sources.organic_soils import LAND_USES

    def rec(k: int, energy: dict | None = None, organic: dict | None = None) -> dict:
        return {
            "schema": "farmcalc.farm/1",
            "farm_id": f"PROBE-{k}",
            "municipality_code": "0000",
            "year": 2000,
            "livestock": [],
            "crops": [],
            "energy": energy or {},
            "organic_soils": organic or {},
        }

    records, kinds = [], []
    for column, fuel, _source in FUEL_USES:
        records.append(rec(len(records), energy={column: 1000.0}))
        kinds.append(fuel)
    for use in LAND_USES:
        records.append(rec(len(records), organic={f"{use}_ha": 1.0}))
        kinds.append(use)
    return records, kinds


@functools.cache
def item_gas_vectors(
    factor_sets: tuple[str, ...] | None = None, gwps: tuple[str, ...] | None = None
) -> dict[str, pd.DataFrame]:
    """CO2e of each gas of every multi-gas item, per probe, factor set and GWP set.

    Parameters
    ----------
    factor_sets, gwps : tuple of str, optional
        The sets to take into account (default: every factor set in
        ``factors/`` and every GWP set).

    Returns
    -------
    dict
        Aggregation item (``fuel``, ``heating_oil``, ``organic_soils``) →
        DataFrame with one row per (factor set, GWP set, sub-kind) and one
        column per gas [kg CO2e per probe]; a gas the sub-kind does not emit
        is 0 (HVO100's biogenic CO2).
    """
    from farmcalc.api import calculate_batch

    records, kinds = _probe_records()
    frames = []
    for fs in factor_sets or tuple(available_factor_sets()):
        for g in gwps or GWP_SETS:
            rows = calculate_batch(records, factors=fs, gwp=g).emissions
            src = rows["source"].astype(str).to_numpy()
            cat = rows["category"].astype(str).to_numpy()
            frames.append(
                pd.DataFrame(
                    {
                        "factor_set": fs,
                        "gwp": g,
                        "kind": np.asarray(kinds)[rows["farm_idx"].to_numpy()],
                        "item": np.where(src == "heating", cat, src),
                        "gas": rows["gas"].astype(str).to_numpy(),
                        "co2e_kg": rows["co2e_kg"].to_numpy(dtype=float),
                    }
                )
            )
    long = pd.concat(frames, ignore_index=True)
    out = {}
    for item, part in long.groupby("item", sort=True):
        wide = part.pivot_table(
            index=["factor_set", "gwp", "kind"], columns="gas", values="co2e_kg", fill_value=0.0
        )
        if wide.shape[1] > 1:
            out[str(item)] = wide
    return out


@functools.cache
def gas_ratio_bounds(
    factor_sets: tuple[str, ...] | None = None, gwps: tuple[str, ...] | None = None
) -> dict[tuple[str, str, str], tuple[float, float]]:
    """Bounds on the ratio of two gases of one item that the public factors fix.

    For every multi-gas item whose gases come in proportions fixed by the
    factors (fuels, heating oil, drained organic soils), and every ordered
    pair of its gases ``(a, b)``: the smallest and the largest ``a / b`` of
    CO2e over all its sub-kinds (diesel, HVO100, petrol; cropland,
    grassland), factor sets and GWP sets. A sum over farms of such an item
    (a mixture of its sub-kinds) has its ratio between these bounds. A pair
    is left out when some sub-kind has no ``b`` (HVO100's fossil CO2 is 0).
    Items whose gases are not in fixed proportion (manure CH4 and N2O) get
    no bound.

    Returns
    -------
    dict
        ``(item, a, b)`` → ``(lo, hi)`` with ``lo · x_b ≤ x_a ≤ hi · x_b``.
    """
    out = {}
    for item, wide in item_gas_vectors(factor_sets, gwps).items():
        for a, b in permutations(wide.columns, 2):
            den = wide[b].to_numpy()
            if (den <= 0).any():
                continue
            ratio = wide[a].to_numpy() / den
            out[(item, str(a), str(b))] = (float(ratio.min()), float(ratio.max()))
    return out


def mass_bounds(gwps: Iterable[str] | None = None) -> dict[str, tuple[float, float]]:
    """[t CO2e per t of gas] the GWP sets allow between a gas in tonnes and in CO2e.

    CH4 spans the biogenic and the fossil GWP of every set given (default all).
    """
    sets = [load_gwp(g) for g in (gwps or GWP_SETS)]
    ch4 = [v for s in sets for v in (s.ch4_biogenic, s.ch4_fossil)]
    n2o = [s.n2o for s in sets]
    return {"CH4": (min(ch4), max(ch4)), "N2O": (min(n2o), max(n2o))}


# ---------------------------------------------------------------- the audit


@dataclass(frozen=True)
class Structure:
    """What an attacker knows of how one year's cells hang together.

    Attributes
    ----------
    names : tuple of str
        The cells (LP variables).
    relations : tuple of (total, parts)
        Published identities ``total = Σ parts``.
    ratios : tuple of (a, b, lo, hi)
        ``lo · b ≤ a ≤ hi · b`` (gas shares fixed by the factors, GWP ranges).
    signed : frozenset of str
        Cells that may be negative (soil carbon, net); all others are ≥ 0.
    """

    names: tuple[str, ...]
    relations: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ratios: tuple[tuple[str, str, float, float], ...] = ()
    signed: frozenset[str] = frozenset()

    @functools.cached_property
    def _matrices(self) -> tuple[np.ndarray, np.ndarray]:
        pos = {c: k for k, c in enumerate(self.names)}
        n = len(self.names)
        eq = np.zeros((len(self.relations), n))
        for r, (t, parts) in enumerate(self.relations):
            eq[r, pos[t]] += 1.0
            for p in parts:
                eq[r, pos[p]] -= 1.0
        ub = []
        for a, b, lo, hi in self.ratios:
            row = np.zeros(n)  # a − hi·b ≤ 0
            row[pos[a]], row[pos[b]] = 1.0, -hi * (1.0 + RELATIVE_SLACK)
            ub.append(row)
            if lo > 0:
                row = np.zeros(n)  # lo·b − a ≤ 0
                row[pos[a]], row[pos[b]] = -1.0, lo * (1.0 - RELATIVE_SLACK)
                ub.append(row)
        return eq, np.array(ub).reshape(len(ub), n)

    @functools.cached_property
    def neighbours(self) -> dict[str, frozenset[str]]:
        """Cell → the cells it shares a relation or a ratio bound with."""
        groups = [(t, *parts) for t, parts in self.relations]
        groups += [(a, b) for a, b, _lo, _hi in self.ratios]
        out: dict[str, set[str]] = {c: set() for c in self.names}
        for g in groups:
            for c in g:
                out[c].update(g)
        return {c: frozenset(v - {c}) for c, v in out.items()}


@dataclass
class Audit:
    """The intervals an attacker can prove for the primary-hidden cells.

    Attributes
    ----------
    protection : float
        The level required (share of |true value| each side).
    true : dict
        Cell → its true value.
    lower, upper : dict
        Cell → the provable lower and upper bound (±inf when unbounded).
        Cells not audited (early exit) are absent.
    pinned : list of str
        Primary cells whose interval is narrower than the protection level.
    """

    protection: float
    true: dict[str, float] = field(default_factory=dict)
    lower: dict[str, float] = field(default_factory=dict)
    upper: dict[str, float] = field(default_factory=dict)
    pinned: list[str] = field(default_factory=list)
    binding: dict[str, list[str]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.pinned

    def interval(self, cell: str) -> tuple[float, float]:
        """The interval ``[lower, upper]`` the attacker can prove for ``cell``."""
        return self.lower[cell], self.upper[cell]

    def merge(self, other: Audit, prefix: str = "") -> Audit:
        """Both audits' cells in one, ``other``'s names prefixed (one year's tables)."""

        def renamed(d: dict[str, float]) -> dict[str, float]:
            return {prefix + k: v for k, v in d.items()}

        return Audit(
            protection=self.protection,
            true={**self.true, **renamed(other.true)},
            lower={**self.lower, **renamed(other.lower)},
            upper={**self.upper, **renamed(other.upper)},
            pinned=[*self.pinned, *(prefix + c for c in other.pinned)],
        )


def published_bounds(
    structure: Structure, published: Mapping[str, float | None], unit: float = 1.0
) -> list[tuple[float | None, float | None]]:
    """Each cell's bounds known from publication: value ± unit/2, sign, or none."""
    out = []
    half = unit / 2.0
    for c in structure.names:
        v = published.get(c)
        lo: float | None = None if c in structure.signed else 0.0
        hi: float | None = None
        if v is not None and v == v:
            lo = v - half if lo is None else max(lo, v - half)
            hi = v + half
        out.append((lo, hi))
    return out


def _solve(
    structure: Structure, bounds: list, cell: int, sign: float
) -> tuple[float, np.ndarray | None, np.ndarray]:
    """min (``sign`` = 1) or −max (``sign`` = −1) of one cell: (end, point, bound marginals)."""
    eq, ub = structure._matrices
    cost = np.zeros(len(structure.names))
    cost[cell] = sign
    lp = linprog(
        cost,
        A_ub=ub if len(ub) else None,
        b_ub=np.zeros(len(ub)) if len(ub) else None,
        A_eq=eq if len(eq) else None,
        b_eq=np.zeros(len(eq)) if len(eq) else None,
        bounds=bounds,
        method="highs",
    )
    if lp.status == 3:  # unbounded
        return -sign * np.inf, None, np.zeros(len(cost))
    if lp.status != 0:  # the true figures satisfy every constraint: this is a bug
        raise RuntimeError(f"disclosure audit of {structure.names[cell]!r}: {lp.message}")
    marg = np.abs(lp.lower.marginals) + np.abs(lp.upper.marginals)
    return float(lp.x[cell]), np.asarray(lp.x), marg


def _one_relation(structure: Structure, bounds: list, cell: str) -> tuple[float, float]:
    """The exact interval of ``cell`` when the only constraint is one ``total = Σ parts``.

    With box bounds on every cell, ``part = total − Σ other parts`` ranges from
    the total's lowest minus the others' highest to the total's highest minus
    the others' lowest (and the total from the parts' sums), within its own box.
    """
    pos = {c: k for k, c in enumerate(structure.names)}
    box = [(-np.inf if lo is None else lo, np.inf if hi is None else hi) for lo, hi in bounds]
    t, parts = structure.relations[0]
    lo, hi = box[pos[cell]]
    if cell == t:
        return max(lo, sum(box[pos[p]][0] for p in parts)), min(
            hi, sum(box[pos[p]][1] for p in parts)
        )
    if cell not in parts:
        return lo, hi
    others = [box[pos[p]] for p in parts if p != cell]
    return (
        max(lo, box[pos[t]][0] - sum(o[1] for o in others)),
        min(hi, box[pos[t]][1] - sum(o[0] for o in others)),
    )


def audit(
    structure: Structure,
    true: Mapping[str, float],
    published: Mapping[str, float | None],
    primary: Sequence[str],
    *,
    protection: float = DEFAULT_PROTECTION,
    unit: float = 1.0,
    early_exit: bool = False,
    witnesses: list[np.ndarray] | None = None,
) -> Audit:
    """Prove, by linear programming, the interval of every primary-hidden cell.

    Variables are the cells of ``structure``; constraints its relations
    (equalities) and ratio bounds, each published value ± ``unit``/2, and
    ≥ 0 for every cell not ``signed``. For every primary cell two LPs give
    the lowest and the highest value the cell can take: the interval an
    attacker can prove.

    Parameters
    ----------
    structure : Structure
        The cells and what is known of how they hang together.
    true : mapping
        Cell → its true (unrounded) value.
    published : mapping
        Cell → its published value (rounded to ``unit``), None or absent when hidden.
    primary : sequence of str
        The cells hidden for a primary reason, in the order to check them.
    protection : float
        Required share of |true value| the interval must reach below and above.
    unit : float
        Rounding unit of the published values (each is known to ± unit/2).
    early_exit : bool
        Pass/fail only (for the suppression loop): stop at the first pinned
        cell, and skip an LP when a known feasible point (``witnesses``)
        already shows the cell can reach beyond the margin on that side.
        The intervals of such an audit are then not the attacker's extremes.
    witnesses : list of arrays, optional
        Feasible points found so far (extended in place with the new LP
        solutions). Hiding more cells only widens the feasible set, so they
        stay feasible while the suppression loop runs.

    Returns
    -------
    Audit
        ``lower``/``upper`` per audited cell, ``pinned`` cells, and for each
        pinned cell in ``binding`` the published cells whose bounds decided
        its failing side (hiding one of them can widen it).
    """
    bounds = published_bounds(structure, published, unit)
    pos = {c: k for k, c in enumerate(structure.names)}
    known = witnesses if witnesses is not None else []
    res = Audit(protection=protection)
    for c in primary:
        k = pos[c]
        t = float(true[c])
        margin = protection * abs(t)
        tol = 1e-6 * max(1.0, abs(t))
        res.true[c] = t
        if not structure.neighbours[c]:  # in no constraint: only its sign is known
            res.lower[c] = -np.inf if c in structure.signed else 0.0
            res.upper[c] = np.inf
            if t != 0 and res.lower[c] > t - margin + tol:
                res.pinned.append(c)
                if early_exit:
                    break
            continue
        if len(structure.relations) == 1 and not structure.ratios:
            lo, hi = _one_relation(structure, bounds, c)  # exact without an LP
            res.lower[c], res.upper[c] = lo, hi
            if lo > t - margin + tol or hi < t + margin - tol:
                res.pinned.append(c)
                res.binding[c] = [n for n in structure.names if published.get(n) is not None]
                if early_exit:
                    break
            continue
        ends, failed = [], None
        for sign in (1.0, -1.0):  # minimise, then maximise
            target = t - sign * margin
            if early_exit:
                seen = [w[k] for w in known if sign * (w[k] - target) <= tol]
                if seen:  # a feasible point already gets that far
                    ends.append(seen[0])
                    continue
            end, point, marg = _solve(structure, bounds, k, sign)
            ends.append(end)
            if point is not None:
                known.append(point)
            if sign * (end - target) > tol and failed is None:
                failed = marg
                if early_exit:
                    break
        res.lower[c] = ends[0]
        res.upper[c] = ends[1] if len(ends) > 1 else np.nan
        if failed is not None:
            res.pinned.append(c)
            res.binding[c] = [
                n
                for n, m in zip(structure.names, failed, strict=True)
                if m > 1e-9 and published.get(n) is not None
            ]
            if early_exit:
                break
    return res
