"""The admin pages, in navigation order (owned by the admin console).

Every page script re-checks the role itself (``require_admin``): navigation
only decides what is listed, never what is allowed.
"""

import streamlit as st

from ui.nav_analytics import analytics_pages


def admin_pages() -> list:
    return [
        st.Page("pages/admin/overview.py", title="Overview", icon=":material/dashboard:"),
        st.Page("pages/admin/providers.py", title="Providers", icon=":material/hub:"),
        st.Page("pages/admin/models.py", title="Models & prices", icon=":material/sell:"),
        st.Page("pages/admin/routing.py", title="Routing", icon=":material/alt_route:"),
        st.Page("pages/admin/plans.py", title="Plans & quotas", icon=":material/tune:"),
        st.Page("pages/admin/users.py", title="Users", icon=":material/group:"),
        st.Page("pages/admin/usage_log.py", title="Usage log", icon=":material/receipt_long:"),
        st.Page("pages/admin/request.py", title="Request inspector", icon=":material/manage_search:"),
        st.Page("pages/admin/audit_log.py", title="Audit log", icon=":material/policy:"),
        st.Page("pages/admin/security.py", title="Security", icon=":material/shield_lock:"),
        st.Page("pages/admin/demo.py", title="Stakeholder demo", icon=":material/theater_comedy:"),
    ]


SUPER_ADMIN_ONLY = ("Stakeholder demo",)  # listed for the super admin only (the page re-checks anyway)


def admin_menu(*, super_admin: bool = True) -> list:
    """The "Admin" section as listed: Overview first, then Cost analytics and Alerts, then the
    console's other pages in ``admin_pages`` order; a plain admin is not shown super-admin pages."""
    overview, *rest = admin_pages()
    if not super_admin:
        rest = [p for p in rest if p.title not in SUPER_ADMIN_ONLY]
    return [overview, *analytics_pages(), *rest]
