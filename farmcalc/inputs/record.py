"""Farm records (``farmcalc.farm/1``) to column tables, with validation.

Many records become a handful of pandas tables (:class:`FarmTables`), one
per list of the record, so that the calculators work column-wise over all
farms at once. Building the tables checks every field; the rules are
applied as masks over whole columns, and only failing rows cost Python.
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import accumulate, chain, repeat
from operator import itemgetter

import numpy as np
import pandas as pd

from farmcalc.arrays import FarmArrays, arrays_from_frames
from farmcalc.errors import ValidationError
from farmcalc.inputs.issues import ERROR, WARNING, Issue
from farmcalc.inputs.vocabulary import (
    CROPS,
    FORAGE_CROPS,
    INPUT_LEVELS,
    LAND_USES,
    LIVESTOCK_CATEGORIES,
    MANURE_SYSTEMS,
    MINERAL_N_TYPES,
    SCHEMA_ID,
    SOIL_TYPES,
    TILLAGE,
)

NAN = float("nan")


@dataclass(frozen=True)
class Num:
    """A numeric field: its bounds and what a missing value means."""

    column: str
    key: str
    required: bool = False
    minimum: float | None = 0.0
    exclusive_minimum: bool = False
    maximum: float | None = None
    integer: bool = False
    missing: float = 0.0  # value used when absent (NaN = "not given")


SHARE_MAX = 1.0
# Bounds of the livestock class data (issue 11; docs/farm-record.md): outside them a value is
# not an animal's (a typing or unit mistake), so they are errors, not warnings.
LIVE_WEIGHT_MAX_KG = 1500.0  # kg head-1: above the heaviest bull
GAIN_MAX_KG_D = 3.0  # kg head-1 d-1 of live-weight gain
MONTHS_MAX = 12.0  # months of the year on the farm
CRUDE_PROTEIN_MAX_PCT = 40.0  # % of dry matter
DIGESTIBILITY_MIN_PCT, DIGESTIBILITY_MAX_PCT = 40.0, 90.0  # DE, % of gross energy
# Records are checked in blocks of this many farms (see _records_to_tables).
CHUNK_FARMS = 512
# Up to this many farms, the numbers of all columns are checked together (_clean_numbers).
FEW_FARMS = 32

# farm-level numbers: (object key, Num)
FARM_OBJECTS: dict[str, tuple[Num, ...]] = {
    "lime": (Num("limestone_t", "limestone_t"), Num("dolomite_t", "dolomite_t")),
    "energy": (
        Num("diesel_l", "diesel_l"),
        Num("hvo100_l", "hvo100_l"),
        Num("petrol_l", "petrol_l"),
        Num("heating_oil_l", "heating_oil_l"),
        Num("electricity_kwh", "electricity_kwh"),
        Num("district_heating_kwh", "district_heating_kwh"),
    ),
    "organic_soils": (
        Num("organic_cropland_ha", "cropland_ha"),
        Num("organic_grassland_ha", "grassland_ha"),
        # drained organic soil that has been rewetted (IPCC 2013 Wetlands Supplement Ch. 3)
        Num("organic_rewetted_ha", "rewetted_ha"),
    ),
    # a wetland made on mineral soil (former arable land), IPCC 2013 Wetlands Supplement Ch. 5
    "wetlands": (Num("wetland_mineral_soil_ha", "mineral_soil_ha"),),
    "soil": (
        Num(
            "soil_organic_carbon_t_per_ha",
            "organic_carbon_t_per_ha",
            exclusive_minimum=True,
            missing=NAN,
        ),
    ),
    "products": (Num("meat_sold_kg_liveweight", "meat_sold_kg_liveweight", missing=NAN),),
}
MUNICIPALITY_CODE_RE = r"^[0-9]{4}\Z"
"""A municipality code: four ASCII digits (``\\d`` would take "١٢٩٠" and "１２９０")."""


def is_municipality_code(value: object) -> bool:
    """Whether ``value`` is a municipality code: a string of four ASCII digits."""
    return isinstance(value, str) and re.fullmatch(MUNICIPALITY_CODE_RE, value) is not None


FARM_TEXT_KEYS = ("schema", "farm_id", "name", "municipality_code", "year")
FARM_KEYS = frozenset(FARM_TEXT_KEYS) | set(FARM_OBJECTS) | {"livestock", "crops"}
SOIL_KEYS = frozenset({"organic_carbon_t_per_ha", "soil_type", "changes"})

LIVESTOCK_NUMS = (
    Num("head", "head", required=True),
    Num("milk_kg_ecm_per_head", "milk_kg_ecm_per_head", missing=NAN),
    Num("n_excretion_kg_per_head", "n_excretion_kg_per_head", missing=NAN),
    Num("pasture_fraction", "pasture_fraction", maximum=SHARE_MAX),
    # share of the housed part of the year on which the animals get 3-NOP in their feed
    Num("feed_3nop_fraction", "feed_3nop_fraction", maximum=SHARE_MAX),
    # the class data of Tier 2 (issue 11); absent = the factor set's class default or Tier 1
    Num(
        "live_weight_kg",
        "live_weight_kg",
        exclusive_minimum=True,
        maximum=LIVE_WEIGHT_MAX_KG,
        missing=NAN,
    ),
    Num("weight_gain_kg_per_day", "weight_gain_kg_per_day", maximum=GAIN_MAX_KG_D, missing=NAN),
    Num("pregnant_fraction", "pregnant_fraction", maximum=SHARE_MAX, missing=NAN),
    Num(
        "months_on_farm",
        "months_on_farm",
        exclusive_minimum=True,
        maximum=MONTHS_MAX,
        missing=NAN,
    ),
    Num("crude_protein_pct", "crude_protein_pct", maximum=CRUDE_PROTEIN_MAX_PCT, missing=NAN),
    Num(
        "digestibility_pct",
        "digestibility_pct",
        minimum=DIGESTIBILITY_MIN_PCT,
        maximum=DIGESTIBILITY_MAX_PCT,
        missing=NAN,
    ),
)
LIVESTOCK_KEYS = frozenset({"category", "manure_systems"} | {n.key for n in LIVESTOCK_NUMS})

CROP_NUMS = (
    Num("area_ha", "area_ha", required=True),
    Num("yield_kg_per_ha", "yield_kg_per_ha"),
    Num("residues_removed_fraction", "residues_removed_fraction", maximum=SHARE_MAX),
    Num("mineral_n_kg_per_ha", "mineral_n_kg_per_ha"),
    Num("manure_n_kg_per_ha", "manure_n_kg_per_ha", missing=NAN),
    # dry matter instead of fresh weight (the basis for leys, pasture, maize silage)
    Num("yield_kg_dm_per_ha", "yield_kg_dm_per_ha", missing=NAN),
    # share of the crop's area followed by (or undersown with) a catch crop (fånggröda)
    Num("catch_crop_fraction", "catch_crop_fraction", maximum=SHARE_MAX),
    # share of the crop's mineral N spread with a nitrification inhibitor
    Num("nitrification_inhibitor_fraction", "nitrification_inhibitor_fraction", maximum=SHARE_MAX),
)
CROP_KEYS = frozenset({"crop", "mineral_n_type"} | {n.key for n in CROP_NUMS})

CHANGE_NUMS = (
    Num("area_ha", "area_ha", required=True),
    Num("year_of_change", "year_of_change", required=True, minimum=1800, integer=True),
)
CHANGE_KEYS = frozenset({"area_ha", "year_of_change", "from", "to"})
STATE_FIELDS = {"land_use": LAND_USES, "tillage": TILLAGE, "input": INPUT_LEVELS}
STATE_DEFAULTS = {"land_use": "cropland", "tillage": "full", "input": "medium"}

YEAR_MIN, YEAR_MAX = 1990, 2100
# No quantity of one farm comes near this (litres, kWh, head, kg N): a larger
# number is a unit or typing mistake, and would overflow the arithmetic.
ABSURD = 1e12

# Plausibility limits (warnings only; they never block a calculation).
PLAUSIBLE_LU_PER_HA = 10.0
PLAUSIBLE_MINERAL_N_PER_HA = 300.0
PLAUSIBLE_MILK_KG_ECM = 15000.0
PLAUSIBLE_DIESEL_L_PER_HA = 300.0

FARM_COLUMNS = [
    "farm_id",
    "name",
    "municipality_code",
    "year",
    *[n.column for nums in FARM_OBJECTS.values() for n in nums],
    "soil_type",
]
LIVESTOCK_COLUMNS = ["farm_idx", "pos", "category", *[n.column for n in LIVESTOCK_NUMS]]
MANURE_COLUMNS = ["farm_idx", "lv_idx", "system", "share"]
CROP_COLUMNS = [
    "farm_idx",
    "pos",
    "crop",
    *[n.column for n in CROP_NUMS[:4]],
    "mineral_n_type",
    "manure_n_kg_per_ha",
    "yield_kg_dm_per_ha",
    "catch_crop_fraction",
    "nitrification_inhibitor_fraction",
]
CHANGE_COLUMNS = [
    "farm_idx",
    "pos",
    "area_ha",
    "year_of_change",
    *[f"{side}_{k}" for side in ("from", "to") for k in STATE_FIELDS],
]


TABLE_NAMES = ("farms", "livestock", "manure_systems", "crops", "soil_changes")


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


# --------------------------------------------------------------------------
# building blocks


class _Collector:
    """Collects issues; creates them only for failing rows."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, farm: int, path: str, code: str, severity: str = ERROR, **params) -> None:
        self.issues.append(Issue(int(farm), path, code, params, severity))


_PLAIN_NUMBERS = frozenset({int, float})
_NUMBER_TYPES = frozenset({int, float, type(None), np.float64, np.int64})
_NONE = type(None)

# The vocabulary columns of FarmTables are categoricals of these types.
LIVESTOCK_DTYPE = pd.CategoricalDtype(LIVESTOCK_CATEGORIES)
MANURE_DTYPE = pd.CategoricalDtype(MANURE_SYSTEMS)
CROP_DTYPE = pd.CategoricalDtype(CROPS)
MINERAL_N_DTYPE = pd.CategoricalDtype(MINERAL_N_TYPES)
SOIL_DTYPE = pd.CategoricalDtype(SOIL_TYPES)
STATE_DTYPES = {k: pd.CategoricalDtype(v) for k, v in STATE_FIELDS.items()}
# value → category code, for each of these types (by id: hashing a dtype costs microseconds)
_CODES = {
    id(d): {c: i for i, c in enumerate(d.categories)}
    for d in (
        LIVESTOCK_DTYPE,
        MANURE_DTYPE,
        CROP_DTYPE,
        MINERAL_N_DTYPE,
        SOIL_DTYPE,
        *STATE_DTYPES.values(),
    )
}


VOCABULARY_DTYPES: dict[str, dict[str, pd.CategoricalDtype]] = {
    "farms": {"soil_type": SOIL_DTYPE},
    "livestock": {"category": LIVESTOCK_DTYPE},
    "manure_systems": {"system": MANURE_DTYPE},
    "crops": {"crop": CROP_DTYPE, "mineral_n_type": MINERAL_N_DTYPE},
    "soil_changes": {
        f"{side}_{k}": STATE_DTYPES[k] for side in ("from", "to") for k in STATE_FIELDS
    },
}


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


def _rows(mask: np.ndarray) -> np.ndarray:
    """The positions where a 1-d mask is True (``numpy.flatnonzero`` without its wrappers)."""
    return mask.nonzero()[0]


def _floats(values: Sequence) -> np.ndarray:
    """A column read from the records as float (None → NaN) when every value is a number.

    Otherwise the values themselves (an object array), for :func:`_numeric`
    to name each one that is not a number.
    """
    n = len(values)
    types = set(map(type, values))
    if types <= _PLAIN_NUMBERS:  # the common case: one C pass
        return np.fromiter(values, dtype=float, count=n)
    if types == {_NONE}:  # an optional field no record of the block gives
        return np.full(n, np.nan)
    if types <= _NUMBER_TYPES:
        return np.array(values, dtype=float).reshape(n)
    return np.fromiter(values, dtype=object, count=n)


def _numeric(values: Sequence, farms, paths, spec: Num, out: _Collector) -> np.ndarray:
    """Check one numeric column and return it as float (missing → spec.missing).

    ``values`` are the column as :func:`_floats` gives it (or any sequence);
    ``paths(i)`` gives the display path of row i (only called for bad rows).
    """
    n = len(values)
    arr = values if isinstance(values, np.ndarray) else _floats(values)
    if arr.dtype == object:
        arr = np.empty(n, dtype=float)
        for i, v in enumerate(values):
            if v is None or (type(v) in _NUMBER_TYPES):
                arr[i] = NAN if v is None else float(v)
            else:
                out.add(farms[i], paths(i), "type_number", value=v)
                arr[i] = spec.missing if spec.missing == spec.missing else NAN
    missing = np.isnan(arr)
    too_large = ~missing & ~(np.abs(arr) <= ABSURD)  # also ±inf
    if too_large.any():
        for i in _rows(too_large):
            out.add(farms[i], paths(i), "too_large", value=values[i], limit=ABSURD)
        arr[too_large] = NAN
        missing |= too_large
    any_missing = missing.any()
    if spec.required and any_missing:
        for i in _rows(missing):
            out.add(farms[i], paths(i), "required")
    ok = ~missing
    if spec.minimum is not None:
        bad = ok & ((arr <= spec.minimum) if spec.exclusive_minimum else (arr < spec.minimum))
        code = "exclusive_minimum" if spec.exclusive_minimum else "minimum"
        if spec.maximum == SHARE_MAX:
            code = "share"
        for i in _rows(bad):
            out.add(farms[i], paths(i), code, value=arr[i], limit=spec.minimum)
    if spec.maximum is not None:
        bad = ok & (arr > spec.maximum)
        code = "share" if spec.maximum == SHARE_MAX else "maximum"
        for i in _rows(bad):
            out.add(farms[i], paths(i), code, value=arr[i], limit=spec.maximum)
    if spec.integer:
        bad = ok & (np.floor(arr) != arr)
        for i in _rows(bad):
            out.add(farms[i], paths(i), "type_integer", value=arr[i])
    if any_missing:
        arr[missing] = spec.missing
    return arr


@dataclass(frozen=True)
class _Coded:
    """A vocabulary column read in the first stage: its codes and its values.

    ``bad`` tells that some value is not in the vocabulary (its code is -1);
    :func:`_category` then checks the values again to name those.
    """

    codes: np.ndarray
    values: Sequence
    bad: bool


def _coded(values: Sequence, dtype: pd.CategoricalDtype) -> _Coded:
    """Code a vocabulary column (-1 where a value is not in it)."""
    n = len(values)
    code = _CODES[id(dtype)]
    try:
        if n <= FEW_FARMS:
            listed = list(map(code.get, values, repeat(-1)))
            return _Coded(np.array(listed, dtype=np.int16), values, -1 in listed)
        codes = np.fromiter(map(code.get, values, repeat(-1)), dtype=np.int16, count=n)
    except TypeError:  # an unhashable value (a list, an object)
        codes = np.array([code.get(v, -1) if _hashable(v) else -1 for v in values], np.int16)
    return _Coded(codes, values, bool((codes < 0).any()))


def _category(
    values: Sequence | _Coded,
    farms,
    paths,
    dtype: pd.CategoricalDtype,
    out: _Collector,
    default: str | None = None,
) -> np.ndarray:
    """Check one vocabulary column; unknown values become issues (and code -1).

    ``values`` as :func:`_coded` gives them (coded while the records were
    read), or any sequence. Returns the int16 codes into ``dtype``'s
    categories (-1 = missing).
    """
    coded = values if isinstance(values, _Coded) else _coded(values, dtype)
    codes = coded.codes
    if not coded.bad:
        return codes
    values, n = coded.values, len(codes)
    bad = codes < 0
    arr = np.fromiter(values, dtype=object, count=n)
    if default is not None:
        where = _rows(bad)
        if len(where) <= FEW_FARMS:  # a few values: one check each, no pandas call
            fill = where[[bool(pd.isna(arr[i])) for i in where.tolist()]]
        else:
            fill = bad & pd.isna(arr)
        codes[fill] = _CODES[id(dtype)][default]
        bad[fill] = False
    if bad.any():
        allowed = tuple(dtype.categories)
        for i in _rows(bad):
            v = arr[i]
            if _is_missing(v):
                out.add(farms[i], paths(i), "required")
            else:
                out.add(farms[i], paths(i), "unknown_value", value=v, allowed=allowed)
    return codes


def _given(values: Sequence) -> np.ndarray:
    """Which values of a raw column are given (not None, not NaN)."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return ~np.isnan(values)
    return np.fromiter((not _is_missing(v) for v in values), dtype=bool, count=len(values))


def _is_missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _hashable(v) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


def _unknown_keys(item: Mapping, allowed: frozenset, farm: int, prefix: str, out: _Collector):
    for k in item:
        if k not in allowed:
            out.add(farm, f"{prefix}.{k}" if prefix else str(k), "unknown_field")


# --------------------------------------------------------------------------
# records → tables


def _as_list(value, farm: int, path: str, out: _Collector) -> list:
    if _is_missing(value):
        return []
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    out.add(farm, path, "type_list")
    return []


def _as_obj(value, farm: int, path: str, out: _Collector) -> Mapping:
    if _is_missing(value):
        return {}
    if isinstance(value, Mapping):
        return value
    out.add(farm, path, "type_object")
    return {}


def _fields(
    objs: list[dict], keys: Sequence[str], allowed: frozenset, farms, path, out: _Collector
) -> list[Sequence]:
    """Check the keys of ``objs`` and read ``keys``: one sequence per key (None if absent).

    Unknown keys (outside ``allowed``) become issues (``path(i)`` is the
    display path of object i). Keys that every object has are read in one
    C-level pass over the objects; only keys that some objects lack cost a
    pass each.
    """
    n = len(objs)
    if n == 1:  # one object (one farm's): no columns to gather
        (obj,) = objs
        if not allowed.issuperset(obj):
            _unknown_keys(obj, allowed, farms[0], path(0), out)
        return [[obj.get(k)] for k in keys]
    seen = set().union(*objs)
    if not allowed.issuperset(seen):
        for i, o in enumerate(objs):
            if not allowed.issuperset(o):
                _unknown_keys(o, allowed, farms[i], path(i), out)
    present = [k for k in keys if k in seen]
    if set(map(len, objs)) <= {len(seen)}:  # every object has every key seen
        full, partial = present, []
    else:
        everywhere = set(objs[0]).intersection(*objs[1:])
        full = [k for k in present if k in everywhere]
        partial = [k for k in present if k not in everywhere]
    cols: dict[str, Sequence] = {}
    if len(full) > 1:
        cols.update(zip(full, zip(*map(itemgetter(*full), objs), strict=True), strict=True))
    elif full:
        cols[full[0]] = list(map(itemgetter(full[0]), objs))
    for k in partial:
        cols[k] = list(map(dict.get, objs, repeat(k)))
    absent = [None] * n
    return [cols.get(k, absent) for k in keys]


def _objects(values: Sequence, farms, path, out: _Collector) -> list[dict]:
    """``values`` as dicts: None/NaN → {}, a non-object → {} plus an issue."""
    types = set(map(type, values))
    if types <= {dict}:
        return values if isinstance(values, list) else list(values)
    if types <= {dict, _NONE}:
        return [v if v is not None else {} for v in values]
    objs = []
    for i, v in enumerate(values):
        if type(v) is dict:
            objs.append(v)
        elif isinstance(v, Mapping):
            objs.append(dict(v))
        else:
            if not _is_missing(v):
                out.add(farms[i], path(i), "type_object")
            objs.append({})
    return objs


def _flatten(lists: Sequence, out: _Collector, key: str) -> tuple[np.ndarray, np.ndarray, list]:
    """Items of many lists as one list, with each item's list and position in it."""
    types = set(map(type, lists))
    if not types <= {list, _NONE}:
        lists = [_as_list(v, f, key, out) for f, v in enumerate(lists)]
    elif _NONE in types:
        lists = [v if v is not None else () for v in lists]
    if len(lists) <= FEW_FARMS:  # a few lists: Python makes the indices faster than numpy
        owner_list, pos_list = [], []
        for f, items in enumerate(lists):
            k = len(items)
            owner_list += [f] * k
            pos_list += range(k)
        owner = np.array(owner_list, dtype=np.int64)
        return owner, np.array(pos_list, dtype=np.int64), list(chain.from_iterable(lists))
    lens = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    owner = np.repeat(np.arange(len(lists), dtype=np.int64), lens)
    starts = np.cumsum(lens) - lens
    pos = np.arange(len(owner), dtype=np.int64) - np.repeat(starts, lens)
    return owner, pos, list(chain.from_iterable(lists))


def _item_table(
    lists: Sequence,
    key: str,
    allowed: frozenset,
    text_keys: tuple,
    nums,
    out: _Collector,
    few: bool = False,
) -> tuple[list[dict], dict[str, Sequence]]:
    """The items of list ``key`` of every record, and their raw columns.

    Items that are not objects and unknown fields become issues; the columns
    are ``farm_idx``, ``pos``, the ``text_keys`` and the numeric columns
    (float arrays, or as read if ``few``).
    """
    farms, pos, items = _flatten(lists, out, key)
    path = lambda i: f"{key}[{pos[i]}]"  # noqa: E731
    items = _objects(items, farms, path, out)
    keys = (*text_keys, *(n.key for n in nums))
    names = (*text_keys, *(n.column for n in nums))
    columns = dict(zip(names, _fields(items, keys, allowed, farms, path, out), strict=True))
    if not few:
        for n in nums:
            columns[n.column] = _floats(columns[n.column])
    return items, {"farm_idx": farms, "pos": pos, **columns}


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
        records = _frame_to_records(records)
    elif isinstance(records, Mapping):
        records = [records]
    records = list(records)
    out = _Collector()
    parts = []
    # Two stages. Reading values out of the records walks millions of small
    # objects: it runs on blocks small enough for the CPU cache, and turns
    # numbers into float arrays while they are there. Checking is numpy work
    # on whole columns: it runs once, over all blocks joined.
    few = len(records) <= FEW_FARMS
    for start in range(0, max(len(records), 1), CHUNK_FARMS):
        block = _Collector()
        parts.append(_block_columns(records[start : start + CHUNK_FARMS], block, few))
        out.issues.extend(replace(i, farm=i.farm + start) for i in block.issues)
    arrays = _arrays(_check_columns(*_join_raw(parts), out, few))
    _duplicates(arrays, out)
    _plausibility(arrays, out)
    if out.issues:
        out.issues.sort(key=lambda i: i.farm)  # stable: a farm's issues together, in order found
        _attach_farm_ids(out.issues, arrays.farms["farm_id"])
    tables = FarmTables.from_arrays(arrays)
    if strict:
        errors = [i for i in out.issues if i.severity == ERROR]
        if errors:
            raise ValidationError(errors)
    return tables, out.issues


def _block_columns(records: list, out: _Collector, few: bool = False) -> tuple[dict, ...]:
    """Raw columns of one block of records: numbers as float arrays where they are numbers.

    With ``few`` (a single block of at most :data:`FEW_FARMS` records) the
    numbers stay as read, for :func:`_clean_numbers` to check all at once.

    Issues found here are about the records' shape (unknown fields, a
    non-object, a non-list); their farm is the index within the block.
    """
    # farms: only non-dict records cost a Python branch
    recs: list[dict] = records
    if not set(map(type, records)) <= {dict}:
        recs = []
        for f, rec in enumerate(records):
            if isinstance(rec, Mapping):
                recs.append(dict(rec))
            else:
                out.add(f, "", "not_a_record")
                recs.append({})
    top_keys = (*FARM_TEXT_KEYS, *FARM_OBJECTS, "livestock", "crops")
    all_farms = range(len(recs))
    top = dict(
        zip(
            top_keys, _fields(recs, top_keys, FARM_KEYS, all_farms, lambda i: "", out), strict=True
        )
    )
    farm_rows = {k: top[k] for k in FARM_TEXT_KEYS}
    farm_nums: dict[str, Sequence] = {}
    for obj_key, nums in FARM_OBJECTS.items():
        where = lambda i, k=obj_key: k  # noqa: E731
        objs = _objects(top[obj_key], all_farms, where, out)
        allowed = SOIL_KEYS if obj_key == "soil" else frozenset(n.key for n in nums)
        keys = [n.key for n in nums] + (["soil_type"] if obj_key == "soil" else [])
        names = [n.column for n in nums] + (["_soil_type"] if obj_key == "soil" else [])
        values = _fields(objs, keys, allowed, all_farms, where, out)
        farm_nums.update(zip(names, values, strict=True))
        if obj_key == "soil":
            soils = objs

    # livestock, manure systems and crops: one flat list of items each
    _, lv_rows = _item_table(
        top["livestock"],
        "livestock",
        LIVESTOCK_KEYS,
        ("category", "manure_systems"),
        LIVESTOCK_NUMS,
        out,
        few,
    )
    lv_farm, lv_pos = lv_rows["farm_idx"], lv_rows["pos"]
    systems = _objects(
        lv_rows.pop("manure_systems"),
        lv_farm,
        lambda i: f"livestock[{lv_pos[i]}].manure_systems",
        out,
    )
    if few:
        ms_lv_list = [i for i, o in enumerate(systems) for _ in range(len(o))]
        ms_lv = np.array(ms_lv_list, dtype=np.int64)
    else:
        ms_lens = np.fromiter(map(len, systems), dtype=np.int64, count=len(systems))
        ms_lv = np.repeat(np.arange(len(systems), dtype=np.int64), ms_lens)
    ms_rows = {
        "farm_idx": lv_farm[ms_lv],
        "lv_idx": ms_lv,
        "system": list(chain.from_iterable(systems)),
        "share": list(chain.from_iterable(map(dict.values, systems))),
        "pos": lv_pos[ms_lv],
    }
    _, crop_rows = _item_table(
        top["crops"], "crops", CROP_KEYS, ("crop", "mineral_n_type"), CROP_NUMS, out, few
    )
    ch_rows: list[tuple] = []
    with_changes = [] if soils and not any(map(len, soils)) else enumerate(soils)
    for f in [f for f, o in with_changes if o.get("changes") is not None]:
        changes = _as_list(soils[f].get("changes"), f, "soil.changes", out)
        for pos, ch in enumerate(changes):
            p = f"soil.changes[{pos}]"
            if not isinstance(ch, Mapping):
                out.add(f, p, "type_object")
                ch = {}
            elif not CHANGE_KEYS.issuperset(ch):
                _unknown_keys(ch, CHANGE_KEYS, f, p, out)
            states = []
            for side in ("from", "to"):
                st = _as_obj(ch.get(side), f, f"{p}.{side}", out)
                if st and not frozenset(STATE_FIELDS).issuperset(st):
                    _unknown_keys(st, frozenset(STATE_FIELDS), f, f"{p}.{side}", out)
                states.extend(st.get(k) for k in STATE_FIELDS)
            ch_rows.append((f, pos, ch.get("area_ha"), ch.get("year_of_change"), *states))
    ch_names = [
        "farm_idx",
        "pos",
        "area_ha",
        "year_of_change",
        *[f"{side}_{k}" for side in ("from", "to") for k in STATE_FIELDS],
    ]
    ch_cols = map(list, zip(*ch_rows, strict=True)) if ch_rows else [[] for _ in ch_names]
    ch_table = dict(zip(ch_names, ch_cols, strict=True))
    ch_table["farm_idx"] = np.array(ch_table["farm_idx"], dtype=np.int64)
    ch_table["pos"] = np.array(ch_table["pos"], dtype=np.int64)

    lv_rows["category"] = _coded(lv_rows["category"], LIVESTOCK_DTYPE)
    ms_rows["system"] = _coded(ms_rows["system"], MANURE_DTYPE)
    crop_rows["crop"] = _coded(crop_rows["crop"], CROP_DTYPE)
    crop_rows["mineral_n_type"] = _coded(crop_rows["mineral_n_type"], MINERAL_N_DTYPE)
    farm_nums["_soil_type"] = _coded(farm_nums["_soil_type"], SOIL_DTYPE)
    if not few:
        farm_rows["year"] = _floats(farm_rows["year"])
        for spec in FARM_NUMS:
            farm_nums[spec.column] = _floats(farm_nums[spec.column])
        ms_rows["share"] = _floats(ms_rows["share"])
    return farm_rows, farm_nums, lv_rows, ms_rows, crop_rows, ch_table


def _frame_to_records(df: pd.DataFrame) -> list[dict]:
    """One record per row; dotted column names become nested objects.

    Built column by column: a missing cell (NaN, NA, None) of a known field
    is None in the record (which the checks treat as absent); a cell of an
    unknown column is added only where it has a value, so that an empty
    extra column raises nothing.
    """
    tree: dict = {}
    for c in df.columns:
        *parents, leaf = str(c).split(".")
        node = tree
        for p in parents:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):  # a plain column of the same name
                break
        else:
            node.setdefault(leaf, c)
    allowed = {obj: frozenset(n.key for n in nums) for obj, nums in FARM_OBJECTS.items()}
    allowed["soil"] = SOIL_KEYS
    return _frame_level(df, tree, FARM_KEYS, allowed)


def _frame_level(df: pd.DataFrame, tree: dict, known: frozenset, allowed: dict) -> list[dict]:
    keys, values, extra = [], [], []
    for key, node in tree.items():
        if isinstance(node, dict):
            keys.append(key)
            values.append(_frame_level(df, node, allowed.get(key, frozenset()), {}))
        elif key in known:
            keys.append(key)
            values.append(_plain(df[node]))
        else:
            extra.append((key, node))
    records = [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]
    if not keys:
        records = [{} for _ in range(len(df))]
    for key, column in extra:
        s = df[column]
        vals = _plain(s)
        for i in _rows(s.notna().to_numpy()):
            records[i][key] = vals[i]
    return records


def _plain(s: pd.Series) -> list:
    """A column as Python values; missing cells as NaN (numbers) or None."""
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":  # no missing cells
        return s.tolist()
    if s.dtype.kind == "f" or (
        pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
    ):
        return s.to_numpy(dtype=float, na_value=np.nan).tolist()
    return s.astype(object).where(s.notna(), None).tolist()


def _text_column(vals: Sequence, name: str, out: _Collector) -> np.ndarray:
    """Check an optional text field of the farm; a non-text value becomes None."""
    arr = np.fromiter(vals, dtype=object, count=len(vals))
    all_text = set(map(type, vals)) <= {str}
    if all_text:
        if name == "farm_id":
            if not all(map(str.strip, vals)):  # some id is empty
                for i, v in enumerate(vals):
                    if not v.strip():
                        out.add(i, "farm_id", "required")
        elif name == "municipality_code":
            wrong = {v for v in set(vals) if not is_municipality_code(v)}
            if wrong:
                for i, v in enumerate(vals):
                    if v in wrong:
                        out.add(i, name, "municipality_code", value=v)
        return arr
    else:
        bad = np.array([not (isinstance(v, str) or _is_missing(v)) for v in vals], dtype=bool)
    if name == "farm_id":
        # farm ids may be given as numbers in spreadsheets: accept integers
        for i in _rows(bad):
            if type(arr[i]) is int:
                arr[i] = str(arr[i])
                bad[i] = False
        if not (all_text and all(map(str.strip, vals))):  # some id is empty
            for i, v in enumerate(arr.tolist()):
                if not bad[i] and (_is_missing(v) or not str(v).strip()):
                    out.add(i, "farm_id", "required")
    for i in _rows(bad):
        out.add(i, name, "type_string", value=arr[i])
    if name == "municipality_code":
        codes = {v for v in set(arr[~bad].tolist()) if not _is_missing(v)}
        wrong = {v for v in codes if not is_municipality_code(v)}
        if wrong:
            for i, v in enumerate(arr.tolist()):
                if not bad[i] and v in wrong:
                    out.add(i, name, "municipality_code", value=v)
    if bad.any():
        arr[bad] = None
    return arr


def _check_columns(farm_rows, farm_nums, lv_rows, ms_rows, crop_rows, ch_rows, out, few=False):
    """Check the raw columns of all records; the checked columns by table.

    ``few``: the columns come from :func:`_block_columns` with ``few=True``
    (numbers not yet converted), and are first checked by
    :func:`_clean_numbers`.
    """
    n = len(farm_rows["farm_id"])
    farm_idx = np.arange(n)
    # ---- farms
    schema = farm_rows["schema"]
    if few:
        wrong = [i for i, v in enumerate(schema) if v != SCHEMA_ID]
    else:
        wrong = _rows(np.fromiter(schema, dtype=object, count=n) != SCHEMA_ID)
    for i in wrong:
        if not _is_missing(schema[i]):
            out.add(i, "schema", "schema", value=schema[i], expected=SCHEMA_ID)
    farms: dict[str, object] = {
        col: _text_column(farm_rows[col], col, out)
        for col in ("farm_id", "name", "municipality_code")
    }
    fast = _clean_numbers(farm_rows, farm_nums, lv_rows, ms_rows, crop_rows, ch_rows, few=few)
    if fast is None and few:  # as the blocks of many farms have them (see _block_columns)
        _block_floats(farm_rows, farm_nums, lv_rows, ms_rows, crop_rows)
    years = _number(fast, farm_rows, YEAR_SPEC, farm_idx, lambda i: "year", out)
    for i in _rows((years < YEAR_MIN) | (years > YEAR_MAX)):
        out.add(
            i,
            "year",
            "warn_year",
            WARNING,
            year=int(years[i]),
            low=YEAR_MIN,
            high=YEAR_MAX,
        )
    # (no year is missing when every number was found clean: it is required)
    farms["year"] = (years if fast else np.nan_to_num(years, nan=0)).astype(np.int64)
    for obj_key, nums in FARM_OBJECTS.items():
        for spec in nums:
            path = f"{obj_key}.{spec.key}"
            farms[spec.column] = _number(fast, farm_nums, spec, farm_idx, lambda i, p=path: p, out)
    farms["soil_type"] = _category(
        farm_nums["_soil_type"],
        farm_idx,
        lambda i: "soil.soil_type",
        SOIL_DTYPE,
        out,
        default=SOIL_TYPES[0],
    )

    # ---- livestock
    lf, lpos = lv_rows["farm_idx"], lv_rows["pos"]
    lv_path = lambda i: f"livestock[{lpos[i]}]"  # noqa: E731
    lv = {
        "farm_idx": lf,
        "pos": lpos,
        "category": _category(
            lv_rows["category"],
            lf,
            lambda i: f"{lv_path(i)}.category",
            LIVESTOCK_DTYPE,
            out,
        ),
        **_numeric_columns(lv_rows, LIVESTOCK_NUMS, lf, lv_path, out, fast),
    }

    # ---- manure systems
    mf, mpos, lv_ids = ms_rows["farm_idx"], ms_rows["pos"], ms_rows["lv_idx"]
    msys = ms_rows["system"]
    systems = _category(
        msys, mf, lambda i: f"livestock[{mpos[i]}].manure_systems", MANURE_DTYPE, out
    )
    system_name = lambda i: msys.values[i] if msys.bad else MANURE_SYSTEMS[systems[i]]  # noqa: E731
    shares = _number(
        fast,
        ms_rows,
        SHARE_SPEC,
        mf,
        lambda i: f"livestock[{mpos[i]}].manure_systems.{system_name(i)}",
        out,
    )
    ms = {"farm_idx": mf, "lv_idx": lv_ids, "system": systems, "share": shares}
    share_sum = np.bincount(lv_ids, weights=shares, minlength=len(lf))
    has_systems = np.bincount(lv_ids, minlength=len(lf)) > 0
    housed = (lv["head"] > 0) & (lv["pasture_fraction"] < 1)
    tol = 1e-6
    for i in _rows(has_systems & (np.abs(share_sum - 1) > tol)):
        out.add(lf[i], f"livestock[{lpos[i]}].manure_systems", "shares_sum", value=share_sum[i])
    for i in _rows(housed & ~has_systems):
        out.add(lf[i], f"livestock[{lpos[i]}].manure_systems", "manure_systems_missing")

    # ---- crops
    cf, cpos = crop_rows["farm_idx"], crop_rows["pos"]
    crop_path = lambda i: f"crops[{cpos[i]}]"  # noqa: E731
    # before the numbers are checked (that fills missing values in place)
    both = _given(crop_rows["yield_kg_per_ha"]) & _given(crop_rows["yield_kg_dm_per_ha"])
    crops = {
        "farm_idx": cf,
        "pos": cpos,
        "crop": _category(
            crop_rows["crop"], cf, lambda i: f"{crop_path(i)}.crop", CROP_DTYPE, out
        ),
        "mineral_n_type": _category(
            crop_rows["mineral_n_type"],
            cf,
            lambda i: f"{crop_path(i)}.mineral_n_type",
            MINERAL_N_DTYPE,
            out,
            default="unspecified",
        ),
        **_numeric_columns(crop_rows, CROP_NUMS, cf, crop_path, out, fast),
    }
    for i in _rows(both):
        out.add(
            cf[i],
            f"{crop_path(i)}.yield_kg_dm_per_ha",
            "yield_both",
            fresh="yield_kg_per_ha",
            dm="yield_kg_dm_per_ha",
        )

    # ---- soil changes
    hf, hpos = ch_rows["farm_idx"], ch_rows["pos"]
    ch_path = lambda i: f"soil.changes[{hpos[i]}]"  # noqa: E731
    ch = {
        "farm_idx": hf,
        "pos": hpos,
        **_numeric_columns(ch_rows, CHANGE_NUMS, hf, ch_path, out, fast),
    }
    for side in ("from", "to"):
        for k, dtype in STATE_DTYPES.items():
            ch[f"{side}_{k}"] = _category(
                ch_rows[f"{side}_{k}"],
                hf,
                lambda i, s=side, kk=k: f"{ch_path(i)}.{s}.{kk}",
                dtype,
                out,
                default=STATE_DEFAULTS[k],
            )
    return {
        "farms": farms,
        "livestock": lv,
        "manure_systems": ms,
        "crops": crops,
        "soil_changes": ch,
    }


TABLE_COLUMNS = {
    "farms": FARM_COLUMNS,
    "livestock": LIVESTOCK_COLUMNS,
    "manure_systems": MANURE_COLUMNS,
    "crops": CROP_COLUMNS,
    "soil_changes": CHANGE_COLUMNS,
}
TABLE_INDEX = {"farms": "farm_idx", "livestock": "lv_idx", "crops": "crop_idx"}


# Raw columns that hold indices into another table of the same block.
_OFFSETS = {"farm_idx": "farms", "lv_idx": "livestock"}


def _join_raw(parts: list[tuple[dict, ...]]) -> tuple[dict, ...]:
    """The raw columns of all blocks as one block (indices made global).

    Tables in the order of :func:`_block_columns`: farm rows, farm numbers,
    livestock, manure systems, crops, soil changes.
    """
    if len(parts) == 1:
        return parts[0]
    base = {
        "farms": np.cumsum([0] + [len(p[0]["year"]) for p in parts]),
        "livestock": np.cumsum([0] + [len(p[2]["farm_idx"]) for p in parts]),
    }
    joined = []
    for t, first in enumerate(parts[0]):
        table = {}
        for col in first:
            pieces = [p[t][col] for p in parts]
            if col in _OFFSETS:
                offset = base[_OFFSETS[col]]
                pieces = [a + offset[k] for k, a in enumerate(pieces)]
            if isinstance(pieces[0], _Coded):
                bad = any(c.bad for c in pieces)
                table[col] = _Coded(
                    np.concatenate([c.codes for c in pieces]),
                    list(chain.from_iterable(c.values for c in pieces)) if bad else (),
                    bad,
                )
            elif all(isinstance(a, np.ndarray) for a in pieces):
                table[col] = np.concatenate(pieces)
            else:
                table[col] = list(chain.from_iterable(pieces))
        joined.append(table)
    return tuple(joined)


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


# Below this many farms, duplicates are looked for with a Python set (no pandas call).
_SMALL = 64


def _duplicates(arrays: FarmArrays, out: _Collector) -> None:
    """An error for every repeat of a (farm_id, year) pair."""
    ids_arr = arrays.farms["farm_id"]
    n = len(ids_arr)
    if n <= _SMALL:
        ids_list = ids_arr.tolist()
        if set(map(type, ids_list)) <= {str} and len(set(ids_list)) == n:
            return
    else:
        codes, distinct = pd.factorize(ids_arr)
        if len(distinct) == len(codes):  # every id given, each once (the usual case)
            return
    ids, years = ids_arr.tolist(), arrays.farms["year"].tolist()
    if len(set(zip(ids, years, strict=True))) == len(ids):
        return
    farms = pd.DataFrame({"farm_id": ids_arr, "year": arrays.farms["year"]})
    dup = farms.duplicated(["farm_id", "year"], keep="first") & farms["farm_id"].notna()
    for i in _rows(dup.to_numpy()):
        out.add(i, "farm_id", "duplicate_farm", farm_id=ids[i], year=years[i])


def _numeric_columns(
    rows: Mapping, specs, farms, item_path, out: _Collector, fast: dict | None = None
) -> dict:
    """Check and convert every numeric column of ``specs`` (see :func:`_number`)."""
    return {
        spec.column: _number(
            fast, rows, spec, farms, lambda i, k=spec.key: f"{item_path(i)}.{k}", out
        )
        for spec in specs
    }


def _number(fast: dict | None, rows: Mapping, spec: Num, farms, paths, out) -> np.ndarray:
    """A checked numeric column: from :func:`_clean_numbers` if it found all clean, else
    :func:`_numeric`'s."""
    if fast is not None:
        return fast[id(spec)]
    return _numeric(rows[spec.column], farms, paths, spec, out)


YEAR_SPEC = Num("year", "year", required=True, minimum=None, integer=True, missing=NAN)
SHARE_SPEC = Num("share", "share", required=True, maximum=SHARE_MAX)
FARM_NUMS = tuple(spec for nums in FARM_OBJECTS.values() for spec in nums)
# Every numeric column, by the raw table it is in (the order of _check_columns's arguments).
_NUMBER_SPECS = ((YEAR_SPEC,), FARM_NUMS, LIVESTOCK_NUMS, (SHARE_SPEC,), CROP_NUMS, CHANGE_NUMS)


def _spec_bounds(specs: Sequence[Num]) -> dict[str, np.ndarray]:
    """The rules of each column of ``specs`` as arrays (one value per column).

    ``low``/``high``: the closed range a given value must be in (an exclusive
    minimum as the next float above it, ±:data:`ABSURD` where no bound is
    tighter); ``optional``: a missing value keeps the rules; ``integer``;
    ``missing``: the value that stands for a missing one.
    """
    low = [-ABSURD if s.minimum is None else max(s.minimum, -ABSURD) for s in specs]
    low = [
        np.nextafter(v, np.inf) if s.minimum is not None and s.exclusive_minimum else v
        for v, s in zip(low, specs, strict=True)
    ]
    return {
        "low": np.array(low, dtype=float),
        "high": np.array([ABSURD if s.maximum is None else min(s.maximum, ABSURD) for s in specs]),
        "optional": np.array([not s.required for s in specs]),
        "integer": np.array([s.integer for s in specs]),
        "missing": np.array([s.missing for s in specs]),
    }


_BOUNDS = _spec_bounds([s for specs in _NUMBER_SPECS for s in specs])
# (raw table, column) of every numeric column, and the id of its spec (see _number)
_NUMBER_COLUMNS = [(t, s.column) for t, specs in enumerate(_NUMBER_SPECS) for s in specs]
_SPEC_IDS = [id(s) for specs in _NUMBER_SPECS for s in specs]
_CLEAN_TYPES = frozenset({int, float, _NONE, np.float64, np.int64})


@functools.lru_cache(maxsize=128)
def _element_bounds(lens: tuple[int, ...]) -> dict[str, np.ndarray]:
    """:data:`_BOUNDS` repeated for every value of columns of these lengths (read-only)."""
    out = {k: np.repeat(v, lens) for k, v in _BOUNDS.items()}
    for v in out.values():
        v.flags.writeable = False
    return out


def _clean_numbers(*tables: Mapping, few: bool) -> dict | None:
    """Every numeric column of a few farms checked at once, or None if any value breaks a rule.

    ``tables`` are the raw tables of :func:`_block_columns` (``few=True``:
    numbers as read). All numbers are joined into one array and checked by
    the rules of :func:`_numeric` at once; when every value keeps them, the
    columns (missing values filled) are returned by the id of their
    :class:`Num`. Otherwise None: then :func:`_numeric` checks column by
    column and names each broken rule, as for many farms. (None is also
    returned for what might be clean but is not simple to tell here, e.g. a
    missing value of an optional whole-number column: the slow path decides.)
    """
    if not few:
        return None
    columns = [tables[t][c] for t, c in _NUMBER_COLUMNS]
    values = list(chain.from_iterable(columns))
    if not set(map(type, values)) <= _CLEAN_TYPES:
        return None
    try:
        x = np.array(values, dtype=float)
    except (OverflowError, ValueError, TypeError):
        return None
    b = _element_bounds(tuple(map(len, columns)))
    missing = np.isnan(x)
    ok = ((x >= b["low"]) & (x <= b["high"])) | (missing & b["optional"])
    ok &= ~(b["integer"] & (np.floor(x) != x))
    if not ok.all():
        return None
    x = np.where(missing, b["missing"], x)
    ends = list(accumulate(map(len, columns)))
    return dict(zip(_SPEC_IDS, map(x.__getitem__, map(slice, [0, *ends], ends)), strict=False))


def _block_floats(farm_rows, farm_nums, lv_rows, ms_rows, crop_rows) -> None:
    """Convert, in place, the number columns that :func:`_block_columns` converts for many farms.

    (The numbers of soil changes stay as read, as there.)
    """
    farm_rows["year"] = _floats(farm_rows["year"])
    for spec in FARM_NUMS:
        farm_nums[spec.column] = _floats(farm_nums[spec.column])
    for spec in LIVESTOCK_NUMS:
        lv_rows[spec.column] = _floats(lv_rows[spec.column])
    ms_rows["share"] = _floats(ms_rows["share"])
    for spec in CROP_NUMS:
        crop_rows[spec.column] = _floats(crop_rows[spec.column])


def _plausibility(t: FarmTables | FarmArrays, out) -> None:
    """Warnings for unusual but possible values (never block).

    Reads the numpy columns (``t.arrays`` of a :class:`FarmTables`); ``out``
    has the ``add`` of :class:`_Collector`.
    """
    from farmcalc.factors import load_factor_set

    a = t.arrays if isinstance(t, FarmTables) else t
    n = a.n_farms
    cr = a.crops
    farmland = np.bincount(cr["farm_idx"], weights=cr["area_ha"], minlength=n)[:n]
    has_land = farmland > 0
    lv = a.livestock
    if len(lv["farm_idx"]):
        code = lv["category"]
        known = code >= 0
        lu_per_head = np.zeros(len(code))
        try:
            fs = load_factor_set("ipcc2019")
            lu_per_head[known] = fs.take(
                "livestock.livestock_units", LIVESTOCK_CATEGORIES, code[known]
            )
        except Exception:  # factor data incomplete: skip this warning, never block
            lu_per_head[:] = 0.0
        lu = np.bincount(lv["farm_idx"], weights=lv["head"] * lu_per_head, minlength=n)
        # divided where there is farmland only (elsewhere 0, not flagged)
        density = np.divide(lu, farmland, out=np.zeros(n), where=has_land)
        for i in _rows(density > PLAUSIBLE_LU_PER_HA):
            out.add(
                i,
                "livestock",
                "warn_lu_per_ha",
                WARNING,
                value=round(density[i], 1),
                limit=PLAUSIBLE_LU_PER_HA,
            )
        for i in _rows((farmland == 0) & (lu > 0)):
            out.add(i, "crops", "warn_livestock_no_land", WARNING)
        milk = lv["milk_kg_ecm_per_head"]
        for r in _rows(milk > PLAUSIBLE_MILK_KG_ECM):
            out.add(
                lv["farm_idx"][r],
                f"livestock[{lv['pos'][r]}].milk_kg_ecm_per_head",
                "warn_milk",
                WARNING,
                value=milk[r],
                limit=PLAUSIBLE_MILK_KG_ECM,
            )
        _live_weight_plausibility(lv, out)
    n_rate = cr["mineral_n_kg_per_ha"]
    for r in _rows(n_rate > PLAUSIBLE_MINERAL_N_PER_HA):
        out.add(
            cr["farm_idx"][r],
            f"crops[{cr['pos'][r]}].mineral_n_kg_per_ha",
            "warn_mineral_n",
            WARNING,
            value=n_rate[r],
            limit=PLAUSIBLE_MINERAL_N_PER_HA,
        )
    _yield_plausibility(cr, out)
    per_ha = np.divide(a.farms["diesel_l"], farmland, out=np.zeros(n), where=has_land)
    for i in _rows(per_ha > PLAUSIBLE_DIESEL_L_PER_HA):
        out.add(
            i,
            "energy.diesel_l",
            "warn_diesel_per_ha",
            WARNING,
            value=round(per_ha[i]),
            limit=PLAUSIBLE_DIESEL_L_PER_HA,
        )


def _live_weight_plausibility(lv: Mapping[str, np.ndarray], out) -> None:
    """Warn of a live weight above its class's plausible maximum (``plausible.live_weight_kg``)."""
    from farmcalc.factors import load_factor_set

    weight = lv["live_weight_kg"]
    given = ~np.isnan(weight)
    if not given.any():
        return
    try:
        fs = load_factor_set("ipcc2019")
        high = fs.column("plausible.live_weight_kg", LIVESTOCK_CATEGORIES, "high")
    except Exception:  # factor data incomplete: skip this warning, never block
        return
    code = lv["category"]
    limit = np.where(code >= 0, high[code], np.inf)
    for r in _rows(given & (weight > limit)):
        out.add(
            lv["farm_idx"][r],
            f"livestock[{lv['pos'][r]}].live_weight_kg",
            "warn_live_weight",
            WARNING,
            value=weight[r],
            limit=limit[r],
            animal=LIVESTOCK_CATEGORIES[code[r]],
        )


_FORAGE = np.isin(np.asarray(CROPS, dtype=object), FORAGE_CROPS)
"""Which crop codes are forage crops."""


def _yield_plausibility(cr: Mapping[str, np.ndarray], out) -> None:
    """Warnings for yields outside the plausible range of their crop (``plausible.yield.*``).

    Forage crops (:data:`farmcalc.inputs.vocabulary.FORAGE_CROPS`) are checked in dry
    matter, the basis the form and the template ask for; a fresh weight given
    for one is converted with ``crops.dry`` first, and a warning says what that
    conversion assumed. Other crops are checked in fresh weight (a dry-matter
    yield given for one is converted back). Yields of 0 (nothing harvested, or
    not given) are not checked.
    """
    from farmcalc.factors import load_factor_set

    codes = cr["crop"]
    if not len(codes):
        return
    known = codes >= 0
    n_known = np.count_nonzero(known)
    if not n_known:
        return
    if n_known == len(codes):  # every crop known (the usual case): no subset to take
        code, fresh, dm_given, rows = codes, cr["yield_kg_per_ha"], cr["yield_kg_dm_per_ha"], None
    else:
        code, rows = codes[known], _rows(known)
        fresh, dm_given = cr["yield_kg_per_ha"][known], cr["yield_kg_dm_per_ha"][known]
    try:
        fs = load_factor_set("ipcc2019")
        dry = fs.take("crops.dry", CROPS, code)
        low = fs.column("plausible.yield", CROPS, "low")[code]
        high = fs.column("plausible.yield", CROPS, "high")[code]
    except Exception:  # factor data incomplete: skip these warnings, never block
        return
    forage = _FORAGE[code]
    has_dm = ~np.isnan(dm_given)
    # the yield on the crop's basis: dry matter for forage, fresh weight for the rest
    basis = np.where(forage, np.where(has_dm, dm_given, fresh * dry), fresh)
    basis = np.where(~forage & has_dm, dm_given / dry, basis)
    for k in _rows(forage & ~has_dm & (fresh > 0)):
        r = k if rows is None else rows[k]
        out.add(
            cr["farm_idx"][r],
            f"crops[{cr['pos'][r]}].yield_kg_per_ha",
            "warn_forage_fresh",
            WARNING,
            crop=CROPS[code[k]],
            value=fresh[k],
            dry=round(dry[k] * 100, 1),
            dm=round(basis[k]),
        )
    given = basis > 0
    for k in _rows(given & ((basis > high) | (basis < low))):
        r = k if rows is None else rows[k]
        key = "yield_kg_dm_per_ha" if has_dm[k] else "yield_kg_per_ha"
        side = "high" if basis[k] > high[k] else "low"
        out.add(
            cr["farm_idx"][r],
            f"crops[{cr['pos'][r]}].{key}",
            f"warn_yield_dm_{side}" if forage[k] else f"warn_yield_{side}",
            WARNING,
            crop=CROPS[code[k]],
            value=round(float(basis[k]), 1),
            limit=high[k] if side == "high" else low[k],
        )


def _attach_farm_ids(issues: list[Issue], ids: np.ndarray) -> None:
    """Each issue with the id of its farm (where the farm has a text id)."""
    for k, issue in enumerate(issues):
        if issue.farm < len(ids) and isinstance(ids[issue.farm], str):
            issues[k] = Issue(
                issue.farm, issue.path, issue.code, issue.params, issue.severity, ids[issue.farm]
            )
