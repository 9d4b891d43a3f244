"""The one place pages get the orchestrator and the signed-in user from.

``st.cache_resource`` holds the Orchestrator (engine and pools) for the whole
server process; it is the one the HTTP routes use too (``orchestrator.http.shared``),
so the app, the API and the sign-in routes share one pool, snapshot and breaker.
Everything else is per session.
"""

from __future__ import annotations

import streamlit as st

from orchestrator import Orchestrator
from orchestrator.http import shared
from orchestrator.services.admin.users import UserInfo


def _release(orch: Orchestrator) -> None:
    shared.release(orch)  # closes it (and stops its housekeeping thread); the next use makes a new one


@st.cache_resource(show_spinner=False, on_release=_release)
def get_orchestrator() -> Orchestrator:
    """The server's orchestrator, shared with the HTTP routes; its housekeeping thread
    (pruning) starts with it."""
    return shared.orchestrator()


def current_user() -> UserInfo | None:
    return st.session_state.get("user")


def set_user(user: UserInfo | None) -> None:
    if user is None:
        st.session_state.pop("user", None)
    else:
        st.session_state["user"] = user


def require_user() -> UserInfo:
    """Stop the page unless someone is signed in (pages are only reachable signed in,
    but a stale session must not crash a page)."""
    user = current_user()
    if user is None:
        st.warning("Please sign in.")
        st.stop()
    return user


def require_admin(*, super_admin: bool = False) -> UserInfo:
    """Re-check the role on the server for every admin page, whatever the navigation showed."""
    user = require_user()
    fresh = _fresh_role(user)
    allowed = ("super_admin",) if super_admin else ("admin", "super_admin")
    if fresh not in allowed:
        st.error("You do not have access to this page.")
        st.stop()
    return user


def _fresh_role(user: UserInfo) -> str | None:
    """The role the database has now (None if deactivated): the same check every admin command makes."""
    from orchestrator.services.actor import Actor, current_role

    return current_role(get_orchestrator(), Actor.of(user))
