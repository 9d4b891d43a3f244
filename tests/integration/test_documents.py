"""The jobs and documents service on both databases: listing, editing, deleting,
and ownership (someone else's job or document is NotFound)."""

from __future__ import annotations

import pytest

from orchestrator import InputRejected
from orchestrator.errors import NotFound
from orchestrator.schemas import JobPosting
from orchestrator.services.user import documents
from tests.support import POSTING

ME, OTHER = "free@example.com", "pro@example.com"


def _job(orch, user=ME) -> int:
    return orch.run("extract_job", user=user, text=POSTING).job_id


def test_jobs_are_listed_newest_first_with_document_counts(demo_users):
    orch = demo_users
    first, second = _job(orch), _job(orch)
    orch.run("draft_cv", user=ME, job_id=first)
    orch.run("cover_letter", user=ME, job_id=first)
    jobs = documents.list_jobs(orch, user=ME)
    assert [j.id for j in jobs] == [second, first]
    assert {j.id: j.document_count for j in jobs} == {first: 2, second: 0}
    assert jobs[0].posting.title == "Senior Python Engineer" and jobs[0].location == "Berlin, Germany"
    assert jobs[0].provider == "offline" and jobs[0].source == "text"
    assert "Acme Analytics GmbH" in jobs[0].label


def test_update_job_validates_and_mirrors_title_and_company(demo_users):
    orch = demo_users
    job_id = _job(orch)
    posting = documents.get_job(orch, user=ME, job_id=job_id).posting.model_copy(
        update={"title": "Lead Python Engineer", "company": None})
    info = documents.update_job(orch, user=ME, job_id=job_id, posting=posting)
    assert (info.title, info.company) == ("Lead Python Engineer", None)
    assert documents.get_job(orch, user=ME, job_id=job_id).posting.title == "Lead Python Engineer"
    with pytest.raises(InputRejected, match="title"):
        documents.update_job(orch, user=ME, job_id=job_id, posting={"title": "  "})
    # Drafting uses the corrected posting.
    doc = orch.run("draft_cv", user=ME, job_id=job_id)
    assert "Lead Python Engineer" in doc.text


def test_documents_filter_update_and_delete(demo_users):
    orch = demo_users
    job_id = _job(orch)
    cv = orch.run("draft_cv", user=ME, job_id=job_id).document_id
    letter = orch.run("cover_letter", user=ME, job_id=job_id, tone="friendly").document_id
    assert [d.id for d in documents.list_documents(orch, user=ME)] == [letter, cv]
    assert [d.id for d in documents.list_documents(orch, user=ME, kind="cv")] == [cv]
    assert [d.id for d in documents.list_documents(orch, user=ME, job_id=job_id)] == [letter, cv]
    doc = documents.get_document(orch, user=ME, document_id=letter)
    assert doc.options["tone"] == "friendly" and doc.job_title == "Senior Python Engineer"
    assert doc.kind_label == "Cover letter" and not doc.edited
    updated = documents.update_document(orch, user=ME, document_id=letter, content="  Dear team,\n\nHello.  ")
    assert updated.content == "Dear team,\n\nHello." and updated.created_at >= doc.created_at
    assert updated.id != letter and (updated.version, updated.origin, updated.edited) == (2, "edited", True)
    with pytest.raises(InputRejected, match="empty"):
        documents.update_document(orch, user=ME, document_id=letter, content="   ")
    with pytest.raises(InputRejected, match="kind"):
        documents.list_documents(orch, user=ME, kind="poem")
    documents.delete_document(orch, user=ME, document_id=cv)
    assert [d.id for d in documents.list_documents(orch, user=ME)] == [updated.id]


def test_deleting_a_job_keeps_its_documents(demo_users):
    orch = demo_users
    job_id = _job(orch)
    cv = orch.run("draft_cv", user=ME, job_id=job_id).document_id
    documents.delete_job(orch, user=ME, job_id=job_id)
    assert documents.list_jobs(orch, user=ME) == []
    doc = documents.get_document(orch, user=ME, document_id=cv)
    assert doc.job_id is None and doc.job_title is None


def test_someone_elses_job_or_document_is_not_found(demo_users):
    orch = demo_users
    job_id = _job(orch)
    cv = orch.run("draft_cv", user=ME, job_id=job_id).document_id
    assert documents.list_jobs(orch, user=OTHER) == []
    assert documents.list_documents(orch, user=OTHER) == []
    calls = [
        lambda: documents.get_job(orch, user=OTHER, job_id=job_id),
        lambda: documents.update_job(orch, user=OTHER, job_id=job_id, posting=JobPosting(title="Mine now")),
        lambda: documents.delete_job(orch, user=OTHER, job_id=job_id),
        lambda: documents.get_document(orch, user=OTHER, document_id=cv),
        lambda: documents.update_document(orch, user=OTHER, document_id=cv, content="mine"),
        lambda: documents.delete_document(orch, user=OTHER, document_id=cv),
        lambda: documents.get_document(orch, user=ME, document_id=cv + 999),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert documents.get_job(orch, user=ME, job_id=job_id).title == "Senior Python Engineer"
    assert documents.get_document(orch, user=ME, document_id=cv).content
