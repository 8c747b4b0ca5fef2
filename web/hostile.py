"""Hostile bytes and numbers: one rule for the text and the integers a request may carry.

A NUL byte, another control character (C0, DEL, C1) or an unpaired UTF-16
surrogate is never part of a name, an e-mail address, a farm code or a
password: PostgreSQL refuses NUL and surrogates outright (a 500 before this
module), and the others hide text in pages and workbooks. The rule is
farmcalc/inputs/text.py; they are refused where they come in, with a Swedish message
that names the field:

- **forms** (``web.views.forms.Form``, the base of every WTForms form): at the
  field, like any other validation error. A multi-line field
  (``TextAreaField``) may hold tab, newline and carriage return.
- **JSON** (the API's :func:`web.views.api_v1.json_body` calls :func:`check_json`):
  every string and every key anywhere in the body; 400
  ``{"error": 400, "message": …, "path": "livestock[0].category"}``.
  No text of the API is multi-line: tab, newline and CR are refused too (as
  the farm record's JSON Schema says, farmcalc/inputs/schema.py).
- **query strings and form field names, file names** (:func:`check_request`,
  before every request): 400 naming the parameter.

Integers from a URL are bounded in one place too: the app's ``int`` URL
converter (:class:`BoundedIntConverter`) matches ASCII digits up to
``MAX_INT`` (PostgreSQL's INTEGER) only, so a larger or negative id is a 404
like a missing one. Integers of a query string are read where they are used,
each bounded (``?year=`` of the results workbook, ``?page=``, ``?ids=``).

Text already stored (an older version, another program: SQLite stores what it
is given) is shown with U+FFFD in its place: :func:`printable` is applied to
every value a template prints, and the workbook writers do the same
(farmcalc/excel/xlsx.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from farmcalc.inputs.text import MULTI_LINE, bad_character, char_name

MAX_INT = 2**31 - 1
"""The largest id or year a URL may carry (PostgreSQL INTEGER)."""

# what a page cannot show: surrogates (not UTF-8) and the C0/DEL/C1 controls
UNPRINTABLE = MULTI_LINE
REPLACEMENT = "\ufffd"


class HostileInput(BadRequest):
    """400: a text of the request holds a character that is not allowed.

    ``message`` names the field (parameter, JSON path) in the reader's language;
    ``path`` is the field's name or JSON path.
    """

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def problem(value: Any, *, multiline: bool = False) -> str | None:
    """The message for a text that holds a refused character, else None."""
    if not isinstance(value, str):
        return None
    found = bad_character(value, multiline=multiline)
    if found is None:
        return None
    pos, char = found
    return gettext(
        "Contains a character that is not allowed: %(char)s (character %(pos)d). "
        "Remove it and try again.",
        char=char_name(char),
        pos=pos,
    )


def printable(value: str) -> str:
    """``value`` with every surrogate and control character but tab/LF/CR as U+FFFD."""
    return UNPRINTABLE.sub(REPLACEMENT, value) if UNPRINTABLE.search(value) else value


def finalize(value: Any) -> Any:
    """Jinja's ``finalize``: every printed string made printable (Markup stays Markup)."""
    if isinstance(value, str) and UNPRINTABLE.search(value):
        cleaned = UNPRINTABLE.sub(REPLACEMENT, value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


# ------------------------------------------------------------------ JSON


def _json_strings(value: Any) -> Iterator[tuple[str, str, bool]]:
    """(path, text, is_key) of every string in a parsed JSON document, depth first."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            yield path, item, False
        elif isinstance(item, dict):
            for key, sub in reversed(list(item.items())):
                sub_path = f"{path}.{key}" if path else str(key)
                yield sub_path, key, True
                stack.append((sub_path, sub))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", sub) for i, sub in reversed(list(enumerate(item))))


def check_json(value: Any) -> None:
    """Raise :class:`HostileInput` at the first string or key with a refused character."""
    for path, text, is_key in _json_strings(value):
        found = bad_character(text)
        if found is None:
            continue
        pos, char = found
        where = printable(path) or "$"
        if is_key:
            message = gettext(
                "A field name at %(path)s contains a character that is not allowed: "
                "%(char)s (character %(pos)d).",
                path=where,
                char=char_name(char),
                pos=pos,
            )
        else:
            message = gettext(
                "The text at %(path)s contains a character that is not allowed: "
                "%(char)s (character %(pos)d).",
                path=where,
                char=char_name(char),
                pos=pos,
            )
        raise HostileInput(message, where)


# ------------------------------------------------------------------ every request


def _refuse(kind: str, name: str, char: str, pos: int) -> HostileInput:
    shown = printable(name)[:50]
    if kind == "parameter":
        message = gettext(
            "The parameter %(name)s contains a character that is not allowed: "
            "%(char)s (character %(pos)d).",
            name=shown,
            char=char_name(char),
            pos=pos,
        )
    else:
        message = gettext(
            "The field %(name)s contains a character that is not allowed: "
            "%(char)s (character %(pos)d).",
            name=shown,
            char=char_name(char),
            pos=pos,
        )
    return HostileInput(message, shown)


def check_request() -> None:
    """Before each request: the query string, form field names and file names.

    Form *values* are checked at their field by the form (``web.views.forms.Form``)
    or by the view's own reading (the scenario editor, farmcalc's
    ``parse_scenario``); JSON bodies by :func:`check_json`.
    """
    for name, values in request.args.lists():
        for text in (name, *values):
            found = bad_character(text)
            if found:
                raise _refuse("parameter", name, found[1], found[0])
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for name in request.form:
            found = bad_character(name)
            if found:
                raise _refuse("field", name, found[1], found[0])
        for name, files in request.files.lists():
            for text in (name, *(f.filename or "" for f in files)):
                found = bad_character(text)
                if found:
                    raise _refuse("field", name, found[1], found[0])


def digits_up_to(limit: int) -> str:
    """A regular expression of the decimal numbers 0…``limit`` (ASCII, no sign)."""
    top = str(limit)
    n = len(top)
    alts = [f"[0-9]{{1,{n - 1}}}"] if n > 1 else []
    for i, d in enumerate(map(int, top)):
        low = 1 if i == 0 and n > 1 else 0
        if d - 1 >= low:
            rest = n - i - 1
            alts.append(top[:i] + f"[{low}-{d - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    alts.append(top)
    return "(?:" + "|".join(alts) + ")"


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in a URL: ASCII digits, 0…``MAX_INT``; else the route does not match (404).

    The bound is in the regular expression itself: a rule whose pattern matches
    but whose value is refused later would make werkzeug answer 405 to a POST.
    """

    regex = digits_up_to(MAX_INT)

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) < 3:  # (fixed_digits, min, max) given by position: theirs
            kwargs.setdefault("max", MAX_INT)
        super().__init__(url_map, *args, **kwargs)


def register_converter(app: Flask) -> None:
    """Replace the app's ``int`` converter (before any blueprint is registered)."""
    app.url_map.converters["int"] = BoundedIntConverter


def init_app(app: Flask) -> None:
    """Check every request's query string and form names; print every template value safely."""
    app.before_request(check_request)
    # the environment exists already (filters were added): set it before any template compiles
    app.jinja_env.finalize = finalize
