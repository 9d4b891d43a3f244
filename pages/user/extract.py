"""Extract a job posting from pasted text into structured fields."""

import streamlit as st

from orchestrator.errors import OrchestratorError
from ui.context import get_orchestrator, require_user

user = require_user()
st.title("Extract a job")
text = st.text_area("Paste the job posting", height=260, key="extract_text")
if st.button("Extract", type="primary", key="extract_go"):
    with st.status("Extracting the posting…", expanded=False) as status:
        try:
            result = get_orchestrator().run("extract_job", user=user.email, text=text)
        except OrchestratorError as exc:
            status.update(label="Extraction failed", state="error")
            st.error(str(exc))
            st.stop()
        status.update(label="Extracted", state="complete")
    posting = result.data
    st.subheader(posting.title)
    st.caption(f"Served by {result.label} · cost "
               + ("unpriced" if result.cost_usd is None else f"${result.cost_usd:.6f}"))
    cols = st.columns(3)
    cols[0].metric("Company", posting.company or "—")
    cols[1].metric("Location", posting.location or "—")
    cols[2].metric("Remote", posting.remote_mode)
    st.json(posting.model_dump(mode="json"))
