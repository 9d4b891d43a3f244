"""Admin overview: providers at a glance."""

import streamlit as st

from orchestrator.services.providers import list_providers
from ui.context import get_orchestrator, require_admin

require_admin()
st.title("Admin overview")
rows = [
    {"name": p.name, "kind": p.kind, "active": p.is_active, "key": p.key_source, "circuit": p.circuit_state}
    for p in list_providers(get_orchestrator())
]
st.dataframe(rows, hide_index=True, use_container_width=True)
