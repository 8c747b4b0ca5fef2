"""How much of a result rests on Swedish values, how much on IPCC defaults.

Every factor of a resolved :class:`~farmcalc.factors.FactorSet` has an *origin*:

``sweden``
    Its source is Swedish: listed as ``sweden`` in ``farmcalc/data/source_origin.csv``
    or in ``factors/sources/sweden.csv``, or the row is the set's own row in a set
    that lies over a fallback (the ``sweden`` set) and cites no IPCC source.
``ipcc``
    Its source is an IPCC report (a ``source_id`` beginning with ``ipcc``).
``other``
    Anything else: a manufacturer's footprint, a meta-analysis, an assumption of
    the project (``other`` in ``source_origin.csv``, or no rule above applies).

The rules are tried in this order: ``source_origin.csv``, ``sweden.csv``, IPCC,
own row of a national set, other.

Every emission row ``(source, category, gas)`` of a result has *governing
factors*: the factors that scale it (``farmcalc/data/factor_basis.csv``; physical
constants such as molar-mass ratios and days per year are not counted). A
governing factor is one factor id or a table (a prefix: all ids under it). The
row is as Swedish as the mean of its governing factors, each counting by the
share of its ids that are Swedish; ``{category}`` is the row's category,
``{system}`` each manure system of that livestock class on the farm, weighted
by the system's share of the class's housed animals. Enteric rows use the Tier
1 or Tier 2 factors, as the calculation did.

A farm's share is the mean of its rows weighted by their absolute CO2e, over the
rows of ``totals.co2e_kg`` (every source except soil carbon); the per-source
shares include soil carbon. Everything is computed column-wise, for all farms at
once; the loops run over the few dozen kinds of row. The rules, with an
example, are in ``factors/README.md`` ("How Swedish is a result?").
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from farmcalc.factors import FactorSet, factors_dir
from farmcalc.vocabulary import LIVESTOCK_CATEGORIES

ORIGINS: tuple[str, ...] = ("sweden", "ipcc", "other")
DATA = Path(__file__).resolve().parent / "data"
SOIL_CARBON = "soil_carbon"
ANY = "*"
TIER_RULES = {1: "tier1", 2: "tier2"}
# Rows whose factors depend on the tier the calculation used for the class on the farm.
TIERED_SOURCES = ("enteric_fermentation", "manure_management")


@functools.cache
def _source_origin() -> dict[str, str]:
    table = pd.read_csv(DATA / "source_origin.csv", dtype=str, keep_default_na=False)
    bad = sorted(set(table["origin"]) - set(ORIGINS))
    if bad:
        raise ValueError(f"source_origin.csv: unknown origin {bad}")
    return dict(zip(table["source_id"], table["origin"], strict=True))


@functools.cache
def _swedish_sources(folder: Path) -> frozenset[str]:
    path = folder / "sources" / "sweden.csv"
    if not path.is_file():
        return frozenset()
    return frozenset(pd.read_csv(path, dtype=str, keep_default_na=False)["source_id"])


@functools.cache
def _rules() -> dict[tuple[str, str, str], dict[str, tuple[str, ...]]]:
    """``(source, category, gas)`` → ``{when: governing patterns}`` of factor_basis.csv."""
    table = pd.read_csv(DATA / "factor_basis.csv", dtype=str, keep_default_na=False)
    rules: dict[tuple[str, str, str], dict[str, tuple[str, ...]]] = {}
    for s, c, g, when, factors in zip(
        table["source"],
        table["category"],
        table["gas"],
        table["when"],
        table["factors"],
        strict=True,
    ):
        rules.setdefault((s, c, g), {})[when] = tuple(factors.split())
    return rules


def factor_origins(fs: FactorSet) -> pd.Series:
    """The origin (``sweden``, ``ipcc`` or ``other``) of every factor of ``fs``.

    Returns
    -------
    Series
        Indexed by factor id, in the order of ``fs.rows``.
    """
    src = fs.rows["source_id"].astype(str)
    table = _source_origin()
    listed = src.map(table)
    own_national = (~fs.rows["fell_back"].astype(bool)) & bool(fs.fallback)
    origin = np.select(
        [
            listed.notna().to_numpy(),
            src.isin(_swedish_sources(factors_dir())).to_numpy(),
            src.str.startswith("ipcc").to_numpy(),
            own_national.to_numpy(),
        ],
        [listed.fillna("").to_numpy(dtype=object), "sweden", "ipcc", "sweden"],
        "other",
    )
    return pd.Series(origin, index=fs.rows.index, name="origin", dtype=object)


def set_basis(fs: FactorSet) -> dict[str, int]:
    """How many factor rows of ``fs`` are of each origin, and ``total``."""
    counts = factor_origins(fs).value_counts()
    out = {o: int(counts.get(o, 0)) for o in ORIGINS}
    out["total"] = len(fs.rows)
    return out


class _Resolver:
    """Patterns → factor ids → origin fractions, for one factor set (cached per pattern)."""

    def __init__(self, fs: FactorSet) -> None:
        self.known = frozenset(str(i) for i in fs.rows.index)  # not ``fs``: see _resolver
        origins = factor_origins(fs)
        self.ids = origins.index.to_numpy(dtype=object)
        self.onehot = np.column_stack([(origins == o).to_numpy() for o in ORIGINS]).astype(float)
        self._cache: dict[str, tuple[list[str], np.ndarray | None]] = {}

    def ids_of(self, pattern: str) -> list[str]:
        return self.resolve(pattern)[0]

    def resolve(self, pattern: str) -> tuple[list[str], np.ndarray | None]:
        """The ids a resolved pattern names and their origin fractions (None: no factor).

        ``prefix[cat]`` is the table under ``prefix`` without the rows of other
        livestock classes: ids whose last part is ``cat`` or no livestock class.
        """
        if pattern not in self._cache:
            prefix, cat = pattern, None
            if pattern.endswith("]") and "[" in pattern:
                prefix, cat = pattern[:-1].split("[", 1)
            if prefix in self.known:
                mask = self.ids == prefix
            else:
                mask = np.array([str(i).startswith(prefix + ".") for i in self.ids], dtype=bool)
            if cat is not None:
                last = np.array([str(i).rsplit(".", 1)[-1] for i in self.ids], dtype=object)
                other_class = np.isin(last, list(LIVESTOCK_CATEGORIES)) & (last != cat)
                mask &= ~other_class
            ids = [str(i) for i in self.ids[mask]]
            frac = self.onehot[mask].mean(axis=0) if ids else None
            self._cache[pattern] = (ids, frac)
        return self._cache[pattern]


_RESOLVERS: dict[int, tuple[weakref.ref, _Resolver]] = {}


def _resolver(fs: FactorSet) -> _Resolver:
    """The resolver of ``fs``, made once per factor-set object (sets are loaded once).

    Keyed by the object's identity and held only as long as the set lives (a weak
    reference; the resolver keeps no reference to the set).
    """
    key = id(fs)
    hit = _RESOLVERS.get(key)
    if hit is not None and hit[0]() is fs:
        return hit[1]
    made = _Resolver(fs)
    _RESOLVERS[key] = (weakref.ref(fs, lambda _ref, key=key: _RESOLVERS.pop(key, None)), made)
    return made


def _rule(source: str, category: str, gas: str) -> dict[str, tuple[str, ...]] | None:
    rules = _rules()
    return rules.get((source, category, gas)) or rules.get((source, ANY, gas))


def _patterns(rule: dict[str, tuple[str, ...]], tier: int) -> tuple[str, ...]:
    return rule.get(TIER_RULES[tier]) or rule.get("", ())


def _fill(pattern: str, category: str, system: str | None = None) -> str:
    p = pattern.replace("{category}", category)
    if system is None:
        return p.replace(".{system}", "")
    return p.replace("{system}", system)


def governing_factors(
    fs: FactorSet, source: str, category: str, gas: str, tier: int = 1
) -> list[list[str]]:
    """The governing factors of one kind of emission row, each as its factor ids.

    ``{system}`` patterns are resolved to the table of every manure system.
    Patterns that name no factor of ``fs`` are left out; an empty list means the
    row has no governing factor in ``fs`` (it then counts as ``other``).
    """
    rule = _rule(source, category, gas)
    if rule is None:
        return []
    res = _resolver(fs)
    found = [res.ids_of(_fill(p, category)) for p in _patterns(rule, tier)]
    return [ids for ids in found if ids]


def _kind_fractions(
    res: _Resolver, source: str, category: str, gas: str, tier: int
) -> tuple[np.ndarray, int, list[str]]:
    """Sum of the origin fractions of the fixed patterns, their number, the system patterns."""
    rule = _rule(source, category, gas)
    total = np.zeros(len(ORIGINS))
    n = 0
    systems: list[str] = []
    if rule is None:
        return total, n, systems
    for p in _patterns(rule, tier):
        if "{system}" in p:
            if res.resolve(_fill(p, category))[1] is not None:
                systems.append(p)
            continue
        frac = res.resolve(_fill(p, category))[1]
        if frac is not None:
            total += frac
            n += 1
    return total, n, systems


def _system_fractions(res: _Resolver, manure: pd.DataFrame, patterns: list[str]) -> pd.DataFrame:
    """Per ``(farm_idx, category)``: the summed origin fractions of ``patterns``, each
    weighted over the farm's manure systems of that class."""
    m = manure.loc[manure["weight"].to_numpy(dtype=float) > 0]
    cat = m["category"].astype(str).to_numpy(dtype=object)
    system = m["system"].astype(str).to_numpy(dtype=object)
    pairs, inverse = np.unique(
        np.column_stack([cat, system]).astype(str), axis=0, return_inverse=True
    )
    per_pair = np.zeros((len(pairs), len(ORIGINS)))
    for j, (c, s) in enumerate(pairs):  # the few (class, system) pairs, never farms
        for p in patterns:
            frac = res.resolve(_fill(p, c, s))[1]
            if frac is None:  # that system's factor missing: the class's table instead
                frac = res.resolve(_fill(p, c))[1]
            per_pair[j] += frac if frac is not None else 0.0
    w = m["weight"].to_numpy(dtype=float)
    weighted = per_pair[np.ravel(inverse)] * w[:, None]
    frame = pd.DataFrame(weighted, columns=list(ORIGINS))
    frame["farm_idx"] = m["farm_idx"].to_numpy(dtype=np.int64)
    frame["category"] = cat
    frame["w"] = w
    g = frame.groupby(["farm_idx", "category"], sort=False).sum()
    return g[list(ORIGINS)].div(g["w"], axis=0)


def row_basis(
    rows: pd.DataFrame,
    fs: FactorSet,
    *,
    tiers: pd.DataFrame | None = None,
    manure: pd.DataFrame | None = None,
) -> np.ndarray:
    """The origin fractions of every emission row.

    Parameters
    ----------
    rows : DataFrame
        ``farm_idx, source, category, gas`` (the engine's or the API's rows).
    fs : FactorSet
        The set the rows were calculated with.
    tiers : DataFrame, optional
        ``farm_idx, category, tier`` of the livestock rows (the engine's
        ``n_flows``); a class with any Tier 2 row counts as Tier 2 (its enteric
        and manure rows). Without it every row is Tier 1.
    manure : DataFrame, optional
        ``farm_idx, category, system, weight``: each livestock class's manure
        systems and their weight (housed head × share). Without it a
        ``{system}`` factor counts by the table of all systems.

    Returns
    -------
    ndarray
        Shape ``(len(rows), 3)``: the shares of ``ORIGINS``, each row summing
        to 1 (a row without governing factors is ``other``).
    """
    n = len(rows)
    out = np.zeros((n, len(ORIGINS)))
    if n == 0:
        return out
    res = _resolver(fs)
    source = np.asarray(rows["source"].astype(str), dtype=object)
    category = np.asarray(rows["category"].astype(str), dtype=object)
    gas = np.asarray(rows["gas"].astype(str), dtype=object)
    farm = rows["farm_idx"].to_numpy(dtype=np.int64)
    kind_codes, kinds = pd.MultiIndex.from_arrays([source, category, gas]).factorize()

    tier = np.ones(n, dtype=np.int64)
    if tiers is not None and len(tiers):
        t2 = tiers.loc[tiers["tier"].to_numpy() == 2]
        keys = pd.MultiIndex.from_arrays(
            [t2["farm_idx"].to_numpy(dtype=np.int64), t2["category"].astype(str).to_numpy()]
        )
        row_keys = pd.MultiIndex.from_arrays([farm, category])
        tier = np.where(row_keys.isin(keys) & np.isin(source, TIERED_SOURCES), 2, 1)

    for k, (s, c, g) in enumerate(kinds):  # the few dozen kinds of row, never farms
        in_kind = kind_codes == k
        for t in np.unique(tier[in_kind]):
            sel = in_kind & (tier == t)
            fixed, n_fixed, systems = _kind_fractions(res, s, c, g, int(t))
            n_all = n_fixed + len(systems)
            if n_all == 0:
                out[sel, ORIGINS.index("other")] = 1.0
                continue
            sums = np.broadcast_to(fixed, (int(sel.sum()), len(ORIGINS))).copy()
            if systems:
                # the class's table of all systems, unless the farm's systems are known
                default = sum(res.resolve(_fill(p, c))[1] for p in systems)
                sys_part = np.broadcast_to(default, sums.shape).copy()
                if manure is not None and len(manure):
                    mine = manure.loc[manure["category"].astype(str).to_numpy() == c]
                    if len(mine):
                        by_farm = _system_fractions(res, mine, systems)
                        idx = by_farm.index.get_indexer(
                            pd.MultiIndex.from_arrays([farm[sel], category[sel]])
                        )
                        known = idx >= 0
                        sys_part[known] = by_farm.to_numpy()[idx[known]]
                sums += sys_part
            out[sel] = sums / n_all
    return out


def farm_basis(
    rows: pd.DataFrame,
    fs: FactorSet,
    n_farms: int,
    *,
    tiers: pd.DataFrame | None = None,
    manure: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each farm's share of CO2e resting on Swedish, IPCC and other values.

    Parameters
    ----------
    rows : DataFrame
        ``farm_idx, source, category, gas, co2e_kg``.
    fs : FactorSet
    n_farms : int
        Farms ``0 .. n_farms-1``.
    tiers, manure : DataFrame, optional
        See :func:`row_basis`.

    Returns
    -------
    per_farm : DataFrame
        Index ``0 .. n_farms-1``: ``co2e_kg`` (sum, without soil carbon) and
        ``swedish_share, ipcc_share, other_share`` (of the absolute CO2e; NaN
        for a farm without emissions).
    by_source : DataFrame
        ``farm_idx, source, co2e_kg, swedish_share, ipcc_share, other_share``,
        sorted by farm and source (soil carbon included).
    """
    frac = row_basis(rows, fs, tiers=tiers, manure=manure)
    co2e = rows["co2e_kg"].to_numpy(dtype=float) if len(rows) else np.zeros(0)
    weight = np.abs(co2e)
    farm = rows["farm_idx"].to_numpy(dtype=np.int64) if len(rows) else np.zeros(0, np.int64)
    source = np.asarray(rows["source"].astype(str), dtype=object) if len(rows) else farm
    counted = source != SOIL_CARBON
    names = ["swedish_share", "ipcc_share", "other_share"]

    per_farm = pd.DataFrame(index=pd.RangeIndex(n_farms))
    per_farm["co2e_kg"] = np.bincount(farm[counted], co2e[counted], minlength=n_farms)[:n_farms]
    w_total = np.bincount(farm[counted], weight[counted], minlength=n_farms)[:n_farms]
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, name in enumerate(names):
            part = np.bincount(farm[counted], (weight * frac[:, j])[counted], minlength=n_farms)[
                :n_farms
            ]
            per_farm[name] = np.where(w_total > 0, part / w_total, np.nan)

    frame = pd.DataFrame({"farm_idx": farm, "source": source, "co2e_kg": co2e, "w": weight})
    for j, name in enumerate(names):
        frame[name] = weight * frac[:, j]
    g = frame.groupby(["farm_idx", "source"], sort=True).sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        for name in names:
            g[name] = np.where(g["w"] > 0, g[name] / g["w"], np.nan)
    return per_farm, g.drop(columns="w")


def percent_parts(shares: Sequence[float]) -> list[int]:
    """Whole percentages of ``shares`` (fractions summing to 1) that add up to 100.

    >>> percent_parts([0.156, 0.799, 0.045])
    [16, 80, 4]
    """
    raw = [100.0 * max(0.0, float(s)) for s in shares]
    total = sum(raw)
    if total <= 0:
        return [0] * len(raw)
    raw = [r * 100.0 / total for r in raw]
    floors = [math.floor(r) for r in raw]
    left = 100 - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: -(raw[i] - floors[i]))
    for i in order[:left]:
        floors[i] += 1
    return floors
