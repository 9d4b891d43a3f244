"""CV and cover letter pages: stream, edit, save, regenerate, download; and the failures
(no job yet, empty profile, quota reached, providers down, a stream that broke)."""

from __future__ import annotations

import pytest

from orchestrator.services.user import documents, profiles
from orchestrator.services.admin import plans
from tests.app.user_support import (
    by_label,
    captions,
    fast_retries,
    messages,
    open_page,
    page,
    providers_down,
    saved_job,
)
from tests.support import operator


def _draft(at, task: str):
    at.button(key=f"{task}_go").click().run()
    assert not at.exception, at.exception
    return at


def _doc_text(at, task: str):
    areas = [t for t in at.text_area if str(t.key or "").startswith(f"{task}_text_")]
    assert len(areas) == 1, [t.key for t in at.text_area]
    return areas[0]


def test_no_saved_job_shows_the_way_to_extraction(app_env):
    at = open_page("free@example.com", "cv")
    assert [i.value for i in at.info] == ["No saved jobs yet — extract one first."]
    assert [link.label for link in at.get("page_link") if "Extract" in link.label] == ["Extract a job posting"]
    assert "draft_cv_go" not in [b.key for b in at.button]


@pytest.mark.parametrize(("task", "name", "noun", "heading"), [
    ("draft_cv", "cv", "CV", "Your CV"),
    ("cover_letter", "cover_letter", "cover letter", "Your cover letter"),
])
def test_document_streams_then_is_editable_and_downloadable(app_env, task, name, noun, heading):
    job_id = saved_job(app_env)
    at = _draft(open_page("free@example.com", name), task)
    assert messages(at) == []
    assert [s.label for s in at.status] == [f"Your {noun} is ready"]
    assert heading in [h.value for h in at.subheader]
    assert "Served by Offline engine (built-in, no AI model) · cost $0.00" in captions(at)
    [doc] = documents.list_documents(app_env, user="free@example.com", job_id=job_id)
    assert doc.kind == ("cv" if task == "draft_cv" else "cover_letter")
    assert _doc_text(at, task).value == doc.content and "Senior Python Engineer" in doc.content
    assert [d.label for d in at.download_button] == ["Download Word", "Download PDF", "Download Markdown"]
    assert any("saved to My documents" in t.value for t in at.toast)


def test_options_are_passed_and_edits_are_saved(app_env):
    job_id = saved_job(app_env)
    at = open_page("free@example.com", "cover_letter")
    at.selectbox(key="cover_letter_tone").select("friendly")
    at.selectbox(key="cover_letter_language").select("German")
    at.button_group(key="cover_letter_length").set_value("short")
    at.text_input(key="cover_letter_emphasis").input("data pipelines")
    _draft(at, "cover_letter")
    [doc] = documents.list_documents(app_env, user="free@example.com", job_id=job_id)
    assert doc.options == {"length": "short", "tone": "friendly", "language": "German",
                           "emphasis": "data pipelines"}
    _doc_text(at, "cover_letter").input("Dear team,\n\nI am the person for **Senior Python Engineer**.")
    at.button(key="cover_letter_save").click().run()
    assert not at.exception and messages(at) == []
    assert any("is saved as version 2" in t.value for t in at.toast)
    [saved] = documents.list_documents(app_env, user="free@example.com", job_id=job_id)  # one card, 2 versions
    assert saved.content.startswith("Dear team,") and saved.edited and (saved.version, saved.origin) == (2, "edited")
    assert saved.version_count == 2 and saved.options == doc.options  # the generated version is kept
    assert documents.get_document(app_env, user="free@example.com", document_id=doc.id).content == doc.content
    assert _doc_text(at, "cover_letter").key == f"cover_letter_text_{saved.id}"


def test_regenerate_writes_a_new_version(app_env):
    job_id = saved_job(app_env)
    at = _draft(open_page("free@example.com", "cv"), "draft_cv")
    first = documents.list_documents(app_env, user="free@example.com", job_id=job_id)[0]
    at.button(key="draft_cv_regenerate").click().run()
    assert not at.exception and messages(at) == []
    assert [s.label for s in at.status] == ["Your CV is ready"]
    [card] = documents.list_documents(app_env, user="free@example.com", job_id=job_id)  # one card, not two
    assert card.id != first.id and (card.version, card.version_count) == (2, 2)
    assert _doc_text(at, "draft_cv").key == f"draft_cv_text_{card.id}"
    assert "version 2 of 2" in captions(at) and at.button(key="draft_cv_history").label == "Versions (2)"


def test_the_latest_draft_is_shown_when_coming_back(app_env):
    job_id = saved_job(app_env)
    doc_id = app_env.run("draft_cv", user="free@example.com", job_id=job_id).document_id
    at = open_page("free@example.com", "cv")
    assert _doc_text(at, "draft_cv").key == f"draft_cv_text_{doc_id}"
    assert "Your CV" in [h.value for h in at.subheader]


def test_a_draft_deleted_elsewhere_falls_back_to_the_latest(app_env):
    job_id = saved_job(app_env)
    older = app_env.run("draft_cv", user="free@example.com", job_id=job_id).document_id
    at = _draft(open_page("free@example.com", "cv"), "draft_cv")
    newest = documents.list_documents(app_env, user="free@example.com", job_id=job_id)[0].id
    documents.delete_document(app_env, user="free@example.com", document_id=newest)
    at.run()
    assert not at.exception and messages(at) == []
    assert _doc_text(at, "draft_cv").key == f"draft_cv_text_{older}"


def test_empty_profile_points_to_the_profile_page(app_env):
    saved_job(app_env)
    profiles.save_profile(app_env, user="free@example.com", profile={})
    at = _draft(open_page("free@example.com", "cv"), "draft_cv")
    assert messages(at) == ["Your profile is empty. Add your experience and skills on the Profile page first."]
    assert "Fill in your profile" in [link.label for link in at.get("page_link")]


def test_quota_reached_is_a_warning_with_the_reset_time(app_env):
    saved_job(app_env)
    plans.set_limits(app_env, code="freemium", requests_per_day=0, actor=operator())
    at = _draft(open_page("free@example.com", "cv"), "draft_cv")
    [warning] = [w.value for w in at.warning]
    assert "requests of your plan for today" in warning and "resets at" in warning
    assert [s.label for s in at.status] == ["Could not write your CV"]


def test_providers_down_lists_what_was_tried(app_env, fresh_sim, monkeypatch):
    fast_retries(monkeypatch)
    saved_job(app_env)
    providers_down(app_env, fresh_sim, plan="freemium", task="cover_letter")
    at = _draft(open_page("free@example.com", "cover_letter"), "cover_letter")
    [error] = [e.value for e in at.error]
    assert error.startswith("Every AI provider failed for this cover letter")
    assert "sim-openai:gpt-4o-mini" in error and "sim-anthropic:claude-haiku-4-5" in error
    assert documents.list_documents(app_env, user="free@example.com") == []


def test_a_broken_stream_restarts_on_the_next_provider(app_env, fresh_sim):
    from tests.sim_support import add_sim_providers, set_chain

    job_id = saved_job(app_env)
    add_sim_providers(app_env, fresh_sim)
    set_chain(app_env, "freemium", "draft_cv", "sim-gemini:gemini-2.5-flash-lite,sim-openai:gpt-4o-mini")
    fresh_sim.set_sticky_fault("gemini", kind="stream_cut")
    at = _draft(open_page("free@example.com", "cv"), "draft_cv")
    assert messages(at) == []
    assert "Served by sim-openai · gpt-4o-mini · cost $" in captions(at)
    assert "could not be used (it broke off or failed a check)" in captions(at)
    [doc] = documents.list_documents(app_env, user="free@example.com", job_id=job_id)
    assert doc.provider == "sim-openai"
    # What the page streamed last (after the restart) is exactly the saved document.
    streamed = [m.value for m in at.status[0].markdown]
    assert streamed and streamed[-1].strip() == doc.content.strip()


def test_job_chosen_elsewhere_is_preselected(app_env):
    first = saved_job(app_env)
    second = saved_job(app_env)
    assert first != second
    from tests.app.conftest import signed_in

    at = signed_in("free@example.com")
    at.session_state["draft_job_id"] = first
    at.switch_page(page("cover_letter")).run()
    assert not at.exception
    job_box = by_label(at.selectbox, "Job")
    assert job_box.value == first
