"""Inline SVG charts drawn by hand, so a report is one file that needs no script, style sheet or font.

Every number drawn is also written as text in the chart (and in ``data-*`` attributes), so people
can read it without hovering and tests can compare it with the stats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
FONT = 'font-family="system-ui, sans-serif"'


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _nice_max(value: float, ticks: int = 4) -> float:
    """The smallest ``ticks`` x a round step that is >= ``value`` (so grid labels are round numbers)."""
    if value <= 0:
        return float(ticks)
    raw_step = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for step in (1, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if raw_step <= step * magnitude:
            return step * magnitude * ticks
    return 10 * magnitude * ticks


def _a(value: object) -> str:
    return escape(str(value), quote=True)


def grouped_bars(
    groups: Sequence[str],
    series: Sequence[str],
    values: Mapping[str, Mapping[str, int]],
    *,
    metric: str,
    title: str,
    group_labels: Mapping[str, str] | None = None,
    width: int = 1100,
    height: int = 340,
) -> str:
    """Bars of ``values[series][group]``, one cluster per group (a run), one colour per series (a site)."""
    left, right, top, bottom = 48, 12, 24, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for s in values.values() for v in s.values()), default=0))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{_a(title)}" {FONT} font-size="11">'
    ]
    for i in range(5):  # horizontal grid with values
        tick = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick:g}</text>'
        )
    slot = plot_w / max(len(groups), 1)
    bar = max(min((slot * 0.8) / max(len(series), 1), 40), 2)
    for g, group in enumerate(groups):
        x0 = left + g * slot + (slot - bar * len(series)) / 2
        for s, name in enumerate(series):
            value = int(values.get(name, {}).get(group, 0))
            h = plot_h * value / top_value
            x, y = x0 + s * bar, top + plot_h - h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" fill="{color(s)}" '
                f'data-metric="{_a(metric)}" data-site="{_a(name)}" data-run="{_a(group)}" data-value="{value}">'
                f"<title>{escape(name)} / {escape(group)}: {value}</title></rect>"
            )
            if bar >= 14:
                out.append(
                    f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="9">{value}</text>'
                )
        label = (group_labels or {}).get(group, group)
        out.append(
            f'<text x="{left + g * slot + slot / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#333">{escape(label)}</text>'
        )
    y = height - 22
    x = left
    for s, name in enumerate(series):  # legend
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color(s)}"/>')
        out.append(f'<text x="{x + 14}" y="{y}">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    out.append("</svg>")
    return "".join(out)


def horizontal_bars(
    values: Mapping[str, int],
    *,
    metric: str,
    title: str,
    width: int = 540,
    bar_color: str = "#e15759",
) -> str:
    """One bar per key, largest first, with the count written after it."""
    items = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    row, label_w = 22, 170
    height = max(row * len(items) + 10, 32)
    top_value = max((v for _, v in items), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{_a(title)}" {FONT} font-size="12">'
    ]
    if not items:
        out.append('<text x="4" y="20" fill="#555">none</text></svg>')
        return "".join(out)
    for i, (name, value) in enumerate(items):
        y = 5 + i * row
        w = (width - label_w - 60) * value / top_value
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(name)}</text>')
        out.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{bar_color}" '
            f'data-metric="{_a(metric)}" data-key="{_a(name)}" data-value="{value}"><title>{escape(name)}: {value}</title></rect>'
        )
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 14}">{value}</text>')
    out.append("</svg>")
    return "".join(out)


def bipartite(edges: Sequence[tuple[str, str, int, str]], *, width: int = 900) -> str:
    """Sources on the left, syndicators on the right, one line per pair, as thick as its story count.

    ``edges`` are ``(source, syndicator, stories, label)``.
    """
    sources = sorted({e[0] for e in edges})
    targets = sorted({e[1] for e in edges})
    row = 44
    height = max(len(sources), len(targets), 1) * row + 30
    node_w, lx, rx = 170, 20, width - 190
    pos_l = {n: 25 + i * row for i, n in enumerate(sources)}
    pos_r = {n: 25 + i * row for i, n in enumerate(targets)}
    top = max((e[2] for e in edges), default=1) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="syndication graph" {FONT} font-size="12">'
    ]
    if not edges:
        out.append(
            '<text x="4" y="20" fill="#555">no republications linked in these runs</text></svg>'
        )
        return "".join(out)
    for source, target, stories, label in edges:
        y1, y2 = pos_l[source] + 13, pos_r[target] + 13
        x1, x2 = lx + node_w, rx
        stroke = 1.5 + 8 * stories / top
        mid = (x1 + x2) / 2
        out.append(
            f'<path d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" fill="none" stroke="#4e79a7" stroke-opacity="0.55" '
            f'stroke-width="{stroke:.1f}" data-metric="stories" data-source="{_a(source)}" data-syndicator="{_a(target)}" '
            f'data-value="{stories}"><title>{escape(source)} \u2192 {escape(target)}: {escape(label)}</title></path>'
        )
        out.append(
            f'<text x="{mid:.1f}" y="{(y1 + y2) / 2 - 4:.1f}" text-anchor="middle" font-size="11" fill="#222">{escape(label)}</text>'
        )
    for names, x, pos, fill in ((sources, lx, pos_l, "#f28e2b"), (targets, rx, pos_r, "#59a14f")):
        for name in names:
            out.append(
                f'<rect x="{x}" y="{pos[name]}" width="{node_w}" height="26" rx="5" fill="{fill}"/>'
            )
            out.append(
                f'<text x="{x + node_w / 2}" y="{pos[name] + 17}" text-anchor="middle" fill="#fff">{escape(name)}</text>'
            )
    out.append("</svg>")
    return "".join(out)
