"""Rewriting one part of a document, through the pipeline on both databases: a small request
on the fast chain, billed and logged like any other, saved as a new version with only that part
replaced; the offline engine's three styles never invent a fact; bad input is refused before
anything is charged; and the task routes on a database seeded before it existed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from db.models import RoutingPolicy, RoutingRule, UsageRecord
from orchestrator.document_parts import parts
from orchestrator.errors import InputRejected, InputTooLarge, NotFound
from orchestrator.offline.extract import extract_posting
from orchestrator.offline.rewrite import rewrite
from orchestrator.schemas import Profile
from orchestrator.seeding.demo import PROFILES
from orchestrator.services.user import documents, versions
from orchestrator.tasks import TASKS, document_tasks
from tests.support import POSTING

ME, PAYGO = "free@example.com", "paygo@example.com"
REWRITE = versions.rewrite_task().name


def _cv(orch, user=ME) -> documents.DocumentInfo:
    job_id = orch.run("extract_job", user=user, text=POSTING).job_id
    doc_id = orch.run("draft_cv", user=user, job_id=job_id).document_id
    return documents.get_document(orch, user=user, document_id=doc_id)


def _index(doc, kind: str, contains: str) -> int:
    return next(p.index for p in parts(doc.content) if p.kind == kind and contains in p.text)


def _usage(orch, request_id: str) -> UsageRecord:
    with orch.db.read() as s:
        return s.scalars(select(UsageRecord).where(UsageRecord.request_id == request_id)).one()


def test_rewriting_a_bullet_saves_a_new_version_with_only_that_bullet_changed(demo_users):
    orch = demo_users
    doc = _cv(orch)
    index = _index(doc, "bullet", "saving 6 hours a week")
    result = orch.run(REWRITE, user=ME, document_id=doc.id, part=index, style="quantified")
    assert result.text == "Saved 6 hours a week — automated weekly reports with Python and pandas"
    new = documents.get_document(orch, user=ME, document_id=result.document_id)
    assert (new.version, new.origin, new.version_count, new.current) == (2, "rewritten", 2, True)
    assert (new.kind, new.job_id, new.title, new.options) == (doc.kind, doc.job_id, doc.title, doc.options)
    assert new.content == doc.content.replace(
        "Automated weekly reports with Python and pandas, saving 6 hours a week",
        "Saved 6 hours a week — automated weekly reports with Python and pandas")
    diff = versions.compare_versions(orch, user=ME, old_id=doc.id, new_id=new.id)
    assert (diff.added, diff.removed, diff.changed) == (0, 0, 1)
    row = _usage(orch, result.request_id)  # billed and logged as a request of its own, for the job
    assert (row.task_type, row.status, row.job_id, row.provider) == (REWRITE, "success", doc.job_id, "offline")


def test_rewriting_a_section_keeps_its_heading_and_the_rest(demo_users):
    orch = demo_users
    doc = _cv(orch)
    section = next(p for p in parts(doc.content) if p.kind == "section" and p.heading.startswith("Data Analyst"))
    new = versions.rewrite_one_part(orch, user=ME, document_id=doc.id, part=section.index, style="quantified")
    assert "### Data Analyst Intern — Stadtwerke Berlin\n*2024-03 – 2025-02*\n" in new.content
    assert "- Saved 6 hours a week — automated weekly reports" in new.content
    assert new.content.split("### Data Analyst")[0] == doc.content.split("### Data Analyst")[0]
    assert new.content.split("## Education")[1] == doc.content.split("## Education")[1]


def test_match_the_postings_wording_uses_its_terms_for_skills_the_profile_has(demo_users):
    orch = demo_users
    doc = _cv(orch, PAYGO)
    edited = documents.update_document(orch, user=PAYGO, document_id=doc.id, content=doc.content + (
        "\n\n## Also\n- Tuned Postgres and ran services on k8s and Spark"))
    index = _index(edited, "bullet", "Tuned Postgres")
    new = versions.rewrite_one_part(orch, user=PAYGO, document_id=edited.id, part=index, style="posting_wording")
    # PostgreSQL and Kubernetes as the posting writes them; Spark is not in the posting: left alone
    assert new.content.endswith("- Tuned PostgreSQL and ran services on Kubernetes and Spark")
    assert new.version == 3


@pytest.mark.parametrize("email", list(PROFILES)[:3])
@pytest.mark.parametrize("style", ["concise", "quantified", "posting_wording"])
def test_the_offline_rewrite_never_invents_numbers_or_skills(email, style):
    from orchestrator.offline import draft_cv
    from orchestrator.offline.taxonomy import find_skills, skill_key
    from orchestrator.schemas import DraftOptions

    profile, job = Profile.model_validate(PROFILES[email]), extract_posting(POSTING)
    cv = draft_cv(profile, job, DraftOptions())
    facts = cv + "\n" + profile.model_dump_json()
    numbers = set(re.findall(r"\d+", facts))
    skills = {skill_key(s) for s in [*find_skills(facts), *job.skills]}
    for part in parts(cv):
        out = rewrite(part.text, kind=part.kind, style=style, profile=profile, job=job)
        assert out.strip(), part
        assert set(re.findall(r"\d+", out)) <= numbers, (part.text, out)
        assert {skill_key(s) for s in find_skills(out)} <= skills, (part.text, out)
        if style == "concise":
            assert len(out) <= len(part.text)


def test_concise_drops_filler_and_keeps_the_facts():
    profile, job = Profile.model_validate(PROFILES[ME]), extract_posting(POSTING)
    text = "Was responsible for building various dashboards (internal) in order to help 40 managers (Power BI)."
    assert rewrite(text, kind="bullet", style="concise", profile=profile, job=job) == \
        "Building dashboards to help 40 managers (Power BI)."


def test_bad_requests_are_refused_before_anything_is_charged(demo_users):
    orch = demo_users
    doc = _cv(orch)
    with orch.db.read() as s:
        before = s.scalar(select(func.count(UsageRecord.id)))
    refusals = [
        (dict(document_id=doc.id, part=0, style="funnier"), InputRejected, "style must be one of"),
        (dict(document_id=doc.id, part=999, style="concise"), InputRejected, "has no part 999"),
        (dict(document_id=doc.id, part="x", style="concise"), InputRejected, "Choose the part"),
        (dict(document_id=doc.id, part=0, style="concise", tone="friendly"), InputRejected, "takes document_id"),
        (dict(document_id=doc.id + 999, part=0, style="concise"), NotFound, "not one of your documents"),
        (dict(document_id=doc.id, part=0, style="concise", job_id=doc.job_id), InputRejected, "not text"),
    ]
    for kwargs, error, message in refusals:
        with pytest.raises(error, match=message):
            orch.run(REWRITE, user=ME, **kwargs)
    with pytest.raises(NotFound):
        orch.run(REWRITE, user=PAYGO, document_id=doc.id, part=0, style="concise")
    long = documents.update_document(orch, user=ME, document_id=doc.id, content="## Long\n" + "word " * 2000)
    with pytest.raises(InputTooLarge, match="That part is"):
        orch.run(REWRITE, user=ME, document_id=long.id, part=0, style="concise")
    documents.delete_job(orch, user=ME, job_id=doc.job_id)
    with pytest.raises(InputRejected, match="job this document was written for has been deleted"):
        orch.run(REWRITE, user=ME, document_id=doc.id, part=0, style="concise")
    with orch.db.read() as s:
        assert s.scalar(select(func.count(UsageRecord.id))) == before


def test_the_version_limit_holds_for_rewrites(demo_users):
    import dataclasses

    orch = demo_users
    orch.settings = dataclasses.replace(orch.settings, max_document_versions=1)
    doc = _cv(orch)
    with pytest.raises(InputTooLarge, match="already has 1 versions; the limit is 1"):
        versions.rewrite_one_part(orch, user=ME, document_id=doc.id, part=0, style="concise")


def test_it_is_a_small_request_on_the_fast_chain(demo_users, fresh_sim):
    from tests.sim_support import add_sim_providers, set_chain

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    doc = _cv(orch, PAYGO)
    set_chain(orch, "paygo", REWRITE, "sim-openai:gpt-5-nano")
    fresh_sim.reset()
    index = _index(doc, "bullet", "cutting deploy time")
    result = orch.run(REWRITE, user=PAYGO, document_id=doc.id, part=index, style="quantified")
    assert result.provider == "sim-openai" and result.text.startswith("Cut deploy time from 40 to 8 minutes")
    [request] = fresh_sim.requests
    assert 0 < request["max_tokens"] <= TASKS[REWRITE].default_max_tokens < TASKS["draft_cv"].default_max_tokens
    sent = str(request["body"])
    assert "cutting deploy time from 40 to 8 minutes" in sent
    assert "## Experience" not in sent and "paygo@example.com" not in sent  # the part, not the document
    row = _usage(orch, result.request_id)
    assert row.charged_usd > 0 and row.cost_usd > 0  # billed like any request on a credit plan
    assert documents.get_document(orch, user=PAYGO, document_id=result.document_id).origin == "rewritten"


def test_it_routes_on_a_database_seeded_before_it_existed(demo_users):
    from orchestrator.seeding.seed import seed_base

    orch = demo_users
    with orch.db.read() as s:
        live = s.scalar(select(RoutingPolicy).order_by(RoutingPolicy.version.desc()).limit(1))
        cells = [(r.plan_code, r.max_tokens) for r in live.rules if r.task == REWRITE and r.position == 0]
    assert sorted(cells) == [(p, TASKS[REWRITE].default_max_tokens) for p in ("freemium", "paygo", "pro")]
    with orch.db.write() as s:
        s.execute(RoutingRule.__table__.delete().where(RoutingRule.task == REWRITE))
    doc = _cv(orch)
    # no cell: the offline engine serves it, as graceful degradation
    assert versions.rewrite_one_part(orch, user=ME, document_id=doc.id, part=0, style="concise").version == 2
    assert seed_base(orch.db)["policies"] == 1  # `make run` re-seeds: the task gets its chains back
    with orch.db.read() as s:
        newest = s.scalar(select(RoutingPolicy).order_by(RoutingPolicy.version.desc()).limit(1))
        assert {r.plan_code for r in newest.rules if r.task == REWRITE} == {"freemium", "paygo", "pro"}


def test_it_is_not_a_drafting_page_nor_a_document_kind(demo_users):
    from orchestrator.cli import _parser

    spec = TASKS[REWRITE]
    assert spec not in document_tasks() and not spec.text.page and spec.route_tier == "fast"
    assert spec.document_kind is None and spec.verify is not None  # fact-checked like a draft
    with pytest.raises(InputRejected, match="kind must be one of: cv, cover_letter"):
        documents.list_documents(demo_users, user=ME, kind="rewrite")
    args = _parser().parse_args(["run", REWRITE, "--user", ME, "--document-id", "3", "--part", "0",
                                 "--style", "concise"])
    assert (args.document_id, args.part, args.style) == (3, 0, "concise")


def test_the_cli_rewrites_a_part(demo_users, database_url, settings, monkeypatch, capsys):
    import json

    from orchestrator.cli import main

    monkeypatch.setenv("ORCHESTRATOR_MASTER_KEY", settings.master_keys[0])
    monkeypatch.setenv("ORCHESTRATOR_DATA_DIR", str(settings.data_dir))
    doc = _cv(demo_users)
    index = _index(doc, "bullet", "saving 6 hours a week")
    code = main(["--database-url", database_url, "run", REWRITE, "--user", ME, "--document-id", str(doc.id),
                 "--part", str(index), "--style", "quantified", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["text"].startswith("Saved 6 hours a week") and out["document_id"] != doc.id
    assert documents.get_document(demo_users, user=ME, document_id=out["document_id"]).origin == "rewritten"
