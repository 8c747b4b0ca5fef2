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


def svg_open(chart_id: str, height: float, title: str, desc: str, kind: str = "") -> list[str]:
    """The opening of a chart's ``<svg>``: its class, size, title and description (for
    screen readers, by ``aria-labelledby``)."""
    t_id, d_id = f"{chart_id}-title", f"{chart_id}-desc"
    css = f"chart-svg {kind}".strip()
    return [
        f'<svg class="{css}" id="{escape(chart_id)}" role="img" width="100%" '
        f'height="{height:.0f}" aria-labelledby="{escape(t_id)} {escape(d_id)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(t_id)}">{escape(title)}</title>',
        f'<desc id="{escape(d_id)}">{escape(desc)}</desc>',
    ]


def hbar_svg(bars: Sequence[Bar], *, chart_id: str, title: str, desc: str) -> Markup:
    """A horizontal bar chart: per bar, the label (left) and value (right) above the bar."""
    largest = max((b.value for b in bars), default=0.0)
    two_lines = [len(b.label) + len(b.text) > ONE_LINE_CHARS for b in bars]
    height = ROW_HEIGHT * len(bars) + LINE_HEIGHT * sum(two_lines) + 4
    parts = svg_open(chart_id, height, title, desc)
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


# ----------------------------------------------------- marginal abatement cost curve

MACC_PLOT_HEIGHT = 220  # px between the highest and the lowest bar
MACC_TOP = 28  # px above the plot: the axis title
MACC_BOTTOM = 44  # px below the plot: the numbers of negative bars and the x axis title
MACC_NUMBER_MIN_PCT = 4.0  # a bar narrower than this gets no number (the table has it)
MACC_TEXT_MIN_PCT = 22.0  # a bar at least this wide also shows its ``text`` (SEK per t)


@dataclass(frozen=True)
class CostBar:
    """One bar of a cost curve: ``width`` [t CO2e yr-1] and ``height`` [SEK per t].

    ``number`` is written on the bar and starts the table's row; ``label``
    and ``cells`` (formatted) fill the table.
    """

    number: int
    label: str
    width: float
    height: float
    cells: tuple[str, ...]
    text: str = ""


def cost_curve_svg(
    bars: Sequence[CostBar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    y_title: str,
    x_title: str,
) -> Markup:
    """A marginal abatement cost curve: bars side by side, as wide as the tonnes they save.

    The bars come in the order given (cheapest first); a negative height (the
    measure saves money) is drawn below the zero line. Horizontal positions are
    in per cent of the chart's width, heights in CSS pixels, so that the text
    keeps its size on a phone.
    """
    total = sum(b.width for b in bars if b.width > 0)
    top = max([0.0, *(b.height for b in bars)])
    bottom = min([0.0, *(b.height for b in bars)])
    span = (top - bottom) or 1.0
    zero_y = MACC_TOP + MACC_PLOT_HEIGHT * top / span
    height = MACC_TOP + MACC_PLOT_HEIGHT + MACC_BOTTOM
    parts = svg_open(chart_id, height, title, desc, "chart-macc")
    parts.append(f'<text class="chart-label" x="0" y="16">{escape(y_title)}</text>')
    x = 0.0
    for b in bars:
        if b.width <= 0 or total <= 0:
            continue
        w = 100.0 * b.width / total
        h = MACC_PLOT_HEIGHT * abs(b.height) / span
        y = zero_y - h if b.height >= 0 else zero_y
        cls = "chart-bar" if b.height >= 0 else "chart-bar chart-bar--saves"
        parts.append(
            f'<rect class="{cls}" x="{x:.3f}%" y="{y:.1f}" width="{w:.3f}%" '
            f'height="{max(h, 1.0):.1f}"/>'
        )
        if w >= MACC_NUMBER_MIN_PCT:
            ny = y - 6 if b.height >= 0 else zero_y + h + 18
            long = bool(b.text) and w >= MACC_TEXT_MIN_PCT
            # a long text starts at the bar's left edge in the left half, ends at its right
            # edge in the right half: it never runs out of the chart
            if not long:
                tx, anchor = x + w / 2, "middle"
            elif x + w / 2 <= 50.0:
                tx, anchor = x, "start"
            else:
                tx, anchor = x + w, "end"
            parts.append(
                f'<text class="chart-value" x="{tx:.3f}%" y="{ny:.1f}" '
                f'text-anchor="{anchor}">{b.number}'
                + (f": {escape(b.text)}" if long else "")
                + "</text>"
            )
        x += w
    parts.append(
        f'<line class="chart-axis" x1="0" x2="100%" y1="{zero_y:.1f}" y2="{zero_y:.1f}"/>'
        f'<text class="chart-label" x="100%" y="{height - 6:.0f}" '
        f'text-anchor="end">{escape(x_title)}</text>'
        "</svg>"
    )
    return Markup("".join(parts))


def cost_curve(
    bars: Sequence[CostBar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    y_title: str,
    x_title: str,
    headers: Sequence[str],
    show_table: str,
) -> Markup:
    """A ``<figure>``: the cost curve and the same figures as a table (``<details>``)."""
    svg = cost_curve_svg(
        bars, chart_id=chart_id, title=title, desc=desc, y_title=y_title, x_title=x_title
    )
    rows = [
        Bar(label=f"{b.number}. {b.label}", value=b.width, text="", cells=b.cells) for b in bars
    ]
    table = data_table(rows, caption=title, headers=headers)
    return Markup(
        f'<figure class="chart">{svg}'
        f'<details class="chart-table" open><summary>{escape(show_table)}</summary>{table}'
        "</details></figure>"
    )
