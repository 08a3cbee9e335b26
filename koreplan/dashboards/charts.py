"""Small SVG charts drawn on the server: no chart library, no script, no inline style.

Every chart stands beside the table it draws, and the table is the reading for anyone
who cannot see the chart: the SVG is an image (``role="img"``) named by its ``<title>``
and ``<desc>`` through ``aria-labelledby``. Colours come from classes in
``dashboards.css`` (a strict Content-Security-Policy forbids ``style`` attributes); sizes
are SVG attributes. Each mark has a ``<title>`` with its value, for a pointer's tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 230
BAR_HEIGHT = 18
ROW_GAP = 8
TOP = 8
LABEL_CHARS = 36


@dataclass(frozen=True)
class Segment:
    value: float  # a share, 0–1
    css: str
    label: str


def _truncate(text: str, chars: int = LABEL_CHARS) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def _frame(chart_id: str, title: str, desc: str, height: int, body: SafeString, css: str = "") -> SafeString:
    return format_html(
        '<svg class="dashboard-chart {css}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMinYMin meet" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        css=css,
        id=chart_id,
        w=WIDTH,
        h=height,
        title=title,
        desc=desc,
        body=body,
    )


def legend(items: Sequence[tuple[str, str]]) -> SafeString:
    """A legend as HTML beside the chart (its text is not part of the image)."""
    return format_html(
        '<ul class="dashboard-legend" aria-hidden="true">{}</ul>',
        format_html_join("", '<li><span class="dashboard-swatch {}"></span>{}</li>', items),
    )


def stacked_bars(
    chart_id: str, title: str, desc: str, rows: Sequence[tuple[str, Sequence[Segment]]]
) -> SafeString | None:
    """One horizontal bar per row, its segments side by side as shares of the whole."""
    if not rows:
        return None
    bar_width = WIDTH - LABEL_WIDTH - 10
    parts = []
    for i, (label, segments) in enumerate(rows):
        y = TOP + i * (BAR_HEIGHT + ROW_GAP)
        parts.append(
            format_html(
                '<text class="dashboard-chart-label" x="0" y="{}">{}<title>{}</title></text>',
                y + BAR_HEIGHT - 5,
                _truncate(label),
                label,
            )
        )
        parts.append(
            format_html(
                '<rect class="dashboard-chart-track" x="{}" y="{}" width="{}" height="{}"></rect>',
                LABEL_WIDTH,
                y,
                bar_width,
                BAR_HEIGHT,
            )
        )
        x = float(LABEL_WIDTH)
        for segment in segments:
            if not segment.value:
                continue
            width = segment.value * bar_width
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
                    segment.css,
                    f"{x:.1f}",
                    y,
                    f"{width:.1f}",
                    BAR_HEIGHT,
                    segment.label,
                    _percent(segment.value),
                )
            )
            x += width
    height = TOP * 2 + len(rows) * (BAR_HEIGHT + ROW_GAP)
    return _frame(chart_id, title, desc, height, mark_safe("".join(parts)))


def line_chart(
    chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float | None]]]
) -> SafeString | None:
    """Shares (0–1) month by month, one line per series: (css class, name, values)."""
    if not labels or not any(v is not None for _c, _n, values in series for v in values):
        return None
    left, right, top, bottom, height = 44, 10, 12, 40, 220
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)

    def xy(i: int, value: float) -> tuple[float, float]:
        return left + i * step, top + (1 - value) * plot_h

    parts = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = top + (1 - tick) * plot_h
        parts.append(
            format_html(
                '<line class="dashboard-chart-grid" x1="{}" y1="{y}" x2="{}" y2="{y}"></line>'
                '<text class="dashboard-chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                WIDTH - right,
                left - 6,
                f"{y + 4:.1f}",
                _percent(tick),
                y=f"{y:.1f}",
            )
        )
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            x, _y = xy(i, 0)
            # The last label ends at its point, so that it is not cut off at the edge.
            anchor = "end" if i == len(labels) - 1 and len(labels) > 1 else "middle"
            parts.append(
                format_html(
                    '<text class="dashboard-chart-axis" x="{}" y="{}" text-anchor="{}">{}</text>',
                    f"{x:.1f}",
                    height - bottom + 18,
                    anchor,
                    label,
                )
            )
    for css, name, values in series:
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in points))
        parts.append(format_html('<polyline class="dashboard-chart-line {}" points="{}"></polyline>', css, path))
        for i, v in points:
            x, y = xy(i, v)
            parts.append(
                format_html(
                    '<circle class="dashboard-chart-dot {}" cx="{}" cy="{}" r="3.5"><title>{} – {}: {}</title></circle>',
                    css,
                    f"{x:.1f}",
                    f"{y:.1f}",
                    labels[i],
                    name,
                    _percent(v),
                )
            )
    return _frame(chart_id, title, desc, height, mark_safe("".join(parts)))


def column_chart(chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[int], css: str) -> SafeString | None:
    """Counts month by month as vertical bars."""
    if not labels or not any(values):
        return None
    left, right, top, bottom, height = 44, 10, 12, 40, 200
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    top_value = max(values) or 1
    slot = plot_w / len(labels)
    parts = [
        format_html(
            '<line class="dashboard-chart-grid" x1="{}" y1="{y}" x2="{}" y2="{y}"></line>'
            '<text class="dashboard-chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
            left,
            WIDTH - right,
            left - 6,
            top + 4,
            top_value,
            y=top,
        )
    ]
    every = max(1, len(labels) // 8)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_h = value / top_value * plot_h
        x = left + i * slot + slot * 0.15
        parts.append(
            format_html(
                '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
                css,
                f"{x:.1f}",
                f"{top + plot_h - bar_h:.1f}",
                f"{slot * 0.7:.1f}",
                f"{bar_h:.1f}",
                label,
                value,
            )
        )
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                format_html(
                    '<text class="dashboard-chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{x + slot * 0.35:.1f}",
                    height - bottom + 18,
                    label,
                )
            )
    return _frame(chart_id, title, desc, height, mark_safe("".join(parts)))
