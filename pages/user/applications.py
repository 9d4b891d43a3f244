"""Applications: every saved job as an application, on a board (a column per status) or in a
list, with the dates of its steps, a follow-up date, notes and what the AI spent on it.
Open one to move it on, set its follow-up, write notes, or draft its CV and letter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from orchestrator.safe_markdown import plain_label
from orchestrator.services.user import applications
from orchestrator.services.user.applications import STATUSES, Application, Board, status_label
from ui.context import get_orchestrator, require_user
from ui.user_common import ICONS, PAGE_DOCUMENTS, PAGE_EXTRACT, call, drafting_links, flash, fmt_usd, show_flash

user = require_user()
orch = get_orchestrator()
state = st.session_state
show_flash()

STATUS_ICONS = {"saved": ":material/bookmark:", "applied": ":material/send:", "interviewing": ":material/forum:",
                "offer": ":material/celebration:", "rejected": ":material/block:", "withdrawn": ":material/undo:"}

st.title("Applications", anchor=False)
st.caption("Each saved job is an application: move it from saved to offer, note when each step happened, set a "
           "follow-up date, and see what the AI spent on it.")


def user_today() -> date:
    """Today where the user's browser is (UTC when it does not say)."""
    try:
        return datetime.now(ZoneInfo(st.context.timezone)).date() if st.context.timezone else datetime.now(UTC).date()
    except Exception:  # noqa: BLE001 - an unknown zone name: fall back to UTC
        return datetime.now(UTC).date()


def cost_text(a: Application, board: Board) -> str:
    text = f"AI cost {fmt_usd(a.ai_cost_usd)}"
    if board.uses_credit:
        text += f" · charged {fmt_usd(a.charged_usd)}"
    n = a.unpriced_attempts
    return text + (f" · {n} unpriced attempt{'s' if n != 1 else ''} not in it" if n else "")


def follow_up_text(a: Application) -> str | None:
    if a.follow_up_on is None:
        return None
    if a.overdue:
        return f":red[:material/alarm: **Follow up {a.follow_up_on:%d %b} — overdue**]"
    return f":material/event: Follow up {a.follow_up_on:%d %b}"


def since(a: Application) -> date:
    return a.reached(a.status) or a.saved_at.date()


def open_job(job_id: int) -> None:
    state["apps_open"] = job_id


def table_picked() -> None:
    """A row selected in the list opens that application below."""
    rows = state["apps_table"].selection.rows
    ids = state.get("apps_table_ids") or []
    if rows and rows[0] < len(ids):
        open_job(ids[rows[0]])


def card(a: Application, board: Board, selected: bool) -> None:
    with st.container(border=True, key=f"apps_card_{a.job_id}"):
        title = plain_label(a.title)
        st.markdown(f":blue[**{title}**]" if selected else f"**{title}**")
        st.caption(" · ".join(x for x in (plain_label(a.company or ""), f"since {since(a):%d %b}") if x))
        if (fu := follow_up_text(a)) is not None:
            st.markdown(fu)
        st.caption(cost_text(a, board))
        if not selected:
            st.button("Open", key=f"apps_open_{a.job_id}", type="tertiary", icon=ICONS["open"],
                      on_click=open_job, args=(a.job_id,))


def board_view(board: Board, open_id: int) -> None:
    for col, status in zip(st.columns(len(STATUSES)), STATUSES, strict=True):
        items = board.in_status(status)
        col.markdown(f"{STATUS_ICONS[status]} **{status_label(status)}** · {len(items)}")
        with col:
            for a in items:
                card(a, board, a.job_id == open_id)


def list_view(board: Board) -> None:
    """One row per application; an overdue follow-up's row is red."""
    rows = [{"Job": a.title, "Company": a.company or "", "Status": a.status_label, "Follow-up": a.follow_up_on,
             "Overdue": a.overdue, "AI cost": fmt_usd(a.ai_cost_usd),
             **({"Charged": fmt_usd(a.charged_usd)} if board.uses_credit else {}),
             "Saved": a.saved_at.date(), **{status_label(s): a.reached(s) for s in STATUSES[1:]},
             "Notes": a.notes[:80] + ("…" if len(a.notes) > 80 else "")} for a in board.applications]
    df = pd.DataFrame(rows)
    styled = df.style.apply(lambda r: ["color: #d33; font-weight: 600" if r["Overdue"] else "" for _ in r], axis=1)
    dates = {c: st.column_config.DateColumn(c, format="D MMM YYYY")
             for c in ("Follow-up", "Saved", *(status_label(s) for s in STATUSES[1:]))}
    state["apps_table_ids"] = [a.job_id for a in board.applications]
    st.dataframe(styled, hide_index=True, key="apps_table", on_select=table_picked, selection_mode="single-row",
                 column_config={**dates, "Overdue": st.column_config.CheckboxColumn(
                     "Overdue", help="The follow-up day has passed on an open application.")})
    st.caption("Dates are the first day each step was reached. Select a row to open it below.")


def summary(board: Board) -> None:
    c = st.columns(4)
    active = [a for a in board.applications if a.status not in ("saved", *applications.CLOSED)]
    c[0].metric("Applications", len(board.applications), border=True,
                help="Saved jobs, whatever their status.")
    c[1].metric("In progress", len(active), border=True, help="Applied, interviewing or with an offer.")
    c[2].metric("Overdue follow-ups", len(board.overdue), border=True)
    spent = fmt_usd(board.charged_usd) if board.uses_credit else fmt_usd(board.ai_cost_usd)
    c[3].metric("Charged" if board.uses_credit else "AI cost", spent, border=True,
                help="What the AI cost for all your applications: every attempt, failed ones included."
                if not board.uses_credit else "What you were charged for them (failed attempts are never "
                                              f"charged); their AI cost was {fmt_usd(board.ai_cost_usd)}.")


def history(a: Application) -> None:
    events = call(lambda: applications.history(orch, user=user.id, job_id=a.job_id)) or []
    lines = [f"- {a.saved_at:%d %b %Y} · **Saved**"]
    lines += [f"- {e.happened_on:%d %b %Y} · **{e.status_label}**" + (f" · {plain_label(e.note)}" if e.note else "")
              for e in events]
    st.markdown("\n".join(lines))


def status_form(a: Application, board: Board) -> None:
    with st.form(f"apps_status_{a.job_id}_{a.events}", border=True):
        st.markdown("**Move to**")
        new = st.selectbox("Status", STATUSES, index=STATUSES.index(a.status), format_func=status_label)
        on = st.date_input("On", value=board.today, max_value=applications.latest_day(),
                           min_value=applications.EARLIEST)
        note = st.text_input("Note (optional)", max_chars=board.note_max_chars,
                             placeholder="e.g. sent via the company site")
        if st.form_submit_button("Update status", type="primary", icon=":material/swap_horiz:"):
            if new == a.status:
                st.info(f"It is already {a.status_label.lower()}: nothing changed.", icon=":material/info:")
            elif call(lambda: applications.change_status(orch, user=user.id, job_id=a.job_id, status=new, on=on,
                                                         note=note, today=board.today)) is not None:
                flash(f"Moved to {status_label(new)}.")
                st.rerun()


def follow_up_form(a: Application, board: Board) -> None:
    with st.form(f"apps_follow_{a.job_id}_{a.follow_up_on}", border=True):
        on = st.date_input("Follow up on", value=a.follow_up_on, min_value=applications.EARLIEST,
                           max_value=board.today + timedelta(days=applications.FOLLOW_UP_MAX_DAYS),
                           help="An open application whose follow-up day has passed is shown as overdue.")
        save, clear = st.columns(2)
        if save.form_submit_button("Save follow-up", icon=ICONS["save"]):
            if call(lambda: applications.set_follow_up(orch, user=user.id, job_id=a.job_id, on=on,
                                                       today=board.today)) is not None:
                flash("Follow-up saved." if on else "Follow-up cleared.")
                st.rerun()
        if clear.form_submit_button("Clear", icon=":material/event_busy:"):
            if call(lambda: applications.set_follow_up(orch, user=user.id, job_id=a.job_id, on=None)) is not None:
                flash("Follow-up cleared.")
                st.rerun()


def notes_form(a: Application, board: Board) -> None:
    with st.form(f"apps_notes_{a.job_id}_{hash(a.notes)}", border=True):
        text = st.text_area("Notes", a.notes, max_chars=board.notes_max_chars, height=140,
                            placeholder="Contacts, salary talks, what to prepare…")
        if st.form_submit_button("Save notes", icon=ICONS["save"]):
            if call(lambda: applications.set_notes(orch, user=user.id, job_id=a.job_id, notes=text)) is not None:
                flash("Notes saved.")
                st.rerun()


def manage(board: Board) -> None:
    by_id = {a.job_id: a for a in board.applications}
    st.selectbox("Application", list(by_id), key="apps_open", format_func=lambda i: by_id[i].label)
    a = by_id[state["apps_open"]]
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(plain_label(a.label), anchor=False)
        st.markdown(f"{STATUS_ICONS[a.status]} **{a.status_label}** since {since(a):%d %b %Y}"
                    + (f" · {fu}" if (fu := follow_up_text(a)) else ""))
        st.caption(f"{cost_text(a, board)} · {a.attempts} AI attempt{'s' if a.attempts != 1 else ''}, failed ones "
                   "included" + (" (you are never charged for those)" if board.uses_credit else ""))
        st.markdown("**Documents:** " + (", ".join(a.document_labels) if a.documents else "none yet"))
        with st.container(width=520):
            drafting_links(a.job_id, key=f"apps_draft_{a.job_id}")
        st.page_link(PAGE_DOCUMENTS, label="Open My documents", icon=ICONS["documents"])
        st.markdown("**History**")
        history(a)
    with right:
        status_form(a, board)
        follow_up_form(a, board)
        notes_form(a, board)


board = call(lambda: applications.board(orch, user=user.id, today=user_today()))
if board is None:
    st.stop()
if not board.applications:
    st.info("No applications yet — every job you extract is saved here, ready to track.", icon=":material/info:")
    st.page_link(PAGE_EXTRACT, label="Extract a job posting", icon=ICONS["extract"])
    st.stop()
ids = [a.job_id for a in board.applications]
if state.get("apps_open") not in ids:
    state["apps_open"] = ids[0]
summary(board)
view = st.segmented_control("View", ["board", "list"], format_func={"board": "Board", "list": "List"}.get,
                            default="board", required=True, key="apps_view", label_visibility="collapsed")
if view == "list":
    list_view(board)
else:
    board_view(board, state["apps_open"])
st.divider()
manage(board)
