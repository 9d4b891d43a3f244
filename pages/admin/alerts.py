"""Alerts: what needs attention now (provider error rate and latency, today's spend,
users near a quota), the days that breached a rule recently, and the thresholds, which
admins edit here (each change is audited).

Notifications: the channels alerts are delivered to (webhooks, super admins only; e-mail),
a test message per channel, and the delivery log. A webhook's secret is typed into a
password field in a form that clears on submit; only its hint is shown again."""

from __future__ import annotations

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.rollups import PERCENTILE_ERROR
from orchestrator.safe_markdown import plain_label
from orchestrator.services.admin import alert_channels, alerts
from orchestrator.services.actor import Actor
from ui.context import get_orchestrator, require_admin

user = require_admin()
actor = Actor.of(user)  # checked again by every service call
orch = get_orchestrator()
is_super = user.role == "super_admin"  # what to offer; the services decide

KINDS = {"error_rate": ("Provider error rate", ":material/error:"),
         "latency": ("p95 latency", ":material/speed:"),
         "daily_cost": ("Daily cost", ":material/payments:"),
         "quota": ("Users near quota", ":material/data_usage:"),
         "provider_account": ("Provider account out of quota or credit", ":material/credit_card_off:")}
SHORT = {"provider_account": "Provider accounts"}
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
    for col, (kind, (label, icon)) in zip(cols, KINDS.items(), strict=True):  # short labels fit 1440 px
        col.metric(SHORT.get(kind, label), f"{counts[kind]:,}", border=True, help=label if kind in SHORT else None)
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


def _flash(kind: str, message: str) -> None:
    st.session_state["alerts_flash"] = (kind, plain_label(message))


def add_webhook() -> None:
    ss = st.session_state
    try:
        c = alert_channels.add_webhook(orch, url=ss.get("wh_url", ""), secret=ss.get("wh_secret", ""),
                                       format=ss.get("wh_format", "json"), actor=actor)
        _flash("success", f"Webhook {c.id} added: {c.target} ({c.format}, secret {c.secret_hint}).")
        ss["wh_url"] = ""  # its path may be a credential too (Slack)
    except OrchestratorError as exc:
        _flash("error", str(exc))
    ss["wh_secret"] = ""  # the secret lives no longer than this submit


def add_email() -> None:
    try:
        c = alert_channels.add_email(orch, to=st.session_state.get("em_to", ""), actor=actor)
        _flash("warning" if c.warning else "success",
               f"E-mail channel {c.id} added: {c.target}." + (f" {c.warning}" if c.warning else ""))
    except OrchestratorError as exc:
        _flash("error", str(exc))


def remove_channel(channel_id: int) -> None:
    try:
        c = alert_channels.remove_channel(orch, channel_id=channel_id, actor=actor)
        _flash("success", f"Removed {c.kind} channel {c.id} ({c.target}).")
    except OrchestratorError as exc:
        _flash("error", str(exc))


def send_test(channel_id: int) -> None:
    try:
        d = alert_channels.send_test(orch, channel_id=channel_id, actor=actor)
    except OrchestratorError as exc:
        _flash("error", str(exc))
        return
    if d.status == "sent":
        _flash("success", f"Test message sent to {d.channel}" + (f" (HTTP {d.http_status})." if d.http_status else "."))
    else:
        _flash("error", f"Test message to {d.channel} failed: {d.last_error}")


def _status(d) -> str:
    if d.status == "retrying" and d.next_attempt_at:
        return f"retrying at {d.next_attempt_at:%H:%M} UTC"
    return d.status


def notifications() -> None:
    st.subheader("Notifications")
    st.caption("Alerts are delivered when they fire, repeated while they stay firing (after the cool-down), "
               "and once more when they resolve. The server evaluates the rules every minute.")
    chans = alert_channels.list_channels(orch, actor=actor)
    if not chans:
        st.caption("No channel yet: alerts are only shown on this page.")
    else:
        st.dataframe([{"ID": c.id, "Kind": c.kind, "Target": c.target, "Format": c.format,
                       "Secret": c.secret_hint or "", "Added by": c.created_by,
                       "Added": f"{c.created_at:%Y-%m-%d %H:%M}"} for c in chans], hide_index=True,
                     key="table_channels")
        for c in chans:
            name, test, remove = st.columns([6, 1.3, 1.3], vertical_alignment="center")
            name.text(f"#{c.id} {c.kind}: {c.target}")
            test.button("Send test", key=f"test_{c.id}", on_click=send_test, args=(c.id,),
                        icon=":material/send:")
            remove.button("Remove", key=f"remove_{c.id}", on_click=remove_channel, args=(c.id,),
                          icon=":material/delete:", disabled=c.kind == "webhook" and not is_super)
        warning = alert_channels.smtp_warning(orch)
        if warning and any(c.kind == "email" for c in chans):
            st.warning(warning, icon=":material/mail:")
    left, right = st.columns(2)
    with left, st.form("add_webhook_form", clear_on_submit=True, border=True):
        st.markdown("**Add a webhook**")
        if is_super:
            st.text_input("URL", key="wh_url", placeholder="https://hooks.example.com/...")
            st.text_input("Signing secret", key="wh_secret", type="password",
                          help="Each POST carries X-Orchestrator-Signature: sha256=<HMAC of the body>. "
                               "Stored encrypted; only its last four characters are shown again.")
            st.selectbox("Format", ["json", "slack"], key="wh_format",
                         help="slack: a {\"text\": ...} message for Slack-compatible incoming webhooks.")
        else:
            st.caption("Webhooks are added by a super admin.")
        st.form_submit_button("Add webhook", on_click=add_webhook, key="add_webhook", disabled=not is_super,
                              icon=":material/webhook:")
    with right, st.form("add_email_form", clear_on_submit=True, border=True):
        st.markdown("**Add an e-mail address**")
        st.text_input("Address", key="em_to", placeholder="ops@example.com")
        st.form_submit_button("Add address", on_click=add_email, key="add_email", icon=":material/mail:")

    st.markdown("**Recent deliveries**")
    log = alert_channels.recent_deliveries(orch, limit=50, actor=actor)
    if not log:
        st.caption("Nothing delivered yet.")
        return
    st.dataframe([{"Time": f"{d.created_at:%Y-%m-%d %H:%M}", "Channel": d.channel, "Alert": d.alert_key,
                   "Event": d.event, "Status": _status(d), "Attempts": f"{d.attempts}/{d.max_attempts}",
                   "Last error": d.last_error or ""} for d in log], hide_index=True, key="table_deliveries")


st.title("Alerts")
flash = st.session_state.pop("alerts_flash", None)
if flash:
    {"success": st.success, "warning": st.warning}.get(flash[0], st.error)(flash[1])
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
notifications()
