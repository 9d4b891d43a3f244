"""Admin overview: the last 24 hours, provider health and recent admin changes at a glance."""

from datetime import UTC, datetime, timedelta

import streamlit as st

from orchestrator.services.admin import catalog, policy
from orchestrator.services.reports import logs
from orchestrator.services.reports.failure_rates import DEFINITION, failure_rates
from orchestrator.services.admin.providers import list_providers
from ui.admin_common import ACTIVE, CIRCUIT, INACTIVE, ago, pct, table, usd, when
from ui.context import get_orchestrator, require_admin

require_admin()
orch = get_orchestrator()
st.title("Admin overview")
st.caption("The last 24 hours, provider health and the latest admin changes.")

now = datetime.now(UTC)
day = logs.usage_summary(orch, filters=logs.UsageFilter(since=now - timedelta(hours=24)))
providers = list_providers(orch)
live = policy.current(orch)
unpriced = [m for m in catalog.list_models(orch, active_only=True) if not m.priced]

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Requests, 24 h", f"{day.requests:,}")

rates = failure_rates(orch, now=now)  # the one definition, shared with Providers
c2.metric(f"Failure rate · {rates.window}", pct(rates.overall.rate),
          f"{rates.overall.failed:,} of {rates.overall.calls:,} provider calls", delta_color="off",
          delta_arrow="off", help=DEFINITION)
c3.metric("AI cost, 24 h", usd(day.cost_usd, 2))
c4.metric("Providers ready", f"{sum(p.is_active and p.has_usable_key for p in providers)} / {len(providers)}",
          f"{sum(p.circuit_state == 'open' for p in providers)} circuit(s) open", delta_color="off", delta_arrow="off")
c5.metric("Routing policy", f"v{live.version}" if live else "none", ago(live.created_at) if live else None,
          delta_color="off", delta_arrow="off")
if unpriced:
    st.warning(f"{len(unpriced)} active model(s) have no price: their cost is logged as unknown — "
               + ", ".join(f"{m.kind}:{m.model}" for m in unpriced), icon=":material/warning:")

st.subheader("Providers")
st.dataframe(table([{
    "Provider": p.name, "Kind": p.kind, "Active": ACTIVE if p.is_active else INACTIVE,
    "Key": f"key {p.key_hint}" if p.key_hint else p.key_source,
    "Circuit": CIRCUIT.get(p.circuit_state, p.circuit_state), "Requests 24 h": p.requests_24h,
    "Errors 24 h": pct(p.error_rate_24h),
    "Last test": ("✔ OK · " if p.last_test_ok else "✘ failed · ") + ago(p.last_test_at) if p.last_test_at
    else "not tested",
} for p in providers]), hide_index=True, width="stretch")

st.subheader("Recent admin changes")
recent = logs.audit_entries(orch, page_size=8).rows
if recent:
    st.dataframe([{"When (UTC)": when(r.timestamp), "Who": r.actor, "Action": r.action,
                   "Target": r.target_id or r.target_type} for r in recent], hide_index=True, width="stretch")
else:
    st.caption("No admin changes yet.")
