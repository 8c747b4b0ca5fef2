"""Writing workbooks safely: no cell that a user typed can become a formula.

Every workbook farmcalc writes goes through :func:`new_workbook` (xlsxwriter
with the string-to-formula/URL/number conversions switched off) and every
text through :func:`write_text`, which writes a string cell — never a
formula — and marks text that a spreadsheet would take for a formula
(``=``, ``+``, ``-``, ``@`` …) with Excel's quote prefix, so that it stays
text even when someone edits the cell later.

Large tables go through :func:`write_columns`: in ``constant_memory`` mode it
writes the rows' XML itself, column by column with numpy (each distinct text
escaped once), exactly as xlsxwriter would write the cells one by one — but
many times faster. Text is always escaped there; xlsxwriter would copy text
of the form ``<r>…</r>`` into the XML unescaped (it takes it for a rich
string of its own, which could smuggle in a formula), so :func:`write_text`
writes such text as a rich string of escaped fragments.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\ufe62", "\ufe63", "\uff0b")

Target = str | Path | BinaryIO


def new_workbook(target: Target, *, constant_memory: bool = False) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that never turns strings into formulas or links."""
    options = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "constant_memory": constant_memory,
        "in_memory": not constant_memory,
    }
    name = str(target) if isinstance(target, str | Path) else target
    return xlsxwriter.Workbook(name, options)


# what a cell cannot hold: a lone surrogate is not UTF-8 (control characters are
# fine: they are escaped as _xHHHH_); the web app refuses both on input (web/hostile.py)
UNPRINTABLE = re.compile(r"[\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with each lone surrogate as U+FFFD.

    A surrogate stored by an older version or another program would make the
    workbook impossible to write (not UTF-8): the cell shows U+FFFD instead.
    """
    return UNPRINTABLE.sub("\ufffd", text) if UNPRINTABLE.search(text) else text


def needs_quote(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula."""
    return text.lstrip(" ").startswith(FORMULA_START) if text else False


class Styles:
    """Formats of one workbook, each created once, with quoted twins."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self._cache: dict[tuple, Format] = {}

    def get(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    def quoted(self, fmt_props: dict | None = None) -> Format:
        return self.get(**(fmt_props or {}), quote_prefix=True)


def write_text(
    ws: Worksheet,
    row: int,
    col: int,
    text: Any,
    styles: Styles,
    props: dict | None = None,
) -> None:
    """Write ``text`` as a string cell; formula-like text gets a quote prefix."""
    s = "" if text is None else printable(str(text))
    if s.startswith("<r>") and s.endswith("</r>"):
        # xlsxwriter would copy this into the XML unescaped (taking it for a
        # rich string it made itself, inline or shared): write it
        # as a rich string of escaped fragments ("<", "r>…"), same text.
        fmt = styles.get(**props) if props else None
        ws.write_rich_string(row, col, s[:1], styles.get(), s[1:], *([fmt] if fmt else []))
    elif needs_quote(s):
        ws.write_string(row, col, s, styles.quoted(props))
    elif props:
        ws.write_string(row, col, s, styles.get(**props))
    else:
        ws.write_string(row, col, s)


def write_value(
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    styles: Styles,
    props: dict | None = None,
) -> None:
    """A number as a number cell (NaN/None left blank), anything else as text."""
    if value is None:
        return
    if isinstance(value, bool | np.bool_):
        write_text(ws, row, col, str(value), styles, props)
    elif isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        if math.isfinite(v):
            if props:
                ws.write_number(row, col, v, styles.get(**props))
            else:
                ws.write_number(row, col, v)
    else:
        write_text(ws, row, col, value, styles, props)


# (kind, values, format properties): kind "num" (finite numbers as number
# cells) or "text" (string cells through the formula guard); None, NaN and
# missing values leave the cell empty.
ColumnSpec = tuple[str, Sequence | np.ndarray | pd.Series, dict | None]

_CONTROL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL_CHARS = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")
XLS_STRMAX = 32767  # UTF-16 units per cell


def write_columns(
    ws: Worksheet, first_row: int, columns: list[ColumnSpec], styles: Styles
) -> None:
    """Write a table of columns from ``first_row`` down, starting at column A.

    The cells are those of ``write_number`` for each finite number and
    :func:`write_text` for each text (a quote prefix on formula-like text);
    empty values leave the cell empty. In ``constant_memory`` mode the rows'
    XML is built for whole columns at once (see the module's docstring);
    otherwise, or when a row in the range has its own formatting, cell by cell.
    """
    n = len(columns[0][1]) if columns else 0
    if n == 0:
        return
    if not _bulk_ok(ws, first_row, n):
        _write_cells(ws, first_row, columns, styles)
        return
    # The pending row (e.g. the header) first: its formats are indexed as it is written.
    ws._write_single_row(first_row)
    prepared = [_prepare(kind, values, props, styles) for kind, values, props in columns]
    # Formats get their index on first use; xlsxwriter uses them row by row.
    uses = sorted(
        (row, c, k, fmt)
        for c, p in enumerate(prepared)
        for k, (row, fmt) in enumerate(p.first_use)
    )
    for *_key, fmt in uses:
        fmt._get_xf_index()
    rows = np.arange(first_row + 1, first_row + n + 1).astype(str).astype(object)
    used = [c for c, p in enumerate(prepared) if p.mask.any()]
    if not used:
        return
    # One row of pieces per sheet row: <row r="N"> (<c r="A  N  body)… </row>
    pieces = np.full((n, 3 + 3 * len(used) + 1), "", dtype=object)
    pieces[:, 0] = '<row r="'
    pieces[:, 1] = rows
    pieces[:, 2] = '">'
    pieces[:, -1] = "</row>"
    filled = np.zeros(n, dtype=bool)
    for j, c in enumerate(used):
        p = prepared[c]
        pieces[p.mask, 3 + 3 * j] = f'<c r="{_column_letters(c)}'
        pieces[p.mask, 4 + 3 * j] = rows[p.mask]
        pieces[p.mask, 5 + 3 * j] = p.bodies()
        filled |= p.mask
    written = np.flatnonzero(filled)
    xml = "".join(pieces[written].ravel().tolist())
    ws.fh.write(xml)
    last = first_row + int(written[-1])
    ws._check_dimensions(first_row + int(written[0]), used[0])
    ws._check_dimensions(last, used[-1])
    ws.previous_row = last + 1  # rows up to here are written


def _bulk_ok(ws: Worksheet, first_row: int, n: int) -> bool:
    """True when the rows' XML may be written directly (as xlsxwriter would)."""
    return (
        getattr(ws, "constant_memory", False)
        and ws.fh is getattr(ws, "row_data_fh", None)
        and first_row >= ws.previous_row
        and first_row + n <= ws.xls_rowmax
        and ws.excel_version != 2010
        and ws.default_row_height == ws.original_row_height
        and not any(first_row <= r < first_row + n for r in ws.row_info)
        and not ws.comments
    )


def _write_cells(ws: Worksheet, first_row: int, columns: list[ColumnSpec], styles) -> None:
    """Cell by cell through xlsxwriter (what :func:`write_columns` reproduces)."""
    kinds = [k for k, _v, _p in columns]
    values = [list(v) for _k, v, _p in columns]
    props = [p for _k, _v, p in columns]
    fmts = [styles.get(**p) if p else None for p in props]
    for r in range(len(values[0])):
        row = first_row + r
        for c in range(len(columns)):
            v = values[c][r]
            if kinds[c] == "num":
                if v is not None and v is not pd.NA and v == v and abs(v) != float("inf"):
                    ws.write_number(row, c, v, fmts[c])
            elif v is not None and v is not pd.NA and v == v:
                write_text(ws, row, c, v, styles, props[c])


class _Prepared:
    """One column: which rows get a cell, its formats' first rows, the cell XML."""

    def __init__(self, mask, first_use, bodies) -> None:
        self.mask = mask
        self.first_use = first_use
        self.bodies = bodies  # called after the formats have their indices


def _style_attr(fmt: Format | None) -> str:
    return f' s="{fmt._get_xf_index()}"' if fmt is not None else ""


def _prepare(kind: str, values, props: dict | None, styles: Styles) -> _Prepared:
    if kind == "num":
        x = pd.Series(values).to_numpy(dtype="float64", na_value=np.nan)
        mask = np.isfinite(x)
        fmt = styles.get(**props) if props else None
        first = [(int(np.argmax(mask)), fmt)] if fmt is not None and mask.any() else []

        def bodies():
            head, tail = f'"{_style_attr(fmt)}><v>', "</v></c>"
            return np.array([f"{head}{v:.16G}{tail}" for v in x[mask].tolist()], dtype=object)

        return _Prepared(mask, first, bodies)
    series = pd.Series(values, dtype=object)
    missing = series.isna().to_numpy()
    if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
        series = series.where(missing, series.map(str, na_action="ignore"))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = [_truncate(printable(str(u))) for u in uniques]
    plain = styles.get(**props) if props else None
    fmts = [styles.quoted(props) if needs_quote(t) else plain for t in texts]
    mask = codes >= 0
    first = []  # uniques come in order of first appearance
    for fmt in dict.fromkeys(f for f in fmts if f is not None):
        k = fmts.index(fmt)
        first.append((int(np.argmax(codes == k)), fmt))

    def bodies():
        cells = np.array(
            [f'"{_style_attr(f)}{_inline_string(t)}' for t, f in zip(texts, fmts, strict=True)],
            dtype=object,
        )
        return cells[codes[mask]]

    return _Prepared(mask, first, bodies)


def _truncate(s: str) -> str:
    """At most 32,767 UTF-16 units, as xlsxwriter cuts longer text."""
    if len(s) > XLS_STRMAX // 2 and len(s.encode("utf-16-le")) // 2 > XLS_STRMAX:
        return s.encode("utf-16-le")[: 2 * XLS_STRMAX].decode("utf-16-le", errors="ignore")
    return s


def _inline_string(s: str) -> str:
    """`` t="inlineStr"><is><t>…</t></is></c>``: escaped, as xlsxwriter writes it."""
    s = _CONTROL_ESCAPE.sub(r"_x005F\1", s)
    s = _CONTROL_CHARS.sub(lambda m: f"_x{ord(m.group(1)):04X}_", s)
    s = s.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(s) else ""
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f' t="inlineStr"><is><t{space}>{s}</t></is></c>'


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        letters = chr(65 + r) + letters
    return letters
