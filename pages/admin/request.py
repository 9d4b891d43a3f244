"""Request inspector: find requests, open one, and see each attempt with the prompt it sent and
the answer it got (when the plan keeps them). ``?request=<id>`` opens a request directly (the
Usage log's "Open in the request inspector" button uses it)."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.safe_markdown import plain_label
from orchestrator.services.actor import Actor
from orchestrator.services.reports import analytics, inspector, logs
from ui.admin_common import (MARK, STATUS, UNPRICED, exact_usd, header, none_if_all, options_with_all, table,
                             usd, when)
from ui.context import get_orchestrator, require_admin

user = require_admin()
actor = Actor.of(user)  # checked again by every service call
orch = get_orchestrator()
header("Request inspector", "One request's whole life: every attempt (retries and fallbacks) with its tokens, "
       "exact cost, latency and outcome, and the prompt sent and answer received when the plan keeps them "
       f"(personal data redacted, kept {orch.settings.payload_retention_days} days).")


def exact(value) -> str:
    """Dollars exactly as the ledger has them (no rounding), or the unpriced marker."""
    return exact_usd(value, unpriced=UNPRICED)


MONEY_HELP = "Rounded for reading; open the request for the exact amounts"


# ------------------------------------------------------------------ search

opts = analytics.filter_options(orch)  # configured and rolled-up values: no pass over the ledger
today = datetime.now(UTC).date()
with st.container(border=True):
    f1, f2, f3, f4, f5 = st.columns([2, 2, 1, 1, 1])
    span = f1.date_input("Dates (UTC)", value=(today - timedelta(days=6), today), max_value=today,
                         key="insp_dates")
    email = f2.text_input("User email contains", key="insp_user")
    task = none_if_all(f3.selectbox("Task", options_with_all(list(opts.tasks)), key="insp_task"))
    provider = none_if_all(f4.selectbox("Provider", options_with_all(list(opts.providers)), key="insp_provider"))
    status = none_if_all(f5.selectbox("Status", options_with_all(list(inspector.STATUSES)), key="insp_status",
                                      format_func=lambda s: STATUS.get(s, s)))

start, end = (span[0], span[-1]) if isinstance(span, (tuple, list)) and span else (today, today)
filters = logs.UsageFilter(
    since=datetime.combine(start, time(0), tzinfo=UTC),
    until=datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC),
    user_email=email or None, task=task, provider=provider, status=status)
signature = (start, end, email, task, provider, status)
if st.session_state.get("insp_signature") != signature:  # new filters: back to the newest page
    st.session_state["insp_signature"] = signature
    st.session_state["insp_cursors"] = [None]
cursors: list = st.session_state["insp_cursors"]

try:
    found = inspector.search_requests(orch, actor=actor, filters=filters, cursor=cursors[-1], page_size=25)
except OrchestratorError as exc:
    st.error(str(exc))
    st.session_state["insp_cursors"] = [None]
    st.stop()

selected_id = None
if found.hits:
    rows = [{
        "Time": h.started_at.astimezone(UTC).strftime("%b %d %H:%M:%S"), "Request": h.request_id,
        "User": h.user_email or "(deleted)", "Plan": h.plan, "Task": h.task,
        "Outcome": STATUS.get(h.outcome, h.outcome), "Tokens": h.tokens, "Cost": usd(h.cost_usd),
        "Latency (ms)": h.latency_ms,
        "Attempts": " → ".join(f"{c} {MARK.get(s, s)}" for c, s in zip(h.chain, h.statuses, strict=True)),
    } for h in found.hits]
    event = st.dataframe(table(rows), hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key=f"insp_table_{len(cursors)}",
                         # the id, plan and tokens show when the request opens: left out so the chain fits 1440 px
                         column_order=[c for c in rows[0] if c not in ("Request", "Plan", "Tokens")],
                         column_config={"Time": st.column_config.TextColumn("Time (UTC)", width=118),
                                        "User": st.column_config.TextColumn(width=185),
                                        "Task": st.column_config.TextColumn(width=90),
                                        "Outcome": st.column_config.TextColumn(width=110),
                                        "Tokens": st.column_config.NumberColumn(format="localized", width=64),
                                        "Cost": st.column_config.TextColumn(help=MONEY_HELP, width=78),
                                        "Latency (ms)": st.column_config.NumberColumn("Latency ms", width=85,
                                                                                      format="localized"),
                                        "Attempts": st.column_config.TextColumn(
                                            help="Each attempt as provider:model with its outcome, in order")})
    picked = event.selection.rows if event is not None else []
    if picked and picked[0] < len(found.hits):
        selected_id = found.hits[picked[0]].request_id
else:
    st.info("No requests match these filters.")

n1, n2, n3 = st.columns([1, 1, 4], vertical_alignment="center")
n1.button("← Newer", key="insp_newer", disabled=len(cursors) <= 1, width="stretch",
          on_click=lambda: cursors.pop())
n2.button("Older →", key="insp_older", disabled=found.next_cursor is None, width="stretch",
          on_click=lambda: cursors.append(found.next_cursor))
n3.caption(f"Page {len(cursors)} · newest first · select a row to open the request")

# ------------------------------------------------------------------ one request

if selected_id is not None:
    st.query_params["request"] = selected_id  # the address now opens this request
request_id = selected_id or st.query_params.get("request")
if not request_id:
    st.stop()

try:
    detail = inspector.request_detail(orch, request_id=request_id, actor=actor)
except OrchestratorError as exc:
    st.error(str(exc))
    st.stop()

st.divider()
st.subheader(f"Request {detail.request_id}", anchor=False)
st.caption(plain_label(
    f"{detail.user_email or '(deleted user)'} · {detail.plan_name} plan · {detail.task} · from "
    f"{detail.origin_label} · started {when(detail.started_at)} UTC"))
m1, m2, m3, m4, m5 = st.columns([2.3, 1, 1.6, 1.6, 1.5])  # "⊘ quota denied" needs the room
m1.metric("Outcome", STATUS.get(detail.outcome, detail.outcome))
m2.metric("Attempts", f"{len(detail.attempts):,}")
m3.metric("Tokens", f"{detail.tokens_input + detail.tokens_output:,}",
          f"{detail.tokens_input:,} in · {detail.tokens_output:,} out", delta_color="off", delta_arrow="off")
m4.metric("Cost", usd(detail.cost_usd), f"charged {usd(detail.charged_usd)}", delta_color="off",
          delta_arrow="off", help=f"Exactly {exact(detail.cost_usd)}, charged exactly {exact(detail.charged_usd)}")
m5.metric("Latency", f"{detail.latency_ms:,} ms")

st.dataframe(table([{
    "#": a.attempt, "Time": a.timestamp.astimezone(UTC).strftime("%H:%M:%S.%f")[:-3], "Provider": a.provider,
    "Model": a.model, "Status": STATUS.get(a.status, a.status), "Finish": a.finish_reason or "—",
    "In": a.tokens_input, "Out": a.tokens_output, "Cached": a.tokens_cached, "Cache write": a.tokens_cache_write,
    "Reasoning": a.tokens_reasoning, "Cost": usd(a.cost_usd) if a.called_model else "—",
    "Charged": usd(a.charged_usd), "Latency (ms)": a.latency_ms, "Error": a.error_type or "",
} for a in detail.attempts]), hide_index=True, width="stretch",
    # cache writes, reasoning tokens and the error are in each attempt's card below: left out to fit 1440 px
    column_order=["#", "Time", "Provider", "Model", "Status", "Finish", "In", "Out", "Cached", "Cost", "Charged",
                  "Latency (ms)"],
    column_config={"#": st.column_config.NumberColumn(width=35), "Time": st.column_config.TextColumn(width=100),
                   "Provider": st.column_config.TextColumn(width=105),
                   "Model": st.column_config.TextColumn(width=145), "Status": st.column_config.TextColumn(width=110),
                   "Finish": st.column_config.TextColumn(width=70),
                   **{c: st.column_config.NumberColumn(format="localized", width=w)
                      for c, w in (("In", 62), ("Out", 58), ("Cached", 62))},
                   "Latency (ms)": st.column_config.NumberColumn("Latency ms", format="localized", width=85),
                   "Cost": st.column_config.TextColumn(width=75, help="Rounded for reading; each attempt below "
                                                       "gives the exact cost"),
                   "Charged": st.column_config.TextColumn(width=75)})

for a in detail.attempts:
    with st.container(border=True, key=f"insp_attempt_{a.attempt}"):
        st.markdown(f"**Attempt {a.attempt}** · {plain_label(a.provider)} · {plain_label(a.model)} · "
                    f"{STATUS.get(a.status, plain_label(a.status))}")
        facts = [f"{a.latency_ms:,} ms", f"finish reason: {plain_label(a.finish_reason or '—')}"]
        if a.called_model:
            facts.insert(0, f"cost {exact(a.cost_usd)} (exact)")
            tokens = [("in", a.tokens_input), ("out", a.tokens_output), ("cached", a.tokens_cached),
                      ("cache write", a.tokens_cache_write), ("reasoning", a.tokens_reasoning)]
            facts.insert(1, "tokens " + ", ".join(f"{n:,} {name}" for name, n in tokens if n or name in ("in", "out")))
            if a.price_version_id is not None:
                facts.append(f"price version #{a.price_version_id}" + (" (re-priced)" if a.repriced else ""))
            if a.usage_detail:
                facts.append(", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(a.usage_detail.items())))
        st.caption(plain_label(" · ".join(facts)))
        if a.called_model and a.cost_usd is None and a.unpriced_reason:
            st.info(plain_label(f"Unpriced: {a.unpriced_reason}."), icon=":material/money_off:")
        if a.error_type:
            st.warning(plain_label(f"{a.error_type}: {a.error_message or ''}"), icon=":material/error:")
        if a.payload is None:
            st.caption(plain_label(a.payload_note or "Not stored."))
            continue
        p = a.payload
        images = f" · {p.images} image(s) attached (not stored)" if p.images else ""
        with st.expander(f"Prompt sent{images}", expanded=len(detail.attempts) == 1, key=f"insp_prompt_{a.attempt}"):
            if p.system:
                st.caption("System")
                st.code(p.system, language=None, wrap_lines=True, height=160)
            st.caption("Prompt")
            st.code(p.prompt, language=None, wrap_lines=True, height=320)
        with st.expander("Answer received", expanded=True, key=f"insp_answer_{a.attempt}"):
            if p.answer is None:
                st.caption("No answer: the call failed before one came back.")
            else:
                st.code(p.answer, language=None, wrap_lines=True, height=320)
        st.caption(f"Personal data redacted · kept until {when(p.expires_at)} UTC")
