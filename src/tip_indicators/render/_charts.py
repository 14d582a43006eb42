"""Charts of the HTML report, drawn as inline SVG: a referral-flow Sankey diagram and
parts-versus-total bars. Each chart takes a few dozen plain values (the page caps what it
draws), so drawing is plain Python; every text from data is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import attrs

__all__ = ["Flow", "Part", "parts_bars", "sankey"]

_PALETTE = ("#4e79a7", "#59a14f", "#9c755f", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#bab0ac")
_MISMATCH = "#d62728"
_WIDTH = 960


@attrs.frozen
class Flow:
    """Persons sent from ``source`` to ``target``: ``value`` as drawn, and what each side
    reports (``sent`` by the source, ``received`` by the target), either unknown."""

    source: str
    target: str
    value: float
    sent: float | None = None
    received: float | None = None
    mismatch: bool = False


@attrs.frozen
class Part:
    """One bar segment: a label and a value (None when the value is not a plain number)."""

    label: str
    value: float | None
    text: str


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"


def _short(name: str, most: int = 26) -> str:
    """``name`` cut to ``most`` characters (the box's tooltip gives it whole)."""
    return name if len(name) <= most else name[: most - 1] + "…"


def _columns(nodes: Sequence[str], flows: Sequence[Flow]) -> dict[str, int]:
    """Each node's column: the length of the longest path of flows leading to it (a flow that
    closes a cycle is not followed)."""
    targets: dict[str, list[str]] = {node: [] for node in nodes}
    for flow in flows:
        targets[flow.source].append(flow.target)
    column = dict.fromkeys(nodes, 0)
    for _ in range(len(nodes)):
        changed = False
        for flow in flows:
            if column[flow.target] < column[flow.source] + 1 < len(nodes):
                column[flow.target] = column[flow.source] + 1
                changed = True
        if not changed:
            break
    return column


def sankey(flows: Sequence[Flow], *, title: str, names: dict[str, str] | None = None) -> str:
    """A Sankey diagram of ``flows`` as an ``<svg>`` element: one column per step of referral,
    bands as wide as the persons they carry, mismatched mirror pairs red and dashed.

    Long because it is one picture: the columns, bands and labels share the same layout
    arithmetic."""
    names = names or {}
    nodes = list(dict.fromkeys([f.source for f in flows] + [f.target for f in flows]))
    column = _columns(nodes, flows)
    size = dict.fromkeys(nodes, 0.0)
    out_total = dict.fromkeys(nodes, 0.0)
    in_total = dict.fromkeys(nodes, 0.0)
    for flow in flows:
        out_total[flow.source] += flow.value
        in_total[flow.target] += flow.value
    for node in nodes:
        size[node] = max(out_total[node], in_total[node])
    columns = max(column.values(), default=0) + 1
    stacks: list[list[str]] = [[] for _ in range(columns)]
    for node in sorted(nodes, key=lambda n: (-size[n], n)):
        stacks[column[node]].append(node)
    gap, margin, node_width, label_room = 14.0, 20.0, 14.0, 240.0
    tallest = max(len(stack) for stack in stacks)
    height = max(260.0, 34.0 * tallest + 2 * margin)
    heaviest = max(sum(size[n] for n in stack) for stack in stacks) or 1.0
    scale = (height - 2 * margin - gap * (tallest - 1)) / heaviest
    span = _WIDTH - 2 * label_room - node_width
    x = {
        node: label_room + (span * column[node] / (columns - 1) if columns > 1 else span / 2)
        for node in nodes
    }
    y: dict[str, float] = {}
    for stack in stacks:
        top = margin
        for node in stack:
            y[node] = top
            top += max(size[node] * scale, 2.0) + gap
    parts = [
        f'<svg class="chart sankey" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {_WIDTH} {height:.0f}" width="{_WIDTH}" height="{height:.0f}">',
        f"<title>{html.escape(title)}</title>",
    ]
    out_at = dict(y)
    in_at = dict(y)
    ordered = sorted(flows, key=lambda f: (y[f.source], y[f.target]))
    for number, flow in enumerate(ordered):
        band = max(flow.value * scale, 1.0)
        x0, x1 = x[flow.source] + node_width, x[flow.target]
        y0, y1 = out_at[flow.source], in_at[flow.target]
        out_at[flow.source] += band
        in_at[flow.target] += band
        middle = (x0 + x1) / 2
        path = (
            f"M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} {x1:.1f},{y1:.1f} "
            f"L{x1:.1f},{y1 + band:.1f} C{middle:.1f},{y1 + band:.1f} {middle:.1f},"
            f"{y0 + band:.1f} {x0:.1f},{y0 + band:.1f} Z"
        )
        said = _number(flow.value)
        if flow.sent is not None and flow.received is not None:
            said = f"{_number(flow.sent)} sent, {_number(flow.received)} received"
        tip = f"{flow.source} → {flow.target}: {said}"
        if flow.mismatch:
            tip += " (mirror mismatch)"
            style = f'fill="{_MISMATCH}" fill-opacity="0.45" stroke="{_MISMATCH}" ' + (
                'stroke-dasharray="5 3" stroke-width="1.5" class="flow mismatch"'
            )
        else:
            colour = _PALETTE[number % len(_PALETTE)]
            style = f'fill="{colour}" fill-opacity="0.35" class="flow"'
        parts.append(f'<path d="{path}" {style}><title>{html.escape(tip)}</title></path>')
        if flow.mismatch:
            parts.append(
                f'<text x="{middle:.1f}" y="{(y0 + y1) / 2 + band / 2 + 4:.1f}" '
                f'text-anchor="middle" class="mismatch-label">{html.escape(said)} ≠</text>'
            )
    for node in nodes:
        tall = max(size[node] * scale, 2.0)
        name = names.get(node)
        tip = f"{node} ({name})" if name else node
        parts.append(
            f'<rect x="{x[node]:.1f}" y="{y[node]:.1f}" width="{node_width}" '
            f'height="{tall:.1f}" class="node"><title>{html.escape(tip)}: '
            f"{_number(size[node])}</title></rect>"
        )
        first = column[node] == 0
        anchor = "end" if first else "start"
        text_x = x[node] - 6 if first else x[node] + node_width + 6
        parts.append(
            f'<text x="{text_x:.1f}" y="{y[node] + tall / 2 + 4:.1f}" text-anchor="{anchor}">'
            f"{html.escape(_short(node))} ({_number(size[node])})</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def parts_bars(total: Part, parts: Sequence[Part], *, title: str) -> str:
    """Two bars as an ``<svg>`` element: the total above, its parts stacked below, and the gap
    or the excess between them marked."""
    summed = sum(p.value for p in parts if p.value is not None)
    whole = total.value if total.value is not None else summed
    longest = max(whole, summed) or 1.0
    left, room, bar = 150.0, _WIDTH - 150.0 - 110.0, 26.0
    scale = room / longest
    height = 2 * bar + 3 * 12 + 16
    out = [
        f'<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {_WIDTH} {height:.0f}" width="{_WIDTH}" height="{height:.0f}">',
        f"<title>{html.escape(title)}</title>",
        f'<text x="{left - 8}" y="{12 + bar / 2 + 4}" text-anchor="end">total</text>',
        f'<rect x="{left}" y="12" width="{whole * scale:.1f}" height="{bar}" class="total">'
        f"<title>{html.escape(total.label)} = {html.escape(total.text)}</title></rect>",
        f'<text x="{left + whole * scale + 6:.1f}" y="{12 + bar / 2 + 4}">'
        f"{html.escape(total.text)}</text>",
        f'<text x="{left - 8}" y="{24 + bar * 1.5 + 4}" text-anchor="end">parts</text>',
    ]
    at = left
    for number, part in enumerate(parts):
        wide = (part.value or 0.0) * scale
        colour = _PALETTE[number % len(_PALETTE)]
        out.append(
            f'<rect x="{at:.1f}" y="{24 + bar}" width="{wide:.1f}" height="{bar}" '
            f'fill="{colour}" class="part"><title>{html.escape(part.label)} = '
            f"{html.escape(part.text)}</title></rect>"
        )
        named = f"{part.label.rpartition('=')[2]} {part.text}"
        shown = named if wide > 7 * len(named) + 4 else part.text
        if wide > 7 * len(shown) + 4:
            out.append(
                f'<text x="{at + wide / 2:.1f}" y="{24 + bar * 1.5 + 4}" text-anchor="middle" '
                f'class="inbar">{html.escape(shown)}</text>'
            )
        at += wide
    gap = whole - summed
    if gap:
        start, end = sorted((left + whole * scale, left + summed * scale))
        kind = "missing" if gap > 0 else "excess"
        out.append(
            f'<rect x="{start:.1f}" y="{24 + bar}" width="{end - start:.1f}" height="{bar}" '
            f'class="{kind}"><title>{kind}: {_number(abs(gap))}</title></rect>'
        )
    out.append(
        f'<text x="{left + max(whole, summed) * scale + 6:.1f}" y="{24 + bar * 1.5 + 4}">'
        f"{_number(summed)}</text>"
    )
    out.append("</svg>")
    return "".join(out)
