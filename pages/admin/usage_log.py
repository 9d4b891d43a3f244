"""Usage log: every request with all its attempts (fallbacks together), filtered and paged; a
selected request opens in the request inspector."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from orchestrator.safe_markdown import plain_label
from orchestrator.services.reports import logs
from ui.admin_common import (MARK, STATUS, exact_usd, header, none_if_all, options_with_all, table, usd, usd_and_exact,
                             when)
from ui.context import get_orchestrator, require_admin

INSPECTOR = "pages/admin/request.py"

require_admin()
orch = get_orchestrator()
header("Usage log", "One row per request; its attempts (retries and fallbacks) are grouped under it. "
       "Costs are rounded for reading (the request inspector has them exactly); failed "
       "attempts cost what the provider billed and are never charged to the user.")

opts = logs.usage_filter_options(orch)
today = datetime.now(UTC).date()
with st.container(border=True):
    f1, f2, f3, f4 = st.columns([2, 2, 1, 1])
    span = f1.date_input("Dates (UTC)", value=(today - timedelta(days=6), today), max_value=today,
                         key="log_dates")
    email = f2.text_input("User email contains", key="log_user")
    plan = none_if_all(f3.selectbox("Plan", options_with_all(opts.plans), key="log_plan"))
    task = none_if_all(f4.selectbox("Task", options_with_all(opts.tasks), key="log_task"))
    g1, g2, g3, g4 = st.columns([1, 2, 1, 2])
    provider = none_if_all(g1.selectbox("Provider", options_with_all(opts.providers), key="log_provider"))
    model = none_if_all(g2.selectbox("Model", options_with_all(opts.models), key="log_model"))
    status = none_if_all(g3.selectbox("Status", options_with_all(opts.statuses), key="log_status",
                                      format_func=lambda s: STATUS.get(s, s)))
    request_id = g4.text_input("Request id starts with", key="log_request")

start, end = (span[0], span[-1]) if isinstance(span, (tuple, list)) and span else (today, today)
filters = logs.UsageFilter(
    since=datetime.combine(start, time(0), tzinfo=UTC), until=datetime.combine(end + timedelta(days=1), time(0),
                                                                               tzinfo=UTC),
    user_email=email or None, provider=provider, model=model, plan=plan, task=task, status=status,
    request_id=request_id or None)

summary = logs.usage_summary(orch, filters=filters)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Requests", f"{summary.requests:,}")
m2.metric("Attempts", f"{summary.attempts:,}", f"{summary.errors:,} failed" if summary.errors else None,
          delta_color="inverse", delta_arrow="off")
m3.metric("Tokens", f"{summary.tokens:,}")
m4.metric("Cost", usd(summary.cost_usd), help=f"Exactly {exact_usd(summary.cost_usd, unpriced='unknown')}")

page_size = st.session_state.get("log_page_size", 25)
pages = max(1, -(-summary.requests // page_size))
page = min(st.session_state.get("log_page", 1), pages)
result = logs.usage_requests(orch, filters=filters, page=page, page_size=page_size)


def _chain(g: logs.RequestGroup) -> str:
    return " → ".join(f"{a.provider}:{a.model} {MARK.get(a.status, a.status)}" for a in g.attempts)


rows = [{
    "Time": g.started_at.astimezone(UTC).strftime("%b %d %H:%M"), "Request": g.request_id[:12],
    "User": g.user_email or "(deleted)",
    "Plan": g.plan, "Task": g.task,
    "Outcome": "✔ via fallback" if g.fell_back and g.outcome == "success" else
    STATUS.get(g.outcome, g.outcome) + (" ↪ fallback" if g.fell_back else ""),
    "Cost": "—" if g.outcome in ("cached", "quota_denied") and not g.cost_usd else usd(g.cost_usd),
    "Tokens": g.tokens, "Latency (ms)": g.latency_ms, "Attempts": _chain(g),
} for g in result.requests]
if not rows:
    st.info("No requests match these filters.")
    st.stop()
money = "Rounded for reading; the request inspector shows the exact amount"
# the request id (searchable above) and the plan (a filter) show when a row is selected: their
# columns are left out so that the attempts chain fits at 1440 px
event = st.dataframe(table(rows), hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                     key="log_table", height=36 + 35 * len(rows),
                     column_order=[c for c in rows[0] if c not in ("Request", "Plan")],
                     column_config={"Time": st.column_config.TextColumn("Time (UTC)", width=92),
                                    "User": st.column_config.TextColumn(width=185),
                                    "Task": st.column_config.TextColumn(width=90),
                                    "Outcome": st.column_config.TextColumn(width=110),
                                    "Cost": st.column_config.TextColumn(width=78, help=money),
                                    "Tokens": st.column_config.NumberColumn(width=64, format="localized"),
                                    "Latency (ms)": st.column_config.NumberColumn("Latency ms", width=85,
                                                                                  format="localized"),
                                    "Attempts": st.column_config.TextColumn(
                                        help="Each attempt as provider:model with its outcome, in order")})
p1, p2 = st.columns([4, 1], vertical_alignment="center")
with p1:
    if result.pages > 1:
        st.pagination(result.pages, key="log_page", max_visible_pages=9)
p2.selectbox("Per page", [25, 50, 100], key="log_page_size", label_visibility="collapsed",
             format_func=lambda n: f"{n} per page")

selected = event.selection.rows if event is not None else []
group = result.requests[selected[0]] if selected and selected[0] < len(result.requests) else None
if group is None:
    st.caption("Select a row to see all attempts of that request.")
else:
    st.subheader(f"Request {group.request_id}")
    st.caption(f"{group.user_email or '(deleted user)'} · {group.plan} · {group.task} · started "
               f"{when(group.started_at)} UTC · total {usd_and_exact(group.cost_usd)}, "
               f"charged {usd_and_exact(group.charged_usd)}")
    st.dataframe(table([{
        "#": a.attempt, "Time": a.timestamp.astimezone(UTC).strftime("%H:%M:%S"), "Provider": a.provider,
        "Model": a.model, "Status": STATUS.get(a.status, a.status), "Error": a.error_type or "",
        "Finish": a.finish_reason or "—", "In": a.tokens_input, "Out": a.tokens_output,
        "Cost": usd(a.cost_usd) if a.status in ("success", "error") else "—",
        "Charged": usd(a.charged_usd), "Latency (ms)": a.latency_ms,
    } for a in group.attempts]), hide_index=True, width="stretch",  # cached and reasoning tokens: the inspector
        column_order=["#", "Time", "Provider", "Model", "Status", "Finish", "In", "Out", "Cost", "Charged",
                      "Latency (ms)"],  # errors: one line each under the table (fits 1440 px)
        column_config={"#": st.column_config.NumberColumn(width=35), "Time": st.column_config.TextColumn(width=75),
                       "Provider": st.column_config.TextColumn(width=105),
                       "Model": st.column_config.TextColumn(width=150),
                       "Status": st.column_config.TextColumn(width=110),
                       "Finish": st.column_config.TextColumn(width=60),
                       **{c: st.column_config.NumberColumn(format="localized", width=65) for c in ("In", "Out")},
                       "Latency (ms)": st.column_config.NumberColumn("Latency ms", format="localized", width=85),
                       "Cost": st.column_config.TextColumn(help=money, width=80),
                       "Charged": st.column_config.TextColumn(help=money, width=80)})
    for a in group.attempts:
        if a.error_type or a.error_message:
            st.caption(plain_label(f"Attempt {a.attempt} · {a.error_type or 'error'}"
                                   + (f": {a.error_message}" if a.error_message else "")))
    if st.button("Open in the request inspector", key="log_inspect", icon=":material/manage_search:",
                 help="Every attempt with its prompt and answer (when the plan keeps them)"):
        st.switch_page(INSPECTOR, query_params={"request": group.request_id})
