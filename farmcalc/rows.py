"""Long emission rows ``farm_idx, source, category, gas, kg``, cheaply.

Millions of rows repeat a few dozen names. They are kept as pandas
categoricals of fixed vocabularies, so that concatenating, summing and
sorting work on small integer codes instead of hashing strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from farmcalc.errors import FarmcalcError
from farmcalc.vocabulary import (
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
    if (c < 0).any():
        unknown = sorted({str(v) for v in np.asarray(values, dtype=object)[c < 0]})
        raise FarmcalcError(f"unknown {column} in emission rows: {unknown}")
    return c


def _column(value, column: str, n: int) -> pd.Categorical:
    dtype = _DTYPES[column]
    if isinstance(value, str):
        code = dtype.categories.get_loc(value)
        return pd.Categorical.from_codes(np.full(n, code, dtype=np.int16), dtype=dtype)
    return pd.Categorical.from_codes(codes(value, column), dtype=dtype)


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


def emission_rows(farm_idx, source, category, gas, kg) -> pd.DataFrame:
    """Rows from arrays; ``source``, ``category``, ``gas`` may be one name or an array."""
    farm_idx = np.asarray(farm_idx, dtype=np.int64)
    n = len(farm_idx)
    return pd.DataFrame(
        {
            "farm_idx": farm_idx,
            "source": _column(source, "source", n),
            "category": _column(category, "category", n),
            "gas": _column(gas, "gas", n),
            "kg": np.broadcast_to(np.asarray(kg, dtype=float), (n,)).copy(),
        }
    )


def empty_rows() -> pd.DataFrame:
    return emission_rows([], "fuel", "diesel", "CO2", [])


def _kind(rows: pd.DataFrame) -> np.ndarray:
    """The kind of each row: ``(source × categories + category) × gases + gas``."""
    source = codes(rows["source"], "source").astype(np.int16)
    return (source * _N_CAT + codes(rows["category"], "category")) * _N_GAS + codes(
        rows["gas"], "gas"
    )


def aggregate_rows(frames: list[pd.DataFrame], *, drop_zero: bool = True) -> pd.DataFrame:
    """Sum rows per (farm, source, category, gas), sorted in that order.

    Works on integer codes: one argsort and one ``add.reduceat`` whatever the
    number of farms.
    """
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_rows()
    farm = np.concatenate([f["farm_idx"].to_numpy(dtype=np.int64) for f in frames])
    kind = np.concatenate([_kind(f) for f in frames])
    kg = np.concatenate([f["kg"].to_numpy(dtype=float) for f in frames])
    key = farm * _N_KINDS + kind
    if not (key[1:] >= key[:-1]).all():
        # stable: rows of one key are summed in their order (timsort is
        # quick on the sorted runs the calculators give)
        order = np.argsort(key, kind="stable")
        key, kg = key[order], kg[order]
    new = np.r_[True, key[1:] != key[:-1]]
    if new.all():  # every key once: nothing to add up
        ukey, sums = key, kg
    else:
        starts = np.flatnonzero(new)
        ukey, sums = key[starts], np.add.reduceat(kg, starts)
    if drop_zero:
        keep = sums != 0
        ukey, sums = ukey[keep], sums[keep]
    f = ukey // _N_KINDS
    kind = ukey - f * _N_KINDS
    return rows_from_codes(f, _KIND_SOURCE[kind], _KIND_CATEGORY[kind], _KIND_GAS[kind], sums)


def as_plain(rows: pd.DataFrame) -> pd.DataFrame:
    """The same rows with the name columns as plain Python strings."""
    out = rows.copy()
    for col in ("source", "category", "gas"):
        if col in out:
            out[col] = np.asarray(out[col].astype(object))
    return out


def group_sum(group, values, n: int) -> np.ndarray:
    """Sums of ``values`` per group ``0 .. n-1``, exactly as pandas ``groupby().sum()``.

    The usual case, rows sorted by group and no NaN, is one
    ``numpy.add.reduceat`` (what pandas does then too); anything else is
    left to pandas. Unlike ``numpy.bincount`` the sums are bit for bit
    those of a ``groupby``, so results do not change in the last digit.

    Parameters
    ----------
    group : array of int
        Group of each row, in ``0 .. n-1``.
    values : array of float, 1-D or 2-D (rows x columns)
        The values to sum (columns summed separately).
    n : int
        Number of groups.

    Returns
    -------
    ndarray
        Shape ``(n,)`` or ``(n, columns)``; 0 for a group without rows.
    """
    group = np.asarray(group, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    sums = np.zeros((n, *values.shape[1:]))
    if len(group) == 0:
        return sums
    if (group[1:] >= group[:-1]).all() and not np.isnan(values).any():
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        if values.ndim == 1:
            sums[group[starts]] = np.add.reduceat(values, starts)
        else:
            for j in range(values.shape[1]):  # a few columns, each contiguous
                column = np.ascontiguousarray(values[:, j])
                sums[group[starts], j] = np.add.reduceat(column, starts)
        return sums
    by_group = pd.DataFrame(values).groupby(group).sum()
    sums[by_group.index.to_numpy()] = by_group.to_numpy().reshape((len(by_group), *sums.shape[1:]))
    return sums
