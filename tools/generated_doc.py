"""A table generated into a doc between two marker comments, and its command line.

Used by the tools that keep a part of a doc in ``docs/`` up to date
(``swedish_sources_table.py``, ``validation_inventory.py``,
``soil_carbon_sensitivity.py``): each prints its table, ``--write`` puts it into the
doc, ``--check`` exits 1 when the doc is stale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def render(doc_text: str, begin: str, end: str, body: str, doc: Path) -> str:
    """``doc_text`` with the part between the markers ``begin`` and ``end`` set to ``body``."""
    head, sep, rest = doc_text.partition(begin)
    _, sep2, tail = rest.partition(end)
    if not sep or not sep2:
        raise SystemExit(f"{doc}: markers {begin!r} / {end!r} not found")
    return f"{head}{begin}\n{body}{end}{tail}"


def main(
    argv: list[str] | None,
    *,
    doc: Path,
    render_doc: Callable[[str], str],
    body: Callable[[], str],
    script: str,
    description: str,
) -> int:
    """Print the table, write it into ``doc`` (``--write``) or check ``doc`` (``--check``)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--write", action="store_true", help=f"rewrite {doc.name}")
    ap.add_argument("--check", action="store_true", help=f"exit 1 if {doc.name} is stale")
    args = ap.parse_args(argv)
    if not (args.write or args.check):
        sys.stdout.write(body())
        return 0
    text = doc.read_text(encoding="utf-8")
    new = render_doc(text)
    if args.check:
        if new != text:
            print(f"{doc} is stale: run {script} --write", file=sys.stderr)
            return 1
        return 0
    doc.write_text(new, encoding="utf-8")
    return 0
