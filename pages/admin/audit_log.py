"""Audit log: every admin change, who made it, when, and the values before and after.
Secrets never reach it (the service drops key-like fields on write and again on read)."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from orchestrator.services.admin import audit
from orchestrator.services.reports import logs
from ui.admin_common import header, none_if_all, options_with_all, when
from ui.context import get_orchestrator, require_admin

require_admin()
orch = get_orchestrator()
header("Audit log", "Every change made by an admin or the CLI: who, when, what, before and after. Never secrets.")

opts = logs.audit_filter_options(orch)
today = datetime.now(UTC).date()
with st.container(border=True):
    f1, f2, f3, f4, f5 = st.columns([2, 2, 2, 1, 2])
    actor = none_if_all(f1.selectbox("Who", options_with_all(opts["actors"]), key="audit_actor"))
    action = none_if_all(f2.selectbox("Action", options_with_all(opts["actions"]), key="audit_action"))
    target = none_if_all(f3.selectbox("Target", options_with_all(opts["target_types"]), key="audit_target"))
    days = f4.selectbox("Period", [1, 7, 30, 90, 365], index=2, key="audit_days", format_func=lambda d: f"{d} d")
    search = f5.text_input("Search target or values", key="audit_search")

page_size = 50
since = datetime.combine(today - timedelta(days=days - 1), time(0), tzinfo=UTC)
first = logs.audit_entries(orch, actor=actor, action=action, target_type=target, search=search or None,
                           since=since, page=1, page_size=1)
pages = max(1, -(-first.total // page_size))
result = logs.audit_entries(orch, actor=actor, action=action, target_type=target, search=search or None,
                            since=since, page=min(st.session_state.get("audit_page", 1), pages), page_size=page_size)
st.caption(f"{result.total:,} change(s) in the last {days} day(s)")


def _summary(row: logs.AuditRow) -> str:
    parts = []
    for field, before, after in row.changes():
        name = field.replace("_usd", "")  # the values say "$"
        if row.before is None:
            parts.append(f"{name}={audit.readable(field, after)}")
        elif row.after is None:
            parts.append(f"{name} was {audit.readable(field, before)}")
        else:
            parts.append(f"{name}: {audit.change_text(field, before, after)}")
    return "; ".join(parts)


if not result.rows:
    st.info("No changes match these filters.")
    st.stop()
event = st.dataframe([{
    "When (UTC)": when(r.timestamp), "Who": r.actor, "Action": r.action,
    "Target": f"{r.target_type} {r.target_id or ''}".strip(), "Changes": _summary(r),
} for r in result.rows], hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
    key="audit_table", row_height=68, column_config={  # rows taller than 4rem wrap: long changes stay whole
        "When (UTC)": st.column_config.TextColumn(width=125), "Who": st.column_config.TextColumn(width=150),
        "Action": st.column_config.TextColumn(width=135), "Target": st.column_config.TextColumn(width=150),
        "Changes": st.column_config.TextColumn(width="large", help="Money rounded for reading; select a row for "
                                               "the exact values before and after")})
if result.pages > 1:
    st.pagination(result.pages, key="audit_page", max_visible_pages=9)

picked = event.selection.rows if event is not None else []
row = result.rows[picked[0]] if picked and picked[0] < len(result.rows) else None
if row is None:
    st.caption("Select a row to see the full before and after.")
else:
    st.subheader(f"{row.action} · {row.target_type} {row.target_id or ''}")
    st.caption(f"by {row.actor} at {when(row.timestamp)} UTC")
    b, a = st.columns(2)
    with b:
        st.markdown("**Before**")
        st.json(audit.exact(row.before), expanded=True)
    with a:
        st.markdown("**After**")
        st.json(audit.exact(row.after), expanded=True)
