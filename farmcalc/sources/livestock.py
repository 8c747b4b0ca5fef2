"""Livestock calculator: enteric CH4, manure CH4 and N2O, and the N flows of manure.

Works column-wise over the livestock rows of all farms at once, on the numpy
columns of :attr:`farmcalc.inputs.tables.FarmTables.arrays`, calling the model
functions of :mod:`farmcalc.sources.enteric` and :mod:`farmcalc.sources.manure`.
Every number comes from the factor set, looked up by vocabulary codes
(:meth:`farmcalc.factors.FactorSet.take`). A factor with draws (a leading
axis, :mod:`farmcalc.draws`) broadcasts through: every kg becomes ``(D, m)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from farmcalc.arrays import by_draw, count_nonzero, filled
from farmcalc.errors import FactorError
from farmcalc.factors import FactorSet
from farmcalc.inputs.vocabulary import LIVESTOCK_CATEGORIES, MANURE_SYSTEMS
from farmcalc.rows import Rows, code
from farmcalc.sources import enteric, manure

ROW_COLUMNS = ["farm_idx", "source", "category", "gas", "kg"]
N_FLOW_COLUMNS = [
    "farm_idx",
    "category",
    "n_excreted_kg",
    "n_pasture_kg",
    "n_housed_kg",
    "n_available_kg",
    "tier",
    "nex_default",
]
MILK_BANDS = ("low", "medium", "high")
ENTERIC = "enteric_fermentation"
MANURE = "manure_management"
T2 = "enteric.tier2."
LV = LIVESTOCK_CATEGORIES
MS = MANURE_SYSTEMS
# the record's optional class data (issue 11); a table built without them reads as "not given"
CLASS_COLUMNS = (
    "live_weight_kg",
    "weight_gain_kg_per_day",
    "pregnant_fraction",
    "months_on_farm",
    "crude_protein_pct",
    "digestibility_pct",
)
# Factors per livestock class, looked up together by the class codes (one table per set):
# those every row needs (an error names the classes without one), manure.bo (needed by
# the classes with manure systems), then those a class may lack (NaN: not used).
_CLASS_REQUIRED = ("livestock.tam_kg", "enteric.ef", "livestock.n_rate", "manure.vs_rate")
_CLASS = (
    *_CLASS_REQUIRED,
    "manure.bo",
    "livestock.months_on_farm",
    T2 + "cfi",
    T2 + "weight_kg",
    T2 + "milk_kg",
    "livestock.nex_kg_head",
    T2 + "de_pct",
    T2 + "ym_pct",
    T2 + "gain_kg_d",
    T2 + "pregnant_fraction",
    "livestock.crude_protein_pct",
    T2 + "c_growth",
)
_C = {p: i for i, p in enumerate(_CLASS)}
_BO = _C["manure.bo"]
# per manure system, and per class and system (names as FactorSet.take2 joins them)
_SYSTEM = ("manure.ef3", "manure.frac_leach", "manure.mcf")
_PAIR = ("manure.frac_gas", "manure.frac_loss")
_PAIRS = tuple(f"{a}.{b}" for a in LV for b in MS)
# The livestock's emission rows are of 3 x 13 kinds (source, category, gas); a kind's
# number is its rank in the order of the codes, so farm x kinds + kind sorts rows as
# farmcalc.rows sorts them (farm, source, category, gas).
_PARTS = ((ENTERIC, "CH4"), (MANURE, "CH4"), (MANURE, "N2O"))
_TRIPLES = [
    (code(src, "source"), code(c, "category"), code(gas, "gas")) for src, gas in _PARTS for c in LV
]
_RANK = np.argsort(np.argsort(np.array(_TRIPLES, dtype=np.int64) @ [1 << 32, 1 << 8, 1]))
_N_KINDS = len(_TRIPLES)
_KIND_ENTERIC_CH4, _KIND_MANURE_CH4, _KIND_MANURE_N2O = _RANK.reshape(len(_PARTS), len(LV))
_KIND_SOURCE, _KIND_CATEGORY, _KIND_GAS = (
    np.array([t[j] for t in _TRIPLES], dtype=dt)[np.argsort(_RANK)]
    for j, dt in enumerate((np.int8, np.int16, np.int8))
)
_LIVESTOCK_DTYPE = pd.CategoricalDtype(LV)
# the class columns the Tier 2 model reads
TIER2_COLUMNS = (
    "weight_gain_kg_per_day",
    "pregnant_fraction",
    "crude_protein_pct",
    "digestibility_pct",
)


@dataclass(frozen=True)
class LivestockResult:
    """What :func:`calc_livestock` returns.

    Attributes
    ----------
    rows : Rows
        Enteric CH4 and manure management CH4 and N2O (direct + indirect)
        per farm and livestock category [kg of the gas yr-1]; rows of 0 kg
        are dropped.
    n_flows : dict of str to ndarray
        One entry per livestock row: ``index`` (``lv_idx``), ``farm_idx``,
        ``category`` (int16 codes of ``LIVESTOCK_CATEGORIES``),
        ``n_excreted_kg, n_pasture_kg`` (F_PRP), ``n_housed_kg,
        n_available_kg`` (managed manure N left after losses, Eq. 10.34, for
        F_ON) [kg N yr-1; ``(D, n)`` with draws], ``tier`` (1 or 2, of
        enteric CH4, and of N and VS excretion unless a value was given) and
        ``nex_default`` (True when Eq. 10.30 gave N excretion: no value in
        the record, no standard value in the set, not Tier 2).
    """

    rows: Rows
    n_flows: dict[str, np.ndarray]

    def n_flows_frame(self) -> pd.DataFrame:
        """The N flows as the DataFrame of before (see :func:`n_flows_frame`)."""
        return n_flows_frame(self.n_flows)


def n_flows_frame(n_flows: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The N flows as a DataFrame indexed by ``lv_idx`` (columns ``N_FLOW_COLUMNS``).

    An adapter for the consumers that still read a table (notes, factor
    basis); 1-D flows only (no draws).
    """
    index = np.asarray(n_flows["index"], dtype=np.int64)
    n = len(index)
    if n == 0 or (index[0] == 0 and _all(np.diff(index) == 1)):
        idx = pd.RangeIndex(n, name="lv_idx")
    else:
        idx = pd.Index(index, name="lv_idx")
    data = {c: n_flows[c] for c in N_FLOW_COLUMNS}
    data["category"] = pd.Categorical.from_codes(n_flows["category"], dtype=_LIVESTOCK_DTYPE)
    return pd.DataFrame(data, index=idx, columns=N_FLOW_COLUMNS)


@dataclass(frozen=True)
class Tier2:
    """Per head results of the Tier 2 energy model for the Tier 2 rows."""

    ef: np.ndarray  # kg CH4 head-1 yr-1 (Eq. 10.21)
    ge: np.ndarray  # MJ head-1 d-1 (Eq. 10.16)
    de_pct: np.ndarray  # % of GE
    nex: np.ndarray  # kg N head-1 yr-1 (Eq. 10.31-10.33)
    vs: np.ndarray  # kg VS head-1 yr-1 (Eq. 10.24)


@dataclass(frozen=True)
class _Table:
    """Factors of several prefixes by the codes of one vocabulary (see :func:`_table`).

    ``values`` has shape ``(..., F, K + 1)`` (leading draws axes of a drawn set; NaN
    where a name has no factor, and in the last column, for the missing code -1);
    ``found`` ``(F, K + 1)`` says which have one, ``all_found`` ``(K + 1,)`` which
    names have all F; ``absent`` which prefixes have none.
    """

    prefixes: tuple[str, ...]
    names: tuple[str, ...]
    values: np.ndarray
    found: np.ndarray
    absent: tuple[bool, ...]
    all_found: np.ndarray


def _table(fs: FactorSet, prefixes: tuple[str, ...], names: tuple[str, ...]) -> _Table:
    """The factors ``<prefix>.<name>`` of every prefix and name, cached per factor set.

    Made once from the set's own look-up tables (``FactorSet.take``'s), so a
    drawn set (:class:`~farmcalc.draws.DrawnFactorSet`) gives its draws.
    """
    cache = fs._series_cache  # type: ignore[attr-defined]
    key = ("livestock._table", prefixes, names)
    if key not in cache:
        k = len(names) + 1
        values, found, absent = [], [], []
        for prefix in prefixes:
            try:
                v, f = fs._code_table(prefix, names)  # type: ignore[attr-defined]
            except FactorError:  # no factor under the prefix
                v, f = np.full(k, np.nan), np.zeros(k, dtype=bool)
                absent.append(True)
            else:
                absent.append(False)
            values.append(np.where(f, v, np.nan))
            found.append(f)
        lead = np.broadcast_shapes(*(v.shape[:-1] for v in values))
        stacked = np.stack([np.broadcast_to(v, (*lead, k)) for v in values], axis=-2)
        found = np.array(found)
        cache[key] = _Table(prefixes, names, stacked, found, tuple(absent), found.all(axis=0))
    return cache[key]


def _pair_grid(fs: FactorSet) -> tuple[np.ndarray, np.ndarray]:
    """The class x system factors (``_PAIR``), ``[..., F, class x (systems + 1) + system]``.

    One more class and one more system (NaN, not found) take the missing code -1
    (a system -1 lands on the previous class's extra system: NaN, not found). The
    second array says which pairs have both factors.
    """
    cache = fs._series_cache  # type: ignore[attr-defined]
    key = ("livestock._pair_grid", "flat", "found")
    if key not in cache:
        t = _table(fs, _PAIR, _PAIRS)
        k1, k2 = len(LV), len(MS)
        lead = t.values.shape[:-1]
        values = np.full((*lead, k1 + 1, k2 + 1), np.nan)
        values[..., :k1, :k2] = t.values[..., : k1 * k2].reshape((*lead, k1, k2))
        found = np.zeros((len(_PAIR), k1 + 1, k2 + 1), dtype=bool)
        found[:, :k1, :k2] = t.found[:, : k1 * k2].reshape((len(_PAIR), k1, k2))
        flat = (k1 + 1) * (k2 + 1)
        found = found.reshape((len(_PAIR), flat)).all(axis=0)  # both factors of the pair
        cache[key] = (values.reshape((*lead, flat)), found)
    return cache[key]


def _require(fs: FactorSet, checks: list[tuple[_Table, int, np.ndarray]]) -> None:
    """Raise the look-up's FactorError if a code used has no factor (first check first).

    Each check is ``(table, row of the prefix, codes used)``; the error is the one
    :meth:`~farmcalc.factors.FactorSet.take` gives (it names the keys used).
    """
    for t, i, codes in checks:
        if t.absent[i] or not _all(t.found[i][codes]):
            fs.take(t.prefixes[i], t.names, codes)  # raises


def _at(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``a[..., idx]``: entries ``idx`` of the last axis (plain indexing when 1-D, quicker)."""
    return a[idx] if a.ndim == 1 else a.take(idx, axis=-1)


def _all(mask: np.ndarray) -> bool:
    """``mask.all()``, by counting (quicker on small arrays)."""
    return count_nonzero(mask) == mask.size


def _nan(a: np.ndarray) -> np.ndarray:
    """Which entries are NaN, shape ``(n,)`` (draws have the same NaN in every draw)."""
    return np.isnan(by_draw(a)[0] if a.ndim > 1 else a)


def _first(*arrays: np.ndarray) -> np.ndarray:
    """Element-wise the first value that is not NaN (the order is the precedence)."""
    out = arrays[0]
    for a in arrays[1:]:
        missing = np.isnan(out)
        count = count_nonzero(missing)
        if count == missing.size:  # none given: all of the next (no draws can differ)
            out = a
        elif count:
            out = np.where(missing, a, out)
    return out


def _put(base: np.ndarray, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``base`` with ``values`` at ``idx`` of its last axis (leading draws broadcast).

    Writes into ``base`` when it has the shape of the result (callers pass arrays
    of their own).
    """
    if np.ndim(values) > np.ndim(base) or np.shape(values)[:-1] != np.shape(base)[:-1]:
        lead = np.broadcast_shapes(np.shape(base)[:-1], np.shape(values)[:-1])
        base = np.array(np.broadcast_to(base, (*lead, np.shape(base)[-1])))
    if base.ndim == 1:
        base[idx] = values
    else:
        base[..., idx] = values
    return base


def _count(pos: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sums of ``values`` per ``pos`` (0 .. n-1) along the last axis, in row order."""
    if values.ndim == 1:
        return np.bincount(pos, weights=values, minlength=n)
    flat = by_draw(values)
    out = np.stack([np.bincount(pos, weights=v, minlength=n) for v in flat])
    return out.reshape((*values.shape[:-1], n))


def _tier2_cattle(
    classes: np.ndarray,
    weight: np.ndarray,
    milk_kg: np.ndarray,
    lv_part: dict[str, np.ndarray],
    fs: FactorSet,
) -> Tier2:
    """Tier 2 of cattle rows: IPCC 2019 Eq. 10.3-10.16, 10.21, 10.24, 10.31-10.33.

    Parameters
    ----------
    classes : ndarray, shape (..., F, k)
        The class factors (``_CLASS``) of the k Tier 2 rows (cattle classes).
    weight : ndarray
        Live weight [kg head-1] (record, class default or TAM).
    milk_kg : ndarray
        Milk [kg head-1 yr-1] (record or class default; 0 for young stock).
    lv_part : dict
        The record's ``pasture_fraction`` and class columns of these rows
        (NaN = not given → the set's class default).
    fs : FactorSet
        ``enteric.tier2.*``, ``livestock.crude_protein_pct.*``,
        ``manure.nex.*``, ``manure.vs.*`` and ``constants.days_per_year``.

    Notes
    -----
    Dairy cows take DE and Ym by the milk band of Table 10.12; the other
    classes their ``enteric.tier2.de_pct.<class>`` and ``ym_pct.<class>``.
    A digestibility in the record replaces the DE (not the Ym).
    """
    days = fs.value("constants.days_per_year")
    high = milk_kg > fs.value(T2 + "milk_band_kg.high_min")
    medium = ~high & (milk_kg >= fs.value(T2 + "milk_band_kg.medium_min"))

    def by_band(prefix: str) -> np.ndarray:
        """The dairy value of the row's milk band, Table 10.12 (three scalars)."""
        low, mid, top = (fs.value(f"{prefix}.{b}") for b in MILK_BANDS)
        return np.where(high, top, np.where(medium, mid, low))

    def cls(prefix: str) -> np.ndarray:
        return classes[..., _C[prefix], :]

    de_pct = _first(lv_part["digestibility_pct"], cls(T2 + "de_pct"), by_band(T2 + "de_pct"))
    ym_pct = _first(cls(T2 + "ym_pct"), by_band(T2 + "ym_pct"))
    gain = _first(lv_part["weight_gain_kg_per_day"], cls(T2 + "gain_kg_d"))
    pregnant = _first(lv_part["pregnant_fraction"], cls(T2 + "pregnant_fraction"))
    crude_protein = _first(lv_part["crude_protein_pct"], cls("livestock.crude_protein_pct"))
    milk_d = milk_kg / days

    ne_m = enteric.net_energy_maintenance(weight, cls(T2 + "cfi"))
    ca = enteric.activity_coefficient(
        lv_part["pasture_fraction"], fs.value(T2 + "ca_housed"), fs.value(T2 + "ca_pasture")
    )
    ne_a = enteric.net_energy_activity(ne_m, ca)
    ne_g = enteric.net_energy_growth(
        weight,
        fs.value(T2 + "mature_weight_kg"),
        cls(T2 + "c_growth"),
        gain,
        fs.value(T2 + "neg_a"),
        fs.value(T2 + "neg_b"),
    )
    ne_l = enteric.net_energy_lactation(
        milk_d, fs.value(T2 + "milk_fat_pct"), fs.value(T2 + "nel_a"), fs.value(T2 + "nel_b")
    )
    ne_p = enteric.net_energy_pregnancy(ne_m, fs.value(T2 + "c_pregnancy"), pregnant)
    rem = enteric.rem(de_pct, *(fs.value(T2 + k) for k in ("rem_a", "rem_b", "rem_c", "rem_d")))
    reg = enteric.reg(de_pct, *(fs.value(T2 + k) for k in ("reg_a", "reg_b", "reg_c", "reg_d")))
    ge = enteric.gross_energy(ne_m, ne_a, ne_l, ne_p, rem, de_pct, ne_g, reg)
    ef = enteric.tier2_emission_factor(ge, ym_pct, days, fs.value(T2 + "ch4_energy"))

    ge_dm = fs.value(T2 + "ge_per_kg_dm")
    n_per_protein = fs.value("manure.nex.n_per_protein")
    n_in = manure.n_intake(ge, crude_protein, ge_dm, n_per_protein)
    n_ret = manure.n_retention_cattle(
        milk_d,
        fs.value(T2 + "milk_protein_pct"),
        fs.value("manure.nex.milk_n_per_protein"),
        gain,
        ne_g,
        fs.value("manure.nex.gain_protein_a"),
        fs.value("manure.nex.gain_protein_b"),
        n_per_protein,
    )
    nex = manure.n_excretion_tier2(n_in, n_ret, days)
    vs = manure.volatile_solids_tier2(
        ge,
        de_pct,
        fs.value("manure.vs.ue_fraction"),
        fs.value("manure.vs.ash_fraction"),
        ge_dm,
        days,
    )
    return Tier2(ef=ef, ge=ge, de_pct=de_pct, nex=nex, vs=vs)


def _positions(index: np.ndarray, lv_idx: np.ndarray) -> np.ndarray:
    """Position in the livestock table of each manure system's ``lv_idx``."""
    n = len(index)
    if len(lv_idx) == 0:
        return np.zeros(0, dtype=np.int64)
    if n and index[0] == 0 and index[-1] == n - 1 and _all(index[1:] - index[:-1] == 1):
        pos = lv_idx  # the usual index 0 .. n-1: the position is the lv_idx
        ok = np.minimum.reduce(lv_idx) >= 0 and np.maximum.reduce(lv_idx) < n
    else:
        order = np.argsort(index, kind="stable")
        at = np.minimum(np.searchsorted(index[order], lv_idx), max(n - 1, 0))
        pos = order[at] if n else at
        ok = n > 0 and _all(index[pos] == lv_idx)
    if not ok:
        raise ValueError("manure_systems refers to lv_idx not in tables.livestock")
    return pos


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate along the last axis, leading (draws) axes broadcast."""
    if all(np.ndim(p) == 1 for p in parts):
        return np.concatenate(parts)
    lead = np.broadcast_shapes(*(np.shape(p)[:-1] for p in parts))
    return np.concatenate([np.broadcast_to(p, (*lead, np.shape(p)[-1])) for p in parts], axis=-1)


def _rows(farm: np.ndarray, kind: np.ndarray, kg: np.ndarray) -> Rows:
    """Rows summed per (farm, source, category, gas), sorted so, zero rows dropped.

    What :func:`farmcalc.rows.aggregate` gives for these rows, bit for bit
    (the same stable order and the same ``add.reduceat`` sums), without its
    generality: the livestock rows' keys are made of precomputed codes.
    """
    if len(farm) == 0:
        return Rows.empty()
    key = farm * _N_KINDS + kind
    order = np.argsort(key, kind="stable")  # rows of one key summed in their order
    key, kg = key[order], _at(kg, order)
    new = np.empty(len(key), dtype=bool)
    new[:1] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    if not _all(new):
        starts = new.nonzero()[0]
        key, kg = key[starts], np.add.reduceat(kg, starts, axis=-1)
    keep = kg != 0 if kg.ndim == 1 else by_draw(kg != 0).any(axis=0)
    if not _all(keep):
        kept = keep.nonzero()[0]
        key, kg = key[kept], _at(kg, kept)
    farm, kind = np.divmod(key, _N_KINDS)
    return Rows(farm, _KIND_SOURCE[kind], _KIND_CATEGORY[kind], _KIND_GAS[kind], kg)


def calc_livestock(tables, fs: FactorSet) -> LivestockResult:
    """Enteric and manure-management emissions and manure N of all farms.

    Parameters
    ----------
    tables : FarmTables
        Reads ``tables.arrays``: ``livestock`` (``index`` = ``lv_idx``;
        ``farm_idx, category, head, milk_kg_ecm_per_head,
        n_excretion_kg_per_head, pasture_fraction, feed_3nop_fraction`` and
        the class columns) and ``manure_systems`` (``lv_idx, system, share``).
    fs : FactorSet
        Factor set with the ``enteric.*``, ``livestock.*``, ``manure.*``,
        ``soils.ef4``, ``soils.ef5`` and ``constants.*`` factors; a
        :class:`~farmcalc.draws.DrawnFactorSet` gives every kg per draw.

    Returns
    -------
    LivestockResult

    Notes
    -----
    - Population: head x months on the farm / 12 (Eq. 10.1); months are the
      record's ``months_on_farm``, else ``livestock.months_on_farm.<class>``
      of the set (the sweden set's lambs), else the whole year. Enteric
      CH4, N and VS excretion all scale with it.
    - Tier 2 (Eq. 10.3-10.16, 10.21; N Eq. 10.31-10.33; VS Eq. 10.24) for
      cattle classes (those with ``enteric.tier2.cfi.<class>``) that have a
      live weight and a milk yield: the weight is the record's
      ``live_weight_kg``, else the set's ``enteric.tier2.weight_kg.<class>``
      (the sweden set has one per class, so all its cattle are Tier 2), else
      TAM when the record gives a milk yield; the milk is the record's, else
      ``enteric.tier2.milk_kg.<class>`` (0 for young stock; the ipcc2019 set
      has none for dairy cows, so they stay Tier 1 without a milk yield).
      Every other row: the Tier 1 EF of Tables 10.10/10.11, VS Eq. 10.22a.
    - N excretion per head: the record's ``n_excretion_kg_per_head`` >
      the set's ``livestock.nex_kg_head.<class>`` > Tier 2 (Eq. 10.31-10.33)
      > Eq. 10.30. Pasture N (F_PRP) = N x ``pasture_fraction``; the rest is
      housed and split by the ``manure_systems`` shares.
    - Manure CH4 (Eqs. 10.22a, 10.23) covers the *housed* manure only.
      CH4 from dung on pasture (Table 10.17 MCF "pasture/range/paddock")
      is not counted: the factor set has no ``manure.mcf.pasture`` row.
    - Manure N2O = (direct, Eq. 10.25 + indirect, Eqs. 10.26-10.29 with
      ``soils.ef4``/``soils.ef5``) x ``constants.n2o_per_n2o_n``.
    - Housed N of a row without manure systems is in ``n_housed_kg`` but
      gives no emissions and no available N (validation rejects such rows).

    References
    ----------
    IPCC 2019 Refinement, Vol. 4, Ch. 10, Sections 10.3-10.5.
    """
    arrays = tables.arrays
    lv = arrays.livestock
    ms = arrays.manure_systems
    days = fs.value("constants.days_per_year")

    cat = lv["category"]  # int16 codes of LIVESTOCK_CATEGORIES, -1 = missing
    n_lv = len(cat)
    farm = lv["farm_idx"]
    head = lv["head"]
    pasture = lv["pasture_fraction"]
    milk_given = lv["milk_kg_ecm_per_head"]
    nex_given = lv["n_excretion_kg_per_head"]
    given = {c: lv[c] if c in lv else filled(n_lv, np.nan) for c in CLASS_COLUMNS}
    table = _table(fs, _CLASS, LV)
    required = _table(fs, _CLASS_REQUIRED, LV)  # all in `table` too; here to check them
    if any(required.absent) or not _all(required.all_found[cat]):
        _require(fs, [(table, i, cat) for i in range(len(_CLASS_REQUIRED))])
    classes = table.values.take(cat, axis=-1)  # (..., F, n): every class factor of every row

    def cls(prefix: str) -> np.ndarray:
        return classes[..., _C[prefix], :]

    tam = cls("livestock.tam_kg")

    # --- animals present part of the year (lambs): annual average population, Eq. 10.1
    per_year = fs.value("livestock.months_per_year")
    months = _first(given["months_on_farm"], cls("livestock.months_on_farm"))
    months = np.where(np.isnan(months), per_year, months)
    population = enteric.annual_average_population(head, months, per_year)

    # --- which rows are Tier 2: cattle classes with a live weight (the record's, the
    # set's class default, or TAM when the record gives a milk yield) and a milk yield
    # (the record's or the class default; 0 for young stock)
    cattle = ~_nan(cls(T2 + "cfi"))
    weight = _first(
        given["live_weight_kg"],
        cls(T2 + "weight_kg"),
        np.where(np.isnan(milk_given), np.nan, tam),
    )
    milk = _first(milk_given, cls(T2 + "milk_kg"))
    tier2 = cattle & ~_nan(weight) & ~_nan(milk)

    # --- enteric CH4 (Tier 1 EF, Tier 2 EF of Eq. 10.21 on the Tier 2 rows)
    n_tier2 = count_nonzero(tier2)
    if n_tier2 == n_lv and n_lv:  # every row Tier 2 (all cattle): no subsets to take
        part = {c: given[c] for c in TIER2_COLUMNS}
        part["pasture_fraction"] = pasture
        res2 = _tier2_cattle(classes, weight, milk, part, fs)
        ef, nex, vs = res2.ef, res2.nex, res2.vs
    else:
        ef = cls("enteric.ef")
        nex = manure.n_excretion_tier1(cls("livestock.n_rate"), tam, days)
        vs = manure.volatile_solids_tier1(cls("manure.vs_rate"), tam, days)
    if n_tier2 and n_tier2 < n_lv:
        t2 = tier2.nonzero()[0]
        part = {c: given[c][..., t2] for c in TIER2_COLUMNS}  # columns may carry draws
        part["pasture_fraction"] = pasture[..., t2]
        res2 = _tier2_cattle(_at(classes, t2), _at(weight, t2), _at(milk, t2), part, fs)
        ef = _put(ef, t2, res2.ef)
        nex = _put(nex, t2, res2.nex)
        vs = _put(vs, t2, res2.vs)
    ch4_enteric = enteric.tier1_ch4(population, ef)
    fed_3nop = lv["feed_3nop_fraction"]
    if count_nonzero(fed_3nop > 0):
        ch4_enteric = enteric.feed_additive_ch4(
            ch4_enteric, 1.0 - pasture, fed_3nop, fs.value("enteric.reduction_3nop")
        )

    # --- N excreted: the record's value > the set's standard value per head >
    # Eq. 10.31-10.33 (Tier 2 rows) > Eq. 10.30
    nex_standard = cls("livestock.nex_kg_head")
    nex_default = np.isnan(nex_given) & _nan(nex_standard) & ~tier2
    nex = _first(nex_given, nex_standard, nex)
    n_excreted = population * nex
    n_pasture = n_excreted * pasture
    n_housed = n_excreted - n_pasture
    vs_housed = population * vs * (1 - pasture)

    # --- per livestock row x manure system
    pos = _positions(lv["index"], ms["lv_idx"])
    system = ms["system"]
    share = ms["share"]
    m_cat = cat[pos]
    by_system = _table(fs, _SYSTEM, MS)
    by_pair = _table(fs, _PAIR, _PAIRS)
    pair_values, pair_found = _pair_grid(fs)
    pair = m_cat * (len(MS) + 1) + system  # into the grid (m_cat is never -1 here)
    if (
        any(by_system.absent)
        or any(by_pair.absent)
        or table.absent[_BO]
        or not _all(by_system.all_found[system])
        or not _all(pair_found[pair])
        or not _all(table.found[_BO][m_cat])
    ):
        codes = np.where(system < 0, -1, m_cat.astype(np.int64) * len(MS) + system)
        _require(
            fs,
            [
                (by_system, 0, system),  # manure.ef3
                (by_pair, 0, codes),  # manure.frac_gas (codes of _PAIRS)
                (by_system, 1, system),  # manure.frac_leach
                (by_pair, 1, codes),  # manure.frac_loss
                (table, _BO, m_cat),  # manure.bo
                (by_system, 2, system),  # manure.mcf
            ],
        )
    sys_f = by_system.values.take(system, axis=-1)
    pair_f = pair_values.take(pair, axis=-1)
    n_sys = _at(n_housed, pos) * share
    n2o_n_direct = manure.direct_n2o_n(n_sys, sys_f[..., 0, :])
    n_vol = manure.volatilised_n(n_sys, pair_f[..., 0, :])
    n_leach = manure.leached_n(n_sys, sys_f[..., 1, :])
    n2o_n_indirect = manure.indirect_n2o_n(
        n_vol, n_leach, fs.value("soils.ef4"), fs.value("soils.ef5")
    )
    n2o_manure = (n2o_n_direct + n2o_n_indirect) * fs.value("constants.n2o_per_n2o_n")
    n_avail_sys = manure.n_available(n_sys, pair_f[..., 1, :])
    ch4_manure = manure.ch4_manure(
        _at(vs_housed, pos),
        _at(cls("manure.bo"), pos),
        sys_f[..., 2, :],
        share,
        fs.value("manure.ch4_density"),
    )

    # --- long emission rows, summed per farm x source x category x gas
    m_farm = farm[pos]
    rows = _rows(
        np.concatenate([farm, m_farm, m_farm]),
        np.concatenate([_KIND_ENTERIC_CH4[cat], _KIND_MANURE_CH4[m_cat], _KIND_MANURE_N2O[m_cat]]),
        _concat([ch4_enteric, ch4_manure, n2o_manure]),
    )

    n_flows = {
        "index": lv["index"],
        "farm_idx": farm,
        "category": cat,
        "n_excreted_kg": n_excreted,
        "n_pasture_kg": n_pasture,
        "n_housed_kg": n_housed,
        "n_available_kg": _count(pos, n_avail_sys, n_lv),
        "tier": np.where(tier2, 2, 1).astype(np.int64),
        "nex_default": nex_default,
    }
    return LivestockResult(rows=rows, n_flows=n_flows)
