"""Units as people read them: the cost catalogue's unit codes in words.

``farmcalc/data/measure_costs.csv`` gives each value's unit as a code
(``SEK m-3 yr-1``: kronor per cubic metre and year). Pages and reports show
the words, in the reader's language (Swedish: "kr per m³ och år"); a code
without words here is shown as it is (a test checks that every code of the
catalogue has its words).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

UNIT_WORDS = {
    "yr-1": _l("per year"),
    "yr": _l("years"),
    "SEK l-1": _l("SEK per litre"),
    "SEK farm-1": _l("SEK per farm"),
    "SEK kWh-1": _l("SEK per kWh"),
    "m3 LU-1 yr-1": _l("m³ per livestock unit and year"),
    "SEK m-3": _l("SEK per m³"),
    "SEK m-3 yr-1": _l("SEK per m³ and year"),
    "kWh m-3": _l("kWh per m³"),
    "SEK kg-1": _l("SEK per kg"),
    "SEK ha-1 yr-1": _l("SEK per hectare and year"),
    "SEK ha-1": _l("SEK per hectare"),
    "SEK head-1 d-1": _l("SEK per animal and day"),
    "SEK kWp-1": _l("SEK per kWp"),
    "SEK kWp-1 yr-1": _l("SEK per kWp and year"),
}
"""The words of each unit code of the cost catalogue (English msgids, Swedish catalogue)."""


def unit_text(code: str) -> str:
    """The words of a unit code in the request's language (the code itself when unknown)."""
    words = UNIT_WORDS.get(code)
    return str(words) if words is not None else code


__all__ = ["UNIT_WORDS", "unit_text"]
