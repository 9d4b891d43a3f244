"""Home: what the app does and where to start."""

import streamlit as st

from ui.context import require_user

user = require_user()
st.title(f"Welcome, {user.name.split(' ')[0]}")
st.write("Turn any job posting into a structured summary, then a tailored CV and cover letter.")
st.page_link("pages/user/extract.py", label="Extract a job posting", icon=":material/work:")
