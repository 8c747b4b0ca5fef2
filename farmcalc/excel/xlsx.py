"""Writing workbooks safely: no cell that a user typed can become a formula.

Every workbook farmcalc writes goes through :func:`new_workbook` (xlsxwriter
with the string-to-formula/URL/number conversions switched off) and every
text through :func:`write_text`, which writes a string cell — never a
formula — and marks text that a spreadsheet would take for a formula
(``=``, ``+``, ``-``, ``@`` …) with Excel's quote prefix, so that it stays
text even when someone edits the cell later.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
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
    s = "" if text is None else str(text)
    if needs_quote(s):
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
