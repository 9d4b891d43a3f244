"""My documents: the history of documents and jobs; open, edit, download, delete."""

from __future__ import annotations

import re

from orchestrator.services.user import documents
from tests.app.user_support import by_label, captions, messages, open_page, saved_job


def _titles(at) -> list[str]:
    """The titles listed in the Documents tab (one card per job and kind), in order."""
    found = [re.search(r"\*\*(.+)\*\*", c.label) for c in at.checkbox if str(c.key).startswith("docs_pick_")]
    return [m.group(1) for m in found if m and " — " in m.group(1)]


def _open_buttons(at) -> list[str]:
    return [b.key for b in at.button if str(b.key or "").startswith("docs_open_")]


def _history(orch):
    job_id = saved_job(orch)
    cv = orch.run("draft_cv", user="free@example.com", job_id=job_id).document_id
    letter = orch.run("cover_letter", user="free@example.com", job_id=job_id).document_id
    return job_id, cv, letter


def test_empty_history_points_to_the_next_step(app_env):
    at = open_page("free@example.com", "documents")
    assert [i.value for i in at.info] == [
        "No documents yet — draft a CV or a cover letter for one of your saved jobs.",
        "No saved jobs yet — extract one first."]
    labels = [link.label for link in at.get("page_link")]
    assert {"Draft a CV", "Write a cover letter", "Extract a job posting"} <= set(labels)


def test_documents_are_listed_newest_first_with_date_model_and_cost(app_env):
    _job, cv, letter = _history(app_env)
    at = open_page("free@example.com", "documents")
    assert messages(at) == []
    assert _titles(at) == ["Cover letter — Senior Python Engineer at Acme Analytics GmbH",
                           "CV — Senior Python Engineer at Acme Analytics GmbH"]
    assert _open_buttons(at) == [f"docs_open_{cv}"]  # the newest is already open
    text = captions(at)
    assert "Offline engine (built-in, no AI model) · $0.00" in text
    assert at.subheader[0].value.startswith("Cover letter")  # the newest is open
    assert [d.label for d in at.download_button][:3] == ["Download Word", "Download PDF", "Download Markdown"]


def test_open_edit_and_save_a_document(app_env):
    _job, cv, _letter = _history(app_env)
    at = open_page("free@example.com", "documents")
    at.button(key=f"docs_open_{cv}").click().run()
    assert at.subheader[0].value.startswith("CV —")
    at.text_area(key=f"docs_text_{cv}").input("# Frida Free\n\nNew CV text for Senior Python Engineer")
    at.button(key=f"docs_save_{cv}").click().run()
    assert not at.exception and messages(at) == []
    [current] = documents.list_documents(app_env, user="free@example.com", kind="cv")
    assert current.content.endswith("New CV text for Senior Python Engineer") and current.version == 2
    assert documents.get_document(app_env, user="free@example.com", document_id=cv).version == 1  # kept
    assert any("Saved as version 2" in t.value for t in at.toast)
    assert at.text_area(key=f"docs_text_{current.id}").value == current.content  # the new version is shown


def test_filter_by_kind(app_env):
    _history(app_env)
    at = open_page("free@example.com", "documents")
    at.button_group(key="docs_kind").set_value("cv").run()
    assert _titles(at) == ["CV — Senior Python Engineer at Acme Analytics GmbH"]


def test_delete_a_document_asks_first(app_env):
    _job, _cv, letter = _history(app_env)
    at = open_page("free@example.com", "documents")
    at.button(key=f"ask_card{letter}").click().run()
    assert any("This cannot be undone" in w.value for w in at.warning)
    assert len(documents.list_documents(app_env, user="free@example.com")) == 2
    at.button(key=f"yes_card{letter}").click().run()
    assert not at.exception
    assert [d.kind for d in documents.list_documents(app_env, user="free@example.com")] == ["cv"]
    assert any("Deleted" in t.value for t in at.toast)


def test_jobs_tab_edits_and_deletes_a_job_keeping_its_documents(app_env):
    job_id, cv, letter = _history(app_env)
    at = open_page("free@example.com", "documents")
    job = documents.get_job(app_env, user="free@example.com", job_id=job_id)
    assert "2 documents" in captions(at)
    key = f"jobs_form{job_id}_u{job.updated_at.timestamp():.0f}"
    at.text_input(key=f"{key}_company").input("Acme Data SE")
    by_label([b for b in at.button if b.proto.form_id == f"{key}_form"], "Save changes").click().run()
    assert not at.exception and messages(at) == []
    assert documents.get_job(app_env, user="free@example.com", job_id=job_id).company == "Acme Data SE"
    at.button(key=f"del_job{job_id}").click().run()
    at.button(key=f"del_yes_job{job_id}").click().run()
    assert not at.exception
    assert documents.list_jobs(app_env, user="free@example.com") == []
    kept = documents.list_documents(app_env, user="free@example.com")
    assert {d.id for d in kept} == {cv, letter} and all(d.job_id is None for d in kept)


def test_jobs_tab_opens_the_drafting_page(app_env):
    job_id, _cv, _letter = _history(app_env)
    at = open_page("free@example.com", "documents")
    at.button(key=f"jobs_{job_id}_cover_letter").click().run()
    assert not at.exception
    assert at.title[0].value == "Write a cover letter"
    assert at.session_state["draft_job_id"] == job_id


def test_other_users_documents_are_not_listed(app_env):
    _history(app_env)
    at = open_page("pro@example.com", "documents")
    assert _titles(at) == [] and _open_buttons(at) == []
