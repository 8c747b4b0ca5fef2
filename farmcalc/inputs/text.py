"""Which characters a text may hold: the one rule of the web app and the core's own inputs.

A NUL byte, another control character (C0, DEL, C1) or an unpaired UTF-16
surrogate is never part of a name, a code or an address: PostgreSQL refuses
NUL and surrogates outright, and the others hide text in pages and
workbooks. One-line text refuses all of them, tab, newline and carriage
return included; multi-line text (a description) may hold those three.
Used by web/hostile.py (forms, JSON, query strings) and by
:func:`farmcalc.municipality.investment_plan.parse_scenario`.
"""

from __future__ import annotations

import re

ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Refused in one-line text: C0 (tab, LF and CR too), DEL, C1, surrogates."""
MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Refused in multi-line text: the same but tab, LF and CR."""


def bad_character(value: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """(1-based position, character) of the first refused character of ``value``, else None."""
    m = (MULTI_LINE if multiline else ONE_LINE).search(value)
    return (m.start() + 1, m.group()) if m else None


def char_name(char: str) -> str:
    """``U+0000``: how a message names an invisible character."""
    return f"U+{ord(char):04X}"
