"""Sweden's 290 municipalities by name, for choosing one in the form (the code is stored).

The list is ``web/data/municipalities.csv`` (``code,name``): SCB's four-digit municipality
codes (kommunkoder, "Kommuner och län", Statistiska centralbyrån; unchanged since Knivsta
0330 in 2003 and Nykvarn 0140 in 1999) with the municipality's short name as SCB writes it
("Malung-Sälen", "Upplands Väsby"). Read from the CC0 table ``data/municipalities.csv`` of
github.com/sjbrg/swedish-geodata (commit 03b0a24, 2026-02-11), which cites SCB; checked
against SCB's coding (two digits for the county, two for the municipality; the county seat
ends in 80, as Malmö 1280 and Gotland 0980). The stored value of a farm stays the code.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "municipalities.csv"


@cache
def _load() -> tuple[tuple[str, str], ...]:
    with DATA.open(encoding="utf-8", newline="") as f:
        return tuple((row["code"], row["name"]) for row in csv.DictReader(f))


MUNICIPALITIES: tuple[tuple[str, str], ...] = _load()
"""(code, name) of every municipality, in the order of their codes."""

_BY_CODE = dict(MUNICIPALITIES)


def municipality_name(code: object) -> str | None:
    """The municipality's name of a four-digit code, or None when it is no Swedish municipality.

    Parameters
    ----------
    code : object
        The stored municipality code, for example ``"1290"``.

    Returns
    -------
    str or None
        The name, for example ``"Kristianstad"``.
    """
    return _BY_CODE.get(code) if isinstance(code, str) else None


def choices_by_name() -> list[tuple[str, str]]:
    """(code, name) of every municipality, sorted by name the Swedish way (å, ä, ö last)."""
    order = {c: i for i, c in enumerate("abcdefghijklmnopqrstuvwxyzåäö")}

    def key(item: tuple[str, str]) -> list[int]:
        return [order.get(ch, 100 + ord(ch)) for ch in item[1].lower()]

    return sorted(MUNICIPALITIES, key=key)


def municipality_label(code: object) -> str:
    """The municipality as a page shows it: ``"Kristianstad (1290)"``, or the bare code."""
    name = municipality_name(code)
    return f"{name} ({code})" if name else str(code or "")
