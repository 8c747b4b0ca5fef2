"""The Swedish-or-IPCC table of docs/swedish-sources.md, generated from the factor files.

Every resolved factor of the ``sweden`` set is grouped by its first two id components; a
factor is *Swedish* when the ``sweden`` set defines it, otherwise it comes from the fallback
set. The reason per group is read from ``docs/swedish-sources-reasons.csv`` (hand-written,
``prefix,reason``; the longest prefix that matches an id wins). The part of
docs/swedish-sources.md between the markers is written by ``--write`` and checked by
``tests/test_swedish_sources_doc.py``.

Usage::

    .venv/bin/python tools/swedish_sources_table.py            # print the table
    .venv/bin/python tools/swedish_sources_table.py --write    # rewrite the doc
    .venv/bin/python tools/swedish_sources_table.py --check    # exit 1 if the doc is stale
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from any directory
    sys.path.insert(0, str(ROOT))

from farmcalc.factors import _read_set_dir  # noqa: E402
from tools import generated_doc  # noqa: E402

DOC = ROOT / "docs" / "swedish-sources.md"
REASONS = ROOT / "docs" / "swedish-sources-reasons.csv"
BEGIN = "<!-- BEGIN GENERATED: tools/swedish_sources_table.py -->"
END = "<!-- END GENERATED: tools/swedish_sources_table.py -->"
SET = "sweden"


def resolved_rows() -> list[tuple[str, str, str]]:
    """``(factor_id, supplying set, source_id)`` of every resolved factor of the sweden set.

    Read from the files on disk (not the cached loader), following the fallback chain.
    """
    out: dict[str, tuple[str, str]] = {}
    name: str | None = SET
    while name:
        meta, rows = _read_set_dir(name)
        for fid, src in zip(rows.index, rows["source_id"], strict=True):
            out.setdefault(fid, (name, str(src)))
        name = meta.get("fallback")
    return sorted((fid, s, src) for fid, (s, src) in out.items())


def group_of(factor_id: str) -> str:
    """The group of a factor id: its first two dotted components."""
    return ".".join(factor_id.split(".")[:2])


def load_reasons() -> dict[str, str]:
    """``prefix -> reason`` from docs/swedish-sources-reasons.csv."""
    with REASONS.open(encoding="utf-8", newline="") as fh:
        return {r["prefix"]: r["reason"] for r in csv.DictReader(fh)}


def reason_for(factor_id: str, reasons: dict[str, str]) -> str | None:
    """The reason of the longest prefix (whole dotted components) that matches ``factor_id``."""
    parts = factor_id.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in reasons:
            return reasons[key]
    return None


def uncovered(rows: list[tuple[str, str, str]], reasons: dict[str, str]) -> list[str]:
    """Factor ids that no reason prefix covers."""
    return [fid for fid, _, _ in rows if reason_for(fid, reasons) is None]


def unused_reasons(rows: list[tuple[str, str, str]], reasons: dict[str, str]) -> list[str]:
    """Reason prefixes that match no factor id (stale lines of the CSV)."""
    ids = [fid for fid, _, _ in rows]
    return [p for p in reasons if not any(i == p or i.startswith(p + ".") for i in ids)]


def _keys(ids: list[str], group: str) -> str:
    rest = [i[len(group) + 1 :] if i != group else "(value)" for i in ids]
    return ", ".join(f"`{k}`" for k in rest) if rest else "—"


def table_markdown() -> str:
    """The generated table: one line per group, keys split into Swedish and fallback."""
    rows = resolved_rows()
    reasons = load_reasons()
    missing = uncovered(rows, reasons)
    if missing:
        raise SystemExit(f"{REASONS}: no reason covers {missing}")
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for r in rows:
        groups.setdefault(group_of(r[0]), []).append(r)
    n_sv = sum(1 for _, s, _ in rows if s == SET)
    lines = [
        f"{len(rows)} resolved factors: {n_sv} Swedish (defined in `factors/{SET}/`), "
        f"{len(rows) - n_sv} from the fallback set `ipcc2019`.",
        "",
        "| group | n | Swedish | fallback (`ipcc2019`) | why |",
        "|---|---:|---|---|---|",
    ]
    for g, items in sorted(groups.items()):
        sv = [i for i, s, _ in items if s == SET]
        fb = [i for i, s, _ in items if s != SET]
        why = sorted({reason_for(i, reasons) or "" for i, _, _ in items})
        lines.append(
            f"| `{g}` | {len(items)} | {_keys(sv, g)} | {_keys(fb, g)} | {' / '.join(why)} |"
        )
    return "\n".join(lines) + "\n"


def render(doc_text: str) -> str:
    """``doc_text`` with the part between the markers replaced by :func:`table_markdown`."""
    return generated_doc.render(doc_text, BEGIN, END, table_markdown(), DOC)


def main(argv: list[str] | None = None) -> int:
    """Print, write or check the generated table of docs/swedish-sources.md."""
    return generated_doc.main(
        argv,
        doc=DOC,
        render_doc=render,
        body=table_markdown,
        script="tools/swedish_sources_table.py",
        description=__doc__.splitlines()[0],
    )


if __name__ == "__main__":
    raise SystemExit(main())
