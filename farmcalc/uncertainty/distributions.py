"""Distributions of the factors, read from the factor rows, and their shared draws.

Every factor row with ``low``/``high`` states a ``distribution`` (column of
``factors/*/*.csv``, declared in ``factors/columns.csv``):

``lognormal``
    Median = the row's ``value``; ``sigma = ln(high/low) / (2 × 1.96)`` (the
    mean log half-width of the 95 % range). Used where the range is near
    symmetric in logs: ``0 < low < value < high`` and
    ``0.5 <= ln(high/value) / ln(value/low) <= 2``; there the 2.5th and 97.5th
    percentiles are ``value·exp(∓1.96·sigma)`` = ``value·sqrt(low/high)`` and
    ``value·sqrt(high/low)``.
``pert``
    Beta-PERT on ``[low, high]`` (``a = 1 + 4 t``, ``b = 5 - 4 t``, mode at
    ``low + t (high - low)``) with ``t`` chosen so that the median is the row's
    ``value`` (where no mode reaches it, the mode is on the nearer bound):
    for ranges with a bound at or below 0, a value on a bound, or a range too
    skewed for the lognormal (a lognormal would put fractions above 1).
``none``
    Not drawn (e.g. plausibility bounds, which are not an uncertainty).

Rows with the same ``correlation_group`` are drawn from one standard normal
(fully rank-correlated); a row without a group is its own group. Pure
functions, no I/O besides what the factor set holds.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from farmcalc.arrays import exp
from farmcalc.errors import FactorError
from farmcalc.factors import FactorSet, check_distribution_row

Z_95 = float(special.ndtri(0.975))
"""The standard normal quantile of 0.975: the 95 % bounds lie ±Z_95 σ from the median."""


@dataclass(frozen=True)
class FactorDistribution:
    """The distribution of one factor row.

    Attributes
    ----------
    factor_id : str
        The row's id.
    kind : str
        ``lognormal`` or ``pert``.
    value, low, high : float
        The row's value and 95 % bounds (PERT: minimum and maximum) [row's unit].
    group : str
        The correlation group: the driver whose standard normal is used.
    """

    factor_id: str
    kind: str
    value: float
    low: float
    high: float
    group: str

    @property
    def sigma(self) -> float:
        """Lognormal: sigma of ln(factor) [-] (NaN for PERT)."""
        if self.kind != "lognormal":
            return float("nan")
        return math.log(self.high / self.low) / (2.0 * Z_95)

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        """The factor's draws from standard-normal draws ``z`` [row's unit]."""
        z = np.asarray(z, dtype=float)
        if self.kind == "lognormal":
            return self.value * exp(self.sigma * z)  # the same bits on every machine
        a, b = self.pert_shape
        return self.low + (self.high - self.low) * special.betaincinv(a, b, special.ndtr(z))

    @property
    def pert_shape(self) -> tuple[float, float]:
        """PERT: the Beta shapes ``(a, b)`` whose median is the row's value [-].

        ``a = 1 + 4 t``, ``b = 1 + 4 (1 - t)`` with the mode at ``low + t (high - low)``;
        ``t`` is found by bisection so that the median is ``value`` (the nearest
        bound when no ``t`` in [0, 1] reaches it).
        """
        t = _pert_t((self.value - self.low) / (self.high - self.low))
        return 1.0 + 4.0 * t, 5.0 - 4.0 * t


@functools.cache
def _pert_t(x: float) -> float:
    """The mode's place ``t`` in [0, 1] whose PERT median is ``x`` (bisection)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):  # the median grows with t
        t = 0.5 * (lo + hi)
        if special.betaincinv(1.0 + 4.0 * t, 5.0 - 4.0 * t, 0.5) < x:
            lo = t
        else:
            hi = t
    return 0.5 * (lo + hi)


def factor_distributions(fs: FactorSet) -> list[FactorDistribution]:
    """The drawn factors of a set (rows with ``distribution`` lognormal or pert)."""
    rows = fs.rows
    kinds = rows["distribution"].astype(str).str.strip()
    drawn = rows.loc[kinds.isin(["lognormal", "pert"])]
    out = []
    for fid, r in drawn.iterrows():  # ~150 rows of the set, never farms
        value, low, high = (float(pd.to_numeric(r[c])) for c in ("value", "low", "high"))
        kind = str(r["distribution"]).strip()
        why = check_distribution_row(str(fid), value, low, high, kind)
        if why:
            raise FactorError(f"{fid}: {why}")
        group = str(r["correlation_group"]).strip() or str(fid)
        out.append(FactorDistribution(str(fid), kind, value, low, high, group))
    return out


@dataclass(frozen=True)
class SharedDraws:
    """One seeded set of factor draws, used for every farm, year and scenario of a run.

    Attributes
    ----------
    seed : int
        The seed of ``numpy.random.default_rng``.
    n_draws : int
        ``D``, the number of draws.
    normals : dict of str to ndarray, shape (D,)
        Correlation group → its standard-normal draws [-].
    factors : dict of str to ndarray, shape (D,)
        Factor id → its draws [row's unit].
    groups : dict of str to tuple of str
        Correlation group → the factor ids drawn from it.
    """

    seed: int
    n_draws: int
    normals: Mapping[str, np.ndarray]
    factors: Mapping[str, np.ndarray]
    groups: Mapping[str, tuple[str, ...]]


def shared_draws(fs: FactorSet, n_draws: int, seed: int = 0) -> SharedDraws:
    """Draw every uncertain factor of ``fs`` ``n_draws`` times with one seeded generator.

    The groups are drawn in sorted order, so the draws depend only on the
    seed, ``n_draws`` and the set's rows. The last few results are kept (same
    factor set object, ``n_draws`` and seed: the same read-only arrays).
    """
    if n_draws < 1:
        raise ValueError("n_draws must be at least 1")
    key = (id(fs), int(n_draws), int(seed))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is fs:
        return hit[1]
    out = _shared_draws(fs, n_draws, seed)
    if len(_CACHE) >= 8:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (fs, out)
    return out


_CACHE: dict[tuple[int, int, int], tuple[FactorSet, SharedDraws]] = {}


def _shared_draws(fs: FactorSet, n_draws: int, seed: int) -> SharedDraws:
    dists = factor_distributions(fs)
    groups: dict[str, list[str]] = {}
    for d in dists:
        groups.setdefault(d.group, []).append(d.factor_id)
    rng = np.random.default_rng(seed)
    names = sorted(groups)
    z = rng.standard_normal((len(names), n_draws))
    normals = {g: z[i] for i, g in enumerate(names)}
    factors = {d.factor_id: d.from_normal(normals[d.group]) for d in dists}
    for a in (*normals.values(), *factors.values()):  # shared by every run: read-only
        a.flags.writeable = False
    return SharedDraws(
        seed=int(seed),
        n_draws=int(n_draws),
        normals=normals,
        factors=factors,
        groups={g: tuple(sorted(v)) for g, v in groups.items()},
    )
