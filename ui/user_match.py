"""The match panel: how well the user's profile (and a draft) covers a saved job's skills.

Shown on the extracted job and on the drafting pages before and after drafting. The score is
computed offline (``services.user.matching``), so showing it costs nothing. With a draft, the
skills the profile has but the draft left out get a one-click "Emphasise these": it fills the
drafting page's Emphasis field and asks for a regenerated draft.
"""

from __future__ import annotations

import streamlit as st

from orchestrator.safe_markdown import plain_label
from orchestrator.services.user import matching
from ui.context import get_orchestrator
from ui.user_common import ICONS, PAGE_PROFILE, call


def _chip(name: str, color: str, icon: str = "") -> str:
    """A skill as a ``:color-badge[…]``; brackets become parentheses so nothing closes it early."""
    text = plain_label(name.replace("[", "(").replace("]", ")"))
    return f":{color}-badge[{icon + ' ' if icon else ''}{text}]"


def _chips(names, color: str, icon: str = "") -> str:
    return " ".join(_chip(n, color, icon) for n in names)


def _emphasise(task_name: str, text: str) -> None:
    """on_click: runs before the drafting page's widgets exist, so its Emphasis field takes the
    text, and the pending request regenerates the draft with it."""
    st.session_state[f"{task_name}_emphasis"] = text
    st.session_state[f"{task_name}_pending"] = {"regenerate": True}


def match_panel(*, job_id: int, user, task=None, draft_text: str | None = None,
                key: str) -> matching.MatchReport | None:
    """Render the match of ``user``'s profile with saved job ``job_id`` in a bordered box.

    ``task``: the drafting page's TaskSpec (its ``name`` keys the page's session state, its
    ``text.noun`` names the draft), or None outside a drafting page. ``draft_text``: the draft
    shown on the page; then the panel also says what the draft left out and, with a ``task``,
    offers "Emphasise these". ``key`` must be unique on the page. Returns the report (None if it
    could not be computed; the error is shown)."""
    orch = get_orchestrator()
    noun = task.text.noun if task is not None else "draft"
    report = call(lambda: matching.match_job(orch, user=user.id, job_id=job_id, draft_text=draft_text,
                                             draft_noun=noun))
    if report is None:
        return None
    with st.container(border=True, key=key):
        left, right = st.columns([1, 4], vertical_alignment="center")
        with left:
            st.metric("Match score", f"{report.score}/100", help=report.explanation)
            if report.draft_score is not None:
                st.metric(f"Your {plain_label(noun)}", f"{report.draft_score}/100",
                          help=f"How much of the posting your {noun} itself covers.")
        with right:
            st.progress(report.score / 100)
            st.markdown(plain_label(report.summary))
            if report.draft_summary:
                st.markdown(plain_label(report.draft_summary))
        if report.profile_empty:
            st.page_link(PAGE_PROFILE, label="Add your skills and experience to your profile", icon=ICONS["profile"])
        else:
            _lists(report)
        st.caption(plain_label(report.explanation))
        if draft_text is not None and report.left_out:
            st.markdown(f"**Your profile has these, but your {plain_label(noun)} leaves them out:** "
                        + _chips(report.left_out, "orange", ":material/priority_high:"))
            if task is not None and report.emphasis:
                st.button("Emphasise these", icon=":material/auto_awesome:", key=f"{key}_emphasise",
                          on_click=_emphasise, args=(task.name, report.emphasis),
                          help=f"Writes a new version of your {noun} that brings them out.")
    return report


def _lists(report: matching.MatchReport) -> None:
    what = "skills" if report.basis == "skills" else "keywords"
    if report.matched:
        st.markdown(f"**You have** ({len(report.matched)}): " + _chips(report.matched, "green", ":material/check:"))
    if report.required_missing:
        st.markdown(f"**Missing {what}** ({len(report.required_missing)}): "
                    + _chips(report.required_missing, "red", ":material/close:"))
    if report.nice_missing:
        st.markdown(f"**Missing nice-to-haves** ({len(report.nice_missing)}): "
                    + _chips(report.nice_missing, "gray"))


__all__ = ["match_panel"]
