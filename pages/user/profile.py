"""Profile: the master CV every tailored CV and letter draws on. Edit it, or import it
from pasted text or a DOCX, PDF, Markdown (or JSON) file, then save."""

import streamlit as st

from orchestrator.services.user import profiles
from ui.context import get_orchestrator, require_user
from ui.user_common import ICONS, PAGE_EXTRACT, call, flash, run_step, show_flash
from ui.user_forms import profile_form

user = require_user()
orch = get_orchestrator()
show_flash()
state = st.session_state
state.setdefault("profile_version", 0)

st.title("Your profile", anchor=False)
st.caption("Your master CV. Every tailored CV and cover letter is written from it, so the more complete it "
           "is, the better they get.")

if state.pop("profile_saved", False):
    st.success("Your profile is saved. Next: extract a job posting to tailor it to.", icon=ICONS["save"])
    st.page_link(PAGE_EXTRACT, label="Extract a job posting", icon=ICONS["extract"])

with st.expander("Import from a file or pasted text", icon=":material/upload_file:",
                 expanded=bool(state.get("profile_import_open"))):
    st.caption("We read your existing CV and fill in the form below. Check the result, then save.")
    tab_file, tab_text = st.tabs(["Upload a file", "Paste text"])
    profile_mb = orch.settings.max_profile_bytes / 1_048_576
    with tab_file:
        upload = st.file_uploader("CV file", type=["docx", "pdf", "md", "markdown", "txt", "json"],
                                  key="profile_upload",
                                  help=f"DOCX, PDF, Markdown or plain text, up to {profile_mb:g} MB.",
                                  max_upload_size=int(profile_mb) + 1)
        import_file = st.button("Import file", key="profile_import_file", disabled=upload is None,
                                icon=":material/upload:")
    with tab_text:
        pasted = st.text_area("Your CV as text", height=200, key="profile_paste",
                              placeholder="# Your Name\nHeadline\n\n## Experience\n### Role — Company\n- Achievement")
        import_text = st.button("Import text", key="profile_import_text", icon=":material/content_paste:")
    imported = None
    if (import_file and upload is not None) or import_text:
        data, name = (upload.getvalue(), upload.name) if import_file else (pasted, "pasted.md")
        imported = run_step("Reading your CV…", lambda: profiles.parse_profile(orch, data, filename=name),
                            done="CV read", failed="Could not read that CV")
        state["profile_import_open"] = imported is None
    if imported is not None:
        state["profile_draft"] = imported
        state["profile_version"] += 1
        state["profile_import_open"] = False
        flash("Imported. Check the form and save your profile.", ":material/upload_file:")
        st.rerun()

saved = call(lambda: profiles.get_profile(orch, user=user.id))
if saved is None:
    st.stop()
draft = state.get("profile_draft")
if draft is not None:
    st.info("The form shows your imported CV. It is not saved yet: check it and press **Save profile**.",
            icon=":material/info:")
    if st.button("Discard the import", icon=":material/undo:", key="profile_discard"):
        state.pop("profile_draft", None)
        state["profile_version"] += 1
        st.rerun()
elif saved.is_empty():
    st.info("Your profile is empty. Import your CV above, or fill in the form.", icon=":material/info:")

version = state["profile_version"]
edited = profile_form(draft or saved, key=f"profile_v{version}", extra_roles=state.get("profile_extra_roles", 0),
                      extra_education=state.get("profile_extra_edu", 0))
with st.container(horizontal=True, gap="small"):
    add_role = st.button("Add a role", icon=":material/add:", key="profile_add_role")
    add_edu = st.button("Add education", icon=":material/add:", key="profile_add_edu")
if add_role or add_edu:
    key = "profile_extra_roles" if add_role else "profile_extra_edu"
    state[key] = state.get(key, 0) + 1
    st.rerun()

if edited is not None:
    if edited.is_empty():
        st.error("Add at least your name and some experience or skills before saving.", icon=ICONS["bad_input"])
    elif call(lambda: profiles.save_profile(orch, user=user.id, profile=edited)) is not None:
        for k in ("profile_draft", "profile_extra_roles", "profile_extra_edu"):
            state.pop(k, None)
        state["profile_version"] += 1
        flash("Profile saved.")
        state["profile_saved"] = True
        st.rerun()
