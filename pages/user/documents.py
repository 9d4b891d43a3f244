"""My documents: one card per job and kind (a job's CV, its letter) with its versions, and the
saved jobs, with date, model and cost. A document can be read, edited (a new version), partly
rewritten, compared version against version, restored, downloaded or deleted (a version, the
whole document, or several documents at once)."""

import streamlit as st

from orchestrator.safe_markdown import plain_label, safe_link
from orchestrator.services.user import documents, versions
from orchestrator.tasks import document_tasks
from ui.context import get_orchestrator, require_user
from ui.user_common import (
    ICONS,
    call,
    drafting_links,
    flash,
    fmt_usd,
    fmt_when,
    saved_jobs,
    show_flash,
)
from ui.user_drafting import model_label
from ui.user_forms import job_posting_form
from ui.user_versions import document_pane, unsaved_guard

user = require_user()
orch = get_orchestrator()
state = st.session_state
show_flash()

st.title("My documents", anchor=False)
st.caption("Everything you have extracted and written, most recent first: one card per job's CV or letter, "
           "with all its versions. Open one to read, edit, compare, restore or download them.")


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


def _row(title: str, meta: str, key: str, selected: bool, pick: str | None = None) -> bool:
    """One history entry: title, date/model/cost, and an Open link (or a marker when open); with
    ``pick``, a tick box to select it for a bulk delete. ``title`` is plain text (model and user
    text) and escaped here; ``meta`` is Markdown."""
    with st.container(border=True):
        title = plain_label(title)
        text = f":blue[**{title}**]" if selected else f"**{title}**"
        if pick:
            st.checkbox(text, key=pick, help="Select for deleting several documents at once.")
        else:
            st.markdown(text)
        st.caption(meta)
        if selected:
            st.caption(":blue[:material/visibility: Open on the right]")
            return False
        return st.button("Open", key=key, type="tertiary", icon=ICONS["open"])


def _card_key(d) -> str:
    """A document (all its versions) across reruns: its job and kind (its id once the job is gone)."""
    return f"{d.job_id}_{d.kind}" if d.job_id is not None else f"doc{d.id}"


def _bulk_delete(docs) -> None:
    """Tick documents in the list, then delete them (every version) in one go, after asking."""
    picked = [d for d in docs if state.get(f"docs_pick_{_card_key(d)}")]
    if not picked:
        return
    versions_n = sum(d.version_count for d in picked)
    what = (f"{len(picked)} document{'s' if len(picked) != 1 else ''} "
            f"({versions_n} version{'s' if versions_n != 1 else ''} in all)?")

    def go():
        n = versions.delete_cards(orch, user=user.id, document_ids=[d.id for d in picked])
        for d in picked:
            state.pop(f"docs_pick_{_card_key(d)}", None)
        return n

    if state.get("confirm_delete") != "bulk":
        if st.button(f"Delete selected ({len(picked)})", icon=ICONS["delete"], key="docs_bulk_delete"):
            state["confirm_delete"] = "bulk"
            st.rerun()
        return
    st.warning(f"Delete {what} This cannot be undone.", icon=":material/warning:")
    c1, c2 = st.columns(2)
    if c1.button("Yes, delete", type="primary", key="docs_bulk_yes"):
        state.pop("confirm_delete", None)
        if call(go) is not None:
            flash(f"Deleted {len(picked)} document{'s' if len(picked) != 1 else ''}.", ICONS["delete"])
            st.rerun()
    if c2.button("Cancel", key="docs_bulk_no"):
        state.pop("confirm_delete", None)
        st.rerun()


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
    keys = [_card_key(d) for d in docs]
    open_key = state.get("docs_open") if state.get("docs_open") in keys else keys[0]
    left, right = st.columns([2, 3], gap="large")
    with left:
        _bulk_delete(docs)
        with st.container(height=640, border=False):
            for d, key in zip(docs, keys, strict=True):
                count = f"{d.version_count} version{'s' if d.version_count != 1 else ''}"
                meta = f"{d.kind_label} · {count} · changed {d.created_at:%d %b %Y, %H:%M} · " \
                       f"{plain_label(model_label(d.provider, d.model))} · {fmt_usd(d.cost_usd)}"
                if _row(d.title, meta, f"docs_open_{d.id}", key == open_key, pick=f"docs_pick_{key}"):
                    state["docs_open"] = key
                    st.rerun()
    with right:
        card = docs[keys.index(open_key)]
        editors = document_pane(orch, user, card, card_key=open_key)
    unsaved_guard(editors)


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
