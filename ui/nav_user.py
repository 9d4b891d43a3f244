"""The job seeker's pages, in navigation order (owned by the user-app pages)."""

import streamlit as st


def user_pages() -> list:
    return [
        st.Page("pages/user/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/user/extract.py", title="Extract a job", icon=":material/work:"),
    ]
