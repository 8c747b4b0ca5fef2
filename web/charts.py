"""Charts as inline SVG made on the server: no script, no inline style, no CDN.

A chart is a ``<figure>`` holding an ``<svg role="img">`` with a ``<title>``
and a ``<desc>``, and the same figures in a ``<table>`` inside a
``<details>`` ("show as a table") for screen readers and for reading exact
values. Colours and fonts come from classes in ``web/static/style.css``
(``.chart…``); the SVG carries only geometry. Text sizes are in CSS pixels:
the SVG is as wide as its container (``width="100%"``, bar lengths in per
cent) and is never scaled down, so its labels stay readable on a phone.

The strings (title, headers) come translated from the caller: this module
knows nothing of languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ROW_HEIGHT = 50  # px per bar: a label line, then the bar
LINE_HEIGHT = 20  # an extra line when label and value would not fit side by side
LABEL_BASELINE = 17
BAR_TOP = 24
BAR_HEIGHT = 16
# Label and value share a line up to this many characters: about 340 px of
# 15 px text, the width of a 390 px phone's content. Longer: the value goes
# on a line of its own, so that nothing overlaps at any width.
ONE_LINE_CHARS = 40
MIN_BAR_PCT = 0.6  # a small non-zero value still shows a sliver


@dataclass(frozen=True)
class Bar:
    """One bar: ``label`` and ``text`` (the formatted value) are shown as given.

    ``value`` sets the bar's length against the largest value of the chart;
    values ≤ 0 draw no bar. ``cells`` are the table's cells after the label
    (already formatted; default: ``text``), ``href`` links the label in the table.
    """

    label: str
    value: float
    text: str
    cells: tuple[str, ...] = ()
    href: str | None = None


def _pct(value: float, largest: float) -> float:
    if value <= 0 or largest <= 0:
        return 0.0
    return max(MIN_BAR_PCT, 100.0 * value / largest)


def hbar_svg(bars: Sequence[Bar], *, chart_id: str, title: str, desc: str) -> Markup:
    """A horizontal bar chart: per bar, the label (left) and value (right) above the bar."""
    largest = max((b.value for b in bars), default=0.0)
    two_lines = [len(b.label) + len(b.text) > ONE_LINE_CHARS for b in bars]
    height = ROW_HEIGHT * len(bars) + LINE_HEIGHT * sum(two_lines) + 4
    t_id, d_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="chart-svg" id="{escape(chart_id)}" role="img" width="100%" '
        f'height="{height}" aria-labelledby="{escape(t_id)} {escape(d_id)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(t_id)}">{escape(title)}</title>',
        f'<desc id="{escape(d_id)}">{escape(desc)}</desc>',
    ]
    top = 0
    for b, long in zip(bars, two_lines, strict=True):
        pct = _pct(b.value, largest)
        label_y = top + LABEL_BASELINE
        value_y = label_y + (LINE_HEIGHT if long else 0)
        bar_y = top + BAR_TOP + (LINE_HEIGHT if long else 0)
        parts.append(
            f'<g class="chart-row">'
            f'<text class="chart-label" x="0" y="{label_y}">{escape(b.label)}</text>'
            f'<text class="chart-value" x="100%" y="{value_y}" '
            f'text-anchor="end">{escape(b.text)}</text>'
            f'<rect class="chart-track" x="0" y="{bar_y}" width="100%" height="{BAR_HEIGHT}"/>'
            + (
                f'<rect class="chart-bar" x="0" y="{bar_y}" width="{pct:.2f}%" '
                f'height="{BAR_HEIGHT}"/>'
                if pct
                else ""
            )
            + "</g>"
        )
        top += ROW_HEIGHT + (LINE_HEIGHT if long else 0)
    parts.append("</svg>")
    return Markup("".join(parts))


def data_table(
    bars: Sequence[Bar], *, caption: str, headers: Sequence[str], total: Sequence[str] = ()
) -> Markup:
    """The chart's figures as a table: the label, then each bar's ``cells``.

    ``headers`` names every column; ``total`` is an optional last row.
    """
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if i else ""}>{escape(h)}</th>' for i, h in enumerate(headers)
    )
    rows = []
    for b in bars:
        name = f'<a href="{escape(b.href)}">{escape(b.label)}</a>' if b.href else escape(b.label)
        cells = "".join(f'<td class="num">{escape(c)}</td>' for c in (b.cells or (b.text,)))
        rows.append(f'<tr><th scope="row">{name}</th>{cells}</tr>')
    foot = ""
    if total:
        cells = "".join(f'<td class="num">{escape(c)}</td>' for c in total[1:])
        foot = f'<tfoot><tr><th scope="row">{escape(total[0])}</th>{cells}</tr></tfoot>'
    return Markup(
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f"<table><caption>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>{foot}</table></div>"
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    headers: Sequence[str],
    show_table: str,
    total: Sequence[str] = (),
) -> Markup:
    """A ``<figure>``: the SVG chart and a closed ``<details>`` with the same data as a table."""
    svg = hbar_svg(bars, chart_id=chart_id, title=title, desc=desc)
    table = data_table(bars, caption=title, headers=headers, total=total)
    return Markup(
        f'<figure class="chart">{svg}'
        f'<details class="chart-table"><summary>{escape(show_table)}</summary>{table}</details>'
        "</figure>"
    )
