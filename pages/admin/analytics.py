"""Cost analytics: KPIs against the previous period, spend and forecast, reliability,
users and plan economics, CSV export. Everything is aggregated in SQL by the services
(rollups plus today's ledger) and cached briefly; this page only draws."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.rollups import PERCENTILE_ERROR
from orchestrator.services.admin import alerts
from orchestrator.services.reports import analytics
from orchestrator.services.reports import analytics_finance as finance
from orchestrator.services.reports.analytics import AnalyticsFilter
from orchestrator.services.admin.users import get_user
from ui import admin_applications, charts
from ui.context import get_orchestrator, require_admin

require_admin()
orch = get_orchestrator()


def money(value: Decimal | None, places: int = 2) -> str:
    """``$1,234.56`` / ``-$2.47`` from a Decimal (exact rounding, no float)."""
    if value is None:
        return "—"
    q = value.quantize(Decimal(1).scaleb(-places))
    return f"{'-' if q < 0 else ''}${abs(q):,}"


def count(n: int) -> str:
    """Compact counts for the tiles: 950, 12.3 k, 24.87 M."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f} M"
    return f"{n / 1000:.1f} k" if n >= 10_000 else f"{n:,}"


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f} %"


def secs(ms: float | None) -> str:
    return "—" if ms is None else f"{ms / 1000:.2f} s"


def change(cur, prev) -> str | None:
    """Relative change against the previous period, or None when there is nothing to compare."""
    if not prev:
        return None
    return f"{(cur - prev) * 100 / prev:+.1f} %"


def points(cur: float | None, prev: float | None) -> str | None:
    return None if cur is None or prev is None else f"{(cur - prev) * 100:+.1f} pp"


def delta_secs(cur: float | None, prev: float | None) -> str | None:
    """Change in seconds; None when both periods fall in the same histogram bucket."""
    if cur is None or prev is None or round(cur) == round(prev):
        return None
    return f"{(cur - prev) / 1000:+.2f} s"


def filters() -> AnalyticsFilter:
    opts = analytics.filter_options(orch)
    today = datetime.now(UTC).date()
    with st.container(border=True):
        c = st.columns([2.2, 1.3, 1.8, 1.3, 1.4, 1.8])
        period = c[0].date_input("Period (UTC days)", value=(today - timedelta(days=29), today), max_value=today,
                                 key="an_period")
        providers = c[1].multiselect("Provider", opts.providers, key="an_providers", placeholder="All")
        models = c[2].multiselect("Model", opts.models, key="an_models", placeholder="All")
        plans = c[3].multiselect("Plan", opts.plans, key="an_plans", placeholder="All")
        tasks = c[4].multiselect("Task", opts.tasks, key="an_tasks", placeholder="All",
                                 format_func=lambda t: charts.task_label(t))
        email = c[5].text_input("User (email)", key="an_user", placeholder="All users").strip()
    period = tuple(period) if isinstance(period, (tuple, list)) else (period,)
    start, end = (period[0], period[-1]) if period else (today - timedelta(days=29), today)
    user_id = None
    if email:
        try:
            user_id = get_user(orch, email=email).id
        except OrchestratorError:
            st.warning(f"There is no user {email}: showing all users.")
    return AnalyticsFilter(start=start, end=end, providers=tuple(providers), models=tuple(models),
                           plans=tuple(plans), tasks=tuple(tasks), user_id=user_id)


def kpi_tiles(report: analytics.KpiReport) -> None:
    cur, prev = report.current, report.previous
    c = st.columns(4) + st.columns(4)  # two rows: full values, never truncated
    c[0].metric("AI cost", money(cur.cost_usd), change(cur.cost_usd, prev.cost_usd), delta_color="inverse",
                border=True, help="Every attempt's cost, failed attempts included.")
    c[1].metric("Requests", count(cur.requests), change(cur.requests, prev.requests), border=True,
                help=f"{cur.requests:,} requests ({cur.attempts:,} ledger rows, fallbacks and retries included).")
    c[2].metric("Tokens", count(cur.tokens), change(cur.tokens, prev.tokens), border=True,
                help=f"{cur.tokens:,}: input (cache reads included) plus output (reasoning included).")
    c[3].metric("Error rate", pct(cur.error_rate), points(cur.error_rate, prev.error_rate), delta_color="inverse",
                border=True, help="Failed provider calls / provider calls (fallbacks count as failures).")
    c[4].metric("Cache hit rate", pct(cur.cache_hit_rate), points(cur.cache_hit_rate, prev.cache_hit_rate),
                border=True, help="Cache hits / requests not refused by a quota.")
    c[5].metric("p50 latency", secs(cur.p50_ms), delta_secs(cur.p50_ms, prev.p50_ms), delta_color="inverse",
                border=True)
    c[6].metric("p95 latency", secs(cur.p95_ms), delta_secs(cur.p95_ms, prev.p95_ms), delta_color="inverse",
                border=True, help=f"From latency histograms: within {PERCENTILE_ERROR:.1%} of the exact value.")
    per_cur = cur.cost_usd / cur.requests if cur.requests and cur.cost_usd is not None else None
    per_prev = prev.cost_usd / prev.requests if prev.requests and prev.cost_usd is not None else None
    c[7].metric("Cost per request", money(per_cur, 4), change(per_cur, per_prev) if per_cur is not None else None,
                delta_color="inverse", border=True, help="AI cost divided by requests, failed attempts included.")
    notes = [f"{_span(report.filt)} (UTC), compared with {_span(report.filt.previous())}."]
    if cur.unpriced:
        notes.append(f"{cur.unpriced:,} calls to unpriced models are not in the cost.")
    st.caption(" ".join(notes))


def _span(f: AnalyticsFilter) -> str:
    return f"{f.start:%d %b %Y} – {f.end:%d %b %Y}"


def spend_tab(filt: AnalyticsFilter) -> None:
    daily = analytics.daily_by_provider(orch, filt=filt)
    st.plotly_chart(charts.daily_cost(daily), key="chart_daily_cost")
    left, right = st.columns(2)
    with left:
        fc = finance.forecast(orch, filt=filt)
        m = st.columns(3)
        m[0].metric("Month to date", money(fc.month_to_date_usd))
        m[1].metric("Per day (7-day avg.)", money(fc.trailing_avg_usd))
        m[2].metric("Month-end forecast", money(fc.forecast_usd))
        st.plotly_chart(charts.forecast(fc), key="chart_forecast")
    with right:
        st.plotly_chart(charts.cost_by_plan_task(analytics.cost_by_plan_task(orch, filt=filt)),
                        key="chart_plan_task")
    st.plotly_chart(charts.tokens_by_model(analytics.tokens_by_model(orch, filt=filt)), key="chart_tokens")


def reliability_tab(filt: AnalyticsFilter) -> None:
    lat = analytics.latency_by_provider(orch, filt=filt)
    left, right = st.columns(2)
    left.plotly_chart(charts.latency(lat), key="chart_latency")
    threshold = alerts.thresholds(orch).error_rate_pct
    right.plotly_chart(charts.error_rate(analytics.daily_by_provider(orch, filt=filt), threshold),
                       key="chart_errors")
    overall = {p.provider: p for p in lat.by_provider}
    rows = [{"Provider": e.provider, "Calls": e.calls, "Failed": e.errors, "Error rate": pct(e.error_rate),
             "p50": secs(overall[e.provider].p50_ms if e.provider in overall else None),
             "p95": secs(overall[e.provider].p95_ms if e.provider in overall else None)}
            for e in analytics.errors_by_provider(orch, filt=filt)]
    st.dataframe(rows, hide_index=True, key="table_providers")


def users_tab(filt: AnalyticsFilter) -> None:
    econ = finance.plan_economics(orch, filt=filt)
    left, right = st.columns([2, 3])
    left.plotly_chart(charts.plan_economics(econ), key="chart_economics")
    with right:
        st.markdown("**Plan economics**")
        st.dataframe([{"Plan": p.name, "Subscribers": p.subscribers, "Revenue": money(p.revenue_usd),
                       "AI cost": money(p.ai_cost_usd), "Margin": money(p.margin_usd),
                       "Margin %": pct(p.margin_pct), "Margin / user": money(p.margin_per_user_usd)}
                      for p in econ.plans], hide_index=True, key="table_economics")
        st.caption("Revenue = subscription fees prorated to the period + paygo charges. "
                   "Subscribers are today's active users on the plan.")
    st.markdown("**Top users by AI cost**")
    st.dataframe([{"User": u.email, "Plan": u.plan, "Requests": u.requests, "Tokens": u.tokens,
                   "AI cost": money(u.cost_usd, 4), "Charged": money(u.charged_usd, 4)}
                  for u in analytics.top_users(orch, filt=filt, limit=10)], hide_index=True, key="table_top_users")
    best, worst = st.columns(2)
    for col, title, rows, key in ((best, "Best margin per user", econ.top(5), "table_best"),
                                  (worst, "Worst margin per user", econ.bottom(5), "table_worst")):
        col.markdown(f"**{title}**")
        col.dataframe([{"User": m.email, "Plan": m.plan, "Revenue": money(m.revenue_usd, 4),
                        "AI cost": money(m.ai_cost_usd, 4), "Margin": money(m.margin_usd, 4)} for m in rows],
                      hide_index=True, key=key)


def export_tab(filt: AnalyticsFilter) -> None:
    st.caption("Aggregates for the filters above (never the raw log); amounts are exact decimal dollars.")
    cols = st.columns(len(finance.DATASETS))
    for col, (name, label) in zip(cols, finance.DATASETS.items(), strict=True):
        data = finance.export_csv(orch, filt=filt, dataset=name)
        col.download_button(f"{label} (CSV)", data, file_name=f"analytics_{name}_{filt.start}_{filt.end}.csv",
                            mime="text/csv", key=f"export_{name}", on_click="ignore", icon=":material/download:")


st.title("Cost analytics")
filt = filters()
kpi_tiles(analytics.kpis(orch, filt=filt))
spend, reliability, users, apps, export = st.tabs(["Spend", "Reliability", "Users & plans", "Applications",
                                                  "Export"])
with spend:
    spend_tab(filt)
with reliability:
    reliability_tab(filt)
with users:
    users_tab(filt)
with apps:
    admin_applications.render(orch, filt)
with export:
    export_tab(filt)
