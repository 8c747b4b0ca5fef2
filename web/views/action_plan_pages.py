"""The farm's action plan: measures, the year each starts, and what the plan saves and costs.

``GET /farms/<id>/years/<year>/plan`` shows the farm-year's stored plan (the
form and the figures); ``POST`` to the same address checks and stores it and
redirects back. The API has the same at ``/api/v1/farms/<id>/years/<year>/plan``
(web/views/api_v1.py). The farm-year is loaded with the access-checked query
(``access.get_farm_year_for``), exactly as the result page: another user's
farm answers 404.

The figures are worked out from the stored record with the factor set and GWP
of the stored result, in one batch calculation (``farmcalc.steering.action_plan``);
nothing of them is stored. A plan is only worked out for a calculated year
that has not changed since (not a draft).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlmodel import Session
from werkzeug.wrappers import Response

from farmcalc.errors import FactorError
from farmcalc.factors import DEFAULT_GWP, available_factor_sets
from farmcalc.inputs.issues import ERROR
from farmcalc.inputs.tables import FarmTables, records_to_tables
from farmcalc.steering.action_plan import (
    LAST_YEAR,
    TARGET_YEAR,
    PlanStep,
    abatement_curve,
    applicable_measures,
    plan_figures,
)
from farmcalc.steering.costs import MONEY_ITEMS, SHARE_ITEMS, catalogue, discount_rate_row
from farmcalc.steering.measures import ALL_MEASURES, describe
from web.language import current_lang, number
from web.services.charts import CostBar, cost_curve
from web.services.farm_report import kr, kr_per_t, percent, tonnes, years_text
from web.services.unit_text import unit_text
from web.store import audit
from web.store.access import get_farm_year_for
from web.store.db import get_session
from web.store.models import AuditAction, Farm, FarmYear, FarmYearPlan, utcnow
from web.views.farm_pages import farm_or_404

bp = Blueprint("action_plan", __name__, url_prefix="/farms")

EMPTY_ROWS = 3
"""Empty rows the form offers after the stored measures."""


# ------------------------------------------------------------------ storage


def stored_plan(*, session: Session, farm_year: FarmYear) -> FarmYearPlan | None:
    """The farm-year's plan row (the farm-year was loaded with the access check)."""
    return session.get(FarmYearPlan, (farm_year.farm_id, farm_year.year))


def plan_steps(plan: FarmYearPlan | None) -> list[PlanStep]:
    """The stored steps, in their order."""
    if plan is None:
        return []
    return [PlanStep(s["measure"], int(s["start_year"])) for s in plan.steps]


def store_plan(
    *, session: Session, farm_year: FarmYear, steps: Sequence[PlanStep], user_id: int | None
) -> FarmYearPlan:
    """Store ``steps`` (already checked: :func:`check_steps`) as the farm-year's plan."""
    plan = stored_plan(session=session, farm_year=farm_year) or FarmYearPlan(
        farm_id=farm_year.farm_id, year=farm_year.year
    )
    plan.steps = [{"measure": s.measure, "start_year": s.start_year} for s in steps]
    plan.updated_by_id = user_id
    plan.updated_at = utcnow()
    session.add(plan)
    farm = session.get(Farm, farm_year.farm_id)
    if farm is not None:  # the audit log (web/store/audit.py), in the same transaction
        audit.record(session, farm=farm, year=farm_year.year, action=AuditAction.plan_saved)
    session.commit()
    session.refresh(plan)
    return plan


# ------------------------------------------------------------------ checks


def start_years(year: int) -> list[int]:
    """The years a measure may start in: the farm-year's year to :data:`LAST_YEAR`."""
    return list(range(year, LAST_YEAR + 1))


def check_steps(
    rows: Sequence[Mapping[str, Any]], *, year: int, applicable: Sequence[str]
) -> tuple[list[PlanStep], dict[tuple[int, str], str]]:
    """Check a plan's rows; the steps and the problems, each at its row and field.

    Parameters
    ----------
    rows : sequence of mapping
        ``{"measure": id, "start_year": int}`` in the stated order.
    year : int
        The farm-year's year: no measure starts before it.
    applicable : sequence of str
        The measures that change this farm.

    Returns
    -------
    steps, problems
        ``problems`` maps ``(row index, "measure" | "start_year")`` to a message
        in the reader's language; the steps are only to be stored when it is empty.
    """
    problems: dict[tuple[int, str], str] = {}
    steps: list[PlanStep] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        measure = row.get("measure")
        start = row.get("start_year")
        if not isinstance(measure, str) or measure not in ALL_MEASURES:
            problems[(i, "measure")] = gettext("Choose a measure from the list.")
        elif measure not in applicable:
            problems[(i, "measure")] = gettext(
                "This measure does not apply to the farm with this year's figures."
            )
        elif measure in seen:
            problems[(i, "measure")] = gettext(
                "This measure is already in the plan: choose each measure once."
            )
        if isinstance(measure, str):
            seen.add(measure)
        if start is None or start == "":
            problems[(i, "start_year")] = gettext("Choose the year the measure starts.")
        elif isinstance(start, bool) or not isinstance(start, int):
            problems[(i, "start_year")] = gettext("Write the start year as a year, such as 2027.")
        elif start < year:
            problems[(i, "start_year")] = gettext(
                "The measure cannot start before %(year)d, the year of the farm's figures.",
                year=year,
            )
        elif start > LAST_YEAR:
            problems[(i, "start_year")] = gettext(
                "The measure must start in %(last)d at the latest.", last=LAST_YEAR
            )
        if not any(k[0] == i for k in problems):
            steps.append(PlanStep(str(measure), int(start)))  # type: ignore[arg-type]
    return steps, problems


def _int_or_text(text: str) -> int | str:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 6 else text


def form_rows(form: Mapping[str, str]) -> list[dict[str, Any]]:
    """The form's rows (``measure-<i>``, ``start-<i>``); a row with neither is left out."""
    rows = []
    i = 0
    while f"measure-{i}" in form or f"start-{i}" in form:
        measure = form.get(f"measure-{i}", "").strip()
        start = form.get(f"start-{i}", "").strip()
        if measure or start:
            rows.append({"measure": measure or None, "start_year": _int_or_text(start), "row": i})
        i += 1
    return rows


# ------------------------------------------------------------------ figures


def plan_input(fy: FarmYear) -> tuple[FarmTables, str, str] | None:
    """The farm-year's tables, factor set and GWP for a plan; None if it cannot be worked out.

    None for a year without a result, a draft (changed since its result), a
    record that no longer validates or a factor set that is gone.
    """
    result = fy.result
    if fy.is_draft or not fy.record or not result:
        return None
    fset = result.get("factor_set") or fy.factor_set
    gwp = result.get("gwp") or fy.gwp or DEFAULT_GWP
    if fset not in available_factor_sets():
        return None
    tables, issues = records_to_tables([fy.record], strict=False)
    if any(i.severity == ERROR for i in issues):
        return None
    return tables, fset, gwp


def figures_for(
    fy: FarmYear, steps: Sequence[PlanStep], given: tuple[FarmTables, str, str] | None = None
) -> dict[str, Any] | None:
    """``plan_figures`` for the farm-year (None: see :func:`plan_input`).

    ``given`` is :func:`plan_input`'s answer when the caller has it already.
    """
    given = given or plan_input(fy)
    if given is None:
        return None
    tables, fset, gwp = given
    try:
        return plan_figures(tables, steps, first_year=fy.year, factors=fset, gwp=gwp)
    except (FactorError, ValueError):
        return None


def applicable_for(
    fy: FarmYear, given: tuple[FarmTables, str, str] | None = None
) -> tuple[str, ...]:
    """The measures of ``ALL_MEASURES`` that change this farm-year's farm.

    Kept per farm-year and calculation (:data:`_APPLICABLE`): a calculated
    year's record does not change without a new calculation (a change makes
    it a draft, for which nothing applies until it is calculated again).
    """
    given = given or plan_input(fy)
    if given is None:
        return ()
    tables, fset, _gwp = given
    key = (fy.farm_id, fy.year, str(fy.calculated_at), fset)
    if key not in _APPLICABLE:
        try:
            found = tuple(applicable_measures(tables, ALL_MEASURES, factors=fset))
        except (FactorError, ValueError):
            return ()
        if len(_APPLICABLE) >= APPLICABLE_CACHE_SIZE:
            _APPLICABLE.pop(next(iter(_APPLICABLE)))  # the oldest
        _APPLICABLE[key] = found
    return _APPLICABLE[key]


APPLICABLE_CACHE_SIZE = 1024
_APPLICABLE: dict[tuple[int, int, str, str], tuple[str, ...]] = {}


# ------------------------------------------------------------------ formatting


def value_text(row: Mapping[str, Any]) -> str:
    """A catalogue value as a farmer reads it: kronor, per cent or years."""
    item, value = row["item"], row["value"]
    if item in MONEY_ITEMS:
        return kr(value)
    if item in SHARE_ITEMS:
        return number(100.0 * value, "#,##0.#") + "\u00a0%"
    if item == "lifetime_years":
        return gettext("%(n)s years", n=number(value, "#,##0.#"))
    return number(value, "#,##0.###") + "\u00a0" + unit_text(row["unit"])


def title_of(measure: str) -> str:
    """The measure's title in the reader's language (worked out once per request)."""
    titles = g.setdefault("measure_titles", {})
    if measure not in titles:
        titles[measure] = describe(measure, current_lang())["title"]
    return titles[measure]


def assumptions(measures: Sequence[str]) -> list[dict[str, Any]]:
    """Per measure of the plan: what it assumes and its cost rows, sourced or assumed."""
    lang = current_lang()
    rows = {c["id"]: c for c in catalogue(lang, measures)}
    out = []
    for m in measures:
        costs = [{**c, "value_text": value_text(c)} for c in rows[m]["costs"]]
        out.append(
            {"title": title_of(m), "assumption": describe(m, lang)["assumption"], "costs": costs}
        )
    return out


def curve_chart(steps: Sequence[Mapping[str, Any]]):
    """The farm's marginal abatement cost curve (:func:`web.services.charts.cost_curve`)."""
    bars = [
        CostBar(
            number=i + 1,
            label=title_of(s["measure"]),
            width=s["marginal_co2e_kg_saved"] / 1000.0,
            height=s["sek_per_t_co2e"],
            cells=(tonnes(s["marginal_co2e_kg_saved"]), kr_per_t(s["sek_per_t_co2e"])),
            text=kr(s["sek_per_t_co2e"]),
        )
        for i, s in enumerate(abatement_curve(steps))
    ]
    if not bars:
        return None
    return cost_curve(
        bars,
        chart_id="chart-macc",
        title=gettext("What each tonne costs: the plan's measures, cheapest first"),
        desc="; ".join(f"{b.number}. {b.label}: {b.cells[0]} t, {b.cells[1]}" for b in bars),
        y_title=gettext("kr per tonne CO2e"),
        x_title=gettext("tonnes CO2e saved per year →"),
        headers=(gettext("Climate measure"), gettext("t CO2e per year"), gettext("kr per tonne")),
        show_table=gettext("The figures of the chart"),
    )


def _money(r: dict[str, Any]) -> dict[str, str]:
    """The cost figures of a step or of the whole plan, formatted for the page."""
    return {
        "cost": kr(r["annual_cost_sek"]),
        "cost_before": kr(r["annual_cost_before_support_sek"]),
        "investment": kr(r["investment_sek"]),
        "support": kr(r["investment_support_sek"]),
        "annual_support": kr(r["annual_support_sek"]),
        "per_t": kr_per_t(r["sek_per_t_co2e"]),
        "payback": years_text(r["payback_years"]),
    }


def page_figures(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The plan's figures, formatted for the page."""
    pkg = figures["package"]
    total = figures["co2e_kg"]
    rate = discount_rate_row(current_lang())
    steps = [
        {
            **s,
            "title": title_of(s["measure"]),
            "tonnes": tonnes(s["marginal_co2e_kg_saved"]),
            **_money(s),
        }
        for s in figures["steps"]
    ]
    years = [
        {
            "year": y["year"],
            "tonnes": tonnes(y["co2e_kg_saved"]),
            "cost": kr(y["annual_cost_sek"]),
            "cost_before": kr(y["annual_cost_before_support_sek"]),
            "target": y["year"] == TARGET_YEAR,
        }
        for y in figures["years"]
    ]
    return {
        "saved": tonnes(pkg["co2e_kg_saved"]),
        "saves": pkg["co2e_kg_saved"] > 0,
        "share": percent(100.0 * pkg["co2e_kg_saved"] / total) if total > 0 else None,
        **_money(pkg),
        "per_t_before": kr_per_t(pkg["sek_per_t_co2e_before_support"]),
        "to_target": tonnes(figures["co2e_kg_saved_to"][str(TARGET_YEAR)]),
        "to_last": tonnes(figures["co2e_kg_saved_to"][str(LAST_YEAR)]),
        "steps": steps,
        "years": years,
        "curve": curve_chart(figures["steps"]),
        "no_saving": [s for s in steps if s["marginal_co2e_kg_saved"] <= 0],
        "assumptions": assumptions([s["measure"] for s in figures["steps"]]),
        "discount_rate": rate,
        "discount_rate_text": number(100.0 * rate["value"], "#,##0.#") + "\u00a0%",
    }


# --------------------------------------------------------------------- views


def measure_ranges(fy: FarmYear, measures: Sequence[str]) -> dict[str, Any] | None:
    """Each of the plan's measures on its own with its 95 % ranges (issue 13), from the
    farm-year's cached uncertainty run (``web.services.farm_ranges.measure_ranges``, which
    the climate report uses too). None when the year has no ranges."""
    from web.services.farm_ranges import farm_year_ranges
    from web.services.farm_ranges import measure_ranges as ranges_of

    return ranges_of(farm_year_ranges(fy), measures)


def _farm_year(farm_id: int, year: int) -> tuple[Farm, FarmYear | None]:
    """The farm (404 if the user may not see it) and its year (None: no data for the year)."""
    farm = farm_or_404(farm_id)
    fy = get_farm_year_for(session=get_session(), user=current_user, farm_id=farm.id, year=year)
    return farm, fy


def _render(
    farm: Farm,
    year: int,
    fy: FarmYear | None,
    rows: Sequence[Mapping[str, Any]],
    problems: Mapping[tuple[int, str], str],
    status: int = 200,
) -> tuple[str, int]:
    given = plan_input(fy) if fy is not None else None
    calculable = given is not None
    applicable = applicable_for(fy, given) if fy is not None and given else ()
    steps = plan_steps(stored_plan(session=get_session(), farm_year=fy)) if fy else []
    figures = figures_for(fy, steps, given) if fy is not None and steps and given else None
    n_rows = min(len(ALL_MEASURES), max(len(rows), len(steps)) + EMPTY_ROWS)
    form_rows_ = [
        {
            "measure": rows[i].get("measure") if i < len(rows) else "",
            "start_year": rows[i].get("start_year") if i < len(rows) else "",
            "measure_error": problems.get((i, "measure")),
            "start_error": problems.get((i, "start_year")),
        }
        for i in range(n_rows)
    ]
    html = render_template(
        "plan/show.html",
        farm=farm,
        fy=fy,
        year=year,
        calculable=calculable,
        choices=[(m, title_of(m)) for m in applicable],
        start_years=start_years(year),
        rows=form_rows_,
        problems=problems,
        plan=page_figures(figures) if figures else None,
        ranges=measure_ranges(fy, [st.measure for st in steps]) if figures else None,
        target_year=TARGET_YEAR,
        last_year=LAST_YEAR,
    )
    return html, status


@bp.route("/<int:farm_id>/years/<int:year>/plan")
@login_required
def show(farm_id: int, year: int) -> tuple[str, int]:
    farm, fy = _farm_year(farm_id, year)
    steps = plan_steps(stored_plan(session=get_session(), farm_year=fy)) if fy else []
    rows = [{"measure": s.measure, "start_year": s.start_year} for s in steps]
    return _render(farm, year, fy, rows, {})


@bp.route("/<int:farm_id>/years/<int:year>/plan", methods=["POST"])
@login_required
def save(farm_id: int, year: int) -> Response | tuple[str, int]:
    farm, fy = _farm_year(farm_id, year)
    given = plan_input(fy) if fy is not None else None
    if fy is None or given is None:
        flash(
            gettext("Calculate the year's result first: the plan is worked out from it."), "error"
        )
        return redirect(url_for("action_plan.show", farm_id=farm.id, year=year))
    rows = form_rows(request.form)
    steps, found = check_steps(rows, year=fy.year, applicable=applicable_for(fy, given))
    if found:
        # the messages at the rows as the form shows them (empty rows are left out)
        at_form = {(rows[i]["row"], f): msg for (i, f), msg in found.items()}
        by_row = {r["row"]: r for r in rows}
        shown = [by_row.get(i, {}) for i in range(max(by_row) + 1)]
        return _render(farm, year, fy, shown, at_form, status=422)
    store_plan(session=get_session(), farm_year=fy, steps=steps, user_id=current_user.id)
    flash(gettext("The plan has been saved."), "success")
    return redirect(url_for("action_plan.show", farm_id=farm.id, year=year))
