"""Alerts: what needs attention now (provider error rate and latency, today's spend,
users near a quota), the days that breached a rule recently, and the thresholds, which
admins edit here (each change is audited)."""

from __future__ import annotations

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.rollups import PERCENTILE_ERROR
from orchestrator.services.admin import alerts
from orchestrator.services.actor import Actor
from ui.context import get_orchestrator, require_admin

actor = Actor.of(require_admin())  # checked again by every service call
orch = get_orchestrator()

KINDS = {"error_rate": ("Provider error rate", ":material/error:"),
         "latency": ("p95 latency", ":material/speed:"),
         "daily_cost": ("Daily cost", ":material/payments:"),
         "quota": ("Users near quota", ":material/data_usage:")}
FIELDS = {  # setting -> (label, step, help)
    "error_rate_pct": ("Provider error rate above (%)", 1.0, "Failed calls / calls over the window."),
    "p95_latency_s": ("p95 latency above (s)", 0.5, f"Histogram estimate, within {PERCENTILE_ERROR:.1%}."),
    "spend_spike_multiple": ("Today's cost above (x trailing 7-day average)", 0.5, None),
    "quota_pct": ("User at or above (% of a quota)", 5.0, "Requests today, tokens or AI cost this month."),
    "window_hours": ("Window for provider rules (hours)", 1, None),
    "min_calls": ("Minimum calls before a provider rule fires", 1, None),
}


def save_thresholds() -> None:
    """Form callback: runs before the page re-renders, so the alerts below use the new values."""
    changes = {name: st.session_state[f"th_{name}"] for name in FIELDS}
    try:
        alerts.set_thresholds(orch, actor=actor, **changes)
        st.session_state["alerts_flash"] = ("success", "Thresholds saved.")
    except OrchestratorError as exc:
        st.session_state["alerts_flash"] = ("error", str(exc))


def thresholds_form(current: alerts.AlertThresholds) -> None:
    with st.form("alert_thresholds", border=True):
        st.markdown("**Thresholds**")
        cols = st.columns(3)
        for i, (name, (label, step, help_)) in enumerate(FIELDS.items()):
            value = getattr(current, name)
            cols[i % 3].number_input(label, value=value, step=step, key=f"th_{name}", help=help_,
                                     min_value=type(value)(alerts.AlertThresholds.LIMITS[name][0]),
                                     max_value=type(value)(alerts.AlertThresholds.LIMITS[name][1]))
        st.form_submit_button("Save thresholds", on_click=save_thresholds, type="primary", key="save_thresholds")


def active(report: alerts.AlertReport) -> None:
    counts = {kind: sum(a.kind == kind for a in report.alerts) for kind in KINDS}
    cols = st.columns(len(KINDS))
    for col, (kind, (label, icon)) in zip(cols, KINDS.items(), strict=True):
        col.metric(label, counts[kind], border=True)
    if not report.alerts:
        st.success("All clear: no alert is active.", icon=":material/check_circle:")
        return
    for a in report.alerts:
        if a.kind != "quota":
            st.error(a.message, icon=KINDS[a.kind][1])
    quota = [a for a in report.alerts if a.kind == "quota"]
    if quota:
        st.warning(f"{len(quota)} user(s) at {report.thresholds.quota_pct:g} % or more of a quota.",
                   icon=KINDS["quota"][1])
        st.dataframe([{"User": a.subject, "Share of quota": f"{a.value:.0%}", "Detail": a.message}
                      for a in quota], hide_index=True, key="table_quota")


st.title("Alerts")
flash = st.session_state.pop("alerts_flash", None)
if flash:
    (st.success if flash[0] == "success" else st.error)(flash[1])
report = alerts.evaluate(orch)
th = report.thresholds
st.caption(f"Evaluated {report.evaluated_at:%Y-%m-%d %H:%M} UTC. Provider rules look at the last "
           f"{th.window_hours} h (providers with at least {th.min_calls} calls); the cost rule compares today so "
           "far with the 7 complete days before it.")
active(report)

st.subheader("Last 30 days")
past = alerts.history(orch, days=30)
if past:
    st.dataframe([{"Day": a.day.isoformat(), "Rule": KINDS[a.kind][0], "Subject": a.subject, "Detail": a.message}
                  for a in past], hide_index=True, key="table_history")
else:
    st.caption("No complete day of the last 30 breached a rule.")

thresholds_form(th)
