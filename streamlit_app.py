"""Entry point: page config, the sign-in gate, and navigation by role. Nothing else.

Signing in happens on the server's ``/auth/sign-in`` page (``app.py`` mounts it); a run
without a valid session shows the signed-out screen under whatever page path was asked for.
"""

from __future__ import annotations

import streamlit as st

from ui.admin_common import private_urls_warning
from ui.auth import render_account_box, restore_session, signed_out_pages
from ui.nav_admin import admin_menu, admin_pages
from ui.nav_analytics import analytics_pages
from ui.nav_user import user_pages

st.set_page_config(page_title="AI Orchestrator", page_icon=":material/auto_awesome:", layout="wide")

user = restore_session()
if user is None:
    nav = st.navigation(signed_out_pages(user_pages() + analytics_pages() + admin_pages()), position="hidden")
else:
    pages = {"Job search": user_pages()}
    if user.is_admin:
        pages["Admin"] = admin_menu(super_admin=user.role == "super_admin")  # Overview first
        private_urls_warning()
    nav = st.navigation(pages, expanded=True)
    render_account_box(user)
nav.run()
