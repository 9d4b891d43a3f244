"""Vega-Lite chart builders for the analytics page: pure functions of service DTOs that return
``(rows, spec)`` for ``st.vega_lite_chart(rows, spec)``: long-format rows (one dict per point,
so a chart's data is easy to check) and a spec without data.

Vega-Lite, not Plotly: the browser draws these several times faster, and Plotly's 4.7 MB
bundle made the first visit of the page slow. Every series' colour comes from a map over the
whole domain (``provider_colors``, ``task_colors``), passed as the colour scale's domain and
range, so a series keeps its colour whatever the filters leave. Money stays ``Decimal``
everywhere else; it becomes float here, at the very last step, only to be drawn. Days are ISO
strings.
"""

from __future__ import annotations

import zlib
from decimal import Decimal

import streamlit as st

from orchestrator.services.reports.analytics import DailyProvider, LatencyReport, ModelTokens, PlanTaskCost
from orchestrator.services.reports.analytics_finance import EconomicsReport, Forecast
from orchestrator.services.admin.providers import provider_kinds
from orchestrator.money import readable_usd, usd_str
from orchestrator.tasks import TASKS, task_label

PALETTE = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6", "#9D755D", "#BAB0AC"]


def color(name: str) -> str:
    """A provider's colour: its kind's when the name is a kind's (the seeded providers are named
    after their kinds), else a palette colour picked from the name, the same on every chart."""
    kinds = {k.name: k.color for k in provider_kinds()}
    if name in kinds:
        return kinds[name]
    free = [c for c in PALETTE if c not in kinds.values()] or PALETTE
    return free[zlib.crc32(name.encode()) % len(free)]


def _shade(hex_colour: str, n: int) -> str:
    """The ``n``-th variant of a colour (n >= 1): alternately darker and lighter, further each time."""
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    amount = min(0.25 * ((n + 1) // 2), 0.75)
    target = 0 if n % 2 else 255
    return "#" + "".join(f"{round(c + (target - c) * amount):02X}" for c in rgb)


def provider_colors(providers: dict[str, str]) -> dict[str, str]:
    """One colour per provider, from the whole domain (every provider the filters list, name ->
    kind), never from the rows a filter leaves, so a series keeps its colour whatever the filters
    and on every chart. A provider named after its kind gets the kind's colour; the other
    providers of a kind get the kind's colour if still free, else a darker or lighter shade of it
    (in name order); a provider of no known kind (deleted) gets a free palette colour."""
    kinds = {k.name: k.color for k in provider_kinds()}
    out = {name: kinds[name] for name in providers if name in kinds}
    shades: dict[str, int] = {}
    for name in sorted(set(providers) - set(out)):
        own = kinds.get(providers[name])
        if own is None:
            free = [c for c in PALETTE if c not in out.values() and c not in kinds.values()]
            out[name] = free[0] if free else color(name)
        elif own not in out.values():
            out[name] = own
        else:
            shades[own] = shades.get(own, 0) + 1
            out[name] = _shade(own, shades[own])
    return out


def task_colors() -> dict[str, str]:
    """Each task's own colour (its descriptor's), keyed by task name: the same under every filter."""
    return {name: spec.color for name, spec in TASKS.items()}


Chart = tuple[list[dict], dict]


def _pick(colors: dict[str, str] | None, name: str) -> str:
    return (colors or {}).get(name) or color(name)


def usd(value: Decimal | None) -> float:
    """Dollars for drawing only (bar heights, axes); what people read comes from ``_money``."""
    return float(value or 0)


def _money(field: str, value: Decimal | None) -> dict:
    """A point's money: the float to draw, and for its tooltip the one readable format and the
    exact amount (``readable_usd`` / ``usd_str``: no float on the way)."""
    return {field: usd(value), f"{field}_text": readable_usd(value),
            f"{field}_exact": "unpriced" if value is None else f"${usd_str(value)}"}


def _money_tip(field: str, title: str) -> list[dict]:
    return [{"field": f"{field}_text", "title": title}, {"field": f"{field}_exact", "title": "Exact"}]


def _scale(names, colors: dict[str, str] | None) -> dict:
    """A colour scale for the series drawn, each series' colour taken from ``colors`` (a map
    made from the whole domain, never from what a filter left)."""
    names = list(dict.fromkeys(names))
    return {"domain": names, "range": [_pick(colors, n) for n in names]}


def _spec(title: str, layer: list[dict] | None = None, *, height: int = 320, **enc) -> dict:
    spec = {"title": {"text": title, "anchor": "start", "fontSize": 15}, "height": height,
            "config": {"legend": {"orient": "bottom", "title": None}, "axis": {"labelFontSize": 11}}}
    if layer is not None:
        spec["layer"] = layer
    else:
        spec.update(enc)
    return spec


def _empty(title: str) -> Chart:
    return [{"text": "No usage in this period"}], _spec(title, height=120, mark={"type": "text", "fontSize": 14,
                                                                                    "color": "#888"},
                                                        encoding={"text": {"field": "text"}})


def _provider_color(rows: list[dict], colors: dict[str, str] | None) -> dict:
    names = sorted({r["provider"] for r in rows})
    return {"field": "provider", "type": "nominal", "scale": _scale(names, colors)}


DAY = {"field": "day", "type": "temporal", "title": None, "axis": {"format": "%d %b"}}
MONEY_AXIS = {"format": "$,.4~f"}  # axis ticks only; tooltips carry the readable and exact amounts


def _rule(y: float, text: str, colour: str = "#E45756") -> list[dict]:
    """A dashed horizontal line at ``y`` with its label (data of its own)."""
    data = {"values": [{"y": y, "label": text}]}
    return [{"data": data, "mark": {"type": "rule", "strokeDash": [4, 3], "color": colour},
             "encoding": {"y": {"field": "y", "type": "quantitative"}}},
            {"data": data, "mark": {"type": "text", "align": "left", "dy": -7, "x": 4, "color": colour},
             "encoding": {"y": {"field": "y", "type": "quantitative"}, "text": {"field": "label"}}}]


def daily_cost(points: list[DailyProvider], colors: dict[str, str] | None = None) -> Chart:
    """Stacked bars: AI cost per UTC day, one colour per provider."""
    title = "Daily AI cost by provider"
    if not points:
        return _empty(title)
    rows = [{"day": p.day.isoformat(), "provider": p.provider, **_money("cost", p.cost_usd)} for p in points]
    return rows, _spec(title, mark={"type": "bar"}, encoding={
        "x": {**DAY, "timeUnit": "yearmonthdate"},
        "y": {"field": "cost", "type": "quantitative", "stack": True, "title": "USD", "axis": MONEY_AXIS},
        "color": _provider_color(rows, colors),
        "tooltip": [{"field": "day", "type": "temporal", "format": "%d %b %Y"}, {"field": "provider"},
                    *_money_tip("cost", "AI cost")]})


def forecast(fc: Forecast) -> Chart:
    """Cumulative spend this month, then the projection to the month's end (dashed)."""
    points = fc.projection()
    rows = [{"day": d.isoformat(), "series": "Month to date", **_money("usd", v)} for d, v in points if d <= fc.today]
    if fc.days_left:
        rows += [{"day": d.isoformat(), "series": "Forecast", **_money("usd", v)} for d, v in points if d >= fc.today]
    series = ["Month to date", "Forecast"]
    line = {"mark": {"type": "line", "point": True}, "encoding": {
        "x": DAY, "y": {"field": "usd", "type": "quantitative", "title": "USD (cumulative)", "axis": MONEY_AXIS},
        "color": {"field": "series", "type": "nominal", "scale": {"domain": series, "range": ["#4C78A8", "#E45756"]}},
        "strokeDash": {"field": "series", "type": "nominal", "scale": {"domain": series, "range": [[1, 0], [6, 4]]},
                       "legend": None},
        "tooltip": [{"field": "day", "type": "temporal", "format": "%d %b"}, {"field": "series"},
                    *_money_tip("usd", "Cumulative")]}}
    label = f"Month-end forecast {readable_usd(fc.forecast_usd)}"
    return rows, _spec(f"Spend forecast for {fc.month_start:%B %Y}", [line, *_rule(usd(fc.forecast_usd), label)])


def cost_by_plan_task(rows_in: list[PlanTaskCost]) -> Chart:
    """Grouped bars: AI cost per plan, one bar per task; each task keeps its own colour."""
    title = "AI cost by plan and task"
    if not rows_in:
        return _empty(title)
    rows = [{"plan": r.plan, "task": task_label(r.task), **_money("cost", r.cost_usd)} for r in rows_in]
    colours = {task_label(t): c for t, c in task_colors().items()}
    present = {r["task"] for r in rows}
    domain = [t for t in colours if t in present] + sorted(present - set(colours))
    return rows, _spec(title, mark={"type": "bar"}, encoding={
        "x": {"field": "plan", "type": "nominal", "title": None, "axis": {"labelAngle": 0}},
        "xOffset": {"field": "task", "type": "nominal", "scale": {"domain": domain}},
        "y": {"field": "cost", "type": "quantitative", "title": "USD", "axis": MONEY_AXIS},
        "color": {"field": "task", "type": "nominal", "scale": _scale(domain, colours)},
        "tooltip": [{"field": "plan"}, {"field": "task"}, *_money_tip("cost", "AI cost")]})


TOKEN_PARTS = (("Input (uncached)", lambda t: t.input_tokens - t.cached_tokens, "#4C78A8"),
               ("Cached input", lambda t: t.cached_tokens, "#9ECAE9"),
               ("Output", lambda t: t.output_tokens - t.reasoning_tokens, "#F58518"),
               ("Reasoning", lambda t: t.reasoning_tokens, "#FFBF79"))


def tokens_by_model(models: list[ModelTokens]) -> Chart:
    """Horizontal stacked bars per model (biggest on top): uncached input, cached input, output, reasoning."""
    title = "Tokens by model"
    if not models:
        return _empty(title)
    labels = [f"{m.provider} / {m.model}" for m in models]
    rows = [{"model": label, "part": name, "order": i, "tokens": part(m)}
            for label, m in zip(labels, models, strict=True) for i, (name, part, _) in enumerate(TOKEN_PARTS)]
    parts = [name for name, _, _ in TOKEN_PARTS]
    return rows, _spec(title, height=120 + 30 * len(models), mark={"type": "bar"}, encoding={
        "y": {"field": "model", "type": "nominal", "sort": labels, "title": None, "axis": {"labelLimit": 320}},
        "x": {"field": "tokens", "type": "quantitative", "stack": True, "title": "tokens"},
        "color": {"field": "part", "type": "nominal",
                  "scale": {"domain": parts, "range": [c for _, _, c in TOKEN_PARTS]}},
        "order": {"field": "order"},
        "tooltip": [{"field": "model"}, {"field": "part"}, {"field": "tokens", "type": "quantitative", "format": ","}]})


def latency(report: LatencyReport, colors: dict[str, str] | None = None) -> Chart:
    """p95 (solid) and p50 (dotted) latency per provider over time, in seconds."""
    title = "Latency by provider"
    if not report.daily:
        return _empty(title)
    rows = [{"day": p.day.isoformat(), "provider": p.provider, "measure": q, "series": f"{p.provider} {q}",
             "seconds": (ms or 0) / 1000} for p in report.daily for q, ms in (("p95", p.p95_ms), ("p50", p.p50_ms))]
    return rows, _spec(title, height=360, mark={"type": "line"}, encoding={
        "x": DAY, "y": {"field": "seconds", "type": "quantitative", "title": "seconds (p95 solid, p50 dotted)"},
        "color": _provider_color(rows, colors),
        "strokeDash": {"field": "measure", "type": "nominal",
                       "scale": {"domain": ["p95", "p50"], "range": [[1, 0], [2, 2]]}},
        "detail": {"field": "series"},
        "tooltip": [{"field": "day", "type": "temporal", "format": "%d %b"}, {"field": "series"},
                    {"field": "seconds", "type": "quantitative", "format": ".2f"}]})


def error_rate(points: list[DailyProvider], threshold_pct: float | None = None,
               colors: dict[str, str] | None = None) -> Chart:
    """Daily error rate per provider (%), with the alert threshold as a dashed line."""
    title = "Error rate by provider"
    rows = [{"day": p.day.isoformat(), "provider": p.provider, "pct": 100 * p.errors / p.provider_calls}
            for p in points if p.provider_calls]
    if not rows:
        return _empty(title)
    line = {"mark": {"type": "line", "point": True}, "encoding": {
        "x": DAY, "y": {"field": "pct", "type": "quantitative", "title": "% of provider calls"},
        "color": _provider_color(rows, colors),
        "tooltip": [{"field": "day", "type": "temporal", "format": "%d %b"}, {"field": "provider"},
                    {"field": "pct", "type": "quantitative", "format": ".1f"}]}}
    extra = _rule(threshold_pct, f"alert at {threshold_pct:g} %") if threshold_pct is not None else []
    return rows, _spec(title, [line, *extra])


ECONOMICS = (("Subscription fees", "Revenue", "#54A24B"), ("Paygo charges", "Revenue", "#88D27A"),
             ("AI cost", "AI cost", "#E45756"))


def plan_economics(report: EconomicsReport) -> Chart:
    """Per plan: fees and paygo charges (stacked revenue) next to AI cost."""
    title = "Revenue and AI cost per plan"
    if not report.plans:
        return _empty(title)
    rows = [{"plan": p.plan, "part": part, "group": group, **_money("usd", value)}
            for p in report.plans
            for (part, group, _), value in zip(ECONOMICS, (p.fee_revenue_usd, p.charges_usd, p.ai_cost_usd),
                                               strict=True)]
    return rows, _spec(title, mark={"type": "bar"}, encoding={
        "x": {"field": "plan", "type": "nominal", "title": None, "sort": [p.plan for p in report.plans],
              "axis": {"labelAngle": 0}},
        "xOffset": {"field": "group", "type": "nominal", "scale": {"domain": ["Revenue", "AI cost"]}},
        "y": {"field": "usd", "type": "quantitative", "stack": True, "title": "USD", "axis": MONEY_AXIS},
        "color": {"field": "part", "type": "nominal",
                  "scale": {"domain": [p for p, _, _ in ECONOMICS], "range": [c for _, _, c in ECONOMICS]}},
        "tooltip": [{"field": "plan"}, {"field": "part"}, *_money_tip("usd", "Amount")]})


def draw(chart: Chart, key: str) -> None:
    """Draw one chart, as wide as its column."""
    rows, spec = chart
    st.vega_lite_chart(rows, spec, key=key, width="stretch")
