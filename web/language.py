"""Language of each request, and Swedish number formatting in templates.

Swedish is the default; a visitor may switch to English with the form in the
header (``POST /lang``), which stores the choice in the session. Strings in
code are English msgids marked with ``gettext``/``lazy_gettext`` (or ``_`` in
templates) and translated in ``translations/sv/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request, session
from flask_babel import format_decimal, get_locale

from farmcalc.i18n import DEFAULT_LOCALE, LOCALES, with_minus_sign
from farmcalc.labels import label
from web.services.municipalities import municipality_label

LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def select_locale() -> str:
    """Flask-Babel's locale selector: the session's choice, else Swedish.

    The JSON API (``/api/``) ignores cookies: see :func:`api_locale`.
    """
    if request.path.startswith("/api/"):
        return api_locale()
    lang = session.get("lang")
    return lang if lang in LOCALES else DEFAULT_LOCALE


def api_locale() -> str:
    """Language of a JSON API request: ``?lang=sv|en``, else Accept-Language, else Swedish."""
    lang = request.args.get("lang", "")
    if lang in LOCALES:
        return lang
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def current_lang() -> str:
    """``"sv"`` or ``"en"``: for ``farmcalc`` calls (``calculate(..., locale=)``)."""
    loc = get_locale()
    return loc.language if loc is not None and loc.language in LOCALES else DEFAULT_LOCALE


def number(value: Any, fmt: str = "#,##0.#") -> str:
    """A number the way the reader writes it: ``1 234,5`` in Swedish. None → ``–``."""
    if value is None or value != value:
        return "–"
    return with_minus_sign(format_decimal(value, format=fmt), current_lang())


def init_app(app: Flask) -> None:
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["label"] = lambda key: label(key, current_lang())
    # a municipality code as "Kristianstad (1290)" (web/services/municipalities.py)
    app.jinja_env.filters["municipality"] = municipality_label

    @app.context_processor
    def _language() -> dict[str, Any]:
        lang = current_lang()
        return {
            "current_lang": lang,
            "other_lang": next(x for x in LOCALES if x != lang),
            "language_names": LANGUAGE_NAMES,
        }
