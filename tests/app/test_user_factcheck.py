""""Checked against your profile" under a drafted document.

``ui.user_factcheck.checked_badge`` shows the note for tasks that check their drafts
(``TaskSpec.verify``: the CV and the cover letter) and for no other. The drafting page shows it
under the document it just wrote (the page test runs once ``ui/user_drafting.py`` calls it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from orchestrator.tasks import TASKS, document_tasks
from tests.app.user_support import captions, open_page, saved_job

ROOT = Path(__file__).resolve().parents[2]
CHECKED = "Checked against your profile"


def _badges_script() -> None:
    import streamlit as st

    from orchestrator.tasks import TASKS
    from ui.user_factcheck import checked_badge

    for name, spec in TASKS.items():
        with st.container(key=f"task_{name}"):
            shown = checked_badge(name)
            st.text(f"{name}: {'shown' if shown else 'not shown'}")
    st.text(f"by spec: {checked_badge(next(iter(TASKS.values())))}; unknown: {checked_badge('no_such_task')}")


def test_the_note_shows_for_checked_tasks_only():
    at = AppTest.from_function(_badges_script, default_timeout=20).run()
    assert not at.exception, at.exception
    checked = {t.name for t in TASKS.values() if t.verify is not None}
    assert checked >= {t.name for t in document_tasks() if t.input == "saved_job"}  # the CV and the letter
    shown = {t.value.split(":")[0] for t in at.text if t.value.endswith(": shown")}
    assert shown == checked
    notes = [c for c in at.caption if CHECKED in c.value]
    assert len(notes) == len(checked)
    assert all(c.value == f":material/verified_user: {CHECKED}" for c in notes)
    assert "every employer, job title, date" in notes[0].proto.help
    first = next(iter(TASKS.values()))
    assert at.text[-1].value == f"by spec: {first.verify is not None}; unknown: False"


@pytest.mark.skipif("checked_badge" not in (ROOT / "ui" / "user_drafting.py").read_text(),
                    reason="the drafting page does not call ui.user_factcheck.checked_badge yet")
@pytest.mark.parametrize("kind", ["cv", "cover_letter"])
def test_the_drafting_page_says_the_new_document_was_checked(app_env, kind):
    spec = next(t for t in document_tasks() if t.text.page.endswith(f"/{kind}.py"))
    saved_job(app_env)
    at = open_page("free@example.com", kind)
    assert CHECKED not in captions(at)
    at.button(key=f"{spec.name}_go").click().run()
    assert not at.exception, at.exception
    assert CHECKED in captions(at)
