"""Factor sets: emission factors and parameters as data with provenance.

A factor set is a folder of long-format CSV files under ``factors/<set>/``
(one row per value: ``factor_id, value, unit, low, high, source_id,
source_locator, notes``) with a ``set.toml`` naming its version and an
optional ``fallback`` set. See ``factors/README.md``.

Look-ups return numpy-friendly objects so that model functions stay pure:

>>> fs = load_factor_set("ipcc2019")
>>> fs.value("lime.c_fraction.limestone")            # doctest: +SKIP
0.12
>>> fs.series("enteric.ef")                          # doctest: +SKIP
dairy_cow    126.0
...
"""

from __future__ import annotations

import functools
import math
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from farmcalc.arrays import count_nonzero
from farmcalc.errors import FactorError

COLUMNS = [
    "factor_id",
    "value",
    "unit",
    "low",
    "high",
    "distribution",
    "correlation_group",
    "source_id",
    "source_locator",
    "notes",
]
DISTRIBUTIONS = ("lognormal", "pert", "none")
"""Values of the ``distribution`` column (``factors/columns.csv``)."""
GWP_SETS = ("AR4", "AR5", "AR6")
DEFAULT_FACTOR_SET = "sweden"
DEFAULT_GWP = "AR5"


MISSING_KEY = "nan"
"""How a missing key (NaN) is named in a FactorError."""


def as_keys(values) -> pd.Categorical:
    """``values`` as a Categorical for :meth:`FactorSet.lookup`.

    A Categorical or categorical Series is returned as it is (no copy);
    anything else is factorised once, its own values becoming the
    categories, so that unknown names keep their name in errors. Calculators
    call it once per column and then compare and look up by codes.
    """
    cat = _categorical(values)
    if cat is not None:
        return cat
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))


def is_key(keys: pd.Categorical, names: str | Iterable[str]) -> np.ndarray:
    """Boolean mask: which of ``keys`` (see :func:`as_keys`) are ``names`` (one or several)."""
    cats = keys.categories
    wanted = [names] if isinstance(names, str) else list(names)
    found = [cats.get_loc(n) for n in wanted if n in cats]
    if len(found) == 1:
        return keys.codes == found[0]
    return np.isin(keys.codes, found)


def _categorical(values) -> pd.Categorical | None:
    if isinstance(values, pd.Categorical):
        return values
    if isinstance(values, pd.Series | pd.Index) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.array if isinstance(values, pd.Series) else values.values
    return None


def _codes_with_missing(cat: pd.Categorical) -> np.ndarray:
    """Codes with a missing value (-1) as one code past the categories."""
    codes = cat.codes
    if len(codes) == 0 or codes.min() >= 0:
        return codes
    return np.where(codes < 0, len(cat.categories), codes.astype(np.int64))


def factors_dir() -> Path:
    """Folder holding the factor data.

    ``FARMCALC_FACTORS_DIR`` overrides; an installed wheel ships the data in
    ``farmcalc/_data/factors``; a source checkout uses ``<repo>/factors``.
    """
    env = os.environ.get("FARMCALC_FACTORS_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / "factors"
    if packaged.is_dir():
        return packaged
    return here.parent / "factors"


def _read_rows(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    missing = {"factor_id", "value", "unit", "source_id", "source_locator"} - set(df.columns)
    if missing:
        raise FactorError(f"{path}: missing columns {sorted(missing)}")
    for col in COLUMNS:
        if col not in df.columns:
            df[col] = ""
    df = df[COLUMNS].copy()
    df["file"] = path.name
    return df


@functools.cache
def load_sources() -> pd.DataFrame:
    """All citations, indexed by ``source_id``."""
    files = sorted((factors_dir() / "sources").glob("*.csv"))
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    df = pd.concat(frames, ignore_index=True)
    if df["source_id"].duplicated().any():
        dups = sorted(df.loc[df["source_id"].duplicated(), "source_id"])
        raise FactorError(f"duplicate source_id: {dups}")
    return df.set_index("source_id")


def available_factor_sets() -> list[str]:
    """Names of the factor sets present in ``factors/``."""
    return sorted(p.parent.name for p in factors_dir().glob("*/set.toml"))


def check_distribution_row(
    factor_id: str, value: float, low: float, high: float, kind: str
) -> str | None:
    """Why a row's ``distribution`` is not valid, or None (rules: ``docs/uncertainty.md``)."""
    has_range = not (np.isnan(low) and np.isnan(high))
    if kind == "":
        return "has low/high but no distribution" if has_range else None
    if kind not in DISTRIBUTIONS:
        return f"unknown distribution {kind!r} (one of {', '.join(DISTRIBUTIONS)})"
    if kind == "none":
        return None
    if np.isnan(low) or np.isnan(high):
        return f"{kind} needs both low and high"
    if kind == "lognormal":
        if not 0 < low < value < high:
            return "lognormal needs 0 < low < value < high"
        skew = math.log(high / value) / math.log(value / low)
        if not 0.5 <= skew <= 2.0:
            return "lognormal needs 0.5 <= ln(high/value)/ln(value/low) <= 2 (else pert)"
    if kind == "pert" and not (low <= value <= high and low < high):
        return "pert needs low <= value <= high and low < high"
    return None


def _distribution_problem(fid: str, value: float, row: Mapping[str, str]) -> str | None:
    """Why a row's ``distribution`` is not valid (``farmcalc.uncertainty.distributions``)."""

    def num(key: str) -> float:
        try:
            return float(row.get(key) or "nan")
        except ValueError:
            return float("nan")

    kind = (row.get("distribution") or "").strip()
    return check_distribution_row(fid, value, num("low"), num("high"), kind)


@dataclass(frozen=True)
class FactorSet:
    """A resolved factor set: its own rows plus those taken from its fallback.

    Attributes
    ----------
    name, version, title : str
    rows : pandas.DataFrame
        One row per factor id with the columns of the CSV files and
        ``set`` (the set that supplied the value) and ``fell_back`` (bool).
    """

    name: str
    version: str
    title: str
    fallback: str | None
    rows: pd.DataFrame = field(repr=False)
    meta: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        values = pd.to_numeric(self.rows["value"], errors="raise").astype(float)
        object.__setattr__(self, "_values", dict(zip(self.rows.index, values, strict=True)))
        object.__setattr__(self, "_series_cache", {})
        # take's tables by (prefix, id of the names tuple): no hashing of the names a call
        object.__setattr__(self, "_take_cache", {})

    # --- look-ups -------------------------------------------------------
    def value(self, factor_id: str) -> float:
        """The value of one factor [in the unit of its row]."""
        try:
            return self._values[factor_id]  # type: ignore[attr-defined]
        except KeyError:
            raise FactorError(f"factor set {self.name!r} has no factor {factor_id!r}") from None

    def __contains__(self, factor_id: str) -> bool:
        return factor_id in self._values  # type: ignore[attr-defined]

    def setting(self, key: str) -> str:
        """A non-numeric choice of the set (``set.toml``), inherited from the fallback."""
        if key in self.meta:
            return str(self.meta[key])
        if self.fallback:
            return load_factor_set(self.fallback).setting(key)
        raise FactorError(f"factor set {self.name!r} has no setting {key!r}")

    def unit(self, factor_id: str) -> str:
        return str(self.rows.at[factor_id, "unit"])

    def _table(self, prefix: str) -> pd.Series:
        """The cached Series of :meth:`series` (not a copy: do not modify)."""
        cache = self._series_cache  # type: ignore[attr-defined]
        if prefix not in cache:
            p = prefix + "."
            ids = [i for i in self._values if i.startswith(p)]  # type: ignore[attr-defined]
            if not ids:
                raise FactorError(f"factor set {self.name!r} has no factors under {prefix!r}")
            cache[prefix] = pd.Series(
                [self._values[i] for i in ids],  # type: ignore[attr-defined]
                index=[i[len(p) :] for i in ids],
                name=prefix,
                dtype=float,
            )
        return cache[prefix]

    def series(self, prefix: str) -> pd.Series:
        """All factors ``<prefix>.<key>`` as a float Series indexed by ``key``.

        Keys may themselves contain dots (``dairy_cow.solid_storage``).
        """
        return self._table(prefix).copy()

    def _missing(self, prefix: str, missing) -> FactorError:
        names = ", ".join(sorted({str(k) for k in missing}))
        return FactorError(f"factor set {self.name!r} has no {prefix}.{{{names}}}")

    def lookup(self, prefix: str, keys) -> np.ndarray:
        """Vectorised look-up: ``prefix.<key>`` for every key in ``keys``.

        ``keys`` may be any array-like of names. A pandas Categorical (or a
        categorical Series, see :func:`as_keys`) is looked up once per
        category and taken by its codes; a missing key (NaN, code -1) has no
        factor.

        Raises FactorError naming the keys that have no factor.
        """
        table = self._table(prefix)
        cat = _categorical(keys)
        if cat is not None:
            names = [*cat.categories.astype(object), MISSING_KEY]
            return self._take(prefix, table, names, _codes_with_missing(cat))
        keys = pd.Index(np.asarray(keys, dtype=object))
        idx = table.index.get_indexer(keys)
        if (idx < 0).any():
            raise self._missing(prefix, keys[idx < 0])
        return table.to_numpy()[idx]

    def lookup2(self, prefix: str, keys1, keys2) -> np.ndarray:
        """Vectorised look-up of ``prefix.<key1>.<key2>``.

        Two Categoricals are looked up once per pair of categories and taken
        by their codes; other keys by their joined names.
        """
        cat1, cat2 = _categorical(keys1), _categorical(keys2)
        if cat1 is None or cat2 is None:
            k = (
                pd.Series(np.asarray(keys1, dtype=object)).astype(str)
                + "."
                + pd.Series(np.asarray(keys2, dtype=object)).astype(str)
            )
            return self.lookup(prefix, k.to_numpy())
        names1 = [*cat1.categories.astype(object), MISSING_KEY]
        names2 = [*cat2.categories.astype(object), MISSING_KEY]
        # every pair of names, row-major: pair code = code1 * len(names2) + code2
        names = [f"{a}.{b}" for a in names1 for b in names2]
        codes = _codes_with_missing(cat1).astype(np.int64) * len(names2) + _codes_with_missing(
            cat2
        )
        return self._take(prefix, self._table(prefix), names, codes)

    def _code_table(self, prefix: str, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Values of ``prefix.<name>`` for each name, and which names have one (cached)."""
        cache = self._series_cache  # type: ignore[attr-defined]
        key = (prefix, names)
        if key not in cache:
            table = self._table(prefix)
            pos = table.index.get_indexer(pd.Index(list(names), dtype=object))
            found = np.append(pos >= 0, False)  # one more: the missing code -1
            values = np.append(table.to_numpy()[np.where(pos >= 0, pos, 0)], np.nan)
            cache[key] = (values, found)
        return cache[key]

    def column(self, prefix: str, names: tuple[str, ...], column: str) -> np.ndarray:
        """A numeric column of the rows ``prefix.<name>`` (e.g. ``high``), one per name (cached).

        Raises KeyError when a row is missing and ValueError when a value is
        not a number (nothing is cached then).
        """
        cache = self._series_cache  # type: ignore[attr-defined]
        key = ("column", prefix, names, column)
        if key not in cache:
            ids = [f"{prefix}.{n}" for n in names]
            values = pd.to_numeric(self.rows.loc[ids, column]).to_numpy(dtype=float)
            values.flags.writeable = False
            cache[key] = values
        return cache[key]

    def take(self, prefix: str, names: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
        """Vectorised look-up by vocabulary codes: ``prefix.<names[code]>`` per code.

        The array counterpart of :meth:`lookup`: ``codes`` are int codes into
        the vocabulary tuple ``names`` (-1 = missing). One cached table per
        prefix and vocabulary, then one ``take``.

        Raises FactorError naming the keys used that have no factor.
        """
        cache = self._take_cache  # type: ignore[attr-defined]
        key = (prefix, id(names))  # the entry keeps `names` alive: its id is not reused
        hit = cache.get(key)
        if hit is None:
            if len(cache) > 1024:  # bounded: callers that make their tuples anew
                cache.clear()
            hit = cache[key] = (names, *self._code_table(prefix, names))
        _, values, found = hit
        if count_nonzero(found.take(codes)) < np.size(codes):
            codes = np.asarray(codes)
            used = sorted({(names[c] if c >= 0 else MISSING_KEY) for c in codes[~found[codes]]})
            raise self._missing(prefix, used)
        return values.take(codes, axis=-1)

    def take2(
        self,
        prefix: str,
        names1: tuple[str, ...],
        codes1: np.ndarray,
        names2: tuple[str, ...],
        codes2: np.ndarray,
    ) -> np.ndarray:
        """Vectorised look-up of ``prefix.<names1[code1]>.<names2[code2]>`` by codes.

        The pairs are one vocabulary (row-major, cached): pair code
        ``code1 * len(names2) + code2``, -1 where either code is -1.
        """
        pairs = _pairs(names1, names2)
        # one look-up of the pair code; code -1 reads the last row or column (-1)
        codes = _pair_codes(len(names1), len(names2))[codes1, codes2]
        return self.take(prefix, pairs, codes)

    def _take(self, prefix: str, table: pd.Series, names: list, codes: np.ndarray) -> np.ndarray:
        """The factor of ``names[code]`` for every code; FactorError if one has none."""
        pos = table.index.get_indexer(pd.Index(names, dtype=object))
        found = pos >= 0
        out = table.to_numpy()[np.where(found, pos, 0)][codes]
        if not found.all():
            used = np.bincount(codes, minlength=len(names)) > 0
            missing = [n for n, u, f in zip(names, used, found, strict=True) if u and not f]
            if missing:
                raise self._missing(prefix, missing)
        return out

    def fallback_ids(self, prefix: str = "") -> list[str]:
        """Factor ids (under ``prefix``) whose value came from the fallback set."""
        fb = self.rows.index[self.rows["fell_back"]]
        return sorted(i for i in fb if i.startswith(prefix))

    def citation(self, factor_id: str) -> str:
        """Full citation plus locator of one factor."""
        row = self.rows.loc[factor_id]
        src = load_sources()
        cit = src.at[row["source_id"], "citation"] if row["source_id"] in src.index else ""
        return f"{cit} {row['source_locator']}".strip()


@functools.lru_cache(maxsize=64)
def _pairs(names1: tuple[str, ...], names2: tuple[str, ...]) -> tuple[str, ...]:
    """Every ``name1.name2``, row-major (the vocabulary of :meth:`FactorSet.take2`)."""
    return tuple(f"{a}.{b}" for a in names1 for b in names2)


@functools.lru_cache(maxsize=64)
def _pair_codes(n1: int, n2: int) -> np.ndarray:
    """Pair code ``code1 * n2 + code2`` at ``[code1, code2]``; -1 in the extra last row/column."""
    table = np.full((n1 + 1, n2 + 1), -1, dtype=np.int64)
    table[:n1, :n2] = np.arange(n1 * n2).reshape(n1, n2)
    table.flags.writeable = False
    return table


def _read_set_dir(name: str) -> tuple[dict, pd.DataFrame]:
    folder = factors_dir() / name
    meta_path = folder / "set.toml"
    if not meta_path.is_file():
        known = ", ".join(available_factor_sets())
        raise FactorError(f"unknown factor set {name!r} (known: {known})")
    meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    files = sorted(folder.glob("*.csv"))
    frames = [_read_rows(f) for f in files]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    if rows["factor_id"].duplicated().any():
        dups = sorted(set(rows.loc[rows["factor_id"].duplicated(), "factor_id"]))
        raise FactorError(f"factor set {name!r}: duplicate factor ids {dups}")
    rows["set"] = name
    return meta, rows.set_index("factor_id")


@functools.cache
def load_factor_set(name: str = DEFAULT_FACTOR_SET) -> FactorSet:
    """Load a factor set by name, resolving its fallback chain."""
    meta, rows = _read_set_dir(name)
    rows["fell_back"] = False
    fallback = meta.get("fallback")
    if fallback:
        base = load_factor_set(fallback).rows.copy()
        base = base.loc[~base.index.isin(rows.index)]
        base["fell_back"] = True
        rows = pd.concat([rows, base])
    return FactorSet(
        name=meta.get("name", name),
        version=str(meta["version"]),
        title=meta.get("title", name),
        fallback=fallback,
        rows=rows,
        meta=meta,
    )


@dataclass(frozen=True)
class GWPSet:
    """A GWP100 set: kg CO2e per kg of each gas."""

    name: str
    co2: float
    ch4_biogenic: float
    ch4_fossil: float
    n2o: float
    source: str


@functools.cache
def load_gwp(name: str = DEFAULT_GWP) -> GWPSet:
    """Load GWP100 values of ``AR4``, ``AR5`` or ``AR6``."""
    if name not in GWP_SETS:
        raise FactorError(f"unknown GWP set {name!r} (known: {', '.join(GWP_SETS)})")
    rows = pd.concat(
        [_read_rows(f) for f in sorted((factors_dir() / "gwp").glob("*.csv"))],
        ignore_index=True,
    ).set_index("factor_id")
    v = pd.to_numeric(rows["value"]).astype(float)

    def get(gas: str) -> float:
        key = f"gwp.{name}.{gas}"
        if key not in v.index:
            raise FactorError(f"GWP set {name} has no {key}")
        return float(v[key])

    return GWPSet(
        name=name,
        co2=get("CO2"),
        ch4_biogenic=get("CH4_biogenic"),
        ch4_fossil=get("CH4_fossil"),
        n2o=get("N2O"),
        source=str(rows.at[f"gwp.{name}.N2O", "source_id"]),
    )


_ID_PATTERN = r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$"


def check_factor_files(root: Path | None = None) -> list[str]:
    """Every problem of the factor data under ``root`` (empty list = valid).

    Checks: required columns present and only declared columns; ids well
    formed and unique per set; values and ranges numeric with
    low ≤ value ≤ high; units declared in ``units.csv``; every row cites a
    source of ``sources/*.csv`` with a locator; each set has a version that
    its CHANGELOG mentions and a known fallback.
    """
    import re

    root = root or factors_dir()
    problems: list[str] = []
    declared = set(pd.read_csv(root / "columns.csv", dtype=str)["column"])
    units = set(pd.read_csv(root / "units.csv", dtype=str, keep_default_na=False)["unit"])
    sources = pd.concat(
        [
            pd.read_csv(f, dtype=str, keep_default_na=False)
            for f in (root / "sources").glob("*.csv")
        ]
    )
    for col in ("source_id", "citation"):
        for i in sources.index[sources[col].str.strip() == ""]:
            problems.append(f"sources: row {i} has an empty {col}")
    dup_src = sources["source_id"][sources["source_id"].duplicated()]
    problems += [f"sources: duplicate source_id {s}" for s in dup_src]
    source_ids = set(sources["source_id"])
    set_dirs = sorted(p.parent for p in root.glob("*/set.toml"))
    for folder in [*set_dirs, root / "gwp"]:
        seen: dict[str, str] = {}
        for f in sorted(folder.glob("*.csv")):
            where = f"{folder.name}/{f.name}"
            df = pd.read_csv(f, dtype=str, keep_default_na=False)
            extra = set(df.columns) - declared
            if extra:
                problems.append(f"{where}: undeclared columns {sorted(extra)}")
            for col in ("factor_id", "value", "unit", "source_id", "source_locator"):
                if col not in df.columns:
                    problems.append(f"{where}: missing column {col}")
            if problems and any(p.startswith(f"{where}: missing") for p in problems):
                continue
            for n, row in enumerate(df.to_dict("records"), start=2):
                fid = row["factor_id"]
                at = f"{where} line {n} ({fid})"
                if not re.match(_ID_PATTERN, fid):
                    problems.append(f"{at}: malformed factor_id")
                if fid in seen:
                    problems.append(f"{at}: duplicate of {seen[fid]}")
                seen[fid] = at
                try:
                    v = float(row["value"])
                except ValueError:
                    problems.append(f"{at}: value {row['value']!r} is not a number")
                    continue
                for bound in ("low", "high"):
                    b = row.get(bound, "")
                    if b:
                        try:
                            bv = float(b)
                        except ValueError:
                            problems.append(f"{at}: {bound} {b!r} is not a number")
                            continue
                        if (bound == "low" and bv > v) or (bound == "high" and bv < v):
                            problems.append(f"{at}: value {v} outside its {bound} {bv}")
                why = _distribution_problem(fid, v, row)
                if why:
                    problems.append(f"{at}: {why}")
                if row["unit"] not in units:
                    problems.append(f"{at}: unit {row['unit']!r} not in units.csv")
                if not row["source_id"]:
                    problems.append(f"{at}: no source_id")
                elif row["source_id"] not in source_ids:
                    problems.append(f"{at}: unknown source_id {row['source_id']!r}")
                if not row["source_locator"].strip():
                    problems.append(f"{at}: no source_locator (table, equation or page)")
    for folder in set_dirs:
        meta = tomllib.loads((folder / "set.toml").read_text(encoding="utf-8"))
        version = str(meta.get("version", ""))
        if not version:
            problems.append(f"{folder.name}/set.toml: no version")
        log = folder / "CHANGELOG.md"
        if not log.is_file() or version not in log.read_text(encoding="utf-8"):
            problems.append(f"{folder.name}: CHANGELOG.md does not log version {version}")
        fb = meta.get("fallback")
        if fb and not (root / fb / "set.toml").is_file():
            problems.append(f"{folder.name}: fallback set {fb!r} does not exist")
    return problems
