"""Charts as inline SVG: drawn inside the report, so it needs no network to view.

Plain SVG elements only (lines, rectangles, text), which both browsers and the
PDF engine draw; every label is escaped.
"""

from __future__ import annotations

from html import escape

# Distinct colours, readable on white and in greyscale print (darkest first).
PALETTE = ("#1f4e9c", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#495057", "#0b7285")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 170, 30, 40


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1.0
    step = 10 ** len(str(int(value))) / 10 if value >= 1 else 0.1
    while step * 10 < value:
        step *= 10
    for factor in (1, 2, 2.5, 5, 10):
        if step * factor >= value:
            return step * factor
    return value


def _svg(title: str, body: list[str], height: int = HEIGHT) -> str:
    label = escape(title)
    return (
        f'<svg class="chart" role="img" '
        f'aria-label="{label}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}"><title>{label}</title>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        + "".join(body)
        + "</svg>"
    )


def _money(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:,.2f}"


def cost_chart(
    title: str,
    series: dict[str, list[float]],
    month_label: str,
    markers: list[tuple[int, str]] | None = None,
) -> str:
    """Cumulative cost per route, one line each, months on the x axis.

    ``markers``: (month, label) of each break-even, drawn as a dashed vertical line.
    """
    months = max((len(v) for v in series.values()), default=0)
    top = _nice_max(max((max(v) for v in series.values() if v), default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    body = [f'<text x="{LEFT}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>']

    def x(month: int) -> float:
        return LEFT + (plot_w * month / max(months, 1))

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    for i in range(5):
        value = top * i / 4
        body.append(
            f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{LEFT + plot_w}" y2="{y(value):.1f}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="11" '
            f'text-anchor="end">{_money(value)}</text>'
        )
    for month in range(0, months + 1, max(1, months // 6)):
        body.append(
            f'<text x="{x(month):.1f}" y="{TOP + plot_h + 16}" font-size="11" '
            f'text-anchor="middle">{month}</text>'
        )
    body.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" font-size="11" '
        f'text-anchor="middle">{escape(month_label)}</text>'
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        f'stroke="#495057" stroke-width="1"/>'
    )
    for month, label in markers or []:
        body.append(
            f'<line x1="{x(month):.1f}" y1="{TOP}" x2="{x(month):.1f}" y2="{TOP + plot_h}" '
            f'stroke="#212529" stroke-width="1.5" stroke-dasharray="5,4"/>'
            f'<text x="{x(month) + 4:.1f}" y="{TOP + 10}" font-size="11">{escape(label)}</text>'
        )
    for n, (name, values) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in enumerate([0.0, *values]))
        legend_y = TOP + 16 * n + 8
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="3"/>'
            f'<rect x="{LEFT + plot_w + 14}" y="{legend_y - 8}" width="14" height="8" '
            f'fill="{colour}"/>'
            f'<text x="{LEFT + plot_w + 32}" y="{legend_y}" font-size="11">{escape(name)}</text>'
        )
    return _svg(title, body)


def pass_rate_chart(title: str, rows: list[tuple[str, float, tuple[float, float]]]) -> str:
    """Horizontal bars of pass rate, with the 95% interval as a whisker."""
    bar, gap, left = 22, 10, 150
    plot_w = WIDTH - left - 60
    height = TOP + len(rows) * (bar + gap) + BOTTOM
    body = [f'<text x="8" y="18" font-size="13" font-weight="bold">{escape(title)}</text>']
    base_y = TOP + len(rows) * (bar + gap)
    for tick in (0, 25, 50, 75, 100):
        tx = left + plot_w * tick / 100
        body.append(
            f'<line x1="{tx:.1f}" y1="{TOP}" x2="{tx:.1f}" y2="{base_y}" stroke="#dee2e6"/>'
            f'<text x="{tx:.1f}" y="{base_y + 16}" font-size="11" '
            f'text-anchor="middle">{tick}%</text>'
        )
    for n, (name, rate, (low, high)) in enumerate(rows):
        top = TOP + n * (bar + gap)
        colour = PALETTE[n % len(PALETTE)]
        mid = top + bar / 2
        body.append(
            f'<text x="{left - 8}" y="{mid + 4:.1f}" font-size="12" '
            f'text-anchor="end">{escape(name)}</text>'
            f'<rect x="{left}" y="{top}" width="{max(plot_w * rate, 1):.1f}" height="{bar}" '
            f'fill="{colour}"/>'
            f'<line x1="{left + plot_w * low:.1f}" y1="{mid:.1f}" '
            f'x2="{left + plot_w * high:.1f}" y2="{mid:.1f}" stroke="#212529" stroke-width="2"/>'
            f'<text x="{left + plot_w * max(rate, high) + 6:.1f}" y="{mid + 4:.1f}" '
            f'font-size="11">{rate:.0%}</text>'
        )
    return _svg(title, body, height)
