"""Entry point: page config, the sign-in gate, and navigation by role. Nothing else."""

from __future__ import annotations

import streamlit as st

from ui.auth import render_sign_in, render_account_box
from ui.context import current_user

st.set_page_config(page_title="AI Orchestrator", page_icon=":material/auto_awesome:", layout="wide")

USER_PAGES = [
    st.Page("pages/user/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/user/extract.py", title="Extract a job", icon=":material/work:"),
]
ADMIN_PAGES = [
    st.Page("pages/admin/overview.py", title="Overview", icon=":material/monitoring:"),
]

user = current_user()
if user is None:
    nav = st.navigation([st.Page(render_sign_in, title="Sign in", icon=":material/login:")], position="hidden")
else:
    pages = {"Job search": USER_PAGES}
    if user.is_admin:
        pages["Admin"] = ADMIN_PAGES
    nav = st.navigation(pages)
    render_account_box(user)
nav.run()
