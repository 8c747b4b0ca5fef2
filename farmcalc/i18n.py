"""Translations of the core's messages (Babel catalogs in ``translations/``).

English msgids live in the code; the Swedish text lives in
``translations/sv/LC_MESSAGES/messages.po``. A compiled ``.mo`` is used when
present (``make messages`` or :func:`compile_catalogs`); otherwise the ``.po``
is read directly, so a source checkout works without a compile step. The web
app (Flask-Babel) reads only ``.mo`` files, so it calls ``compile_catalogs()``
at start.
"""

from __future__ import annotations

import functools
import gettext
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

DEFAULT_LOCALE = "sv"
LOCALES = ("sv", "en")
BABEL_LOCALE = {"sv": "sv_SE", "en": "en_GB"}


def translations_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / "translations"
    return packaged if packaged.is_dir() else here.parent / "translations"


@functools.cache
def get_translations(locale: str = DEFAULT_LOCALE) -> gettext.NullTranslations:
    """Translations for ``locale`` ("sv" or "en"); English msgids need none."""
    lang = locale.split("_")[0].split("-")[0]
    if lang == "en":
        return NullTranslations()
    folder = translations_dir() / lang / "LC_MESSAGES"
    mo, po = folder / "messages.mo", folder / "messages.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return Translations(f)
    if po.is_file():
        import io

        with po.open("rb") as f:
            catalog = read_po(f, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return Translations(buf)
    return NullTranslations()


def compile_catalogs(directory: Path | None = None) -> list[Path]:
    """(Re)compile every ``messages.po`` to ``messages.mo`` when missing or older.

    Parameters
    ----------
    directory : Path, optional
        The translations folder (default: :func:`translations_dir`).

    Returns
    -------
    list of Path
        The ``.mo`` files written (empty when all were up to date or the folder
        is read-only, as in some installed packages).
    """
    folder = directory or translations_dir()
    written = []
    for po in sorted(folder.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        try:
            # write beside, then rename: another process never reads half a file
            fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
        except OSError:
            continue
        try:
            with os.fdopen(fd, "wb") as f:
                write_mo(f, catalog)
            os.replace(tmp, mo)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        written.append(mo)
    if written:
        get_translations.cache_clear()
    return written


def gettext_(msgid: str, locale: str = DEFAULT_LOCALE) -> str:
    return get_translations(locale).gettext(msgid)


MINUS_SIGN = "\u2212"
"""Swedish typography writes a negative number with the minus sign, not a hyphen."""


def with_minus_sign(text: str, locale: str) -> str:
    """``-176,2`` → ``−176,2`` in Swedish (Babel's CLDR data gives a hyphen); else as is."""
    if locale.split("_")[0] == "sv" and text.startswith("-"):
        return MINUS_SIGN + text[1:]
    return text


def format_number(value: float, locale: str = DEFAULT_LOCALE, fmt: str | None = None) -> str:
    """A number the way people of ``locale`` write it (``1 234,5``, ``−3,2`` in Swedish)."""
    text = format_decimal(value, format=fmt, locale=BABEL_LOCALE.get(locale, locale))
    return with_minus_sign(text, locale)


def _(msgid: str) -> str:
    """Mark a string for extraction; it is translated when shown."""
    return msgid
