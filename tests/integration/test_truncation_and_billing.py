"""Truncation is a failure, not a document; exhausted quotas and too-large requests fall back at
once. Through the real pipeline with simulated providers, on both databases:

- an answer cut at its token limit is recorded as an ``error`` attempt (``truncated``, finish
  "length", its tokens priced, nothing charged), retried once on the same model with a higher
  limit, then fallen back; a cut-off document is never saved;
- the gateway's ``chat`` passes a "length" finish through to its caller;
- ``quota_exhausted`` and ``too_large`` get exactly one attempt on the provider, then the next
  one serves, plain and streamed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Document, UsageRecord
from orchestrator import StreamRestart
from orchestrator.result import Result
from tests.sim_support import set_chain
from tests.support import POSTING

USER = "free@example.com"
MODELS = {"openai": ("sim-openai", "gpt-4o-mini"), "anthropic": ("sim-anthropic", "claude-haiku-4-5"),
          "gemini": ("sim-gemini", "gemini-2.5-flash-lite")}
NEXT = {"openai": "anthropic", "anthropic": "gemini", "gemini": "openai"}


def chain(*vendors: str) -> str:
    return ",".join(f"{MODELS[v][0]}:{MODELS[v][1]}" for v in vendors)


def ledger(orch, request_id):
    with orch.db.read() as s:
        return s.scalars(select(UsageRecord).where(UsageRecord.request_id == request_id)
                         .order_by(UsageRecord.attempt)).all()


def documents(orch, request_id):
    with orch.db.read() as s:
        return s.scalars(select(Document).where(Document.request_id == request_id)).all()


def sim_calls(sim, vendor: str) -> list[dict]:
    return [e for e in sim.requests if e["vendor"] == vendor and e["action"] in ("chat", "messages", "generate",
                                                                                 "stream")]


def run(orch, task: str, streamed: bool, **kwargs):
    """The Result, and the StreamRestart notices when streamed."""
    if not streamed:
        return orch.run(task, user=USER, **kwargs), []
    events = list(orch.stream(task, user=USER, **kwargs))
    result = events[-1]
    assert isinstance(result, Result)
    return result, [e for e in events if isinstance(e, StreamRestart)]


@pytest.fixture
def job_id(sim_orch, demo_users):
    return sim_orch.run("extract_job", user=USER, text=POSTING).job_id  # the offline engine reads the posting


# ------------------------------------------------------------------ truncation


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("task", ["draft_cv", "cover_letter"])
def test_a_cut_draft_is_retried_once_with_a_higher_limit(sim_orch, fresh_sim, job_id, task, streamed):
    orch = sim_orch
    set_chain(orch, "freemium", task, chain("openai", "gemini"))
    fresh_sim.add_fault("openai", kind="truncate", after=12)
    r, restarts = run(orch, task, streamed, job_id=job_id)
    rows = ledger(orch, r.request_id)
    assert [(x.provider, x.status, x.error_type, x.finish_reason) for x in rows] == [
        ("sim-openai", "error", "truncated", "length"), ("sim-openai", "success", None, "stop")]
    cut = rows[0]
    assert cut.tokens_output > 0 and cut.cost_usd is not None and cut.cost_usd > 0  # its tokens cost us
    assert cut.charged_usd == Decimal(0)  # ... but not the user
    assert r.charged_usd == rows[1].charged_usd and sum(x.charged_usd for x in rows) == r.charged_usd
    calls = sim_calls(fresh_sim, "openai")
    assert [c["finish"] for c in calls] == ["length", "stop"]
    assert calls[1]["max_tokens"] > calls[0]["max_tokens"]  # the retry asked for a higher limit
    (doc,) = documents(orch, r.request_id)
    assert doc.content == r.text and r.finish_reason == "stop" and doc.provider == "sim-openai"
    assert len(r.text.split()) > 12
    if streamed:
        assert [(x.action, x.provider) for x in restarts] == [("retry", "sim-openai")]


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
def test_a_draft_cut_again_falls_back_and_no_cut_document_is_saved(sim_orch, fresh_sim, job_id, streamed):
    orch = sim_orch
    set_chain(orch, "freemium", "draft_cv", chain("openai", "gemini"))
    fresh_sim.set_sticky_fault("openai", kind="truncate", after=12)
    r, restarts = run(orch, "draft_cv", streamed, job_id=job_id)
    rows = ledger(orch, r.request_id)
    assert [(x.provider, x.status, x.error_type) for x in rows] == [
        ("sim-openai", "error", "truncated"), ("sim-openai", "error", "truncated"), ("sim-gemini", "success", None)]
    calls = sim_calls(fresh_sim, "openai")
    assert len(calls) == 2 and calls[1]["max_tokens"] > calls[0]["max_tokens"]
    assert all(x.cost_usd is not None and x.charged_usd == 0 for x in rows[:2])
    (doc,) = documents(orch, r.request_id)
    assert (doc.provider, doc.content, r.provider, r.finish_reason) == ("sim-gemini", r.text, "sim-gemini", "stop")
    if streamed:
        assert [(x.action, x.provider) for x in restarts] == [("retry", "sim-openai"), ("fallback", "sim-gemini")]


def test_a_cut_extraction_is_retried_with_a_higher_limit_then_falls_back(sim_orch, demo_users, fresh_sim):
    orch = sim_orch
    set_chain(orch, "freemium", "extract_job", chain("anthropic", "openai"))
    fresh_sim.add_fault("anthropic", kind="truncate", after=8)
    r = orch.run("extract_job", user=USER, text=POSTING, regenerate=True)
    rows = ledger(orch, r.request_id)
    assert [(x.provider, x.status, x.error_type, x.finish_reason) for x in rows] == [
        ("sim-anthropic", "error", "truncated", "length"), ("sim-anthropic", "success", None, "stop")]
    assert r.data.title and r.job_id and rows[0].cost_usd > 0
    calls = sim_calls(fresh_sim, "anthropic")
    assert calls[1]["max_tokens"] > calls[0]["max_tokens"]

    fresh_sim.set_sticky_fault("anthropic", kind="truncate", after=8)
    r = orch.run("extract_job", user=USER, text=POSTING, regenerate=True)
    rows = ledger(orch, r.request_id)
    assert [(x.provider, x.error_type) for x in rows] == [
        ("sim-anthropic", "truncated"), ("sim-anthropic", "truncated"), ("sim-openai", None)]
    assert r.provider == "sim-openai" and r.data.title


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
def test_chat_passes_a_length_finish_through(sim_orch, demo_users, fresh_sim, streamed):
    orch = sim_orch
    set_chain(orch, "freemium", "chat", chain("openai", "gemini"))
    fresh_sim.add_fault("openai", kind="truncate", after=5)
    r, _ = run(orch, "chat", streamed, messages=[{"role": "user", "content": "Tell me about CVs."}])
    assert (r.provider, r.finish_reason) == ("sim-openai", "length")
    assert len(r.text.split()) <= 5
    (row,) = ledger(orch, r.request_id)
    assert (row.status, row.finish_reason) == ("success", "length")


# ------------------------------------------------------- quota and too large


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("fault,kind", [("quota", "quota_exhausted"), ("too_large", "too_large")])
@pytest.mark.parametrize("first", list(MODELS))
def test_final_account_errors_fall_back_at_once(sim_orch, fresh_sim, job_id, first, fault, kind, streamed):
    orch = sim_orch
    second = NEXT[first]
    set_chain(orch, "freemium", "cover_letter", chain(first, second))
    fresh_sim.set_sticky_fault(first, kind=fault)
    r, _ = run(orch, "cover_letter", streamed, job_id=job_id)
    rows = ledger(orch, r.request_id)
    assert [(x.provider, x.status, x.error_type) for x in rows] == [
        (MODELS[first][0], "error", kind), (MODELS[second][0], "success", None)]
    assert len(sim_calls(fresh_sim, first)) == 1  # no retry on the same provider
    assert rows[0].charged_usd == 0 and rows[0].tokens_output == 0
    assert r.provider == MODELS[second][0] and r.document_id


@pytest.mark.parametrize("fault,kind", [("quota", "quota_exhausted"), ("too_large", "too_large")])
def test_final_account_errors_in_stream_fall_back_at_once(sim_orch, fresh_sim, job_id, fault, kind):
    orch = sim_orch
    set_chain(orch, "freemium", "draft_cv", chain("openai", "anthropic"))
    fresh_sim.set_sticky_fault("openai", kind=fault, after=2)  # the error arrives after two chunks
    r, restarts = run(orch, "draft_cv", True, job_id=job_id)
    rows = ledger(orch, r.request_id)
    assert [(x.provider, x.error_type) for x in rows] == [("sim-openai", kind), ("sim-anthropic", None)]
    assert len(sim_calls(fresh_sim, "openai")) == 1
    assert [(x.action, x.provider) for x in restarts] == [("fallback", "sim-anthropic")]


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("first", list(MODELS))
def test_a_refusal_falls_back_to_the_next_provider_and_is_not_charged(sim_orch, fresh_sim, job_id, first, streamed):
    orch = sim_orch
    second = NEXT[first]
    set_chain(orch, "freemium", "cover_letter", chain(first, second))
    fresh_sim.set_sticky_fault(first, kind="refuse")
    r, _ = run(orch, "cover_letter", streamed, job_id=job_id)
    rows = ledger(orch, r.request_id)
    assert [(x.provider, x.status, x.error_type) for x in rows] == [
        (MODELS[first][0], "error", "content_filter"), (MODELS[second][0], "success", None)]
    assert len(sim_calls(fresh_sim, first)) == 1  # the same model would refuse again
    assert rows[0].charged_usd == 0 and r.provider == MODELS[second][0] and r.document_id
