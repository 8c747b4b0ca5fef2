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
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from farmcalc.arrays import count_nonzero, filled
from farmcalc.factors import FactorSet, factors_dir
from farmcalc.inputs.vocabulary import GASES, LIVESTOCK_CATEGORIES, MANURE_SYSTEMS, SOURCES
from farmcalc.rows import ROW_CATEGORIES, codes, dense
from farmcalc.rows import pandas_sum as group_sum_as_pandas

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
        self.has_fallback = bool(fs.rows["fell_back"].astype(bool).any())
        self.kinds: dict[tuple[int, int, int, int], _Kind] = {}
        self.tables: dict[bytes, tuple] = {}
        self.pairs: dict[tuple[str, str, tuple[str, ...]], np.ndarray] = {}
        self.system_tables: dict[tuple, np.ndarray] = {}
        self.plans: dict[bytes, tuple] = {}

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


def has_fallback(fs: FactorSet) -> bool:
    """Whether ``fs`` took any value from its fallback set (known once per set)."""
    return _resolver(fs).has_fallback


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


_NAMES = {
    "source": tuple(SOURCES),
    "category": tuple(ROW_CATEGORIES),
    "gas": tuple(sorted(GASES)),
}
_SOURCE_RANK = np.argsort(np.argsort(np.array(_NAMES["source"], dtype=object), kind="stable"))
_SOURCE_BY_RANK = np.argsort(_SOURCE_RANK)
_IS_TIERED = np.array([s in TIERED_SOURCES for s in _NAMES["source"]])
_SOIL_CARBON_CODE = _NAMES["source"].index(SOIL_CARBON)
_BLOCK_COLUMNS = np.arange(2 + len(ORIGINS))
# the livestock class of each row category (-1: not a class)
_CLASS_OF = np.array(
    [LIVESTOCK_CATEGORIES.index(c) if c in LIVESTOCK_CATEGORIES else -1 for c in ROW_CATEGORIES]
)


class _Kind:
    """The governing factors of one kind of row and tier, resolved once per factor set."""

    __slots__ = ("default", "fixed", "n_all", "systems")

    def __init__(self, res: _Resolver, source: str, category: str, gas: str, tier: int):
        self.fixed, n_fixed, self.systems = _kind_fractions(res, source, category, gas, tier)
        self.n_all = n_fixed + len(self.systems)
        self.default = (
            sum(res.resolve(_fill(p, category))[1] for p in self.systems)
            if self.systems
            else np.zeros(len(ORIGINS))
        )


def _kind(res: _Resolver, key: tuple[int, int, int, int]) -> _Kind:
    hit = res.kinds.get(key)
    if hit is None:
        s, c, g, tier = key
        hit = res.kinds[key] = _Kind(
            res, _NAMES["source"][s], _NAMES["category"][c], _NAMES["gas"][g], tier
        )
    return hit


def _pair_fraction(res: _Resolver, category: str, system: str, patterns: list[str]) -> np.ndarray:
    """Summed origin fractions of ``patterns`` for one (class, manure system) pair."""
    key = (category, system, tuple(patterns))
    hit = res.pairs.get(key)
    if hit is None:
        hit = np.zeros(len(ORIGINS))
        for p in patterns:
            frac = res.resolve(_fill(p, category, system))[1]
            if frac is None:  # that system's factor missing: the class's table instead
                frac = res.resolve(_fill(p, category))[1]
            hit += frac if frac is not None else 0.0
        res.pairs[key] = hit
    return hit


def _system_table(res: _Resolver, category: str, kinds: list[tuple[int, list[str]]]) -> np.ndarray:
    """Per manure system (codes of ``MANURE_SYSTEMS``): the summed origin fractions of
    each kind's ``{system}`` patterns side by side, shape ``(systems, 3 × kinds)``
    (made once per factor set, class and kinds)."""
    key = (category, tuple(tuple(p) for _, p in kinds))
    hit = res.system_tables.get(key)
    if hit is None:
        hit = np.array(
            [
                [f for _, p in kinds for f in _pair_fraction(res, category, s, p)]
                for s in MANURE_SYSTEMS
            ]
        )
        hit.setflags(write=False)
        res.system_tables[key] = hit
    return hit


def _first_appearance(values: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Distinct ``values`` in the order they first appear, and each value's group number."""
    if len(values) <= 256:
        seen: dict[int, int] = {}
        ids = [seen.setdefault(v, len(seen)) for v in values.tolist()]
        return list(seen), np.array(ids, dtype=np.int64)
    uniq, first, inv = np.unique(values, return_index=True, return_inverse=True)
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(uniq))
    return values[np.sort(first)].tolist(), rank[np.ravel(inv)]


def _system_parts(
    res: _Resolver,
    manure: ManureWeights,
    category: str,
    kinds: list[tuple[int, list[str]]],
    n_farms: int,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Per farm: the summed origin fractions of each kind's ``{system}`` patterns, each
    weighted over the farm's manure systems of class ``category``.

    Sums as pandas made them (``groupby(["farm_idx", "category"], sort=False)``): the
    farms numbered by first appearance; the weights one block, the fractions another
    (one block per kind when any value is NaN, which decides how pandas adds up).

    Returns
    -------
    group : ndarray of int, shape (n_farms,)
        Each farm's group (-1: no systems of the class).
    parts : list of ndarray, shape (groups, 3)
        Per kind of ``kinds``.
    """
    cls = LIVESTOCK_CATEGORIES.index(category)
    mine = ((manure.category == cls) & (manure.weight > 0)).nonzero()[0]
    group = np.full(n_farms, -1, dtype=np.int64)
    if not len(mine):
        return group, []
    w = manure.weight[mine]
    by_farm, ids = _first_appearance(manure.farm[mine])
    group[by_farm] = np.arange(len(by_farm))
    per_row = _system_table(res, category, kinds)[manure.system[mine]]
    weighted = per_row * w[:, None]
    g = len(by_farm)
    k = len(ORIGINS)
    if count_nonzero(np.isnan(weighted)) or count_nonzero(np.isnan(w)):
        w_sum = group_sum_as_pandas(ids, w[:, None], g)[:, 0]
        sums = [
            group_sum_as_pandas(ids, weighted[:, j * k : j * k + k], g) for j in range(len(kinds))
        ]
    else:  # no NaN: every block is added up the same way, so all at once
        together = group_sum_as_pandas(ids, np.column_stack([weighted, w]), g)
        w_sum = together[:, -1]
        sums = [together[:, j * k : j * k + k] for j in range(len(kinds))]
    return group, [s / w_sum[:, None] for s in sums]


def _kind_table(res: _Resolver, ukeys: np.ndarray) -> tuple:
    """For kinds ``ukeys`` (``kind * 2 + tier - 1``): their fixed fractions, number of
    governing factors, default system fractions, and ``(j, class, patterns)`` of the
    kinds with manure-system factors (remembered per factor set and set of kinds)."""
    key = ukeys.tobytes()
    hit = res.tables.get(key)
    if hit is None:
        if len(res.tables) > 1024:  # bounded: batches of many different farms
            res.tables.clear()
        n_cat, n_gas = len(_NAMES["category"]), len(_NAMES["gas"])
        kinds, with_systems = [], []
        for j, k in enumerate(ukeys.tolist()):  # the few dozen kinds of row, never farms
            kind, t = divmod(k, 2)
            sc, g = divmod(kind, n_gas)
            s, c = divmod(sc, n_cat)
            spec = _kind(res, (s, c, g, t + 1))
            kinds.append(spec)
            name = _NAMES["category"][c]
            if spec.systems and name in LIVESTOCK_CATEGORIES:
                with_systems.append((j, name, spec.systems))
        hit = res.tables[key] = (
            np.array([k.fixed for k in kinds]).reshape(-1, len(ORIGINS)),
            np.array([k.n_all for k in kinds], dtype=np.int64),
            np.array([k.default for k in kinds]).reshape(-1, len(ORIGINS)),
            with_systems,
        )
    return hit


def _system_plan(
    res: _Resolver, ukeys: np.ndarray, by_class: dict[str, list[tuple[int, list[str]]]]
) -> tuple:
    """For kinds ``ukeys``: each class's rank, each kind's (class rank, slot), and the
    classes' system tables side by side (remembered per factor set and set of kinds)."""
    key = ukeys.tobytes()
    hit = res.plans.get(key)
    if hit is None:
        if len(res.plans) > 1024:  # bounded, as the kind tables
            res.plans.clear()
        rank = np.full(len(LIVESTOCK_CATEGORIES), -1, dtype=np.int64)
        width = max(len(kinds) for kinds in by_class.values())
        table = np.zeros((len(by_class), len(MANURE_SYSTEMS), width * len(ORIGINS)))
        kind_class = np.full(len(ukeys), -1, dtype=np.int64)
        kind_slot = np.zeros(len(ukeys), dtype=np.int64)
        for r, (c, kinds) in enumerate(by_class.items()):
            rank[LIVESTOCK_CATEGORIES.index(c)] = r
            t = _system_table(res, c, kinds)
            table[r, :, : t.shape[1]] = t
            for slot, (j, _) in enumerate(kinds):
                kind_class[j], kind_slot[j] = r, slot
        hit = res.plans[key] = (rank, width, table, kind_class, kind_slot)
    return hit


def _all_classes_at_once(
    res: _Resolver,
    ukeys: np.ndarray,
    by_class: dict[str, list[tuple[int, list[str]]]],
    manure: ManureWeights,
    farm: np.ndarray,
    inv: np.ndarray,
    part: np.ndarray,
    n_farms: int,
) -> bool:
    """:func:`_system_parts` of every class in one pass, written into ``part``.

    Done when the manure rows are sorted by farm and nothing is NaN: then each
    class's farms are numbered in order and pandas summed each (class, farm)
    group by ``add.reduceat`` over its rows — here the same groups, in the same
    row order, in one ``reduceat``. Returns False (nothing written) otherwise.
    """
    mf = manure.farm
    if count_nonzero(mf[1:] < mf[:-1]):
        return False
    rank, width, table, kind_class, kind_slot = _system_plan(res, ukeys, by_class)
    r = rank[manure.category]
    mine = ((r >= 0) & (manure.weight > 0)).nonzero()[0]
    if not len(mine):
        return True  # no class has systems: every row keeps its default
    # rows by class, within a class in their order (by farm)
    mine = mine[np.argsort(r[mine], kind="stable")]
    r, f, w = r[mine], mf[mine], manure.weight[mine]
    weighted = table[r, manure.system[mine]] * w[:, None]
    if count_nonzero(np.isnan(weighted)) or count_nonzero(np.isnan(w)):
        return False
    m = len(mine)
    new = np.empty(m, dtype=bool)
    new[0] = True
    np.logical_or(r[1:] != r[:-1], f[1:] != f[:-1], out=new[1:])
    starts = new.nonzero()[0]
    block = np.empty((width * len(ORIGINS) + 1, m))  # each column a contiguous row
    block[:-1] = weighted.T
    block[-1] = w
    sums = np.add.reduceat(block, starts, axis=1)
    frac = (sums[:-1] / sums[-1]).T.reshape(len(starts), width, len(ORIGINS))
    group = filled((len(rank), n_farms), -1, np.int64)
    group[r[starts], f[starts]] = np.arange(len(starts))
    cls = kind_class[inv]
    rows = (cls >= 0).nonzero()[0]
    g = group[cls[rows], farm[rows]]
    known = g >= 0
    rows, g = rows[known], g[known]
    part[rows] = frac[g, kind_slot[inv[rows]]]
    return True


@dataclass(frozen=True)
class ManureWeights:
    """Each livestock row's manure systems, weighted by housed head × share.

    Attributes
    ----------
    farm : ndarray of int
    category : ndarray of int
        Codes into ``LIVESTOCK_CATEGORIES``.
    system : ndarray of int
        Codes into ``MANURE_SYSTEMS``.
    weight : ndarray of float
    """

    farm: np.ndarray
    category: np.ndarray
    system: np.ndarray
    weight: np.ndarray


def row_fractions(
    farm: np.ndarray,
    source: np.ndarray,
    category: np.ndarray,
    gas: np.ndarray,
    fs: FactorSet,
    n_farms: int,
    *,
    tier2: tuple[np.ndarray, np.ndarray] | None = None,
    manure: ManureWeights | None = None,
) -> np.ndarray:
    """The origin fractions of every emission row, from the rows' codes.

    Parameters
    ----------
    farm, source, category, gas : ndarray
        The rows: farm index and codes of :mod:`farmcalc.rows`.
    fs : FactorSet
    n_farms : int
    tier2 : (ndarray, ndarray), optional
        Farm index and class code (``LIVESTOCK_CATEGORIES``) of every livestock
        row on Tier 2: that class's enteric and manure rows count as Tier 2.
    manure : ManureWeights, optional
        Without it a ``{system}`` factor counts by the table of all systems.

    Returns
    -------
    ndarray, shape (m, 3)
        Shares of ``ORIGINS``; a row without governing factors is ``other``.
    """
    m = len(farm)
    if m == 0:
        return np.zeros((0, len(ORIGINS)))
    res = _resolver(fs)
    n_cat, n_gas = len(_NAMES["category"]), len(_NAMES["gas"])
    key = ((source.astype(np.int64) * n_cat + category) * n_gas + gas) * 2  # tier 1
    if tier2 is not None and len(tier2[0]):
        cls = _CLASS_OF[category]
        on_t2 = np.zeros((n_farms, len(LIVESTOCK_CATEGORIES)), dtype=bool)
        on_t2[tier2[0], tier2[1]] = True
        tiered = _IS_TIERED[source] & (cls >= 0)
        key += tiered & on_t2[farm, np.maximum(cls, 0)]  # + 1: tier 2
    ukeys, inv = dense(key, len(_NAMES["source"]) * n_cat * n_gas * 2)
    fixed_u, n_all_u, default_u, with_systems = _kind_table(res, ukeys)
    fixed, n_all, part = fixed_u[inv], n_all_u[inv], default_u[inv]
    if with_systems and manure is not None and len(manure.farm):
        by_class: dict[str, list[tuple[int, list[str]]]] = {}
        for j, c, patterns in with_systems:
            by_class.setdefault(c, []).append((j, patterns))
        if _all_classes_at_once(res, ukeys, by_class, manure, farm, inv, part, n_farms):
            by_class = {}
        for c, kinds in by_class.items():  # the few classes, never farms
            group, parts = _system_parts(res, manure, c, kinds, n_farms)
            for (j, _), frac in zip(kinds, parts, strict=True):
                rows = (inv == j).nonzero()[0]
                g = group[farm[rows]]
                known = g >= 0
                part[rows[known]] = frac[g[known]]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (fixed + part) / n_all[:, None]
    out[n_all == 0] = [0.0, 0.0, 1.0]
    return out


@dataclass(frozen=True)
class Basis:
    """Each farm's factor basis, as arrays.

    Attributes
    ----------
    co2e_kg : ndarray, shape (n,)
        Sum of the rows' CO2e without soil carbon.
    shares : ndarray, shape (n, 3)
        Shares of ``ORIGINS`` of the absolute CO2e (NaN for a farm without emissions).
    farm, source : ndarray
        Per (farm, source), sorted by farm and by the source's name: farm index
        and source code.
    source_co2e_kg : ndarray
    source_shares : ndarray, shape (k, 3)
    """

    co2e_kg: np.ndarray
    shares: np.ndarray
    farm: np.ndarray
    source: np.ndarray
    source_co2e_kg: np.ndarray
    source_shares: np.ndarray


def basis(
    farm: np.ndarray,
    source: np.ndarray,
    co2e: np.ndarray,
    frac: np.ndarray,
    n_farms: int,
) -> Basis:
    """Weigh the rows' origin fractions by their absolute CO2e, per farm and per source."""
    n = n_farms
    weight = np.abs(co2e)
    counted = source != _SOIL_CARBON_CODE
    fc = farm[counted]
    # (co2e, w, w × fractions) of every row, one column each
    nc = 2 + len(ORIGINS)
    block = np.empty((len(farm), nc))
    block[:, 0] = co2e
    block[:, 1] = weight
    weighted = block[:, 2:]
    np.multiply(weight[:, None], frac, out=weighted)
    # per farm, every column in one bincount: bin (farm, column) adds its rows in
    # their order, as a bincount of that column alone does
    bins = (fc[:, None] * nc + _BLOCK_COLUMNS).ravel()
    farm_sums = np.bincount(bins, block[counted].ravel(), minlength=n * nc)[: n * nc]
    farm_sums = farm_sums.reshape(n, nc)
    co2e_kg, w_total = farm_sums[:, 0], farm_sums[:, 1]
    # per farm and source, groups sorted by farm and the source's name (as pandas did)
    key = farm * len(_SOURCE_RANK) + _SOURCE_RANK[source]
    ukey, ids = dense(key, n * len(_SOURCE_RANK))
    k = len(ukey)
    # pandas summed (co2e, w) as one block and each share column as its own
    if count_nonzero(np.isnan(block)):  # NaN decides per block how pandas adds up
        cw = group_sum_as_pandas(ids, block[:, :2], k)
        parts = np.column_stack(
            [group_sum_as_pandas(ids, block[:, 2 + j : 3 + j], k)[:, 0] for j in range(3)]
        )
    else:
        sums = group_sum_as_pandas(ids, block, k)
        cw, parts = sums[:, :2], sums[:, 2:]
    src_farm = ukey // len(_SOURCE_RANK)
    src = _SOURCE_BY_RANK[ukey % len(_SOURCE_RANK)]
    w_source = cw[:, 1:2]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where((w_total > 0)[:, None], farm_sums[:, 2:] / w_total[:, None], np.nan)
        src_shares = np.where(w_source > 0, parts / w_source, np.nan)
    return Basis(co2e_kg, shares, src_farm, src, cw[:, 0], src_shares)


def farm_basis(
    rows: pd.DataFrame,
    fs: FactorSet,
    n_farms: int,
    *,
    tiers: pd.DataFrame | None = None,
    manure: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each farm's share of CO2e resting on Swedish, IPCC and other values (frames).

    The frame form of :func:`row_fractions` and :func:`basis`.

    Parameters
    ----------
    rows : DataFrame
        ``farm_idx, source, category, gas, co2e_kg``.
    fs : FactorSet
    n_farms : int
        Farms ``0 .. n_farms-1``.
    tiers : DataFrame, optional
        ``farm_idx, category, tier`` of the livestock rows; a class with any
        Tier 2 row counts as Tier 2 (its enteric and manure rows).
    manure : DataFrame, optional
        ``farm_idx, category, system, weight``: each livestock class's manure
        systems and their weight (housed head × share).

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
    farm = rows["farm_idx"].to_numpy(dtype=np.int64)
    source = codes(rows["source"], "source")
    t2 = None
    if tiers is not None and len(tiers):
        on = tiers["tier"].to_numpy() == 2
        t2 = (
            tiers["farm_idx"].to_numpy(dtype=np.int64)[on],
            _codes_of(tiers["category"], LIVESTOCK_CATEGORIES)[on],
        )
    weights = None
    if manure is not None and len(manure):
        weights = ManureWeights(
            manure["farm_idx"].to_numpy(dtype=np.int64),
            _codes_of(manure["category"], LIVESTOCK_CATEGORIES),
            _codes_of(manure["system"], MANURE_SYSTEMS),
            manure["weight"].to_numpy(dtype=float),
        )
    frac = row_fractions(
        farm,
        source,
        codes(rows["category"], "category"),
        codes(rows["gas"], "gas"),
        fs,
        n_farms,
        tier2=t2,
        manure=weights,
    )
    b = basis(farm, source, rows["co2e_kg"].to_numpy(dtype=float), frac, n_farms)
    names = ["swedish_share", "ipcc_share", "other_share"]
    per_farm = pd.DataFrame({"co2e_kg": b.co2e_kg}, index=pd.RangeIndex(n_farms))
    for j, name in enumerate(names):
        per_farm[name] = b.shares[:, j]
    by_source = pd.DataFrame(
        {
            "farm_idx": b.farm,
            "source": np.array(SOURCES, dtype=object)[b.source],
            "co2e_kg": b.source_co2e_kg,
        }
    )
    for j, name in enumerate(names):
        by_source[name] = b.source_shares[:, j]
    return per_farm, by_source


def _codes_of(values, names: tuple[str, ...]) -> np.ndarray:
    """Codes of ``values`` (names, or a categorical) in ``names``."""
    return np.asarray(
        pd.Categorical(np.asarray(values, dtype=object), categories=names).codes, dtype=np.int64
    )


def percent_parts(shares: Sequence[float]) -> list[int]:
    """Whole percentages of ``shares`` (fractions summing to 1) that add up to 100.

    >>> percent_parts([0.156, 0.799, 0.045])
    [16, 80, 4]
    """
    return percent_parts_many(np.asarray([shares], dtype=float))[0].tolist()


def percent_parts_many(shares: np.ndarray) -> np.ndarray:
    """:func:`percent_parts` of every row of ``shares`` (shape ``(n, k)``) at once.

    Largest remainders: each row's percentages are floored, and the points
    still missing to 100 go to the largest remainders (ties: the first
    column first). A row that sums to 0 (or is all negative) gives zeros.

    >>> percent_parts_many(np.array([[0.156, 0.799, 0.045], [0.5, 0.5, 0.0]])).tolist()
    [[16, 80, 4], [50, 50, 0]]
    """
    raw = 100.0 * np.maximum(0.0, np.asarray(shares, dtype=float))
    total = raw.sum(axis=1, keepdims=True)
    positive = total[:, 0] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(positive[:, None], raw * 100.0 / total, 0.0)
    floors = np.floor(raw)
    left = np.where(positive, 100 - floors.sum(axis=1), 0).astype(np.int64)
    order = np.argsort(-(raw - floors), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(raw.shape[1])[None, :], axis=1)
    return (floors + (rank < left[:, None])).astype(np.int64)
