"""A line chart over the years as inline SVG made on the server (no script, no CDN).

Like ``web/services/charts.py``: the SVG carries only geometry and classes (colours in
``web/static/style.css``, ``.trend…``), it is as wide as its container with
x positions in per cent and y in CSS pixels, so labels keep their size on a
phone. A missing value (a figure not shown) leaves a gap in its line. The
caller passes translated strings and formatted labels; the legend and the
table of the same figures are HTML next to the SVG.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

HEIGHT = 240  # px of the plot area
TOP = 12
BOTTOM = 28  # room for the year labels
LEFT_PCT = 16.0  # y-axis labels sit left of this
RIGHT_PCT = 97.0


@dataclass(frozen=True)
class Series:
    """One line: ``values`` per year (None = not shown), drawn with ``css`` (a class)."""

    name: str
    values: Sequence[float | None]
    css: str
    dashed: bool = False


def nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """About ``n`` round tick values covering ``lo`` … ``hi``."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    v = first
    while v <= hi + step * 0.5:
        ticks.append(round(v, 10))
        v += step
        if len(ticks) > 12:
            break
    return ticks


def line_chart(
    years: Sequence[int],
    series: Sequence[Series],
    *,
    chart_id: str,
    title: str,
    desc: str,
    fmt: Callable[[float], str],
    baseline: float = 0.0,
    from_zero: bool = True,
) -> Markup:
    """The SVG and an HTML legend, in a ``<div class="trend">``.

    The y axis covers the values and ``baseline`` (drawn as a stronger line:
    0, or 100 for an index); ``from_zero=False`` lets it start near the values
    instead of at zero, so that an index's small changes show.
    """
    values = [v for s in series for v in s.values if v is not None]
    points = [*values, baseline] + ([0.0] if from_zero else [])
    lo, hi = min(points), max(points)
    if not from_zero:
        pad = max((hi - lo) * 0.25, abs(baseline) * 0.05, 1.0)
        lo, hi = lo - pad, hi + pad
    ticks = nice_ticks(lo, hi)
    lo, hi = min(ticks[0], lo), max(ticks[-1], hi)
    span = (hi - lo) or 1.0

    def y_of(v: float) -> float:
        return TOP + (hi - v) / span * HEIGHT

    def x_of(i: int) -> float:
        if len(years) == 1:
            return (LEFT_PCT + RIGHT_PCT) / 2
        return LEFT_PCT + 3 + (RIGHT_PCT - LEFT_PCT - 6) * i / (len(years) - 1)

    total_h = TOP + HEIGHT + BOTTOM
    t_id, d_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="trend-svg" id="{escape(chart_id)}" role="img" width="100%" '
        f'height="{total_h}" aria-labelledby="{escape(t_id)} {escape(d_id)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(t_id)}">{escape(title)}</title>',
        f'<desc id="{escape(d_id)}">{escape(desc)}</desc>',
    ]
    if baseline not in ticks:
        y = y_of(baseline)
        parts.append(
            f'<line class="trend-grid trend-grid--base" x1="{LEFT_PCT}%" x2="{RIGHT_PCT}%" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
        )
    for t in ticks:
        y = y_of(t)
        cls = "trend-grid trend-grid--base" if t == baseline else "trend-grid"
        parts.append(
            f'<line class="{cls}" x1="{LEFT_PCT}%" x2="{RIGHT_PCT}%" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="trend-axis" x="{LEFT_PCT - 1.5}%" y="{y + 5:.1f}" '
            f'text-anchor="end">{escape(fmt(t))}</text>'
        )
    for i, year in enumerate(years):
        parts.append(
            f'<text class="trend-axis" x="{x_of(i):.2f}%" y="{TOP + HEIGHT + 20}" '
            f'text-anchor="middle">{year}</text>'
        )
    for s in series:
        cls = f"trend-line {s.css}" + (" trend-line--dashed" if s.dashed else "")
        for i in range(len(years) - 1):
            a, b = s.values[i], s.values[i + 1]
            if a is None or b is None:
                continue
            parts.append(
                f'<line class="{cls}" x1="{x_of(i):.2f}%" y1="{y_of(a):.1f}" '
                f'x2="{x_of(i + 1):.2f}%" y2="{y_of(b):.1f}"/>'
            )
        for i, v in enumerate(s.values):
            if v is not None:
                parts.append(
                    f'<circle class="trend-dot {s.css}" cx="{x_of(i):.2f}%" cy="{y_of(v):.1f}" '
                    'r="4"/>'
                )
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="trend-key {escape(s.css)}'
        f'{" trend-key--dashed" if s.dashed else ""}" aria-hidden="true"></span>'
        f"{escape(s.name)}</li>"
        for s in series
    )
    return Markup(
        f'<div class="trend">{"".join(parts)}<ul class="trend-legend">{legend}</ul></div>'
    )
