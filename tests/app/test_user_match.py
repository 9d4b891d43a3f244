"""The match panel: the score on the extracted job, with what matched and what is missing;
an empty profile explained; the score follows edits; "Emphasise these" for a draft."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from orchestrator.safe_markdown import plain_label
from orchestrator.schemas import Profile
from orchestrator.services.user import documents, matching, profiles
from tests.app.user_support import by_label, messages, open_page
from tests.support import POSTING


def _extract(email: str = "free@example.com"):
    at = open_page(email, "extract")
    at.text_area(key="extract_text").input(POSTING)
    at.button(key="extract_go").click().run()
    assert not at.exception, at.exception
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_score_shown_on_the_extracted_job(app_env):
    at = _extract()
    assert messages(at) == []
    job = documents.list_jobs(app_env, user="free@example.com")[0]
    report = matching.match_job(app_env, user="free@example.com", job_id=job.id)
    assert 0 < report.score < 100
    assert _metrics(at) == {"Match score": f"{report.score}/100"}
    assert at.get("progress")[0].proto.value == report.score
    text = _markdown(at)
    assert plain_label(report.summary) in text  # "Your profile covers 3 of 9 required skills; missing: ..."
    assert report.summary.startswith("Your profile covers ")
    assert ":green-badge[:material/check: Python]" in text
    assert ":red-badge[:material/close: Docker]" in text
    assert any("Scored on the" in c.value for c in at.caption)


def test_the_score_follows_the_saved_posting(app_env):
    at = _extract()
    job = documents.list_jobs(app_env, user="free@example.com")[0]
    key = f"job{job.id}_u{job.updated_at.timestamp():.0f}"
    at.text_area(key=f"{key}_skills").input("Python, Postgres")  # an alias of PostgreSQL
    by_label(at.button, "Save changes").click().run()
    assert not at.exception and messages(at) == []
    assert _metrics(at) == {"Match score": "100/100"}
    assert "Your profile covers all 2 required skills." in _markdown(at)


def test_an_empty_profile_gets_a_score_and_an_explanation(app_env):
    profiles.save_profile(app_env, user="free@example.com", profile=Profile())
    at = _extract()
    assert messages(at) == []
    assert _metrics(at) == {"Match score": "0/100"}
    assert "Your profile is empty: add your skills and experience" in _markdown(at)
    assert "Add your skills and experience to your profile" in [p.label for p in at.get("page_link")]


def _panel_script():
    """A drafting page's use of the panel: after drafting, with the draft's text."""
    from types import SimpleNamespace

    import streamlit as st

    from orchestrator.tasks import get_task
    from ui.user_match import match_panel

    match_panel(job_id=st.session_state["job_id"], user=SimpleNamespace(id=st.session_state["uid"]),
                task=get_task("draft_cv"), draft_text="# Frida Free\n\nPython developer.", key="cv_after")


def test_emphasise_these_fills_the_emphasis_and_asks_for_a_new_draft(app_env):
    from orchestrator.services.admin.users import get_user

    job_id = app_env.run("extract_job", user="free@example.com", text=POSTING).job_id
    at = AppTest.from_function(_panel_script, default_timeout=20)
    at.session_state["job_id"] = job_id
    at.session_state["uid"] = get_user(app_env, email="free@example.com").id
    at.run()
    assert not at.exception, at.exception
    report = matching.match_job(app_env, user="free@example.com", job_id=job_id,
                                draft_text="# Frida Free\n\nPython developer.")
    assert set(_metrics(at)) == {"Match score", "Your CV"}
    assert _metrics(at)["Your CV"] == f"{report.draft_score}/100"
    assert "leaves them out" in _markdown(at) and ":orange-badge[:material/priority_high: SQL]" in _markdown(at)
    by_label(at.button, "Emphasise these").click().run()
    assert not at.exception
    assert at.session_state["draft_cv_emphasis"] == report.emphasis
    assert "SQL" in report.emphasis and "PostgreSQL" in report.emphasis and len(report.emphasis) <= 500
    assert at.session_state["draft_cv_pending"] == {"regenerate": True}
