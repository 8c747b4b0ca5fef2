"""A farm-year's result for the farmer, and a farm's years side by side.

``GET /farms/<id>/years/<year>/result`` shows the *stored* result (a page
view never calculates); ``POST`` to the same address calculates the stored
record again (``crud.calculate_farm_year``) with the factor set and GWP the
year used, and redirects back. ``GET /farms/<id>/compare`` puts the farm's
years in columns. Every farm-year is loaded with the access-checked query
(``access.get_farm_year_for``): a farm the user may not see answers 404.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from farmcalc.api import INTENSITY_TEXT
from farmcalc.errors import FactorError, ValidationError
from farmcalc.factors import (
    DEFAULT_FACTOR_SET,
    DEFAULT_GWP,
    available_factor_sets,
    load_factor_set,
)
from farmcalc.inputs.issues import ERROR
from farmcalc.inputs.tables import records_to_tables
from farmcalc.labels import label
from farmcalc.steering.measures import ALL_MEASURES, describe, measure_savings
from web.language import current_lang, number
from web.services.charts import Bar, bar_chart
from web.store import crud
from web.store.access import get_farm_year_for
from web.store.db import get_session
from web.store.models import FarmYear
from web.store.totals_query import stored_measure_savings
from web.views.factor_pages import group_anchor
from web.views.farm_pages import farm_or_404

bp = Blueprint("results", __name__, url_prefix="/farms")

SOIL_CARBON = "soil_carbon"
GAS_ORDER = ("CH4", "N2O", "CO2", "CO2e")
# The topic of the factor page (#g-…) that holds each source's factors.
SOURCE_FACTOR_GROUP = {
    "enteric_fermentation": "enteric",
    "manure_management": "manure",
    "soils_direct_n2o": "soils",
    "soils_indirect_n2o": "soils",
    "organic_soils": "organic_soils",
    "liming": "lime",
    "urea": "urea",
    "fuel": "fuel",
    "electricity": "electricity",
    "heating": "district_heating",
    "fertiliser_production": "fertiliser_production",
}
MAX_ISSUES_SHOWN = 5

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


def source_chart(sources: list[SourceShare], total_kg: float, factors_url: str | None):
    bars = [
        Bar(
            label=s.label,
            value=s.co2e_kg,
            text=gettext("%(t)s t", t=tonnes(s.co2e_kg)) + " · " + percent(s.share),
            cells=(tonnes(s.co2e_kg), percent(s.share)),
            href=(
                f"{factors_url}#{group_anchor(SOURCE_FACTOR_GROUP[s.source])}"
                if factors_url and s.source in SOURCE_FACTOR_GROUP
                else None
            ),
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
    stored result (``farmcalc.steering.measures.measure_savings``, every measure of
    ``ALL_MEASURES``), or read from the farm-year's totals row when it is
    fresh; the result itself is never recalculated. A negative saving is a
    measure that would raise the emissions. ``None`` when the record has
    changed since the result (a draft) or no longer validates: the page then
    says to calculate again.
    """
    if fy.is_draft or not fy.record or not result:
        return None
    stored = stored_measure_savings(session=get_session(), farm_year=fy)
    if stored is not None:  # the municipality's totals row keeps them: read, not worked out
        return list(stored.items())
    fset = result.get("factor_set") or fy.factor_set
    gwp = result.get("gwp") or fy.gwp or DEFAULT_GWP
    if fset not in available_factor_sets():
        return None
    tables, issues = records_to_tables([fy.record], strict=False)
    if any(i.severity == ERROR for i in issues):
        return None
    try:
        saved = measure_savings(tables, factors=fset, gwp=gwp, measures=ALL_MEASURES)
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
    """The measures as the result page shows them: those that save, those that would not.

    The first list is :func:`measure_savings_for` (title, explanation,
    assumption, tonnes and share of the emissions); the second the measures
    that apply to the farm but would raise its emissions by at least
    ``MIN_MEASURE_KG`` (a wetland's methane, a catch crop's residue N), each
    with its title and the tonnes it would add, so that the page never lists
    them as savings.
    """
    pairs = all_measure_savings(fy, result)
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


# --------------------------------------------------------------------- views


def _form_url(farm_id: int, year: int | None) -> str | None:
    """The farm form (views/year_form.py): the year's summary, or "start a year" without one."""
    endpoint = "farmyear.summary" if year is not None else "farmyear.start"
    if endpoint not in current_app.view_functions:
        return None
    if year is None:
        return url_for(endpoint, farm_id=farm_id)
    return url_for(endpoint, farm_id=farm_id, year=year)


def _farm_year(farm_id: int, year: int) -> FarmYear | None:
    return get_farm_year_for(session=get_session(), user=current_user, farm_id=farm_id, year=year)


@bp.route("/<int:farm_id>/years/<int:year>/result")
@login_required
def show(farm_id: int, year: int) -> str:
    farm = farm_or_404(farm_id)
    fy = _farm_year(farm.id, year)
    result = fy.result if fy is not None else None
    ctx: dict[str, Any] = {
        "farm": farm,
        "year": year,
        "fy": fy,
        "result": result,
        "form_url": _form_url(farm.id, year if fy is not None else None),
    }
    if result:
        totals = result["totals"]
        sources = by_source(result)
        fset = result.get("factor_set") or fy.factor_set
        factors_url = (
            url_for("factors.factor_set", name=fset) if fset in available_factor_sets() else None
        )
        now_version = current_version(fset)
        measures = measures_for(fy, result)
        used_version = result.get("factor_set_version") or fy.factor_set_version
        ctx.update(
            total=tonnes(totals["co2e_kg"]),
            net=tonnes(totals["net_co2e_kg"]),
            soil=soil_carbon(result),
            sources=sources,
            source_chart=source_chart(sources, totals["co2e_kg"], factors_url),
            gas_chart=gas_chart(by_gas(result)),
            advice=advice_for(sources),
            measures=measures[0],
            raising_measures=measures[1],
            intensities=intensities(result),
            factor_set=fset,
            factor_set_version=used_version,
            gwp=result.get("gwp") or fy.gwp,
            factors_url=factors_url,
            now_version=now_version,
            outdated=bool(now_version and used_version and now_version != used_version),
            notes=result.get("notes", []),
            warnings=result.get("warnings", []),
            scope3=tonnes(totals.get("scope3_co2e_kg")),
            views=count_views(result),
        )
    return render_template("results/show.html", **ctx)


@bp.route("/<int:farm_id>/years/<int:year>/result", methods=["POST"])
@login_required
def recalculate(farm_id: int, year: int) -> Response:
    farm = farm_or_404(farm_id)
    fy = _farm_year(farm.id, year)
    back = redirect(url_for("results.show", farm_id=farm.id, year=year))
    if fy is None:
        flash(gettext("There is nothing to calculate: fill in the year first."), "error")
        return back
    factors = fy.factor_set if fy.factor_set in available_factor_sets() else DEFAULT_FACTOR_SET
    try:
        crud.calculate_farm_year(
            session=get_session(),
            farm_year=fy,
            factors=factors,
            gwp=fy.gwp or DEFAULT_GWP,
            locale=current_lang(),
        )
    except ValidationError as exc:
        get_session().rollback()
        lang = current_lang()
        issues = [i.message(lang) for i in exc.issues[:MAX_ISSUES_SHOWN]]
        more = len(exc.issues) - len(issues)
        text = gettext("The result could not be calculated. Correct the farm's data:")
        flash(" ".join([text, "; ".join(issues)]), "error")
        if more > 0:
            flash(gettext("… and %(n)s more problems.", n=more), "error")
        return back
    flash(gettext("The result has been calculated again."), "success")
    return back


def _year_column(fy: FarmYear) -> dict[str, Any]:
    r = fy.result
    col: dict[str, Any] = {"fy": fy, "year": fy.year, "result": r}
    if not r:
        return col
    t = r["totals"]
    inten = {i["id"]: i for i in r.get("intensities", [])}
    col.update(
        total=tonnes(t["co2e_kg"]),
        total_kg=t["co2e_kg"],
        soil=tonnes(t.get("soil_carbon_co2e_kg")),
        net=tonnes(t["net_co2e_kg"]),
        per_ha=number(inten.get("per_ha", {}).get("value"), "#,##0"),
        per_ecm=(
            number(inten["per_kg_ecm"]["value"], "#,##0.00") if "per_kg_ecm" in inten else None
        ),
        sources={s.source: s.co2e_kg for s in by_source(r)},
        setting=(r.get("factor_set"), r.get("factor_set_version"), r.get("gwp")),
    )
    return col


@bp.route("/<int:farm_id>/compare")
@login_required
def compare(farm_id: int) -> str:
    farm = farm_or_404(farm_id)
    years = crud.farm_years_of(session=get_session(), farm=farm)
    cols = [_year_column(fy) for fy in years]
    calculated = [c for c in cols if c["result"]]
    # source rows: every source of any year, the latest year's largest first
    order: dict[str, float] = {}
    for c in reversed(calculated):
        for s, v in c["sources"].items():
            order.setdefault(s, v)
    lang = current_lang()
    source_rows = [
        (label(s, lang), [tonnes(c["sources"].get(s, 0.0)) if c["result"] else "–" for c in cols])
        for s in sorted(order, key=lambda s: -order[s])
    ]
    settings = sorted({c["setting"] for c in calculated}, key=str)
    chart = None
    if calculated:
        bars = [
            Bar(
                label=str(c["year"]),
                value=c["total_kg"],
                text=gettext("%(t)s t CO2e", t=c["total"]),
                cells=(c["total"],),
            )
            for c in calculated
        ]
        chart = bar_chart(
            bars,
            chart_id="chart-years",
            title=gettext("Emissions per year, tonnes CO2e"),
            desc=", ".join(f"{b.label}: {b.text}" for b in bars),
            headers=(gettext("Year"), gettext("t CO2e")),
            show_table=gettext("Show as a table"),
        )
    return render_template(
        "results/compare.html",
        farm=farm,
        cols=cols,
        source_rows=source_rows,
        settings=settings,
        mixed=len(settings) > 1,
        any_draft=any(c["fy"].is_draft and c["result"] for c in cols),
        chart=chart,
    )
