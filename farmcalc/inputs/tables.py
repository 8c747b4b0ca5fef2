"""Farm records to column tables (:class:`FarmTables`), checked on the way.

Many records become a handful of tables, one per list of the record, so that
the calculators work column-wise over all farms at once: numpy columns
(:attr:`FarmTables.arrays`) and pandas DataFrames made from them on demand.
:func:`records_to_tables` reads the records (:mod:`farmcalc.inputs.parsing`)
and checks them (:mod:`farmcalc.inputs.checks`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from farmcalc.arrays import FarmArrays, arrays_from_frames
from farmcalc.errors import ValidationError
from farmcalc.inputs.checks import (
    FEW_FARMS,
    Collector,
    attach_farm_ids,
    check_duplicates,
    check_plausibility,
)
from farmcalc.inputs.fields import (
    TABLE_COLUMNS,
    TABLE_INDEX,
    TABLE_NAMES,
    VOCABULARY_DTYPES,
)
from farmcalc.inputs.issues import ERROR, Issue
from farmcalc.inputs.parsing import (
    block_columns,
    checked_columns,
    frame_to_records,
    join_blocks,
)

# Records are checked in blocks of this many farms (see _records_to_tables).
CHUNK_FARMS = 512


class _Frame:
    """A table of :class:`FarmTables` as a DataFrame, given or built from the arrays once.

    A data descriptor, so that the dataclass takes it as the field's default
    (None: not given) and its ``__init__`` stores a given frame through
    :meth:`__set__`.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.key = "_frame_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            return None  # the default of the dataclass field: not given
        frame = obj.__dict__.get(self.key)
        if frame is None:
            frame = frame_of(obj.arrays, self.name)
            obj.__dict__[self.key] = frame
        return frame

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.key] = value


@dataclass(frozen=True)
class FarmTables:
    """Many farm records as column tables; see ``docs/design.md``.

    The tables live in two forms: numpy columns (:attr:`arrays`, what the
    calculators read) and pandas DataFrames (``farms``, ``livestock``,
    ``manure_systems``, ``crops``, ``soil_changes``: what the edges read).
    :func:`records_to_tables` makes the arrays (:meth:`from_arrays`), and a
    DataFrame is built from them only when it is asked for, once. Tables made
    of DataFrames (``FarmTables(farms=df, ...)``, ``dataclasses.replace``)
    get their arrays from the frames, once.
    """

    farms: pd.DataFrame = _Frame()  # type: ignore[assignment]
    livestock: pd.DataFrame = _Frame()  # type: ignore[assignment]
    manure_systems: pd.DataFrame = _Frame()  # type: ignore[assignment]
    crops: pd.DataFrame = _Frame()  # type: ignore[assignment]
    soil_changes: pd.DataFrame = _Frame()  # type: ignore[assignment]

    def __post_init__(self) -> None:
        given = [n for n in TABLE_NAMES if self.__dict__.get("_frame_" + n) is not None]
        if given and len(given) < len(TABLE_NAMES):
            missing = ", ".join(n for n in TABLE_NAMES if n not in given)
            raise TypeError(f"FarmTables needs all five tables; missing: {missing}")

    @classmethod
    def from_arrays(cls, arrays: FarmArrays) -> FarmTables:
        """Tables of numpy columns; the DataFrames are built when first asked for."""
        tables = cls()
        tables.__dict__["arrays"] = arrays
        return tables

    @property
    def n_farms(self) -> int:
        arrays = self.__dict__.get("arrays")
        return arrays.n_farms if arrays is not None else len(self.farms)

    @property
    def arrays(self) -> FarmArrays:
        """The tables as numpy columns (``farmcalc/arrays.py``), made once."""
        arrays = self.__dict__.get("arrays")
        if arrays is None:
            if not self.built_frames():
                raise TypeError("FarmTables has neither DataFrames nor arrays")
            arrays = arrays_from_frames(self)
            self.__dict__["arrays"] = arrays
        return arrays

    def built_frames(self) -> tuple[str, ...]:
        """The tables whose DataFrame exists (was given or has been built)."""
        return tuple(n for n in TABLE_NAMES if self.__dict__.get("_frame_" + n) is not None)

    def farmland_ha(self) -> pd.Series:
        """Crop area per farm [ha] (0 for farms without crops)."""
        crops = self.arrays.crops
        n = self.n_farms
        area = np.bincount(crops["farm_idx"], weights=crops["area_ha"], minlength=n)
        farms = self.__dict__.get("_frame_farms")
        index = farms.index if farms is not None else pd.RangeIndex(n, name="farm_idx")
        return pd.Series(area[:n], index=index, name="area_ha")


def frame_of(arrays: FarmArrays, name: str) -> pd.DataFrame:
    """One table of ``arrays`` as the DataFrame :func:`records_to_tables` has always given.

    Columns in the order of :data:`TABLE_COLUMNS`, vocabulary columns as
    categoricals (:data:`VOCABULARY_DTYPES`), a RangeIndex named by
    :data:`TABLE_INDEX` (or an unnamed one).
    """
    cols = getattr(arrays, name)
    dtypes = VOCABULARY_DTYPES[name]
    data = {}
    for col in TABLE_COLUMNS[name]:
        values = cols[col]
        if col in dtypes:
            values = pd.Categorical.from_codes(values, dtype=dtypes[col], validate=False)
        data[col] = values
    n = len(cols[TABLE_COLUMNS[name][0]])
    index = None
    if name in TABLE_INDEX:
        index = pd.RangeIndex(n, name=TABLE_INDEX[name])
        given = cols.get("index")
        if given is not None and not np.array_equal(given, index):
            index = pd.Index(given, name=TABLE_INDEX[name])
    return pd.DataFrame(data, index=index)


def with_categories(tables: FarmTables) -> FarmTables:
    """The same tables with every vocabulary column as a categorical.

    :func:`records_to_tables` builds them so; other builders of
    :class:`FarmTables` (the Excel reader) call this. Values outside the
    vocabulary become NaN. Tables made by :func:`records_to_tables` whose
    frames are not built yet are returned as they are (their frames will be
    built with the categories).
    """
    if not tables.built_frames():
        return tables
    frames = {}
    for name, dtypes in VOCABULARY_DTYPES.items():
        frame = getattr(tables, name)
        todo = {c: d for c, d in dtypes.items() if frame[c].dtype != d}
        frames[name] = frame.astype(todo) if todo else frame
    return FarmTables(**frames)


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Run a block with Python's cyclic garbage collector paused.

    Flattening records and building the long rows allocate millions of
    short-lived objects and create no reference cycles: with 100,000 records
    alive, each full collection would rescan all of them for nothing.
    Reference counting still frees memory as usual; the collector resumes
    (if it was on) when the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def records_to_tables(
    records: Iterable[Mapping] | pd.DataFrame, *, strict: bool = True
) -> tuple[FarmTables, list[Issue]]:
    """Flatten and validate farm records; see :func:`_records_to_tables`."""
    with no_cyclic_gc():
        return _records_to_tables(records, strict=strict)


def _records_to_tables(
    records: Iterable[Mapping] | pd.DataFrame, *, strict: bool = True
) -> tuple[FarmTables, list[Issue]]:
    """Flatten and validate farm records.

    Parameters
    ----------
    records : iterable of dict, or DataFrame
        Farm records (``farmcalc.farm/1``). A DataFrame has one farm per row,
        its columns the record's top-level keys (nested values as objects)
        or dotted keys such as ``energy.diesel_l``.
    strict : bool
        Raise :class:`ValidationError` when any error is found.

    Returns
    -------
    (FarmTables, list of Issue)
        The tables and every issue (errors and plausibility warnings).
    """
    if isinstance(records, pd.DataFrame):
        records = frame_to_records(records)
    elif isinstance(records, Mapping):
        records = [records]
    records = list(records)
    out = Collector()
    parts = []
    # Two stages. Reading values out of the records walks millions of small
    # objects: it runs on blocks small enough for the CPU cache, and turns
    # numbers into float arrays while they are there. Checking is numpy work
    # on whole columns: it runs once, over all blocks joined.
    few = len(records) <= FEW_FARMS
    for start in range(0, max(len(records), 1), CHUNK_FARMS):
        block = Collector()
        parts.append(block_columns(records[start : start + CHUNK_FARMS], block, few))
        out.issues.extend(replace(i, farm=i.farm + start) for i in block.issues)
    arrays = _arrays(checked_columns(*join_blocks(parts), out, few))
    check_duplicates(arrays, out)
    check_plausibility(arrays, out)
    if out.issues:
        out.issues.sort(key=lambda i: i.farm)  # stable: a farm's issues together, in order found
        attach_farm_ids(out.issues, arrays.farms["farm_id"])
    tables = FarmTables.from_arrays(arrays)
    if strict:
        errors = [i for i in out.issues if i.severity == ERROR]
        if errors:
            raise ValidationError(errors)
    return tables, out.issues


def _arrays(checked: dict[str, dict]) -> FarmArrays:
    """FarmArrays of checked columns (vocabulary columns as codes), in the tables' order."""
    tables = {}
    for name, columns in TABLE_COLUMNS.items():
        cols = {col: checked[name][col] for col in columns}
        if name in ("livestock", "crops"):
            cols["index"] = np.arange(len(cols["farm_idx"]), dtype=np.int64)
        for values in cols.values():  # shared by every reader (and the frames): read-only
            values.flags.writeable = False
        tables[name] = cols
    return FarmArrays(**tables, n_farms=len(checked["farms"]["year"]))
