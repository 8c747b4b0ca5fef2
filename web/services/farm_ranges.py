"""A farm-year's ranges: the uncertainty run of its stored record, kept in this process.

:func:`farm_year_ranges` runs :func:`farmcalc.uncertainty.run` on the
farm-year's stored record with the factor set and GWP of its stored result,
:data:`DEFAULT_DRAWS` draws and seed :data:`DEFAULT_SEED` (or the caller's),
with every measure of :data:`farmcalc.steering.measures.ALL_MEASURES` run on
the same draws (paired savings) and their costs drawn too (SEK per tonne
holds both: :func:`farmcalc.steering.costs.with_cost_draws`). The answer is kept per farm-year,
``calculated_at``, factor set, GWP, draws and seed in a small LRU
(:data:`MAX_CACHED` entries): the same record and seed give the same numbers
on every view, and a new calculation makes a new key. Nothing is stored in
the database.

None for a year without a result, a draft (its record changed since the
result: the ranges would not belong to the figures shown), a record that no
longer validates or a factor set that is gone, and for a record the core's
drawn run fails on (a ValueError; logged).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from farmcalc.errors import ValidationError
from farmcalc.factors import DEFAULT_GWP, available_factor_sets
from farmcalc.inputs.tables import records_to_tables
from farmcalc.labels import label
from farmcalc.steering.costs import with_cost_draws
from farmcalc.steering.measures import ALL_MEASURES, describe
from farmcalc.uncertainty import UncertaintyResult, run
from web.language import current_lang, number
from web.services.factor_guide import common_key
from web.services.factor_words import describe as describe_factor
from web.services.factor_words import factor_anchor
from web.services.farm_report import gas_label, kr, kr_per_t, percent, tonnes

DEFAULT_DRAWS = 1000
"""Draws of a farm-year's ranges on the result page and the action plan."""
DEFAULT_SEED = 0
"""Seed of a farm-year's ranges unless the API asks another."""
MIN_DRAWS = 10
"""The fewest draws the API runs (fewer give no percentiles worth the name)."""
MAX_DRAWS = 10_000
"""The largest number of draws the API runs for one farm-year."""
MAX_SEED = 2**32 - 1
"""The largest seed the API takes."""
MAX_CACHED = 32
"""(farm-year, calculation, draws, seed) entries kept in the process."""
TOP_UNCERTAIN = 5
"""Factor groups shown under "what makes the result uncertain"."""
OWN_FIGURE_ADVICE = _l(
    "A figure of the farm's own: the year's records (delivery notes, the animal register, "
    "the field plan) narrow this."
)
"""What narrows the range of an activity input (the farm's own figures are drawn too)."""

# What an advisor can measure on the farm to narrow a factor's range, by the factor id's
# first part (the factor files' topics, factors/README.md).
MEASURE_ON_FARM = {
    "manure": _l(
        "A manure analysis (nitrogen and dry matter) and the storage's real time and "
        "temperature narrow this."
    ),
    "enteric": _l(
        "The feed ration and its analysis (the cows' real feed intake and milk yield) narrow this."
    ),
    "soils": _l(
        "A nutrient balance and soil analyses (how much nitrogen is really spread "
        "and lost) narrow this."
    ),
    "organic_soils": _l(
        "A soil survey of the peat fields (how deep the peat is, how wet the "
        "field is) narrows this."
    ),
    "fuel": _l("The fuel receipts of the year narrow this."),
    "electricity": _l("The electricity contract's origin of the power narrows this."),
    "district_heating": _l("The heat supplier's figures narrow this."),
    "fertiliser_production": _l("The supplier's climate figure of the fertiliser narrows this."),
    "lime": _l("The lime's delivery notes (product and amount) narrow this."),
    "urea": _l("The delivery notes of the urea narrow this."),
}

log = logging.getLogger(__name__)
_CACHE: OrderedDict[tuple, FarmRanges] = OrderedDict()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class FarmRanges:
    """One farm-year's run: the core's result (farm 0) and the seconds it took."""

    result: UncertaintyResult
    seconds: float

    def as_dict(self, *, top: int = 5, locale: str = "sv") -> dict[str, Any]:
        """The ``uncertainty`` object of issue 13 item 4 (``UncertaintyResult.to_dict``); an
        activity input of the sensitivity ranking is named in ``locale``."""
        return self.result.to_dict(0, top=top, locale=locale)


def _run_with_costs(record: Any, *, draws: int, seed: int, factors: str, gwp: str):
    """The core's run of one record with every measure, its SEK per tonne with the measure
    costs drawn too (:func:`farmcalc.steering.costs.with_cost_draws`, the same seed)."""
    tables = records_to_tables([record], strict=True)[0]
    result = run(
        [record],  # the record: its own activity_uncertainty is read (tables carry none)
        draws=int(draws),
        seed=int(seed),
        factors=factors,
        gwp=gwp,
        measures=list(ALL_MEASURES),
    )
    return with_cost_draws(result, tables)


def _setting(fy: Any) -> tuple[str, str] | None:
    result = fy.result
    if fy.is_draft or not fy.record or not result:
        return None
    fset = result.get("factor_set") or fy.factor_set
    if fset not in available_factor_sets():
        return None
    return fset, (result.get("gwp") or fy.gwp or DEFAULT_GWP)


def farm_year_ranges(
    fy: Any, *, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED
) -> FarmRanges | None:
    """The farm-year's ranges (cached; see the module's docstring), or None.

    ``fy`` is a :class:`web.store.models.FarmYear` loaded with the access check.
    """
    setting = _setting(fy)
    if setting is None:
        return None
    fset, gwp = setting
    key = (fy.farm_id, fy.year, str(fy.calculated_at), fset, gwp, int(draws), int(seed))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    start = time.perf_counter()
    try:
        result = _run_with_costs(fy.record, draws=draws, seed=seed, factors=fset, gwp=gwp)
    except ValidationError:
        return None
    except ValueError:  # a record the drawn engine cannot take: the page goes on without ranges
        log.warning("no ranges for farm %s, year %s", fy.farm_id, fy.year, exc_info=True)
        return None
    out = FarmRanges(result, time.perf_counter() - start)
    with _LOCK:
        _CACHE[key] = out
        while len(_CACHE) > MAX_CACHED:
            _CACHE.popitem(last=False)
    return out


def clear_cache() -> None:
    """Forget every kept run (tests)."""
    with _LOCK:
        _CACHE.clear()


def record_ranges(
    record: Any,
    *,
    factor_set: str,
    gwp: str | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> FarmRanges | None:
    """The ranges of a farm record not stored (``farmcalc report FILE``), not kept.

    The same run as :func:`farm_year_ranges` (draws, seed, every measure), so a
    record gives the figures its stored farm-year would. None when the record
    does not validate, the set is gone or the drawn run refuses the record.
    """
    if factor_set not in available_factor_sets():
        return None
    start = time.perf_counter()
    try:
        result = _run_with_costs(
            record, draws=draws, seed=seed, factors=factor_set, gwp=gwp or DEFAULT_GWP
        )
    except ValidationError:
        return None
    except ValueError:
        log.warning("no ranges for the record %s", record.get("farm_id"), exc_info=True)
        return None
    return FarmRanges(result, time.perf_counter() - start)


# ------------------------------------------------------- the ranges in words


def _t_range(low: float | None, high: float | None) -> dict[str, str]:
    return {"low": tonnes(low), "high": tonnes(high)}


def soil_range(low: float | None, high: float | None) -> dict[str, str] | None:
    """Soil carbon's range in the words of its card, without signs [t CO2 yr-1].

    Soil carbon is negative when the soil binds carbon. ``state`` is ``binds`` (every
    value of the range binds: ``low`` and ``high`` are how much), ``loses`` (every value
    loses) or ``either`` (the range goes from binding ``binds`` to losing ``loses``).
    """
    if low is None or high is None:
        return None
    if high <= 0.0:
        return {"state": "binds", "low": tonnes(-high), "high": tonnes(-low)}
    if low >= 0.0:
        return {"state": "loses", "low": tonnes(low), "high": tonnes(high)}
    return {"state": "either", "binds": tonnes(-low), "loses": tonnes(high)}


def uncertain_factor(group: str, ids: list[str]) -> str:
    """A factor group in the words of the factor pages (``describe``).

    One factor: its words. A table of values drawn together (``manure.bo.*``):
    the table's words and how many values. Correlated factors that are not one
    table (EF4 and EF5): each factor's words, joined.
    """
    if len(ids) == 1:
        return describe_factor(ids[0]) or group
    table = describe_factor(common_key(ids))
    if table:
        return gettext("%(what)s (a table of %(n)s values)", what=table, n=len(ids))
    words = [describe_factor(i) or i for i in ids]
    return gettext("%(first)s and %(last)s", first=", ".join(words[:-1]), last=words[-1])


def ranges_context(fr: FarmRanges | None, factors_url: str | None) -> dict[str, Any] | None:
    """The farm-year's ranges as the result page shows them (None: no ranges)."""
    if fr is None:
        return None
    lang = current_lang()
    u = fr.as_dict(top=TOP_UNCERTAIN, locale=lang)
    tot, net = u["totals"]["co2e_kg"], u["totals"]["net_co2e_kg"]
    sources = [
        {
            "label": label(r["source"], lang),
            "gas": gas_label(r["gas"]),
            "p50": tonnes(r["p50"]),
            **_t_range(r["p2_5"], r["p97_5"]),
            "lo": r["p2_5"] or 0.0,
            "mid": r["p50"] or 0.0,
            "hi": r["p97_5"] or 0.0,
        }
        for r in sorted(u["by_source"], key=lambda r: -(r["p50"] or 0.0))
        if r["source"] != "soil_carbon"
    ]
    top = max((s["hi"] for s in sources), default=0.0) or 1.0
    for s in sources:  # the bar: the range on one scale from 0 to the largest high end
        s["bar_x"] = f"{100.0 * max(s['lo'], 0.0) / top:.1f}"
        s["bar_w"] = f"{100.0 * max(s['hi'] - max(s['lo'], 0.0), 0.0) / top:.1f}"
        s["bar_mid"] = f"{100.0 * max(s['mid'], 0.0) / top:.1f}"
    factors = []
    for item in u["sensitivity"]:
        ids = item["factor_ids"]
        if item.get("kind") == "activity":  # a figure of the farm's own, drawn within its range
            words = item.get("label") or item["group"]
            factors.append(
                {
                    "text": words[:1].upper() + words[1:],  # "antal mjölkkor" heads its line
                    "share": percent(100.0 * (item["share"] or 0.0)),
                    "href": None,
                    "advice": str(OWN_FIGURE_ADVICE),
                }
            )
            continue
        topic = ids[0].split(".")[0]
        factors.append(
            {
                "text": uncertain_factor(item["group"], ids),
                "share": percent(100.0 * (item["share"] or 0.0)),
                "href": f"{factors_url}#{factor_anchor(ids[0])}" if factors_url else None,
                "advice": str(MEASURE_ON_FARM[topic]) if topic in MEASURE_ON_FARM else None,
            }
        )
    soil = next((r for r in u["by_source"] if r["source"] == "soil_carbon"), None)
    return {
        "soil": soil_range(soil["p2_5"], soil["p97_5"]) if soil else None,
        "draws": number(u["draws"], "#,##0"),
        "seed": u["seed"],
        "seconds": number(fr.seconds, "0.00"),
        "total": _t_range(tot["p2_5"], tot["p97_5"]),
        "net": _t_range(net["p2_5"], net["p97_5"]),
        "sources": sources,
        "factors": factors,
    }


def measure_ranges(fr: FarmRanges | None, measures: Sequence[str]) -> dict[str, Any] | None:
    """Each of ``measures`` on its own with its 95 % ranges (issue 13), for a page or the report.

    From the farm-year's run: each measure's saving is the paired difference of
    the same draws before and after it (common random numbers), and its annual
    cost per tonne saved over those draws. A measure that does not apply to the
    farm is left out. None without ranges.
    """
    if fr is None:
        return None
    lang = current_lang()
    by_measure = {m["measure"]: m for m in fr.as_dict().get("measures", [])}
    rows = []
    for measure in measures:
        m = by_measure.get(measure)
        if m is None or not m["applies"]:
            continue
        sv, pt = m["saving_co2e_kg"], m["sek_per_t_co2e"]
        rows.append(
            {
                "measure": measure,
                "title": describe(measure, lang)["title"],
                "saving": tonnes(sv["p50"]),
                "saving_low": tonnes(sv["p2_5"]),
                "saving_high": tonnes(sv["p97_5"]),
                "per_t": kr_per_t(pt["p50"]),
                "per_t_low": kr(pt["p2_5"]),
                "per_t_high": kr(pt["p97_5"]),
            }
        )
    return {"rows": rows, "draws": number(fr.result.n_draws, "#,##0"), "seed": fr.result.seed}
