"""Farm records (``farmcalc.farm/1``) to column tables, with validation.

Many records become a handful of pandas tables (:class:`FarmTables`), one
per list of the record, so that the calculators work column-wise over all
farms at once. Building the tables checks every field; the rules are
applied as masks over whole columns, and only failing rows cost Python.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from farmcalc.errors import ValidationError
from farmcalc.validation import ERROR, WARNING, Issue
from farmcalc.vocabulary import (
    CROPS,
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
    ),
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
FARM_TEXT_KEYS = ("schema", "farm_id", "name", "municipality_code", "year")
FARM_KEYS = frozenset(FARM_TEXT_KEYS) | set(FARM_OBJECTS) | {"livestock", "crops"}
SOIL_KEYS = frozenset({"organic_carbon_t_per_ha", "soil_type", "changes"})

LIVESTOCK_NUMS = (
    Num("head", "head", required=True),
    Num("milk_kg_ecm_per_head", "milk_kg_ecm_per_head", missing=NAN),
    Num("n_excretion_kg_per_head", "n_excretion_kg_per_head", missing=NAN),
    Num("pasture_fraction", "pasture_fraction", maximum=SHARE_MAX),
)
LIVESTOCK_KEYS = frozenset({"category", "manure_systems"} | {n.key for n in LIVESTOCK_NUMS})

CROP_NUMS = (
    Num("area_ha", "area_ha", required=True),
    Num("yield_kg_per_ha", "yield_kg_per_ha"),
    Num("residues_removed_fraction", "residues_removed_fraction", maximum=SHARE_MAX),
    Num("mineral_n_kg_per_ha", "mineral_n_kg_per_ha"),
    Num("manure_n_kg_per_ha", "manure_n_kg_per_ha", missing=NAN),
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
]
CHANGE_COLUMNS = [
    "farm_idx",
    "pos",
    "area_ha",
    "year_of_change",
    *[f"{side}_{k}" for side in ("from", "to") for k in STATE_FIELDS],
]


@dataclass(frozen=True)
class FarmTables:
    """Many farm records as column tables; see ``docs/design.md``."""

    farms: pd.DataFrame
    livestock: pd.DataFrame
    manure_systems: pd.DataFrame
    crops: pd.DataFrame
    soil_changes: pd.DataFrame

    @property
    def n_farms(self) -> int:
        return len(self.farms)

    def farmland_ha(self) -> pd.Series:
        """Crop area per farm [ha] (0 for farms without crops)."""
        return (
            self.crops.groupby("farm_idx")["area_ha"]
            .sum()
            .reindex(self.farms.index, fill_value=0.0)
        )


# --------------------------------------------------------------------------
# building blocks


class _Collector:
    """Collects issues; creates them only for failing rows."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, farm: int, path: str, code: str, severity: str = ERROR, **params) -> None:
        self.issues.append(Issue(int(farm), path, code, params, severity))


_NUMBER_TYPES = frozenset({int, float, type(None), np.float64, np.int64})


def _numeric(values: list, farms: np.ndarray, paths, spec: Num, out: _Collector) -> np.ndarray:
    """Check one numeric column and return it as float (missing → spec.missing).

    ``paths(i)`` gives the display path of row i (only called for bad rows).
    """
    types = set(map(type, values))
    if types <= _NUMBER_TYPES:
        arr = np.array(values, dtype=float)
    else:
        arr = np.empty(len(values), dtype=float)
        for i, v in enumerate(values):
            if v is None or (type(v) in _NUMBER_TYPES):
                arr[i] = NAN if v is None else float(v)
            else:
                out.add(farms[i], paths(i), "type_number", value=v)
                arr[i] = spec.missing if spec.missing == spec.missing else NAN
    missing = np.isnan(arr)
    too_large = ~missing & ~(np.abs(arr) <= ABSURD)  # also ±inf
    for i in np.flatnonzero(too_large):
        out.add(farms[i], paths(i), "too_large", value=values[i], limit=ABSURD)
    arr = np.where(too_large, NAN, arr)
    missing = np.isnan(arr)
    if spec.required:
        for i in np.flatnonzero(missing):
            out.add(farms[i], paths(i), "required")
    ok = ~missing
    if spec.minimum is not None:
        bad = ok & ((arr <= spec.minimum) if spec.exclusive_minimum else (arr < spec.minimum))
        code = "exclusive_minimum" if spec.exclusive_minimum else "minimum"
        if spec.maximum == SHARE_MAX:
            code = "share"
        for i in np.flatnonzero(bad):
            out.add(farms[i], paths(i), code, value=arr[i], limit=spec.minimum)
    if spec.maximum is not None:
        bad = ok & (arr > spec.maximum)
        code = "share" if spec.maximum == SHARE_MAX else "maximum"
        for i in np.flatnonzero(bad):
            out.add(farms[i], paths(i), code, value=arr[i], limit=spec.maximum)
    if spec.integer:
        bad = ok & (np.floor(arr) != arr)
        for i in np.flatnonzero(bad):
            out.add(farms[i], paths(i), "type_integer", value=arr[i])
    arr = np.where(missing, spec.missing, arr)
    return arr


def _numeric_columns(frame: pd.DataFrame, specs, farms, item_path, out: _Collector) -> None:
    """Check and convert every numeric column of ``specs`` in place."""
    for spec in specs:
        frame[spec.column] = _numeric(
            frame[spec.column].tolist(),
            farms,
            lambda i, k=spec.key: f"{item_path(i)}.{k}",
            spec,
            out,
        )


def _category(
    values: list,
    farms: np.ndarray,
    paths,
    allowed: tuple[str, ...],
    out: _Collector,
    default: str | None = None,
) -> np.ndarray:
    arr = np.array(values, dtype=object)
    if default is not None:
        arr[pd.isna(pd.Series(arr)).to_numpy()] = default
    known = pd.Series(arr).isin(allowed).to_numpy()
    for i in np.flatnonzero(~known):
        v = arr[i]
        if v is None or (isinstance(v, float) and v != v):
            out.add(farms[i], paths(i), "required")
        else:
            out.add(farms[i], paths(i), "unknown_value", value=v, allowed=allowed)
    return arr


def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


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


def _bad_keys(objs: list[dict], allowed: frozenset) -> list[int]:
    """Positions of objects with a key outside ``allowed``."""
    if allowed.issuperset(set().union(*objs)):  # one pass in C when all is well
        return []
    ok = allowed.issuperset
    return [i for i, o in enumerate(objs) if not ok(o)]


def _objects(values: list, farms, path, out: _Collector) -> list[dict]:
    """``values`` as dicts: None/NaN → {}, a non-object → {} plus an issue."""
    if set(map(type, values)) <= {dict}:
        return values
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


def _items(recs: list[dict], key: str, out: _Collector) -> tuple[list, list, list]:
    """All items of list ``key`` over all records, with farm and position."""
    lists = [r.get(key) for r in recs]
    if not set(map(type, lists)) <= {list, type(None)}:
        lists = [_as_list(v, f, key, out) for f, v in enumerate(lists)]
    farms: list[int] = []
    pos: list[int] = []
    items: list = []
    for f, lst in enumerate(lists):
        if lst:
            n = len(lst)
            farms.extend([f] * n)
            pos.extend(range(n))
            items.extend(lst)
    return farms, pos, items


def _item_table(
    recs: list[dict], key: str, allowed: frozenset, text_keys: tuple, nums, out: _Collector
) -> tuple[list[dict], dict[str, list]]:
    """The items of list ``key`` of every record, and their raw columns.

    Items that are not objects and unknown fields become issues; the columns
    are ``farm_idx``, ``pos``, the ``text_keys`` and the numeric columns.
    """
    farms, pos, items = _items(recs, key, out)
    path = lambda i: f"{key}[{pos[i]}]"  # noqa: E731
    items = _objects(items, farms, path, out)
    for i in _bad_keys(items, allowed):
        _unknown_keys(items[i], allowed, farms[i], path(i), out)
    columns = {
        "farm_idx": farms,
        "pos": pos,
        **{k: [it.get(k) for it in items] for k in text_keys},
        **{n.column: [it.get(n.key) for it in items] for n in nums},
    }
    return items, columns


def records_to_tables(
    records: Iterable[Mapping] | pd.DataFrame, *, strict: bool = True
) -> tuple[FarmTables, list[Issue]]:
    """Flatten and validate farm records; see :func:`_records_to_tables`."""
    # Flattening allocates millions of short-lived objects and creates no
    # reference cycles: the cyclic collector would only rescan them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _records_to_tables(records, strict=strict)
    finally:
        if enabled:
            gc.enable()


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
    for f in _bad_keys(recs, FARM_KEYS):
        _unknown_keys(recs[f], FARM_KEYS, f, "", out)
    farm_rows = {k: [r.get(k) for r in recs] for k in FARM_TEXT_KEYS}
    farm_nums: dict[str, list] = {}
    for obj_key, nums in FARM_OBJECTS.items():
        objs = _objects(
            [r.get(obj_key) for r in recs], range(len(recs)), lambda i, k=obj_key: k, out
        )
        allowed = SOIL_KEYS if obj_key == "soil" else frozenset(n.key for n in nums)
        for f in _bad_keys(objs, allowed):
            _unknown_keys(objs[f], allowed, f, obj_key, out)
        for n in nums:
            farm_nums[n.column] = [o.get(n.key) for o in objs]
        if obj_key == "soil":
            soils = objs
    farm_nums["_soil_type"] = [o.get("soil_type") for o in soils]

    # livestock, manure systems and crops: one flat list of items each
    lv_items, lv_rows = _item_table(
        recs, "livestock", LIVESTOCK_KEYS, ("category",), LIVESTOCK_NUMS, out
    )
    lv_farm, lv_pos = lv_rows["farm_idx"], lv_rows["pos"]
    lv_path = lambda i: f"livestock[{lv_pos[i]}]"  # noqa: E731
    systems = _objects(
        [it.get("manure_systems") for it in lv_items],
        lv_farm,
        lambda i: f"{lv_path(i)}.manure_systems",
        out,
    )
    ms_tuples = [
        (lv_farm[i], i, system, share, lv_pos[i])
        for i, sys_obj in enumerate(systems)
        if sys_obj
        for system, share in sys_obj.items()
    ]
    ms_rows = dict(
        zip(
            ("farm_idx", "lv_idx", "system", "share", "pos"),
            map(list, zip(*ms_tuples, strict=True)) if ms_tuples else ([], [], [], [], []),
            strict=True,
        )
    )
    _, crop_rows = _item_table(
        recs, "crops", CROP_KEYS, ("crop", "mineral_n_type"), CROP_NUMS, out
    )
    ch_rows: list[tuple] = []
    for f in [f for f, o in enumerate(soils) if o.get("changes") is not None]:
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
    ch_rows = dict(zip(ch_names, ch_cols, strict=True))

    tables = _build_tables(farm_rows, farm_nums, lv_rows, ms_rows, crop_rows, ch_rows, out)
    _attach_farm_ids(out.issues, tables.farms)
    if strict:
        errors = [i for i in out.issues if i.severity == ERROR]
        if errors:
            raise ValidationError(errors)
    return tables, out.issues


def _frame_to_records(df: pd.DataFrame) -> list[dict]:
    """One record per row; dotted column names become nested objects."""
    rows = df.to_dict("records")
    if not any("." in str(c) for c in df.columns):
        return [{k: v for k, v in r.items() if not _is_missing(v)} for r in rows]
    records = []
    for r in rows:
        rec: dict = {}
        for k, v in r.items():
            if _is_missing(v):
                continue
            parts = str(k).split(".")
            target = rec
            for p in parts[:-1]:
                target = target.setdefault(p, {})
            target[parts[-1]] = v
        records.append(rec)
    return records


def _obj_frame(columns: dict[str, list]) -> pd.DataFrame:
    """A frame of object columns, without pandas guessing dtypes."""
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def _build_tables(farm_rows, farm_nums, lv_rows, ms_rows, crop_rows, ch_rows, out):
    n = len(farm_rows["farm_id"])
    farm_idx = np.arange(n)
    # ---- farms
    text = _obj_frame(farm_rows)
    farms = pd.DataFrame(index=pd.RangeIndex(n, name="farm_idx"))
    schema = text["schema"].to_numpy(dtype=object)
    for i in np.flatnonzero(~pd.isna(schema) & (schema != SCHEMA_ID)):
        out.add(i, "schema", "schema", value=schema[i], expected=SCHEMA_ID)
    for col in ("farm_id", "name", "municipality_code"):
        vals = text[col].to_numpy(dtype=object)
        bad = ~pd.isna(vals) & ~np.array([isinstance(v, str) for v in vals], dtype=bool)
        if col == "farm_id":
            # farm ids may be given as numbers in spreadsheets: accept integers
            as_int = np.array([type(v) is int for v in vals], dtype=bool)
            vals = np.where(as_int, vals.astype(str), vals)
            bad &= ~as_int
            empty = pd.isna(vals) | (pd.Series(vals).astype(str).str.strip() == "").to_numpy()
            for i in np.flatnonzero(empty & ~bad):
                out.add(i, "farm_id", "required")
        for i in np.flatnonzero(bad):
            out.add(i, col, "type_string", value=vals[i])
        if col == "municipality_code":
            code_ok = pd.Series(vals, dtype=object).astype(str).str.fullmatch(r"[0-9]{4}")
            for i in np.flatnonzero(~pd.isna(vals) & ~bad & ~code_ok.to_numpy()):
                out.add(i, col, "municipality_code", value=vals[i])
        farms[col] = pd.Series(vals, dtype=object).where(~bad, None).to_numpy()
    year_spec = Num("year", "year", required=True, minimum=None, integer=True, missing=NAN)
    years = _numeric(text["year"].tolist(), farm_idx, lambda i: "year", year_spec, out)
    for i in np.flatnonzero((years < YEAR_MIN) | (years > YEAR_MAX)):
        out.add(
            i,
            "year",
            "warn_year",
            WARNING,
            year=int(years[i]),
            low=YEAR_MIN,
            high=YEAR_MAX,
        )
    farms["year"] = np.nan_to_num(years, nan=0).astype(np.int64)
    for obj_key, nums in FARM_OBJECTS.items():
        for spec in nums:
            path = f"{obj_key}.{spec.key}"
            farms[spec.column] = _numeric(
                farm_nums[spec.column], farm_idx, lambda i, p=path: p, spec, out
            )
    farms["soil_type"] = _category(
        farm_nums["_soil_type"],
        farm_idx,
        lambda i: "soil.soil_type",
        SOIL_TYPES,
        out,
        default=SOIL_TYPES[0],
    )
    # duplicate (farm_id, year)
    dup = farms.duplicated(["farm_id", "year"], keep="first") & farms["farm_id"].notna()
    for i in np.flatnonzero(dup.to_numpy()):
        out.add(
            i,
            "farm_id",
            "duplicate_farm",
            farm_id=farms.at[i, "farm_id"],
            year=int(farms.at[i, "year"]),
        )

    # ---- livestock
    lv = _obj_frame(lv_rows)
    lv.index.name = "lv_idx"
    lf = lv["farm_idx"].to_numpy(dtype=np.int64)
    lpos = lv["pos"].to_numpy(dtype=np.int64)
    lv["category"] = _category(
        lv["category"].tolist(),
        lf,
        lambda i: f"livestock[{lpos[i]}].category",
        LIVESTOCK_CATEGORIES,
        out,
    )
    _numeric_columns(lv, LIVESTOCK_NUMS, lf, lambda i: f"livestock[{lpos[i]}]", out)
    lv["farm_idx"] = lf
    lv["pos"] = lpos
    lv = lv[LIVESTOCK_COLUMNS]

    # ---- manure systems
    ms = _obj_frame(ms_rows)
    mf = ms["farm_idx"].to_numpy(dtype=np.int64)
    mpos = ms["pos"].to_numpy(dtype=np.int64)
    msys = ms["system"].to_numpy(dtype=object)
    ms["system"] = _category(
        ms["system"].tolist(),
        mf,
        lambda i: f"livestock[{mpos[i]}].manure_systems",
        MANURE_SYSTEMS,
        out,
    )
    ms["share"] = _numeric(
        ms["share"].tolist(),
        mf,
        lambda i: f"livestock[{mpos[i]}].manure_systems.{msys[i]}",
        Num("share", "share", required=True, maximum=SHARE_MAX),
        out,
    )
    lv_ids = ms["lv_idx"].to_numpy(dtype=np.int64)
    share_sum = np.bincount(lv_ids, weights=ms["share"].to_numpy(), minlength=len(lv))
    has_systems = np.bincount(lv_ids, minlength=len(lv)) > 0
    housed = (lv["head"].to_numpy() > 0) & (lv["pasture_fraction"].to_numpy() < 1)
    tol = 1e-6
    for i in np.flatnonzero(has_systems & (np.abs(share_sum - 1) > tol)):
        out.add(lf[i], f"livestock[{lpos[i]}].manure_systems", "shares_sum", value=share_sum[i])
    for i in np.flatnonzero(housed & ~has_systems):
        out.add(lf[i], f"livestock[{lpos[i]}].manure_systems", "manure_systems_missing")
    ms["farm_idx"] = mf
    ms["lv_idx"] = lv_ids
    ms = ms[MANURE_COLUMNS]

    # ---- crops
    crops = _obj_frame(crop_rows)
    crops.index.name = "crop_idx"
    cf = crops["farm_idx"].to_numpy(dtype=np.int64)
    cpos = crops["pos"].to_numpy(dtype=np.int64)
    crops["crop"] = _category(
        crops["crop"].tolist(), cf, lambda i: f"crops[{cpos[i]}].crop", CROPS, out
    )
    crops["mineral_n_type"] = _category(
        crops["mineral_n_type"].tolist(),
        cf,
        lambda i: f"crops[{cpos[i]}].mineral_n_type",
        MINERAL_N_TYPES,
        out,
        default="unspecified",
    )
    _numeric_columns(crops, CROP_NUMS, cf, lambda i: f"crops[{cpos[i]}]", out)
    crops["farm_idx"] = cf
    crops["pos"] = cpos
    crops = crops[CROP_COLUMNS]

    # ---- soil changes
    ch = _obj_frame(ch_rows)
    hf = ch["farm_idx"].to_numpy(dtype=np.int64)
    hpos = ch["pos"].to_numpy(dtype=np.int64)
    _numeric_columns(ch, CHANGE_NUMS, hf, lambda i: f"soil.changes[{hpos[i]}]", out)
    for side in ("from", "to"):
        for k, allowed in STATE_FIELDS.items():
            col = f"{side}_{k}"
            ch[col] = _category(
                ch[col].tolist(),
                hf,
                lambda i, s=side, kk=k: f"soil.changes[{hpos[i]}].{s}.{kk}",
                allowed,
                out,
                default=STATE_DEFAULTS[k],
            )
    ch["farm_idx"] = hf
    ch["pos"] = hpos
    ch = ch[CHANGE_COLUMNS]

    tables = FarmTables(farms[FARM_COLUMNS], lv, ms, crops, ch)
    _plausibility(tables, out)
    return tables


def _plausibility(t: FarmTables, out: _Collector) -> None:
    """Warnings for unusual but possible values (never block)."""
    from farmcalc.factors import load_factor_set

    farmland = t.farmland_ha().to_numpy()
    lv = t.livestock
    if len(lv):
        known = lv["category"].isin(LIVESTOCK_CATEGORIES).to_numpy()
        lu_per_head = np.zeros(len(lv))
        try:
            fs = load_factor_set("ipcc2019")
            lu_per_head[known] = fs.lookup(
                "livestock.livestock_units", lv["category"].to_numpy()[known]
            )
        except Exception:  # factor data incomplete: skip this warning, never block
            lu_per_head[:] = 0.0
        lu = np.bincount(
            lv["farm_idx"].to_numpy(),
            weights=lv["head"].to_numpy() * lu_per_head,
            minlength=t.n_farms,
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            density = lu / farmland
        for i in np.flatnonzero((farmland > 0) & (density > PLAUSIBLE_LU_PER_HA)):
            out.add(
                i,
                "livestock",
                "warn_lu_per_ha",
                WARNING,
                value=round(density[i], 1),
                limit=PLAUSIBLE_LU_PER_HA,
            )
        for i in np.flatnonzero((farmland == 0) & (lu > 0)):
            out.add(i, "crops", "warn_livestock_no_land", WARNING)
        milk = lv["milk_kg_ecm_per_head"].to_numpy()
        for r in np.flatnonzero(milk > PLAUSIBLE_MILK_KG_ECM):
            out.add(
                lv["farm_idx"].iat[r],
                f"livestock[{lv['pos'].iat[r]}].milk_kg_ecm_per_head",
                "warn_milk",
                WARNING,
                value=milk[r],
                limit=PLAUSIBLE_MILK_KG_ECM,
            )
    cr = t.crops
    n_rate = cr["mineral_n_kg_per_ha"].to_numpy()
    for r in np.flatnonzero(n_rate > PLAUSIBLE_MINERAL_N_PER_HA):
        out.add(
            cr["farm_idx"].iat[r],
            f"crops[{cr['pos'].iat[r]}].mineral_n_kg_per_ha",
            "warn_mineral_n",
            WARNING,
            value=n_rate[r],
            limit=PLAUSIBLE_MINERAL_N_PER_HA,
        )
    diesel = t.farms["diesel_l"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        per_ha = diesel / farmland
    for i in np.flatnonzero((farmland > 0) & (per_ha > PLAUSIBLE_DIESEL_L_PER_HA)):
        out.add(
            i,
            "energy.diesel_l",
            "warn_diesel_per_ha",
            WARNING,
            value=round(per_ha[i]),
            limit=PLAUSIBLE_DIESEL_L_PER_HA,
        )


def _attach_farm_ids(issues: list[Issue], farms: pd.DataFrame) -> None:
    ids = farms["farm_id"].to_numpy(dtype=object) if len(farms) else []
    for k, issue in enumerate(issues):
        if issue.farm < len(ids) and isinstance(ids[issue.farm], str):
            issues[k] = Issue(
                issue.farm, issue.path, issue.code, issue.params, issue.severity, ids[issue.farm]
            )
