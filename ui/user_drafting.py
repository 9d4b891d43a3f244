"""The CV and cover-letter pages: pick a saved job, set options, watch the text stream
in, then edit (each save is a new version), regenerate (a new version too), rewrite one part,
and download it. Both pages are this one function. The editor always shows the current version
of the job's document; its history is in My documents."""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

import streamlit as st

from orchestrator import Result, StreamRestart
from orchestrator.origin import APP
from orchestrator.safe_markdown import plain_label, safe_markdown
from orchestrator.schemas import DraftOptions
from orchestrator.services.user import documents
from orchestrator.tasks import get_task
from orchestrator.tasks.common import TaskSpec
from orchestrator.services.user import account
from ui.context import get_orchestrator, require_user
from ui.user_factcheck import checked_badge
from ui.user_match import match_panel
from ui.user_privacy import privacy_note
from ui.user_common import (
    ICONS,
    PAGE_DOCUMENTS,
    PAGE_PROFILE,
    call,
    download_buttons,
    flash,
    fmt_when,
    saved_jobs,
    served_by,
    show_error,
    show_flash,
)

LENGTHS = {"short": "Short", "standard": "Standard", "detailed": "Detailed"}
TONES = {"formal": "Formal", "friendly": "Friendly", "confident": "Confident", "enthusiastic": "Enthusiastic"}
LANGUAGES = ["English", "German", "French", "Spanish", "Italian", "Portuguese", "Dutch", "Polish"]


@dataclass(frozen=True)
class Draft:
    """What the page remembers of the last generation (the text itself is in the database)."""

    document_id: int
    job_id: int
    label: str
    cost_usd: Decimal | None
    cached: bool = False
    restarts: int = 0


def model_label(provider: str | None, model: str | None) -> str:
    from orchestrator.offline import ENGINE_LABEL
    from orchestrator.services.admin.providers import provider_kinds

    local = {k.name for k in provider_kinds() if k.local_engine}  # the seeded engine provider is named after it
    if provider in local or (model or "").startswith("offline-engine"):
        return ENGINE_LABEL
    return " · ".join(x for x in (provider, model) if x) or "unknown model"


def _options(kind: TaskSpec) -> dict:
    """The option widgets; returns DraftOptions as keyword arguments."""
    c1, c2, c3 = st.columns([2, 1, 1])
    length = c1.segmented_control("Length", list(LENGTHS), format_func=LENGTHS.get, default="standard",
                                  required=True, key=f"{kind.name}_length", width="stretch") or "standard"
    tone = c2.selectbox("Tone", list(TONES), format_func=TONES.get, key=f"{kind.name}_tone")
    language = c3.selectbox("Language", LANGUAGES, key=f"{kind.name}_language", accept_new_options=True,
                            help="Pick one or type another.")
    emphasis = st.text_input("Emphasis (optional)", key=f"{kind.name}_emphasis", max_chars=500,
                             placeholder="e.g. leadership of small teams, my move from analytics to engineering")
    return DraftOptions(length=length, tone=tone, language=language or "English",
                        emphasis=emphasis.strip() or None).model_dump()


def _request(task: str, regenerate: bool) -> None:
    st.session_state[f"{task}_pending"] = {"regenerate": regenerate}


def _write_safely(chunks) -> None:
    """Show streamed model output as it arrives, through ``safe_markdown`` (``st.write_stream``
    would render the raw text: an image in it would be fetched while the text is written).
    The whole text so far is sanitised each time (syntax can span chunks), at most every 50 ms."""
    shown, text, last = st.empty(), "", 0.0
    for chunk in chunks:
        text += chunk
        if time.monotonic() - last >= 0.05:
            shown.markdown(safe_markdown(text))
            last = time.monotonic()
    shown.markdown(safe_markdown(text))


def _stream(orch, user, kind: TaskSpec, job_id: int, options: dict, regenerate: bool) -> Draft | None:
    """Stream the text into an ``st.status``; a StreamRestart (a broken stream taken over by
    the next provider) clears what was shown and goes on. Returns the saved draft."""
    events = orch.stream(kind.name, user=user.id, job_id=job_id, regenerate=regenerate, origin=APP, **options)
    box: dict = {"result": None, "restart": None}

    def chunks():
        for event in events:
            if isinstance(event, Result):
                box["result"] = event
            elif isinstance(event, StreamRestart):
                box["restart"] = event
                return
            elif event:
                yield event

    verb = "Rewriting" if regenerate else "Writing"
    restarts, error = 0, None
    with st.status(f"{verb} your {kind.text.noun}…", expanded=True) as status:
        area = st.empty()
        try:
            while True:
                box["restart"] = None
                with area.container():
                    _write_safely(chunks())
                if box["restart"] is None:
                    break
                restarts += 1
                area.empty()
                status.update(label=f"{verb} your {kind.text.noun}… {plain_label(box['restart'].describe())}")
        except Exception as exc:  # noqa: BLE001 - shown in the page below
            error = exc
            status.update(label=f"Could not write your {kind.text.noun}", state="error", expanded=False)
        else:
            status.update(label=f"Your {kind.text.noun} is ready", state="complete", expanded=False)
    if error is not None or box["result"] is None:
        show_error(error or RuntimeError("the stream ended without a result"))
        return None
    r: Result = box["result"]
    return Draft(r.document_id, job_id, r.label, r.cost_usd, r.cached, restarts)


def _open_history(doc: documents.DocumentInfo) -> None:
    """My documents, with this document's card open on its Versions."""
    st.session_state["docs_open"] = f"{doc.job_id}_{doc.kind}"
    st.switch_page(PAGE_DOCUMENTS)


def _editor(orch, user, kind: TaskSpec, doc: documents.DocumentInfo, draft: Draft | None) -> None:
    """The current version: notes on it, edit and preview, save (a new version), regenerate,
    rewrite one part, history, downloads; and the warning before leaving unsaved edits."""
    from ui.user_versions import last_rewrite, rewrite_panel, unsaved_guard

    mine = draft is not None and draft.document_id == doc.id  # the version this page just generated
    label = draft.label if mine else model_label(doc.provider, doc.model)
    cost = draft.cost_usd if mine else doc.cost_usd
    st.subheader(f"Your {kind.text.noun}", anchor=False)
    version = f"version {doc.version} of {doc.version_count}" if doc.version_count > 1 else "version 1"
    note = served_by(label, cost, cached=bool(mine and draft.cached)) + f" · written {fmt_when(doc.created_at)}"
    st.caption(f"{note} · {version}" + (f" · {doc.origin_label}" if doc.origin != "generated" else ""))
    if mine and draft.restarts:
        st.caption(":material/sync_problem: A provider's answer could not be used (it broke off or failed a "
                   "check); another one took over and the text below is its complete answer.")
    if doc.origin == "generated":  # edited and rewritten text is the user's own, not checked
        checked_badge(kind)
    privacy_note(account.account_status(orch, user=user.id))
    last_rewrite(orch, user, f"{kind.name}_rw", doc.id)
    editor = f"{kind.name}_text_{doc.id}"
    tab_edit, tab_preview = st.tabs([":material/edit: Edit", ":material/visibility: Preview"])
    with tab_edit:
        text = st.text_area("Edit the text (Markdown)", doc.content, height=460, key=editor,
                            max_chars=orch.settings.max_document_chars,
                            label_visibility="collapsed")
    with tab_preview, st.container(border=True):
        st.markdown(safe_markdown(text))  # model output: no remote images, HTML or unsafe links
    with st.container(horizontal=True, gap="small"):
        save = st.button("Save changes", type="primary", icon=ICONS["save"], key=f"{kind.name}_save",
                         help="Saved as a new version; the one before is kept.")
        st.button("Regenerate", icon=ICONS["regenerate"], key=f"{kind.name}_regenerate", on_click=_request,
                  args=(kind.name, True), help="Write a new version with the options above.")
        if st.button(f"Versions ({doc.version_count})", icon=":material/history:", key=f"{kind.name}_history",
                     help="Compare, restore or delete versions in My documents."):
            _open_history(doc)
    if save:
        saved = call(lambda: documents.update_document(orch, user=user.id, document_id=doc.id, content=text))
        if saved is not None and saved.id != doc.id:
            flash(f"Your {kind.text.noun} is saved as version {saved.version}.")
            st.rerun()
        elif saved is not None:
            st.toast("Nothing changed since the last save.", icon=":material/check_circle:")
    with st.expander("Rewrite one part", icon=":material/edit_note:"):
        if rewrite_panel(orch, user, doc, key=f"{kind.name}_rw") is not None:
            flash("The part is rewritten and saved as a new version.", ":material/edit_note:")
            st.rerun()
    st.markdown("**Download**")
    download_buttons(text, title=doc.title, key=f"{kind.name}_dl_{doc.id}")
    unsaved_guard({editor: doc.content})


def render(task: str) -> None:
    kind = get_task(task)
    user = require_user()
    orch = get_orchestrator()
    state = st.session_state
    show_flash()
    st.title(kind.text.title, anchor=False)
    st.caption(kind.text.intro)
    jobs = saved_jobs(orch, user.id)
    if jobs is None:
        return
    by_id = {j.id: j for j in jobs}
    ids = list(by_id)
    chosen = state.get("draft_job_id") if state.get("draft_job_id") in by_id else ids[0]
    job_id = st.selectbox("Job", ids, index=ids.index(chosen), format_func=lambda i: by_id[i].label,
                          key=f"{task}_job_{chosen}")
    state["draft_job_id"] = job_id
    options = _options(kind)
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        st.button(kind.text.button, type="primary", icon=kind.text.icon, key=f"{task}_go",
                  on_click=_request, args=(task, False))
        st.page_link(PAGE_PROFILE, label="Written from your profile — edit it", icon=ICONS["profile"])

    pending = state.pop(f"{task}_pending", None)
    if pending is not None:
        made = _stream(orch, user, kind, job_id, options, pending["regenerate"])
        if made is not None:
            state[f"{task}_draft"] = made
            st.toast(f"Your {kind.text.noun} is saved to My documents.", icon=":material/check_circle:")
    draft: Draft | None = state.get(f"{task}_draft")
    if draft is not None and draft.job_id != job_id:
        draft = None
    # the current version of this job's document (the newest: a later edit or rewrite included)
    latest = call(lambda: documents.list_documents(orch, user=user.id, kind=kind.document_kind, job_id=job_id,
                                                   limit=1))
    if not latest:  # before drafting: how the profile matches the job
        if latest is not None:
            match_panel(job_id=job_id, user=user, task=kind, key=f"{task}_match_before")
        return
    st.divider()
    _editor(orch, user, kind, latest[0], draft)
    match_panel(job_id=job_id, user=user, task=kind, draft_text=latest[0].content, key=f"{task}_match_after")


__all__ = ["Draft", "model_label", "render"]
