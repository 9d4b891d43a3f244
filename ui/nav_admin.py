"""The admin pages, in navigation order (owned by the admin console)."""

import streamlit as st


def admin_pages() -> list:
    return [
        st.Page("pages/admin/overview.py", title="Overview", icon=":material/monitoring:"),
    ]
