"""The Swedish catalogue is complete, compiles, and formats numbers the Swedish way."""

import importlib.util
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from farmcalc.i18n import format_number, get_translations, translations_dir

ROOT = Path(__file__).resolve().parents[1]


def _i18n_tool():
    """tools/i18n_update.py, the script that extracts msgids for translators."""
    spec = importlib.util.spec_from_file_location("i18n_update", ROOT / "tools" / "i18n_update.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _catalog():
    with (translations_dir() / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale="sv")


def test_swedish_catalogue_has_no_untranslated_or_fuzzy_entries():
    cat = _catalog()
    untranslated = [m.id for m in cat if m.id and not m.string]
    fuzzy = [m.id for m in cat if m.id and "fuzzy" in m.flags]
    assert untranslated == []
    assert fuzzy == []


def test_catalogue_compiles():
    buf = io.BytesIO()
    write_mo(buf, _catalog())
    assert len(buf.getvalue()) > 1000


def test_placeholders_survive_translation():
    import re

    for m in _catalog():
        if m.id and m.string:
            assert set(re.findall(r"{\w+}", m.id)) == set(re.findall(r"{\w+}", m.string)), m.id


def test_every_msgid_in_code_is_in_catalogue(tmp_path):
    """Extract from the code now and compare with the catalogue: none missing."""
    pot = tmp_path / "messages.pot"
    _i18n_tool().extract(pot)
    with pot.open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    known = {m.id for m in _catalog() if m.id}
    assert extracted - known == set()


def test_swedish_translation_and_english_identity():
    assert get_translations("sv").gettext("Dairy cows") == "Mjölkkor"
    assert get_translations("en").gettext("Dairy cows") == "Dairy cows"


def test_swedish_number_format_uses_decimal_comma_and_nbsp():
    assert format_number(1234567.5, "sv", "#,##0.0") == "1\u00a0234\u00a0567,5"
    assert format_number(0.25, "sv", "#,##0.##") == "0,25"
