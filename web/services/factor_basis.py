"""How Swedish a result and a factor set are, as the pages say it (farmcalc/provenance.py).

``result_basis`` turns a stored result's ``factor_basis`` into whole percentages
for the result page; ``set_bases`` gives every factor set's share of Swedish,
IPCC and other factor rows for the page footer and the factor pages. The
percentages of one statement always add up to 100 (``provenance.percent_parts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from farmcalc.errors import FactorError
from farmcalc.factors import available_factor_sets, load_factor_set
from farmcalc.labels import label
from farmcalc.provenance import ORIGINS, factor_origins, percent_parts, set_basis

SHARES = ("swedish_share", "ipcc_share", "other_share")


def result_basis(result: Mapping[str, Any], lang: str) -> dict[str, Any] | None:
    """The result's shares as whole percentages, overall and per source; None without them."""
    basis = result.get("factor_basis")
    if not basis or any(basis.get(k) is None for k in SHARES):
        return None
    sw, ipcc, other = percent_parts([basis[k] for k in SHARES])
    rows = []
    for s in basis.get("by_source", []):
        if any(s.get(k) is None for k in SHARES):
            continue
        p = percent_parts([s[k] for k in SHARES])
        rows.append(
            {
                "source": s["source"],
                "label": label(s["source"], lang),
                "tonnes": s["co2e_kg"] / 1000.0,
                "swedish": p[0],
                "ipcc": p[1],
                "other": p[2],
            }
        )
    rows.sort(key=lambda r: -abs(r["tonnes"]))
    return {"swedish": sw, "ipcc": ipcc, "other": other, "by_source": rows}


_SET_CACHE: dict[tuple[str, str], dict[str, Any]] = {}


def set_summary(name: str) -> dict[str, Any] | None:
    """One set's factor rows by origin: counts and whole percentages (cached per version)."""
    try:
        fs = load_factor_set(name)
    except FactorError:
        return None
    key = (fs.name, fs.version)
    if key not in _SET_CACHE:
        counts = set_basis(fs)
        pct = percent_parts([counts[o] / max(counts["total"], 1) for o in ORIGINS])
        _SET_CACHE[key] = {
            "name": fs.name,
            "title": fs.title,
            "version": fs.version,
            "total": counts["total"],
            **{o: counts[o] for o in ORIGINS},
            **{f"{o}_pct": p for o, p in zip(ORIGINS, pct, strict=True)},
        }
    return _SET_CACHE[key]


def set_bases() -> list[dict[str, Any]]:
    """:func:`set_summary` of every factor set present."""
    out = []
    for name in available_factor_sets():
        s = set_summary(name)
        if s is not None:
            out.append(s)
    return out


def origins_of(fs) -> dict[str, str]:
    """``{factor id: origin}`` of a set, for the factor page's tags."""
    return factor_origins(fs).to_dict()
