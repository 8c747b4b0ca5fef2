"""The rules of a farm record, applied column-wise: one checker for every path in.

Each rule (a number's type and range, a required value, a vocabulary, a
municipality code, a text's characters, manure shares, a duplicate farm,
plausibility) is applied as a mask over a whole column; only failing rows
cost Python, each becoming an issue with one :class:`farmcalc.inputs.issues.Code`.
Both ways in use these rules: ``records_to_tables`` (records, through
:mod:`farmcalc.inputs.parsing`) and the workbook reader
(:mod:`farmcalc.excel.reader`, whose issues add sheet, row and column to the
same code). The rule functions below that take a column and give masks
(:func:`number_rules`, :func:`unreasonable`, :func:`year_outside`,
:func:`shares_off`, :func:`housed`, :func:`is_municipality_code`, and
:func:`farmcalc.inputs.text.bad_character` for text) are what the two share.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, repeat

import numpy as np
import pandas as pd

from farmcalc.arrays import FarmArrays
from farmcalc.inputs.fields import (
    CHANGE_NUMS,
    CODES,
    CROP_NUMS,
    FARM_NUMS,
    LIVESTOCK_NUMS,
    NAN,
    SHARE_MAX,
    SHARE_SPEC,
    YEAR_SPEC,
    Num,
)
from farmcalc.inputs.issues import ERROR, WARNING, Code, Issue
from farmcalc.inputs.text import bad_character, char_name
from farmcalc.inputs.vocabulary import (
    CROPS,
    FORAGE_CROPS,
    LIVESTOCK_CATEGORIES,
)

MUNICIPALITY_CODE_RE = r"^[0-9]{4}\Z"
"""A municipality code: four ASCII digits (``\\d`` would take "١٢٩٠" and "１２９０")."""


def is_municipality_code(value: object) -> bool:
    """Whether ``value`` is a municipality code: a string of four ASCII digits."""
    return isinstance(value, str) and re.fullmatch(MUNICIPALITY_CODE_RE, value) is not None


YEAR_MIN, YEAR_MAX = 1990, 2100
# No quantity of one farm comes near this (litres, kWh, head, kg N): a larger
# number is a unit or typing mistake, and would overflow the arithmetic.
ABSURD = 1e12

# Plausibility limits (warnings only; they never block a calculation).
PLAUSIBLE_LU_PER_HA = 10.0
PLAUSIBLE_MINERAL_N_PER_HA = 300.0
PLAUSIBLE_MILK_KG_ECM = 15000.0
PLAUSIBLE_DIESEL_L_PER_HA = 300.0


# Up to this many farms, the numbers of all columns are checked together (clean_numbers).
FEW_FARMS = 32


class Collector:
    """Collects issues; creates them only for failing rows."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, farm: int, path: str, code: str, severity: str = ERROR, **params) -> None:
        self.issues.append(Issue(int(farm), path, code, params, severity))


_NUMBER_TYPES = frozenset({int, float, type(None), np.float64, np.int64})
_NONE = type(None)


def rows_of(mask: np.ndarray) -> np.ndarray:
    """The positions where a 1-d mask is True (``numpy.flatnonzero`` without its wrappers)."""
    return mask.nonzero()[0]


class Absent(list):
    """A column read for a key that no object of the block has: all None.

    (A list, so that it joins and reads as any column; :func:`as_floats` knows
    it without looking at its values.)
    """


def as_floats(values: Sequence) -> np.ndarray:
    """A column read from the records as float (None → NaN) when every value is a number.

    Otherwise the values themselves (an object array), for :func:`check_numbers`
    to name each one that is not a number.
    """
    n = len(values)
    if type(values) is Absent:  # an optional field no record of the block gives
        return np.full(n, NAN)
    types = set(map(type, values))
    if types <= _NUMBER_TYPES:  # one C pass (np.fromiter reads None as NaN)
        return np.fromiter(values, dtype=float, count=n)
    return np.fromiter(values, dtype=object, count=n)


def unreasonable(arr: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Which given values of a float column are beyond any farm's (more than :data:`ABSURD`).

    Also ±inf. ``missing``: the rows not given (NaN), if known already.
    """
    if missing is None:
        missing = np.isnan(arr)
    return ~missing & ~(np.abs(arr) <= ABSURD)


def number_rules(
    arr: np.ndarray, spec: Num, given: np.ndarray
) -> Iterator[tuple[Code, np.ndarray, float | None]]:
    """The bounds of ``spec`` over a float column: (code, rows that break it, limit) per rule.

    Only the ``given`` rows are judged. In this order: the minimum
    (:attr:`Code.MINIMUM`, or :attr:`Code.EXCLUSIVE_MINIMUM`), the maximum
    (:attr:`Code.MAXIMUM`), a whole number (:attr:`Code.TYPE_INTEGER`, limit
    None); a share (maximum 1) breaks either bound as :attr:`Code.SHARE`.
    Rules the spec does not have are not yielded.
    """
    share = spec.maximum == SHARE_MAX
    if spec.minimum is not None:
        if spec.exclusive_minimum:
            bad, code = given & (arr <= spec.minimum), Code.EXCLUSIVE_MINIMUM
        else:
            bad, code = given & (arr < spec.minimum), Code.MINIMUM
        yield (Code.SHARE if share else code), bad, spec.minimum
    if spec.maximum is not None:
        yield (Code.SHARE if share else Code.MAXIMUM), given & (arr > spec.maximum), spec.maximum
    if spec.integer:
        yield Code.TYPE_INTEGER, given & (np.floor(arr) != arr), None


def year_outside(years: np.ndarray) -> np.ndarray:
    """Which years lie outside :data:`YEAR_MIN`–:data:`YEAR_MAX` (:attr:`Code.WARN_YEAR`)."""
    return (years < YEAR_MIN) | (years > YEAR_MAX)


SHARES_TOLERANCE = 1e-6
"""How far the manure-system shares of an animal row may sum from 1."""


def shares_off(total: np.ndarray) -> np.ndarray:
    """Which sums of manure-system shares are not 1 (:attr:`Code.SHARES_SUM`)."""
    return np.abs(total - 1) > SHARES_TOLERANCE


def housed(head: np.ndarray, pasture_fraction: np.ndarray) -> np.ndarray:
    """Which animal rows have manure to store: animals, not all of it dropped on pasture.

    Such a row needs a manure system (:attr:`Code.MANURE_SYSTEMS_MISSING`).
    """
    return (head > 0) & (pasture_fraction < 1)


def check_numbers(values: Sequence, farms, paths, spec: Num, out: Collector) -> np.ndarray:
    """Check one numeric column and return it as float (missing → spec.missing).

    ``values`` are the column as :func:`as_floats` gives it (or any sequence);
    ``paths(i)`` gives the display path of row i (only called for bad rows).
    """
    n = len(values)
    arr = values if isinstance(values, np.ndarray) else as_floats(values)
    if arr.dtype == object:
        arr = np.empty(n, dtype=float)
        for i, v in enumerate(values):
            if v is None or (type(v) in _NUMBER_TYPES):
                arr[i] = NAN if v is None else float(v)
            else:
                out.add(farms[i], paths(i), "type_number", value=v)
                arr[i] = spec.missing if spec.missing == spec.missing else NAN
    missing = np.isnan(arr)
    too_large = unreasonable(arr, missing)
    if too_large.any():
        for i in rows_of(too_large):
            out.add(farms[i], paths(i), Code.TOO_LARGE, value=values[i], limit=ABSURD)
        arr[too_large] = NAN
        missing |= too_large
    any_missing = missing.any()
    if spec.required and any_missing:
        for i in rows_of(missing):
            out.add(farms[i], paths(i), Code.REQUIRED)
    for code, bad, limit in number_rules(arr, spec, ~missing):
        for i in rows_of(bad):
            if limit is None:
                out.add(farms[i], paths(i), code, value=arr[i])
            else:
                out.add(farms[i], paths(i), code, value=arr[i], limit=limit)
    if any_missing:
        arr[missing] = spec.missing
    return arr


@dataclass(frozen=True)
class Coded:
    """A vocabulary column read in the first stage: its codes and its values.

    ``bad`` tells that some value is not in the vocabulary (its code is -1);
    :func:`check_category` then checks the values again to name those.
    """

    codes: np.ndarray
    values: Sequence
    bad: bool


def code_column(values: Sequence, dtype: pd.CategoricalDtype) -> Coded:
    """Code a vocabulary column (-1 where a value is not in it)."""
    n = len(values)
    code = CODES[id(dtype)]
    try:
        if n <= FEW_FARMS:
            listed = list(map(code.get, values, repeat(-1)))
            return Coded(np.array(listed, dtype=np.int16), values, -1 in listed)
        codes = np.fromiter(map(code.get, values, repeat(-1)), dtype=np.int16, count=n)
    except TypeError:  # an unhashable value (a list, an object)
        codes = np.array([code.get(v, -1) if _hashable(v) else -1 for v in values], np.int16)
    return Coded(codes, values, bool((codes < 0).any()))


def check_category(
    values: Sequence | Coded,
    farms,
    paths,
    dtype: pd.CategoricalDtype,
    out: Collector,
    default: str | None = None,
) -> np.ndarray:
    """Check one vocabulary column; unknown values become issues (and code -1).

    ``values`` as :func:`code_column` gives them (coded while the records were
    read), or any sequence. Returns the int16 codes into ``dtype``'s
    categories (-1 = missing).
    """
    coded = values if isinstance(values, Coded) else code_column(values, dtype)
    codes = coded.codes
    if not coded.bad:
        return codes
    values, n = coded.values, len(codes)
    bad = codes < 0
    arr = np.fromiter(values, dtype=object, count=n)
    if default is not None:
        where = rows_of(bad)
        if len(where) <= FEW_FARMS:  # a few values: one check each, no pandas call
            fill = where[[bool(pd.isna(arr[i])) for i in where.tolist()]]
        else:
            fill = bad & pd.isna(arr)
        codes[fill] = CODES[id(dtype)][default]
        bad[fill] = False
    if bad.any():
        allowed = tuple(dtype.categories)
        for i in rows_of(bad):
            v = arr[i]
            if is_missing(v):
                out.add(farms[i], paths(i), "required")
            else:
                out.add(farms[i], paths(i), "unknown_value", value=v, allowed=allowed)
    return codes


def given_mask(values: Sequence) -> np.ndarray:
    """Which values of a raw column are given (not None, not NaN)."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return ~np.isnan(values)
    return np.fromiter((not is_missing(v) for v in values), dtype=bool, count=len(values))


def is_missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _hashable(v) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


IDENTIFIERS = ("farm_id", "municipality_code")
"""The farm's text fields in which a control character is refused (see :func:`check_text`)."""


def check_text(vals: Sequence, name: str, out: Collector) -> np.ndarray:
    """Check an optional text field of the farm; a non-text value becomes None.

    An identifier (``farm_id``, ``municipality_code``) with a refused character
    (:func:`farmcalc.inputs.text.bad_character`: a NUL, another control
    character) is an error (:attr:`Code.TEXT_CHARACTER`, as in a workbook cell
    and on the web form) and becomes None too: the store keys farms by them and
    PostgreSQL refuses a NUL. A ``name`` is not checked so: a record stored
    before the rule must still be read (pages and workbooks show such a
    character as U+FFFD).
    """
    arr = np.fromiter(vals, dtype=object, count=len(vals))
    all_text = set(map(type, vals)) <= {str}
    refused = np.zeros(len(vals), dtype=bool)
    if name in IDENTIFIERS:
        refused = _refused_characters(vals, all_text, name, out)
    if all_text and not refused.any():
        if name == "farm_id":
            if not all(map(str.strip, vals)):  # some id is empty
                for i, v in enumerate(vals):
                    if not v.strip():
                        out.add(i, "farm_id", Code.REQUIRED)
        elif name == "municipality_code":
            wrong = {v for v in set(vals) if not is_municipality_code(v)}
            if wrong:
                for i, v in enumerate(vals):
                    if v in wrong:
                        out.add(i, name, Code.MUNICIPALITY_CODE, value=v)
        return arr
    bad = np.array([not (isinstance(v, str) or is_missing(v)) for v in vals], dtype=bool)
    if name == "farm_id":
        # farm ids may be given as numbers in spreadsheets: accept integers
        for i in rows_of(bad):
            if type(arr[i]) is int:
                arr[i] = str(arr[i])
                bad[i] = False
        for i, v in enumerate(arr.tolist()):  # some id may be empty
            if not bad[i] and not refused[i] and (is_missing(v) or not str(v).strip()):
                out.add(i, "farm_id", Code.REQUIRED)
    for i in rows_of(bad):
        out.add(i, name, Code.TYPE_STRING, value=arr[i])
    if name == "municipality_code":
        judged = ~bad & ~refused
        codes = {v for v in set(arr[judged].tolist()) if not is_missing(v)}
        wrong = {v for v in codes if not is_municipality_code(v)}
        if wrong:
            for i, v in enumerate(arr.tolist()):
                if judged[i] and v in wrong:
                    out.add(i, name, Code.MUNICIPALITY_CODE, value=v)
    if bad.any() or refused.any():
        arr[bad | refused] = None
    return arr


def _refused_characters(vals: Sequence, all_text: bool, name: str, out: Collector) -> np.ndarray:
    """Which texts hold a refused character (an issue each); one search over all when none."""
    refused = np.zeros(len(vals), dtype=bool)
    texts = vals if all_text else [v for v in vals if type(v) is str]
    if bad_character("".join(texts)) is None:  # the usual case: one search, no loop
        return refused
    for i, v in enumerate(vals):
        found = bad_character(v) if type(v) is str else None
        if found:
            out.add(i, name, Code.TEXT_CHARACTER, char=char_name(found[1]), pos=found[0])
            refused[i] = True
    return refused


def check_duplicates(arrays: FarmArrays, out: Collector) -> None:
    """An error for every repeat of a (farm_id, year) pair."""
    ids_arr = arrays.farms["farm_id"]
    ids = ids_arr.tolist()
    # every id a text, each once (the usual case): a set of strings is faster than pandas
    if set(map(type, ids)) <= {str} and len(set(ids)) == len(ids):
        return
    years = arrays.farms["year"].tolist()
    if len(set(zip(ids, years, strict=True))) == len(ids):
        return
    for i in rows_of(repeated(ids_arr, arrays.farms["year"])):
        out.add(i, "farm_id", Code.DUPLICATE_FARM, farm_id=ids[i], year=years[i])


def repeated(ids: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Which rows repeat the (farm id, year) of an earlier row (:attr:`Code.DUPLICATE_FARM`).

    Rows without an id or a year are never repeats.
    """
    key = pd.DataFrame({"farm_id": ids, "year": years})
    given = ~pd.isna(ids) & ~np.isnan(np.asarray(years, dtype=float))
    return key.duplicated(keep="first").to_numpy() & given


# Every numeric column, by the raw table it is in (the order of checked_columns's arguments).
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


def clean_numbers(*tables: Mapping, few: bool) -> dict | None:
    """Every numeric column of a few farms checked at once, or None if any value breaks a rule.

    ``tables`` are the raw tables of :func:`block_columns` (``few=True``:
    numbers as read). All numbers are joined into one array and checked by
    the rules of :func:`check_numbers` at once; when every value keeps them, the
    columns (missing values filled) are returned by the id of their
    :class:`Num`. Otherwise None: then :func:`check_numbers` checks column by
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


def check_plausibility(t: FarmArrays, out) -> None:
    """Warnings for unusual but possible values (never block).

    Reads the numpy columns (:class:`FarmArrays`, or the ``arrays`` of a
    :class:`farmcalc.inputs.tables.FarmTables`); ``out`` has the ``add`` of
    :class:`Collector`.
    """
    from farmcalc.factors import load_factor_set

    a = t if isinstance(t, FarmArrays) else t.arrays
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
        with np.errstate(over="ignore"):  # a tiny area: infinite density, flagged as such
            density = np.divide(lu, farmland, out=np.zeros(n), where=has_land)
        for i in rows_of(density > PLAUSIBLE_LU_PER_HA):
            out.add(
                i,
                "livestock",
                "warn_lu_per_ha",
                WARNING,
                value=round(density[i], 1),
                limit=PLAUSIBLE_LU_PER_HA,
            )
        for i in rows_of((farmland == 0) & (lu > 0)):
            out.add(i, "crops", "warn_livestock_no_land", WARNING)
        milk = lv["milk_kg_ecm_per_head"]
        for r in rows_of(milk > PLAUSIBLE_MILK_KG_ECM):
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
    for r in rows_of(n_rate > PLAUSIBLE_MINERAL_N_PER_HA):
        out.add(
            cr["farm_idx"][r],
            f"crops[{cr['pos'][r]}].mineral_n_kg_per_ha",
            "warn_mineral_n",
            WARNING,
            value=n_rate[r],
            limit=PLAUSIBLE_MINERAL_N_PER_HA,
        )
    _yield_plausibility(cr, out)
    with np.errstate(over="ignore"):  # a tiny area: infinite litres per hectare, flagged
        per_ha = np.divide(a.farms["diesel_l"], farmland, out=np.zeros(n), where=has_land)
    for i in rows_of(per_ha > PLAUSIBLE_DIESEL_L_PER_HA):
        out.add(
            i,
            "energy.diesel_l",
            "warn_diesel_per_ha",
            WARNING,
            value=round(per_ha[i]) if np.isfinite(per_ha[i]) else float(per_ha[i]),
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
    for r in rows_of(given & (weight > limit)):
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
        code, rows = codes[known], rows_of(known)
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
    for k in rows_of(forage & ~has_dm & (fresh > 0)):
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
    for k in rows_of(given & ((basis > high) | (basis < low))):
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


def attach_farm_ids(issues: list[Issue], ids: np.ndarray) -> None:
    """Each issue with the id of its farm (where the farm has a text id)."""
    for k, issue in enumerate(issues):
        if issue.farm < len(ids) and isinstance(ids[issue.farm], str):
            issues[k] = Issue(
                issue.farm, issue.path, issue.code, issue.params, issue.severity, ids[issue.farm]
            )
