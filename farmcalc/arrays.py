"""Arrays in the inner loop: the farm tables as numpy columns, sums per farm.

One ``Numeric``, one layout of the farm tables, defined here once.

Every number may carry **leading axes of draws**: a factor drawn ``D``
times is an array of shape ``(D, 1)`` (:meth:`farmcalc.factors.FactorSet.value`
of a drawn set) or ``(D, n)`` (:meth:`~farmcalc.factors.FactorSet.take`),
and broadcasts through every source function against the tables' columns,
which have shape ``(n,)``. Sums over farms or rows run along the **last**
axis (:func:`farm_sum`), so a calculation with draws gives, draw by draw,
what it gives with the draw's values as plain numbers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Numeric = float | np.ndarray
"""A number or an array of numbers (shape ``(n,)``, or ``(D, n)`` with draws)."""

try:  # numpy's C function itself: count_nonzero(a) without its Python wrapper
    from numpy._core.multiarray import count_nonzero
except ImportError:  # pragma: no cover - another numpy layout
    count_nonzero = np.count_nonzero
"""Number of true (non-zero) entries of an array (no ``axis``): about 0.4 µs quicker a
call than ``np.count_nonzero``, which the one-farm path calls some 70 times."""


def by_draw(a: np.ndarray) -> np.ndarray:
    """``a`` of shape ``(..., n)`` as ``(D, n)``, its leading axes of draws in one.

    ``a.reshape(-1, n)`` cannot say what ``-1`` is when ``n`` is 0 (a farm table with
    no rows, e.g. an arable farm's livestock); this can.
    """
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


def power(base: Numeric, exponent: Numeric) -> Numeric:
    """``base ** exponent`` with the same last bit on every machine.

    numpy's ``power`` (and ``**`` on arrays) runs AVX-512 kernels on machines that
    have them, which round differently in the last bit from the C library that
    other machines use: a result would depend on the processor. ``float_power``
    always calls the C library's ``pow``, so a farm's numbers are the same
    everywhere (``tests/test_portable_math.py``).
    """
    return np.float_power(base, exponent)


def exp(x: Numeric) -> Numeric:
    """``e ** x`` with the same last bit on every machine (see :func:`power`).

    The complex exponential calls the C library's ``cexp``, which for a zero
    imaginary part is ``exp`` of the real part, never numpy's AVX-512 kernel.
    """
    return np.exp(np.asarray(x, dtype=complex)).real


def filled(shape: int | tuple[int, ...], value: float | int, dtype=float) -> np.ndarray:
    """``np.full(shape, value, dtype)`` in two C calls (np.full's Python costs ~2 µs)."""
    out = np.empty(shape, dtype=dtype)
    out.fill(value)
    return out


@dataclass(frozen=True)
class FarmArrays:
    """The five farm tables as columns of numpy arrays (see ``docs/design.md``).

    Each attribute maps a column name to an array of one length per table.
    Number columns are float64 (NaN where the design allows it); ``farm_idx``,
    ``lv_idx``, ``pos`` and ``year`` are int64; a **vocabulary column** holds
    int16 codes into its vocabulary (``VOCABULARIES[table][column]``, the
    tuples of :mod:`farmcalc.inputs.vocabulary`), -1 where the value is missing;
    ``farm_id``, ``name`` and ``municipality_code`` are object arrays of str,
    None where the value is missing. Every array is read-only (one set of
    arrays is shared by every reader).
    """

    farms: Mapping[str, np.ndarray]
    livestock: Mapping[str, np.ndarray]
    manure_systems: Mapping[str, np.ndarray]
    crops: Mapping[str, np.ndarray]
    soil_changes: Mapping[str, np.ndarray]
    n_farms: int = field(default=0)

    def vocabulary(self, table: str, column: str) -> tuple[str, ...]:
        """The names behind the codes of one vocabulary column."""
        return vocabularies()[table][column]


@functools.cache
def vocabularies() -> dict[str, dict[str, tuple[str, ...]]]:
    """The vocabulary of each vocabulary column of each table (made once: do not modify)."""
    from farmcalc.inputs.fields import VOCABULARY_DTYPES

    return {
        t: {c: tuple(d.categories) for c, d in cols.items()}
        for t, cols in VOCABULARY_DTYPES.items()
    }


@functools.cache
def _vocabulary_index(vocab: tuple[str, ...]) -> pd.Index:
    return pd.Index(vocab, dtype=object)


def _codes(s: pd.Series, vocab: tuple[str, ...]) -> np.ndarray:
    """int16 codes of a column into ``vocab`` (-1 = missing or not in it).

    A categorical column is recoded through its categories (one look-up per
    category, one ``take``); other columns are looked up value by value.
    """
    index = _vocabulary_index(vocab)
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        categories = s.cat.categories
        if categories.tolist() == index.tolist():  # the vocabulary's own categories
            return codes.astype(np.int16)
        # the code of each category in vocab; one more, -1, for a missing value (code -1)
        recode = np.append(index.get_indexer(categories), -1).astype(np.int16)
        return recode.take(codes)
    return index.get_indexer(s.to_numpy(dtype=object)).astype(np.int16)


def _column(frame: pd.DataFrame, name: str, vocab: tuple[str, ...] | None) -> np.ndarray:
    s = frame[name]
    if vocab is not None:
        return _codes(s, vocab)
    if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
        return s.to_numpy(dtype=object, na_value=None)
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.to_numpy(dtype=np.int64)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=bool)
    return s.to_numpy(dtype=float)


def arrays_from_frames(tables) -> FarmArrays:
    """The arrays of a :class:`~farmcalc.inputs.tables.FarmTables` made of DataFrames."""
    vocab = vocabularies()
    out = {}
    for t in ("farms", "livestock", "manure_systems", "crops", "soil_changes"):
        frame = getattr(tables, t)
        cols = {c: _column(frame, c, vocab[t].get(c)) for c in frame.columns}
        if t in ("livestock", "crops"):
            cols["index"] = frame.index.to_numpy(dtype=np.int64)
        for values in cols.values():  # shared by every reader: read-only
            values.flags.writeable = False
        out[t] = cols
    return FarmArrays(**out, n_farms=len(tables.farms))


def farm_sum(group: np.ndarray, values: Numeric, n: int) -> np.ndarray:
    """Sums of ``values`` per group ``0 .. n-1`` along the last axis.

    Bit for bit the sums of ``pandas.DataFrame.groupby().sum()``: rows sorted
    by group and no NaN is one ``numpy.add.reduceat`` (what pandas does then
    too); anything else is left to pandas, draw by draw.

    Parameters
    ----------
    group : array of int, shape (m,)
        Group of each row, in ``0 .. n-1``.
    values : numeric, shape (m,) or (..., m)
        The values; leading axes (draws) are kept.
    n : int
        Number of groups.

    Returns
    -------
    ndarray
        Shape ``(..., n)``; 0 for a group without rows.
    """
    group = np.asarray(group, dtype=np.int64)
    m = len(group)
    values = np.asarray(values, dtype=float)
    if values.shape[-1:] != (m,):
        values = np.broadcast_to(values, (*values.shape[:-1], m))
    lead = values.shape[:-1]
    sums = np.zeros((*lead, n))
    if m == 0:
        return sums
    if not count_nonzero(group[1:] < group[:-1]) and not count_nonzero(np.isnan(values)):
        new = np.empty(m, dtype=bool)
        new[0] = True
        np.not_equal(group[1:], group[:-1], out=new[1:])
        starts = new.nonzero()[0]
        sums[..., group[starts]] = np.add.reduceat(values, starts, axis=-1)
        return sums
    flat = values.reshape(-1, len(group))
    by_group = pd.DataFrame(flat.T).groupby(group).sum()
    sums.reshape(-1, n)[:, by_group.index.to_numpy()] = by_group.to_numpy().T
    return sums
