"""Session restore, the signed-out screen and sign-out for the whole app.

Signing in happens on the server's own page (``/auth/sign-in``, ``orchestrator.http.browser``),
which sets the session token in the HttpOnly cookie ``orch_session``: no script, ours
included, can read it. The browser sends it with the WebSocket handshake, so every run
finds it in ``st.context.cookies`` (or, after the first run, in this tab's session state)
and re-validates it, so a revoked or expired session, or a deactivated user, is signed out
at the next interaction. Signing out revokes the session on the server (every tab using it
ends), then posts to ``/auth/sign-out``, which deletes the cookie.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlencode

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.http.browser import COOKIE, SIGN_OUT_PATH, sign_in_url
from orchestrator.services.admin.users import UserInfo
from orchestrator.services.user import sessions, sign_in
from ui.context import current_user, get_orchestrator, set_user


def restore_session() -> UserInfo | None:
    """The signed-in user: from this tab's session state (set on its first run, or by a test),
    else from the session cookie. Re-validated on every run."""
    token = st.session_state.get("session_token")
    if token is None and not st.session_state.get("signed_out"):
        token = st.context.cookies.get(COOKIE)
    user = sessions.resume_session(get_orchestrator(), token) if token else None
    if user is None:
        if current_user() is not None:
            set_user(None)
        st.session_state.pop("session_token", None)
        return None
    st.session_state["session_token"] = token
    set_user(user)
    return user


def signed_out_pages(known: list) -> list:
    """The navigation of a signed-out run: the signed-out screen as the default page, and
    again, hidden, under every URL path of ``known`` (the signed-in pages). A tab whose
    session ended on ``/documents`` then shows the screen there, with no "Page not found"
    dialog, and its sign-in link brings the visitor back to ``/documents``."""
    paths = sorted({page.url_path for page in known if page.url_path})
    return [st.Page(_screen(""), title="Sign in", icon=":material/login:", default=True),
            *(st.Page(_screen(path), title="Sign in", icon=":material/login:", url_path=path,
                      visibility="hidden") for path in paths)]


def _screen(url_path: str):
    def signed_out() -> None:
        render_signed_out(url_path)

    return signed_out


def render_signed_out(url_path: str = "") -> None:
    """Shown when this tab has no valid session: after signing out, or when the session was
    revoked, expired or its user deactivated while the tab was open."""
    if st.session_state.pop("signed_out_post", False):
        _post_sign_out()
    _, middle, _ = st.columns([1, 1.4, 1])
    with middle:
        st.title("AI Orchestrator")
        st.caption("Tailored CVs and cover letters from any job posting.")
        if st.session_state.get("signed_out"):
            st.info("You have signed out.")
        else:
            st.info("You are not signed in, or your session has ended. Sign in to continue.")
        query = urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
        _sign_in_link(sign_in_url(f"/{url_path}" + (f"?{query}" if query else "")))


def _sign_in_link(url: str) -> None:
    """A link styled as the app's primary button. ``st.link_button`` always opens a new tab;
    signing in belongs in this one."""
    st.html(
        f'<a href="{escape(url)}" class="orch-sign-in" '
        'style="display:block;text-align:center;padding:.5rem .75rem;border-radius:.5rem;'
        'background:#4F46E5;color:#FFFFFF;font-weight:600;text-decoration:none;">Sign in</a>'
    )


def _post_sign_out() -> None:
    """Post to the sign-out route so the server deletes the HttpOnly cookie (the session itself
    is already revoked; if this script never runs, the next page load deletes the dead cookie)."""
    st.html(
        "<script>(() => { const f = document.createElement('form'); f.method = 'post'; "
        f"f.action = {json.dumps(SIGN_OUT_PATH)}; document.body.appendChild(f); f.submit(); }})();</script>",
        unsafe_allow_javascript=True,
    )


def client_address() -> str:
    """The address the sign-in throttle counts by: the connection's, or ``local`` on loopback."""
    try:
        return st.context.ip_address or "local"
    except Exception:  # noqa: BLE001 - AppTest and bare runs have no connection
        return "local"


def sign_out() -> None:
    """End the session on the server at once (every tab and device using it), then let the
    browser post to the sign-out route to delete the cookie."""
    sessions.revoke_session(get_orchestrator(), st.session_state.get("session_token"))
    st.session_state.clear()
    st.session_state.update(signed_out=True, signed_out_post=True)


def render_account_box(user: UserInfo) -> None:
    with st.sidebar:
        st.markdown(f"**{user.name}**  \n{user.email}")
        st.caption(f"Plan: {user.plan_name}" + (" · admin" if user.is_admin else ""))
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            sign_out()
            st.rerun()
        with st.popover("Change password", icon=":material/password:"):
            _change_password_form(user)


def _change_password_form(user: UserInfo) -> None:
    with st.form("change_password", border=False, clear_on_submit=True):
        current = st.text_input("Current password", type="password", key="pw_current",
                                autocomplete="current-password")
        new = st.text_input("New password", type="password", key="pw_new", autocomplete="new-password")
        again = st.text_input("New password again", type="password", key="pw_again", autocomplete="new-password")
        submitted = st.form_submit_button("Change password", type="primary")
    if not submitted:
        return
    if new != again:
        st.error("The new passwords do not match.")
        return
    try:
        revoked = sign_in.change_password(get_orchestrator(), user_id=user.id, current_password=current,
                                          new_password=new, keep_session=st.session_state.get("session_token"),
                                          client=client_address())
    except OrchestratorError as exc:
        st.error(str(exc))
        return
    others = f" {revoked} other session{'s' if revoked != 1 else ''} signed out." if revoked else ""
    st.success("Password changed." + others)
