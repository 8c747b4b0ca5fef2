"""The dashboard's like-for-like trend: the same farms every year beside all farms.

The figures come from :func:`farmcalc.municipality.trend.like_for_like` (protected there);
this module only draws them: a line chart of fossil CO2 as an index of the
base year for both series, and a table per year with the farms covered,
fossil CO2, and emissions per hectare and per livestock unit.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask_babel import gettext
from markupsafe import Markup

from farmcalc.municipality.summary import Aggregate
from farmcalc.municipality.trend import Panel, add_indicators
from web.language import number
from web.services.charts import Bar, data_table
from web.services.trend_chart import Series, line_chart


def _t(value: Any) -> str:
    return "–" if value is None or value != value else number(value, "#,##0")


def _n(value: Any, fmt: str = "#,##0.0") -> str:
    return "–" if value is None or value != value else number(value, fmt)


def _rows(frame: pd.DataFrame) -> dict[int, dict[str, Any]]:
    return {
        int(r["year"]): {k: (None if v is None or v != v else v) for k, v in r.items()}
        for r in frame.to_dict("records")
    }


def all_farms_series(agg: Aggregate) -> pd.DataFrame:
    """The trend of all reporting farms with the same per-ha and per-LU figures as the panel."""
    return add_indicators(agg.trend, base_year=agg.base_year, path_rate=agg.path_rate)


def panel_figures(agg: Aggregate, panel: Panel) -> dict[str, Markup]:
    """The like-for-like chart and table of the dashboard."""
    everyone = _rows(all_farms_series(agg))
    same = _rows(panel.series) if len(panel.series) else {}
    years = [y for y in agg.years if panel.base_year is not None and y >= panel.base_year]
    years = [y for y in years if panel.year is not None and y <= panel.year]
    chart = line_chart(
        years,
        [
            Series(
                gettext("All farms reporting"),
                [everyone.get(y, {}).get("fossil_co2_index") for y in years],
                "trend--actual",
            ),
            Series(
                gettext("The same %(n)s farms every year", n=_t(panel.farms)),
                [same.get(y, {}).get("fossil_co2_index") for y in years],
                "trend--panel",
            ),
            Series(
                gettext("Path: −%(rate)s %% a year", rate=round(100 * agg.path_rate)),
                [
                    None
                    if panel.base_year is None
                    else round(100.0 * (1.0 - agg.path_rate) ** (y - panel.base_year), 1)
                    for y in years
                ],
                "trend--path",
                dashed=True,
            ),
        ],
        chart_id="chart-like-for-like",
        title=gettext("Fossil CO2, index (%(year)s = 100)", year=panel.base_year),
        desc=gettext(
            "Fossil CO2 of all farms that reported each year, and of the same farms in every "
            "year, as an index of the base year; the dashed line is the path of the climate "
            "contract."
        ),
        fmt=lambda v: number(v, "#,##0"),
        baseline=100.0,
        from_zero=False,
    )
    headers = (
        gettext("Year"),
        gettext("Farms, all"),
        gettext("Fossil CO2 (t), all"),
        gettext("kg CO2 per ha, all"),
        gettext("Farms, same every year"),
        gettext("Fossil CO2 (t), same farms"),
        gettext("kg CO2 per ha, same farms"),
        gettext("kg CO2e per ha, same farms"),
        gettext("kg CH4 per LU, same farms"),
    )
    rows = []
    for y in years:
        a, s = everyone.get(y, {}), same.get(y, {})
        rows.append(
            Bar(
                label=str(y),
                value=0.0,
                text="",
                cells=(
                    _t(a.get("farms")),
                    _t(a.get("fossil_co2_t")),
                    _n(a.get("fossil_co2_kg_per_ha")),
                    _t(s.get("farms")),
                    _t(s.get("fossil_co2_t")),
                    _n(s.get("fossil_co2_kg_per_ha")),
                    _n(s.get("total_kg_per_ha"), "#,##0"),
                    _n(s.get("ch4_kg_per_lu")),
                ),
            )
        )
    table = data_table(
        rows, caption=gettext("All farms and the same farms every year"), headers=headers
    )
    return {"panel_chart": chart, "panel_table": table}
