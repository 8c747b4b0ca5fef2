"""Long emission rows ``farm, source, category, gas, kg`` as arrays (:class:`Rows`).

Millions of rows repeat a few dozen names. They are kept as small integer
codes into fixed vocabularies (the categories of ``SOURCE_DTYPE``,
``CATEGORY_DTYPE``, ``GAS_DTYPE``), so that concatenating, summing and
sorting work on codes instead of hashing strings; :meth:`Rows.frame` makes
a DataFrame of categoricals at the edge. Sums per group as pandas made them
(:func:`pandas_sum`) and distinct keys by a table (:func:`dense`) live here
too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from farmcalc.arrays import count_nonzero, filled
from farmcalc.errors import FarmcalcError
from farmcalc.inputs.vocabulary import (
    FUELS,
    GASES,
    LIVESTOCK_CATEGORIES,
    MINERAL_N_TYPES,
    SOURCES,
)

ROW_COLUMNS = ["farm_idx", "source", "category", "gas", "kg"]

ROW_CATEGORIES: tuple[str, ...] = tuple(
    sorted(
        {
            *LIVESTOCK_CATEGORIES,
            *MINERAL_N_TYPES,
            *FUELS,
            "synthetic_fertiliser",
            "manure",
            "crop_residues",
            "grazing",
            "mineralisation",
            "volatilisation",
            "leaching",
            "cropland",
            "grassland",
            "rewetted",
            "wetland_mineral_soil",
            "limestone",
            "dolomite",
            "district_heating",
            "electricity",
            "icbm",
            "ipcc_tier1",
        }
    )
)
# Sources in the contract's order; categories and gases alphabetically.
SOURCE_DTYPE = pd.CategoricalDtype(list(SOURCES), ordered=True)
CATEGORY_DTYPE = pd.CategoricalDtype(list(ROW_CATEGORIES), ordered=True)
GAS_DTYPE = pd.CategoricalDtype(sorted(GASES), ordered=True)
_DTYPES = {"source": SOURCE_DTYPE, "category": CATEGORY_DTYPE, "gas": GAS_DTYPE}
_N_CAT = len(CATEGORY_DTYPE.categories)
_N_GAS = len(GAS_DTYPE.categories)
_N_KINDS = len(SOURCE_DTYPE.categories) * _N_CAT * _N_GAS
# The kind of a row is (source, category, gas) as one small integer; these
# give the source, category and gas code of each kind.
_KIND_SOURCE = (np.arange(_N_KINDS) // (_N_CAT * _N_GAS)).astype(np.int8)
_KIND_CATEGORY = (np.arange(_N_KINDS) // _N_GAS % _N_CAT).astype(np.int8)
_KIND_GAS = (np.arange(_N_KINDS) % _N_GAS).astype(np.int8)


def _nonzero(kg: np.ndarray) -> np.ndarray:
    """Rows (last axis) not zero in every draw; works for no rows too."""
    if kg.ndim == 1:
        return kg != 0
    return (kg != 0).reshape(int(np.prod(kg.shape[:-1])), kg.shape[-1]).any(axis=0)


def code(name: str, column: str) -> int:
    """The code of one name of ``column`` (``source``, ``category`` or ``gas``)."""
    return int(_DTYPES[column].categories.get_loc(name))


@dataclass(frozen=True)
class Rows:
    """Long emission rows as arrays: the one row layout of the core.

    Attributes
    ----------
    farm : ndarray of int64, shape (m,)
        Farm index of each row (position of the farm in the input).
    source, category, gas : ndarray of int8 / int16 / int8, shape (m,)
        Codes into ``SOURCE_DTYPE``, ``CATEGORY_DTYPE``, ``GAS_DTYPE``.
    kg : ndarray of float, shape (m,) or (D, m)
        Mass of the gas [kg yr-1]; a leading axis of draws is allowed.
    """

    farm: np.ndarray
    source: np.ndarray
    category: np.ndarray
    gas: np.ndarray
    kg: np.ndarray

    def __len__(self) -> int:
        return len(self.farm)

    @classmethod
    def wide(
        cls, wide: dict, n_farms: int, gas: str, scale: float = 1.0, drop_zero: bool = True
    ) -> Rows:
        """Per-farm columns ``{(source, category): kg per farm}`` as long rows.

        Rows farm by farm, within a farm by source and category (sorted as
        :func:`aggregate` sorts them). The loop runs over the few
        categories, never over farms. Zero rows are dropped (with draws: rows
        zero in every draw).
        """
        if not wide:
            return cls.empty()
        keyed = sorted(((code(s, "source"), code(c, "category")), v) for (s, c), v in wide.items())
        lead = np.broadcast_shapes(*(np.shape(v)[:-1] for _, v in keyed if np.ndim(v) > 1))
        kg = np.empty((*lead, n_farms, len(keyed)))
        for j, (_, v) in enumerate(keyed):
            kg[..., j] = np.asarray(v, dtype=float) * scale
        kg = kg.reshape((*lead, n_farms * len(keyed)))
        keep = _nonzero(kg) if drop_zero else slice(None)
        source = np.tile(np.array([s for (s, _), _v in keyed], dtype=np.int8), n_farms)
        category = np.tile(np.array([c for (_, c), _v in keyed], dtype=np.int16), n_farms)
        farm = np.repeat(np.arange(n_farms, dtype=np.int64), len(keyed))
        gas_codes = np.full(len(farm), code(gas, "gas"), dtype=np.int8)
        return cls(farm[keep], source[keep], category[keep], gas_codes[keep], kg[..., keep])

    @classmethod
    def of(cls, farm, source, category, gas, kg) -> Rows:
        """Rows from arrays; ``source``, ``category``, ``gas`` may each be one name."""
        farm = np.asarray(farm, dtype=np.int64)
        m = len(farm)

        def col(v, column, dtype):
            if isinstance(v, str):
                return filled(m, code(v, column), dtype)
            return codes(v, column).astype(dtype)

        kg = np.asarray(kg, dtype=float)
        if kg.shape[-1:] == (m,):
            kg = kg.copy()
        else:
            kg = np.broadcast_to(kg, (*kg.shape[:-1], m) if kg.ndim else (m,)).copy()
        return cls(
            farm,
            col(source, "source", np.int8),
            col(category, "category", np.int16),
            col(gas, "gas", np.int8),
            kg,
        )

    @classmethod
    def empty(cls) -> Rows:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z.astype(np.int8), z.astype(np.int16), z.astype(np.int8), np.zeros(0))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Rows:
        """Rows of a DataFrame ``farm_idx, source, category, gas, kg``."""
        return cls(
            frame["farm_idx"].to_numpy(dtype=np.int64),
            codes(frame["source"], "source").astype(np.int8),
            codes(frame["category"], "category").astype(np.int16),
            codes(frame["gas"], "gas").astype(np.int8),
            frame["kg"].to_numpy(dtype=float),
        )

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame ``farm_idx, source, category, gas, kg`` (1-D kg only)."""
        return rows_from_codes(self.farm, self.source, self.category, self.gas, self.kg)


def codes(values, column: str) -> np.ndarray:
    """Integer codes of ``values`` in the vocabulary of ``column``.

    A Categorical (or categorical Series) of other categories is recoded by
    its categories, without touching its values one by one.
    """
    dtype = _DTYPES[column]
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        values = values.array
    if isinstance(values, pd.Categorical):
        if values.dtype == dtype:
            return np.asarray(values.codes)
        recode = np.append(dtype.categories.get_indexer(values.categories.astype(object)), -1)
        c = recode[values.codes]
    else:
        values = np.asarray(values, dtype=object)
        c = np.asarray(pd.Categorical(values, dtype=dtype).codes)
    if count_nonzero(c < 0):
        unknown = sorted({str(v) for v in np.asarray(values, dtype=object)[c < 0]})
        raise FarmcalcError(f"unknown {column} in emission rows: {unknown}")
    return c


def rows_from_codes(farm_idx, source, category, gas, kg) -> pd.DataFrame:
    """Rows from arrays of farm indices, vocabulary codes and kg (no checks, no copies)."""
    return pd.DataFrame(
        {
            "farm_idx": farm_idx,
            "source": pd.Categorical.from_codes(source, dtype=SOURCE_DTYPE, validate=False),
            "category": pd.Categorical.from_codes(category, dtype=CATEGORY_DTYPE, validate=False),
            "gas": pd.Categorical.from_codes(gas, dtype=GAS_DTYPE, validate=False),
            "kg": kg,
        },
        copy=False,
    )


def _kind(rows: pd.DataFrame) -> np.ndarray:
    """The kind of each row: ``(source × categories + category) × gases + gas``."""
    source = codes(rows["source"], "source").astype(np.int16)
    return (source * _N_CAT + codes(rows["category"], "category")) * _N_GAS + codes(
        rows["gas"], "gas"
    )


def aggregate(parts: list, *, drop_zero: bool = True) -> Rows:
    """Sum rows per (farm, source, category, gas), sorted in that order.

    ``parts`` are :class:`Rows` (or, while calculators move to arrays,
    DataFrames ``farm_idx, source, category, gas, kg``). Works on integer
    codes: one argsort and one ``add.reduceat`` whatever the number of farms;
    with draws, along the last axis (a row is dropped when zero in every draw).
    """
    parts = [p if isinstance(p, Rows) else Rows.from_frame(p) for p in parts]
    parts = [p for p in parts if len(p)]
    if not parts:
        return Rows.empty()
    farm = np.concatenate([p.farm for p in parts])
    source = np.concatenate([p.source for p in parts])
    category = np.concatenate([p.category for p in parts])
    gas = np.concatenate([p.gas for p in parts])
    kind = (source.astype(np.int16) * _N_CAT + category) * _N_GAS + gas
    if all(p.kg.ndim == 1 for p in parts):
        kg = np.concatenate([p.kg for p in parts])
    else:
        lead = np.broadcast_shapes(*(p.kg.shape[:-1] for p in parts))
        kg = np.concatenate([np.broadcast_to(p.kg, (*lead, len(p))) for p in parts], axis=-1)
    key = farm * _N_KINDS + kind
    m = len(key)
    new = np.empty(m, dtype=bool)
    new[0] = True
    if count_nonzero(key[1:] < key[:-1]):
        # stable: rows of one key are summed in their order (timsort is
        # quick on the sorted runs the calculators give)
        order = np.argsort(key, kind="stable")
        key, kg = key[order], kg[..., order]
    np.not_equal(key[1:], key[:-1], out=new[1:])
    if count_nonzero(new) == m:  # every key once: nothing to add up
        ukey, sums = key, kg
    else:
        starts = new.nonzero()[0]
        ukey, sums = key[starts], np.add.reduceat(kg, starts, axis=-1)
    if drop_zero:
        keep = _nonzero(sums)
        ukey, sums = ukey[keep], sums[..., keep]
    f = ukey // _N_KINDS
    kind = ukey - f * _N_KINDS
    return Rows(f, _KIND_SOURCE[kind], _KIND_CATEGORY[kind], _KIND_GAS[kind], sums)


def pandas_sum(ids: np.ndarray, block: np.ndarray, n: int) -> np.ndarray:
    """Per-group sums of the columns of ``block``, bit for bit as pandas ``groupby().sum()``.

    pandas sums one block of columns (columns of one dtype) at a time: when the
    group ids run in order and the block holds no NaN by ``numpy.add.reduceat``,
    else by its compensated (Kahan) loop over the rows, NaN skipped. Both are
    done here on arrays: the Kahan loop runs over the position within a group
    (a few steps), vectorised over all groups.

    Parameters
    ----------
    ids : ndarray of int, shape (m,)
        Group of each row, ``0 .. n-1`` (the order pandas numbers its groups in).
    block : ndarray of float, shape (m, k)
        One pandas block: the columns summed together.
    n : int
        Number of groups.

    Returns
    -------
    ndarray, shape (n, k)
    """
    m, k = block.shape
    sums = np.zeros((n, k))
    if m == 0:
        return sums
    nan = np.isnan(block)
    any_nan = bool(count_nonzero(nan))
    new = np.empty(m, dtype=bool)
    new[0] = True
    np.not_equal(ids[1:], ids[:-1], out=new[1:])
    if not any_nan and not count_nonzero(ids[1:] < ids[:-1]):
        starts = new.nonzero()[0]
        # each column a contiguous row: one reduceat adds every column as it adds one
        sums[ids[starts]] = np.add.reduceat(np.ascontiguousarray(block.T), starts, axis=1).T
        return sums
    if not any_nan and np.bincount(ids, minlength=n).max() <= 2:
        # one or two rows a group: the compensated loop adds them as bincount does
        for j in range(k):
            sums[:, j] = np.bincount(ids, block[:, j], minlength=n)
        return sums
    if m * k <= 4096:  # few rows: the loop itself in Python floats (the same IEEE sums)
        return _kahan_rows(ids, block, n)
    order = np.argsort(ids, kind="stable")
    g, v, skip = ids[order], block[order], nan[order]
    np.not_equal(g[1:], g[:-1], out=new[1:])
    starts = new.nonzero()[0]
    sizes = np.diff(starts, append=m)
    rank = np.arange(len(g)) - np.repeat(starts, sizes)
    comp = np.zeros((n, k))
    for r in range(int(sizes.max())):
        sel = rank == r
        gi, x = g[sel], v[sel]
        s0, c0 = sums[gi], comp[gi]
        y = x - c0
        t = s0 + y
        c = (t - s0) - y
        c[c != c] = 0.0  # an infinite value: no compensation (pandas GH#53606)
        keep = skip[sel]
        sums[gi] = np.where(keep, s0, t)
        comp[gi] = np.where(keep, c0, c)
    return sums


def _kahan_rows(ids: np.ndarray, block: np.ndarray, n: int) -> np.ndarray:
    """pandas' compensated group sum, row by row (NaN skipped)."""
    k = block.shape[1]
    out = np.zeros((n, k))
    groups = ids.tolist()
    for j, col in enumerate(block.T.tolist()):  # column by column: the same sums
        s = [0.0] * n
        c = [0.0] * n
        for g, x in zip(groups, col, strict=True):
            if x != x:
                continue
            y = x - c[g]
            t = s[g] + y
            cg = (t - s[g]) - y
            c[g] = 0.0 if cg != cg else cg
            s[g] = t
        out[:, j] = s
    return out


def dense(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``key`` (ints in ``0 .. size-1``), ascending, and each
    key's position among them: ``numpy.unique(key, return_inverse=True)`` by a table."""
    seen = np.zeros(size, dtype=bool)
    seen[key] = True
    ukeys = seen.nonzero()[0]
    pos = np.empty(size, dtype=np.int64)
    pos[ukeys] = np.arange(len(ukeys))
    return ukeys, pos[key]
