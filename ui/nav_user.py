"""The job seeker's pages, in navigation order: the task pages come from the task registry."""

import streamlit as st

from orchestrator.tasks import TASKS
from ui.user_common import ICONS, PAGE_DOCUMENTS, PAGE_HOME, PAGE_PLAN, PAGE_PROFILE

PAGE_APPLICATIONS = "pages/user/applications.py"


def user_pages() -> list:
    tasks = [st.Page(t.text.page, title=t.text.nav or t.label, icon=t.text.icon) for t in TASKS.values()
             if t.text.page]
    return [
        st.Page(PAGE_HOME, title="Home", icon=ICONS["home"], default=True),
        st.Page(PAGE_PROFILE, title="Profile", icon=ICONS["profile"]),
        *tasks,
        st.Page(PAGE_DOCUMENTS, title="My documents", icon=ICONS["documents"]),
        st.Page(PAGE_APPLICATIONS, title="Applications", icon=":material/view_kanban:"),
        st.Page(PAGE_PLAN, title="Plan and usage", icon=ICONS["plan"]),
    ]
