"""Charts as inline SVG drawn on the server: no chart library, and every bar is a link to
the transaction its figure comes from. Coordinates are integers; the scale rounds down."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#1f5f99", "#3c8dbc", "#7fb2d9", "#e08e0b", "#b0b0b0", "#6a9a3a")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str
    colour: str = PALETTE[0]


def hbars(bars: list[Bar], width: int = 640, row: int = 22) -> Markup:
    """Horizontal bars, one per figure, labelled, each linking to its source."""
    label_w, value_w = 190, 120
    span = width - label_w - value_w
    top = max((abs(b.value) for b in bars), default=0) or 1
    parts = [f'<svg class="chart" width="{width}" height="{row * len(bars) + 4}" role="img">']
    for i, b in enumerate(bars):
        y = i * row + 2
        w = abs(b.value) * span // top
        parts.append(
            f'<a href="{escape(b.href)}"><title>{escape(b.label)}: {b.value:,}</title>'
            f'<text x="0" y="{y + 15}">{escape(b.label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row - 6}" fill="{b.colour}"/>'
            f'<text x="{width - 4}" y="{y + 15}" text-anchor="end">{b.value:,}</text></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Column:
    label: str  # the x-axis label (a period)
    segments: list[tuple[str, int]]  # (series name, value), bottom to top
    href: str


def stacked(columns: list[Column], series: list[str], height: int = 220) -> Markup:
    """Stacked columns (tranche balances per period), each column linking to its source."""
    col_w, gap, axis = 34, 10, 20
    width = max(max(len(columns), 1) * (col_w + gap) + gap, len(series) * 90 + gap)
    top = max((sum(v for _, v in c.segments) for c in columns), default=0) or 1
    span = height - axis
    parts = [f'<svg class="chart" width="{width}" height="{height + 30}" role="img">']
    for i, c in enumerate(columns):
        x = gap + i * (col_w + gap)
        y = span
        parts.append(f'<a href="{escape(c.href)}">')
        for name, value in c.segments:
            h = value * span // top
            y -= h
            colour = PALETTE[series.index(name) % len(PALETTE)]
            parts.append(
                f'<rect x="{x}" y="{y}" width="{col_w}" height="{h}" fill="{colour}">'
                f"<title>{escape(c.label)} {escape(name)}: {value:,}</title></rect>"
            )
        parts.append(
            f'<text x="{x + col_w // 2}" y="{span + 15}" text-anchor="middle">'
            f"{escape(c.label)}</text></a>"
        )
    legend = "".join(
        f'<rect x="{gap + i * 90}" y="{height + 16}" width="10" height="10" '
        f'fill="{PALETTE[i % len(PALETTE)]}"/><text x="{gap + i * 90 + 14}" y="{height + 25}">'
        f"{escape(name)}</text>"
        for i, name in enumerate(series)
    )
    parts.append(legend + "</svg>")
    return Markup("".join(parts))
