"""Cost analytics: KPIs against the previous period, spend and forecast, reliability,
users and plan economics, CSV export. Everything is aggregated in SQL by the services
(rollups plus today's ledger) and cached briefly; this page only draws.

Fast on purpose: the filters, tiles and tabs are one fragment (a filter change reruns only
it), and only the open tab computes and draws (``st.tabs(on_change="rerun")``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.rollups import PERCENTILE_ERROR
from orchestrator.services.admin import alerts
from orchestrator.services.reports import analytics
from orchestrator.services.reports import analytics_finance as finance
from orchestrator.services.reports.analytics import AnalyticsFilter
from orchestrator.services.admin.users import get_user
from ui import admin_applications, charts
from ui.admin_common import exact_usd, usd
from ui.context import get_orchestrator, require_admin

require_admin()
orch = get_orchestrator()

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


def _last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


PRESETS = {"7 d": lambda t: (t - timedelta(days=6), t), "30 d": lambda t: (t - timedelta(days=29), t),
           "Month to date": lambda t: (t.replace(day=1), t), "Last month": _last_month}


def _today() -> date:
    return datetime.now(UTC).date()


def _apply_preset() -> None:
    preset = st.session_state.get("an_preset")
    if preset in PRESETS:
        st.session_state["an_period"] = PRESETS[preset](_today())


def _custom_period() -> None:
    st.session_state["an_preset"] = None  # a hand-picked range is no preset


def filters(opts: analytics.FilterOptions) -> AnalyticsFilter:
    today = _today()
    st.session_state.setdefault("an_preset", "30 d")
    st.session_state.setdefault("an_period", PRESETS["30 d"](today))
    plan_names = dict(opts.plan_names)
    with st.container(border=True):
        top = st.columns([2.4, 1.6, 1.6], vertical_alignment="bottom")
        top[0].segmented_control("Period", list(PRESETS), key="an_preset", on_change=_apply_preset,
                                 help="Sets the period to the last 7 or 30 UTC days (today included), this month "
                                      "so far or the whole of last month.")
        period = top[1].date_input("From – to (UTC days)", max_value=today, key="an_period", format="YYYY-MM-DD",
                                   on_change=_custom_period)
        email = top[2].text_input("User (email)", key="an_user", placeholder="All users").strip()
        c = st.columns(4)
        providers = c[0].multiselect("Provider", opts.providers, key="an_providers", placeholder="All providers")
        models = c[1].multiselect("Model", opts.models, key="an_models", placeholder="All models")
        plans = c[2].multiselect("Plan", opts.plans, key="an_plans", placeholder="All plans",
                                 format_func=lambda code: plan_names.get(code) or code)
        tasks = c[3].multiselect("Task", opts.tasks, key="an_tasks", placeholder="All tasks",
                                 format_func=charts.task_label)
    period = tuple(period) if isinstance(period, (tuple, list)) else (period,)
    start, end = (period[0], period[-1]) if period else PRESETS["30 d"](today)
    user_id = None
    if email:
        try:
            user_id = get_user(orch, email=email).id
        except OrchestratorError:
            st.warning(f"There is no user {email}: showing all users.")
    return AnalyticsFilter(start=start, end=end, providers=tuple(providers), models=tuple(models),
                           plans=tuple(plans), tasks=tuple(tasks), user_id=user_id)


def _chosen(filt: AnalyticsFilter, opts: analytics.FilterOptions) -> str:
    """What the filters keep, in words ("Provider: openai · Task: Cover letter"), or ''."""
    names = dict(opts.plan_names)
    parts = [("Provider", filt.providers), ("Model", filt.models), ("Plan", [names.get(p, p) for p in filt.plans]),
             ("Task", [charts.task_label(t) for t in filt.tasks])]
    return " · ".join(f"{label}: {', '.join(values)}" for label, values in parts if values)


def kpi_tiles(report: analytics.KpiReport, chosen: str) -> None:
    cur, prev = report.current, report.previous
    c = st.columns(4) + st.columns(4)  # two rows: full values, never truncated
    c[0].metric("AI cost", usd(cur.cost_usd), change(cur.cost_usd, prev.cost_usd), delta_color="inverse",
                border=True, help=f"{exact_usd(cur.cost_usd)}: every attempt's cost, failed attempts included.")
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
    c[7].metric("Cost per request", usd(per_cur), change(per_cur, per_prev) if per_cur is not None else None,
                delta_color="inverse", border=True, help="AI cost divided by requests, failed attempts included.")
    notes = [f"{_span(report.filt)} (UTC), compared with {_span(report.filt.previous())}."]
    if chosen:
        notes.append(chosen + ".")
    if cur.unpriced:
        notes.append(f"{cur.unpriced:,} calls to unpriced models are not in the cost.")
    st.caption(" ".join(notes))


COUNTS = {name: st.column_config.NumberColumn(name, format="localized")  # 12,345: thousands separated
          for name in ("Calls", "Failed", "Subscribers", "Requests", "Tokens")}


def _span(f: AnalyticsFilter) -> str:
    return f"{f.start:%d %b %Y} – {f.end:%d %b %Y}"


def spend_tab(filt: AnalyticsFilter, colors: dict[str, str]) -> None:
    daily = analytics.daily_by_provider(orch, filt=filt)
    charts.draw(charts.daily_cost(daily, colors), "chart_daily_cost")
    left, right = st.columns(2)
    with left:
        fc = finance.forecast(orch, filt=filt)
        m = st.columns(3)
        m[0].metric("Month to date", usd(fc.month_to_date_usd))
        m[1].metric("Per day (7-day avg.)", usd(fc.trailing_avg_usd))
        m[2].metric("Month-end forecast", usd(fc.forecast_usd))
        charts.draw(charts.forecast(fc), "chart_forecast")
    with right:
        charts.draw(charts.cost_by_plan_task(analytics.cost_by_plan_task(orch, filt=filt)), "chart_plan_task")
    charts.draw(charts.tokens_by_model(analytics.tokens_by_model(orch, filt=filt)), "chart_tokens")


def reliability_tab(filt: AnalyticsFilter, colors: dict[str, str]) -> None:
    lat = analytics.latency_by_provider(orch, filt=filt)
    left, right = st.columns(2)
    with left:
        charts.draw(charts.latency(lat, colors), "chart_latency")
    threshold = alerts.thresholds(orch).error_rate_pct
    with right:
        charts.draw(charts.error_rate(analytics.daily_by_provider(orch, filt=filt), threshold, colors), "chart_errors")
    overall = {p.provider: p for p in lat.by_provider}
    rows = [{"Provider": e.provider, "Calls": e.calls, "Failed": e.errors, "Error rate": pct(e.error_rate),
             "p50": secs(overall[e.provider].p50_ms if e.provider in overall else None),
             "p95": secs(overall[e.provider].p95_ms if e.provider in overall else None)}
            for e in analytics.errors_by_provider(orch, filt=filt)]
    st.dataframe(rows, hide_index=True, key="table_providers", column_config=COUNTS)


def users_tab(filt: AnalyticsFilter, colors: dict[str, str]) -> None:
    econ = finance.plan_economics(orch, filt=filt)
    left, right = st.columns([2, 3])
    with left:
        charts.draw(charts.plan_economics(econ), "chart_economics")
    with right:
        st.markdown("**Plan economics**")
        st.dataframe([{"Plan": p.name, "Subscribers": p.subscribers, "Revenue": usd(p.revenue_usd),
                       "AI cost": usd(p.ai_cost_usd), "Margin": usd(p.margin_usd),
                       "Margin %": pct(p.margin_pct), "Margin / user": usd(p.margin_per_user_usd)}
                      for p in econ.plans], hide_index=True, key="table_economics",
                     column_config=COUNTS)
        st.caption("Revenue = subscription fees prorated per day at the plan each user had that day + paygo "
                   "charges. Subscribers: active users who were on the plan for at least one day of the period.")
    st.markdown("**Top users by AI cost**")
    st.dataframe([{"User": u.email, "Plan": u.plan, "Requests": u.requests, "Tokens": u.tokens,
                   "AI cost": usd(u.cost_usd), "Charged": usd(u.charged_usd)}
                  for u in analytics.top_users(orch, filt=filt, limit=10)], hide_index=True, key="table_top_users",
                 column_config=COUNTS)
    best, worst = st.columns(2)
    for col, title, rows, key in ((best, "Best margin per user", econ.top(5), "table_best"),
                                  (worst, "Worst margin per user", econ.bottom(5), "table_worst")):
        col.markdown(f"**{title}**")
        col.dataframe([{"User": m.email, "Plan": m.plan, "Revenue": usd(m.revenue_usd),
                        "AI cost": usd(m.ai_cost_usd), "Margin": usd(m.margin_usd)} for m in rows],
                      hide_index=True, key=key)


def applications_tab(filt: AnalyticsFilter, colors: dict[str, str]) -> None:
    admin_applications.render(orch, filt)


def export_tab(filt: AnalyticsFilter, colors: dict[str, str]) -> None:
    st.caption("Aggregates for the filters above (never the raw log); amounts are exact decimal dollars.")
    cols = st.columns(len(finance.DATASETS))
    for col, (name, label) in zip(cols, finance.DATASETS.items(), strict=True):
        data = finance.export_csv(orch, filt=filt, dataset=name)
        col.download_button(f"{label} (CSV)", data, file_name=f"analytics_{name}_{filt.start}_{filt.end}.csv",
                            mime="text/csv", key=f"export_{name}", on_click="ignore", icon=":material/download:")


TABS = {"Spend": spend_tab, "Reliability": reliability_tab, "Users & plans": users_tab,
        "Applications": applications_tab, "Export": export_tab}


@st.fragment
def dashboard() -> None:
    """Filters, tiles and the open tab: a filter or tab change reruns only this."""
    opts = analytics.filter_options(orch)
    filt = filters(opts)
    kpi_tiles(analytics.kpis(orch, filt=filt), _chosen(filt, opts))
    colors = charts.provider_colors(dict(opts.provider_kinds))  # from every provider: fixed under any filter
    for tab, render in zip(st.tabs(list(TABS), key="an_tab", on_change="rerun"), TABS.values(), strict=True):
        if tab.open:
            with tab:
                render(filt, colors)


st.title("Cost analytics")
dashboard()
