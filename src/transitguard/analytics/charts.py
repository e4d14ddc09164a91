"""SVG charts: pure functions from numbers to markup, the same markup for the same numbers.

The console's Content-Security-Policy forbids inline styles and scripts, so the charts use presentation
attributes only (fill=, stroke=) and a class per series (`series-0`, `series-1`, ...) that a stylesheet
may recolour. Each chart carries a <title> and a <desc> (read by screen readers) and each bar or point
its own <title> with the exact value, so the numbers are one hover away; the table behind each chart
travels next to it wherever a chart is shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Colour-blind safe (Okabe–Ito), in the order series are drawn.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000")

WIDTH = 640
HEIGHT = 280
MARGIN_LEFT = 56
MARGIN_RIGHT = 16
MARGIN_TOP = 28
MARGIN_BOTTOM = 56


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


def _fmt(value: float) -> str:
    """A number as a reader wants it: integers without decimals, others with at most two."""
    if math.isfinite(value) and value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _coord(value: float) -> str:
    return f"{value:.1f}"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (the top of the value axis)."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * magnitude >= value:
            return step * magnitude
    return 10.0 * magnitude  # pragma: no cover - the loop always returns


def _ident(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-") or "chart"


def _frame(chart_id: str, title: str, description: str, body: list[str], legend: Sequence[str]) -> str:
    title_id = f"{chart_id}-title"
    desc_id = f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="{title_id} {desc_id}" class="chart">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    parts.extend(body)
    x = MARGIN_LEFT
    for index, name in enumerate(legend):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<g class="legend series-{index}"><rect x="{x}" y="8" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="17" font-size="11" fill="#222222">{escape(name)}</text></g>'
        )
        x += 24 + 7 * len(name)
    parts.append("</svg>")
    return "\n".join(parts)


def _axes(top: float, labels: Sequence[str], slot: float) -> list[str]:
    """The value axis with five gridlines and the category labels (thinned when crowded)."""
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    parts = ['<g class="axis">']
    for tick in range(6):
        value = top * tick / 5
        y = HEIGHT - MARGIN_BOTTOM - plot_height * tick / 5
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{_coord(y)}" x2="{WIDTH - MARGIN_RIGHT}" y2="{_coord(y)}" '
            f'stroke="#dddddd" stroke-width="1"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{_coord(y + 4)}" font-size="10" text-anchor="end" '
            f'fill="#444444">{_fmt(value)}</text>'
        )
    every = max(1, math.ceil(len(labels) / 16))
    for index, label in enumerate(labels):
        if index % every:
            continue
        x = MARGIN_LEFT + slot * (index + 0.5)
        y = HEIGHT - MARGIN_BOTTOM + 12
        parts.append(
            f'<text x="{_coord(x)}" y="{_coord(y)}" font-size="10" text-anchor="end" fill="#444444" '
            f'transform="rotate(-40 {_coord(x)} {_coord(y)})">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{MARGIN_LEFT}" y1="{HEIGHT - MARGIN_BOTTOM}" x2="{WIDTH - MARGIN_RIGHT}" '
        f'y2="{HEIGHT - MARGIN_BOTTOM}" stroke="#444444" stroke-width="1"/>'
    )
    parts.append("</g>")
    return parts


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"series {one.name!r} has {len(one.values)} values for {len(labels)} labels")


def _plot(title: str, labels: Sequence[str], series: Sequence[Series]) -> tuple[str, float, float, float]:
    """What both charts start from: the chart's id, the value axis's top, the plot's height, and the
    width of one label's slot."""
    _check(labels, series)
    values = [v for one in series for v in one.values if math.isfinite(v)]
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    return (
        _ident(title),
        nice_ceiling(max(values, default=0.0)),
        HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        plot_width / max(1, len(labels)),
    )


def bar_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], *, description: str = "", unit: str = ""
) -> str:
    """Grouped bars: one group per label, one bar per series."""
    chart_id, top, plot_height, slot = _plot(title, labels, series)
    bar = slot * 0.8 / max(1, len(series))
    body = _axes(top, labels, slot)
    suffix = f" {unit}" if unit else ""
    for s_index, one in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        body.append(f'<g class="series series-{s_index}" fill="{colour}">')
        for index, value in enumerate(one.values):
            shown = value if math.isfinite(value) else 0.0
            h = plot_height * max(0.0, shown) / top
            x = MARGIN_LEFT + slot * index + slot * 0.1 + bar * s_index
            y = HEIGHT - MARGIN_BOTTOM - h
            body.append(
                f'<rect x="{_coord(x)}" y="{_coord(y)}" width="{_coord(bar)}" height="{_coord(h)}">'
                f"<title>{escape(labels[index])}, {escape(one.name)}: {_fmt(value)}{escape(suffix)}</title>"
                "</rect>"
            )
        body.append("</g>")
    desc = description or _describe(labels, series)
    return _frame(chart_id, title, desc, body, [one.name for one in series])


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    description: str = "",
    marks: Sequence[int] = (),
    unit: str = "",
) -> str:
    """Lines over the labels (in order); `marks` are indexes of points to ring (e.g. anomalies)."""
    chart_id, top, plot_height, slot = _plot(title, labels, series)
    body = _axes(top, labels, slot)
    suffix = f" {unit}" if unit else ""

    def point(index: int, value: float) -> tuple[float, float]:
        return (
            MARGIN_LEFT + slot * (index + 0.5),
            HEIGHT - MARGIN_BOTTOM - plot_height * max(0.0, value) / top,
        )

    for s_index, one in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        coords = [point(i, v) for i, v in enumerate(one.values) if math.isfinite(v)]
        body.append(f'<g class="series series-{s_index}">')
        if coords:
            path = " ".join(f"{_coord(x)},{_coord(y)}" for x, y in coords)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for index, value in enumerate(one.values):
            if not math.isfinite(value):
                continue
            x, y = point(index, value)
            body.append(
                f'<circle cx="{_coord(x)}" cy="{_coord(y)}" r="2.5" fill="{colour}">'
                f"<title>{escape(labels[index])}, {escape(one.name)}: {_fmt(value)}{escape(suffix)}</title>"
                "</circle>"
            )
        body.append("</g>")
    if marks and series:
        body.append('<g class="marks">')
        first = series[0]
        for index in marks:
            if 0 <= index < len(labels) and math.isfinite(first.values[index]):
                x, y = point(index, first.values[index])
                body.append(
                    f'<circle cx="{_coord(x)}" cy="{_coord(y)}" r="7" fill="none" stroke="#d55e00" '
                    f'stroke-width="2"><title>{escape(labels[index])}: flagged</title></circle>'
                )
        body.append("</g>")
    desc = description or _describe(labels, series)
    return _frame(chart_id, title, desc, body, [one.name for one in series])


def _describe(labels: Sequence[str], series: Sequence[Series]) -> str:
    if not labels:
        return "No data in the period."
    parts = []
    for one in series:
        finite = [(v, labels[i]) for i, v in enumerate(one.values) if math.isfinite(v)]
        if not finite:
            continue
        high, at = max(finite)
        parts.append(f"{one.name}: total {_fmt(sum(v for v, _ in finite))}, highest {_fmt(high)} at {at}")
    return f"{len(labels)} points from {labels[0]} to {labels[-1]}. " + "; ".join(parts) + "."
