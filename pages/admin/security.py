"""Security: the URL fetching policy (super admin), locked sign-ins, and housekeeping."""

from __future__ import annotations

import streamlit as st

from orchestrator.services.actor import Actor
from orchestrator.services.admin import security
from ui.admin_common import ago, attempt, header, when
from ui.context import get_orchestrator, require_admin

user = require_admin()
actor = Actor.of(user)  # checked again by every service call
orch = get_orchestrator()
header("Security", "How job-posting links are fetched, who is locked out of signing in, and housekeeping.")

st.subheader("Fetching job-posting links", anchor=False)
allowed = security.private_urls_allowed(orch)
with st.container(border=True):
    st.markdown("Links are fetched only from **public internet addresses**: loopback, private, link-local, "
                "carrier-grade NAT and cloud metadata addresses are refused, every redirect is re-checked, "
                "and the server connects to exactly the address it checked.")
    if user.role != "super_admin":
        st.caption(":material/lock: Only a super admin may change this.")
    wanted = st.toggle("Allow private and loopback addresses (for demos against local pages)", value=allowed,
                       key="allow_private_urls", disabled=user.role != "super_admin",
                       help="Turns the server-side request forgery guard off for every user. Audited.")
    if wanted != allowed:
        attempt(lambda: security.set_private_urls(orch, allowed=wanted, actor=actor),
                success="Private addresses are now allowed." if wanted else "Private addresses are refused again.")

st.subheader("Locked sign-ins", anchor=False)
s = orch.settings
st.caption(f"After {s.sign_in_max_failures} failed sign-ins within {s.sign_in_window_s // 60} minutes an account is "
           f"locked for {s.sign_in_lock_s // 60} minutes; one address may fail {s.sign_in_client_max_failures} "
           "times. Locks are audited.")
locks = attempt(lambda: security.sign_in_locks(orch, actor=actor)) or []
if not locks:
    st.success("Nobody is locked out.", icon=":material/check_circle:")
for i, lock in enumerate(locks):
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.markdown(f"**{'Account' if lock.scope == 'account' else 'Address'}** `{lock.subject}` · "
                  f"until {when(lock.locked_until)}")
    if right.button("Unlock", key=f"unlock_{i}", icon=":material/lock_open:"):
        attempt(lambda lock=lock: security.unlock_sign_in(orch, scope=lock.scope, subject=lock.subject, actor=actor),
                success=f"Unlocked {lock.subject}.")

st.subheader("Housekeeping", anchor=False)
run = security.last_prune(orch)
if run is None or run["finished"] is None:
    st.caption("Expired sessions, cache entries, sign-in counters and stale quota holds are pruned every "
               f"{s.prune_interval_s // 60} minutes by the app itself; it has not run yet.")
else:
    removed = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in run["result"].items())
    st.caption(f"Last pruned {ago(run['finished'])} ({removed or 'nothing to remove'}); next run due "
               f"{when(run['next'])} UTC.")
