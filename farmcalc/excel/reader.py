"""Read an advisor workbook into :class:`farmcalc.inputs.tables.FarmTables`, checking everything.

    tables, issues = read_workbook("gardar.xlsx")
    if tables is None:            # at least one error: nothing may be stored
        write_error_report(issues, "fel.xlsx")
    else:
        batch = farmcalc.calculate_batch(tables)

The file is first checked for hostile content (:mod:`farmcalc.excel.safety`),
then read with python-calamine (about ten times faster than openpyxl: 0.4 s
against 3.8 s for 10,000 rows × 40 columns on a 2-core machine; the data
sheets side by side, one thread each), openpyxl only as a fallback for files
calamine cannot open. Columns are found by
their header, not their position. The tables are built column-wise: each
column is converted and checked over all rows at once, and only failing
cells cost a Python branch. Every problem of
the whole workbook is collected, each naming sheet, Excel row, column header
and value, before anything is returned.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from farmcalc.excel import layout as L  # noqa: N812 — the one layout table
from farmcalc.excel.safety import (
    MAX_BYTES,
    MAX_ROWS,
    Package,
    column_letters,
    inspect_package,
)
from farmcalc.excel.sheet_issues import SheetIssue, WorkbookRefused, group_identical, has_errors
from farmcalc.inputs.checks import (
    ABSURD,
    YEAR_MAX,
    YEAR_MIN,
    check_plausibility,
    housed,
    is_municipality_code,
    number_rules,
    repeated,
    shares_off,
    unreasonable,
    year_outside,
)
from farmcalc.inputs.fields import (
    CHANGE_COLUMNS,
    CROP_COLUMNS,
    FARM_COLUMNS,
    LIVESTOCK_COLUMNS,
    MANURE_COLUMNS,
    YEAR_SPEC,
)
from farmcalc.inputs.issues import ERROR, WARNING, Code, Issue
from farmcalc.inputs.tables import FarmTables, with_categories
from farmcalc.inputs.text import bad_character, char_name
from farmcalc.inputs.vocabulary import MANURE_SYSTEMS
from farmcalc.labels import label

HEADER_SCAN_ROWS = 10  # the header is the best-matching of the first rows

Source = str | Path | bytes | bytearray | BinaryIO


# ---------------------------------------------------------------------------
# raw sheets


@dataclass
class RawSheet:
    """The cells of one sheet, by field, after the header has been matched."""

    layout: L.Sheet
    name: str  # as in the file
    headers: dict[str, tuple[int, str]]  # field → (column index, header text)
    columns: dict[str, list]  # field → cell values of the data rows
    excel_rows: np.ndarray  # Excel row number of each data row
    errors: dict[int, dict[int, str]] = field(default_factory=dict)  # col → {data row: #DIV/0!}

    @property
    def n(self) -> int:
        return len(self.excel_rows)

    def header(self, fld: str) -> str:
        """The header of ``fld`` as in the file (the template's if absent)."""
        if fld in self.headers:
            return self.headers[fld][1]
        return self.layout.by_field[fld].header


@dataclass
class RawWorkbook:
    """Sheets read from a workbook, and the problems found while reading."""

    sheets: dict[str, RawSheet]  # layout key → sheet
    issues: list[SheetIssue]
    template_version: str | None = None


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a workbook's cells are read and checked.

    Reading 10,000 farms makes about a million small objects (the cells),
    none of them in a reference cycle; the collector would walk them over and
    over (about 15 % of the time) and find nothing. Reference counting still
    frees everything; the collector runs again afterwards.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _as_bytes(source: Source, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | Path):
        path = Path(source)
        size = path.stat().st_size
        if size > max_bytes:
            raise WorkbookRefused(
                "file_too_large", size=round(size / 2**20, 3), limit=round(max_bytes / 2**20, 3)
            )
        return path.read_bytes()
    data = source.read(max_bytes + 1)
    return data


def open_workbook(
    source: Source, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES
) -> RawWorkbook:
    """Check a workbook and read its sheets' cells (no validation of values yet).

    Raises
    ------
    WorkbookRefused
        For a hostile, damaged or unsupported file (see :mod:`.safety`).
    """
    with _no_cycle_collection():
        return _open_workbook(_as_bytes(source, max_bytes), max_rows, max_bytes)


def _open_workbook(data: bytes, max_rows: int, max_bytes: int) -> RawWorkbook:
    lookup = L.sheet_lookup()
    pkg = inspect_package(
        data, max_rows=max_rows, max_bytes=max_bytes, wanted=lambda n: L.norm(n) in lookup
    )
    try:
        cells, names = _read_calamine(data, lookup, max_rows)
    except WorkbookRefused:
        raise
    except Exception:  # calamine could not parse it: try openpyxl
        cells, names = _read_openpyxl(data, lookup, max_rows)
    issues: list[SheetIssue] = []
    sheets: dict[str, RawSheet] = {}
    for key, rows in cells.items():
        sheet = L.SHEET_BY_KEY[key]
        raw = _match_sheet(sheet, names[key], rows, pkg, issues)
        if raw is not None:
            sheets[key] = raw
    issues += sheet_presence_issues(set(cells))
    version = names.get("_version")
    if version and version.isdigit() and int(version) > int(L.TEMPLATE_VERSION):
        issues.append(
            SheetIssue(
                Code.NEWER_TEMPLATE,
                sheet=L.LISTS_SHEET,
                params={"version": version, "supported": L.TEMPLATE_VERSION},
                severity=WARNING,
            )
        )
    return RawWorkbook(sheets, issues, version)


def sheet_presence_issues(present: set[str]) -> list[SheetIssue]:
    """Which data sheets the workbook lacks: an error for Gårdar, a warning for the others.

    A workbook without the sheet Djur (or Grödor, Markförändringar) is read as
    farms without animals (crops, changes); the warning says so, naming the
    sheet, so that a deleted or renamed sheet is never silent. Whether stored
    data would be lost is the importer's question (``web/services/workbook_import.py``).

    Parameters
    ----------
    present : set of str
        Layout keys of the data sheets found (``farms``, ``livestock`` …).
    """
    out: list[SheetIssue] = []
    for s in L.SHEETS:
        if s.key in present:
            continue
        if s.required:
            out.append(SheetIssue(Code.MISSING_SHEET, params={"sheet": s.name}))
        else:
            out.append(SheetIssue(Code.ABSENT_SHEET, sheet=s.name, severity=WARNING))
    return out


def absent_sheets(raw: RawWorkbook) -> list[L.Sheet]:
    """The optional data sheets the workbook does not have (layout order)."""
    return [s for s in L.SHEETS if not s.required and s.key not in raw.sheets]


def _read_calamine(data: bytes, lookup: dict, max_rows: int):
    """The cells of the data sheets, read by python-calamine (Rust).

    calamine parses a whole sheet at once and lets go of the GIL while it
    does: the data sheets are read side by side, each by its own workbook
    object (one per thread), on as many threads as the machine has cores.
    Only called after :func:`.safety.inspect_package` passed the file.
    """
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    jobs: dict[str, str] = {}
    names: dict[str, str] = {}
    for name in wb.sheet_names:
        n = L.norm(name)
        if n == L.norm(L.LISTS_SHEET):
            names["_version"] = _template_version(wb.get_sheet_by_name(name).to_python(nrows=2))
            continue
        sheet = lookup.get(n)
        if sheet is None or sheet.key in jobs:
            continue
        jobs[sheet.key] = name
        names[sheet.key] = name

    def one(name: str) -> list[list]:
        own = CalamineWorkbook.from_filelike(io.BytesIO(data))
        ws = own.get_sheet_by_name(name)
        end = ws.end
        if end is not None and end[0] + 1 > max_rows + 10:
            raise WorkbookRefused("too_many_rows", sheet=name, n=end[0], limit=max_rows)
        return ws.to_python(skip_empty_area=False)

    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        return {key: one(name) for key, name in jobs.items()}, names
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {key: pool.submit(one, name) for key, name in jobs.items()}
        return {key: f.result() for key, f in futures.items()}, names


def _read_openpyxl(data: bytes, lookup: dict, max_rows: int):
    """Fallback reader (slower); defusedxml guards its XML parsing."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise WorkbookRefused("file_damaged") from None
    cells: dict[str, list[list]] = {}
    names: dict[str, str] = {}
    try:
        for ws in wb.worksheets:
            n = L.norm(ws.title)
            if n == L.norm(L.LISTS_SHEET):
                rows = [list(r) for r in ws.iter_rows(max_row=2, values_only=True)]
                names["_version"] = _template_version(rows)
                continue
            sheet = lookup.get(n)
            if sheet is None or sheet.key in cells:
                continue
            ws.reset_dimensions()  # never trust the declared <dimension>: it may drop rows
            rows = []
            for r in ws.iter_rows(values_only=True):
                rows.append(["" if v is None else v for v in r])
                if len(rows) > max_rows + 10:
                    raise WorkbookRefused(
                        "too_many_rows", sheet=ws.title, n=len(rows) - 1, limit=max_rows
                    )
            cells[sheet.key] = rows
            names[sheet.key] = ws.title
    finally:
        wb.close()
    return cells, names


def _template_version(rows: list[list]) -> str | None:
    if rows and len(rows[0]) > 1 and rows[0][0] == L.TEMPLATE_MARKER:
        v = rows[0][1]
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    return None


def _match_sheet(
    sheet: L.Sheet, name: str, rows: list[list], pkg: Package, issues: list[SheetIssue]
) -> RawSheet | None:
    """Find the header row, map columns by header, cut out the data rows."""
    keys = {c.field: L.header_keys(c) for c in sheet.columns}
    best: tuple[int, dict] = (0, {})
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = {}
        for c, cell in enumerate(row):
            if isinstance(cell, str) and cell.strip():
                fld = _header_field(cell, keys)
                if fld:
                    found.setdefault(fld, c)
        if len(found) > len(best[1]):
            best = (r, found)
    header_row = best[0]
    header_cells = rows[header_row] if rows else []
    headers: dict[str, tuple[int, str]] = {}
    local: list[SheetIssue] = []
    for c, cell in enumerate(header_cells):
        if cell == "" or cell is None:
            continue
        text = str(cell).strip()
        if not text:
            continue
        fld = _header_field(text, keys)
        where = {"sheet": name, "row": header_row + 1, "column": text}
        if fld is None:
            local.append(SheetIssue(Code.UNKNOWN_COLUMN, severity=WARNING, **where))
            continue
        if fld in headers:
            other = column_letters(headers[fld][0])
            local.append(
                SheetIssue(Code.DUPLICATE_COLUMN, params={"column": text, "other": other}, **where)
            )
            continue
        unit = L.split_header(text)[1]
        names_, units = keys[fld]
        if unit and units and L.norm(unit) not in units and L.norm(text) not in names_:
            col = sheet.by_field[fld]
            local.append(
                SheetIssue(
                    Code.UNIT_MISMATCH,
                    params={"column": text, "unit": unit, "expected": col.unit},
                    **where,
                )
            )
            continue
        headers[fld] = (c, text)
    for col in sheet.columns:
        if col.required and col.field not in headers:
            local.append(
                SheetIssue(
                    Code.MISSING_COLUMN,
                    sheet=name,
                    row=header_row + 1,
                    params={"column": col.header},
                )
            )
    issues.extend(local)
    data = rows[header_row + 1 :]
    n = len(data)
    lengths = set(map(len, data))
    width = max(lengths, default=0)
    if len(lengths) > 1:  # ragged rows (the openpyxl fallback)
        data = [list(r) + [""] * (width - len(r)) for r in data]
    transposed = list(zip(*data, strict=True)) if data and width else []
    columns = {
        fld: list(transposed[c]) if c < len(transposed) else [""] * n
        for fld, (c, _h) in headers.items()
    }
    excel_rows = np.arange(header_row + 2, header_row + 2 + n, dtype=np.int64)
    errs = pkg.error_cells.get(name, {})
    by_col: dict[int, dict[int, str]] = {}
    if errs:
        col_of = {c: fld for fld, (c, _h) in headers.items()}
        for (r0, c0), text in errs.items():
            if c0 in col_of and r0 > header_row:
                by_col.setdefault(c0, {})[r0 - header_row - 1] = text
    return RawSheet(sheet, name, headers, columns, excel_rows, by_col)


def _header_field(text: str, keys: dict[str, tuple[set, set]]) -> str | None:
    full = L.norm(text)
    base = L.norm(L.split_header(text)[0])
    for fld, (names, _units) in keys.items():
        if full in names:
            return fld
    for fld, (names, _units) in keys.items():
        if base in names:
            return fld
    return None


# ---------------------------------------------------------------------------
# cell conversion, column-wise


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:[ '\u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?%?")
_SPACES = re.compile(r"[ '\u00a0\u202f\u2009]")
_MINUS = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2014\ufe63\uff0d"), "-")
BLANK = object()


def parse_number_text(text: str, *, percent: bool = False) -> float | object | None:
    """A number typed as text, the Swedish way or the English way.

    Accepts decimal comma or point, spaces or no-break spaces as thousands
    separators (``1 234,5``), the Unicode minus, and with ``percent`` a
    trailing ``%`` (``85 %`` → 0.85). Returns :data:`BLANK` for blank text
    and None for text that is not a number.
    """
    t = unicodedata.normalize("NFKC", text).translate(_MINUS).strip()
    if not t:
        return BLANK
    if re.search(r"\d[ '\u00a0\u202f\u2009]\d", t) and not _GROUPED.fullmatch(
        t.replace(" %", "%")
    ):
        return None
    t = _SPACES.sub("", t)
    scale = 1.0
    if t.endswith("%"):
        if not percent:
            return None
        t, scale = t[:-1], 0.01
    if "," in t:
        if "." in t or t.count(",") > 1:
            return None
        t = t.replace(",", ".")
    if not _NUMBER.fullmatch(t):
        return None
    v = float(t) * scale
    return v if np.isfinite(v) else None


@dataclass
class Converted:
    """One column converted: values, which cells are empty, which are bad."""

    values: np.ndarray
    missing: np.ndarray  # bool: the cell is empty
    problems: list[tuple[int, str, Any, dict]]  # (data row, code, raw value, params)


def convert_numbers(values: list, errors: dict[int, str], *, percent: bool) -> Converted:
    """Cells → float (NaN where empty or bad), column-wise.

    A column of numbers and empty cells (what Excel and the template give)
    is converted by numpy alone; only other cells (text, dates, truth
    values) are looked at one by one.
    """
    n = len(values)
    problems: list[tuple[int, str, Any, dict]] = []
    kinds = list(map(type, values))
    types = set(kinds)
    if types <= {float, int}:
        arr = np.array(values, dtype=float)
        missing = np.zeros(n, dtype=bool)
        slow = ~np.isfinite(arr)
    elif types <= {float, int, str} and kinds.count(str) == values.count(""):
        obj = np.fromiter(values, dtype=object, count=n)
        missing = np.asarray(obj == "", dtype=bool)
        obj[missing] = np.nan
        arr = obj.astype(float)
        slow = ~np.isfinite(arr) & ~missing
    else:
        plain = np.fromiter((k is float or k is int for k in kinds), bool, n)
        missing = np.zeros(n, dtype=bool)
        arr = np.full(n, np.nan)
        arr[plain] = np.fromiter(values, dtype=object, count=n)[plain].astype(float)
        slow = ~plain | ~np.isfinite(arr)
    for i in np.flatnonzero(slow):
        v = values[i]
        parsed = parse_number_text(v, percent=percent) if isinstance(v, str) else None
        if parsed is BLANK:
            arr[i], missing[i] = np.nan, True
        elif parsed is None:
            arr[i] = np.nan
            problems.append((int(i), Code.TYPE_NUMBER, v, {}))
        else:
            arr[i] = parsed
    for i, text in errors.items():
        if i < n:
            arr[i], missing[i] = np.nan, False
            problems.append((i, Code.FORMULA_ERROR, text, {}))
    return Converted(arr, missing, problems)


def _nfc(v: str) -> str:
    return unicodedata.normalize("NFC", v)


def _text_cell(v: str) -> tuple[str | None, tuple[int, str] | None]:
    """A text cell: (text or None when blank, bad character found or None)."""
    t = unicodedata.normalize("NFC", v).strip()
    found = bad_character(t)  # calamine reads Excel's _x0000_ as a NUL byte
    return (None, found) if found else (t or None, None)


def convert_text(values: list, errors: dict[int, str], *, kind: str) -> Converted:
    """Cells → str or None; numbers become their digits (``1290.0`` → ``"1290"``).

    Each distinct text is normalised and checked once (a farm id repeats on
    every row of the farm's animals and crops).
    """
    n = len(values)
    if set(map(type, values)) <= {str}:  # the usual column: text and empty cells
        texts = list(map(str.strip, map(_nfc, values)))
        if bad_character(" ".join(texts)) is None:  # no cell holds a refused character
            out = np.fromiter(texts, dtype=object, count=n)
            missing = np.asarray(out == "", dtype=bool)
            out[missing] = None
            return _with_errors(Converted(out, missing, []), errors)
    out = np.empty(n, dtype=object)
    missing = np.zeros(n, dtype=bool)
    problems: list[tuple[int, str, Any, dict]] = []
    seen: dict[str, tuple[str | None, tuple[int, str] | None]] = {}
    for i, v in enumerate(values):
        if type(v) is str:
            done = seen.get(v)
            if done is None:
                done = seen[v] = _text_cell(v)
            t, found = done
            if found:
                out[i] = None
                problems.append(
                    (i, Code.TEXT_CHARACTER, None, {"char": char_name(found[1]), "pos": found[0]})
                )
                continue
            out[i] = t
            missing[i] = t is None
        elif isinstance(v, int | float) and not isinstance(v, bool):
            if float(v).is_integer():
                t = str(int(v))
                if kind == L.CODE and 0 < int(v) < 1000:
                    t = t.zfill(4)  # 0114: the leading zero lost in a number cell
            else:
                t = repr(float(v))
            out[i] = t
        elif v is None:
            missing[i] = True
        else:  # a date or a truth value where text is expected: keep it as text
            out[i] = v.isoformat() if isinstance(v, dt.date | dt.time) else str(v)
    return _with_errors(Converted(out, missing, problems), errors)


def _with_errors(conv: Converted, errors: dict[int, str]) -> Converted:
    """Formula-error cells (found by :mod:`.safety`) replace what was read there."""
    n = len(conv.values)
    for i, text in errors.items():
        if i < n:
            conv.values[i], conv.missing[i] = None, False
            conv.problems.append((i, Code.FORMULA_ERROR, text, {}))
    return conv


def convert_category(values: list, errors: dict[int, str], vocabulary: str) -> Converted:
    """Cells → codes; Swedish labels, English labels and codes are all accepted."""
    lookup = L.vocabulary_lookup(vocabulary)
    allowed = ", ".join(label(c, "sv") for c in L.VOCABULARIES[vocabulary])
    n = len(values)
    # each distinct cell looked up once, then spread over the rows by numpy
    which, distinct = pd.factorize(
        np.fromiter(values, dtype=object, count=n), use_na_sentinel=False
    )
    found = [
        lookup.get(L.norm(v), None if L.norm(v) else BLANK) if type(v) is str else None
        for v in distinct
    ]
    codes = np.array([c if isinstance(c, str) else None for c in found], dtype=object)
    blank = np.array([c is BLANK for c in found], dtype=bool)
    unknown = np.array([c is None for c in found], dtype=bool)
    out = codes[which]
    missing = blank[which]
    problems = [
        (int(i), Code.UNKNOWN_VALUE, values[i], {"allowed": allowed})
        for i in np.flatnonzero(unknown[which])
    ]
    for i, text in errors.items():
        if i < n:
            out[i], missing[i] = None, False
            problems.append((i, Code.FORMULA_ERROR, text, {}))
    return Converted(out, missing, problems)


def _convert(raw: RawSheet, col: L.Column) -> Converted:
    n = raw.n
    if col.field not in raw.columns:
        if col.kind in (L.NUMBER, L.SHARE, L.YEAR):
            return Converted(np.full(n, np.nan), np.ones(n, dtype=bool), [])
        return Converted(np.full(n, None, dtype=object), np.ones(n, dtype=bool), [])
    c = raw.headers[col.field][0]
    values = raw.columns[col.field]
    errors = raw.errors.get(c, {})
    if col.kind in (L.NUMBER, L.SHARE, L.YEAR):
        return convert_numbers(values, errors, percent=col.kind == L.SHARE)
    if col.kind == L.CATEGORY:
        return convert_category(values, errors, col.vocabulary or "")
    return convert_text(values, errors, kind=col.kind)


# ---------------------------------------------------------------------------
# validation of one sheet


class _Sink:
    """Collects the issues of one sheet, only for the rows kept."""

    def __init__(self, raw: RawSheet, out: list[SheetIssue]) -> None:
        self.raw = raw
        self.out = out

    def add(self, i: int, fld: str | None, code: str, value=None, **params) -> None:
        self.out.append(
            SheetIssue(
                code,
                sheet=self.raw.name,
                row=int(self.raw.excel_rows[i]),
                column=self.raw.header(fld) if fld else None,
                value=value,
                params=params,
            )
        )


def _check_numbers(
    conv: Converted, col: L.Column, values: _Lazy | None, sink: _Sink, required: bool
) -> np.ndarray:
    """The rules of a numeric column: those of a record's field (:mod:`farmcalc.inputs.checks`).

    A number beyond any farm's (:func:`~farmcalc.inputs.checks.unreasonable`), a
    required cell left empty, then the bounds of the field's
    :class:`~farmcalc.inputs.fields.Num` (:func:`~farmcalc.inputs.checks.number_rules`;
    a year: a whole number). The same codes as a record's; the value shown is
    the cell as typed. Returns the rows with an error.
    """
    arr, missing = conv.values, conv.missing
    bad = np.zeros(len(arr), dtype=bool)
    for i, *_rest in conv.problems:
        bad[i] = True
    raw = (lambda i: values[i]) if values is not None else (lambda i: None)
    for i in np.flatnonzero(missing & required):
        sink.add(i, col.field, Code.REQUIRED)
    given = ~missing & ~bad
    huge = given & unreasonable(arr)
    for i in np.flatnonzero(huge):
        sink.add(i, col.field, Code.TOO_LARGE, raw(i), limit=ABSURD)
    bad |= huge
    given &= ~huge
    spec = YEAR_SPEC if col.kind == L.YEAR else col.spec
    if spec is not None:
        for code, broken, limit in number_rules(arr, spec, given):
            if limit is None:
                for i in np.flatnonzero(broken):
                    sink.add(i, col.field, code, raw(i))
            else:
                for i in np.flatnonzero(broken):
                    sink.add(i, col.field, code, raw(i), limit=limit)
            bad |= broken
    return bad


class _Lazy:
    """``values[keep[i]]`` on demand (only failing cells are looked at)."""

    def __init__(self, values: list, keep: np.ndarray) -> None:
        self.values, self.keep = values, keep

    def __getitem__(self, i: int):
        return self.values[self.keep[i]]


@dataclass
class _Parsed:
    """A sheet's kept rows, converted and checked."""

    raw: RawSheet
    keep: np.ndarray  # positions of the non-empty rows
    cols: dict[str, np.ndarray]  # field → values of the kept rows
    missing: dict[str, np.ndarray]
    bad: np.ndarray  # any error on the row (kept rows)


def _parse_sheet(raw: RawSheet, out: list[SheetIssue]) -> _Parsed:
    convs = {col.field: _convert(raw, col) for col in raw.layout.columns}
    mapped = [f for f in convs if f in raw.columns]
    if mapped:
        empty = np.logical_and.reduce([convs[f].missing for f in mapped])
    else:
        empty = np.ones(raw.n, dtype=bool)
    keep = np.flatnonzero(~empty)
    sub = RawSheet(raw.layout, raw.name, raw.headers, {}, raw.excel_rows[keep])
    sink = _Sink(sub, out)
    pos_of = np.full(raw.n, -1, dtype=np.int64)
    pos_of[keep] = np.arange(len(keep))
    cols: dict[str, np.ndarray] = {}
    missing: dict[str, np.ndarray] = {}
    bad_row = np.zeros(len(keep), dtype=bool)
    # the manure shares of a row go together: percent for all of them, or for none
    manure = [f for f in L.MANURE_FIELDS if f in convs]
    manure_pct = bool(manure) and _typed_as_percent(
        np.concatenate([convs[f].values[keep] for f in manure]),
        np.concatenate([convs[f].missing[keep] for f in manure]),
    )
    for col in raw.layout.columns:
        conv = convs[col.field]
        values = raw.columns.get(col.field)
        kept = Converted(
            conv.values[keep],
            conv.missing[keep],
            [(int(pos_of[i]), c, v, p) for i, c, v, p in conv.problems if pos_of[i] >= 0],
        )
        for i, code, v, params in kept.problems:
            sink.add(i, col.field, code, v, **params)
            bad_row[i] = True
        kept_values = _Lazy(values, keep) if values is not None else None
        required = col.required and col.field in raw.columns  # else: missing_column
        if col.kind == L.SHARE:
            manure = col.field.startswith("manure:")
            if manure_pct if manure else _typed_as_percent(kept.values, kept.missing):
                kept = _read_as_percent(kept, col, raw, out)
        if col.kind in (L.NUMBER, L.SHARE, L.YEAR):
            bad_row |= _check_numbers(kept, col, kept_values, sink, required)
        elif required:
            code = Code.MUNICIPALITY_REQUIRED if col.kind == L.CODE else Code.REQUIRED
            for i in np.flatnonzero(kept.missing):
                sink.add(i, col.field, code)
                bad_row[i] = True
        if col.kind == L.CODE:
            vals = kept.values
            ok = np.fromiter((v is None or is_municipality_code(v) for v in vals), bool, len(vals))
            for i in np.flatnonzero(~ok):
                sink.add(
                    i, col.field, Code.MUNICIPALITY_CODE, kept_values[i] if kept_values else None
                )
            bad_row |= ~ok
        cols[col.field] = kept.values
        missing[col.field] = kept.missing
    return _Parsed(sub, keep, cols, missing, bad_row)


def _typed_as_percent(values: np.ndarray, missing: np.ndarray) -> bool:
    """Whether a share column was plainly typed in percent.

    So it is when every number given is 0 or a whole number in 2–100, and at
    least one is not 0: no share 0–1 is then possible, and no percent is
    ambiguous. A column that mixes 0,45 and 45, holds a 1 (100 % or 1 %?) or
    a 1,5 is not guessed: its values above 1 are errors.
    """
    given = values[~missing & ~np.isnan(values)]
    percent = (given > 1) & (given <= 100) & (given == np.round(given))
    return bool(given.size and percent.any() and ((given == 0) | percent).all())


def _read_as_percent(conv: Converted, col: L.Column, raw: RawSheet, out: list) -> Converted:
    """The column divided by 100, with one warning naming the column (if it has a value)."""
    above = np.flatnonzero(conv.values > 1)
    if not above.size:  # only zeros: 0 % is 0
        return conv
    example = float(conv.values[above[0]])
    out.append(
        SheetIssue(
            Code.SHARE_PERCENT,
            sheet=raw.name,
            column=raw.header(col.field),
            params={"example": example, "share": example / 100},
            severity=WARNING,
        )
    )
    return Converted(conv.values / 100, conv.missing, conv.problems)


# ---------------------------------------------------------------------------
# the whole workbook


def parse_workbook(raw: RawWorkbook) -> tuple[FarmTables | None, list[SheetIssue]]:
    """Validate the cells of a workbook and build the tables.

    Returns
    -------
    (FarmTables or None, list of SheetIssue)
        The tables are None when any issue is an error.
    """
    with _no_cycle_collection():
        return _parse_workbook(raw)


def _parse_workbook(raw: RawWorkbook) -> tuple[FarmTables | None, list[SheetIssue]]:
    issues = list(raw.issues)
    if "farms" not in raw.sheets:
        return None, issues
    farms_issues: list[SheetIssue] = []
    fp = _parse_sheet(raw.sheets["farms"], farms_issues)
    n = len(fp.keep)
    if n == 0 and not has_errors(issues + farms_issues):
        issues.append(SheetIssue(Code.NO_FARMS, sheet=fp.raw.name))
    farm_ids = fp.cols["farm_id"]
    years = fp.cols["year"]
    sink = _Sink(fp.raw, farms_issues)
    # duplicate (farm id, year)
    valid_key = ~pd.isna(farm_ids) & ~np.isnan(years)
    dup = repeated(farm_ids, years)
    if dup.any():
        first_row = (
            pd.DataFrame({"farm_id": farm_ids, "year": years, "row": fp.raw.excel_rows})[valid_key]
            .drop_duplicates(["farm_id", "year"])
            .set_index(["farm_id", "year"])["row"]
        )
        for i in np.flatnonzero(dup):
            other = int(first_row.loc[(farm_ids[i], years[i])])
            sink.add(
                i,
                "farm_id",
                Code.DUPLICATE_FARM,
                farm_ids[i],
                farm_id=farm_ids[i],
                year=int(years[i]),
                other=other,
            )
    warn_year = valid_key & year_outside(years)
    year_issues = [
        (
            int(i),
            Issue(
                int(i),
                "year",
                Code.WARN_YEAR,
                {"year": int(years[i]), "low": YEAR_MIN, "high": YEAR_MAX},
                WARNING,
            ),
        )
        for i in np.flatnonzero(warn_year & ~np.isnan(years))
    ]

    issues += _by_row(farms_issues)
    farm_index = _FarmIndex(farm_ids, years, valid_key & ~dup & ~fp.bad, fp.raw.name)
    children: dict[str, tuple[_Parsed, np.ndarray]] = {}
    for key_ in ("livestock", "crops", "soil_changes"):
        if key_ not in raw.sheets:
            continue
        sheet_issues: list[SheetIssue] = []
        p = _parse_sheet(raw.sheets[key_], sheet_issues)
        farm_idx = farm_index.link(p, _Sink(p.raw, sheet_issues))
        if key_ == "livestock":
            _check_manure(p, _Sink(p.raw, sheet_issues))
        if key_ == "crops":
            _check_yield_basis(p, _Sink(p.raw, sheet_issues))
        issues += _by_row(sheet_issues)
        children[key_] = (p, farm_idx)

    if has_errors(issues):
        return None, group_identical(issues)
    tables, rows = _build_tables(fp, children)
    issues += _warnings(tables, rows, fp, children, year_issues)
    return tables, group_identical(issues)


def _by_row(issues: list[SheetIssue]) -> list[SheetIssue]:
    """A sheet's issues in row order (stable: columns stay left to right)."""
    return sorted(issues, key=lambda i: i.row or 0)


class _FarmIndex:
    """(farm id, year) of the Gårdar rows, to link the other sheets' rows."""

    def __init__(self, ids: np.ndarray, years: np.ndarray, ok: np.ndarray, sheet: str):
        self.sheet = sheet
        idx = np.flatnonzero(ok)
        self.by_key = pd.Series(
            idx, index=pd.MultiIndex.from_arrays([ids[idx].astype(object), years[idx]])
        )
        counts = pd.Series(ids[idx].astype(object)).value_counts()
        single = counts.index[counts == 1]
        first = pd.Series(idx, index=ids[idx].astype(object))
        self.only = first[first.index.isin(single)]
        self.several = set(counts.index[counts > 1])
        self.known = set(counts.index)
        # farm ids on rows that have errors themselves: their rows elsewhere are not orphans
        self.broken = set(ids[~ok & ~pd.isna(ids)].tolist()) - self.known

    def link(self, p: _Parsed, sink: _Sink) -> np.ndarray:
        """Farm position of each row; -1 where it cannot be linked (issue added)."""
        ids = p.cols["farm_id"]
        years = p.cols["year"]
        n = len(ids)
        out = np.full(n, -1, dtype=np.int64)
        has_id = ~pd.isna(ids)
        with_year = has_id & ~np.isnan(years)
        if with_year.any():
            keys = pd.MultiIndex.from_arrays([ids[with_year].astype(object), years[with_year]])
            found = self.by_key.reindex(keys).to_numpy()
            pos = np.flatnonzero(with_year)
            ok = ~np.isnan(found)
            out[pos[ok]] = found[ok].astype(np.int64)
            for i in pos[~ok]:
                if ids[i] in self.broken:
                    continue
                code = Code.ORPHAN_YEAR if ids[i] in self.known else Code.ORPHAN
                sink.add(
                    i,
                    "farm_id",
                    code,
                    ids[i],
                    farm_id=ids[i],
                    year=int(years[i]),
                    farms=self.sheet,
                )
        # no year on the row: the farm id alone must name one Gårdar row
        no_year = has_id & p.missing["year"]
        if no_year.any():
            pos = np.flatnonzero(no_year)
            found = self.only.reindex(pd.Index(ids[pos].astype(object))).to_numpy(dtype=float)
            ok = ~np.isnan(found)
            out[pos[ok]] = found[ok].astype(np.int64)
            for i in pos[~ok]:
                if ids[i] in self.broken:
                    continue
                code = Code.YEAR_AMBIGUOUS if ids[i] in self.several else Code.ORPHAN
                sink.add(i, "farm_id", code, ids[i], farm_id=ids[i], farms=self.sheet)
        return out


def _check_manure(p: _Parsed, sink: _Sink) -> None:
    shares = np.column_stack([p.cols[f] for f in L.MANURE_FIELDS]) if len(p.keep) else None
    if shares is None:
        return
    given = ~np.isnan(shares)
    any_given = (given & (shares != 0)).any(axis=1)
    total = np.where(given, shares, 0.0).sum(axis=1)
    bad_cells = np.zeros(len(p.keep), dtype=bool)
    for f in L.MANURE_FIELDS:  # text, formula errors, shares outside 0–1: reported already
        v = p.cols[f]
        bad_cells |= (~p.missing[f] & np.isnan(v)) | (v < 0) | (v > 1)
    off = any_given & ~bad_cells & shares_off(total)
    for i in np.flatnonzero(off):
        sink.add(i, None, Code.SHARES_SUM, None, sum=round(float(total[i]), 6))
    head = np.nan_to_num(p.cols["head"], nan=0.0)
    pasture = np.nan_to_num(p.cols["pasture_fraction"], nan=0.0)
    for i in np.flatnonzero(housed(head, pasture) & ~any_given & ~bad_cells):
        sink.add(i, None, Code.MANURE_SYSTEMS_MISSING)


def _check_yield_basis(p: _Parsed, sink: _Sink) -> None:
    """A crop row gives its yield as delivered weight or as dry matter, not both."""
    fresh, dm = "yield_kg_per_ha", "yield_kg_dm_per_ha"
    both = ~p.missing[fresh] & ~p.missing[dm]
    for i in np.flatnonzero(both):
        sink.add(
            i,
            dm,
            Code.YIELD_BOTH,
            None,
            fresh=f'"{p.raw.header(fresh)}"',
            dm=f'"{p.raw.header(dm)}"',
        )


def _fill(arr: np.ndarray, col: L.Column) -> np.ndarray:
    """Missing optional numbers → the record's default (0, or NaN = not given)."""
    if col.spec is None:
        return arr
    return np.where(np.isnan(arr), col.spec.missing, arr)


def _category_values(p: _Parsed, col: L.Column) -> np.ndarray:
    vals = p.cols[col.field].copy()
    if col.default is not None:
        vals[p.missing[col.field]] = col.default
    return vals


def _build_tables(fp: _Parsed, children: dict[str, tuple[_Parsed, np.ndarray]]):
    """FarmTables from the checked columns (no per-farm loop)."""
    sheet = L.FARMS
    n = len(fp.keep)
    farms = pd.DataFrame(index=pd.RangeIndex(n, name="farm_idx"))
    for fld in FARM_COLUMNS:
        col = sheet.by_field[fld]
        if fld == "year":
            farms[fld] = fp.cols[fld].astype(np.int64)
        elif col.kind in (L.NUMBER, L.SHARE):
            farms[fld] = _fill(fp.cols[fld], col)
        elif col.kind == L.CATEGORY:
            farms[fld] = _category_values(fp, col)
        else:
            farms[fld] = fp.cols[fld]
    rows: dict[str, np.ndarray] = {"farms": fp.raw.excel_rows}

    # livestock: rows sorted by farm (stable), position within the farm
    lv_p, lv_f = children.get("livestock", (None, np.zeros(0, np.int64)))
    order = np.argsort(lv_f, kind="stable")
    lf = lv_f[order]
    lv = pd.DataFrame(index=pd.RangeIndex(len(lf), name="lv_idx"))
    lv["farm_idx"] = lf
    lv["pos"] = _positions(lf)
    if lv_p is not None:
        lv["category"] = lv_p.cols["category"][order]
        for fld in LIVESTOCK_COLUMNS[3:]:
            lv[fld] = _fill(lv_p.cols[fld][order], L.LIVESTOCK.by_field[fld])
        rows["livestock"] = lv_p.raw.excel_rows[order]
        shares = np.column_stack([lv_p.cols[f][order] for f in L.MANURE_FIELDS])
    else:
        lv["category"] = np.array([], dtype=object)
        for fld in LIVESTOCK_COLUMNS[3:]:
            lv[fld] = np.array([], dtype=float)
        shares = np.zeros((0, len(MANURE_SYSTEMS)))
    lv = lv[LIVESTOCK_COLUMNS]
    lv_i, sys_i = np.nonzero(~np.isnan(shares) & (np.nan_to_num(shares) != 0))
    ms = pd.DataFrame(
        {
            "farm_idx": lf[lv_i],
            "lv_idx": lv_i.astype(np.int64),
            "system": np.array(MANURE_SYSTEMS, dtype=object)[sys_i],
            "share": shares[lv_i, sys_i],
        }
    )[MANURE_COLUMNS]

    cr_p, cr_f = children.get("crops", (None, np.zeros(0, np.int64)))
    crops = _child_table(cr_p, cr_f, L.CROPS_SHEET, CROP_COLUMNS, "crop_idx", rows, "crops")
    ch_p, ch_f = children.get("soil_changes", (None, np.zeros(0, np.int64)))
    changes = _child_table(ch_p, ch_f, L.SOIL_CHANGES, CHANGE_COLUMNS, None, rows, "soil_changes")
    return with_categories(FarmTables(farms[FARM_COLUMNS], lv, ms, crops, changes)), rows


def _positions(farm_idx: np.ndarray) -> np.ndarray:
    """0, 1, 2 … within each run of equal (sorted) farm indices."""
    n = len(farm_idx)
    if not n:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(farm_idx)) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    return (np.arange(n) - run_start).astype(np.int64)


def _child_table(p, farm_idx, sheet: L.Sheet, columns, index_name, rows, key):
    order = np.argsort(farm_idx, kind="stable")
    f = farm_idx[order]
    df = pd.DataFrame(index=pd.RangeIndex(len(f), name=index_name))
    df["farm_idx"] = f
    df["pos"] = _positions(f)
    for fld in columns[2:]:
        col = sheet.by_field[fld]
        if p is None:
            df[fld] = np.array([], dtype=object if col.kind == L.CATEGORY else float)
        elif col.kind == L.CATEGORY:
            df[fld] = _category_values(p, col)[order]
        elif fld == "year_of_change":
            df[fld] = _fill(p.cols[fld], col)[order]
        else:
            df[fld] = _fill(p.cols[fld], col)[order]
    if p is not None:
        rows[key] = p.raw.excel_rows[order]
    return df[columns]


class _Collector:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, farm: int, path: str, code: str, severity: str = ERROR, **params) -> None:
        self.issues.append(Issue(int(farm), path, code, params, severity))


_PATH = re.compile(r"^(livestock|crops)\[(\d+)\]\.?(.*)$")


def _warnings(tables: FarmTables, rows, fp: _Parsed, children, year_issues) -> list[SheetIssue]:
    """The plausibility warnings of farmcalc.inputs.checks, placed on sheet rows."""
    out = _Collector()
    check_plausibility(tables, out)
    record_issues = out.issues + [iss for _i, iss in year_issues]
    ids = tables.farms["farm_id"].to_numpy(dtype=object)
    result = []
    where_child = {}
    for key, table in (("livestock", tables.livestock), ("crops", tables.crops)):
        if key in rows and any(i.path.startswith(key + "[") for i in record_issues):
            where_child[key] = {
                (int(f), int(p)): k
                for k, (f, p) in enumerate(
                    zip(table["farm_idx"].to_numpy(), table["pos"].to_numpy(), strict=True)
                )
            }
    field_of = {"energy.diesel_l": "diesel_l", "year": "year"}
    for iss in record_issues:
        iss = replace(iss, farm_id=ids[iss.farm])
        m = _PATH.match(iss.path)
        sheet_layout, row, fld = L.FARMS, int(rows["farms"][iss.farm]), field_of.get(iss.path)
        sheet_name = fp.raw.name
        if m and m.group(1) in where_child:
            key = m.group(1)
            k = where_child[key].get((iss.farm, int(m.group(2))))
            if k is not None:
                p = children[key][0]
                sheet_layout = p.raw.layout
                sheet_name = p.raw.name
                row = int(rows[key][k])
                fld = m.group(3) or None
        header = None
        if fld and fld in sheet_layout.by_field:
            raw = _sheet_raw(sheet_layout.key, fp, children)
            header = raw.header(fld) if raw is not None else sheet_layout.by_field[fld].header
        result.append(
            SheetIssue(
                iss.code,
                sheet=sheet_name,
                row=row,
                column=header,
                severity=WARNING,
                farm_id=iss.farm_id,
                record_issue=iss,
            )
        )
    return result


def _sheet_raw(key: str, fp: _Parsed, children) -> RawSheet | None:
    if key == "farms":
        return fp.raw
    return children[key][0].raw if key in children else None


# ---------------------------------------------------------------------------
# public entry points


def read_workbook(
    source: Source, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES
) -> tuple[FarmTables | None, list[SheetIssue]]:
    """Check, read and validate an advisor workbook.

    Parameters
    ----------
    source : path, bytes or binary file
        The .xlsx workbook.
    max_rows : int
        Data rows accepted per sheet.
    max_bytes : int
        Largest file accepted [bytes].

    Returns
    -------
    (FarmTables or None, list of SheetIssue)
        The farms as tables, ready for :func:`farmcalc.calculate_batch`, and
        every issue found (errors and warnings). The tables are None when any
        issue is an error: then nothing of the workbook may be used.
    """
    try:
        raw = open_workbook(source, max_rows=max_rows, max_bytes=max_bytes)
    except WorkbookRefused as exc:
        return None, [exc.issue]
    return parse_workbook(raw)


def record_warnings(issues: list[SheetIssue]) -> list[Issue]:
    """The farm-record warnings among ``issues`` (for a BatchResult's ``issues``)."""
    return [i.record_issue for i in issues if i.record_issue is not None]
