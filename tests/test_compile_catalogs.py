"""compile_catalogs writes .mo files when they are missing or older than the .po."""

import os
import shutil

from babel.support import Translations

from farmcalc.i18n import compile_catalogs, translations_dir


def test_compile_catalogs_writes_missing_and_stale_mo(tmp_path):
    folder = tmp_path / "translations"
    shutil.copytree(translations_dir(), folder, ignore=shutil.ignore_patterns("*.mo"))
    po = folder / "sv" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")

    assert compile_catalogs(folder) == [mo]
    with mo.open("rb") as f:
        assert Translations(f).gettext("Dairy cows") == "Mjölkkor"
    assert compile_catalogs(folder) == []  # up to date: nothing written

    later = mo.stat().st_mtime + 10
    os.utime(po, (later, later))
    assert compile_catalogs(folder) == [mo]
    assert not list(folder.rglob("*.tmp"))
