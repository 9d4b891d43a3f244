""""Checked against your profile": the note under a drafted document whose task checks its drafts
(``TaskSpec.verify``, ``orchestrator.fact_check``) before they are saved."""

from __future__ import annotations

import streamlit as st

from orchestrator.tasks import TASKS
from orchestrator.tasks.common import TaskSpec

CHECKED = "Checked against your profile"
HELP = ("Before it was saved, every employer, job title, date, school, degree, certification and skill in "
        "this draft was checked against your profile. A draft that invented one was rejected and written again.")


def checked_badge(kind_task: TaskSpec | str | None) -> bool:
    """Show the note for a task (its spec or name) that checks its drafts; nothing for any other.
    Returns whether it showed. Say it of generated text only: the user's own edits are not checked."""
    spec = TASKS.get(kind_task) if isinstance(kind_task, str) else kind_task
    if spec is None or getattr(spec, "verify", None) is None:
        return False
    st.caption(f":material/verified_user: {CHECKED}", help=HELP)
    return True
