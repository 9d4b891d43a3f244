"""Plotly figure builders for the analytics pages: pure functions of service DTOs.

Money stays ``Decimal`` everywhere else; it becomes float here, at the very last step,
only to be drawn. Days are ISO strings on the x axis, so a chart's data is easy to check.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from decimal import Decimal

import plotly.graph_objects as go

from orchestrator.services.reports.analytics import DailyProvider, LatencyReport, ModelTokens, PlanTaskCost
from orchestrator.services.reports.analytics_finance import EconomicsReport, Forecast
from orchestrator.services.admin.providers import provider_kinds
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


def usd(value: Decimal | None) -> float:
    """Dollars for drawing only."""
    return float(value or 0)


def _layout(fig: go.Figure, title: str, *, y_title: str = "", height: int = 340, dates: bool = False,
            **kw) -> go.Figure:
    if dates:
        fig.update_xaxes(tickformat="%d %b")  # one-line ticks: the legend sits below the axis
    kw.setdefault("hovermode", "x unified")
    kw.setdefault("legend", dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0))
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=15)), height=height, template="plotly_white",
                      margin=dict(l=10, r=10, t=45, b=10), yaxis_title=y_title, **kw)
    return fig


def _empty(title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text="No usage in this period", showarrow=False, font=dict(size=14, color="#888"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title)


def daily_cost(points: list[DailyProvider]) -> go.Figure:
    """Stacked bars: AI cost per UTC day, one colour per provider."""
    title = "Daily AI cost by provider"
    if not points:
        return _empty(title)
    by_provider: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for p in points:
        by_provider[p.provider][p.day.isoformat()] = p.cost_usd
    fig = go.Figure()
    for provider, days in sorted(by_provider.items()):
        xs = sorted(days)
        fig.add_bar(name=provider, x=xs, y=[usd(days[d]) for d in xs], marker_color=color(provider),
                    hovertemplate="$%{y:,.2f}")
    return _layout(fig, title, y_title="USD", barmode="stack", dates=True)


def forecast(fc: Forecast) -> go.Figure:
    """Cumulative spend this month, then the projection to the month's end (dashed)."""
    points = fc.projection()
    actual = [(d.isoformat(), usd(v)) for d, v in points if d <= fc.today]
    ahead = [(d.isoformat(), usd(v)) for d, v in points if d >= fc.today]
    fig = go.Figure()
    fig.add_scatter(name="Month to date", x=[d for d, _ in actual], y=[v for _, v in actual], mode="lines+markers",
                    line=dict(color="#4C78A8", width=3), hovertemplate="$%{y:,.2f}")
    if fc.days_left:
        fig.add_scatter(name="Forecast", x=[d for d, _ in ahead], y=[v for _, v in ahead], mode="lines",
                        line=dict(color="#E45756", dash="dash", width=2), hovertemplate="$%{y:,.2f}")
    fig.add_hline(y=usd(fc.forecast_usd), line=dict(color="#E45756", dash="dot", width=1),
                  annotation_text=f"Month-end forecast ${usd(fc.forecast_usd):,.2f}", annotation_position="top left")
    return _layout(fig, f"Spend forecast for {fc.month_start:%B %Y}", y_title="USD (cumulative)", dates=True)


def cost_by_plan_task(rows: list[PlanTaskCost]) -> go.Figure:
    """Grouped bars: AI cost per plan, one bar per task."""
    title = "AI cost by plan and task"
    if not rows:
        return _empty(title)
    plans = sorted({r.plan for r in rows})
    fig = go.Figure()
    present = {r.task for r in rows}
    for task in [t for t in TASKS if t in present] + sorted(present - set(TASKS)):
        cost = {r.plan: r.cost_usd for r in rows if r.task == task}
        spec = TASKS.get(task)  # each task keeps its own colour, whatever the filter shows
        fig.add_bar(name=task_label(task), x=plans, y=[usd(cost.get(p)) for p in plans],
                    marker_color=spec.color if spec else color(task), hovertemplate="$%{y:,.2f}")
    return _layout(fig, title, y_title="USD", barmode="group")


TOKEN_PARTS = (("Input (uncached)", lambda t: t.input_tokens - t.cached_tokens, "#4C78A8"),
               ("Cached input", lambda t: t.cached_tokens, "#9ECAE9"),
               ("Output", lambda t: t.output_tokens - t.reasoning_tokens, "#F58518"),
               ("Reasoning", lambda t: t.reasoning_tokens, "#FFBF79"))


def tokens_by_model(rows: list[ModelTokens]) -> go.Figure:
    """Horizontal stacked bars per model: uncached input, cached input, output, reasoning."""
    title = "Tokens by model"
    if not rows:
        return _empty(title)
    ordered = list(reversed(rows))  # biggest on top
    labels = [f"{r.provider} / {r.model}" for r in ordered]
    fig = go.Figure()
    for name, part, colour in TOKEN_PARTS:
        fig.add_bar(name=name, y=labels, x=[part(r) for r in ordered], orientation="h", marker_color=colour,
                    hovertemplate="%{x:,}")
    return _layout(fig, title, barmode="stack", height=max(300, 90 + 32 * len(rows)), hovermode="y unified",
                   legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))


def latency(report: LatencyReport) -> go.Figure:
    """p95 (solid) and p50 (dotted) latency per provider over time, in seconds."""
    title = "Latency by provider"
    if not report.daily:
        return _empty(title)
    series: dict[str, list] = defaultdict(list)
    for p in report.daily:
        series[p.provider].append(p)
    fig = go.Figure()
    for provider, pts in sorted(series.items()):
        xs = [p.day.isoformat() for p in pts]
        fig.add_scatter(name=f"{provider} p95", x=xs, y=[(p.p95_ms or 0) / 1000 for p in pts], mode="lines",
                        line=dict(color=color(provider), width=2), legendgroup=provider,
                        hovertemplate="%{y:.2f} s")
        fig.add_scatter(name=f"{provider} p50", x=xs, y=[(p.p50_ms or 0) / 1000 for p in pts], mode="lines",
                        line=dict(color=color(provider), width=1, dash="dot"), legendgroup=provider,
                        hovertemplate="%{y:.2f} s")
    return _layout(fig, title, y_title="seconds (p95 solid, p50 dotted)", height=380, dates=True)


def error_rate(points: list[DailyProvider], threshold_pct: float | None = None) -> go.Figure:
    """Daily error rate per provider (%), with the alert threshold as a dashed line."""
    title = "Error rate by provider"
    pts = [p for p in points if p.provider_calls]
    if not pts:
        return _empty(title)
    series: dict[str, list[DailyProvider]] = defaultdict(list)
    for p in pts:
        series[p.provider].append(p)
    fig = go.Figure()
    for provider, rows in sorted(series.items()):
        fig.add_scatter(name=provider, x=[p.day.isoformat() for p in rows],
                        y=[100 * p.errors / p.provider_calls for p in rows], mode="lines+markers",
                        line=dict(color=color(provider)), hovertemplate="%{y:.1f} %")
    if threshold_pct is not None:
        fig.add_hline(y=threshold_pct, line=dict(color="#E45756", dash="dash", width=1),
                      annotation_text=f"alert at {threshold_pct:g} %", annotation_position="top left")
    return _layout(fig, title, y_title="% of provider calls", dates=True)


def plan_economics(report: EconomicsReport) -> go.Figure:
    """Per plan: fees and paygo charges (stacked revenue) next to AI cost."""
    title = "Revenue and AI cost per plan"
    if not report.plans:
        return _empty(title)
    plans = [p.plan for p in report.plans]
    fig = go.Figure()
    fig.add_bar(name="Subscription fees", x=plans, y=[usd(p.fee_revenue_usd) for p in report.plans],
                marker_color="#54A24B", offsetgroup="revenue", hovertemplate="$%{y:,.2f}")
    fig.add_bar(name="Paygo charges", x=plans, y=[usd(p.charges_usd) for p in report.plans],
                marker_color="#88D27A", offsetgroup="revenue", base=[usd(p.fee_revenue_usd) for p in report.plans],
                hovertemplate="$%{y:,.2f}")
    fig.add_bar(name="AI cost", x=plans, y=[usd(p.ai_cost_usd) for p in report.plans], marker_color="#E45756",
                offsetgroup="cost", hovertemplate="$%{y:,.2f}")
    return _layout(fig, title, y_title="USD", barmode="group")
