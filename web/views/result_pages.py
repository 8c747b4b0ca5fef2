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
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from farmcalc.errors import ValidationError
from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP, available_factor_sets
from farmcalc.labels import label
from web.language import current_lang, number
from web.services.change_chart import Change, change_chart
from web.services.charts import Bar, bar_chart
from web.services.factor_words import group_anchor
from web.services.farm_ranges import farm_year_ranges, ranges_context
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
TOP_SOURCES = 3  # the largest sources at the top of the page (issue 16)
TOP_MEASURES = 3  # the measures at the top of the page (issue 16)

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
