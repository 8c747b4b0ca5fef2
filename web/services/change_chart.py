"""The change between two years as a diverging bar chart (inline SVG, no script).

One row per source: the label and the change in words above a bar that grows left
of the middle line for a lower figure and right of it for a higher one, so that a
change shows as a change, not as two nearly equal bars. The same figures are in a
table under "show as a table" (``web.services.charts.data_table``). The strings
come translated from the caller; colours from ``.chart-change…`` in
``web/static/style.css``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from web.services.charts import (
    BAR_HEIGHT,
    BAR_TOP,
    LABEL_BASELINE,
    LINE_HEIGHT,
    ONE_LINE_CHARS,
    ROW_HEIGHT,
    Bar,
    data_table,
    svg_open,
)

MIN_BAR_PCT = 0.4  # of the half width: a small non-zero change still shows a sliver


@dataclass(frozen=True)
class Change:
    """One row: ``value`` is the change (negative: lower), ``text`` says it in words."""

    label: str
    value: float
    text: str
    cells: tuple[str, ...] = ()


def change_svg(rows: Sequence[Change], *, chart_id: str, title: str, desc: str) -> Markup:
    """Bars from the middle: left for a decrease, right for an increase, scaled to the largest."""
    largest = max((abs(r.value) for r in rows), default=0.0)
    # label and change share a line when short; else the change goes on a line of its own
    two_lines = [len(r.label) + len(r.text) > ONE_LINE_CHARS for r in rows]
    height = ROW_HEIGHT * len(rows) + LINE_HEIGHT * sum(two_lines) + 4
    parts = svg_open(chart_id, height, title, desc, "chart-change")
    top = 0
    for r, long in zip(rows, two_lines, strict=True):
        extra = LINE_HEIGHT if long else 0
        bar_y = top + BAR_TOP + extra
        half = (
            0.0
            if largest <= 0 or r.value == 0
            else max(MIN_BAR_PCT, 50.0 * abs(r.value) / largest)
        )
        x = 50.0 - half if r.value < 0 else 50.0
        kind = "lower" if r.value < 0 else "higher"
        parts.append(
            '<g class="chart-row">'
            f'<text class="chart-label" x="0" y="{top + LABEL_BASELINE}">{escape(r.label)}</text>'
            f'<text class="chart-value" x="100%" y="{top + LABEL_BASELINE + extra}" '
            f'text-anchor="end">{escape(r.text)}</text>'
            f'<rect class="chart-track" x="0" y="{bar_y}" width="100%" height="{BAR_HEIGHT}"/>'
            + (
                f'<rect class="chart-change__{kind}" x="{x:.2f}%" y="{bar_y}" '
                f'width="{half:.2f}%" height="{BAR_HEIGHT}"/>'
                if half
                else ""
            )
            # the middle line (no change), at the bar only, clear of the texts
            + f'<line class="chart-axis" x1="50%" x2="50%" y1="{bar_y - 3}" '
            f'y2="{bar_y + BAR_HEIGHT + 3}"/>' + "</g>"
        )
        top += ROW_HEIGHT + extra
    parts.append("</svg>")
    return Markup("".join(parts))


def change_chart(
    rows: Sequence[Change],
    *,
    chart_id: str,
    title: str,
    desc: str,
    headers: Sequence[str],
    show_table: str,
) -> Markup:
    """A ``<figure>``: the diverging chart and a closed ``<details>`` with the table."""
    svg = change_svg(rows, chart_id=chart_id, title=title, desc=desc)
    table = data_table(
        [Bar(r.label, r.value, r.text, r.cells) for r in rows], caption=title, headers=headers
    )
    return Markup(
        f'<figure class="chart">{svg}'
        f'<details class="chart-table"><summary>{escape(show_table)}</summary>{table}</details>'
        "</figure>"
    )
