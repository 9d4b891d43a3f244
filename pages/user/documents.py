"""My documents: the history of generated documents and saved jobs, with date, model and
cost. Each can be opened (read, edited), downloaded or deleted."""

import streamlit as st

from orchestrator.safe_markdown import plain_label, safe_link, safe_markdown
from orchestrator.services.user import documents
from orchestrator.tasks import document_tasks
from ui.context import get_orchestrator, require_user
from ui.user_common import (
    ICONS,
    call,
    download_buttons,
    drafting_links,
    flash,
    fmt_usd,
    fmt_when,
    saved_jobs,
    show_flash,
)
from ui.user_drafting import model_label
from ui.user_forms import job_posting_form

user = require_user()
orch = get_orchestrator()
state = st.session_state
show_flash()

st.title("My documents", anchor=False)
st.caption("Everything you have extracted and written, newest first. Open one to read, edit or download it.")


def _confirm_delete(what: str, key: str, on_yes) -> None:
    """A two-step delete: the first click asks, the second deletes."""
    if state.get("confirm_delete") != key:
        if st.button("Delete", icon=ICONS["delete"], key=f"del_{key}"):
            state["confirm_delete"] = key
            st.rerun()
        return
    st.warning(f"Delete {what}? This cannot be undone.", icon=":material/warning:")
    c1, c2, _ = st.columns([1, 1, 3])
    if c1.button("Yes, delete", type="primary", key=f"del_yes_{key}"):
        state.pop("confirm_delete", None)
        if call(on_yes) is not None:
            flash("Deleted.", ICONS["delete"])
            st.rerun()
    if c2.button("Cancel", key=f"del_no_{key}"):
        state.pop("confirm_delete", None)
        st.rerun()


def _row(title: str, meta: str, key: str, selected: bool) -> bool:
    """One history entry: title, date/model/cost, and an Open link (or a marker when open).
    ``title`` is plain text (model and user text) and escaped here; ``meta`` is Markdown."""
    with st.container(border=True):
        title = plain_label(title)
        st.markdown(f":blue[**{title}**]" if selected else f"**{title}**")
        st.caption(meta)
        if selected:
            st.caption(":blue[:material/visibility: Open on the right]")
            return False
        return st.button("Open", key=key, type="tertiary", icon=ICONS["open"])


def documents_tab() -> None:
    kinds = {"all": "All", **{t.document_kind: t.text.plural for t in document_tasks()}}
    kind = st.segmented_control("Show", list(kinds), format_func=kinds.get, default="all", required=True,
                                key="docs_kind", label_visibility="collapsed") or "all"
    docs = call(lambda: documents.list_documents(orch, user=user.id, kind=None if kind == "all" else kind))
    if docs is None:
        return
    if not docs:
        st.info("No documents yet — draft a CV or a cover letter for one of your saved jobs.",
                icon=":material/info:")
        with st.container(width=520):
            drafting_links(key="docs_empty", buttons=False)
        return
    ids = [d.id for d in docs]
    open_id = state.get("docs_open") if state.get("docs_open") in ids else ids[0]
    left, right = st.columns([2, 3], gap="large")
    with left, st.container(height=640, border=False):
        for d in docs:
            meta = f"{d.kind_label} · {d.created_at:%d %b %Y, %H:%M} · " \
                   f"{plain_label(model_label(d.provider, d.model))} · {fmt_usd(d.cost_usd)}"
            if _row(d.title, meta, f"docs_open_{d.id}", d.id == open_id):
                state["docs_open"] = d.id
                st.rerun()
    doc = next(d for d in docs if d.id == open_id)
    with right:
        st.subheader(plain_label(doc.title), anchor=False)
        st.caption(f"{doc.kind_label} · written {fmt_when(doc.created_at)} by "
                   f"{plain_label(model_label(doc.provider, doc.model))}"
                   f" · cost {fmt_usd(doc.cost_usd)}" + (" · edited" if doc.edited else ""))
        if doc.job_id is None:
            st.caption("The job this was written for has been deleted.")
        preview, edit = st.tabs([":material/visibility: Read", ":material/edit: Edit"])
        with edit:
            text = st.text_area("Text (Markdown)", doc.content, height=420, key=f"docs_text_{doc.id}",
                                max_chars=orch.settings.max_document_chars,
                                label_visibility="collapsed")
            if st.button("Save changes", type="primary", icon=ICONS["save"], key=f"docs_save_{doc.id}"):
                if call(lambda: documents.update_document(orch, user=user.id, document_id=doc.id,
                                                          content=text)) is not None:
                    flash("Saved.")
                    st.rerun()
        with preview, st.container(border=True, height=460):
            st.markdown(safe_markdown(text))  # model output: no remote images, HTML or unsafe links
        download_buttons(text, title=doc.title, key=f"docs_dl_{doc.id}")
        _confirm_delete(f"“{plain_label(doc.title)}”", f"doc{doc.id}",
                        lambda: documents.delete_document(orch, user=user.id, document_id=doc.id) or True)


def jobs_tab() -> None:
    jobs = saved_jobs(orch, user.id)
    if jobs is None:
        return
    ids = [j.id for j in jobs]
    open_id = state.get("jobs_open") if state.get("jobs_open") in ids else ids[0]
    left, right = st.columns([2, 3], gap="large")
    sources = {"text": "pasted text", "image": "screenshot", "url": "link"}
    with left, st.container(height=640, border=False):
        for j in jobs:
            docs = f"{j.document_count} document{'s' if j.document_count != 1 else ''}"
            meta = f"{j.created_at:%d %b %Y} · from {sources.get(j.source, j.source)} · " \
                   f"{plain_label(model_label(j.provider, j.model))} · {fmt_usd(j.cost_usd)} · {docs}"
            title = j.title + (f" · {j.company}" if j.company else "")
            if _row(title, meta, f"jobs_open_{j.id}", j.id == open_id):
                state["jobs_open"] = j.id
                st.rerun()
    job = next(j for j in jobs if j.id == open_id)
    with right:
        st.subheader(plain_label(job.title + (f" · {job.company}" if job.company else "")), anchor=False)
        source = f" · {safe_link('source', job.source_url)}" if job.source_url else ""
        st.caption(f"Extracted {fmt_when(job.created_at)} by {plain_label(model_label(job.provider, job.model))} · "
                   f"cost {fmt_usd(job.cost_usd)}" + source)
        with st.container(width=520):
            drafting_links(job.id, key=f"jobs_{job.id}")
        edited = job_posting_form(job.posting, key=f"jobs_form{job.id}_u{job.updated_at.timestamp():.0f}")
        if edited is not None and call(lambda: documents.update_job(orch, user=user.id, job_id=job.id,
                                                                    posting=edited)) is not None:
            flash("Job saved.")
            st.rerun()
        _confirm_delete(f"the job “{plain_label(job.title)}” (its documents are kept)", f"job{job.id}",
                        lambda: documents.delete_job(orch, user=user.id, job_id=job.id) or True)


tab_docs, tab_jobs = st.tabs([":material/description: Documents", ":material/work: Jobs"])
with tab_docs:
    documents_tab()
with tab_jobs:
    jobs_tab()
