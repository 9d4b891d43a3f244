"""The job seeker's pages, in navigation order (owned by the user-app pages)."""

import streamlit as st

from ui.user_common import (
    ICONS,
    PAGE_CV,
    PAGE_DOCUMENTS,
    PAGE_EXTRACT,
    PAGE_HOME,
    PAGE_LETTER,
    PAGE_PLAN,
    PAGE_PROFILE,
)


def user_pages() -> list:
    return [
        st.Page(PAGE_HOME, title="Home", icon=ICONS["home"], default=True),
        st.Page(PAGE_PROFILE, title="Profile", icon=ICONS["profile"]),
        st.Page(PAGE_EXTRACT, title="Extract a job", icon=ICONS["extract"]),
        st.Page(PAGE_CV, title="CV", icon=ICONS["cv"]),
        st.Page(PAGE_LETTER, title="Cover letter", icon=ICONS["letter"]),
        st.Page(PAGE_DOCUMENTS, title="My documents", icon=ICONS["documents"]),
        st.Page(PAGE_PLAN, title="Plan and usage", icon=ICONS["plan"]),
    ]
