"""The results workbook: summary, breakdown, per crop, charts and sources.

    batch, issues = calculate_workbook("gardar.xlsx")
    write_results(batch, "resultat.xlsx")

Sheets (Swedish names through the catalogue): Sammanfattning (one row per
farm), Utsläpp (farm × source × category × gas), Per gröda, Åtgärder (per
farm every measure that would cut its emissions, each alone: the saving, the
investment, the support, the yearly cost, SEK per tonne and payback, the
cheapest first; :func:`measure_rows`), Varningar (per farm every plausibility
warning, where and why), Diagram (native Excel charts of the totals) and Källor
(factor set, version, GWP and the citation of every factor). Numbers are
written as numbers with formats that Excel shows the reader's way
(``1 234,5`` in Swedish); every text a user typed is written as text that
cannot become a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from farmcalc.api import INTENSITY_TEXT, BatchResult, calculate_batch
from farmcalc.excel.reader import Source, read_workbook, record_warnings
from farmcalc.excel.safety import MAX_BYTES, MAX_ROWS
from farmcalc.excel.sheet_issues import SheetIssue
from farmcalc.excel.xlsx import Styles, Target, new_workbook, write_columns, write_text
from farmcalc.factors import DEFAULT_FACTOR_SET, DEFAULT_GWP, load_sources
from farmcalc.i18n import _, gettext_
from farmcalc.inputs.vocabulary import GASES, SOURCES
from farmcalc.labels import label
from farmcalc.steering import economics
from farmcalc.steering.costs import Costs, load_costs, make_step, step_costs
from farmcalc.steering.measures import (
    ALL_MEASURES,
    apply_measure,
    describe,
    load_parameters,
    savings_arrays,
)

T = {
    # sheet names (at most 31 characters)
    "summary": _("Summary"),
    "emissions": _("Emissions"),
    "per_crop": _("Per crop"),
    "charts": _("Charts"),
    "sources": _("Sources"),
    # columns
    "farm_id": _("Farm id"),
    "name": _("Farm name"),
    "year": _("Year"),
    "farmland_ha": _("Farmland (ha)"),
    "co2e_t": _("Emissions (t CO2e)"),
    "ch4_t": _("Methane (t CH4)"),
    "n2o_t": _("Nitrous oxide (t N2O)"),
    "co2_t": _("Carbon dioxide (t CO2)"),
    "scope3_t": _("Of which fertiliser manufacture (t CO2e)"),
    "soil_t": _("Soil carbon change (t CO2e, negative = storage)"),
    "net_t": _("Net (t CO2e)"),
    "per_ha": _("Per hectare (kg CO2e/ha)"),
    "net_per_ha": _("Net per hectare (kg CO2e/ha)"),
    "milk": _("Milk (kg ECM)"),
    "per_kg_ecm": _("Per kg ECM (kg CO2e/kg ECM)"),
    "icbm_t": _("Soil carbon by ICBM (t CO2 per year)"),
    "ipcc_t": _("Soil carbon by the IPCC method (t CO2 per year)"),
    "source": _("Source"),
    "category": _("Category"),
    "gas": _("Gas"),
    "gas_kg": _("Amount of gas (kg)"),
    "co2e_row_t": _("CO2-equivalents (t CO2e)"),
    "crop": _("Crop"),
    "area_ha": _("Area (ha)"),
    "harvest_t": _("Harvest (t)"),
    "harvest_basis": _("Harvest weighed as"),
    "basis_dm": _("dry matter"),
    "basis_fresh": _("as delivered"),
    "crop_co2e_kg": _("Emissions (kg CO2e)"),
    # measures and warnings
    "measures": _("Measures"),
    "measure": _("Climate measure"),
    "saved_t": _("Saves (t CO2e per year)"),
    "investment": _("Investment (SEK)"),
    "support": _("Of which support (SEK)"),
    "annual_cost": _("Yearly cost after support (SEK per year, negative = saves money)"),
    "sek_per_t": _("SEK per tonne CO2e"),
    "payback": _("Payback (years)"),
    "no_measures": _("No standard measure would lower these farms' emissions."),
    "warnings": _("Warnings"),
    "where": _("Where in the farm's data"),
    "warning": _("Warning"),
    "no_warnings": _("No warnings: every figure is within the plausible ranges."),
    "per_t": _("Per tonne of harvest (kg CO2e/t)"),
    # charts
    "by_source": _("Emissions by source, all farms (t CO2e)"),
    "by_gas": _("Emissions by gas, all farms (t CO2e)"),
    "by_farm": _("Emissions per farm by gas (t CO2e)"),
    "total": _("Total"),
    "soil_row": _("Soil carbon change"),
    "net_row": _("Net"),
    # sources sheet
    "sources_title": _("Method and sources"),
    "factor_set": _("Factor set"),
    "version": _("Version"),
    "title": _("Title"),
    "gwp": _("GWP100"),
    "gwp_source": _("GWP source"),
    "calculated": _("Calculated"),
    "program": _("Program"),
    "definitions": _("Definitions"),
    "factors": _("Factors used"),
    "factor_id": _("Factor id"),
    "value": _("Value"),
    "unit": _("Unit"),
    "from_set": _("From factor set"),
    "citation": _("Source"),
    "locator": _("Where in the source"),
    "url": _("Link"),
}

HEADER = {
    "bold": True,
    "text_wrap": True,
    "valign": "top",
    "bg_color": "#DDEBD5",
    "border": 1,
    "border_color": "#9BBB8B",
}
F_T = "#,##0.0"  # tonnes
F_KG = "#,##0"
F_HA = "#,##0.0"
F_SMALL = "0.00"
MAX_FARMS_CHART = 40
CONSTANT_MEMORY_ROWS = 50_000  # emission rows (about 2,300 farms)


def calculate_workbook(
    source: Source,
    *,
    factors: str = DEFAULT_FACTOR_SET,
    gwp: str = DEFAULT_GWP,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
) -> tuple[BatchResult | None, list[SheetIssue]]:
    """Read, validate and calculate every farm of a workbook (nothing stored).

    Returns
    -------
    (BatchResult or None, list of SheetIssue)
        The result is None when the workbook has errors; the issues list every
        error and warning. The result's ``issues`` carry the warnings, so its
        ``to_dicts()`` lists them per farm.
    """
    tables, issues = read_workbook(source, max_rows=max_rows, max_bytes=max_bytes)
    if tables is None:
        return None, issues
    batch = calculate_batch(tables, factors=factors, gwp=gwp)
    return replace(batch, issues=record_warnings(issues)), issues


class _Writer:
    def __init__(self, wb, locale: str) -> None:
        self.wb = wb
        self.locale = locale
        self.styles = Styles(wb)

    def t(self, key: str) -> str:
        return gettext_(T[key], self.locale)

    def header(self, ws, row: int, titles: list[str], widths: list[float]) -> None:
        ws.set_row(row, 45)
        for c, (title, w) in enumerate(zip(titles, widths, strict=True)):
            ws.set_column(c, c, w)
            write_text(ws, row, c, title, self.styles, HEADER)

    def columns(self, ws, first_row: int, cols: list[tuple[str, list, str | None]]) -> None:
        """Write whole columns: (kind, values, number format) per column."""
        specs = [(k, v, {"num_format": f} if f else None) for k, v, f in cols]
        write_columns(ws, first_row, specs, self.styles)


def write_results(
    batch: BatchResult, target: Target, *, locale: str = "sv", measures: bool = True
) -> None:
    """Write the results workbook of a batch.

    Parameters
    ----------
    batch : BatchResult
        From :func:`farmcalc.calculate_batch` or :func:`calculate_workbook`.
    target : path or binary file
        Where the .xlsx goes.
    locale : str
        ``sv`` (default) or ``en``: language of sheet names, headers and labels.
    measures : bool
        Write the sheet of measures (default; it calculates every farm once more per
        measure that applies to it).
    """
    # Large batches: rows go to disk as they are written, and write_columns
    # builds the tables' XML a column at a time. (Charts then carry no cached
    # values; Excel and LibreOffice take them from the cells.)
    wb = new_workbook(target, constant_memory=len(batch.emissions) > CONSTANT_MEMORY_ROWS)
    w = _Writer(wb, locale)
    _summary(w, batch)
    _emissions(w, batch)
    _per_crop(w, batch)
    if measures:
        _measures(w, batch)
    _warnings(w, batch)
    _charts(w, batch)
    _sources(w, batch)
    wb.close()


def _summary(w: _Writer, b: BatchResult) -> None:
    ws = w.wb.add_worksheet(w.t("summary")[:31])
    tot = b.totals
    names = b.tables.farms["name"].to_numpy(dtype=object)
    t = lambda col: (tot[col].to_numpy() / 1000.0).tolist()  # noqa: E731
    k = lambda col: tot[col].to_numpy().tolist()  # noqa: E731
    cols = [
        ("farm_id", "text", tot["farm_id"].tolist(), None, 14),
        ("name", "text", [None if x is None or x != x else x for x in names], None, 24),
        ("year", "num", k("year"), "0", 7),
        ("farmland_ha", "num", k("farmland_ha"), F_HA, 11),
        ("co2e_t", "num", t("co2e_kg"), F_T, 13),
        ("ch4_t", "num", t("CH4_kg"), "#,##0.00", 11),
        ("n2o_t", "num", t("N2O_kg"), "#,##0.000", 11),
        ("co2_t", "num", t("CO2_kg"), F_T, 11),
        ("scope3_t", "num", t("scope3_co2e_kg"), F_T, 14),
        ("soil_t", "num", t("soil_carbon_co2e_kg"), F_T, 15),
        ("net_t", "num", t("net_co2e_kg"), F_T, 12),
        ("per_ha", "num", k("co2e_kg_per_ha"), F_KG, 12),
        ("net_per_ha", "num", k("net_co2e_kg_per_ha"), F_KG, 12),
        ("milk", "num", k("milk_kg_ecm"), F_KG, 12),
        ("per_kg_ecm", "num", k("co2e_kg_per_kg_ecm"), F_SMALL, 12),
        ("icbm_t", "num", t("soil_carbon_icbm_co2_kg"), F_T, 14),
        ("ipcc_t", "num", t("soil_carbon_ipcc_co2_kg"), F_T, 14),
    ]
    w.header(ws, 0, [w.t(c[0]) for c in cols], [c[4] for c in cols])
    ws.freeze_panes(1, 2)
    w.columns(ws, 1, [(c[1], c[2], c[3]) for c in cols])
    ws.autofilter(0, 0, max(len(tot), 1), len(cols) - 1)


def _labels(values: pd.Series, locale: str) -> list[str]:
    codes = values.astype(object)
    names = {c: label(str(c), locale) for c in pd.unique(codes)}
    return codes.map(names).tolist()


def _emissions(w: _Writer, b: BatchResult) -> None:
    ws = w.wb.add_worksheet(w.t("emissions")[:31])
    e = b.emissions
    cols = [
        ("farm_id", "text", e["farm_id"].tolist(), None, 14),
        ("year", "num", e["year"].tolist(), "0", 7),
        ("source", "text", _labels(e["source"], w.locale), None, 30),
        ("category", "text", _labels(e["category"], w.locale), None, 34),
        ("gas", "text", _labels(e["gas"], w.locale), None, 22),
        ("gas_kg", "num", e["kg"].tolist(), "#,##0.0", 14),
        ("co2e_row_t", "num", (e["co2e_kg"] / 1000.0).tolist(), "#,##0.000", 14),
    ]
    w.header(ws, 0, [w.t(c[0]) for c in cols], [c[4] for c in cols])
    ws.freeze_panes(1, 1)
    w.columns(ws, 1, [(c[1], c[2], c[3]) for c in cols])
    ws.autofilter(0, 0, max(len(e), 1), len(cols) - 1)


def _per_crop(w: _Writer, b: BatchResult) -> None:
    ws = w.wb.add_worksheet(w.t("per_crop")[:31])
    pc = b.per_crop
    fidx = pc["farm_idx"].to_numpy(dtype=np.int64)
    farms = b.tables.farms
    cols = [
        ("farm_id", "text", farms["farm_id"].to_numpy(dtype=object)[fidx].tolist(), None, 14),
        ("year", "num", farms["year"].to_numpy()[fidx].tolist(), "0", 7),
        ("crop", "text", _labels(pc["crop"], w.locale), None, 24),
        ("area_ha", "num", pc["area_ha"].tolist(), F_HA, 10),
        ("harvest_t", "num", pc["harvest_t"].tolist(), F_T, 11),
        (
            "harvest_basis",
            "text",
            [w.t("basis_dm") if dm else w.t("basis_fresh") for dm in pc["harvest_dm"].tolist()],
            None,
            16,
        ),
        ("crop_co2e_kg", "num", pc["co2e_kg"].tolist(), F_KG, 13),
        ("per_t", "num", pc["co2e_kg_per_t"].tolist(), F_KG, 14),
    ]
    w.header(ws, 0, [w.t(c[0]) for c in cols], [c[4] for c in cols])
    ws.freeze_panes(1, 1)
    w.columns(ws, 1, [(c[1], c[2], c[3]) for c in cols])
    ws.autofilter(0, 0, max(len(pc), 1), len(cols) - 1)


MEASURE_COLUMNS = (
    "farm_idx",
    "measure",
    "co2e_kg_saved",
    "investment_sek",
    "investment_support_sek",
    "annual_cost_sek",
    "sek_per_t_co2e",
    "payback_years",
)
"""The columns of :func:`measure_rows`."""


def measure_rows(
    batch: BatchResult,
    *,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
    costs: Costs | None = None,
) -> pd.DataFrame:
    """Every measure that would cut a farm's emissions, on its own, with its costs.

    The savings are those of ``farmcalc.steering.measures.savings_arrays`` (each
    measure applied alone to the farm as it is, calculated with the batch's
    factor set and GWP); the costs those of ``farmcalc.steering.costs.step_costs``
    of the same change. Rows: :data:`MEASURE_COLUMNS`, one per farm and measure
    that applies and saves more than nothing, per farm the cheapest per tonne first
    (a measure that saves money has a negative cost). Costs [SEK], [SEK yr-1];
    savings [kg CO2e yr-1].
    """
    fs, n = batch.factor_set, batch.tables.n_farms
    params = parameters if parameters is not None else load_parameters()
    costs = costs or load_costs()
    sv = savings_arrays(batch.tables, factors=fs, gwp=batch.gwp, parameters=params, base=batch)
    parts = []
    for k, m in enumerate(ALL_MEASURES):  # thirteen measures, each over all farms
        saved = sv["co2e_kg_saved"][k * n : (k + 1) * n]
        keep = sv["applies"][k * n : (k + 1) * n] & (saved > 0)
        if not keep.any():
            continue
        applied = apply_measure(batch.tables, m, factors=fs, parameters=params)
        step = make_step(batch.tables, applied.tables, applied.applies, m, fs, costs, params)
        c = step_costs(step, m, costs, costs.discount_rate)
        idx = np.flatnonzero(keep)
        annual = c["annual_cost_sek"].to_numpy(dtype=float)[idx]
        parts.append(
            pd.DataFrame(
                {
                    "farm_idx": idx,
                    "measure": m,
                    "co2e_kg_saved": saved[idx],
                    "investment_sek": c["investment_sek"].to_numpy(dtype=float)[idx],
                    "investment_support_sek": c["investment_support_sek"].to_numpy(dtype=float)[
                        idx
                    ],
                    "annual_cost_sek": annual,
                    "sek_per_t_co2e": economics.sek_per_tonne(annual, saved[idx]),
                    "payback_years": c["payback_years"].to_numpy(dtype=float)[idx],
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: [] for c in MEASURE_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["farm_idx", "sek_per_t_co2e"], kind="stable").reset_index(drop=True)


def _measures(w: _Writer, b: BatchResult) -> None:
    ws = w.wb.add_worksheet(w.t("measures")[:31])
    rows = measure_rows(b)
    farms = b.tables.farms
    fidx = rows["farm_idx"].to_numpy(dtype=np.int64)
    names = farms["name"].to_numpy(dtype=object)[fidx]
    titles = {m: describe(m, w.locale)["title"] for m in pd.unique(rows["measure"])}
    cols = [
        ("farm_id", "text", farms["farm_id"].to_numpy(dtype=object)[fidx].tolist(), None, 14),
        ("name", "text", [None if x is None or x != x else x for x in names], None, 22),
        ("year", "num", farms["year"].to_numpy()[fidx].tolist(), "0", 7),
        ("measure", "text", [titles[m] for m in rows["measure"]], None, 40),
        ("saved_t", "num", (rows["co2e_kg_saved"] / 1000.0).tolist(), F_T, 13),
        ("investment", "num", rows["investment_sek"].tolist(), F_KG, 13),
        ("support", "num", rows["investment_support_sek"].tolist(), F_KG, 13),
        ("annual_cost", "num", rows["annual_cost_sek"].tolist(), F_KG, 18),
        ("sek_per_t", "num", rows["sek_per_t_co2e"].tolist(), F_KG, 12),
        ("payback", "num", rows["payback_years"].tolist(), "0.0", 11),
    ]
    w.header(ws, 0, [w.t(c[0]) for c in cols], [c[4] for c in cols])
    ws.freeze_panes(1, 2)
    if len(rows):
        w.columns(ws, 1, [(c[1], c[2], c[3]) for c in cols])
        ws.autofilter(0, 0, len(rows), len(cols) - 1)
    else:
        write_text(ws, 1, 0, w.t("no_measures"), w.styles)


def _warnings(w: _Writer, b: BatchResult) -> None:
    ws = w.wb.add_worksheet(w.t("warnings")[:31])
    farms = b.tables.farms
    issues = sorted(b.issues, key=lambda i: i.farm)
    fidx = np.array([i.farm for i in issues], dtype=np.int64)
    names = farms["name"].to_numpy(dtype=object)[fidx]
    cols = [
        ("farm_id", "text", farms["farm_id"].to_numpy(dtype=object)[fidx].tolist(), None, 14),
        ("name", "text", [None if x is None or x != x else x for x in names], None, 22),
        ("year", "num", farms["year"].to_numpy()[fidx].tolist(), "0", 7),
        ("where", "text", [i.path for i in issues], None, 30),
        ("warning", "text", [i.text(w.locale) for i in issues], None, 90),
    ]
    w.header(ws, 0, [w.t(c[0]) for c in cols], [c[4] for c in cols])
    ws.freeze_panes(1, 1)
    if issues:
        w.columns(ws, 1, [(c[1], c[2], c[3]) for c in cols])
        ws.autofilter(0, 0, len(issues), len(cols) - 1)
    else:
        write_text(ws, 1, 0, w.t("no_warnings"), w.styles)


def _charts(w: _Writer, b: BatchResult) -> None:
    """Totals over all farms by source and by gas (and per farm when few), with charts."""
    name = w.t("charts")[:31]
    ws = w.wb.add_worksheet(name)
    st = w.styles
    e = b.emissions
    src = e["source"].astype(object)
    em = e[src != "soil_carbon"]
    by_source = em.groupby(em["source"].astype(object))["co2e_kg"].sum() / 1000.0
    by_source = by_source.reindex([s for s in SOURCES if s in by_source.index])
    by_gas = em.groupby(em["gas"].astype(object))["co2e_kg"].sum() / 1000.0
    by_gas = by_gas.reindex([g for g in GASES if g in by_gas.index])
    soil = float(b.totals["soil_carbon_co2e_kg"].sum()) / 1000.0
    total = float(b.totals["co2e_kg"].sum()) / 1000.0
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 14)
    num = st.get(num_format=F_T)
    bold_num = st.get(num_format=F_T, bold=True)

    r = 0
    write_text(ws, r, 0, w.t("by_source"), st, {"bold": True, "font_size": 12})
    r += 1
    first_src = r
    for s, v in by_source.items():
        write_text(ws, r, 0, label(str(s), w.locale), st)
        ws.write_number(r, 1, float(v), num)
        r += 1
    last_src = r - 1
    write_text(ws, r, 0, w.t("total"), st, {"bold": True})
    ws.write_number(r, 1, total, bold_num)
    r += 1
    write_text(ws, r, 0, w.t("soil_row"), st)
    ws.write_number(r, 1, soil, num)
    r += 1
    write_text(ws, r, 0, w.t("net_row"), st, {"bold": True})
    ws.write_number(r, 1, total + soil, bold_num)
    r += 2
    write_text(ws, r, 0, w.t("by_gas"), st, {"bold": True, "font_size": 12})
    r += 1
    first_gas = r
    for g, v in by_gas.items():
        write_text(ws, r, 0, label(str(g), w.locale), st)
        ws.write_number(r, 1, float(v), num)
        r += 1
    last_gas = r - 1
    r += 1

    farm_rows = None
    if 0 < b.tables.n_farms <= MAX_FARMS_CHART:
        write_text(ws, r, 0, w.t("by_farm"), st, {"bold": True, "font_size": 12})
        r += 1
        gases = list(by_gas.index)
        pivot = (
            em.pivot_table(
                index="farm_idx",
                columns=em["gas"].astype(object),
                values="co2e_kg",
                aggfunc="sum",
                fill_value=0.0,
            ).reindex(index=range(b.tables.n_farms), columns=gases, fill_value=0.0)
            / 1000.0
        )
        write_text(ws, r, 0, w.t("farm_id"), st, HEADER)
        for c, g in enumerate(gases, start=1):
            ws.set_column(c, c, 14)
            write_text(ws, r, c, label(str(g), w.locale), st, HEADER)
        r += 1
        first_farm = r
        ids = b.tables.farms["farm_id"].tolist()
        for f in range(b.tables.n_farms):
            write_text(ws, r, 0, ids[f], st)
            for c, g in enumerate(gases, start=1):
                ws.write_number(r, c, float(pivot.at[f, g]), num)
            r += 1
        farm_rows = (first_farm, r - 1, len(gases))

    sheet_ref = f"'{name}'"
    if len(by_source):
        chart = w.wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": w.t("by_source"),
                "categories": f"={sheet_ref}!$A${first_src + 1}:$A${last_src + 1}",
                "values": f"={sheet_ref}!$B${first_src + 1}:$B${last_src + 1}",
                "fill": {"color": "#6A994E"},
            }
        )
        chart.set_title({"name": w.t("by_source"), "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"num_format": "#,##0"})
        chart.set_size({"width": 640, "height": 380})
        ws.insert_chart(0, 3, chart)
    if len(by_gas):
        pie = w.wb.add_chart({"type": "pie"})
        pie.add_series(
            {
                "name": w.t("by_gas"),
                "categories": f"={sheet_ref}!$A${first_gas + 1}:$A${last_gas + 1}",
                "values": f"={sheet_ref}!$B${first_gas + 1}:$B${last_gas + 1}",
                "data_labels": {"percentage": True},
            }
        )
        pie.set_title({"name": w.t("by_gas"), "name_font": {"size": 11}})
        pie.set_size({"width": 480, "height": 320})
        ws.insert_chart(20, 3, pie)
    if farm_rows:
        first, last, n_gas = farm_rows
        col = w.wb.add_chart({"type": "column", "subtype": "stacked"})
        for c in range(1, n_gas + 1):
            letter = chr(65 + c)
            col.add_series(
                {
                    "name": f"={sheet_ref}!${letter}${first}",
                    "categories": f"={sheet_ref}!$A${first + 1}:$A${last + 1}",
                    "values": f"={sheet_ref}!${letter}${first + 1}:${letter}${last + 1}",
                }
            )
        col.set_title({"name": w.t("by_farm"), "name_font": {"size": 11}})
        col.set_y_axis({"num_format": "#,##0"})
        col.set_size({"width": 720, "height": 400})
        ws.insert_chart(38, 3, col)


def _sources(w: _Writer, b: BatchResult) -> None:
    ws = w.wb.add_worksheet(w.t("sources")[:31])
    st = w.styles
    fs, g = b.factor_set, b.gwp
    import farmcalc

    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 2, 20)
    ws.set_column(3, 3, 12)
    ws.set_column(4, 4, 80)
    ws.set_column(5, 5, 30)
    ws.set_column(6, 6, 40)
    write_text(ws, 0, 0, w.t("sources_title"), st, {"bold": True, "font_size": 14})
    src = load_sources()
    gwp_source = src.at[g.source, "citation"] if g.source in src.index else g.source
    meta = [  # names and citations, not ids ("sweden", "ipcc_ar5_wg1"): issue 16
        ("factor_set", label(fs.name, w.locale)),
        ("version", fs.version),
        ("title", fs.title),
        ("gwp", g.name),
        ("gwp_source", gwp_source),
        ("calculated", dt.date.today().isoformat()),
        ("program", f"farmcalc {farmcalc.__version__}"),
    ]
    r = 2
    for key, value in meta:
        write_text(ws, r, 0, w.t(key), st, {"bold": True})
        write_text(ws, r, 1, value, st)
        r += 1
    r += 1
    write_text(ws, r, 0, w.t("definitions"), st, {"bold": True, "font_size": 12})
    r += 1
    for key, msgid in INTENSITY_TEXT.items():
        write_text(ws, r, 0, w.t({"per_t_crop": "per_t"}.get(key, key)), st, {"bold": True})
        write_text(ws, r, 1, gettext_(msgid, w.locale), st)
        r += 1
    r += 1
    write_text(ws, r, 0, w.t("factors"), st, {"bold": True, "font_size": 12})
    r += 1
    heads = ["factor_id", "value", "unit", "from_set", "citation", "locator", "url"]
    for c, h in enumerate(heads):
        write_text(ws, r, c, w.t(h), st, HEADER)
    r += 1
    rows = fs.rows
    sid = rows["source_id"].astype(str)
    citation = sid.map(src["citation"]).fillna(sid).tolist()
    url = sid.map(src["url"]).fillna("").tolist()
    values = pd.to_numeric(rows["value"], errors="coerce").tolist()
    cols = [
        ("text", rows.index.astype(str).tolist(), None),
        ("num", values, "General"),
        ("text", rows["unit"].astype(str).tolist(), None),
        ("text", [label(x, w.locale) for x in rows["set"].astype(str).tolist()], None),
        ("text", citation, None),
        ("text", rows["source_locator"].astype(str).tolist(), None),
        ("text", url, None),
    ]
    w.columns(ws, r, cols)
