"""Extract msgids, update the Swedish catalogue, and add translations.

    .venv/bin/python tools/i18n_update.py [translations.json ...]

Each JSON file maps English msgids to Swedish text. The catalogue
translations/sv/LC_MESSAGES/messages.po stays the source of truth: this
only fills in what the files give and lists what is still untranslated.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
POT = ROOT / "translations" / "messages.pot"
PO = ROOT / "translations" / "sv" / "LC_MESSAGES" / "messages.po"


# Every function that marks a msgid: farmcalc's _ and gettext_, Flask-Babel's
# lazy_gettext and its alias _l.
KEYWORDS = ("_", "gettext_", "lazy_gettext", "_l")


def extract(out: Path) -> None:
    """Extract every msgid of the code (as ``babel.cfg`` says) into the template ``out``."""
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    subprocess.run(
        [
            *(sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"),
            *keywords,
            *("--no-location", "--omit-header", "-o", str(out), "."),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def main(files: list[str]) -> int:
    extract(POT)
    with POT.open("rb") as f:
        template = read_po(f)
    with PO.open("rb") as f:
        catalog = read_po(f, locale="sv")
    catalog.update(template, no_fuzzy_matching=True)
    extra: dict[str, str] = {}
    for name in files:
        extra.update(json.loads(Path(name).read_text(encoding="utf-8")))
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.id in extra:
            message.string = extra[message.id]
    catalog.obsolete.clear()
    with PO.open("wb") as f:
        write_po(f, catalog, width=99, no_location=True)
    missing = [m.id for m in catalog if m.id and not m.string]
    for m in missing:
        print(f"untranslated: {m!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
