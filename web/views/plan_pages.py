"""The municipality's climate investment plan: named adoption scenarios and their projection.

``/municipality/plan/`` lists the municipality's saved scenarios; ``new`` and
``<id>/edit`` make and change one (a grid of adoption shares per measure and
year, checked by :func:`farmcalc.municipality.investment_plan.parse_scenario`: every
problem is shown at its field and nothing is stored); ``<id>`` shows the
projection (:func:`web.services.plan_data.project_scenario`);
``compare?ids=…`` puts 2–4 scenarios side by side; ``<id>/delete`` asks and
deletes; ``<id>/export.xlsx`` and ``compare.xlsx?ids=…`` are the workbooks
(:func:`farmcalc.municipality.plan_workbook.plans_workbook`).

Access is the dashboard's (:func:`web.views.municipality.aggregates_only`): the
municipality role and admins; anybody else gets 404. The municipality is the
app's (``MUNICIPALITY_CODE``), never a form field: a scenario of another
municipality answers 404 as one that does not exist. Every figure shown has
passed the dashboard's disclosure rule inside ``project``. See
docs/municipality.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from farmcalc.municipality.investment_plan import (
    ALL_YEARS,
    PLAN_ORDER,
    SCENARIO_FORMAT,
    Scenario,
    ScenarioError,
    parse_scenario,
)
from farmcalc.municipality.summary import REASON_TEXT
from farmcalc.steering import economics
from farmcalc.steering.action_plan import LAST_YEAR, TARGET_YEAR
from web.hostile import MAX_INT
from web.language import current_lang, number
from web.services.charts import CostBar, cost_curve
from web.services.municipal_ranges import (
    fossil_range_allowed,
    plan_ranges,
    queue_package,
    stored_package,
)
from web.services.plan_data import (
    data_year_of,
    municipality_years,
    project_scenario,
    project_scenarios,
)
from web.services.trend_chart import Series, line_chart
from web.store.db import get_session
from web.store.models import ClimateScenario, utcnow
from web.views.action_plan_pages import title_of
from web.views.municipality import (
    MUNICIPALITY_NAMES,
    RATE,
    XLSX,
    aggregates_only,
    chance_text,
    municipality_code,
    rule_from_config,
    span_text,
)

bp = Blueprint("investment_plan", __name__, url_prefix="/municipality/plan")

MIN_COMPARE, MAX_COMPARE = 2, 4
"""How many scenarios the compare page puts side by side."""


# ------------------------------------------------------------------ formatting


MINUS = "\u2212"
"""The minus sign typography asks for (``−124``), not the hyphen ``-``."""


def whole(value: float | None) -> str:
    """A whole number with a true minus sign (``−1 234``); an en dash for None."""
    text = number(value, "#,##0")
    return MINUS + text[1:] if text.startswith("-") else text


def tonnes(value: float | None) -> str:
    """Whole tonnes (``1 234``), an en dash for a figure not shown."""
    return whole(value)


def signed_tonnes(value: float | None) -> str:
    """A difference in whole tonnes with its sign (``+124``, ``−572``, ``0``)."""
    text = whole(value)
    return "+" + text if value is not None and round(value) > 0 else text


def tkr(value: float | None) -> str:
    """Thousands of kronor (``1 234 tkr``)."""
    return "–" if value is None else gettext("%(n)s kSEK", n=whole(value))


def kr_per_t(value: float | None) -> str:
    """Kronor per tonne CO2e (``783 kr/t``)."""
    return "–" if value is None else gettext("%(n)s SEK/t", n=whole(value))


def pct(value: float | None) -> str:
    return "–" if value is None else number(value, "#,##0.#") + "\u00a0%"


def pct_input(value: Any) -> str:
    """A stored share [%] as the form shows it (decimal comma, no grouping)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return number(value, "0.##")


def reason_text(reason: str | None, min_farms: int) -> str:
    if not reason:
        return ""
    return gettext(REASON_TEXT[reason]).replace("{min_farms}", str(min_farms))


def municipality_name() -> str:
    code = municipality_code()
    return MUNICIPALITY_NAMES.get(code, gettext("municipality %(code)s", code=code))


# ------------------------------------------------------------------ storage


def scenarios() -> list[ClimateScenario]:
    """The municipality's saved scenarios, by name."""
    stmt = (
        select(ClimateScenario)
        .where(ClimateScenario.municipality_code == municipality_code())
        .order_by(ClimateScenario.name)
    )
    return list(get_session().exec(stmt).all())


def scenario_or_404(scenario_id: int) -> ClimateScenario:
    """The municipality's scenario ``scenario_id``; 404 for another municipality's or none."""
    row = get_session().get(ClimateScenario, scenario_id)
    if row is None or row.municipality_code != municipality_code():
        abort(404)
    return row


def stored_scenario(row: ClimateScenario) -> Scenario:
    """The stored document as a :class:`Scenario` (it was checked when it was saved)."""
    return parse_scenario(row.definition, current_lang())


def name_taken(name: str, scenario_id: int | None) -> bool:
    """Whether another scenario of the municipality has ``name``."""
    stmt = select(ClimateScenario.id).where(
        ClimateScenario.municipality_code == municipality_code(),
        ClimateScenario.name == name,
    )
    return any(i != scenario_id for i in get_session().exec(stmt).all())


def years_with_data() -> list[int]:
    """The years with calculated, confirmed farm-years in the municipality."""
    return municipality_years(session=get_session(), municipality_code=municipality_code())


# ------------------------------------------------------------------ the form


def field_id(path: str) -> str | None:
    """The form field of a problem's path (``shares_pct.hvo100.2027`` → ``share-hvo100-2027``).

    None for a problem that belongs to no field of the form (an unknown
    measure or year posted by hand): it is shown in the summary only.
    """
    if path in ("name", "description", "data_year", "base_year"):
        return path
    parts = path.split(".")
    if (
        len(parts) == 3
        and parts[0] == "shares_pct"
        and parts[1] in PLAN_ORDER
        and parts[2].isdigit()
        and int(parts[2]) in ALL_YEARS
    ):
        return f"share-{parts[1]}-{parts[2]}"
    return None


def form_doc(form: MultiDict) -> dict[str, Any]:
    """The scenario document of a posted form (``share-<measure>-<year>`` fields).

    Only the fields the form has are read: a posted ``municipality_code`` or
    ``id`` is ignored (the municipality is the app's).
    """
    shares: dict[str, dict[str, str]] = {}
    for key in form:
        if not key.startswith("share-"):
            continue
        measure, _, year = key.removeprefix("share-").rpartition("-")
        shares.setdefault(measure, {})[year] = form.get(key, "").strip()
    return {
        "format": SCENARIO_FORMAT,
        "name": form.get("name", "").strip(),
        "description": form.get("description", "").strip(),
        "data_year": form.get("data_year", "").strip() or None,
        "base_year": form.get("base_year", "").strip() or None,
        "shares_pct": shares,
    }


def check_form(
    doc: Mapping[str, Any], *, years: Sequence[int], scenario_id: int | None
) -> tuple[Scenario | None, dict[str, str]]:
    """The scenario, or the problems keyed by field path, in the reader's language.

    :func:`parse_scenario`'s checks, and the page's own: the data year and
    the base year are years with data; the name is not another scenario's.
    """
    problems: dict[str, str] = {}
    scenario = None
    try:
        scenario = parse_scenario(doc, current_lang())
    except ScenarioError as exc:
        problems.update(exc.problems)
    for key in ("data_year", "base_year"):
        value = doc.get(key)
        text = str(value)
        if (
            key not in problems
            and value
            and text.isascii()
            and text.isdigit()
            and int(text[:9]) not in years
        ):
            problems[key] = gettext(
                "There are no calculated farms for %(year)s: choose one of %(years)s.",
                year=value,
                years=", ".join(str(y) for y in years) or "–",
            )
    name = str(doc.get("name") or "").strip()
    if "name" not in problems and name and name_taken(name, scenario_id):
        problems["name"] = gettext(
            "The municipality already has a scenario called “%(name)s”: choose another name.",
            name=name,
        )
    return (None if problems else scenario), problems


def grid_rows(
    doc: Mapping[str, Any], problems: Mapping[str, str], plan: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """One row per measure: its title, farms and potential (when shown), and the year cells."""
    shares = doc.get("shares_pct") or {}
    by_measure = {m["measure"]: m for m in (plan or {}).get("measures", [])}
    rows = []
    for m in PLAN_ORDER:
        given = shares.get(m) or {}
        info = by_measure.get(m)
        cells = []
        for y in ALL_YEARS:
            fid = f"share-{m}-{y}"
            cells.append(
                {
                    "id": fid,
                    "year": y,
                    "value": pct_input(given.get(str(y), given.get(y))),
                    "error": problems.get(f"shares_pct.{m}.{y}"),
                }
            )
        rows.append(
            {
                "measure": m,
                "title": title_of(m),
                "shown": info is None or info["shown"],
                "farms": info.get("farms") if info else None,
                "potential": tonnes(abs(info["potential_t"])) if info and info["shown"] else None,
                "raises": bool(info and info["shown"] and info["potential_t"] < 0),
                "cells": cells,
            }
        )
    return rows


def render_form(
    doc: Mapping[str, Any],
    problems: Mapping[str, str],
    *,
    row: ClimateScenario | None,
    years: Sequence[int],
    status: int = 200,
) -> tuple[str, int]:
    """The new/edit page with the document's values and every problem at its field."""
    plan = None
    if years:
        # the measures' farms and potential (protected) for the grid's hints
        empty = Scenario(name="-", data_year=_int(doc.get("data_year")) or years[-1])
        plan = project_scenario(
            session=get_session(),
            municipality_code=municipality_code(),
            scenario=empty,
            rule=rule_from_config(),
        )
    summary = [{"id": field_id(path), "message": msg} for path, msg in problems.items() if msg]
    html = render_template(
        "investment_plan/form.html",
        row=row,
        doc=doc,
        problems=problems,
        summary=summary,
        grid=grid_rows(doc, problems, plan),
        years=years,
        plan_years=ALL_YEARS,
        last_year=LAST_YEAR,
        data_year=_int(doc.get("data_year")) or (years[-1] if years else None),
        base_year=_int(doc.get("base_year")),
        min_farms=rule_from_config().min_farms,
        name=municipality_name(),
    )
    return html, status


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip()[:9])  # "²" is a digit to isdigit(), not to int()
    return None


def save_form(row: ClimateScenario | None) -> Response | tuple[str, int]:
    """Check the posted form; store it (redirect to its page) or show it again with problems."""
    years = years_with_data()
    doc = form_doc(request.form)
    scenario, problems = check_form(doc, years=years, scenario_id=row.id if row else None)
    if scenario is None:
        return render_form(doc, problems, row=row, years=years, status=422)
    session = get_session()
    if row is None:
        row = ClimateScenario(
            name=scenario.name,
            definition=scenario.to_doc(),
            municipality_code=municipality_code(),
            created_by_id=current_user.id,
        )
    else:
        row.name, row.definition, row.updated_at = scenario.name, scenario.to_doc(), utcnow()
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # the same name saved a moment ago by somebody else
        session.rollback()
        problems = {
            "name": gettext(
                "The municipality already has a scenario called “%(name)s”: choose another name.",
                name=scenario.name,
            )
        }
        return render_form(doc, problems, row=row if row.id else None, years=years, status=422)
    flash(gettext("The scenario has been saved."), "success")
    return redirect(url_for(".show", scenario_id=row.id))


# ------------------------------------------------------------------ the figures


def projected(row: ClimateScenario) -> dict[str, Any] | None:
    """The stored scenario projected over the municipality's farms (None: no data)."""
    return project_scenario(
        session=get_session(),
        municipality_code=municipality_code(),
        scenario=stored_scenario(row),
        rule=rule_from_config(),
    )


def projected_many(rows: Sequence[ClimateScenario]) -> list[dict[str, Any] | None]:
    """Several stored scenarios projected, as :func:`projected` each, sharing the farms' data."""
    return project_scenarios(
        session=get_session(),
        municipality_code=municipality_code(),
        scenarios=[stored_scenario(r) for r in rows],
        rule=rule_from_config(),
    )


def _row(plan: Mapping[str, Any], year: int) -> dict[str, Any] | None:
    return next((r for r in plan["years"] if r["year"] == year), None)


def path_at(plan: Mapping[str, Any], year: int) -> float | None:
    """The path's fossil CO2 [t] in ``year`` (the base year's, falling by the plan's rate)."""
    base = plan["baseline"].get("fossil_co2_base_year_t")
    if base is None:
        return None
    return base * (1.0 - plan["path_rate"]) ** (year - plan["base_year"])


def headline(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The 2030 figures of the page's top: fossil CO2 against the path, the gap, the money."""
    target = _row(plan, TARGET_YEAR)
    gap = plan.get("gap_2030")
    out: dict[str, Any] = {"target": target is not None}
    if target is not None:
        out.update(
            fossil=tonnes(target["fossil_co2_t"]),
            path=tonnes(target["fossil_co2_path_t"]),
            saved=tonnes(target["co2e_t_saved"]),
            cost=tkr(target["annual_cost_ksek"]),
        )
    out["gap"] = gap
    out["gap_t"] = tonnes(gap["gap_t"]) if gap else None
    out["below_t"] = tonnes(-gap["gap_t"]) if gap and gap["gap_t"] < 0 else None
    out["investment"] = tkr(plan["totals"]["investment_ksek"])
    out["support"] = tkr(plan["totals"]["public_support_ksek"])
    return out


def fossil_chart(plan: Mapping[str, Any]) -> Markup:
    """Fossil CO2 per year (data year, then the scenario's years) against the path."""
    years = [plan["data_year"], *[r["year"] for r in plan["years"]]]
    fossil = [plan["baseline"]["fossil_co2_t"], *[r["fossil_co2_t"] for r in plan["years"]]]
    path = [path_at(plan, plan["data_year"]), *[r["fossil_co2_path_t"] for r in plan["years"]]]
    return line_chart(
        years,
        [
            Series(gettext("Fossil CO2 with the scenario (t)"), fossil, "trend--actual"),
            Series(
                gettext(
                    "Path: −%(rate)s %% a year from %(year)s", rate=RATE, year=plan["base_year"]
                ),
                path,
                "trend--path",
                dashed=True,
            ),
        ],
        chart_id="chart-plan-fossil",
        title=gettext(
            "Fossil CO2 with the scenario against the path of −%(rate)s %% a year", rate=RATE
        ),
        desc="; ".join(
            f"{y}: {tonnes(f)} t / {tonnes(p)} t"
            for y, f, p in zip(years, fossil, path, strict=True)
        ),
        fmt=tonnes,
    )


def year_table(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The figures per year: rows are figures, columns the data year and the scenario's years."""
    base = plan["baseline"]
    cols = [{"year": plan["data_year"], "data": True}] + [
        {"year": r["year"], "data": False} for r in plan["years"]
    ]
    rows_by_year = [None, *plan["years"]]

    def line(label: str, key: str, fmt: Any, base_value: Any = None, strong: bool = False):
        cells = [fmt(base_value) if base_value is not None else "–"]
        cells += [fmt(r[key]) for r in rows_by_year[1:]]
        return {"label": label, "cells": cells, "strong": strong}

    emissions = [
        line(gettext("Carbon dioxide (CO2)"), "co2_t", tonnes, base["co2_t"]),
        line(gettext("Methane (CH4)"), "ch4_t", tonnes, base["ch4_t"]),
        line(gettext("Nitrous oxide (N2O)"), "n2o_t", tonnes, base["n2o_t"]),
        line(gettext("All gases"), "co2e_t", tonnes, base["co2e_t"], strong=True),
        line(
            gettext("Less than in %(year)s", year=plan["data_year"]), "co2e_t_saved", tonnes, 0.0
        ),
    ]
    fossil = [
        line(gettext("Fossil CO2 (t)"), "fossil_co2_t", tonnes, base["fossil_co2_t"], True),
        line(gettext("Path (t)"), "fossil_co2_path_t", tonnes, path_at(plan, plan["data_year"])),
        line(gettext("Against the path (t; minus: below it)"), "fossil_co2_gap_t", signed_tonnes),
    ]
    money = [
        line(gettext("Investment in the year"), "investment_ksek", tkr),
        line(gettext("of which investment support"), "investment_support_ksek", tkr),
        line(gettext("Yearly cost after support"), "annual_cost_ksek", tkr),
        line(gettext("Yearly cost before support"), "annual_cost_before_support_ksek", tkr),
        line(gettext("Public support in the year"), "public_support_ksek", tkr),
    ]
    return {"cols": cols, "emissions": emissions, "fossil": fossil, "money": money}


def measure_rows(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The measures table: shown ones with their figures, hidden ones with the reason."""
    min_farms = int(plan["rule"]["min_farms"])
    target = str(TARGET_YEAR)
    out = []
    for r in plan["measures"]:
        row: dict[str, Any] = {"measure": r["measure"], "title": title_of(r["measure"])}
        share = r["shares_pct"].get(target)
        row["share"] = pct(share) if share is not None else "–"
        if r["shown"]:
            row.update(
                shown=True,
                farms=tonnes(r["farms"]),
                potential=tonnes(r["potential_t"]),
                saved=tonnes(r["saved_t"].get(target)),
                investment=tkr(r["investment_ksek"]),
                per_t=kr_per_t(r["sek_per_t_co2e"]),
                per_t_after=kr_per_t(r["sek_per_t_co2e_after_support"]),
            )
        else:
            row.update(shown=False, reason=reason_text(r["reason"], min_farms))
        out.append(row)
    return out


def closing(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The measures that would close the 2030 gap, cheapest per tonne first."""
    gap = plan.get("gap_2030") or {}
    return [
        {
            "title": title_of(o["measure"]),
            "more": tonnes(o["more_fossil_co2_t"]),
            "per_t": kr_per_t(o["sek_per_t_co2e"]),
            "closes": o["closes_gap"],
            "left": tonnes(o["gap_left_t"]),
        }
        for o in gap.get("closing_measures", [])
    ]


def curve_chart(plan: Mapping[str, Any]) -> Markup | None:
    """The municipal abatement cost curve: each shown measure's potential, cheapest first."""
    by_measure = {m["measure"]: m for m in plan["measures"]}
    target = str(TARGET_YEAR)
    bars = []
    for i, b in enumerate(plan["curve"]):
        m = by_measure[b["measure"]]
        bars.append(
            CostBar(
                number=i + 1,
                label=title_of(b["measure"]),
                width=float(b["potential_t"]),
                height=float(b["sek_per_t_co2e"]),
                cells=(
                    tonnes(b["potential_t"]),
                    tonnes(m["saved_t"].get(target)),
                    kr_per_t(b["sek_per_t_co2e"]),
                    kr_per_t(m["sek_per_t_co2e_after_support"]),
                ),
                text=kr_per_t(b["sek_per_t_co2e"]),
            )
        )
    if not bars:
        return None
    return cost_curve(
        bars,
        chart_id="chart-plan-macc",
        title=gettext("What each tonne costs: the municipality's measures, cheapest first"),
        desc="; ".join(f"{b.number}. {b.label}: {b.cells[0]} t, {b.cells[2]}" for b in bars),
        y_title=gettext("SEK per tonne CO2e"),
        x_title=gettext("t CO2e a year, all farms →"),
        headers=(
            gettext("Climate measure"),
            gettext("Potential, t CO2e a year"),
            gettext("Scenario %(year)s, t CO2e", year=TARGET_YEAR),
            gettext("SEK per tonne"),
            gettext("after support"),
        ),
        show_table=gettext("The figures of the chart"),
    )


def compare_figures(plan: Mapping[str, Any]) -> dict[str, str]:
    """One scenario's column of the compare page."""
    target = _row(plan, TARGET_YEAR)
    gap = plan.get("gap_2030")
    out = {
        "investment": tkr(plan["totals"]["investment_ksek"]),
        "support": tkr(plan["totals"]["public_support_ksek"]),
        "data_year": str(plan["data_year"]),
    }
    if target is None:
        return out | dict.fromkeys(("saved", "fossil", "path", "gap", "cost", "per_t"), "–")
    per_t = economics.sek_per_tonne(
        target["annual_cost_before_support_ksek"] * 1000.0, target["co2e_t_saved"] * 1000.0
    )
    per_t = float(per_t)
    if gap is None:
        gap_text = "–"
    elif gap["on_path"]:
        gap_text = gettext("on track (%(t)s t below)", t=tonnes(-gap["gap_t"]))
    else:
        gap_text = gettext("%(t)s t above", t=tonnes(gap["gap_t"]))
    return out | {
        "saved": tonnes(target["co2e_t_saved"]),
        "fossil": tonnes(target["fossil_co2_t"]),
        "path": tonnes(target["fossil_co2_path_t"]),
        "gap": gap_text,
        "cost": tkr(target["annual_cost_ksek"]),
        "per_t": kr_per_t(per_t if per_t == per_t and abs(per_t) != float("inf") else None),
    }


# ------------------------------------------------------------------ views


@bp.route("/")
@aggregates_only
def index() -> str:
    rows = scenarios()
    return render_template(
        "investment_plan/index.html",
        rows=rows,
        name=municipality_name(),
        min_compare=MIN_COMPARE,
        max_compare=MAX_COMPARE,
        has_data=bool(years_with_data()),
    )


@bp.route("/new")
@aggregates_only
def new() -> tuple[str, int]:
    years = years_with_data()
    doc = {"data_year": str(years[-1]) if years else None, "shares_pct": {}}
    return render_form(doc, {}, row=None, years=years)


@bp.route("/new", methods=["POST"])
@aggregates_only
def create() -> Response | tuple[str, int]:
    return save_form(None)


@bp.route("/<int:scenario_id>/edit")
@aggregates_only
def edit(scenario_id: int) -> tuple[str, int]:
    row = scenario_or_404(scenario_id)
    return render_form(row.definition, {}, row=row, years=years_with_data())


@bp.route("/<int:scenario_id>/edit", methods=["POST"])
@aggregates_only
def update(scenario_id: int) -> Response | tuple[str, int]:
    return save_form(scenario_or_404(scenario_id))


@bp.route("/<int:scenario_id>")
@aggregates_only
def show(scenario_id: int) -> str:
    row = scenario_or_404(scenario_id)
    plan = projected(row)
    ctx: dict[str, Any] = {"row": row, "plan": plan, "name": municipality_name(), "rate": RATE}
    if plan is not None:
        ctx.update(
            head=headline(plan),
            chart=fossil_chart(plan),
            table=year_table(plan),
            measures=measure_rows(plan),
            hidden=plan["hidden_measures"],
            closing=closing(plan),
            curve=curve_chart(plan),
            target_year=TARGET_YEAR,
            min_farms=int(plan["rule"]["min_farms"]),
            description=row.definition.get("description", ""),
            ranges=plan_range_rows(plan),
        )
    return render_template("investment_plan/show.html", **ctx)


def plan_range_figures(plan: Mapping[str, Any]) -> dict[str, Any] | None:
    """The plan's ranges as numbers (:func:`web.services.municipal_ranges.plan_ranges`),
    for the page and the workbook; ``{"pending": True}`` while their job runs.

    The draws are made by a background job (web/services/municipal_ranges.py): when
    they are not made yet the job is queued (or the open one joined) and the page
    says the ranges are being made; it fills them in when the job is done (a small
    script asks :func:`ranges_ready`, or a reload).
    """
    from farmcalc.municipality.summary import aggregate
    from web.store.totals_query import load_frame

    code = municipality_code()
    year = int(plan["data_year"])
    session = get_session()
    package = stored_package(session, code, year)
    if package is None:
        queue_package(
            session,
            current_app._get_current_object(),
            current_user.id,
            code,
            year,
            current_lang(),
        )
        return {"pending": True}
    frame = load_frame(session=session, municipality_code=code, years=[year])
    agg = aggregate(frame, year=year, rule=rule_from_config(), municipality_code=code)
    return plan_ranges(dict(plan), package, fossil_range_allowed=fossil_range_allowed(agg))


def plan_range_rows(plan: Mapping[str, Any]) -> dict[str, Any] | None:
    """The plan's ranges (paired draws) as the page writes them; None without figures,
    ``{"pending": True}`` while their job runs (:func:`plan_range_figures`)."""
    r = plan_range_figures(plan)
    if r is None or r.get("pending"):
        return r

    def span(b: Any, fmt: Any) -> str:
        return span_text(b["p2_5"], b["p97_5"], fmt) if b else "–"

    rows = [
        {
            "measure": m,
            "title": title_of(m),
            "saving": span(v["saving_t"], tonnes),
            "per_t": span(v["sek_per_t"], whole),
        }
        for m, v in r["measures"].items()
    ]
    return {
        "draws": whole(r["draws"]),
        "seed": r["seed"],
        "rows": rows,
        "plan_saving": span(r["plan_saving_t"], tonnes),
        "probability_pct": r["probability_pct"],
        "chance": chance_text(r["probability_pct"]),
    }


@bp.route("/<int:scenario_id>/ranges-ready")
@aggregates_only
def ranges_ready(scenario_id: int) -> Response:
    """``{"ready": bool}``: whether the plan's ranges are made (the page's script asks)."""
    row = scenario_or_404(scenario_id)
    code = municipality_code()
    year = data_year_of(
        session=get_session(), municipality_code=code, scenario=stored_scenario(row)
    )
    if year is None:
        return jsonify({"ready": True})  # nothing to wait for: the page has no ranges
    return jsonify({"ready": stored_package(get_session(), code, year) is not None})


def _compare_ids() -> list[int]:
    """The ``ids`` of the request (repeated or comma-separated), each once, in order."""
    out: list[int] = []
    for raw in request.args.getlist("ids"):
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            digits = part.lstrip("0")
            if not (part.isascii() and part.isdigit()) or len(digits) > 10 or int(part) > MAX_INT:
                abort(404)  # "²" is a digit to isdigit(), 2**31 no id (web/hostile.py)
            if int(part) not in out:
                out.append(int(part))
    return out


@bp.route("/compare")
@aggregates_only
def compare() -> tuple[str, int]:
    ids = _compare_ids()
    rows = [scenario_or_404(i) for i in ids]
    if not MIN_COMPARE <= len(rows) <= MAX_COMPARE:
        flash(
            gettext(
                "Choose between %(a)d and %(b)d scenarios to compare.",
                a=MIN_COMPARE,
                b=MAX_COMPARE,
            ),
            "error",
        )
        return render_template(
            "investment_plan/index.html",
            rows=scenarios(),
            name=municipality_name(),
            min_compare=MIN_COMPARE,
            max_compare=MAX_COMPARE,
            has_data=bool(years_with_data()),
            chosen=ids,
        ), 400
    plans = projected_many(rows)
    columns = [
        {"row": r, "figures": compare_figures(p) if p else None}
        for r, p in zip(rows, plans, strict=True)
    ]
    return render_template(
        "investment_plan/compare.html",
        columns=columns,
        ids=",".join(str(i) for i in ids),
        name=municipality_name(),
        target_year=TARGET_YEAR,
        rate=RATE,
    ), 200


@bp.route("/<int:scenario_id>/delete")
@aggregates_only
def confirm_delete(scenario_id: int) -> str:
    return render_template("investment_plan/delete.html", row=scenario_or_404(scenario_id))


@bp.route("/<int:scenario_id>/delete", methods=["POST"])
@aggregates_only
def delete(scenario_id: int) -> Response:
    row = scenario_or_404(scenario_id)
    session = get_session()
    session.delete(row)
    session.commit()
    flash(gettext("The scenario “%(name)s” has been deleted.", name=row.name), "success")
    return redirect(url_for(".index"))


def _workbook(rows: Sequence[ClimateScenario], filename: str) -> Response:
    from farmcalc.municipality.plan_workbook import plans_workbook  # written beside this page

    plans = projected_many(rows)
    if any(p is None for p in plans):
        abort(404)
    # each plan with its ranges (or that they are still being made), as its page
    plans = [{**p, "ranges": plan_range_figures(p)} for p in plans if p is not None]
    body = plans_workbook(plans, locale=current_lang())
    return Response(
        body,
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<int:scenario_id>/export.xlsx")
@aggregates_only
def export_xlsx(scenario_id: int) -> Response:
    row = scenario_or_404(scenario_id)
    return _workbook([row], f"klimatinvesteringsplan-{municipality_code()}-{row.id}.xlsx")


@bp.route("/compare.xlsx")
@aggregates_only
def compare_xlsx() -> Response:
    rows = [scenario_or_404(i) for i in _compare_ids()]
    if not MIN_COMPARE <= len(rows) <= MAX_COMPARE:
        abort(404)
    return _workbook(rows, f"klimatinvesteringsplan-{municipality_code()}-jamforelse.xlsx")
