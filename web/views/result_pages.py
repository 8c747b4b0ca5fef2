"""A farm-year's result for the farmer, and a farm's years side by side.

``GET /farms/<id>/years/<year>/result`` shows the *stored* result (a page
view never calculates); ``POST`` to the same address calculates the stored
record again (``crud.calculate_farm_year``) with the factor set and GWP the
year used, and redirects back. ``GET /farms/<id>/compare`` puts the farm's
years in columns. Every farm-year is loaded with the access-checked query
(``access.get_farm_year_for``): a farm the user may not see answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from farmcalc.errors import ValidationError
from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP, available_factor_sets
from farmcalc.labels import label
from web.language import current_lang, number
from web.services.change_chart import Change, change_chart
from web.services.charts import Bar, bar_chart
from web.services.factor_guide import common_key
from web.services.farm_ranges import FarmRanges, farm_year_ranges
from web.services.farm_report import (  # noqa: F401  (some names: other views import them here)
    MIN_MEASURE_KG,
    all_measure_savings,
    by_source,
    gas_label,
    measure_savings_for,
    percent,
    report_filename,
    report_pdf,
    result_context,
    subject_of_farm_year,
    tonnes,
)
from web.store import crud
from web.store.access import get_farm_year_for
from web.store.db import get_session
from web.store.models import FarmYear
from web.views.factor_pages import describe as describe_factor
from web.views.factor_pages import factor_anchor, group_anchor
from web.views.farm_pages import farm_or_404

bp = Blueprint("results", __name__, url_prefix="/farms")

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
TOP_UNCERTAIN = 5  # factor groups shown under "what makes the result uncertain"
TOP_SOURCES = 3  # the largest sources at the top of the page (issue 16)
TOP_MEASURES = 3  # the measures at the top of the page (issue 16)

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
        fset = result.get("factor_set") or fy.factor_set
        factors_url = (
            url_for("factors.factor_set", name=fset) if fset in available_factor_sets() else None
        )

        def href_for(source: str) -> str | None:
            group = SOURCE_FACTOR_GROUP.get(source)
            return f"{factors_url}#{group_anchor(group)}" if factors_url and group else None

        ctx.update(
            result_context(
                result,
                factor_set=fset,
                factor_set_version=result.get("factor_set_version") or fy.factor_set_version,
                gwp=result.get("gwp") or fy.gwp,
                measure_pairs=all_measure_savings(fy, result),
                href_for=href_for,
            ),
            factors_url=factors_url,
            calculated_at=fy.calculated_at,
            report_url=url_for("results.report", farm_id=farm.id, year=year),
            ranges=ranges_context(farm_year_ranges(fy), factors_url),
            top_measures=TOP_MEASURES,
        )
        ctx["top_sources"] = [
            {"label": s.label, "tonnes": tonnes(s.co2e_kg), "share": percent(s.share)}
            for s in ctx["sources"][:TOP_SOURCES]
        ]
    return render_template("results/show.html", **ctx)


def _t_range(low: float | None, high: float | None) -> dict[str, str]:
    return {"low": tonnes(low), "high": tonnes(high)}


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
    u = fr.as_dict(top=TOP_UNCERTAIN)
    lang = current_lang()
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
        "soil": _t_range(soil["p2_5"], soil["p97_5"]) if soil else None,
        "draws": number(u["draws"], "#,##0"),
        "seed": u["seed"],
        "seconds": number(fr.seconds, "0.00"),
        "total": _t_range(tot["p2_5"], tot["p97_5"]),
        "net": _t_range(net["p2_5"], net["p97_5"]),
        "sources": sources,
        "factors": factors,
    }


@bp.route("/<int:farm_id>/years/<int:year>/report.pdf")
@login_required
def report(farm_id: int, year: int) -> Response:
    """The farm-year's climate report as a PDF (web/services/farm_report.py).

    The farm-year is loaded with the same access-checked query as the result
    page: a farm the user may not see is 404. A year without a result goes
    to the result page, which says what to do.
    """
    farm = farm_or_404(farm_id)
    fy = _farm_year(farm.id, year)
    subject = subject_of_farm_year(farm, fy) if fy is not None else None
    if subject is None:
        return redirect(url_for("results.show", farm_id=farm.id, year=year))
    return pdf_response(report_pdf(subject), report_filename(subject))


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF download: ``Content-Disposition: attachment`` with ``filename``."""
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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
    sources = sorted(order, key=lambda s: -order[s])
    # the change from the year before the latest calculated year to the latest (issue 16)
    before, after = (calculated[-2], calculated[-1]) if len(calculated) >= 2 else (None, None)

    def change(key: str, source: str | None = None) -> dict[str, Any] | None:
        if before is None or after is None:
            return None
        if source is not None:
            old, new = before["sources"].get(source, 0.0), after["sources"].get(source, 0.0)
        else:
            old, new = before["result"]["totals"].get(key), after["result"]["totals"].get(key)
        if old is None or new is None:
            return None
        return _change(old, new)

    source_rows = [
        (
            label(s, lang),
            [tonnes(c["sources"].get(s, 0.0)) if c["result"] else "–" for c in cols],
            change("", s),
        )
        for s in sources
    ]
    changes = {key: change(key) for key in ("co2e_kg", "soil_carbon_co2e_kg", "net_co2e_kg")}
    settings = sorted({c["setting"] for c in calculated}, key=str)
    chart = None
    if before is not None and after is not None:
        rows = [
            Change(
                label=name,
                value=ch["kg"],
                text=ch["text"],
                cells=(ch["t"], ch["pct"] or "–", ch["word"]),
            )
            for name, _values, ch in source_rows
            if ch is not None
        ]
        title = gettext(
            "Change per source from %(before)s to %(after)s, tonnes CO2e",
            before=before["year"],
            after=after["year"],
        )
        chart = change_chart(
            rows,
            chart_id="chart-years",
            title=title,
            desc=", ".join(f"{r.label}: {r.text}" for r in rows),
            headers=(gettext("Source"), gettext("t CO2e"), gettext("Per cent"), gettext("Change")),
            show_table=gettext("Show as a table"),
        )
    elif calculated:
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
        before=before,
        after=after,
        changes=changes,
    )


def _change(old_kg: float, new_kg: float) -> dict[str, Any]:
    """A change from one year to the next: t CO2e, per cent of the earlier year and a word."""
    kg = new_kg - old_kg
    plus = "+" if round(kg / 1000.0, 1) > 0 else ""  # a rise reads +1,2 (a fall −1,2)
    pct = None if old_kg == 0 else plus + number(100.0 * kg / abs(old_kg), "#,##0") + "\u00a0%"
    rounded = round(kg / 1000.0, 1)
    word = (
        gettext("unchanged") if rounded == 0 else gettext("lower") if kg < 0 else gettext("higher")
    )
    t = plus + tonnes(kg)
    text = (
        gettext("%(t)s t (%(pct)s), %(word)s", t=t, pct=pct, word=word)
        if pct
        else gettext("%(t)s t, %(word)s", t=t, word=word)
    )
    return {"kg": kg, "t": t, "pct": pct, "word": word, "text": text}
