"""Document versions in the pages: a side-by-side comparison, the "rewrite one part" panel, the
version history of one document (My documents), and the warning before leaving unsaved edits."""

from __future__ import annotations

import html
import json

import streamlit as st

from orchestrator.document_parts import parts
from orchestrator.origin import APP
from orchestrator.safe_markdown import plain_label
from orchestrator.services.user import documents, versions
from ui.user_common import ICONS, call, flash, fmt_usd, fmt_when, run_step

CONTEXT = 2  # unchanged lines kept around each change; longer unchanged runs fold

_DIFF_CSS = """<style>
.orch-diff{width:100%;border-collapse:collapse;table-layout:fixed;font-family:ui-monospace,SFMono-Regular,Menlo,
monospace;font-size:.82rem;line-height:1.45}
.orch-diff td{vertical-align:top;padding:1px 6px;white-space:pre-wrap;word-break:break-word}
.orch-diff col.no{width:2.8em}
.orch-diff td.no{color:#888;text-align:right;user-select:none}
.orch-diff tr.delete td.old,.orch-diff tr.replace td.old{background:rgba(248,81,73,.10)}
.orch-diff tr.insert td.new,.orch-diff tr.replace td.new{background:rgba(46,160,67,.12)}
.orch-diff del{background:rgba(248,81,73,.35);text-decoration:line-through}
.orch-diff ins{background:rgba(46,160,67,.38);text-decoration:none}
.orch-diff tr.fold td{color:#888;text-align:center;font-style:italic}
.orch-diff th{text-align:left;font-weight:600;padding:2px 6px}
</style>"""


def _cell(segments, mark: str) -> str:
    """Escaped text; the changed runs inside ``<del>`` (old side) or ``<ins>`` (new side)."""
    out = []
    for seg in segments:
        core = seg.text.strip()
        if not (seg.changed and core):
            out.append(html.escape(seg.text, quote=True))
            continue
        start = seg.text.index(core)  # spaces around a change stay outside its highlight
        out.append(html.escape(seg.text[:start]) + f"<{mark}>{html.escape(core, quote=True)}</{mark}>"
                   + html.escape(seg.text[start + len(core):]))
    return "".join(out)


def _folded(lines: tuple, context: int) -> list:
    """The rows to show: changes, with ``context`` equal lines around each; None marks a fold."""
    keep = set()
    for i, row in enumerate(lines):
        if row.tag != "equal":
            keep.update(range(max(0, i - context), min(len(lines), i + context + 1)))
    if not keep:  # identical: show the start only
        keep = set(range(min(len(lines), 2 * context)))
    out, gap = [], 0
    for i, row in enumerate(lines):
        if i in keep:
            if gap:
                out.append(gap)
            out.append(row)
            gap = 0
        else:
            gap += 1
    if gap:
        out.append(gap)
    return out


def diff_html(diff: versions.VersionDiff, *, context: int = CONTEXT) -> str:
    """The comparison as an HTML table: old version left, new right. Every piece of document
    text is HTML-escaped; the only markup is this function's own."""
    head = (f"<tr><th colspan=2>Version {diff.old.version}</th><th colspan=2>Version {diff.new.version}</th></tr>")
    rows = []
    for row in _folded(diff.lines, context):
        if isinstance(row, int):
            rows.append(f'<tr class="fold"><td colspan=4>… {row} unchanged line{"s" if row != 1 else ""} …</td></tr>')
            continue
        old_no = "" if row.old_no is None else row.old_no
        new_no = "" if row.new_no is None else row.new_no
        rows.append(f'<tr class="{row.tag}"><td class="no">{old_no}</td><td class="old">{_cell(row.old, "del")}</td>'
                    f'<td class="no">{new_no}</td><td class="new">{_cell(row.new, "ins")}</td></tr>')
    cols = '<colgroup><col class="no"><col><col class="no"><col></colgroup>'
    return f'{_DIFF_CSS}<table class="orch-diff">{cols}{head}{"".join(rows)}</table>'


def show_diff(diff: versions.VersionDiff) -> None:
    if diff.identical:
        st.info("The two versions are identical.", icon=":material/check:")
        return
    st.markdown(f":green-badge[+{diff.added} added] :red-badge[−{diff.removed} removed] "
                f":gray-badge[{diff.changed} changed]")
    st.html(diff_html(diff))


def version_label(v: documents.DocumentInfo) -> str:
    """'Version 3 · current · one part rewritten · 12 Mar 2026, 14:05 UTC' (plain text)."""
    return " · ".join([f"Version {v.version}", *(["current"] if v.current else []), v.origin_label,
                       fmt_when(v.created_at)])


# ------------------------------------------------------------- leaving unsaved

_GUARD = """<script>(() => {
const P = window.parent || window, D = P.document;
const g = P.__orchUnsaved = P.__orchUnsaved || {saved: {}};
Object.assign(g.saved, %s);  // kept per editor: a page shown again may not run this script again
g.dirty = () => Object.entries(g.saved).some(([key, text]) => {
  const area = D.querySelector('.st-key-' + CSS.escape(key) + ' textarea');
  return area !== null && area.value !== text;
});
if (g.installed) return;
g.installed = true;
g.message = %s;
P.addEventListener('beforeunload', (e) => { if (g.dirty()) { e.preventDefault(); e.returnValue = ''; } });
D.addEventListener('click', (e) => {
  const link = e.target.closest && e.target.closest('[data-testid="stSidebarNav"] a, a[data-testid="stPageLink-NavLink"]');
  if (!link || !g.dirty()) return;
  if (!P.confirm(g.message)) { e.preventDefault(); e.stopImmediatePropagation(); }
}, true);
})();</script>"""
UNSAVED_MESSAGE = "You have unsaved changes in this document. Leave the page and lose them?"


def unsaved_guard(editors: dict[str, str]) -> None:
    """Warn before leaving the page (a sidebar link, a page link, closing or reloading the tab)
    while any of these text areas (widget key -> the saved text) holds other text. The check runs
    in the browser at the moment of leaving, so edits not yet sent to the server count too."""
    data = json.dumps(editors, ensure_ascii=True).replace("<", "\\u003c")
    st.html(_GUARD % (data, json.dumps(UNSAVED_MESSAGE)), unsafe_allow_javascript=True)


# -------------------------------------------------------------- rewrite a part


def rewrite_panel(orch, user, doc: documents.DocumentInfo, *, key: str) -> documents.DocumentInfo | None:
    """Pick a section, bullet or paragraph of ``doc`` and a style, and rewrite just that part (a
    small billed request). Returns the new version, or None."""
    found = parts(doc.content)
    if not found:
        st.caption("This version has no sections, bullets or paragraphs to rewrite on their own.")
        return None
    styles = versions.rewrite_styles()
    by_index = {p.index: p for p in found}
    index = st.selectbox("Part to rewrite", list(by_index), format_func=lambda i: by_index[i].label,
                         key=f"{key}_part", help="Sections, bullets and paragraphs of the version shown.")
    style = st.segmented_control("How", list(styles), format_func=styles.get, default=next(iter(styles)),
                                 required=True, key=f"{key}_style") or next(iter(styles))
    if not st.button("Rewrite this part", icon=":material/edit_note:", key=f"{key}_go",
                     help="A small request on your plan; the result is saved as a new version."):
        return None
    new = run_step(f"Rewriting: {plain_label(by_index[index].label)}…",
                   lambda: versions.rewrite_one_part(orch, user=user.id, document_id=doc.id, part=index, style=style,
                                                 origin=APP),
                   done="Part rewritten", failed="Could not rewrite that part")
    if new is not None:
        st.session_state[f"{key}_changed"] = (doc.id, new.id)
    return new


def last_rewrite(orch, user, key: str, current_id: int) -> None:
    """After a rewrite: what changed, folded away (while the new version is the one shown)."""
    pair = st.session_state.get(f"{key}_changed")
    if not pair or pair[1] != current_id:
        return
    diff = call(lambda: versions.compare_versions(orch, user=user.id, old_id=pair[0], new_id=pair[1]))
    if diff is not None:
        with st.expander(f"What the rewrite changed (version {diff.old.version} → {diff.new.version})",
                         expanded=True, icon=":material/compare:"):
            show_diff(diff)


# ---------------------------------------------------------- version history


def _ask(label: str, key: str, *, icon: str = ICONS["delete"], kind: str = "secondary") -> None:
    """The first step of a two-step delete (its button; nothing while it is being confirmed)."""
    state = st.session_state
    if state.get("confirm_versions") != key and st.button(label, icon=icon, key=f"ask_{key}", type=kind):
        state["confirm_versions"] = key
        st.rerun()


def _confirm(label: str, what: str, key: str, on_yes, *, ask: bool = True) -> None:
    """A two-step action: the first click asks, the second does it (``ask=False``: the first
    button is drawn elsewhere with ``_ask``)."""
    state = st.session_state
    if state.get("confirm_versions") != key:
        if ask:
            _ask(label, key)
        return
    st.warning(f"{what} This cannot be undone.", icon=":material/warning:")
    c1, c2, _ = st.columns([1, 1, 3])
    if c1.button("Yes, delete", type="primary", key=f"yes_{key}"):
        state.pop("confirm_versions", None)
        if call(on_yes) is not None:
            flash("Deleted.", ICONS["delete"])
            st.rerun()
    if c2.button("Cancel", key=f"no_{key}"):
        state.pop("confirm_versions", None)
        st.rerun()


def history(orch, user, history_: list[documents.DocumentInfo], *, viewed_id: int, view_key: str) -> None:
    """Every version, newest first: open one, restore it, or delete it."""
    for v in history_:
        with st.container(border=True):
            head = f"**Version {v.version}**" + (" · :blue[current]" if v.current else "")
            st.markdown(head + f" · {plain_label(v.origin_label)}" + (" · *shown*" if v.id == viewed_id else ""))
            from ui.user_drafting import model_label

            st.caption(f"{fmt_when(v.created_at)} · {plain_label(model_label(v.provider, v.model))} · "
                       f"{fmt_usd(v.cost_usd)}")
            with st.container(horizontal=True, gap="small"):
                if v.id != viewed_id and st.button("Open", icon=ICONS["open"], key=f"vopen_{v.id}", type="tertiary"):
                    st.session_state[view_key] = v.id
                    st.rerun()
                if not v.current and st.button("Restore", icon=":material/restore:", key=f"vrestore_{v.id}",
                                               help="Save this text as a new, current version."):
                    new = call(lambda v=v: versions.restore_version(orch, user=user.id, document_id=v.id))
                    if new is not None:
                        st.session_state[view_key] = new.id
                        flash(f"Version {v.version} restored as version {new.version}.", ":material/restore:")
                        st.rerun()
                if len(history_) > 1:
                    _ask("Delete", f"ver{v.id}", kind="tertiary")
            if len(history_) > 1:
                _confirm("Delete", f"Delete version {v.version}?", f"ver{v.id}",
                         lambda v=v: versions.delete_versions(orch, user=user.id, document_ids=[v.id]), ask=False)


def compare(orch, user, history_: list[documents.DocumentInfo], *, key: str, viewed_id: int) -> None:
    """Two versions side by side (the one shown against the current one, by default)."""
    if len(history_) < 2:
        st.caption("There is only one version so far: regenerate, edit or rewrite a part to get another.")
        return
    by_id = {v.id: v for v in history_}
    ids = list(by_id)  # newest first
    new_default, old_default = ids[0], (viewed_id if viewed_id != ids[0] else ids[1])
    c1, c2 = st.columns(2)
    old = c1.selectbox("Old", ids, index=ids.index(old_default), format_func=lambda i: version_label(by_id[i]),
                       key=f"{key}_old")
    new = c2.selectbox("New", ids, index=ids.index(new_default), format_func=lambda i: version_label(by_id[i]),
                       key=f"{key}_new")
    diff = call(lambda: versions.compare_versions(orch, user=user.id, old_id=old, new_id=new))
    if diff is not None:
        show_diff(diff)


# --------------------------------------------------------- one document's pane


def document_pane(orch, user, card: documents.DocumentInfo, *, card_key: str) -> dict[str, str]:
    """My documents' right-hand side for one document: the version shown (the current one unless
    another was opened), read, edit (a new version), rewrite a part, history, compare, download,
    delete. Returns the open editor (widget key -> saved text) for ``unsaved_guard``."""
    from ui.user_common import download_buttons
    from ui.user_drafting import model_label

    state = st.session_state
    history_ = call(lambda: versions.list_versions(orch, user=user.id, document_id=card.id)) or [card]
    by_id = {v.id: v for v in history_}
    view_key = f"docs_view_{card_key}"
    doc = by_id.get(state.get(view_key), history_[0])
    st.subheader(plain_label(doc.title), anchor=False)
    count = f"{len(history_)} version{'s' if len(history_) != 1 else ''}"
    shown = f"version {doc.version} ({'current, ' if doc.current else 'older, '}{doc.origin_label})"
    st.caption(f"{doc.kind_label} · {count} · showing {plain_label(shown)} · {fmt_when(doc.created_at)} · written "
               f"by {plain_label(model_label(doc.provider, doc.model))} · cost {fmt_usd(doc.cost_usd)}")
    if doc.job_id is None:
        st.caption("The job this was written for has been deleted: edits change this document in place.")
    if not doc.current:
        c1, c2 = st.columns([3, 2], vertical_alignment="center")
        c1.info(f"This is an older version ({doc.version}); the current one is {history_[0].version}.",
                icon=":material/history:")
        if c2.button("Restore this version", icon=":material/restore:", key=f"docs_restore_{doc.id}"):
            new = call(lambda: versions.restore_version(orch, user=user.id, document_id=doc.id))
            if new is not None:
                state[view_key] = new.id
                flash(f"Version {doc.version} restored as version {new.version}.", ":material/restore:")
                st.rerun()
    read, edit, hist, comp = st.tabs([":material/visibility: Read", ":material/edit: Edit",
                                      f":material/history: Versions ({len(history_)})", ":material/compare: Compare"])
    editor = f"docs_text_{doc.id}"
    with edit:
        text = st.text_area("Text (Markdown)", doc.content, height=380, key=editor,
                            max_chars=orch.settings.max_document_chars, label_visibility="collapsed")
        if st.button("Save as a new version", type="primary", icon=ICONS["save"], key=f"docs_save_{doc.id}"):
            saved = call(lambda: documents.update_document(orch, user=user.id, document_id=doc.id, content=text))
            if saved is not None:
                state[view_key] = saved.id
                flash(f"Saved as version {saved.version}." if saved.id != doc.id else "Saved.")
                st.rerun()
        if doc.job_id is not None:
            with st.expander("Rewrite one part", icon=":material/edit_note:"):
                new = rewrite_panel(orch, user, doc, key=f"docs_rw_{card_key}")
                if new is not None:
                    state[view_key] = new.id
                    flash(f"Part rewritten: version {new.version}.", ":material/edit_note:")
                    st.rerun()
    with read:
        last_rewrite(orch, user, f"docs_rw_{card_key}", doc.id)
        with st.container(border=True, height=420):
            from orchestrator.safe_markdown import safe_markdown

            st.markdown(safe_markdown(text))  # model output: no remote images, HTML or unsafe links
    with hist:
        history(orch, user, history_, viewed_id=doc.id, view_key=view_key)
    with comp:
        compare(orch, user, history_, key=f"docs_cmp_{card_key}", viewed_id=doc.id)
    download_buttons(text, title=doc.title, key=f"docs_dl_{doc.id}")
    what = f"“{plain_label(doc.title)}” and all {count}" if len(history_) > 1 else f"“{plain_label(doc.title)}”"
    _confirm("Delete this document", f"Delete {what}?", f"card{card.id}",
             lambda: versions.delete_cards(orch, user=user.id, document_ids=[card.id]))
    return {editor: doc.content}
