"""Stakeholder demo (super admin): one switch starts the provider simulator inside this server with
demo providers of all three wire formats, outages on demand, a test request that shows the
fallback, a live view of the circuits, and sample posting pages for Extract → Link."""

from __future__ import annotations

import streamlit as st

from orchestrator.safe_markdown import plain_label
from orchestrator.services.actor import Actor
from orchestrator.services.admin import demo, security
from ui.admin_common import CIRCUIT, MARK, attempt, header
from ui.context import get_orchestrator, require_admin

user = require_admin(super_admin=True)
actor = Actor.of(user)  # checked again by every service call
orch = get_orchestrator()
header("Stakeholder demo", "Show failover live, offline: the built-in provider simulator runs inside this server "
       "and stands in for OpenAI, Anthropic and Gemini. Off by default; every switch is audited.")

status = demo.status(orch)  # also re-hosts the simulator in this process if the server restarted
wanted = st.toggle("Demo mode", value=status.enabled, key="demo_enabled",
                   help="Starts the simulator in this server process, activates the demo providers (one per wire "
                        "format, demo keys stored encrypted) and moves every Gemini, OpenAI and Anthropic routing "
                        "step to them. Off: the routing steps go back and the demo providers are deactivated.")
if wanted != status.enabled:
    attempt(lambda: demo.set_enabled(orch, enabled=wanted, actor=actor),
            success="Demo mode is on: job seekers' requests now go to the demo providers." if wanted
            else "Demo mode is off: the routing is back and the simulator has stopped.")
if not status.enabled:
    st.info("Demo mode is off. Turn it on to register the demo providers and route requests to the simulator.",
            icon=":material/info:")
    st.stop()

st.warning("While demo mode is on, every plan's requests for Gemini, OpenAI and Anthropic models are answered by "
           "the simulator (demo answers, no real provider is called). Turn it off after the demo.",
           icon=":material/theater_comedy:")
st.caption(f"Simulator at `{status.simulator_url}`"
           + (" (in this server process)" if status.simulator_here else " (in another app process on this host)"))

# ------------------------------------------------------------------ outages

st.subheader("Provider outages", anchor=False)
st.caption("An outage makes a demo provider fail every call the way the real one would. Requests retry it, "
           "then fall back to the next provider of the chain; after repeated failures its circuit opens and "
           "requests skip it until it recovers.")
choices = [None, *demo.OUTAGES]
cols = st.columns(len(status.providers))
for col, p in zip(cols, status.providers, strict=True):
    with col.container(border=True):
        st.markdown(f"**{p.name}** · {p.kind}")
        picked = st.selectbox(f"Outage on {p.name}", choices, index=choices.index(p.outage), key=f"outage_{p.name}",
                              format_func=lambda o: "None (healthy)" if o is None else demo.OUTAGES[o][0])
        if picked != p.outage:
            attempt(lambda p=p, picked=picked: demo.set_outage(orch, provider=p.name, outage=picked, actor=actor),
                    success=f"{p.name}: " + ("outage ended." if picked is None else
                                             f"{demo.OUTAGES[picked][0].lower()} from now on."))


@st.fragment(run_every=2)
def live_circuits() -> None:
    """The circuits as the breaker has them now (refreshes every 2 s)."""
    now = demo.status(orch)
    parts = []
    for p in now.providers:
        failures = f", {p.consecutive_failures:,} failures in a row" if p.consecutive_failures else ""
        outage = f" · outage: {demo.OUTAGES[p.outage][0]}" if p.outage else ""
        parts.append(f"**{p.name}** circuit {CIRCUIT.get(p.circuit_state, p.circuit_state)}{failures}{outage}")
    st.markdown("  \n".join(parts))


with st.container(border=True):
    left, right = st.columns([3, 1], vertical_alignment="center")
    with left:
        live_circuits()
    right.page_link("pages/admin/providers.py", label="Providers page", icon=":material/hub:")

# ------------------------------------------------------------------ test request

st.subheader("Send a test request", anchor=False)
seekers = demo.demo_job_seekers(orch)
if not seekers:
    st.info("No demo job seekers exist; seed the demo accounts first.", icon=":material/person_off:")
else:
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    who = left.selectbox("As demo job seeker", seekers, key="demo_seeker",
                         index=seekers.index("pro@example.com") if "pro@example.com" in seekers else 0)
    if right.button("Send a test request", icon=":material/send:", type="primary", width="stretch"):
        with st.spinner("Sending… (a timeout outage takes a few seconds per try)"):
            st.session_state["demo_last_run"] = attempt(lambda: demo.send_test_request(orch, email=who,
                                                                                       actor=actor))

run = st.session_state.get("demo_last_run")
if run is not None:
    with st.container(border=True, key="demo_run"):
        failed = [a for a in run.attempts if a.status == "error"]
        if run.answered_by is None:
            st.error(plain_label(run.error or "No provider answered."), icon=":material/error:")
        elif failed:
            where = ", ".join(dict.fromkeys(a.provider for a in failed))
            st.success(plain_label(f"Answered by {run.answered_by} after {len(failed):,} failed attempt"
                                   f"{'s' if len(failed) != 1 else ''} on {where}."), icon=":material/swap_horiz:")
        else:
            st.success(plain_label(f"Answered by {run.answered_by} at the first attempt."),
                       icon=":material/check_circle:")
        st.markdown("  \n".join(plain_label(
            f"Attempt {a.attempt} · {a.provider} · {a.model} · {MARK.get(a.status, '')} {a.status}"
            + (f" ({a.error_type})" if a.error_type else "") + f" · {a.latency_ms:,} ms") for a in run.attempts))
        for note in run.restarts:
            st.caption(plain_label(note))
        if run.text:
            st.caption("Answer")
            st.code(run.text, language=None, wrap_lines=True, height=120)
        if run.request_id:
            st.page_link("pages/admin/request.py", label="Open in the request inspector",
                         icon=":material/manage_search:", query_params={"request": run.request_id})

# ------------------------------------------------------------------ postings

st.subheader("Sample job postings for Extract → Link", anchor=False)
allowed = security.private_urls_allowed(orch)
st.caption("These pages are served by this server while demo mode is on. Links to local addresses are refused "
           "unless allowed below (the same setting as on the Security page).")
allow = st.toggle("Allow links to private and loopback addresses", value=allowed, key="demo_allow_private",
                  help="Turns the server-side request forgery guard off for every user. Audited.")
if allow != allowed:
    attempt(lambda: security.set_private_urls(orch, allowed=allow, actor=actor),
            success="Links to local pages are allowed now." if allow else "Local links are refused again.")
host = st.get_option("server.address") or "127.0.0.1"
base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{st.get_option('server.port')}"
for sample in demo.sample_postings():
    st.markdown(f"**{plain_label(sample.title)}**")
    st.code(sample.url(base), language=None)
c1, c2 = st.columns(2)
c1.page_link("pages/user/extract.py", label="Open Extract", icon=":material/link:")
c2.page_link("pages/admin/security.py", label="Security settings", icon=":material/shield_lock:")
