"""The inline SVG charts of report.html, their words in the report's language.

Drawn as SVG in the page (no scripts, no external resources); every label from a
model, a scenario or a user passes through :func:`esc`.
"""

from __future__ import annotations

import html

from advisor.bench.report_i18n import Words
from advisor.bench.schema import RouteMetrics, RouteResult

Measured = list[tuple[str, RouteResult, RouteMetrics]]


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


W, H, LEFT, BOTTOM, TOP = 360, 220, 44, 40, 24


def _frame(title: str, y_label: str) -> list[str]:
    plot_h = H - BOTTOM - TOP
    out = [
        f"<svg class='chart' width='{W}' height='{H}' viewBox='0 0 {W} {H}' "
        f"xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{esc(title)}'>",
        f"<text x='{W / 2}' y='16' text-anchor='middle' font-size='13' "
        f"font-weight='600'>{esc(title)}</text>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = TOP + plot_h * (1 - tick)
        out.append(
            f"<line x1='{LEFT}' x2='{W - 8}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e3e7ee'/>"
            f"<text x='{LEFT - 4}' y='{y + 4:.1f}' text-anchor='end' font-size='10'>"
            f"{tick:.0%}</text>"
        )
    out.append(
        f"<text x='10' y='{TOP + plot_h / 2}' font-size='10' transform='rotate(-90 10 "
        f"{TOP + plot_h / 2})' text-anchor='middle'>{esc(y_label)}</text>"
    )
    return out


def _y(value: float) -> float:
    return TOP + (H - BOTTOM - TOP) * (1 - max(0.0, min(1.0, value)))


def chart_pass_rate(measured: Measured, colours: dict[str, str], w: Words) -> str:
    out = _frame(w("chart.pass_rate"), w("chart.pass_rate_axis"))
    slot = (W - LEFT - 8) / max(1, len(measured))
    for i, (name, _, m) in enumerate(measured):
        x = LEFT + slot * i + slot * 0.2
        width = slot * 0.6
        top = _y(m.pass_rate)
        lo, hi = m.pass_rate_ci
        mid = x + width / 2
        out += [
            f"<rect x='{x:.1f}' y='{top:.1f}' width='{width:.1f}' "
            f"height='{_y(0) - top:.1f}' fill='{colours[name]}' opacity='.85'/>",
            f"<line x1='{mid:.1f}' x2='{mid:.1f}' y1='{_y(lo):.1f}' y2='{_y(hi):.1f}' "
            "stroke='#1d2433' stroke-width='1.5'/>",
            f"<line x1='{mid - 6:.1f}' x2='{mid + 6:.1f}' y1='{_y(lo):.1f}' y2='{_y(lo):.1f}' "
            "stroke='#1d2433'/>",
            f"<line x1='{mid - 6:.1f}' x2='{mid + 6:.1f}' y1='{_y(hi):.1f}' y2='{_y(hi):.1f}' "
            "stroke='#1d2433'/>",
            f"<text x='{mid:.1f}' y='{H - BOTTOM + 14}' text-anchor='middle' font-size='11'>"
            f"{esc(name)}</text>",
        ]
    out.append("</svg>")
    return "".join(out)


def chart_consistency(measured: Measured, colours: dict[str, str], w: Words) -> str:
    out = _frame(w("chart.consistency"), w("chart.consistency_axis"))
    slot = (W - LEFT - 8) / max(1, len(measured))
    for i, (name, _, m) in enumerate(measured):
        bars = (
            (m.consistency.exact_agreement, 1.0, w("chart.exact")),
            (m.consistency.repeat_similarity, 0.45, w("chart.similarity")),
        )
        width = slot * 0.3
        for j, (value, opacity, label) in enumerate(bars):
            x = LEFT + slot * i + slot * 0.15 + j * width
            if value is None:
                continue
            top = _y(value)
            out.append(
                f"<rect x='{x:.1f}' y='{top:.1f}' width='{width:.1f}' height='{_y(0) - top:.1f}'"
                f" fill='{colours[name]}' opacity='{opacity}'><title>{esc(name)} {esc(label)}: "
                f"{value:.2f}</title></rect>"
            )
        out.append(
            f"<text x='{LEFT + slot * (i + 0.5):.1f}' y='{H - BOTTOM + 14}' text-anchor='middle'"
            f" font-size='11'>{esc(name)}</text>"
        )
    out.append(
        f"<text x='{W / 2}' y='{H - 6}' text-anchor='middle' font-size='10'>"
        f"{esc(w('chart.consistency_legend'))}</text></svg>"
    )
    return "".join(out)


def chart_cost_quality(measured: Measured, colours: dict[str, str], w: Words) -> str:
    costs = [m.cost_per_1k_usd for _, _, m in measured]
    priced = any(cost for cost in costs)
    # On a local backend every cost is 0; tokens per request is the honest proxy then.
    xs = [(m.cost_per_1k_usd or 0.0) if priced else m.tokens_per_request for _, _, m in measured]
    label = w("chart.cost_axis") if priced else w("chart.tokens_axis")
    out = _frame(w("chart.cost_quality"), w("chart.pass_rate_axis"))
    span = max(xs, default=0.0) or 1.0
    plot_w = W - LEFT - 24
    for (name, _, m), x_value in zip(measured, xs, strict=True):
        x = LEFT + 8 + plot_w * (x_value / span)
        y = _y(m.pass_rate)
        out += [
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='6' fill='{colours[name]}'><title>{esc(name)}:"
            f" {x_value:.4g}, {m.pass_rate:.0%}</title></circle>",
            f"<text x='{x + 8:.1f}' y='{y - 8:.1f}' font-size='11'>{esc(name)}</text>",
        ]
    out.append(
        f"<text x='{LEFT + plot_w / 2}' y='{H - 8}' text-anchor='middle' font-size='10'>"
        f"{esc(w('chart.span', label=label, span=f'{span:.4g}'))}</text></svg>"
    )
    return "".join(out)
