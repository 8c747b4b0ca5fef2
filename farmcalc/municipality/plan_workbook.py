"""The climate investment plan as an Excel workbook with native charts (no Flask: the CLI uses it).

:func:`plans_workbook` writes one or more plans projected by
:func:`farmcalc.municipality.investment_plan.project`:

- per plan a sheet: the scenario (name, data year, base year, the shares per
  measure and year in per cent), the yearly table (emissions per gas
  [t CO2e], fossil CO2, the −14 %/yr path and the gap [t CO2], investment,
  yearly cost and public support [kSEK]) with a native line chart (fossil
  CO2 against the path), the 2030 gap and the measures that would close it,
  the abatement cost curve (measures sorted by SEK per tonne) with a native
  bar chart, the measures table and, when the plan carries them (``plan["ranges"]``,
  :func:`web.services.municipal_ranges.plan_ranges`), each shown measure's 95 % range
  of its potential and its cost per tonne (2.5th, 50th and 97.5th percentile);
- with several plans a comparison sheet (key figures and fossil CO2 per
  year side by side) with a native line chart;
- a method sheet: shares, order, costs, disclosure.

Only what the plan publishes is written: a measure hidden by the
disclosure rule has no number anywhere, only "Not shown" and the reason.
Every number is a number cell with a number format; every text goes
through :func:`farmcalc.excel.xlsx.write_text` (text that a spreadsheet
would read as a formula — ``=``, ``+``, ``-``, ``@`` — is a string cell with
Excel's quote prefix); sheet names start with the plan's number and chart
series take their names from cells, never from text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from farmcalc.excel.xlsx import Styles, new_workbook, write_text, write_value
from farmcalc.i18n import _, gettext_
from farmcalc.municipality.summary import REASON_TEXT
from farmcalc.steering.action_plan import TARGET_YEAR
from farmcalc.steering.measures import describe

TEXT = {
    "title": _("Climate investment plan"),
    "comparison": _("Comparison"),
    "method": _("Method"),
    "scenario": _("Scenario"),
    "name": _("Name"),
    "description": _("Description"),
    "municipality": _("Municipality"),
    "data_year": _("Year of the farms' figures"),
    "base_year": _("Base year of the path"),
    "path_rate": _("The path's fall per year (%)"),
    "shares": _("Adoption: share of the farms where the measure applies"),
    "measure": _("Climate measure"),
    "year": _("Year"),
    "share_year": _("{year} (%)"),
    "yearly": _("Emissions and money per year"),
    "co2e_t": _("Emissions, total (t CO2e)"),
    "co2_t": _("Carbon dioxide (t CO2e)"),
    "ch4_t": _("Methane (t CO2e)"),
    "n2o_t": _("Nitrous oxide (t CO2e)"),
    "co2e_rows_t": _("Reported as CO2e: electricity, heating, fertiliser (t CO2e)"),
    "fossil_co2_t": _("Fossil CO2 (t CO2)"),
    "path_t": _("Path −{rate} % a year (t CO2)"),
    "gap_t": _("Gap to the path (t CO2)"),
    "saved_t": _("Saving, total (t CO2e)"),
    "investment_ksek": _("Investment (kSEK)"),
    "annual_cost_ksek": _("Yearly cost after support (kSEK)"),
    "public_support_ksek": _("Public support (kSEK)"),
    "data_year_row": _("{year} (the farms' figures)"),
    "line_title": _("Fossil CO2 against the path of −{rate} % a year"),
    "tonnes_axis": _("t CO2"),
    "gap": _("The gap to the path in {year}"),
    "gap_value": _("Gap (t CO2; below zero: under the path)"),
    "gap_closed": _("The scenario reaches the path in {year}."),
    "gap_open": _(
        "The scenario does not reach the path in {year}. More of these measures would "
        "close the gap, cheapest per tonne first:"
    ),
    "gap_unknown": _("The gap cannot be shown: the fossil CO2 of the base year is hidden."),
    "more_fossil": _("More fossil CO2 saved at full adoption (t CO2)"),
    "gap_left": _("Gap left after it (t CO2)"),
    "closes": _("Closes the gap"),
    "yes": _("Yes"),
    "no": _("No"),
    "curve": _("Abatement cost curve"),
    "curve_note": _(
        "The measures the scenario and the farms' own data give, sorted by the cost per "
        "tonne before support. Measures hidden by the disclosure rule are left out."
    ),
    "sek_per_t": _("Cost per tonne (SEK/t CO2e)"),
    "sek_per_t_after": _("Cost per tonne after support (SEK/t CO2e)"),
    "saved_target": _("Saving {year} (t CO2e)"),
    "potential_t": _("Potential at full adoption (t CO2e/yr)"),
    "potential_fossil_t": _("of which fossil CO2 (t CO2/yr)"),
    "bar_title": _("Cost per tonne CO2e by measure (SEK/t)"),
    "sek_axis": _("SEK/t CO2e"),
    "measures": _("Measures"),
    "farms": _("Farms where it applies"),
    "plan_investment": _("Investment in the plan (kSEK)"),
    "potential_investment": _("Investment at full adoption (kSEK)"),
    "potential_cost": _("Yearly cost at full adoption, after support (kSEK/yr)"),
    "note": _("Note"),
    "not_shown": _("Not shown"),
    "key_figures": _("Key figures"),
    "fossil_target": _("Fossil CO2 {year} (t CO2)"),
    "gap_target": _("Gap to the path {year} (t CO2)"),
    "co2e_target": _("Emissions, total {year} (t CO2e)"),
    "investment_total": _("Investment, all years (kSEK)"),
    "support_total": _("Public support, all years (kSEK)"),
    "cost_target": _("Yearly cost after support {year} (kSEK)"),
    "fossil_per_year": _("Fossil CO2 per year (t CO2)"),
    "path_of": _("Path −{rate} % a year from {year}"),
    "compare_title": _("Fossil CO2 of the scenarios"),
    "ranges": _("How sure are the figures? Ranges (95 %)"),
    "ranges_intro": _(
        "The emission factors and the costs are not known exactly. Every measure has been "
        "calculated many times with both drawn within their known ranges, before and after "
        "the measure with the same draws. 95 of 100 runs land between the lower and the "
        "upper bound; the median is the middle run."
    ),
    "ranges_pending": _(
        "The ranges are being calculated. Download the workbook again in a while to get them."
    ),
    "range_saving_p2_5": _("Potential, lower bound 2.5 % (t CO2e/yr)"),
    "range_saving_p50": _("Potential, median (t CO2e/yr)"),
    "range_saving_p97_5": _("Potential, upper bound 97.5 % (t CO2e/yr)"),
    "range_sek_p2_5": _("Cost per tonne before support, lower bound 2.5 % (SEK/t CO2e)"),
    "range_sek_p50": _("Cost per tonne before support, median (SEK/t CO2e)"),
    "range_sek_p97_5": _("Cost per tonne before support, upper bound 97.5 % (SEK/t CO2e)"),
    "range_plan_saving": _("The plan's saving {year} (t CO2e)"),
    "range_probability": _("Probability of being on or below the path {year} (%)"),
    "range_note": _(
        "{draws} draws, seed {seed}. The bounds are rounded to two significant digits. An "
        "empty cost per tonne: some draws save nothing, so it has no range."
    ),
    "method_lines": (
        _(
            "A scenario gives, per measure and year, the share of the farms where the "
            "measure applies that have taken it up (per cent). A year not given keeps the "
            "share of the year before; a share never falls."
        ),
        _(
            "Each farm's figures come from its own stored data of the data year. Every "
            "measure is applied to every farm in one fixed order, each to what the ones "
            "before it left ({order}); a measure's saving is its marginal saving in that "
            "order, so a package is never counted as a sum of single savings. Where a "
            "scenario leaves out an earlier measure, the later one's saving errs on the low "
            "side."
        ),
        _(
            "In a year a measure saves its share times the farms' savings and costs its "
            "share times their yearly costs; the farms that join in a year make their "
            "investment that year. The farms are otherwise held as in the data year."
        ),
        _(
            "Costs: investment and yearly cost or saving per measure from the cost "
            "catalogue (each value with its source, or marked as an assumption), "
            "annualised with the discount rate; public support is investment support and "
            "yearly support. Money in thousands of SEK (kSEK) in the price year of the "
            "catalogue; emissions in whole tonnes CO2e (GWP100) and fossil CO2 in tonnes."
        ),
        _(
            "The path: the fossil CO2 of the base year falling by {rate} % a year (the "
            "climate contract). The gap is the projected fossil CO2 minus the path."
        ),
        _(
            "Disclosure: a measure's figures are shown only if at least {min_farms} farms "
            "(owners) contribute, the largest makes up at most {share_1} % and the two "
            "largest at most {share_2} %. A hidden measure counts in no figure of the plan, "
            'totals included, and is marked "Not shown" with the reason.'
        ),
    ),
}
NUM = {"num_format": "# ##0"}
BOLD = {"bold": True}
HEAD = {"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}
TITLE = {"bold": True, "font_size": 14}
SUBTITLE = {"bold": True, "font_size": 12}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")
MAX_SHEET = 31
YEAR_FIELDS = (
    "co2e_t",
    "co2_t",
    "ch4_t",
    "n2o_t",
    "co2e_rows_t",
    "fossil_co2_t",
    "path_t",
    "gap_t",
    "saved_t",
    "investment_ksek",
    "annual_cost_ksek",
    "public_support_ksek",
)


def _t(key: str, locale: str, **kw: Any) -> str:
    text = gettext_(TEXT[key], locale)
    return text.format(**kw) if kw else text


def _pct(share: float) -> str:
    v = round(100.0 * float(share), 6)
    return str(int(v)) if v == int(v) else f"{v:g}"


def _title(measure: str, locale: str, titles: dict[str, str]) -> str:
    if measure not in titles:
        titles[measure] = describe(measure, locale)["title"]
    return titles[measure]


def _reason(reason: str | None, plan: Mapping[str, Any], locale: str) -> str:
    """Why a measure is not shown ("Not shown: …"), with the plan's rule."""
    msgid = REASON_TEXT.get(reason or "")
    if msgid is None:
        return _t("not_shown", locale)
    return gettext_(msgid, locale).format(min_farms=plan.get("rule", {}).get("min_farms", ""))


def sheet_name(index: int, name: str, taken: set[str]) -> str:
    """A valid, unique worksheet name that starts with the plan's number (never a formula)."""
    clean = " ".join(_SHEET_BAD.sub(" ", name).split())
    base = f"{index} {clean}".strip()[:MAX_SHEET].rstrip()
    out, k = base, 2
    while out.lower() in taken:
        suffix = f" ({k})"
        out, k = base[: MAX_SHEET - len(suffix)] + suffix, k + 1
    taken.add(out.lower())
    return out


def _data_year_row(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The data year's published figures as the table's first row."""
    b = plan["baseline"]
    base, rate = b.get("fossil_co2_base_year_t"), float(plan["path_rate"])
    path = (
        round(base * (1.0 - rate) ** (plan["data_year"] - plan["base_year"]))
        if base is not None
        else None
    )
    fossil = b.get("fossil_co2_t")
    return {
        "year": plan["data_year"],
        "co2e_t": b.get("co2e_t"),
        "co2_t": b.get("co2_t"),
        "ch4_t": b.get("ch4_t"),
        "n2o_t": b.get("n2o_t"),
        "co2e_rows_t": b.get("co2e_rows_t"),
        "fossil_co2_t": fossil,
        "path_t": path,
        "gap_t": fossil - path if fossil is not None and path is not None else None,
        "saved_t": None,
        "investment_ksek": None,
        "annual_cost_ksek": None,
        "public_support_ksek": None,
    }


def _year_row(y: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "year": y["year"],
        "co2e_t": y["co2e_t"],
        "co2_t": y["co2_t"],
        "ch4_t": y["ch4_t"],
        "n2o_t": y["n2o_t"],
        "co2e_rows_t": y.get("co2e_rows_t"),
        "fossil_co2_t": y["fossil_co2_t"],
        "path_t": y["fossil_co2_path_t"],
        "gap_t": y["fossil_co2_gap_t"],
        "saved_t": y["co2e_t_saved"],
        "investment_ksek": y["investment_ksek"],
        "annual_cost_ksek": y["annual_cost_ksek"],
        "public_support_ksek": y["public_support_ksek"],
    }


def _write_plan(wb: Any, st: Styles, ws: Any, plan: Mapping[str, Any], locale: str) -> None:
    """One plan's sheet: scenario, yearly table and chart, gap, cost curve and chart, measures."""
    titles: dict[str, str] = {}
    name = ws.get_name()
    scenario = plan["scenario"]
    rate = _pct(plan["path_rate"])
    years = [y["year"] for y in plan["years"]]
    ws.set_column(0, 0, 48)
    ws.set_column(1, len(YEAR_FIELDS), 15)
    write_text(ws, 0, 0, _t("title", locale), st, TITLE)
    write_text(ws, 0, 1, scenario.get("name", ""), st, TITLE)

    # the scenario
    r = 2
    write_text(ws, r, 0, _t("scenario", locale), st, SUBTITLE)
    r += 1
    facts: list[tuple[str, Any]] = [("name", scenario.get("name", ""))]
    if scenario.get("description"):
        facts.append(("description", scenario["description"]))
    if plan.get("municipality_code"):
        facts.append(("municipality", str(plan["municipality_code"])))
    facts += [
        ("data_year", plan["data_year"]),
        ("base_year", plan["base_year"]),
        ("path_rate", float(_pct(plan["path_rate"]))),
    ]
    for key, value in facts:
        write_text(ws, r, 0, _t(key, locale), st, BOLD)
        write_value(ws, r, 1, value, st)
        r += 1
    r += 1
    write_text(ws, r, 0, _t("shares", locale), st, BOLD)
    r += 1
    write_text(ws, r, 0, _t("measure", locale), st, HEAD)
    for c, y in enumerate(years, start=1):
        write_text(ws, r, c, _t("share_year", locale, year=y), st, HEAD)
    r += 1
    for m in plan["measures"]:
        shares = m.get("shares_pct", {})
        if not any(float(v) > 0 for v in shares.values()):
            continue
        write_text(ws, r, 0, _title(m["measure"], locale, titles), st)
        for c, y in enumerate(years, start=1):
            write_value(ws, r, c, shares.get(str(y)), st)
        r += 1
    r += 1

    # emissions and money per year
    write_text(ws, r, 0, _t("yearly", locale), st, SUBTITLE)
    r += 1
    head = r
    write_text(ws, r, 0, _t("year", locale), st, HEAD)
    # a plan made before the gas reported as CO2e was counted apart has no such column
    fields = [f for f in YEAR_FIELDS if f != "co2e_rows_t" or f in plan["baseline"]]
    for c, f in enumerate(fields, start=1):
        write_text(ws, r, c, _t(f, locale, rate=rate), st, HEAD)
    rows = [_data_year_row(plan), *(_year_row(y) for y in plan["years"])]
    for i, row in enumerate(rows, start=1):
        write_value(ws, r + i, 0, row["year"], st)
        for c, f in enumerate(fields, start=1):
            write_value(ws, r + i, c, row[f], st, NUM)
    last = r + len(rows)
    fossil_col = 1 + fields.index("fossil_co2_t")
    path_col = 1 + fields.index("path_t")
    line = wb.add_chart({"type": "line"})
    for col, color in ((fossil_col, "#1f5f8b"), (path_col, "#c0504d")):
        line.add_series(
            {
                "name": [name, head, col],
                "categories": [name, head + 1, 0, last, 0],
                "values": [name, head + 1, col, last, col],
                "marker": {"type": "circle"},
                "line": {"color": color, **({"dash_type": "dash"} if col == path_col else {})},
            }
        )
    line.set_title({"name": _t("line_title", locale, rate=rate)})
    line.set_y_axis({"name": _t("tonnes_axis", locale), "num_format": "# ##0"})
    line.set_legend({"position": "bottom"})
    r = last + 2
    ws.insert_chart(r, 0, line, {"x_scale": 1.4, "y_scale": 1.1})
    r += 18

    # the gap in 2030 and the measures that would close it
    gap = plan.get("gap_2030")
    target = gap["year"] if gap else TARGET_YEAR
    write_text(ws, r, 0, _t("gap", locale, year=target), st, SUBTITLE)
    r += 1
    if gap is None:
        write_text(ws, r, 0, _t("gap_unknown", locale), st)
        r += 2
    else:
        write_text(ws, r, 0, _t("gap_value", locale), st, BOLD)
        write_value(ws, r, 1, gap["gap_t"], st, NUM)
        r += 1
        if gap["on_path"]:
            write_text(ws, r, 0, _t("gap_closed", locale, year=target), st)
            r += 2
        else:
            write_text(ws, r, 0, _t("gap_open", locale, year=target), st)
            r += 1
            for c, k in enumerate(("measure", "more_fossil", "sek_per_t", "gap_left", "closes")):
                write_text(ws, r, c, _t(k, locale), st, HEAD)
            r += 1
            for o in gap["closing_measures"]:
                write_text(ws, r, 0, _title(o["measure"], locale, titles), st)
                write_value(ws, r, 1, o["more_fossil_co2_t"], st, NUM)
                write_value(ws, r, 2, o["sek_per_t_co2e"], st, NUM)
                write_value(ws, r, 3, o["gap_left_t"], st, NUM)
                write_text(ws, r, 4, _t("yes" if o["closes_gap"] else "no", locale), st)
                r += 1
            r += 1

    # the abatement cost curve
    write_text(ws, r, 0, _t("curve", locale), st, SUBTITLE)
    r += 1
    cols = ("measure", "sek_per_t", "saved_target", "potential_t")
    for c, k in enumerate(cols):
        write_text(ws, r, c, _t(k, locale, year=target), st, HEAD)
    curve_head = r
    for b in plan["curve"]:
        r += 1
        write_text(ws, r, 0, _title(b["measure"], locale, titles), st)
        write_value(ws, r, 1, b["sek_per_t_co2e"], st, NUM)
        write_value(ws, r, 2, b["t_co2e"], st, NUM)
        write_value(ws, r, 3, b["potential_t"], st, NUM)
    r += 1
    write_text(ws, r, 0, _t("curve_note", locale), st, {"italic": True})
    r += 2
    if plan["curve"]:
        bar = wb.add_chart({"type": "bar"})
        bar.add_series(
            {
                "name": [name, curve_head, 1],
                "categories": [name, curve_head + 1, 0, curve_head + len(plan["curve"]), 0],
                "values": [name, curve_head + 1, 1, curve_head + len(plan["curve"]), 1],
                "fill": {"color": "#4f81bd"},
                "invert_if_negative": False,
            }
        )
        bar.set_title({"name": _t("bar_title", locale)})
        bar.set_x_axis({"name": _t("sek_axis", locale), "num_format": "# ##0"})
        bar.set_y_axis({"reverse": True})  # cheapest at the top, as in the table
        bar.set_legend({"none": True})
        ws.insert_chart(r, 0, bar, {"x_scale": 1.4, "y_scale": 1.2})
        r += 20

    # the measures
    write_text(ws, r, 0, _t("measures", locale), st, SUBTITLE)
    r += 1
    cols = (
        "measure",
        "farms",
        "potential_t",
        "potential_fossil_t",
        "saved_target",
        "plan_investment",
        "potential_investment",
        "potential_cost",
        "sek_per_t",
        "sek_per_t_after",
        "note",
    )
    for c, k in enumerate(cols):
        write_text(ws, r, c, _t(k, locale, year=target), st, HEAD)
    for m in plan["measures"]:
        r += 1
        write_text(ws, r, 0, _title(m["measure"], locale, titles), st)
        if not m["shown"]:
            write_text(ws, r, 1, _t("not_shown", locale), st)
            write_text(ws, r, len(cols) - 1, _reason(m.get("reason"), plan, locale), st)
            continue
        values = (
            m.get("farms"),
            m.get("potential_t"),
            m.get("potential_fossil_co2_t"),
            m.get("saved_t", {}).get(str(target)),
            m.get("investment_ksek"),
            m.get("potential_investment_ksek"),
            m.get("potential_annual_cost_ksek"),
            m.get("sek_per_t_co2e"),
            m.get("sek_per_t_co2e_after_support"),
        )
        for c, v in enumerate(values, start=1):
            write_value(ws, r, c, v, st, NUM)
    r = _write_ranges(st, ws, r + 2, plan, locale, titles)
    ws.freeze_panes(1, 0)


RANGE_PERCENTILES = ("p2_5", "p50", "p97_5")
"""The percentiles of a range in the workbook (2.5th, median, 97.5th)."""


def _write_ranges(
    st: Styles, ws: Any, r: int, plan: Mapping[str, Any], locale: str, titles: dict[str, str]
) -> int:
    """The plan's ranges (``plan["ranges"]``, as its page has them): per shown measure the
    potential's and the cost per tonne's 2.5th, 50th and 97.5th percentiles, the plan's
    saving in the target year and the probability of the path; a line saying they are
    still being made while their job runs; nothing without ranges. The next free row."""
    ranges = plan.get("ranges")
    if not ranges:
        return r
    target = TARGET_YEAR
    write_text(ws, r, 0, _t("ranges", locale), st, SUBTITLE)
    r += 1
    if ranges.get("pending"):
        write_text(ws, r, 0, _t("ranges_pending", locale), st, {"italic": True})
        return r + 1
    write_text(ws, r, 0, _t("ranges_intro", locale), st, {"italic": True})
    r += 1
    heads = [f"range_saving_{p}" for p in RANGE_PERCENTILES]
    heads += [f"range_sek_{p}" for p in RANGE_PERCENTILES]
    write_text(ws, r, 0, _t("measure", locale), st, HEAD)
    for c, k in enumerate(heads, start=1):
        write_text(ws, r, c, _t(k, locale), st, HEAD)
    for m, v in ranges["measures"].items():  # the shown measures, in the plan's order
        r += 1
        write_text(ws, r, 0, _title(m, locale, titles), st)
        for c, p in enumerate(RANGE_PERCENTILES, start=1):
            if v["saving_t"]:
                write_value(ws, r, c, v["saving_t"][p], st, NUM)
            if v["sek_per_t"]:
                write_value(ws, r, c + len(RANGE_PERCENTILES), v["sek_per_t"][p], st, NUM)
    if ranges.get("plan_saving_t"):
        r += 1
        write_text(ws, r, 0, _t("range_plan_saving", locale, year=target), st, BOLD)
        for c, p in enumerate(RANGE_PERCENTILES, start=1):
            write_value(ws, r, c, ranges["plan_saving_t"][p], st, NUM)
    if ranges.get("probability_pct") is not None:
        r += 1
        write_text(ws, r, 0, _t("range_probability", locale, year=target), st, BOLD)
        write_value(ws, r, 1, ranges["probability_pct"], st, NUM)
    r += 1
    note = _t("range_note", locale, draws=ranges["draws"], seed=ranges["seed"])
    write_text(ws, r, 0, note, st, {"italic": True})
    return r + 1


def _write_comparison(
    wb: Any, st: Styles, ws: Any, plans: Sequence[Mapping[str, Any]], locale: str
) -> None:
    """Key figures and fossil CO2 per year of every plan side by side, with a line chart."""
    name = ws.get_name()
    ws.set_column(0, 0, 44)
    ws.set_column(1, 2 * len(plans), 18)
    write_text(ws, 0, 0, _t("comparison", locale), st, TITLE)
    r = 2
    write_text(ws, r, 0, _t("key_figures", locale), st, SUBTITLE)
    r += 1
    write_text(ws, r, 0, _t("name", locale), st, HEAD)
    for c, p in enumerate(plans, start=1):
        write_text(ws, r, c, p["scenario"].get("name", ""), st, HEAD)
    target = next(
        (p["gap_2030"]["year"] for p in plans if p.get("gap_2030")),
        TARGET_YEAR,
    )

    def at(p: Mapping[str, Any], key: str) -> Any:
        return next((y[key] for y in p["years"] if y["year"] == target), None)

    figures: list[tuple[str, Any]] = [
        ("data_year", lambda p: p["data_year"]),
        ("base_year", lambda p: p["base_year"]),
        ("fossil_target", lambda p: at(p, "fossil_co2_t")),
        ("gap_target", lambda p: at(p, "fossil_co2_gap_t")),
        ("co2e_target", lambda p: at(p, "co2e_t")),
        ("cost_target", lambda p: at(p, "annual_cost_ksek")),
        ("investment_total", lambda p: p["totals"]["investment_ksek"]),
        ("support_total", lambda p: p["totals"]["public_support_ksek"]),
    ]
    for key, get in figures:
        r += 1
        write_text(ws, r, 0, _t(key, locale, year=target), st, BOLD)
        fmt = None if key in ("data_year", "base_year") else NUM
        for c, p in enumerate(plans, start=1):
            write_value(ws, r, c, get(p), st, fmt)
    r += 2

    write_text(ws, r, 0, _t("fossil_per_year", locale), st, SUBTITLE)
    r += 1
    head = r
    years = sorted(
        {y["year"] for p in plans for y in p["years"]} | {int(p["data_year"]) for p in plans}
    )
    # the distinct paths (base year, its fossil CO2, rate): plan index and year -> t CO2
    paths: dict[tuple[Any, ...], tuple[int, dict[int, Any]]] = {}
    for k, p in enumerate(plans):
        key = (p["base_year"], p["baseline"].get("fossil_co2_base_year_t"), p["path_rate"])
        rows = [_data_year_row(p), *(_year_row(y) for y in p["years"])]
        paths.setdefault(key, (k, {}))[1].update({row["year"]: row["path_t"] for row in rows})
    write_text(ws, r, 0, _t("year", locale), st, HEAD)
    for c, p in enumerate(plans, start=1):
        write_text(ws, r, c, p["scenario"].get("name", ""), st, HEAD)
    for j, (k, _path) in enumerate(paths.values()):
        label = _t("path_of", locale, rate=_pct(plans[k]["path_rate"]), year=plans[k]["base_year"])
        write_text(ws, r, len(plans) + 1 + j, label, st, HEAD)
    for i, y in enumerate(years, start=1):
        write_value(ws, r + i, 0, y, st)
        for c, p in enumerate(plans, start=1):
            rows = {row["year"]: row for row in (_data_year_row(p), *map(_year_row, p["years"]))}
            write_value(ws, r + i, c, rows.get(y, {}).get("fossil_co2_t"), st, NUM)
        for j, (_k, path) in enumerate(paths.values()):
            write_value(ws, r + i, len(plans) + 1 + j, path.get(y), st, NUM)
    last = r + len(years)
    chart = wb.add_chart({"type": "line"})
    for c in range(1, len(plans) + len(paths) + 1):
        series: dict[str, Any] = {
            "name": [name, head, c],
            "categories": [name, head + 1, 0, last, 0],
            "values": [name, head + 1, c, last, c],
            "marker": {"type": "circle"},
        }
        if c > len(plans):
            series["line"] = {"dash_type": "dash", "color": "#c0504d"}
        chart.add_series(series)
    chart.show_blanks_as("span")
    chart.set_title({"name": _t("compare_title", locale)})
    chart.set_y_axis({"name": _t("tonnes_axis", locale), "num_format": "# ##0"})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(last + 2, 0, chart, {"x_scale": 1.5, "y_scale": 1.2})


def _write_method(st: Styles, ws: Any, plans: Sequence[Mapping[str, Any]], locale: str) -> None:
    ws.set_column(0, 0, 110)
    p = plans[0]
    rule = p.get("rule", {})
    order = ", ".join(describe(m, locale)["title"] for m in p.get("order", []))
    fill = {
        "order": order,
        "rate": _pct(p["path_rate"]),
        "min_farms": rule.get("min_farms", ""),
        "share_1": _pct(rule.get("max_share_1", 0.0)),
        "share_2": _pct(rule.get("max_share_2", 0.0)),
    }
    write_text(ws, 0, 0, _t("method", locale), st, TITLE)
    for i, msgid in enumerate(TEXT["method_lines"], start=2):
        write_text(ws, i, 0, gettext_(msgid, locale).format(**fill), st, {"text_wrap": True})


def plans_workbook(plans: Sequence[Mapping[str, Any]], locale: str = "sv") -> bytes:
    """An .xlsx of one or more projected plans, with native charts.

    Parameters
    ----------
    plans : sequence of dict
        Plans of :func:`farmcalc.municipality.investment_plan.project` (schema
        ``farmcalc.municipality.investment_plan/1``), in the order to show them.
    locale : str
        Language of the headers and texts (``"sv"`` or ``"en"``).

    Returns
    -------
    bytes
        The workbook: one sheet per plan, a comparison sheet when there are
        several, and a method sheet.

    Raises
    ------
    ValueError
        Without plans.
    """
    if not plans:
        raise ValueError("plans_workbook needs at least one plan")
    buf = io.BytesIO()
    wb = new_workbook(buf)
    st = Styles(wb)
    taken: set[str] = set()
    for i, plan in enumerate(plans, start=1):
        ws = wb.add_worksheet(sheet_name(i, str(plan["scenario"].get("name", "")), taken))
        _write_plan(wb, st, ws, plan, locale)
    if len(plans) > 1:
        ws = wb.add_worksheet(_t("comparison", locale))
        _write_comparison(wb, st, ws, plans, locale)
    _write_method(st, wb.add_worksheet(_t("method", locale)), plans, locale)
    wb.close()
    return buf.getvalue()
