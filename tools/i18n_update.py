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


def main(files: list[str]) -> int:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext_",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "--no-location",
            "--omit-header",
            "-o",
            str(POT),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
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
