"""Sign-in, sign-out and session restore for the whole app.

Signing in creates a server-side session and puts its signed token in a
cookie (``orch_session``; never in the URL). A reload or a new tab reads the
cookie from the request and resumes the session while it is valid; signing
out revokes it on the server and clears the cookie.
"""

from __future__ import annotations

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.services.admin.users import UserInfo
from orchestrator.services.user import sessions, sign_in
from ui.context import current_user, get_orchestrator, set_user

COOKIE = "orch_session"


def _cookie_script(value: str, max_age: int) -> None:
    secure = "; Secure" if str(getattr(st.context, "url", "") or "").startswith("https") else ""
    st.html(
        f"<script>document.cookie = '{COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict{secure}';"
        "</script>",
        unsafe_allow_javascript=True,
    )


def restore_session() -> UserInfo | None:
    """The signed-in user: from this browser session, else from a valid session cookie.
    Re-validated on every run, so a revoked session or a deactivated user is signed out."""
    orch = get_orchestrator()
    token = st.session_state.get("session_token")
    from_cookie = False
    if token is None and not st.session_state.get("signed_out"):
        token = st.context.cookies.get(COOKIE)
        from_cookie = token is not None
    user = sessions.resume_session(orch, token) if token else None
    if user is None and from_cookie:
        # An expired, revoked or forged cookie: stop reading it in this tab and delete it.
        st.session_state.update(signed_out=True, clear_cookie=True)
    if user is None:
        if current_user() is not None:
            set_user(None)
        st.session_state.pop("session_token", None)
        return None
    st.session_state["session_token"] = token
    set_user(user)
    if st.session_state.pop("set_cookie", False):
        _cookie_script(token, orch.settings.session_ttl_hours * 3600)
    return user


def render_sign_in() -> None:
    if st.session_state.pop("clear_cookie", False):
        _cookie_script("", 0)
    _, middle, _ = st.columns([1, 1.4, 1])
    with middle:
        _sign_in_form()


def _sign_in_form() -> None:
    st.title("AI Orchestrator")
    st.caption("Tailored CVs and cover letters from any job posting.")
    with st.form("sign_in", border=True):
        email = st.text_input("Email", key="sign_in_email", autocomplete="username")
        password = st.text_input("Password", type="password", key="sign_in_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
    if submitted:
        orch = get_orchestrator()
        try:
            user = sign_in.authenticate(orch, email=email, password=password, client=client_address())
        except OrchestratorError as exc:
            st.error(str(exc))
            return
        token, _expires = sessions.create_session(orch, user_id=user.id)
        st.session_state.update(session_token=token, set_cookie=True, signed_out=False)
        set_user(user)
        st.rerun()
    st.info("Demo accounts: free@example.com, paygo@example.com, pro@example.com and admin@example.com, "
            "password `demo`.")


def client_address() -> str:
    """The address the sign-in throttle counts by: the connection's, or ``local`` on loopback."""
    try:
        return st.context.ip_address or "local"
    except Exception:  # noqa: BLE001 - AppTest and bare runs have no connection
        return "local"


def sign_out() -> None:
    sessions.revoke_session(get_orchestrator(), st.session_state.get("session_token"))
    st.session_state.clear()
    st.session_state.update(signed_out=True, clear_cookie=True)


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
