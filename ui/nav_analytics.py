"""Admin pages for cost analytics and alerts (owned by the analytics work).

Each page script re-checks the role itself (``require_admin``)."""

import streamlit as st


def analytics_pages() -> list:
    return [
        st.Page("pages/admin/analytics.py", title="Cost analytics", icon=":material/insights:"),
        st.Page("pages/admin/alerts.py", title="Alerts", icon=":material/notifications_active:"),
    ]
