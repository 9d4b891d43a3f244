"""Sign-in form and the account box in the sidebar."""

from __future__ import annotations

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.services.users import UserInfo, authenticate
from ui.context import get_orchestrator, set_user


def render_sign_in() -> None:
    st.title("AI Orchestrator")
    st.caption("Tailored CVs and cover letters from any job posting.")
    with st.form("sign_in", border=True):
        email = st.text_input("Email", key="sign_in_email", autocomplete="username")
        password = st.text_input("Password", type="password", key="sign_in_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            user = authenticate(get_orchestrator(), email=email, password=password)
        except OrchestratorError as exc:
            st.error(str(exc))
            return
        set_user(user)
        st.rerun()
    st.info("Demo accounts: free@example.com, paygo@example.com, pro@example.com and admin@example.com, "
            "password `demo`.")


def render_account_box(user: UserInfo) -> None:
    with st.sidebar:
        st.markdown(f"**{user.name}**  \n{user.email}")
        st.caption(f"Plan: {user.plan_name}" + (" · admin" if user.is_admin else ""))
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            set_user(None)
            st.rerun()
