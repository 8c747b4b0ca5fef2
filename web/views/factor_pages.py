"""Public pages of the factor data: every factor of a set, and the sources cited.

``/factors/<set>`` lists each factor with a description in the reader's
language (derived from its id), its value and unit, the source and the
place in it, and whether the value came from the fallback set. Every factor
has the anchor ``#f-<factor_id>``, every topic ``#g-<topic>``.
``/factors/<set>/sources`` gives the full citations with ``#src-<source_id>``
anchors. The set's page stays light (about 230 KB for 729 factors, not 880 KB):
each row is the factor in words, its value, unit and source; what lies behind
"Detaljer" (the id in the factor files, the place in the source, the research
notes) comes per topic from ``/factors/<set>/notes/<topic>/data.json`` when a
reader opens it (``web/static/factors.js``), and without JavaScript from the
topic's page ``/factors/<set>/notes/<topic>``. The results page links here
(``web.services.factor_words.group_anchor``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, abort, jsonify, render_template
from flask_babel import gettext, lazy_gettext
from werkzeug.wrappers import Response

from farmcalc.errors import FactorError
from farmcalc.factors import (
    GWP_SETS,
    available_factor_sets,
    load_factor_set,
    load_gwp,
    load_sources,
)
from farmcalc.labels import label
from web.language import current_lang, number
from web.services.factor_basis import origins_of, result_basis, set_bases, set_summary
from web.services.factor_guide import source_guides
from web.services.factor_words import (  # noqa: F401  (GROUPS, the anchors: named here too)
    GROUPS,
    SOURCE_TEXT,
    describe,
    describe_parts,
    factor_anchor,
    group_anchor,
    plain_notes,
    source_anchor,
)
from web.services.yardstick import yardstick_view

bp = Blueprint("factors", __name__, url_prefix="/factors")


@bp.app_context_processor
def factor_set_bases() -> dict:
    """Every set's share of Swedish, IPCC and other factor rows, for the page footer,
    ``result_basis(result)``: a result's shares as the result page shows them, and
    ``yardstick_of(farm_year)``: the fair yardstick's figures (``_yardstick.html``)."""
    return {
        "factor_set_bases": set_bases,
        "result_basis": lambda result: result_basis(result, current_lang()),
        "yardstick_of": yardstick_view,
    }


def short_citation(citation: str, year: str = "") -> str:
    """A short form: ``Andrén O., Kätterer T. (1997)``, ``Sjaunja L.-O. et al. (1990)``,
    ``IPCC 2019, Volume 4``."""
    m = re.match(r"^(.{1,60}? et al\.),? (\d{4})\b", citation)
    if m:
        return f"{m.group(1)} ({m.group(2)})"
    m = re.match(r"^(.*?)\s*\((\d{4})[^)]*\)", citation)
    if m and len(m.group(1)) < 90:
        authors = m.group(1).rstrip(", ")
        names = re.split(r",\s*| and ", authors)
        if len(names) > 2:
            authors = f"{names[0]} et al."
        return f"{authors} ({m.group(2)})"
    head = re.split(r"\.\s|,\s|:\s|;\s", citation, maxsplit=1)[0].rstrip(".")
    vol = re.search(r"Volume \d+", citation)
    if vol:
        return f"{head}, {vol.group(0)}"
    if year and year not in head:
        return f"{head} ({year})"
    return head


@dataclass(frozen=True)
class FactorRow:
    factor_id: str
    description: str
    value: str
    unit: str
    range: str
    source_id: str
    source_short: str
    locator: str
    fell_back: bool
    notes: str
    origin: str = ""


def factor_value(v: float) -> str:
    return number(v, "#,##0.##" if abs(v) >= 1000 else "@#####")


def _set_or_404(name: str):
    if name not in available_factor_sets():
        abort(404)
    try:
        return load_factor_set(name)
    except FactorError:
        abort(404)


_GROUPS_CACHE: dict[tuple[str, str, str], list[tuple[str, str, list[FactorRow]]]] = {}


def factor_groups(fs) -> list[tuple[str, str, list[FactorRow]]]:
    """The set's factors by topic: ``(group id, heading, rows)``, kept per version and language.

    Building them takes ~90 ms (591 rows); the factor data only changes with a new version.
    """
    key = (fs.name, fs.version, current_lang())
    if key not in _GROUPS_CACHE:
        _GROUPS_CACHE[key] = _factor_groups(fs)
    return _GROUPS_CACHE[key]


def _factor_groups(fs) -> list[tuple[str, str, list[FactorRow]]]:
    sources = load_sources()
    origins = origins_of(fs)
    rows: dict[str, list[FactorRow]] = {}
    for fid, r in fs.rows.sort_index().iterrows():
        src = r["source_id"]
        cit = sources.at[src, "citation"] if src in sources.index else src
        year = sources.at[src, "year"] if src in sources.index else ""
        rng = ""
        if r["low"] or r["high"]:
            lo = factor_value(float(r["low"])) if r["low"] else "…"
            hi = factor_value(float(r["high"])) if r["high"] else "…"
            rng = f"{lo}–{hi}"
        rows.setdefault(fid.split(".")[0], []).append(
            FactorRow(
                factor_id=fid,
                description=describe(fid),
                value=factor_value(float(r["value"])),
                unit=r["unit"],
                range=rng,
                source_id=src,
                source_short=short_citation(cit, year),
                locator=plain_notes(r["source_locator"]),
                fell_back=bool(r["fell_back"]),
                notes=plain_notes(r["notes"]),
                origin=origins.get(fid, ""),
            )
        )
    order = [g for g in GROUPS if g in rows] + sorted(g for g in rows if g not in GROUPS)
    return [(g, str(GROUPS.get(g, g)), rows[g]) for g in order]


def gwp_rows() -> list[dict]:
    sources = load_sources()
    out = []
    for name in GWP_SETS:
        g = load_gwp(name)
        known = g.source in sources.index
        cit = sources.at[g.source, "citation"] if known else g.source
        year = sources.at[g.source, "year"] if known else ""
        out.append(
            {
                "name": name,
                "ch4_biogenic": factor_value(g.ch4_biogenic),
                "ch4_fossil": factor_value(g.ch4_fossil),
                "n2o": factor_value(g.n2o),
                "source_id": g.source,
                # the reader sees the citation's short form, not the id ("ipcc_ar5_wg1")
                "source_short": short_citation(cit, year),
            }
        )
    return out


def sources_of(fs) -> list[dict]:
    """Every source the set's factors and the GWP values cite, with its factor count."""
    sources = load_sources()
    counts = fs.rows["source_id"].value_counts()
    used = list(counts.index) + [g.source for g in map(load_gwp, GWP_SETS)]
    out, seen = [], set()
    for sid in used:
        if sid in seen or sid not in sources.index:
            continue
        seen.add(sid)
        s = sources.loc[sid]
        out.append(
            {
                "id": sid,
                "short": short_citation(s["citation"], s["year"]),
                "citation": plain_notes(s["citation"]),
                "url": s["url"],
                "year": s["year"],
                "notes": plain_notes(s["notes"]),
                "n_factors": int(counts.get(sid, 0)),
            }
        )
    return sorted(out, key=lambda s: s["short"].lower())


def guide_rows(fs) -> list[dict]:
    """Per emission source: what it counts, its share of the example farm's emissions and
    the factors that weigh most there (``web.services.factor_guide``), in the reader's words."""
    lang = current_lang()
    out = []
    for g in source_guides(fs):
        factors = []
        for w in g.factors:
            single = len(w.ids) == 1
            text = describe(w.key) or describe(w.ids[0])
            if not single:
                text = gettext("%(what)s (a table of %(n)s values)", what=text, n=len(w.ids))
            factors.append(
                {
                    "text": text,
                    "anchor": factor_anchor(w.ids[0]),
                    "value": factor_value(fs.value(w.key)) if single else None,
                    "unit": fs.rows.at[w.key, "unit"] if single else None,
                    "share": number(100.0 * abs(w.share), "#,##0.#"),
                }
            )
        out.append(
            {
                "source": g.source,
                "label": label(g.source, lang),
                "text": str(SOURCE_TEXT[g.source]),
                "share": number(100.0 * abs(g.share), "#,##0.#"),
                "stores": g.share < 0,
                "factors": factors,
            }
        )
    return out


@dataclass(frozen=True)
class Block:
    """Rows of a topic's table under one heading: the factor's words said once (``what``,
    empty for a factor of its own) and the tags every row of it has; each row
    ``(row, words, its other tags)``."""

    what: str
    tags: tuple[str, ...]
    rows: list[tuple[FactorRow, str, tuple[str, ...]]]


ORIGIN_TAGS = {
    "sweden": lazy_gettext("Swedish value"),
    "ipcc": lazy_gettext("IPCC default"),
    "other": lazy_gettext("other source"),
}


def table_blocks(fs, rows: list[FactorRow]) -> list[Block]:
    """A topic's rows with the words they share said once (issue 14: a light factor page).

    Consecutive rows of the same kind of factor (``manure.frac_gas.*``: 117 rows) get
    one heading with the kind in words, and each row only which one it is. Every value
    is tagged with where it comes from (Swedish value, IPCC default, other source) and,
    when it came from the fallback set, that set; a tag every row of a block has is on
    the block's heading instead of on each row.
    """
    lang = current_lang()
    from_set = gettext("from %(set)s", set=label(fs.fallback, lang)) if fs.fallback else ""
    origin = {k: str(v) for k, v in ORIGIN_TAGS.items()}

    def tags(r: FactorRow) -> tuple[str, ...]:
        out = (from_set,) if r.fell_back and from_set else ()
        return out + ((origin[r.origin],) if r.origin in origin else ())

    groups: list[tuple[str, list[tuple[FactorRow, str, tuple[str, ...]]]]] = []
    for r in rows:
        what, which = describe_parts(r.factor_id)
        if not which:
            what, which = "", r.description or r.factor_id
        if what and groups and groups[-1][0] == what:
            groups[-1][1].append((r, which, tags(r)))
        else:
            groups.append((what, [(r, which, tags(r))]))
    out = []
    for what, items in groups:
        if len(items) == 1 and what:  # one of its kind: said in full on its row
            r, which, t = items[0]
            out.append(Block("", (), [(r, f"{what} – {which}", t)]))
            continue
        shared = tuple(t for t in items[0][2] if all(t in i[2] for i in items)) if what else ()
        out.append(
            Block(
                what, shared, [(r, w, tuple(x for x in t if x not in shared)) for r, w, t in items]
            )
        )
    return out


@bp.route("/<name>")
def factor_set(name: str) -> str:
    fs = _set_or_404(name)
    groups = factor_groups(fs)
    return render_template(
        "factors/set.html",
        fs=fs,
        guide=guide_rows(fs),
        groups=[(gid, heading, rows, table_blocks(fs, rows)) for gid, heading, rows in groups],
        n_factors=len(fs.rows),
        n_fell_back=int(fs.rows["fell_back"].sum()),
        basis=set_summary(fs.name),
        gwps=gwp_rows(),
        sets=available_factor_sets(),
    )


def _group_or_404(fs, group: str) -> tuple[str, list[FactorRow]]:
    for gid, heading, rows in factor_groups(fs):
        if gid == group:
            return heading, rows
    abort(404)


def notes_of(row: FactorRow) -> dict[str, str]:
    """What "Detaljer" shows of a factor, in the reader's language (the notes are English)."""
    return {
        "id": gettext("Id in the factor files: %(id)s", id=row.factor_id),
        "locator": gettext("Where in the source: %(place)s", place=row.locator)
        if row.locator
        else "",
        "notes": row.notes,
    }


@bp.route("/<name>/notes/<group>")
def notes(name: str, group: str) -> str:
    """A topic's factors with everything behind "Detaljer" (the page without JavaScript)."""
    fs = _set_or_404(name)
    heading, rows = _group_or_404(fs, group)
    return render_template(
        "factors/notes.html",
        fs=fs,
        gid=group,
        heading=heading,
        rows=[(r, notes_of(r)) for r in rows],
    )


NOTES_MAX_AGE = 3600
"""Seconds a browser may keep a topic's notes (they change only with the set's version)."""


@bp.route("/<name>/notes/<group>/data.json")
def notes_data(name: str, group: str) -> Response:
    """A topic's "Detaljer" per factor id, for ``web/static/factors.js``."""
    fs = _set_or_404(name)
    _heading, rows = _group_or_404(fs, group)
    res = jsonify({"version": fs.version, "rows": {r.factor_id: notes_of(r) for r in rows}})
    res.cache_control.public = True
    res.cache_control.max_age = NOTES_MAX_AGE
    return res


@bp.route("/<name>/sources")
def sources(name: str) -> str:
    fs = _set_or_404(name)
    return render_template(
        "factors/sources.html", fs=fs, sources=sources_of(fs), basis=set_summary(fs.name)
    )
