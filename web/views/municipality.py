"""The municipality's view: the agricultural sector year by year, never one farm.

``GET /municipality/`` is the dashboard (``?year=&base=`` pick the year and
the base year of the 14 %/yr path), ``/municipality/export.csv`` and
``/municipality/export.xlsx`` the same protected figures as files. Only the
municipality role and admins may use them; anybody else gets 404 (a page
they may not see looks like one that does not exist), anonymous visitors
the sign-in page.

Every figure comes from ``farmcalc.municipality.summary.aggregate`` over one query
(``web.store.totals_query.load_frame``: the municipality's calculated farm-years and
their per-farm totals) and passes ``farmcalc.municipality.summary.protect`` with the
rule configured in ``DISCLOSURE_*`` (web/config.py). No farm id or name is
ever read. See docs/municipality.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from markupsafe import Markup

from farmcalc.municipality.disclosure import DEFAULT_PROTECTION
from farmcalc.municipality.summary import (
    FARM_TYPES,
    GASES,
    ITEM_GASES,
    MAX_SHARE_1,
    MAX_SHARE_2,
    MIN_FARMS,
    PATH_RATE,
    REASON_TEXT,
    Aggregate,
    Rule,
    aggregate,
)
from farmcalc.municipality.summary_workbook import to_csv, to_xlsx_bytes
from web.language import current_lang, number
from web.services.charts import Bar, bar_chart, data_table
from web.services.like_for_like import panel_figures
from web.services.municipal_ranges import dashboard_ranges
from web.services.trend_chart import Series, line_chart
from web.store.access import can_see_aggregates
from web.store.db import get_session
from web.store.totals_query import load_frame, method_mix

bp = Blueprint("municipality", __name__, url_prefix="/municipality")

MUNICIPALITY_NAMES = {"1290": "Kristianstads kommun"}
RATE = round(PATH_RATE * 100)  # the contract's fall of fossil CO2 [% a year]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def aggregates_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in (else the sign-in page) with the municipality or admin role (else 404)."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not can_see_aggregates(current_user):
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def rule_from_config() -> Rule:
    c = current_app.config
    return Rule(
        min_farms=int(c.get("DISCLOSURE_MIN_FARMS", MIN_FARMS)),
        max_share_1=float(c.get("DISCLOSURE_MAX_SHARE_1", MAX_SHARE_1)),
        max_share_2=float(c.get("DISCLOSURE_MAX_SHARE_2", MAX_SHARE_2)),
        protection=float(c.get("DISCLOSURE_PROTECTION", DEFAULT_PROTECTION)),
    )


def municipality_code() -> str:
    return str(current_app.config.get("MUNICIPALITY_CODE", "1290"))


def _int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


def build() -> Aggregate:
    """The protected aggregates for the request's ``year`` and ``base`` (defaults if absent)."""
    code = municipality_code()
    frame = load_frame(session=get_session(), municipality_code=code)
    years = sorted(int(y) for y in frame["year"].unique()) if len(frame) else []
    year, base = _int_arg("year"), _int_arg("base")
    if year not in years:
        year = years[-1] if years else None
    if base not in years:
        base = years[0] if years else None
    if base is not None and year is not None and base > year:
        base = year
    agg = aggregate(
        frame, year=year, base_year=base, rule=rule_from_config(), municipality_code=code
    )
    agg.method_mix = method_mix(session=get_session(), municipality_code=code)
    return agg


# ------------------------------------------------------------------ helpers


def t(value: Any) -> str:
    """Whole tonnes (``1 234``), or an en dash for a hidden figure."""
    return number(value, "#,##0")


def pct(value: Any) -> str:
    return "–" if value is None else number(value, "#,##0.0") + "\u00a0%"


def reason_text(reason: str | None, agg: Aggregate) -> str:
    if not reason:
        return ""
    return gettext(REASON_TEXT[reason]).replace("{min_farms}", str(agg.rule.min_farms))


def _value_bar(row: dict[str, Any], agg: Aggregate, cells: tuple[str, ...]) -> Bar:
    shown = row["value"] is not None
    return Bar(
        label=row["label"],
        value=float(row["value"]) if shown and row["value"] > 0 else 0.0,
        text=gettext("%(value)s t CO2e", value=t(row["value"])) if shown else gettext("not shown"),
        cells=cells,
    )


def _note_cell(row: dict[str, Any], agg: Aggregate) -> str:
    return reason_text(row.get("reason"), agg) if row.get("value") is None else ""


def gas_chart(agg: Aggregate, rows: list[dict[str, Any]]) -> Markup:
    bars = []
    for r in rows[:-1]:
        mass = r.get("mass_t")
        bars.append(
            _value_bar(
                r,
                agg,
                (
                    t(r["value"]),
                    t(mass) if "mass_t" in r else "",
                    t(r["farms"]),
                    _note_cell(r, agg),
                ),
            )
        )
    total = rows[-1]
    return bar_chart(
        bars,
        chart_id="chart-gas",
        title=gettext("Emissions by gas, %(year)s", year=agg.year),
        desc=gettext("Tonnes of CO2-equivalents of each gas, summed over the farms."),
        headers=(
            gettext("Gas"),
            gettext("t CO2e"),
            gettext("t of the gas"),
            gettext("Farms"),
            gettext("Note"),
        ),
        show_table=gettext("Show as a table"),
        total=(total["label"], t(total["value"]), "", t(total["farms"]), _note_cell(total, agg)),
    )


def simple_chart(agg: Aggregate, rows: list[dict[str, Any]], *, key: str, title: str) -> Markup:
    """Sectors or sources: a bar per row, the table with farms and the note."""
    body = [r for r in rows[:-1] if not r.get("apart")]
    bars = [_value_bar(r, agg, (t(r["value"]), t(r["farms"]), _note_cell(r, agg))) for r in body]
    total = rows[-1]
    return bar_chart(
        bars,
        chart_id=f"chart-{key}",
        title=title,
        desc=gettext("Tonnes of CO2-equivalents, summed over the farms."),
        headers=(gettext("Row"), gettext("t CO2e"), gettext("Farms"), gettext("Note")),
        show_table=gettext("Show as a table"),
        total=(total["label"], t(total["value"]), t(total["farms"]), _note_cell(total, agg)),
    )


def source_gas_table(agg: Aggregate, rows: list[dict[str, Any]]) -> Markup:
    """Sources × gases (t CO2e), the table behind the source chart in full."""
    bars = []
    for r in rows:
        if r["key"] == "total":
            continue
        cells = [t(r["value"])]
        for g in GASES:
            cells.append(t(r["by_gas"].get(g)) if g in ITEM_GASES.get(r["key"], ()) else "")
        cells += [t(r["farms"]), _note_cell(r, agg)]
        bars.append(Bar(label=r["label"], value=0.0, text="", cells=tuple(cells)))
    from farmcalc.municipality.summary import label as agg_label

    lang = current_lang()
    return data_table(
        bars,
        caption=gettext("Emissions by source and gas, %(year)s (t CO2e)", year=agg.year),
        headers=(
            gettext("Source"),
            gettext("Total"),
            *[agg_label("gas:CO2e" if g == "CO2e" else g, lang) for g in GASES],
            gettext("Farms"),
            gettext("Note"),
        ),
    )


def farm_type_chart(agg: Aggregate, rows: list[dict[str, Any]]) -> Markup:
    bars = [
        _value_bar(
            r,
            agg,
            (
                t(r["value"]),
                t(r["farms"]),
                t(r["area_ha"]),
                t(r["livestock_units"]),
                _note_cell(r, agg),
            ),
        )
        for r in rows[:-1]
    ]
    total = rows[-1]
    return bar_chart(
        bars,
        chart_id="chart-type",
        title=gettext("Emissions by farm type, %(year)s", year=agg.year),
        desc=gettext("Tonnes of CO2-equivalents of the farms of each type."),
        headers=(
            gettext("Farm type"),
            gettext("t CO2e"),
            gettext("Farms"),
            gettext("Farmland (ha)"),
            gettext("Livestock units"),
            gettext("Note"),
        ),
        show_table=gettext("Show as a table"),
        total=(
            total["label"],
            t(total["value"]),
            t(total["farms"]),
            t(total["area_ha"]),
            t(total["livestock_units"]),
            "",
        ),
    )


def measure_table(agg: Aggregate, rows: list[dict[str, Any]], total_t: Any) -> Markup:
    """The measures, the largest potential saving first: tonnes, share, farms, note."""
    bars = [
        Bar(
            label=r["label"],
            value=0.0,
            text="",
            cells=(
                t(r["value"]),
                pct(100.0 * r["value"] / total_t) if r["value"] is not None and total_t else "–",
                t(r["farms"]),
                _note_cell(r, agg),
            ),
        )
        for r in rows
    ]
    return data_table(
        bars,
        caption=gettext("Measures that would cut most, %(year)s", year=agg.year),
        headers=(
            gettext("Climate measure"),
            gettext("t CO2e a year"),
            gettext("Share of the emissions"),
            gettext("Farms"),
            gettext("Note"),
        ),
    )


def _trend_table(caption: str, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> Markup:
    bars = [Bar(label=r[0], value=0.0, text="", cells=r[1:]) for r in rows]
    return data_table(bars, caption=caption, headers=headers)


def _none(v: Any) -> Any:
    return None if v is None or v != v else v


def trend_figures(agg: Aggregate) -> dict[str, Markup]:
    """The line charts over the years and the tables behind them."""
    tr = [{k: _none(v) for k, v in r.items()} for r in agg.trend.to_dict("records")]
    years = [int(r["year"]) for r in tr]
    fossil = line_chart(
        years,
        [
            Series(gettext("Fossil CO2 (t)"), [r["fossil_co2_t"] for r in tr], "trend--actual"),
            Series(
                gettext("Path: −%(rate)s %% a year from %(year)s", rate=RATE, year=agg.base_year),
                [r["fossil_co2_path_t"] for r in tr],
                "trend--path",
                dashed=True,
            ),
        ],
        chart_id="chart-fossil",
        title=gettext("Fossil CO2 against the path of −%(rate)s %% a year", rate=RATE),
        desc=gettext(
            "Fossil CO2 from diesel, petrol and heating oil, tonnes per year, and the path "
            "that falls %(rate)s %% a year from the base year.",
            rate=RATE,
        ),
        fmt=t,
    )
    fossil_table = _trend_table(
        gettext("Fossil CO2 per year"),
        (
            gettext("Year"),
            gettext("Farms"),
            gettext("Fossil CO2 (t)"),
            gettext("Path (t)"),
            gettext("Against the path"),
            gettext("kg CO2 per ha"),
        ),
        [
            (
                str(r["year"]),
                t(r["farms"]),
                t(r["fossil_co2_t"]),
                t(r["fossil_co2_path_t"]),
                pct(r["fossil_co2_vs_path_pct"]),
                number(r["fossil_co2_kg_per_ha"], "#,##0.0"),
            )
            for r in tr
        ],
    )
    gases = line_chart(
        years,
        [
            Series(gettext("Methane (CH4)"), [r["ch4_index"] for r in tr], "trend--ch4"),
            Series(gettext("Nitrous oxide (N2O)"), [r["n2o_index"] for r in tr], "trend--n2o"),
        ],
        chart_id="chart-gases",
        title=gettext("Methane and nitrous oxide, index (%(year)s = 100)", year=agg.base_year),
        desc=gettext("Tonnes of each gas as an index of the base year: below 100 is a fall."),
        fmt=lambda v: number(v, "#,##0"),
        baseline=100.0,
        from_zero=False,
    )
    gases_table = _trend_table(
        gettext("Methane and nitrous oxide per year"),
        (
            gettext("Year"),
            gettext("Farms"),
            gettext("t CH4"),
            gettext("CH4 index"),
            gettext("t N2O"),
            gettext("N2O index"),
        ),
        [
            (
                str(r["year"]),
                t(r["farms"]),
                t(r["ch4_t"]),
                number(r["ch4_index"], "#,##0.0"),
                t(r["n2o_t"]),
                number(r["n2o_index"], "#,##0.0"),
            )
            for r in tr
        ],
    )
    soil = line_chart(
        years,
        [
            Series(
                gettext("Soil carbon change (t CO2)"),
                [r["soil_carbon_t"] for r in tr],
                "trend--soil",
            )
        ],
        chart_id="chart-soil",
        title=gettext("Soil carbon change per year (t CO2)"),
        desc=gettext(
            "Change of the carbon in mineral soils as CO2: below zero the soils store carbon."
        ),
        fmt=t,
    )
    soil_table = _trend_table(
        gettext("Soil carbon and net emissions per year"),
        (
            gettext("Year"),
            gettext("Farms"),
            gettext("Soil carbon change (t CO2)"),
            gettext("Emissions (t CO2e)"),
            gettext("Net (t CO2e)"),
        ),
        [
            (
                str(r["year"]),
                t(r["farms"]),
                t(r["soil_carbon_t"]),
                t(r["total_t"]),
                t(r["net_t"]),
            )
            for r in tr
        ],
    )
    coverage = bar_chart(
        [
            Bar(
                label=str(r["year"]),
                value=float(r["farms"] or 0),
                text=t(r["farms"]),
                cells=(t(r["farms"]), t(r["area_ha"]), t(r["livestock_units"]), t(r["total_t"])),
            )
            for r in tr
        ],
        chart_id="chart-coverage",
        title=gettext("Farms reporting per year"),
        desc=gettext("How many farms the figures of each year cover."),
        headers=(
            gettext("Year"),
            gettext("Farms"),
            gettext("Farmland (ha)"),
            gettext("Livestock units"),
            gettext("Emissions (t CO2e)"),
        ),
        show_table=gettext("Show as a table"),
    )
    return {
        "fossil": fossil,
        "fossil_table": fossil_table,
        "gases": gases,
        "gases_table": gases_table,
        "soil": soil,
        "soil_table": soil_table,
        "coverage": coverage,
    }


def range_rows(agg: Aggregate, ranges: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The figures with a range (total, fossil CO2, sectors) in the dashboard's order."""
    if not ranges:
        return []
    from farmcalc.municipality.summary import label as agg_label

    lang = current_lang()
    out = []
    for cell, r in ranges["ranges"].items():
        key = cell.split(":", 1)[1] if cell.startswith("sector:") else cell
        out.append(
            {
                "cell": cell,
                "label": agg_label(key, lang),
                "value": agg.cell(cell)["value"],
                "span": span_text(r["p2_5"], r["p97_5"]),
            }
        )
    return out


def span_text(low: Any, high: Any, fmt: Callable[[Any], str] = t) -> str:
    """ "37 000–44 000"; "≈ 2 200" when the bounds round to one figure; "−1 100 till −920"."""
    a, b = fmt(low), fmt(high)
    if a == b:
        return f"≈\u00a0{a}"
    if min(float(low), float(high)) < 0:  # "−1 100 till −920": a dash beside a minus misreads
        return gettext("%(low)s to %(high)s", low=a, high=b)
    return f"{a}–{b}"


def range_text(ranges: dict[str, Any] | None, cell: str) -> str:
    """The range of a figure in the card's sentence, or "" without a range."""
    r = (ranges or {}).get("ranges", {}).get(cell)
    if not r:
        return ""
    if t(r["p2_5"]) == t(r["p97_5"]):
        return gettext(
            "Probably about %(value)s t (95 %% interval: narrower than the rounding).",
            value=t(r["p2_5"]),
        )
    return gettext(
        "Probably between %(range)s t (95 %% interval).", range=span_text(r["p2_5"], r["p97_5"])
    )


def chance_text(pct: int | None) -> str:
    """A rounded probability in words: "about 30 %", "less than 5 %", "more than 95 %"."""
    if pct is None:
        return ""
    if pct <= 0:
        return gettext("less than %(pct)s %%", pct=5)
    if pct >= 100:
        return gettext("more than %(pct)s %%", pct=95)
    return gettext("about %(pct)s %%", pct=pct)


# ------------------------------------------------------------------- routes


@bp.route("/")
@aggregates_only
def dashboard() -> str:
    agg = build()
    code = municipality_code()
    ctx: dict[str, Any] = {
        "agg": agg,
        "name": MUNICIPALITY_NAMES.get(code, gettext("municipality %(code)s", code=code)),
        "years": agg.years,
        "t": t,
        "pct": pct,
        "number": number,
        "rate": RATE,
    }
    if agg.year is not None:
        tables = agg.tables(current_lang())
        trend = {int(r["year"]): r for r in agg.trend.to_dict("records")}
        cur = {k: _none(v) for k, v in trend[agg.year].items()}
        ranges = dashboard_ranges(get_session(), agg, code)
        ctx.update(
            ranges=ranges,
            range_rows=range_rows(agg, ranges),
            range_text=lambda cell: range_text(ranges, cell),
            chance=chance_text(ranges["probability_pct"] if ranges else None),
            cov=agg.coverage_of("total"),
            cur=cur,
            summary={r["key"]: r for r in tables["summary"]},
            change=agg.panel.change_pct if agg.panel is not None else None,
            panel=agg.panel,
            lfl=agg.panel.row() if agg.panel is not None else {},
            base_cov=agg.coverage_of("total", agg.base_year),
            base_row={k: _none(v) for k, v in trend[agg.base_year].items()},
            gas_chart=gas_chart(agg, tables["gas"]),
            sector_chart=simple_chart(
                agg,
                tables["sector"],
                key="sector",
                title=gettext("Emissions by inventory sector, %(year)s", year=agg.year),
            ),
            source_chart=simple_chart(
                agg,
                tables["source"],
                key="source",
                title=gettext("Emissions by source, %(year)s", year=agg.year),
            ),
            source_table=source_gas_table(agg, tables["source"]),
            type_chart=farm_type_chart(agg, tables["farm_type"]),
            measures=agg.measure_rows(current_lang()),
            measure_table=measure_table(
                agg, agg.measure_rows(current_lang()), tables["summary"][0]["value"]
            ),
            hidden=sum(
                1 for r in agg.cells.to_dict("records") if r["year"] == agg.year and not r["shown"]
            ),
            n_types=len(FARM_TYPES),
            csv_url=url_for(".export_csv", year=agg.year, base=agg.base_year),
            xlsx_url=url_for(".export_xlsx", year=agg.year, base=agg.base_year),
            **trend_figures(agg),
            **(panel_figures(agg, agg.panel) if agg.panel is not None else {}),
        )
    return render_template("municipality/dashboard.html", **ctx)


def _filename(agg: Aggregate, ext: str) -> str:
    return f"jordbruk-{agg.municipality_code}-{agg.year or 'inga-data'}.{ext}"


@bp.route("/export.csv")
@aggregates_only
def export_csv() -> Response:
    agg = build()
    body = to_csv(agg, current_lang())
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(agg, "csv")}"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )


@bp.route("/export.xlsx")
@aggregates_only
def export_xlsx() -> Response:
    agg = build()
    return Response(
        to_xlsx_bytes(agg, current_lang()),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{_filename(agg, "xlsx")}"'},
    )
