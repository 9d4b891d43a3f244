"""Versions in the pages: regenerate and edit add versions to one card; the drafting page
rewrites one part; My documents shows one card per job and kind with its versions, opens an
older one, restores it, compares two side by side, deletes a version and bulk-deletes cards;
and both editors carry the warning before leaving unsaved edits."""

from __future__ import annotations

import json
import re

from orchestrator.document_parts import parts
from orchestrator.services.user import documents, versions
from tests.app.user_support import captions, messages, open_page, saved_job

ME = "free@example.com"


def _versions(orch, job_id: int, n: int) -> list[int]:
    return [orch.run("draft_cv", user=ME, job_id=job_id, regenerate=True).document_id for _ in range(n)]


def _guard(at) -> dict[str, str]:
    """The editors the unsaved-edit warning watches (widget key -> saved text)."""
    [html] = [h for h in at.get("html") if "__orchUnsaved" in h.proto.body]
    assert "beforeunload" in html.proto.body and "stSidebarNav" in html.proto.body
    return json.loads(re.search(r"Object\.assign\(g\.saved, (\{.*?\})\);", html.proto.body, re.S).group(1))


def _tab(at, label: str):
    [tab] = [t for t in at.tabs if t.label.endswith(label)]
    return tab


def _diff_html(at) -> str:
    found = [h.proto.body for h in at.get("html") if 'class="orch-diff"' in h.proto.body]
    assert found, "no comparison shown"
    return found[0]


def test_regenerating_twice_makes_one_document_with_three_versions(app_env):
    job_id = saved_job(app_env)
    at = open_page(ME, "cv")
    for key in ("draft_cv_go", "draft_cv_regenerate", "draft_cv_regenerate"):
        at.button(key=key).click().run()
        assert not at.exception and messages(at) == []
    [card] = documents.list_documents(app_env, user=ME, job_id=job_id)
    assert (card.version, card.version_count) == (3, 3)
    assert "version 3 of 3" in captions(at) and at.button(key="draft_cv_history").label == "Versions (3)"
    assert _guard(at) == {f"draft_cv_text_{card.id}": card.content}
    at.button(key="draft_cv_history").click().run()  # to My documents, this document open
    assert not at.exception and at.title[0].value == "My documents"
    assert at.session_state["docs_open"] == f"{job_id}_cv"
    assert _tab(at, "Versions (3)")


def test_rewrite_one_part_on_the_drafting_page(app_env):
    job_id = saved_job(app_env)
    doc_id = app_env.run("draft_cv", user=ME, job_id=job_id).document_id
    doc = documents.get_document(app_env, user=ME, document_id=doc_id)
    bullet = next(p for p in parts(doc.content) if p.kind == "bullet" and "6 hours" in p.text)
    at = open_page(ME, "cv")
    assert at.selectbox(key="draft_cv_rw_part").options[bullet.index] == bullet.label
    at.selectbox(key="draft_cv_rw_part").set_value(bullet.index)
    at.button_group(key="draft_cv_rw_style").set_value("quantified")
    at.button(key="draft_cv_rw_go").click().run()
    assert not at.exception and messages(at) == []
    [card] = documents.list_documents(app_env, user=ME, job_id=job_id)
    assert (card.version, card.origin) == (2, "rewritten")
    assert "- Saved 6 hours a week — automated weekly reports with Python and pandas" in card.content
    assert any("rewritten" in t.value for t in at.toast)
    assert "one part rewritten" in captions(at)
    assert at.text_area(key=f"draft_cv_text_{card.id}").value == card.content
    shown = _diff_html(at)  # what the rewrite changed, side by side
    assert "<del>Automated</del>" in shown and "<ins>Saved 6 hours a week — automated</ins>" in shown


def test_my_documents_shows_one_card_per_job_and_kind_with_its_versions(app_env):
    job_id = saved_job(app_env)
    v1, v2, v3 = _versions(app_env, job_id, 3)
    letter = app_env.run("cover_letter", user=ME, job_id=job_id).document_id
    at = open_page(ME, "documents")
    picks = [c for c in at.checkbox if str(c.key).startswith("docs_pick_")]
    assert [c.key for c in picks] == [f"docs_pick_{job_id}_cover_letter", f"docs_pick_{job_id}_cv"]
    text = captions(at)
    assert "Cover letter · 1 version ·" in text and "CV · 3 versions ·" in text
    at.button(key=f"docs_open_{v3}").click().run()
    assert at.subheader[0].value.startswith("CV —")
    history = [m.value for m in _tab(at, "Versions (3)").markdown if m.value.startswith("**Version")]
    assert [h.split(" · ")[0] for h in history] == ["**Version 3**", "**Version 2**", "**Version 1**"]
    assert _guard(at) == {f"docs_text_{v3}": documents.get_document(app_env, user=ME, document_id=v3).content}
    # open an older version, then restore it
    at.button(key=f"vopen_{v1}").click().run()
    assert any("This is an older version (1); the current one is 3." in i.value for i in at.info)
    at.button(key=f"docs_restore_{v1}").click().run()
    assert not at.exception and any("Version 1 restored as version 4" in t.value for t in at.toast)
    current = documents.list_documents(app_env, user=ME, kind="cv")[0]
    assert (current.version, current.origin) == (4, "restored")
    assert at.text_area(key=f"docs_text_{current.id}").value == current.content
    assert letter in [d.id for d in documents.list_documents(app_env, user=ME)]
    _ = v2


def test_compare_two_versions_side_by_side(app_env):
    job_id = saved_job(app_env)
    v1 = app_env.run("draft_cv", user=ME, job_id=job_id).document_id
    text = documents.get_document(app_env, user=ME, document_id=v1).content
    v2 = documents.update_document(app_env, user=ME, document_id=v1, content=text.replace(
        "Taught Excel and statistics tutorials to 60 students", "Taught Excel to 60 students")
        + "\n\n<img src=x onerror=alert(1)>").id
    at = open_page(ME, "documents")
    cmp = _tab(at, "Compare")
    assert [s.key for s in cmp.selectbox] == [f"docs_cmp_{job_id}_cv_old", f"docs_cmp_{job_id}_cv_new"]
    assert (cmp.selectbox[0].value, cmp.selectbox[1].value) == (v1, v2)
    shown = _diff_html(at)
    assert "<th colspan=2>Version 1</th><th colspan=2>Version 2</th>" in shown
    assert "<del>and statistics tutorials</del>" in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown and "<img" not in shown  # the user's text, escaped
    assert "unchanged lines" in shown  # long unchanged runs fold
    assert [b.value for b in cmp.markdown if "badge" in b.value] == [
        ":green-badge[+2 added] :red-badge[−0 removed] :gray-badge[1 changed]"]
    _ = v2


def test_delete_one_version_asks_first(app_env):
    job_id = saved_job(app_env)
    v1, v2 = _versions(app_env, job_id, 2)
    at = open_page(ME, "documents")
    at.button(key=f"ask_ver{v2}").click().run()
    assert any("Delete version 2? This cannot be undone." in w.value for w in at.warning)
    at.button(key=f"yes_ver{v2}").click().run()
    assert not at.exception
    [card] = documents.list_documents(app_env, user=ME)
    assert (card.id, card.version_count) == (v1, 1)


def test_bulk_delete_of_documents(app_env):
    job_id = saved_job(app_env)
    _versions(app_env, job_id, 2)
    app_env.run("cover_letter", user=ME, job_id=job_id)
    other = saved_job(app_env)
    keep = app_env.run("draft_cv", user=ME, job_id=other).document_id
    at = open_page(ME, "documents")
    assert "docs_bulk_delete" not in [b.key for b in at.button]
    at.checkbox(key=f"docs_pick_{job_id}_cv").check().run()
    at.checkbox(key=f"docs_pick_{job_id}_cover_letter").check().run()
    at.button(key="docs_bulk_delete").click().run()
    assert any("Delete 2 documents (3 versions in all)? This cannot be undone." in w.value for w in at.warning)
    at.button(key="docs_bulk_yes").click().run()
    assert not at.exception and any("Deleted 2 documents" in t.value for t in at.toast)
    assert [d.id for d in documents.list_documents(app_env, user=ME)] == [keep]
    assert versions.list_versions(app_env, user=ME, document_id=keep)[0].version == 1
