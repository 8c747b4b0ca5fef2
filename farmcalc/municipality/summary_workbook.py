"""The municipality's protected aggregates as CSV and Excel (no Flask: the CLI uses it too).

Only what :func:`farmcalc.municipality.summary.aggregate` lets through is written: hidden
figures are empty with the reason in the note column. Text cells that a
spreadsheet would read as a formula are quoted (``'=…`` in CSV, Excel's
quote prefix in .xlsx, see ``farmcalc/excel/xlsx.py``).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from farmcalc.excel.xlsx import (
    FORMULA_START,
    Styles,
    Target,
    new_workbook,
    write_text,
    write_value,
)
from farmcalc.i18n import _, format_number, gettext_
from farmcalc.municipality.summary import (
    GASES,
    ITEM_GASES,
    REASON_TEXT,
    Aggregate,
    label,
)

COLUMNS = (
    "year",
    "table",
    "row",
    "measure",
    "value",
    "unit",
    "farms",
    "area_ha",
    "livestock_units",
    "note",
)
HEADERS = {
    "year": _("Year"),
    "table": _("Table"),
    "row": _("Row"),
    "measure": _("Measure"),
    "value": _("Value"),
    "unit": _("Unit"),
    "farms": _("Farms"),
    "area_ha": _("Farmland (ha)"),
    "livestock_units": _("Livestock units"),
    "note": _("Note"),
}
TEXT = {
    "summary": _("Summary"),
    "gas": _("By gas"),
    "source": _("By source"),
    "sector": _("By inventory sector"),
    "farm_type": _("By farm type"),
    "measures": _("Measures that would cut most"),
    "potential": _("Potential saving"),
    "measures_note": _(
        "Measures that would cut most: what each standard measure would save if every farm "
        "it suits took it, from each farm's own figures, summed over the farms that it would "
        "cut emissions on. Each measure is calculated alone; the savings do not add up."
    ),
    "trend": _("Trend"),
    "same_farms": _("The same farms every year"),
    "same_farms_note": _(
        "The farms that reported every year from the base year to the selected year: a "
        "change here is not a change in which farms report. Hidden (empty) when the farms "
        "that joined or left are too few to be shown apart."
    ),
    "per_ha_total": _("Emissions per hectare"),
    "per_lu_ch4": _("Methane per livestock unit"),
    "emissions": _("Emissions"),
    "mass": _("Mass of the gas"),
    "fossil_path": _("Path −14 % a year"),
    "vs_path": _("Fossil CO2 against the path"),
    "index": _("Index, base year = 100"),
    "ch4": _("Methane (CH4)"),
    "n2o": _("Nitrous oxide (N2O)"),
    "per_ha": _("Fossil CO2 per hectare"),
    "coverage": _("Farms reporting"),
    "title": _("Agriculture's climate impact, municipality {code}, {year}"),
    "method": _("Method"),
    "rule": _(
        "A figure is shown only if at least {min_farms} farms contribute, the largest farm "
        "makes up at most {share_1} % and the two largest at most {share_2} % of it. Figures "
        "from which a hidden one could be worked out are hidden too. Figures are rounded to "
        "whole tonnes."
    ),
    "coverage_note": _(
        "Farmland and livestock units are those of the farms the figure covers: all farms "
        "reporting that year, or the farm type's farms."
    ),
    "sectors_note": _(
        "Sectors as in the national inventory: agriculture (enteric fermentation, manure, "
        "soils, liming, urea), energy (fuels for machinery, heating oil), land use (drained "
        "organic soils; soil carbon change is shown apart), upstream (electricity, district "
        "heating, fertiliser manufacture)."
    ),
    "base_year": _("Base year: {year}"),
    "mix": _("Results calculated with: {mix}"),
    "mix_item": _("{set} with GWP100 from {gwp}: {n} farm-years"),
}


def _t(key: str, locale: str) -> str:
    return gettext_(TEXT[key], locale)


def note(reason: str | None, agg: Aggregate, locale: str) -> str:
    """Why a figure is not shown, in the reader's language ('' when shown)."""
    if not reason:
        return ""
    return gettext_(REASON_TEXT[reason], locale).format(min_farms=agg.rule.min_farms)


def export_rows(agg: Aggregate, locale: str = "sv") -> list[dict[str, Any]]:
    """The protected figures as long rows (:data:`COLUMNS`): the selected year, then the trend."""
    tables = agg.tables(locale)
    out: list[dict[str, Any]] = []
    t_co2e = "t CO2e"

    def add(table: str, row: dict[str, Any], measure: str, value: Any, unit: str, **kw: Any):
        out.append(
            {
                "year": agg.year,
                "table": _t(table, locale),
                "row": row["label"],
                "measure": measure,
                "value": value,
                "unit": unit,
                "farms": row.get("farms") if value is not None else None,
                "area_ha": row.get("area_ha"),
                "livestock_units": row.get("livestock_units"),
                "note": note(row.get("reason"), agg, locale) if value is None else "",
                **kw,
            }
        )

    emissions = _t("emissions", locale)
    for r in tables["summary"]:
        add("summary", r, r["label"], r["value"], r["unit"])
    for r in tables["gas"]:
        add("gas", r, emissions, r["value"], t_co2e)
        if "mass_t" in r:
            add("gas", r, _t("mass", locale), r["mass_t"], "t " + r["key"])
    for r in tables["source"]:
        add("source", r, emissions, r["value"], t_co2e)
        if r["key"] in ITEM_GASES and len(ITEM_GASES[r["key"]]) > 1:
            for g in GASES:
                if g in r["by_gas"]:
                    add("source", r, label(g, locale), r["by_gas"][g], t_co2e)
    for r in tables["sector"]:
        add("sector", r, emissions, r["value"], t_co2e)
    for r in tables["farm_type"]:
        add("farm_type", r, emissions, r["value"], t_co2e)
    potential = _t("potential", locale)
    for r in agg.measure_rows(locale):
        add("measures", r, potential, r["value"], t_co2e)
    trend_table = _t("trend", locale)
    measures = (
        ("total_t", label("total", locale), t_co2e),
        ("fossil_co2_t", label("fossil_co2", locale), "t CO2"),
        ("fossil_co2_path_t", _t("fossil_path", locale), "t CO2"),
        ("fossil_co2_vs_path_pct", _t("vs_path", locale), "%"),
        ("fossil_co2_kg_per_ha", _t("per_ha", locale), "kg CO2/ha"),
        ("ch4_t", _t("ch4", locale), "t CH4"),
        ("ch4_index", _t("ch4", locale) + ", " + _t("index", locale), ""),
        ("n2o_t", _t("n2o", locale), "t N2O"),
        ("n2o_index", _t("n2o", locale) + ", " + _t("index", locale), ""),
        ("soil_carbon_t", label("soil_carbon", locale), "t CO2"),
        ("net_t", label("net", locale), t_co2e),
    )
    series = [(trend_table, measures, agg.trend.to_dict("records"))]
    if agg.panel is not None and agg.panel.farms:
        same = (
            *measures[:9],
            ("total_kg_per_ha", _t("per_ha_total", locale), "kg CO2e/ha"),
            ("ch4_kg_per_lu", _t("per_lu_ch4", locale), "kg CH4/LU"),
        )
        rows = [agg.panel.row(int(y)) for y in agg.panel.series["year"]]
        series.append((_t("same_farms", locale), same, rows))
    for table, columns, records in series:
        for tr in records:
            for key, name, unit in columns:
                out.append(
                    {
                        "year": int(tr["year"]),
                        "table": table,
                        "row": str(int(tr["year"])),
                        "measure": name,
                        "value": _none(tr.get(key)),
                        "unit": unit,
                        "farms": _none(tr.get("farms")),
                        "area_ha": _none(tr.get("area_ha")),
                        "livestock_units": _none(tr.get("livestock_units")),
                        "note": "",
                    }
                )
    return out


def _none(v: Any) -> Any:
    return None if v is None or v != v else v


def _csv_text(s: str) -> str:
    return "'" + s if s and s.lstrip(" ").startswith(FORMULA_START) else s


def _csv_number(v: Any, locale: str) -> str:
    if v is None:
        return ""
    f = float(v)
    if f == int(f):
        return str(int(f))
    s = repr(round(f, 3))
    return s.replace(".", ",") if locale == "sv" else s


def to_csv(agg: Aggregate, locale: str = "sv") -> str:
    """The rows of :func:`export_rows` as CSV: ``;``-separated, decimal comma in Swedish.

    Starts with a byte-order mark so that Excel reads it as UTF-8.
    """
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([gettext_(HEADERS[c], locale) for c in COLUMNS])
    for r in export_rows(agg, locale):
        w.writerow(
            [
                _csv_number(r[c], locale)
                if c in ("value", "farms", "area_ha", "livestock_units", "year")
                else _csv_text("" if r[c] is None else str(r[c]))
                for c in COLUMNS
            ]
        )
    return "\ufeff" + buf.getvalue()


TABLE_COLUMNS = ("table", "row", "measure", "value", "unit", "farms", "note")
"""The columns of :func:`to_table` (the year is in its title)."""


def to_table(agg: Aggregate, locale: str = "sv") -> str:
    """The rows of :func:`export_rows` as a plain-text table for a terminal.

    Every column is as wide as its longest text: no label is ever cut. Numbers are
    right-aligned in the reader's way (``1 234,5``, ``−3,2``); a hidden figure is empty
    with its note.

    Parameters
    ----------
    agg : Aggregate
        The protected aggregates of one year.
    locale : str
        ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        The table, a line per row, ending in a newline.
    """
    numeric = {"value", "farms"}

    def cell(c: str, v: Any) -> str:
        if v is None:
            return ""
        if c in numeric:
            return format_number(float(v), locale, "#,##0.#")
        return str(v)

    head = [gettext_(HEADERS[c], locale) for c in TABLE_COLUMNS]
    body = [[cell(c, r[c]) for c in TABLE_COLUMNS] for r in export_rows(agg, locale)]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            x.rjust(w) if c in numeric else x.ljust(w)
            for c, x, w in zip(TABLE_COLUMNS, cells, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(head), rule, *(line(b) for b in body)]) + "\n"


def write_xlsx(agg: Aggregate, target: Target, locale: str = "sv") -> None:
    """An Excel workbook: the selected year's tables, the trend, all rows, the method."""
    wb = new_workbook(target)
    st = Styles(wb)
    bold = {"bold": True}
    head = {"bold": True, "bottom": 1}
    num = {"num_format": "# ##0"}
    title = _t("title", locale).format(code=agg.municipality_code or "", year=agg.year or "")

    ws = wb.add_worksheet(gettext_("Tables", locale))
    ws.set_column(0, 0, 46)
    ws.set_column(1, 6, 14)
    ws.set_column(7, 7, 48)
    write_text(ws, 0, 0, title, st, {"bold": True, "font_size": 14})
    r = 2
    tables = agg.tables(locale)
    cols = ("value", "farms", "area_ha", "livestock_units")
    col_heads = [
        gettext_(HEADERS["row"], locale),
        "t CO2e",
        gettext_(HEADERS["farms"], locale),
        gettext_(HEADERS["area_ha"], locale),
        gettext_(HEADERS["livestock_units"], locale),
        gettext_(HEADERS["note"], locale),
    ]
    spans: dict[str, tuple[int, int]] = {}  # each table's rows but its total, for the charts
    for key in ("summary", "gas", "sector", "source", "farm_type"):
        write_text(ws, r, 0, _t(key, locale), st, bold)
        r += 1
        for c, h in enumerate(col_heads):
            write_text(ws, r, c, h, st, head)
        r += 1
        parts = [row for row in tables[key] if row.get("key") != "total"]  # the total apart
        spans[key] = (r, r + len(parts) - 1)
        for row in tables[key]:
            write_text(ws, r, 0, row["label"], st)
            for c, k in enumerate(cols, start=1):
                write_value(ws, r, c, row.get(k), st, num)
            write_text(ws, r, 5, note(row.get("reason"), agg, locale), st)
            r += 1
        r += 1
    measure_rows = agg.measure_rows(locale)
    if measure_rows:
        write_text(ws, r, 0, _t("measures", locale), st, bold)
        r += 1
        for c, h in enumerate(col_heads[:3] + col_heads[-1:]):
            write_text(ws, r, 5 if c == 3 else c, h, st, head)
        r += 1
        for row in measure_rows:
            write_text(ws, r, 0, row["label"], st)
            write_value(ws, r, 1, row["value"], st, num)
            write_value(ws, r, 2, row["farms"], st, num)
            write_text(ws, r, 5, note(row.get("reason"), agg, locale), st)
            r += 1
        r += 1

    tw = wb.add_worksheet(_t("trend", locale))
    trend_cols = (
        ("year", gettext_(HEADERS["year"], locale)),
        ("farms", gettext_(HEADERS["farms"], locale)),
        ("area_ha", gettext_(HEADERS["area_ha"], locale)),
        ("livestock_units", gettext_(HEADERS["livestock_units"], locale)),
        ("total_t", label("total", locale) + " (t CO2e)"),
        ("fossil_co2_t", label("fossil_co2", locale) + " (t)"),
        ("fossil_co2_path_t", _t("fossil_path", locale) + " (t)"),
        ("fossil_co2_vs_path_pct", _t("vs_path", locale) + " (%)"),
        ("fossil_co2_kg_per_ha", _t("per_ha", locale) + " (kg/ha)"),
        ("ch4_t", _t("ch4", locale) + " (t)"),
        ("ch4_index", _t("ch4", locale) + ", " + _t("index", locale)),
        ("n2o_t", _t("n2o", locale) + " (t)"),
        ("n2o_index", _t("n2o", locale) + ", " + _t("index", locale)),
        ("soil_carbon_t", label("soil_carbon", locale) + " (t CO2)"),
        ("net_t", label("net", locale) + " (t CO2e)"),
    )
    tw.set_column(0, len(trend_cols) - 1, 16)
    write_text(tw, 0, 0, _t("base_year", locale).format(year=agg.base_year), st, bold)
    for c, (_k, h) in enumerate(trend_cols):
        write_text(tw, 2, c, h, st, {**head, "text_wrap": True})
    for i, tr in enumerate(agg.trend.to_dict("records"), start=3):
        for c, (k, _h) in enumerate(trend_cols):
            write_value(tw, i, c, _none(tr.get(k)), st)
    if agg.panel is not None and agg.panel.farms:
        r = 3 + len(agg.trend) + 1
        write_text(tw, r, 0, _t("same_farms", locale), st, bold)
        write_text(tw, r + 1, 0, _t("same_farms_note", locale), st)
        same_cols = (
            *trend_cols[:-2],
            ("total_kg_per_ha", _t("per_ha_total", locale) + " (kg CO2e/ha)"),
            ("ch4_kg_per_lu", _t("per_lu_ch4", locale) + " (kg CH4/LU)"),
        )
        for c, (_k, h) in enumerate(same_cols):
            write_text(tw, r + 2, c, h, st, {**head, "text_wrap": True})
        for i, y in enumerate(agg.panel.series["year"], start=r + 3):
            row = agg.panel.row(int(y))
            for c, (k, _h) in enumerate(same_cols):
                write_value(tw, i, c, _none(row.get(k)), st)

    _charts(wb, ws.get_name(), tw.get_name(), spans, len(agg.trend), locale)

    dw = wb.add_worksheet(gettext_("Data", locale))
    dw.set_column(0, len(COLUMNS) - 1, 16)
    for c, k in enumerate(COLUMNS):
        write_text(dw, 0, c, gettext_(HEADERS[k], locale), st, head)
    for i, row in enumerate(export_rows(agg, locale), start=1):
        for c, k in enumerate(COLUMNS):
            write_value(dw, i, c, row[k], st)

    mw = wb.add_worksheet(_t("method", locale))
    mw.set_column(0, 0, 110)
    lines = [
        title,
        _t("rule", locale).format(
            min_farms=agg.rule.min_farms,
            share_1=_pct(agg.rule.max_share_1),
            share_2=_pct(agg.rule.max_share_2),
        ),
        _t("coverage_note", locale),
        _t("sectors_note", locale),
        _t("measures_note", locale),
        _t("base_year", locale).format(year=agg.base_year),
    ]
    if agg.method_mix:
        mix = ", ".join(  # the set's name, not its id ("sweden"): issue 16
            _t("mix_item", locale).format(
                set=label(str(m.get("factor_set")), locale),
                gwp=m.get("gwp"),
                n=m.get("farm_years"),
            )
            for m in agg.method_mix
        )
        lines.append(_t("mix", locale).format(mix=mix))
    for i, line in enumerate(lines):
        write_text(mw, i, 0, line, st, {"text_wrap": True})
    wb.close()


CHART_TABLES = ("source", "sector", "farm_type")
"""The tables of the selected year drawn as bar charts (besides the trend's line chart)."""
TREND_SERIES = (4, 5, 6)
"""Columns of the trend sheet drawn as lines: the total, fossil CO2 and its path."""


def _charts(
    wb: Any,
    tables_sheet: str,
    trend_sheet: str,
    spans: dict[str, tuple[int, int]],
    n_years: int,
    locale: str,
) -> None:
    """A sheet of native Excel charts drawn from the cells of the two sheets before it.

    Every series refers to the published cells (``Tables``: label and t CO2e of each
    row; ``Trend``: the years' totals), so a chart shows exactly what the tables show: a
    hidden figure is an empty cell and an empty bar. No value is copied into a chart.
    """
    cw = wb.add_worksheet(gettext_("Charts", locale)[:31])
    cw.set_column(0, 0, 2)
    sheet = "'" + tables_sheet.replace("'", "''") + "'"
    row = 0
    for key in CHART_TABLES:
        first, last = spans[key]
        if last < first:
            continue
        chart = wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": _t(key, locale),
                "categories": f"={sheet}!$A${first + 1}:$A${last + 1}",
                "values": f"={sheet}!$B${first + 1}:$B${last + 1}",
                "fill": {"color": "#4E7D3A"},
            }
        )
        chart.set_title({"name": f"{_t(key, locale)} (t CO2e)"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"num_format": "# ##0"})
        chart.set_size({"width": 760, "height": max(260, 30 * (last - first + 1) + 90)})
        cw.insert_chart(row, 1, chart)
        row += max(14, (30 * (last - first + 1) + 90) // 20 + 2)
    if n_years:
        trend = "'" + trend_sheet.replace("'", "''") + "'"
        first, last = 4, 3 + n_years  # Excel rows of the trend's years (header on row 3)
        line = wb.add_chart({"type": "line"})
        for col in TREND_SERIES:
            letter = chr(ord("A") + col)
            line.add_series(
                {
                    "name": f"={trend}!${letter}$3",
                    "categories": f"={trend}!$A${first}:$A${last}",
                    "values": f"={trend}!${letter}${first}:${letter}${last}",
                    "marker": {"type": "circle"},
                }
            )
        line.set_title({"name": _t("trend", locale)})
        line.set_y_axis({"num_format": "# ##0"})
        line.set_legend({"position": "bottom"})
        line.set_size({"width": 760, "height": 380})
        cw.insert_chart(row, 1, line)


def _pct(share: float) -> str:
    v = 100.0 * share
    return str(int(v)) if v == int(v) else f"{v:g}"


def to_xlsx_bytes(agg: Aggregate, locale: str = "sv") -> bytes:
    buf = io.BytesIO()
    write_xlsx(agg, buf, locale)
    return buf.getvalue()
