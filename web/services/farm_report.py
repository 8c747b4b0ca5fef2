"""The farm's climate report, and what the result page and the report both show.

The result page (``web/views/result_pages.py``) and the PDF report are made
from the same data and the same Jinja partials (``web/templates/results/_*.html``):
:func:`result_context` shapes a stored result (``farmcalc.result/1``) into what
both show — totals, sources as a chart, per ha / per kg ECM / per tonne of crop,
soil carbon apart, the measures, the factor set with its version and GWP, the
notes (what was defaulted). The report adds the farm-year's action plan with its
costs (:func:`plan_context`) and how sure the figures are: the result page's ranges and
the plan's measures as ranges (:func:`subject_ranges`, formatted by
``web/services/farm_ranges.py``).

A report is of a :class:`ReportSubject`: a stored farm-year
(:func:`subject_of_farm_year`, loaded by the caller with the access-checked query)
or a farm record calculated on the spot (:func:`subject_of_record`).
:func:`report_pdf` renders one subject's report as an A4 PDF in Swedish with
WeasyPrint (``web/templates/report/farm.html``, page numbers in the page
margin); :func:`reports_zip` puts one PDF per farm in a zip. Rendering needs the
Flask app and a request context (the templates use ``url_for``); the caller
provides them (a view, or ``farmcalc report`` through ``app.test_request_context``).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, gettext, lazy_gettext
from markupsafe import Markup, escape
from sqlalchemy import and_
from sqlmodel import Session, col, select

from farmcalc.api import INTENSITY_TEXT
from farmcalc.errors import FactorError
from farmcalc.factors import DEFAULT_GWP, available_factor_sets, load_factor_set
from farmcalc.inputs.issues import ERROR
from farmcalc.inputs.tables import records_to_tables
from farmcalc.labels import label
from farmcalc.steering.action_plan import TARGET_YEAR, PlanStep, plan_figures
from farmcalc.steering.costs import catalogue, discount_rate_row
from farmcalc.steering.measures import ALL_MEASURES, describe, measure_savings
from web.language import current_lang, number
from web.services.charts import Bar, bar_chart
from web.services.unit_text import unit_text
from web.store.access import farm_year_query_for
from web.store.db import get_session
from web.store.models import AuditEntry, Farm, FarmYear, FarmYearPlan
from web.store.totals_query import stored_measure_savings

REPORT_LANG = "sv"
"""The report is Swedish, whatever language the reader has chosen for the pages."""

SOIL_CARBON = "soil_carbon"
GAS_ORDER = ("CH4", "N2O", "CO2", "CO2e")

# What each source is and what a farmer can do about it: general, modest advice.
ADVICE: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "enteric_fermentation": (
        lazy_gettext(
            "Cattle, sheep and other ruminants form methane when their rumen digests the feed, "
            "and breathe it out. On farms with cattle this is usually the largest source."
        ),
        (
            lazy_gettext(
                "Use the feed well: a balanced ration with good forage gives more milk or growth "
                "for the same methane."
            ),
            lazy_gettext(
                "Keep fewer unproductive animals, for example by calving heifers younger."
            ),
            lazy_gettext(
                "A longer productive life for the cows means fewer young animals to raise."
            ),
        ),
    ),
    "manure_management": (
        lazy_gettext(
            "Manure gives off methane and nitrous oxide while it is stored, slurry most in "
            "warm weather."
        ),
        (
            lazy_gettext("Cover the slurry store with a roof or a tent."),
            lazy_gettext(
                "Send the manure to a biogas plant: the methane becomes energy instead of "
                "emissions."
            ),
            lazy_gettext("Store slurry for shorter times in warm periods where you can."),
        ),
    ),
    "soils_direct_n2o": (
        lazy_gettext(
            "Part of the nitrogen in mineral fertiliser, manure and crop residues turns into "
            "nitrous oxide in the soil. Nitrous oxide is a strong greenhouse gas."
        ),
        (
            lazy_gettext(
                "Match the nitrogen rate to the crop's need: soil mapping, an N sensor or "
                "variable-rate spreading (precision fertilisation)."
            ),
            lazy_gettext(
                "Count the nitrogen in the manure, so that less mineral fertiliser is needed."
            ),
            lazy_gettext(
                "Raise the nitrogen efficiency: good drainage, liming where it is needed, "
                "catch crops."
            ),
        ),
    ),
    "soils_indirect_n2o": (
        lazy_gettext(
            "Nitrogen that escapes from the fields as ammonia or is leached with water turns "
            "partly into nitrous oxide somewhere else."
        ),
        (
            lazy_gettext(
                "Spread slurry with trailing hoses or inject it, and work solid manure into the "
                "soil quickly: less ammonia escapes."
            ),
            lazy_gettext("Catch crops and tillage in spring reduce nitrogen leaching."),
            lazy_gettext("Match the nitrogen rate to the crop's need."),
        ),
    ),
    "organic_soils": (
        lazy_gettext(
            "Drained peat soils break down when they dry out and give off carbon dioxide and "
            "nitrous oxide year after year. A few hectares can give large emissions."
        ),
        (
            lazy_gettext("Rewet drained peat land that yields little, or turn it into a wetland."),
            lazy_gettext(
                "Grants can be applied for to create wetlands, and the municipality works for "
                "more wetlands: ask the municipality or the county administrative board."
            ),
            lazy_gettext(
                "Permanent ley or grazing instead of annual crops lowers the emissions somewhat."
            ),
        ),
    ),
    "liming": (
        lazy_gettext(
            "Lime (limestone, dolomite) gives off carbon dioxide as it dissolves in the soil."
        ),
        (
            lazy_gettext("Lime by need, from a soil map of the pH, not by habit."),
            lazy_gettext(
                "Liming often gives better yields and nitrogen use: keep it where the soil "
                "needs it."
            ),
        ),
    ),
    "urea": (
        lazy_gettext("The carbon in urea fertiliser escapes as carbon dioxide after spreading."),
        (lazy_gettext("Choose another nitrogen fertiliser, or match the rate to the need."),),
    ),
    "fuel": (
        lazy_gettext(
            "Diesel and other fossil fuels in tractors and machines give carbon dioxide."
        ),
        (
            lazy_gettext("Switch to HVO100 or another renewable fuel."),
            lazy_gettext(
                "Drive economically: the right tyre pressure, planned trips, less tillage "
                "where it works."
            ),
        ),
    ),
    "electricity": (
        lazy_gettext(
            "Purchased electricity gives emissions where it is produced; Swedish electricity "
            "has low emissions per kWh."
        ),
        (
            lazy_gettext(
                "Save electricity: speed-controlled fans and pumps, heat recovery from milk "
                "cooling, LED lighting."
            ),
            lazy_gettext("Produce your own electricity, for example with solar panels."),
        ),
    ),
    "heating": (
        lazy_gettext("Heating with oil or district heating gives carbon dioxide."),
        (
            lazy_gettext("Replace an oil boiler, for example with a heat pump or biofuel."),
            lazy_gettext("Insulate, and recover heat where you can."),
        ),
    ),
    "fertiliser_production": (
        lazy_gettext(
            "Making mineral fertiliser, above all nitrogen, gives emissions at the factory "
            "before the fertiliser reaches the farm."
        ),
        (
            lazy_gettext(
                "Choose fertiliser made with low emissions (ask the supplier for its climate "
                "footprint)."
            ),
            lazy_gettext("Use less mineral nitrogen by making good use of manure and legumes."),
        ),
    ),
}
TOP_SOURCES = 3
MIN_SHARE_FOR_ADVICE = 3.0  # per cent
MIN_MEASURE_KG = 50.0
"""A measure that saves less than this [kg CO2e] would read "0,0 t": it is not listed (nor
one that would raise the emissions by less)."""


# ------------------------------------------------------------------ formatting


def tonnes(kg: float | None) -> str:
    """``1 234,5`` (tonnes, one decimal) in the reader's language."""
    return number(None if kg is None else kg / 1000.0, "#,##0.0")


def percent(share: float) -> str:
    """``42 %``; a share that is not zero but rounds to 0 reads ``under 1 %`` (issue 16)."""
    if share and abs(share) < 0.5:
        return gettext("under %(share)s", share=number(1, "#,##0") + "\u00a0%")
    return number(share, "#,##0") + "\u00a0%"


# ------------------------------------------------------------------- the data


@dataclass
class SourceShare:
    source: str
    label: str
    co2e_kg: float
    share: float  # per cent of the emissions (soil carbon excluded)
    categories: list[tuple[str, float]] = field(default_factory=list)


def by_source(result: Mapping[str, Any]) -> list[SourceShare]:
    """Emissions per source (soil carbon apart), largest first."""
    lang = current_lang()
    totals: dict[str, float] = defaultdict(float)
    cats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for e in result.get("emissions", []):
        if e["source"] == SOIL_CARBON:
            continue
        totals[e["source"]] += e["co2e_kg"]
        cats[e["source"]][e.get("category") or ""] += e["co2e_kg"]
    total = sum(totals.values())
    out = []
    for s, v in sorted(totals.items(), key=lambda kv: -kv[1]):
        if v == 0:
            continue
        c = sorted(
            ((label(k, lang), x) for k, x in cats[s].items() if k and x > 0), key=lambda t: -t[1]
        )
        out.append(SourceShare(s, label(s, lang), v, 100.0 * v / total if total else 0.0, c))
    return out


def by_gas(result: Mapping[str, Any]) -> list[tuple[str, float, float]]:
    """``(gas, kg of the gas, kg CO2e)`` per gas, soil carbon apart."""
    kg: dict[str, float] = defaultdict(float)
    co2e: dict[str, float] = defaultdict(float)
    for e in result.get("emissions", []):
        if e["source"] == SOIL_CARBON:
            continue
        kg[e["gas"]] += e["kg"]
        co2e[e["gas"]] += e["co2e_kg"]
    return [(g, kg[g], co2e[g]) for g in GAS_ORDER if co2e.get(g)]


def gas_label(gas: str) -> str:
    if gas == "CO2e":
        return gettext("Upstream (electricity, heat, fertiliser)")
    return label(gas, current_lang())


def source_chart(
    sources: list[SourceShare],
    total_kg: float,
    href_for: Callable[[str], str | None] | None = None,
):
    """The sources as a bar chart; ``href_for(source)`` links a source's row to its factors."""
    bars = [
        Bar(
            label=s.label,
            value=s.co2e_kg,
            text=gettext("%(t)s t", t=tonnes(s.co2e_kg)) + " · " + percent(s.share),
            cells=(tonnes(s.co2e_kg), percent(s.share)),
            href=href_for(s.source) if href_for else None,
        )
        for s in sources
    ]
    return bar_chart(
        bars,
        chart_id="chart-sources",
        title=gettext("Emissions by source, tonnes CO2e per year"),
        desc=", ".join(f"{b.label}: {b.text}" for b in bars),
        headers=(gettext("Source"), gettext("t CO2e"), gettext("Share")),
        show_table=gettext("Show as a table"),
        total=(gettext("Total"), tonnes(total_kg), percent(100.0)),
    )


def gas_chart(gases: list[tuple[str, float, float]]):
    bars = [
        Bar(
            label=gas_label(g),
            value=co2e,
            text=gettext("%(t)s t", t=tonnes(co2e)),
            cells=(tonnes(co2e), tonnes(kg) if g != "CO2e" else "–"),
        )
        for g, kg, co2e in gases
    ]
    return bar_chart(
        bars,
        chart_id="chart-gases",
        title=gettext("Emissions by greenhouse gas, tonnes CO2e per year"),
        desc=", ".join(f"{b.label}: {b.text}" for b in bars),
        headers=(gettext("Gas"), gettext("t CO2e"), gettext("Tonnes of the gas")),
        show_table=gettext("Show as a table"),
    )


def intensities(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The result's intensities, formatted, with what each covers in the reader's language."""
    lang = current_lang()
    out = []
    for i in result.get("intensities", []):
        kind = i["id"]
        covers = gettext(str(INTENSITY_TEXT[kind])) if kind in INTENSITY_TEXT else i.get("covers")
        item: dict[str, Any] = {"id": kind, "covers": covers}
        if kind in ("per_ha", "net_per_ha"):
            item["value"] = number(i["value"], "#,##0")
        elif kind == "per_kg_ecm":
            item["value"] = number(i["value"], "#,##0.00")
            item["milk_t"] = tonnes(i.get("milk_kg_ecm"))
            alloc = i.get("milk_allocation")
            item["allocation"] = percent(100.0 * alloc) if alloc is not None else "–"
        elif kind == "per_t_crop":
            item["value"] = number(i["value"], "#,##0")
            item["crop"] = label(i["crop"], lang)
            item["harvest_t"] = number(i.get("harvest_t"), "#,##0.0")
        else:
            continue
        out.append(item)
    return out


def count_views(result: Mapping[str, Any]) -> dict[str, str] | None:
    """The two ways of counting (inventory, life cycle) in tonnes, or None for older results.

    Results stored before the views existed have no ``views``: the section is
    left out until the year is calculated again.
    """
    views = result.get("views")
    if not views:
        return None
    inv, lc = views["inventory"], views["life_cycle"]
    combustion = lc["fuels_co2e_kg"] - lc["fuel_upstream_co2e_kg"]
    upstream = lc["co2e_kg"] - lc["farm_co2e_kg"] - combustion
    return {
        "inventory": tonnes(inv["co2e_kg"]),
        "energy": tonnes(inv["energy_co2e_kg"]),
        "land_use": tonnes(inv["lulucf_co2e_kg"]),
        "not_counted": tonnes(inv["not_counted_co2e_kg"]),
        "life_cycle": tonnes(lc["co2e_kg"]),
        "upstream": tonnes(upstream),
        "electricity": tonnes(lc["electricity_co2e_kg"]),
        "electricity_market": tonnes(lc["market_based_electricity_co2e_kg"]),
        "life_cycle_market": tonnes(lc["market_based_co2e_kg"]),
    }


def soil_carbon(result: Mapping[str, Any]) -> dict[str, Any]:
    """Soil carbon for the box: bound (negative CO2e) or lost, the method and the other method."""
    kg = result["totals"].get("soil_carbon_co2e_kg") or 0.0
    sc = result.get("soil_carbon") or {}
    method = sc.get("method")
    other_key = "ipcc_tier1_co2_kg_per_yr" if method == "icbm" else "icbm_co2_kg_per_yr"
    other_method = "ipcc_tier1" if method == "icbm" else "icbm"
    other = sc.get(other_key)
    # under 0.05 t the box would show 0,0: say "no change"
    state = "none" if abs(kg) < 50 else "binds" if kg < 0 else "loses"
    return {
        "state": state,
        "tonnes": tonnes(abs(kg)),
        "method": label(method, current_lang()) if method else None,
        "other_method": label(other_method, current_lang()),
        "other": tonnes(other) if other is not None else None,
        "other_state": (
            None if other is None or abs(other) < 50 else ("binds" if other < 0 else "loses")
        ),
        "other_tonnes": tonnes(abs(other)) if other is not None else None,
    }


def current_version(factor_set: str | None) -> str | None:
    if not factor_set or factor_set not in available_factor_sets():
        return None
    try:
        return load_factor_set(factor_set).version
    except FactorError:
        return None


def advice_for(sources: list[SourceShare]) -> list[dict[str, Any]]:
    out = []
    for s in sources:
        if len(out) == TOP_SOURCES:
            break
        if s.source not in ADVICE or s.share < MIN_SHARE_FOR_ADVICE:
            continue
        what, actions = ADVICE[s.source]
        out.append(
            {
                "source": s,
                "tonnes": tonnes(s.co2e_kg),
                "share": percent(s.share),
                "what": what,
                "actions": actions,
                "categories": [(name, tonnes(v)) for name, v in s.categories[:3]]
                if len(s.categories) > 1
                else [],
            }
        )
    return out


def all_measure_savings(fy: FarmYear, result: Mapping[str, Any]) -> list[tuple[str, float]] | None:
    """``(measure, kg CO2e saved)`` of every measure for this farm-year, in catalogue order.

    Worked out from the stored record with the factor set and GWP of the
    stored result (:func:`record_measure_savings`), or read from the
    farm-year's totals row when it is fresh; the result itself is never
    recalculated. A negative saving is a measure that would raise the
    emissions. ``None`` when the record has changed since the result (a draft)
    or no longer validates: the page then says to calculate again.
    """
    if fy.is_draft or not fy.record or not result:
        return None
    stored = stored_measure_savings(session=get_session(), farm_year=fy)
    if stored is not None:  # the municipality's totals row keeps them: read, not worked out
        return list(stored.items())
    fset = result.get("factor_set") or fy.factor_set
    gwp = result.get("gwp") or fy.gwp or DEFAULT_GWP
    return record_measure_savings(fy.record, fset, gwp)


def record_measure_savings(
    record: Mapping[str, Any], factor_set: str | None, gwp: str
) -> list[tuple[str, float]] | None:
    """``(measure, kg CO2e saved)`` of every measure of ``ALL_MEASURES`` for one farm record.

    ``farmcalc.steering.measures.measure_savings`` with the given factor set and
    GWP; ``None`` when the factor set is gone or the record does not validate.
    """
    if factor_set not in available_factor_sets():
        return None
    tables, issues = records_to_tables([record], strict=False)
    if any(i.severity == ERROR for i in issues):
        return None
    try:
        saved = measure_savings(tables, factors=factor_set, gwp=gwp, measures=ALL_MEASURES)
    except (FactorError, ValueError):
        return None
    kgs = saved["co2e_kg_saved"].to_numpy()
    return [(m, float(kg)) for m, kg in zip(saved["measure"], kgs, strict=True)]


def savings_only(pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The measures that save at least ``MIN_MEASURE_KG``, largest first."""
    return sorted([p for p in pairs if p[1] >= MIN_MEASURE_KG], key=lambda p: -p[1])


def measure_savings_for(fy: FarmYear, result: Mapping[str, Any]) -> list[tuple[str, float]] | None:
    """``(measure, kg CO2e saved)`` of the measures that would cut this farm-year's emissions.

    :func:`all_measure_savings`, largest first, leaving out measures that
    would save less than ``MIN_MEASURE_KG`` — and so every measure that would
    raise the emissions. ``None`` as :func:`all_measure_savings`.
    """
    pairs = all_measure_savings(fy, result)
    return None if pairs is None else savings_only(pairs)


def measures_for(
    fy: FarmYear, result: Mapping[str, Any]
) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]]]:
    """The measures as the result page shows them: :func:`measure_lists` of the farm-year."""
    return measure_lists(all_measure_savings(fy, result), result)


def measure_lists(
    pairs: list[tuple[str, float]] | None, result: Mapping[str, Any]
) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]]]:
    """The measures that save, and those that would not, from ``(measure, kg saved)`` pairs.

    The first list is the measures saving at least ``MIN_MEASURE_KG``, largest
    first (title, explanation, assumption, tonnes and share of the emissions);
    the second the measures that apply to the farm but would raise its
    emissions by at least ``MIN_MEASURE_KG`` (a wetland's methane, a catch
    crop's residue N), each with its title and the tonnes it would add, so
    that they are never listed as savings. ``(None, [])`` without pairs.
    """
    if pairs is None:
        return None, []
    total = float(result["totals"].get("co2e_kg") or 0.0)
    lang = current_lang()
    saving = [
        {
            **describe(m, lang),
            "kg": kg,
            "tonnes": tonnes(kg),
            "share": percent(100.0 * kg / total) if total > 0 else None,
        }
        for m, kg in savings_only(pairs)
    ]
    raising = [
        {**describe(m, lang), "kg": -kg, "tonnes": tonnes(-kg)}
        for m, kg in sorted(pairs, key=lambda p: p[1])
        if kg <= -MIN_MEASURE_KG
    ]
    return saving, raising


# ------------------------------------------------------- what page and report show


def result_context(
    result: Mapping[str, Any],
    *,
    factor_set: str | None,
    factor_set_version: str | None,
    gwp: str | None,
    measure_pairs: list[tuple[str, float]] | None,
    href_for: Callable[[str], str | None] | None = None,
) -> dict[str, Any]:
    """What the result page and the report show of a result, formatted for the reader.

    Parameters
    ----------
    result : mapping
        A ``farmcalc.result/1`` dict (a stored result or one calculated now).
    factor_set, factor_set_version, gwp : str or None
        The factor set, its version and the GWP100 set the result was made with.
    measure_pairs : list of (str, float) or None
        ``(measure, kg CO2e saved)`` of every measure (:func:`all_measure_savings`
        or :func:`record_measure_savings`); None: the measures cannot be worked out.
    href_for : callable, optional
        A source's link to its factors (the page); None in the report.
    """
    totals = result["totals"]
    sources = by_source(result)
    now_version = current_version(factor_set)
    saving, raising = measure_lists(measure_pairs, result)
    return {
        "total": tonnes(totals["co2e_kg"]),
        "net": tonnes(totals["net_co2e_kg"]),
        "soil": soil_carbon(result),
        "sources": sources,
        "source_chart": source_chart(sources, totals["co2e_kg"], href_for),
        "gas_chart": gas_chart(by_gas(result)),
        "advice": advice_for(sources),
        "measures": saving,
        "raising_measures": raising,
        "intensities": intensities(result),
        "factor_set": factor_set,
        "factor_set_version": factor_set_version,
        "gwp": gwp,
        "now_version": now_version,
        "outdated": bool(now_version and factor_set_version and now_version != factor_set_version),
        "notes": result.get("notes", []),
        "warnings": result.get("warnings", []),
        "scope3": tonnes(totals.get("scope3_co2e_kg")),
        "views": count_views(result),
    }


# ------------------------------------------------------------------ the report


@dataclass
class ReportSubject:
    """What one report is of: a farm's year and its result.

    ``farm_year`` is the stored farm-year (None for a record calculated on
    the spot); ``record`` the farm record the result was made from.
    """

    farm_name: str
    farm_code: str
    year: int
    result: dict[str, Any]
    factor_set: str | None
    factor_set_version: str | None
    gwp: str | None
    record: Mapping[str, Any] | None = None
    farm_year: FarmYear | None = None
    calculated_at: datetime | None = None
    measure_pairs: list[tuple[str, float]] | None = None
    is_draft: bool = False
    municipality_code: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def subject_of_farm_year(farm: Farm, fy: FarmYear) -> ReportSubject | None:
    """The report of a stored farm-year, or None when it has no result.

    ``fy`` must have been loaded with the access-checked query
    (``web.store.access.get_farm_year_for``): this function checks nothing.
    """
    result = fy.result
    if not result:
        return None
    with force_locale(REPORT_LANG):
        pairs = all_measure_savings(fy, result)
    return ReportSubject(
        farm_name=farm.name or farm.farm_code,
        farm_code=farm.farm_code,
        year=fy.year,
        result=result,
        factor_set=result.get("factor_set") or fy.factor_set,
        factor_set_version=result.get("factor_set_version") or fy.factor_set_version,
        gwp=result.get("gwp") or fy.gwp,
        record=fy.record,
        farm_year=fy,
        calculated_at=fy.calculated_at,
        measure_pairs=pairs,
        is_draft=bool(fy.is_draft),
        municipality_code=farm.municipality_code,
    )


def subject_of_record(
    record: Mapping[str, Any], *, factors: str, gwp: str = DEFAULT_GWP
) -> ReportSubject:
    """The report of one farm record, calculated now (``farmcalc.api.calculate``).

    Raises
    ------
    farmcalc.errors.ValidationError
        With every problem of the record.
    farmcalc.errors.FactorError
        When the factor set or GWP set cannot be loaded.
    """
    from farmcalc.api import calculate

    result = calculate(record, factors=factors, gwp=gwp, locale=REPORT_LANG)
    fset = result.get("factor_set") or factors
    return ReportSubject(
        farm_name=str(record.get("name") or record.get("farm_id") or ""),
        farm_code=str(record.get("farm_id") or ""),
        year=int(result.get("year") or record.get("year")),
        result=result,
        factor_set=fset,
        factor_set_version=result.get("factor_set_version"),
        gwp=result.get("gwp") or gwp,
        record=record,
        measure_pairs=record_measure_savings(record, fset, result.get("gwp") or gwp),
        municipality_code=record.get("municipality_code"),
    )


# ------------------------------------------------------------ charts on paper

PRINT_WIDTH = 640  # SVG user units across the chart (the A4 text column)
PRINT_ROW = 34  # per bar: a label line, then the bar
PRINT_BAR = 12
PRINT_COLOURS = {"text": "#1b1b1b", "track": "#e6e9e4", "bar": "#1d5a2f"}  # style.css's


def print_chart(rows: Sequence[tuple[str, float, str]], *, title: str) -> Markup:
    """A horizontal bar chart for paper: ``(label, value, text)`` per bar, largest value full.

    The site's charts (web/services/charts.py) take their colours from
    style.css classes, which an SVG in a PDF does not see; this one carries
    its colours and sizes as attributes, in user units scaled to the column.
    """
    largest = max((v for _, v, _ in rows), default=0.0)
    height = PRINT_ROW * len(rows) + 2
    c = PRINT_COLOURS
    parts = [
        f'<svg class="print-chart" viewBox="0 0 {PRINT_WIDTH} {height}" width="100%" '
        f'role="img" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for k, (name, value, text) in enumerate(rows):
        top = k * PRINT_ROW
        width = 0.0 if value <= 0 or largest <= 0 else max(1.0, PRINT_WIDTH * value / largest)
        parts.append(
            f'<text x="0" y="{top + 13}" font-size="12" fill="{c["text"]}" '
            f'font-family="DejaVu Sans">{escape(name)}</text>'
            f'<text x="{PRINT_WIDTH}" y="{top + 13}" font-size="12" font-weight="bold" '
            f'text-anchor="end" fill="{c["text"]}" font-family="DejaVu Sans">{escape(text)}</text>'
            f'<rect x="0" y="{top + 18}" width="{PRINT_WIDTH}" height="{PRINT_BAR}" '
            f'fill="{c["track"]}"/>'
            f'<rect x="0" y="{top + 18}" width="{width:.1f}" height="{PRINT_BAR}" '
            f'fill="{c["bar"]}"/>'
        )
    parts.append("</svg>")
    return Markup(f'<figure class="chart">{"".join(parts)}</figure>')


def print_charts(ctx: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, Markup]:
    """The sources and the gases of :func:`result_context` as :func:`print_chart` charts."""
    sources = print_chart(
        [
            (
                s.label,
                s.co2e_kg,
                gettext("%(t)s t", t=tonnes(s.co2e_kg)) + " · " + percent(s.share),
            )
            for s in ctx["sources"]
        ],
        title=gettext("Emissions by source, tonnes CO2e per year"),
    )
    gases = print_chart(
        [
            (gas_label(g), co2e, gettext("%(t)s t", t=tonnes(co2e)))
            for g, _kg, co2e in by_gas(result)
        ],
        title=gettext("Emissions by greenhouse gas, tonnes CO2e per year"),
    )
    return {"source_chart": sources, "gas_chart": gases}


# ------------------------------------------------------------- the action plan


def kr(value: float | None) -> str:
    """``12 345 kr`` in the reader's language; None → ``–``."""
    return "–" if value is None else number(value, "#,##0") + "\u00a0kr"


def kr_per_t(value: float | None) -> str:
    """``1 234 kr per ton`` in the reader's language; None → ``–``."""
    return "–" if value is None else gettext("%(kr)s per tonne", kr=kr(value))


def years_text(value: float | None) -> str:
    """A payback time: ``7,5 år``, or "does not pay back" for None."""
    if value is None:
        return gettext("does not pay back")
    return gettext("%(n)s years", n=number(value, "#,##0.#"))


def cost_value(value: float | None, unit: str) -> str:
    """A cost catalogue value with its unit; a share (unit ``1``) as per cent."""
    if value is None:
        return "–"
    if unit == "1":
        return number(100.0 * value, "#,##0.#") + "\u00a0%"
    return number(value, "#,##0.###") + "\u00a0" + unit_text(unit)


def _range_text(row: Mapping[str, Any]) -> str | None:
    """A cost row's low–high range as the catalogue gives it, or None without one."""
    low, high = row.get("low"), row.get("high")
    if low is None or high is None or low == high:
        return None
    lo, hi = cost_value(low, row["unit"]), cost_value(high, row["unit"])
    return f"{lo.split(chr(0xA0))[0]}–{hi}"


def stored_plan_steps(fy: FarmYear | None) -> list[PlanStep] | None:
    """The farm-year's stored action plan (``farm_year_plans``), or None without one."""
    if fy is None:
        return None
    plan = get_session().get(FarmYearPlan, (fy.farm_id, fy.year))
    if plan is None or not plan.steps:
        return None
    return [PlanStep(st["measure"], int(st["start_year"])) for st in plan.steps]


def plan_context(subject: ReportSubject) -> dict[str, Any] | None:
    """The action plan of the report, with its costs, formatted; None when none can be made.

    The farm-year's stored plan (made on the action-plan page or through the
    API); without one, every measure that saves at least ``MIN_MEASURE_KG``
    (largest first), each starting in the report's year, said so in the
    report. The figures are ``farmcalc.steering.action_plan.plan_figures`` on
    the record with the result's factor set and GWP; each measure's cost
    rows come from the cost catalogue (``farmcalc.steering.costs.catalogue``)
    with their low–high range where the catalogue gives one.
    """
    if subject.is_draft or not subject.record or subject.factor_set not in available_factor_sets():
        return None
    steps = stored_plan_steps(subject.farm_year)
    stored = steps is not None
    if steps is None:
        saving = savings_only(subject.measure_pairs or [])
        steps = [PlanStep(m, subject.year) for m, _kg in saving]
    if not steps:
        return None
    tables, issues = records_to_tables([subject.record], strict=False)
    if any(i.severity == ERROR for i in issues):
        return None
    try:
        fig = plan_figures(
            tables,
            steps,
            first_year=subject.year,
            factors=subject.factor_set,
            gwp=subject.gwp or DEFAULT_GWP,
        )
    except (FactorError, ValueError):
        return None
    lang = current_lang()
    cat = {c["id"]: c for c in catalogue(lang, [st.measure for st in steps])}
    rows = []
    for st in fig["steps"]:
        costs = [
            {
                "label": c["label"],
                "value": cost_value(c["value"], c["unit"]),
                "range": _range_text(c),
                "assumption": c["assumption"],
            }
            for c in cat[st["measure"]]["costs"]
        ]
        rows.append(
            {
                "measure": st["measure"],
                "title": describe(st["measure"], lang)["title"],
                "start_year": st["start_year"],
                "tonnes": tonnes(st["marginal_co2e_kg_saved"]),
                "investment": kr(st["investment_sek"]),
                "annual_cost": kr(st["annual_cost_sek"]),
                "per_t": kr_per_t(st["sek_per_t_co2e"]),
                "payback": years_text(st["payback_years"]),
                "costs": costs,
            }
        )
    pkg = fig["package"]
    total = fig["co2e_kg"]
    return {
        "stored": stored,
        "steps": rows,
        "saved": tonnes(pkg["co2e_kg_saved"]),
        "share": percent(100.0 * pkg["co2e_kg_saved"] / total) if total > 0 else None,
        "investment": kr(pkg["investment_sek"]),
        "annual_cost": kr(pkg["annual_cost_sek"]),
        "per_t": kr_per_t(pkg["sek_per_t_co2e"]),
        "to_target": tonnes(fig["co2e_kg_saved_to"][str(TARGET_YEAR)]),
        "target_year": TARGET_YEAR,
        "discount_rate": number(100.0 * discount_rate_row(lang)["value"], "#,##0.#") + "\u00a0%",
    }


def subject_ranges(subject: ReportSubject) -> Any:
    """The subject's ranges (``web.services.farm_ranges.FarmRanges``), or None.

    A stored farm-year: its cached run, the one the result page and the action plan
    show (same draws and seed). A record calculated on the spot (``farmcalc report
    FILE``): the same run on the record, not kept. None for a draft, without a
    record or when the drawn run cannot be made.
    """
    from web.services.farm_ranges import farm_year_ranges, record_ranges

    if subject.is_draft or not subject.record or not subject.factor_set:
        return None
    if subject.farm_year is not None:
        return farm_year_ranges(subject.farm_year)
    return record_ranges(subject.record, factor_set=subject.factor_set, gwp=subject.gwp)


def report_html(subject: ReportSubject, *, yardstick: Any = None) -> str:
    """The report of ``subject`` as HTML (Swedish), from ``web/templates/report/farm.html``.

    Needs the app and a request context. ``yardstick`` is what
    ``web/templates/_yardstick.html`` shows, when the caller has it. The ranges
    (:func:`subject_ranges`) are formatted as on the result page
    (``farm_ranges.ranges_context``) and, for the action plan's measures, as on
    the action-plan page (``farm_ranges.measure_ranges``).
    """
    from web.services.farm_ranges import measure_ranges, ranges_context

    with force_locale(REPORT_LANG):
        ctx = result_context(
            subject.result,
            factor_set=subject.factor_set,
            factor_set_version=subject.factor_set_version,
            gwp=subject.gwp,
            measure_pairs=subject.measure_pairs,
        )
        ctx.update(print_charts(ctx, subject.result))
        plan = plan_context(subject)
        fr = subject_ranges(subject)
        return render_template(
            "report/farm.html",
            site_css=Markup(site_css()),
            plan=plan,
            ranges=ranges_context(fr, None),
            plan_ranges=measure_ranges(fr, [st["measure"] for st in plan["steps"]])
            if plan
            else None,
            calculated_at=subject.calculated_at,
            factor_set_title=factor_set_title(subject.factor_set),
            subject=subject,
            result=subject.result,
            year=subject.year,
            print_only=True,
            made_on=datetime.now().strftime("%Y-%m-%d"),
            yardstick=yardstick,
            **ctx,
            **subject.extra,
        )


def site_css() -> str:
    """The site's stylesheet (``web/static/style.css``): the partials' classes in the report."""
    return (Path(current_app.static_folder or "") / "style.css").read_text(encoding="utf-8")


def factor_set_title(name: str | None) -> str | None:
    """The factor set's title (its ``set.toml``), or None when the set is gone."""
    if not name or name not in available_factor_sets():
        return None
    try:
        return load_factor_set(name).title
    except FactorError:
        return None


def report_pdf(subject: ReportSubject, *, yardstick: Any = None) -> bytes:
    """The report of ``subject`` as an A4 PDF (WeasyPrint), with page numbers."""
    from weasyprint import HTML  # heavy: imported when a report is made

    html = report_html(subject, yardstick=yardstick)
    return HTML(string=html).write_pdf()


def report_filename(subject: ReportSubject) -> str:
    """``klimatrapport-<farm code>-<year>.pdf``, ASCII letters, digits and hyphens only."""
    code = unicodedata.normalize("NFKD", subject.farm_code).encode("ascii", "ignore").decode()
    code = re.sub(r"[^A-Za-z0-9]+", "-", code).strip("-") or "gard"
    return f"klimatrapport-{code}-{subject.year}.pdf"


def reports_zip(subjects: Sequence[ReportSubject]) -> bytes:
    """One PDF per subject (:func:`report_pdf`) in a zip, named by :func:`report_filename`.

    Two subjects with the same file name get ``-2``, ``-3`` … before ``.pdf``.
    """
    buf = io.BytesIO()
    seen: dict[str, int] = {}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for s in subjects:
            name = report_filename(s)
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name[:-4]}-{seen[name]}.pdf"
            zf.writestr(name, report_pdf(s))
    return buf.getvalue()


# -------------------------------------------------------- the reports of an import

MAX_ZIP_FARMS = 10
"""At most this many reports in one zip made during a request (about 2–8 s of WeasyPrint
each on one core, docs/report.md)."""


def import_farm_years(*, session: Session, user: Any, job_id: int) -> list[tuple[Farm, FarmYear]]:
    """The farms an import job stored, each with its newest calculated year of that import.

    The farm-years come from the audit log's entries of the job
    (``audit_log.job_id``) joined to the farm-years ``user`` may see
    (``web.store.access.farm_year_query_for``: access in the query), so a farm
    the user may no longer see is left out. In farm-code order.
    """
    stmt = (
        farm_year_query_for(user)
        .join(
            AuditEntry,
            and_(
                col(AuditEntry.farm_id) == col(FarmYear.farm_id),
                col(AuditEntry.year) == col(FarmYear.year),
            ),
        )
        .where(col(AuditEntry.job_id) == job_id, col(FarmYear.result).is_not(None))
        .distinct()
    )
    newest: dict[int, FarmYear] = {}
    for fy in session.exec(stmt).all():
        if fy.farm_id not in newest or fy.year > newest[fy.farm_id].year:
            newest[fy.farm_id] = fy
    farms = {f.id: f for f in session.exec(select(Farm).where(col(Farm.id).in_(newest))).all()}
    pairs = [(farms[i], fy) for i, fy in newest.items()]
    return sorted(pairs, key=lambda p: (p[0].farm_code, p[0].id))
