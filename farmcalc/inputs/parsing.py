"""Farm records (dicts, or a DataFrame of them) to checked column values.

The records are read in blocks: their keys checked, their lists flattened
(one row per animal category, manure system, crop, soil change) and their
numbers turned into float arrays; then every column is checked by the rules of
:mod:`farmcalc.inputs.checks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from operator import itemgetter

import numpy as np
import pandas as pd

from farmcalc.inputs.activity_uncertainty import ACTIVITY_KEY, check_activity_uncertainty
from farmcalc.inputs.checks import (
    FEW_FARMS,
    YEAR_MAX,
    YEAR_MIN,
    Absent,
    Coded,
    Collector,
    as_floats,
    check_category,
    check_numbers,
    check_text,
    clean_numbers,
    code_column,
    given_mask,
    housed,
    is_missing,
    rows_of,
    shares_off,
    year_outside,
)
from farmcalc.inputs.fields import (
    CHANGE_KEYS,
    CHANGE_NUMS,
    CROP_DTYPE,
    CROP_KEYS,
    CROP_NUMS,
    FARM_KEYS,
    FARM_NUMS,
    FARM_OBJECTS,
    FARM_TEXT_KEYS,
    LIVESTOCK_DTYPE,
    LIVESTOCK_KEYS,
    LIVESTOCK_NUMS,
    MANURE_DTYPE,
    MINERAL_N_DTYPE,
    SHARE_SPEC,
    SOIL_DTYPE,
    SOIL_KEYS,
    STATE_DEFAULTS,
    STATE_DTYPES,
    STATE_FIELDS,
    YEAR_SPEC,
    Num,
)
from farmcalc.inputs.issues import WARNING
from farmcalc.inputs.vocabulary import (
    MANURE_SYSTEMS,
    SCHEMA_ID,
    SOIL_TYPES,
)

_NONE = type(None)


def _check_activity(given: Sequence, out: Collector) -> None:
    """The records' own activity uncertainty, where given (``inputs/activity_uncertainty.py``)."""
    if isinstance(given, Absent):  # no record of the block has one: no Python per farm
        return
    for f, value in enumerate(given):
        check_activity_uncertainty(value, f, out)


def _unknown_keys(item: Mapping, allowed: frozenset, farm: int, prefix: str, out: Collector):
    for k in item:
        if k not in allowed:
            out.add(farm, f"{prefix}.{k}" if prefix else str(k), "unknown_field")


def _as_list(value, farm: int, path: str, out: Collector) -> list:
    if is_missing(value):
        return []
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    out.add(farm, path, "type_list")
    return []


def _as_obj(value, farm: int, path: str, out: Collector) -> Mapping:
    if is_missing(value):
        return {}
    if isinstance(value, Mapping):
        return value
    out.add(farm, path, "type_object")
    return {}


def _fields(
    objs: list[dict], keys: Sequence[str], allowed: frozenset, farms, path, out: Collector
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
    lens = list(map(len, objs))
    shortest = objs[lens.index(min(lens))] if n else {}
    # The keys every object has are among the shortest object's: read them at
    # once, which also proves that every object has them (else KeyError).
    full = [k for k in present if k in shortest]
    cols: dict[str, Sequence] = {}
    try:
        _read_full(objs, full, cols)
    except KeyError:  # some object lacks one of them: find which keys all have
        everywhere = seen.intersection(*objs)
        full = [k for k in full if k in everywhere]
        _read_full(objs, full, cols)
    partial = [k for k in present if k not in cols]
    for k in partial:
        cols[k] = list(map(dict.get, objs, repeat(k)))
    absent = Absent(repeat(None, n))
    return [cols.get(k, absent) for k in keys]


def _read_full(objs: list[dict], keys: list[str], cols: dict[str, Sequence]) -> None:
    """Read ``keys``, which every object has, into ``cols``: one C-level pass over ``objs``."""
    if len(keys) > 1:
        cols.update(zip(keys, zip(*map(itemgetter(*keys), objs), strict=True), strict=True))
    elif keys:
        cols[keys[0]] = list(map(itemgetter(keys[0]), objs))


def _objects(values: Sequence, farms, path, out: Collector) -> list[dict]:
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
            if not is_missing(v):
                out.add(farms[i], path(i), "type_object")
            objs.append({})
    return objs


def _flatten(lists: Sequence, out: Collector, key: str) -> tuple[np.ndarray, np.ndarray, list]:
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
    out: Collector,
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
            columns[n.column] = as_floats(columns[n.column])
    return items, {"farm_idx": farms, "pos": pos, **columns}


def block_columns(records: list, out: Collector, few: bool = False) -> tuple[dict, ...]:
    """Raw columns of one block of records: numbers as float arrays where they are numbers.

    With ``few`` (a single block of at most :data:`FEW_FARMS` records) the
    numbers stay as read, for :func:`clean_numbers` to check all at once.

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
    top_keys = (*FARM_TEXT_KEYS, *FARM_OBJECTS, "livestock", "crops", ACTIVITY_KEY)
    all_farms = range(len(recs))
    top = dict(
        zip(
            top_keys, _fields(recs, top_keys, FARM_KEYS, all_farms, lambda i: "", out), strict=True
        )
    )
    farm_rows = {k: top[k] for k in FARM_TEXT_KEYS}
    _check_activity(top[ACTIVITY_KEY], out)
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

    lv_rows["category"] = code_column(lv_rows["category"], LIVESTOCK_DTYPE)
    ms_rows["system"] = code_column(ms_rows["system"], MANURE_DTYPE)
    crop_rows["crop"] = code_column(crop_rows["crop"], CROP_DTYPE)
    crop_rows["mineral_n_type"] = code_column(crop_rows["mineral_n_type"], MINERAL_N_DTYPE)
    farm_nums["_soil_type"] = code_column(farm_nums["_soil_type"], SOIL_DTYPE)
    if not few:
        farm_rows["year"] = as_floats(farm_rows["year"])
        for spec in FARM_NUMS:
            farm_nums[spec.column] = as_floats(farm_nums[spec.column])
        ms_rows["share"] = as_floats(ms_rows["share"])
    return farm_rows, farm_nums, lv_rows, ms_rows, crop_rows, ch_table


def frame_to_records(df: pd.DataFrame) -> list[dict]:
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
        for i in rows_of(s.notna().to_numpy()):
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


def checked_columns(farm_rows, farm_nums, lv_rows, ms_rows, crop_rows, ch_rows, out, few=False):
    """Check the raw columns of all records; the checked columns by table.

    ``few``: the columns come from :func:`block_columns` with ``few=True``
    (numbers not yet converted), and are first checked by
    :func:`clean_numbers`.
    """
    n = len(farm_rows["farm_id"])
    farm_idx = np.arange(n)
    # ---- farms
    schema = farm_rows["schema"]
    if few:
        wrong = [i for i, v in enumerate(schema) if v != SCHEMA_ID]
    else:
        wrong = rows_of(np.fromiter(schema, dtype=object, count=n) != SCHEMA_ID)
    for i in wrong:
        if not is_missing(schema[i]):
            out.add(i, "schema", "schema", value=schema[i], expected=SCHEMA_ID)
    farms: dict[str, object] = {
        col: check_text(farm_rows[col], col, out)
        for col in ("farm_id", "name", "municipality_code")
    }
    fast = clean_numbers(farm_rows, farm_nums, lv_rows, ms_rows, crop_rows, ch_rows, few=few)
    if fast is None and few:  # as the blocks of many farms have them (see block_columns)
        _block_floats(farm_rows, farm_nums, lv_rows, ms_rows, crop_rows)
    years = _number(fast, farm_rows, YEAR_SPEC, farm_idx, lambda i: "year", out)
    for i in rows_of(year_outside(years)):
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
    farms["soil_type"] = check_category(
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
        "category": check_category(
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
    systems = check_category(
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
    # a system with a share of 0 is not used (as an empty or 0 cell of the workbook)
    has_systems = np.bincount(lv_ids, weights=shares != 0, minlength=len(lf)) > 0
    for i in rows_of(has_systems & shares_off(share_sum)):
        out.add(lf[i], f"livestock[{lpos[i]}].manure_systems", "shares_sum", value=share_sum[i])
    for i in rows_of(housed(lv["head"], lv["pasture_fraction"]) & ~has_systems):
        out.add(lf[i], f"livestock[{lpos[i]}].manure_systems", "manure_systems_missing")

    # ---- crops
    cf, cpos = crop_rows["farm_idx"], crop_rows["pos"]
    crop_path = lambda i: f"crops[{cpos[i]}]"  # noqa: E731
    # before the numbers are checked (that fills missing values in place)
    both = given_mask(crop_rows["yield_kg_per_ha"]) & given_mask(crop_rows["yield_kg_dm_per_ha"])
    crops = {
        "farm_idx": cf,
        "pos": cpos,
        "crop": check_category(
            crop_rows["crop"], cf, lambda i: f"{crop_path(i)}.crop", CROP_DTYPE, out
        ),
        "mineral_n_type": check_category(
            crop_rows["mineral_n_type"],
            cf,
            lambda i: f"{crop_path(i)}.mineral_n_type",
            MINERAL_N_DTYPE,
            out,
            default="unspecified",
        ),
        **_numeric_columns(crop_rows, CROP_NUMS, cf, crop_path, out, fast),
    }
    for i in rows_of(both):
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
            ch[f"{side}_{k}"] = check_category(
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


# Raw columns that hold indices into another table of the same block.
_OFFSETS = {"farm_idx": "farms", "lv_idx": "livestock"}


def join_blocks(parts: list[tuple[dict, ...]]) -> tuple[dict, ...]:
    """The raw columns of all blocks as one block (indices made global).

    Tables in the order of :func:`block_columns`: farm rows, farm numbers,
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
            if isinstance(pieces[0], Coded):
                bad = any(c.bad for c in pieces)
                table[col] = Coded(
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


def _numeric_columns(
    rows: Mapping, specs, farms, item_path, out: Collector, fast: dict | None = None
) -> dict:
    """Check and convert every numeric column of ``specs`` (see :func:`_number`)."""
    return {
        spec.column: _number(
            fast, rows, spec, farms, lambda i, k=spec.key: f"{item_path(i)}.{k}", out
        )
        for spec in specs
    }


def _number(fast: dict | None, rows: Mapping, spec: Num, farms, paths, out) -> np.ndarray:
    """A checked numeric column: from :func:`clean_numbers` if it found all clean, else
    :func:`check_numbers`'s."""
    if fast is not None:
        return fast[id(spec)]
    return check_numbers(rows[spec.column], farms, paths, spec, out)


def _block_floats(farm_rows, farm_nums, lv_rows, ms_rows, crop_rows) -> None:
    """Convert, in place, the number columns that :func:`block_columns` converts for many farms.

    (The numbers of soil changes stay as read, as there.)
    """
    farm_rows["year"] = as_floats(farm_rows["year"])
    for spec in FARM_NUMS:
        farm_nums[spec.column] = as_floats(farm_nums[spec.column])
    for spec in LIVESTOCK_NUMS:
        lv_rows[spec.column] = as_floats(lv_rows[spec.column])
    ms_rows["share"] = as_floats(ms_rows["share"])
    for spec in CROP_NUMS:
        crop_rows[spec.column] = as_floats(crop_rows[spec.column])
