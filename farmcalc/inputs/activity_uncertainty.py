"""The uncertainty of a record's own figures (activity data): defaults and the record's field.

Every numeric input of the farm record has a row in
``farmcalc/data/activity_uncertainty.csv``: its relative 95 % half-width
(``0.1`` = ±10 %), a ``distribution`` (``normal``: a normal truncated at 0;
``lognormal``; ``none``: not drawn, half-width 0) and a source and a reason.
A record may replace the default of any input for its own farm with the
optional object ``activity_uncertainty`` (``docs/farm-record.md``)::

    "activity_uncertainty": {"energy.diesel_l": 0.03,
                             "crops.manure_n_kg_per_ha": {"half_width": 0.4,
                                                          "distribution": "lognormal"}}

This module reads the table and checks the field; the draws are the
uncertainty run's (:mod:`farmcalc.uncertainty.activity`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from farmcalc.inputs.issues import Code

ACTIVITY_KEY = "activity_uncertainty"
"""The record's optional field of its own activity uncertainty."""
DISTRIBUTIONS = ("normal", "lognormal", "none")
"""An input's distribution: ``normal`` (truncated at 0), ``lognormal``, ``none`` (not drawn)."""
DATA = Path(__file__).resolve().parents[1] / "data" / "activity_uncertainty.csv"
COLUMNS = ("input", "table", "column", "unit", "half_width", "distribution", "source", "reason")


@functools.cache
def activity_inputs() -> pd.DataFrame:
    """The defaults table, one row per input (``input`` is the record's path, e.g.
    ``energy.diesel_l``; ``table``/``column`` where it lies in the farm tables;
    ``half_width`` the relative 95 % half-width [-]). Read once; do not modify."""
    t = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    t["half_width"] = t["half_width"].astype(float)
    return t


@functools.cache
def input_names() -> tuple[str, ...]:
    """The inputs a record's ``activity_uncertainty`` may name, in the table's order: those
    drawn (a distribution other than ``none``; shares, calendar figures and standard values
    are not drawn, see the table's reasons)."""
    t = activity_inputs()
    return tuple(t.loc[t["distribution"] != "none", "input"])


def half_width_problem(value: object, distribution: str) -> Code | None:
    """Why ``value`` is not a relative 95 % half-width of ``distribution`` (None: it is).

    A number from 0 to 1; a lognormal's below 1 (its lower 95 % bound,
    ``value × (1 - h)``, must stay above 0).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Code.ACTIVITY_HALF_WIDTH
    v = float(value)
    if not math.isfinite(v) or v < 0.0 or v > 1.0:
        return Code.ACTIVITY_HALF_WIDTH
    if distribution == "lognormal" and v >= 1.0:
        return Code.ACTIVITY_LOGNORMAL
    return None


def check_activity_uncertainty(value: object, farm: int, out) -> None:
    """Issues of one record's ``activity_uncertainty`` (absent or None: none).

    ``out`` is a :class:`farmcalc.inputs.checks.Collector`; paths are
    ``activity_uncertainty.<input>`` (and ``.half_width``/``.distribution``).
    """
    if value is None:
        return
    if not isinstance(value, Mapping):
        out.add(farm, ACTIVITY_KEY, Code.TYPE_OBJECT)
        return
    defaults = default_distributions()
    for key, given in flat(value).items():  # the record's few inputs, never farms
        path = f"{ACTIVITY_KEY}.{key}"
        if key not in defaults:
            out.add(farm, path, Code.ACTIVITY_INPUT, value=str(key), allowed=input_names())
            continue
        dist = defaults[key]
        if isinstance(given, Mapping):
            unknown = sorted(set(given) - {"half_width", "distribution"})
            for k in unknown:
                out.add(farm, f"{path}.{k}", Code.UNKNOWN_FIELD)
            dist = given.get("distribution", dist)
            if dist not in DISTRIBUTIONS[:2]:
                allowed = DISTRIBUTIONS[:2]
                out.add(
                    farm, f"{path}.distribution", Code.UNKNOWN_VALUE, value=dist, allowed=allowed
                )
                continue
            if "half_width" not in given:
                out.add(farm, f"{path}.half_width", Code.REQUIRED)
                continue
            path, given = f"{path}.half_width", given["half_width"]
        why = half_width_problem(given, dist)
        if why is not None:
            out.add(farm, path, why, value=given)


def flat(value: Mapping) -> dict:
    """``value`` with nested objects named by dotted paths: ``{"energy": {"diesel_l": 0.1}}``
    (a table's dotted columns read back, e.g. ``pandas.json_normalize``) is
    ``{"energy.diesel_l": 0.1}``. An input's own ``{half_width, distribution}`` stays an
    object; keys are kept as they are when they name an input or hold no object; an
    empty object says nothing (a farm's blank cells of those columns).
    """
    out: dict = {}
    for key, given in value.items():  # a record's few inputs
        if isinstance(given, Mapping) and not given:  # an empty object (a table's blanks)
            continue
        own = isinstance(given, Mapping) and set(given) <= {"half_width", "distribution"}
        if key in default_distributions() or not isinstance(given, Mapping) or own:
            out[key] = given
        else:
            out |= {f"{key}.{k}": v for k, v in flat(given).items()}
    return out


def record_overrides(value: Mapping | None) -> dict[str, tuple[float, str]]:
    """A checked ``activity_uncertainty`` as ``{input: (half_width, distribution)}``.

    An input given as a number keeps its default distribution.
    """
    if not value:
        return {}
    defaults = default_distributions()
    out = {}
    for key, given in flat(value).items():
        dist = defaults[key]
        if isinstance(given, Mapping):
            dist = given.get("distribution", dist)
            given = given["half_width"]
        out[str(key)] = (float(given), str(dist))
    return out


@functools.cache
def default_distributions() -> dict[str, str]:
    """Input → its default distribution, of the inputs a record may name."""
    t = activity_inputs().set_index("input")["distribution"]
    return {k: str(t[k]) for k in input_names()}


def check_activity_table(table: pd.DataFrame) -> list[str]:
    """Problems of a defaults table (empty: none); the rules of ``activity_uncertainty.csv``.

    Every numeric field of the record has one row, named by its path in the record
    (``energy.diesel_l``) and placed at its table column; ``distribution`` is
    ``normal``, ``lognormal`` or ``none``; ``none`` exactly when ``half_width`` is 0;
    a drawn row's half-width is in (0, 1] (a lognormal's below 1) and it names a
    source; every row has a unit and a reason.
    """
    from farmcalc.inputs.fields import TABLE_COLUMNS

    problems = []
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        return [f"columns missing: {missing}"]
    want = record_inputs()
    names = list(table["input"])
    for name in sorted(set(want) - set(names)):
        problems.append(f"{name}: a numeric field of the record without a row")
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{name}: more than one row")
    for r in table.itertuples(index=False):  # ~35 rows of a data file, never farms
        where = want.get(r.input)
        if where is None:
            problems.append(f"{r.input}: not a numeric field of the record")
        elif (r.table, r.column) != where:
            problems.append(f"{r.input}: lies in {where[0]}.{where[1]}, not {r.table}.{r.column}")
        if r.column not in TABLE_COLUMNS.get(r.table, ()):
            problems.append(f"{r.input}: no column {r.table}.{r.column}")
        if r.distribution not in DISTRIBUTIONS:
            problems.append(f"{r.input}: distribution {r.distribution!r} not in {DISTRIBUTIONS}")
        try:
            h = float(r.half_width)
        except (TypeError, ValueError):
            problems.append(f"{r.input}: half_width {r.half_width!r} is not a number")
            continue
        if (r.distribution == "none") != (h == 0.0):
            problems.append(f"{r.input}: distribution none exactly when half_width is 0")
        elif r.distribution != "none":
            if half_width_problem(h, r.distribution) is not None:
                problems.append(f"{r.input}: half_width {h} outside its distribution's range")
            if not str(r.source).strip():
                problems.append(f"{r.input}: a drawn input without a source")
        if not str(r.unit).strip():
            problems.append(f"{r.input}: no unit")
        if not str(r.reason).strip():
            problems.append(f"{r.input}: no reason")
    return problems


def record_inputs() -> dict[str, tuple[str, str]]:
    """Every numeric field of the record by its path → (table, column) in the farm tables."""
    from farmcalc.inputs.fields import (
        CHANGE_NUMS,
        CROP_NUMS,
        FARM_OBJECTS,
        LIVESTOCK_NUMS,
        SHARE_SPEC,
    )

    out = {
        f"{obj}.{n.key}": ("farms", n.column) for obj, nums in FARM_OBJECTS.items() for n in nums
    }
    out |= {f"livestock.{n.key}": ("livestock", n.column) for n in LIVESTOCK_NUMS}
    out |= {f"crops.{n.key}": ("crops", n.column) for n in CROP_NUMS}
    out |= {f"soil.changes.{n.key}": ("soil_changes", n.column) for n in CHANGE_NUMS}
    out[f"manure_systems.{SHARE_SPEC.key}"] = ("manure_systems", SHARE_SPEC.column)
    return out
