"""SVG charts as strings, for pages that must stand alone (the HTML report). Every text is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#7f8c99", "#2f9e9e", "#c45a9c")


def colour(topic: int | None) -> str:
    """The page's colour of a topic (the same rule as the web page's script)."""
    if topic is None or topic < 0:
        return "#9aa5b1"
    if topic < len(PALETTE):
        return PALETTE[topic]
    return f"hsl({topic * 137.508 % 360:.1f}, 55%, 48%)"


def sparkline(counts: Sequence[int], stroke: str, width: int = 110, height: int = 26) -> str:
    """A small trend line scaled to its own maximum."""
    top = max([1, *counts])
    step = width / (len(counts) - 1) if len(counts) > 1 else 0
    points = " ".join(f"{i * step:.1f},{height - 2 - c / top * (height - 4):.1f}"
                      for i, c in enumerate(counts))
    label = escape("articles per month: " + ", ".join(str(c) for c in counts))
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-label="{label}"><polyline points="{points}" fill="none" stroke="{escape(stroke)}" '
            'stroke-width="1.6" stroke-linejoin="round"/></svg>')


def bar_chart(periods: Sequence[str], counts: Sequence[int], fill: str, width: int = 760,
              height: int = 200) -> str:
    """Articles per period as bars, with a year under each January and a hover title per bar."""
    left, bottom, top = 34, 24, 10
    peak = max([1, *counts])
    bar = (width - left - 6) / max(1, len(counts))
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="articles per month" class="chart">',
             (f'<line x1="{left}" y1="{height - bottom}" x2="{width - 6}" y2="{height - bottom}" '
              'class="axis"/>')]
    for frac in (0.5, 1.0):
        y = height - bottom - frac * (height - bottom - top)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 6}" y2="{y:.1f}" class="axis" '
                     f'stroke-dasharray="3 3"/><text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end">'
                     f"{round(frac * peak)}</text>")
    for i, (period, count) in enumerate(zip(periods, counts)):
        h = count / peak * (height - bottom - top)
        x = left + i * bar + 1
        parts.append(f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{max(1.0, bar - 2):.1f}" '
                     f'height="{h:.1f}" fill="{escape(fill)}">'
                     f"<title>{escape(period)}: {count}</title></rect>")
        if period.endswith("-01") or i == 0:
            text = period[:4] if period.endswith("-01") else period
            parts.append(f'<text x="{x:.1f}" y="{height - 7}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def scatter(xs: Sequence[float], ys: Sequence[float], topics: Sequence[int], tips: Sequence[str],
            width: int = 800, height: int = 600) -> str:
    """Points in [-1, 1]² coloured by topic; each point's tooltip is its (escaped) text."""
    pad = 14
    radius = 2.6 if len(xs) > 2000 else 4.2
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{len(xs)} articles" class="map">']
    for x, y, topic, tip in zip(xs, ys, topics, tips):
        cx = pad + (x + 1) / 2 * (width - 2 * pad)
        cy = pad + (1 - y) / 2 * (height - 2 * pad)
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="{colour(topic)}">'
                     f"<title>{escape(tip)}</title></circle>")
    parts.append("</svg>")
    return "".join(parts)
