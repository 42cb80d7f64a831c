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
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-label="{_a(title)}" data-chart="{_a(metric)}" {FONT} font-size="11">'
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


LABEL_ROW = 18
"""Height of one edge label of the syndication graph (11 px text plus its padding)."""


def spread(wanted: Sequence[float], gap: float) -> list[float]:
    """Positions as close to ``wanted`` as possible, at least ``gap`` apart, in the same order
    (``wanted`` sorted ascending): each label pushed down past the one above it."""
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, placed[-1] + gap) if placed else y)
    return placed


def bipartite(edges: Sequence[tuple[str, str, int, str]], *, width: int = 1100) -> str:
    """Sources on the left, syndicators on the right, one curve per pair, as thick as its story
    count and in its own colour. Each pair's label (``source → syndicator: label``, framed in the
    curve's colour) sits in the middle column at the curve's height where it can, else pushed
    down below the label above it: labels never overlap. The SVG scales to the page's width.

    ``edges`` are ``(source, syndicator, stories, label)``.
    """
    sources = sorted({e[0] for e in edges})
    targets = sorted({e[1] for e in edges})
    node_w, node_h, top_pad, label_w = 190, 26, 12, 390
    # Rows tall enough that the label column fits beside the nodes.
    row = max(44.0, len(edges) * LABEL_ROW / max(len(sources), len(targets), 1))
    lx, rx = 10, width - node_w - 10
    pos_l = {n: top_pad + i * row for i, n in enumerate(sources)}
    pos_r = {n: top_pad + i * row for i, n in enumerate(targets)}
    heaviest = max((e[2] for e in edges), default=1) or 1
    x1, x2, mid = lx + node_w, rx, width / 2

    def middle(i: int) -> float:  # where curve i crosses the middle column
        return (pos_l[edges[i][0]] + pos_r[edges[i][1]]) / 2 + node_h / 2

    order = sorted(range(len(edges)), key=lambda i: (middle(i), i))
    label_y = dict(zip(order, spread([middle(i) for i in order], LABEL_ROW), strict=True))
    nodes_bottom = max(len(sources), len(targets), 1) * row + top_pad
    height = int(max(nodes_bottom, max(label_y.values(), default=0) + LABEL_ROW) + 8)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-label="syndication graph" '
        f'data-chart="syndication-graph" {FONT} font-size="12">'
    ]
    if not edges:
        out.append(
            '<text x="4" y="20" fill="#555">no republications linked in these runs</text></svg>'
        )
        return "".join(out)
    for i, (source, target, stories, text) in enumerate(edges):
        y1, y2 = pos_l[source] + node_h / 2, pos_r[target] + node_h / 2
        stroke = 1.5 + 8 * stories / heaviest
        out.append(
            f'<path d="M{x1},{y1:.1f} C{mid},{y1:.1f} {mid},{y2:.1f} {x2},{y2:.1f}" fill="none" '
            f'stroke="{color(i)}" stroke-opacity="0.6" stroke-width="{stroke:.1f}" '
            f'data-metric="stories" data-source="{_a(source)}" data-syndicator="{_a(target)}" '
            f'data-value="{stories}"><title>{escape(source)} \u2192 {escape(target)}: '
            f"{escape(text)}</title></path>"
        )
    for i, (source, target, _stories, text) in enumerate(edges):
        y = label_y[i]
        out.append(
            f'<g data-edge-label="" data-source="{_a(source)}" data-syndicator="{_a(target)}">'
            f'<rect x="{mid - label_w / 2:.1f}" y="{y - LABEL_ROW / 2:.1f}" width="{label_w}" '
            f'height="{LABEL_ROW - 2}" rx="3" fill="#fff" fill-opacity="0.95" '
            f'stroke="{color(i)}" stroke-width="1.5"/>'
            f'<text x="{mid}" y="{y + 3:.1f}" text-anchor="middle" font-size="11" fill="#222">'
            f"{escape(source)} \u2192 {escape(target)}: {escape(text)}</text></g>"
        )
    for names, x, pos, fill in ((sources, lx, pos_l, "#f28e2b"), (targets, rx, pos_r, "#59a14f")):
        for name in names:
            out.append(
                f'<rect x="{x}" y="{pos[name]:.1f}" width="{node_w}" height="{node_h}" rx="5" '
                f'fill="{fill}"/>'
            )
            out.append(
                f'<text x="{x + node_w / 2}" y="{pos[name] + 17:.1f}" text-anchor="middle" '
                f'fill="#fff" data-node="{_a(name)}">{escape(name)}</text>'
            )
    out.append("</svg>")
    return "".join(out)
