"""Document versions on both databases: regenerating and editing add versions to one card,
restore copies an old one, delete removes versions or whole cards, compare diffs two, the
version limit is enforced before anything is charged, and concurrent generations for one job
never number two versions alike."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlalchemy import func, select

from db.models import Document, UsageRecord
from orchestrator.errors import InputRejected, InputTooLarge, NotFound
from orchestrator.services.user import documents, versions
from tests.support import POSTING

ME, OTHER = "free@example.com", "pro@example.com"


def _job(orch, user=ME) -> int:
    return orch.run("extract_job", user=user, text=POSTING).job_id


def _cv(orch, job_id: int, user=ME, **kw) -> int:
    return orch.run("draft_cv", user=user, job_id=job_id, regenerate=True, **kw).document_id


def test_regenerating_adds_versions_to_one_card(demo_users):
    orch = demo_users
    job_id = _job(orch)
    ids = [_cv(orch, job_id), _cv(orch, job_id, tone="friendly"), _cv(orch, job_id, length="short")]
    letter = orch.run("cover_letter", user=ME, job_id=job_id).document_id
    cards = documents.list_documents(orch, user=ME)
    assert [(c.id, c.kind, c.version, c.version_count, c.current) for c in cards] == [
        (letter, "cover_letter", 1, 1, True), (ids[2], "cv", 3, 3, True)]
    history = versions.list_versions(orch, user=ME, document_id=ids[0])
    assert [(v.id, v.version, v.origin, v.current) for v in history] == [
        (ids[2], 3, "generated", True), (ids[1], 2, "generated", False), (ids[0], 1, "generated", False)]
    assert history[1].options["tone"] == "friendly" and history[0].options["length"] == "short"
    assert documents.list_jobs(orch, user=ME)[0].document_count == 2  # a CV and a letter, not 4
    old = documents.get_document(orch, user=ME, document_id=ids[0])
    assert (old.version, old.version_count, old.current) == (1, 3, False)


def test_a_cached_answer_is_a_version_too(demo_users):
    from orchestrator import settings_store

    orch = demo_users
    settings_store.put(orch.db, "cache_ttl_s", {"draft_cv": 3600})
    job_id = _job(orch)
    first = orch.run("draft_cv", user=ME, job_id=job_id)
    again = orch.run("draft_cv", user=ME, job_id=job_id)
    assert again.cached and again.document_id != first.document_id
    [card] = documents.list_documents(orch, user=ME)
    assert (card.id, card.version, card.version_count) == (again.document_id, 2, 2)


def test_editing_saves_a_new_version_and_keeps_the_old(demo_users):
    orch = demo_users
    job_id = _job(orch)
    cv = _cv(orch, job_id)
    original = documents.get_document(orch, user=ME, document_id=cv).content
    edited = documents.update_document(orch, user=ME, document_id=cv, content=original + "\n\nReferences on request.")
    assert (edited.version, edited.origin, edited.current, edited.version_count) == (2, "edited", True, 2)
    assert edited.title == documents.get_document(orch, user=ME, document_id=cv).title
    assert documents.get_document(orch, user=ME, document_id=cv).content == original
    same = documents.update_document(orch, user=ME, document_id=edited.id, content=edited.content + "  \n")
    assert same.id == edited.id  # nothing changed: nothing saved
    # editing an older version makes a new current version from it
    from_old = documents.update_document(orch, user=ME, document_id=cv, content="# Frida Free\n\nShort CV.")
    assert (from_old.version, from_old.current) == (3, True)
    assert [d.version for d in versions.list_versions(orch, user=ME, document_id=cv)] == [3, 2, 1]


def test_restore_copies_an_old_version_as_the_newest(demo_users):
    orch = demo_users
    job_id = _job(orch)
    v1 = _cv(orch, job_id)
    v2 = documents.update_document(orch, user=ME, document_id=v1, content="# Frida Free\n\nRewritten.").id
    restored = versions.restore_version(orch, user=ME, document_id=v1)
    assert (restored.version, restored.origin, restored.current) == (3, "restored", True)
    assert restored.content == documents.get_document(orch, user=ME, document_id=v1).content
    assert documents.get_document(orch, user=ME, document_id=v2).version == 2  # nothing in between is lost
    again = versions.restore_version(orch, user=ME, document_id=restored.id)  # the current one: as it is
    assert again.id == restored.id and documents.list_documents(orch, user=ME)[0].version_count == 3


def test_delete_versions_and_whole_documents(demo_users):
    orch = demo_users
    job_id = _job(orch)
    v1, v2, v3 = (_cv(orch, job_id) for _ in range(3))
    letter = orch.run("cover_letter", user=ME, job_id=job_id).document_id
    assert versions.delete_versions(orch, user=ME, document_ids=[v3]) == 1
    cv_card = documents.list_documents(orch, user=ME, kind="cv")[0]
    assert (cv_card.id, cv_card.version, cv_card.version_count) == (v2, 2, 2)  # the one before is current
    assert versions.delete_versions(orch, user=ME, document_ids=[v1, v1]) == 1
    # a next version takes the next number after the highest left
    v4 = _cv(orch, job_id)
    assert documents.get_document(orch, user=ME, document_id=v4).version == 3
    # bulk delete of cards: every version of each; someone else's id deletes nothing at all
    other_doc = _cv(orch, _job(orch, OTHER), OTHER)
    with pytest.raises(NotFound):
        versions.delete_cards(orch, user=ME, document_ids=[letter, other_doc])
    assert len(documents.list_documents(orch, user=ME)) == 2
    assert versions.delete_cards(orch, user=ME, document_ids=[v2, letter]) == 3
    assert documents.list_documents(orch, user=ME) == []
    assert documents.get_document(orch, user=OTHER, document_id=other_doc).version == 1
    with pytest.raises(InputRejected, match="at least one"):
        versions.delete_cards(orch, user=ME, document_ids=[])


def test_compare_two_versions_line_by_line_and_word_by_word(demo_users):
    orch = demo_users
    job_id = _job(orch)
    v1 = _cv(orch, job_id)
    text = documents.get_document(orch, user=ME, document_id=v1).content
    changed = text.replace("Taught Excel and statistics tutorials", "Taught Excel tutorials") + "\n- A new line"
    v2 = documents.update_document(orch, user=ME, document_id=v1, content=changed).id
    diff = versions.compare_versions(orch, user=ME, old_id=v1, new_id=v2)
    assert (diff.old.version, diff.new.version, diff.added, diff.removed, diff.changed) == (1, 2, 1, 0, 1)
    [row] = [r for r in diff.lines if r.tag == "replace"]
    assert [s.text.strip() for s in row.old if s.changed] == ["and statistics"]
    assert all(not s.changed for s in row.new) and "".join(s.text for s in row.new).endswith("Excel tutorials to 60 students")
    assert [r.new[0].text for r in diff.lines if r.tag == "insert"] == ["- A new line"]
    assert "".join(s.text for r in diff.lines for s in r.new) == changed.replace("\n", "")
    assert versions.compare_versions(orch, user=ME, old_id=v1, new_id=v1).identical


def test_the_version_limit_is_enforced_before_anything_is_charged(demo_users):
    orch = demo_users
    orch.settings = dataclasses.replace(orch.settings, max_document_versions=2)
    job_id = _job(orch)
    v1, v2 = _cv(orch, job_id), _cv(orch, job_id)
    with orch.db.read() as s:
        before = s.scalar(select(func.count(UsageRecord.id)))
    with pytest.raises(InputTooLarge, match="This CV already has 2 versions; the limit is 2"):
        _cv(orch, job_id)
    with pytest.raises(InputTooLarge, match="already has 2 versions"):
        documents.update_document(orch, user=ME, document_id=v2, content="# Frida\n\nAnother one.")
    with pytest.raises(InputTooLarge):
        versions.restore_version(orch, user=ME, document_id=v1)
    with orch.db.read() as s:
        assert s.scalar(select(func.count(UsageRecord.id))) == before  # refused before the ledger
    orch.run("cover_letter", user=ME, job_id=job_id)  # another document of the job has its own count
    versions.delete_versions(orch, user=ME, document_ids=[v1])
    assert documents.get_document(orch, user=ME, document_id=_cv(orch, job_id)).version == 3


def test_concurrent_generations_never_number_two_versions_alike(demo_users):
    orch = demo_users
    job_id = _job(orch)
    errors: list[BaseException] = []

    def draft(i: int) -> None:
        try:
            _cv(orch, job_id, emphasis=f"thread {i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=draft, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with orch.db.read() as s:
        numbers = sorted(s.scalars(select(Document.version).where(Document.job_id == job_id)).all())
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_the_next_version_number_waits_for_an_insert_not_yet_committed(demo_users):
    """The race itself, made deterministic: B inserts while A's insert is not committed yet. B
    waits (the job row's lock on PostgreSQL, the write lock on SQLite) and takes the next number."""
    import time
    from datetime import UTC, datetime

    from orchestrator.prepare import NEXT_VERSION
    from orchestrator.quota import books_for

    orch = demo_users
    job_id = _job(orch)
    uid = documents._uid(orch, ME)
    books = books_for(orch.db)
    now = datetime.now(UTC)

    def row() -> dict:
        return dict(user_id=uid, job_id=job_id, kind="cv", title="CV", content="text", options={},
                    origin="generated", created_at=now, updated_at=now, version=NEXT_VERSION)

    def insert_b() -> None:
        with books.transaction() as b:
            b.insert("documents", row(), returning="id")

    with books.transaction() as a:
        a.insert("documents", row(), returning="id")
        other = threading.Thread(target=insert_b)
        other.start()
        time.sleep(0.5)
        assert other.is_alive()  # B waits for A
    other.join(timeout=30)
    with orch.db.read() as s:
        numbers = sorted(s.scalars(select(Document.version).where(Document.job_id == job_id)).all())
    assert numbers == [1, 2]


def test_a_document_whose_job_was_deleted_is_a_card_of_its_own(demo_users):
    orch = demo_users
    job_id = _job(orch)
    v1, v2 = _cv(orch, job_id), _cv(orch, job_id)
    documents.delete_job(orch, user=ME, job_id=job_id)
    cards = documents.list_documents(orch, user=ME)
    assert sorted((c.id, c.version_count, c.job_id) for c in cards) == [(v1, 1, None), (v2, 1, None)]
    edited = documents.update_document(orch, user=ME, document_id=v2, content="# Frida\n\nKept as it is.")
    assert (edited.id, edited.origin, edited.edited) == (v2, "edited", True)  # in place: no card to grow
    assert len(documents.list_documents(orch, user=ME)) == 2
    assert [v.id for v in versions.list_versions(orch, user=ME, document_id=v1)] == [v1]


def test_someone_elses_versions_are_not_found(demo_users):
    orch = demo_users
    cv = _cv(orch, _job(orch))
    calls = [
        lambda: versions.list_versions(orch, user=OTHER, document_id=cv),
        lambda: versions.restore_version(orch, user=OTHER, document_id=cv),
        lambda: versions.delete_versions(orch, user=OTHER, document_ids=[cv]),
        lambda: versions.delete_cards(orch, user=OTHER, document_ids=[cv]),
        lambda: versions.compare_versions(orch, user=OTHER, old_id=cv, new_id=cv),
        lambda: versions.rewrite_one_part(orch, user=OTHER, document_id=cv, part=0, style="concise"),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert documents.get_document(orch, user=ME, document_id=cv).version_count == 1
