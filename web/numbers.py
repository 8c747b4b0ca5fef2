"""Numbers typed by people: ``1 234,5`` in, ``1 234,5`` out.

One helper, :func:`parse_number`, reads what a farmer types into a form. The
rules (Swedish, ``sv``):

- a single ``,`` **or** ``.`` is the decimal separator: ``1,5`` and ``1.5``
  are both 1.5. So ``1.234`` is 1.234, not 1234: Swedish writers group
  thousands with spaces, rarely with points, and a wrong guess in the other
  direction (a thousand times too much) is the worse mistake;
- thousands are grouped by a space, a no-break space (U+00A0, what Babel
  itself prints), a narrow no-break space (U+202F) or a thin space (U+2009),
  always in groups of three: ``1 234 567,5``; ``12 34`` is refused;
- mixed separators such as ``1.234,5`` or ``1,234.5`` are refused as
  ambiguous, as are several decimal separators (``1.234.567``);
- the Unicode minus (U+2212) and dashes count as a minus sign: ``−5`` is
  read as -5, so that a field that must not be negative says so instead of
  claiming the text is no number;
- no exponents, ``nan`` or ``inf``.

English (``en``) groups thousands with ``,`` (or a space) and takes only
``.`` as the decimal point. After this normalisation the canonical text is
parsed by :func:`babel.numbers.parse_decimal` in strict mode (Babel alone
rejects ``−`` and accepts ``1e5``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from farmcalc.i18n import BABEL_LOCALE

MAX_LENGTH = 40
MAX_ABS = Decimal("1e12")

_MINUS = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2014\ufe63\uff0d"), "-")
_SPACES = " \u00a0\u202f\u2009"
_SV = re.compile(
    rf"(?P<sign>[-+]?)(?P<int>\d{{1,3}}(?:[{_SPACES}]\d{{3}})+|\d*)(?:[.,](?P<frac>\d+))?",
    re.ASCII,
)
_EN = re.compile(
    rf"(?P<sign>[-+]?)(?P<int>\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?:[{_SPACES}]\d{{3}})+|\d*)"
    r"(?:\.(?P<frac>\d+))?",
    re.ASCII,
)


class NumberError(ValueError):
    """The text is not a number in the reader's way of writing."""


def _language(locale: str) -> str:
    return "en" if str(locale).lower().startswith("en") else "sv"


def parse_number(text: str | None, locale: str = "sv") -> int | float | None:
    """The number a person typed, or None for an empty field.

    Parameters
    ----------
    text : str or None
        What was typed, e.g. ``"1 234,5"``, ``"1.5"``, ``"−3"``.
    locale : str
        ``"sv"`` (default) or ``"en"``.

    Returns
    -------
    int, float or None
        An int when the number is whole (``"120"`` → 120), else a float;
        None when the text is empty or blank. Negative numbers are returned
        as such: deciding whether they are allowed is the field's job.

    Raises
    ------
    NumberError
        When the text is not a number under the rules above.
    """
    if text is None:
        return None
    s = str(text).strip().translate(_MINUS)
    if not s:
        return None
    if len(s) > MAX_LENGTH:
        raise NumberError(text)
    lang = _language(locale)
    m = (_EN if lang == "en" else _SV).fullmatch(s)
    if m is None or not (m["int"] or m["frac"]):
        raise NumberError(text)
    digits = re.sub(r"\D", "", m["int"]) or "0"
    point = "." if lang == "en" else ","
    canonical = m["sign"].replace("+", "") + digits + (point + m["frac"] if m["frac"] else "")
    try:
        value = parse_decimal(canonical, locale=BABEL_LOCALE[lang], strict=True)
    except NumberFormatError as exc:  # not reached for canonical text; kept as a guard
        raise NumberError(text) from exc
    if not value.is_finite() or abs(value) > MAX_ABS:
        raise NumberError(text)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def format_number_input(value: float | int | None, locale: str = "sv", *, group=True) -> str:
    """A number as it should stand in an input field: ``18 000``, ``0,85``; None → ``""``."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value != value:
        return ""
    fmt = "#,##0.##########" if group else "0.##########"
    return format_decimal(value, format=fmt, locale=BABEL_LOCALE[_language(locale)])
