"""The pipeline end to end on both databases: routing from the live policy, one ledger
row per attempt at genai-prices' exact cost, unpriced models flagged, retries, fallback."""

from __future__ import annotations

from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price
from sqlalchemy import select, update

from db.models import CatalogModel, UsageRecord
from orchestrator import AllProvidersFailed, InputRejected, JobPosting, StreamRestart
from orchestrator.result import Result
from tests.support import POSTING, operator
from tests.sim_support import set_chain


def ledger_rows(orch, request_id):
    with orch.db.read() as s:
        return s.scalars(select(UsageRecord).where(UsageRecord.request_id == request_id)
                         .order_by(UsageRecord.attempt)).all()


def test_fresh_install_routes_to_offline_engine(demo_users):
    orch = demo_users
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert r.provider_kind == "offline" and r.offline
    assert "offline" in r.label.lower()
    assert isinstance(r.data, JobPosting) and r.job_id
    rows = ledger_rows(orch, r.request_id)
    assert [(x.status, x.provider) for x in rows] == [("success", "offline")]
    assert rows[0].cost_usd == Decimal(0) and rows[0].priced


def test_policy_change_applies_to_the_next_call(demo_users, fresh_sim):
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    assert orch.run("extract_job", user="free@example.com", text=POSTING).provider == "offline"
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert (r.provider, r.model) == ("sim-openai", "gpt-4o-mini")
    set_chain(orch, "freemium", "extract_job", "sim-gemini:gemini-2.5-flash-lite")
    assert orch.run("extract_job", user="free@example.com", text=POSTING).provider == "sim-gemini"


def test_cost_is_exactly_genai_prices_figure(demo_users, fresh_sim):
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    cases = [("sim-openai", "gpt-4o-mini", "openai"), ("sim-anthropic", "claude-haiku-4-5", "anthropic"),
             ("sim-gemini", "gemini-2.5-flash", "google")]
    for provider, model, pid in cases:
        set_chain(orch, "freemium", "extract_job", f"{provider}:{model}")
        r = orch.run("extract_job", user="free@example.com", text=POSTING, regenerate=True)
        (row,) = ledger_rows(orch, r.request_id)
        assert row.status == "success" and row.tokens_input > 0 and row.tokens_output > 0
        expected = calc_price(Usage(input_tokens=row.tokens_input, output_tokens=row.tokens_output,
                                    cache_read_tokens=row.tokens_cached,
                                    cache_write_tokens=row.tokens_cache_write), model, provider_id=pid).total_price
        assert row.cost_usd == expected == r.cost_usd
        assert expected > 0


def test_unpriced_model_is_flagged_never_zero(demo_users, fresh_sim):
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    set_chain(orch, "freemium", "extract_job", "sim-local:llama3.1:8b")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    (row,) = ledger_rows(orch, r.request_id)
    assert row.priced is False and row.cost_usd is None
    assert r.cost_usd is None and r.model == "llama3.1:8b"


def test_retry_then_success_records_every_attempt(demo_users, fresh_sim):
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,offline:offline-engine-v1")
    fresh_sim.add_fault("openai", kind="status", status=503, times=1)
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    rows = ledger_rows(orch, r.request_id)
    assert [(x.attempt, x.status, x.error_type) for x in rows] == [(1, "error", "server_error"),
                                                                     (2, "success", None)]
    assert r.provider == "sim-openai" and len(r.attempts) == 2


def test_fallback_across_all_three_kinds(demo_users, fresh_sim):
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    set_chain(orch, "freemium", "extract_job",
              "sim-openai:gpt-4o-mini,sim-anthropic:claude-haiku-4-5,sim-gemini:gemini-2.5-flash-lite")
    fresh_sim.set_sticky_fault("openai", kind="status", status=401)
    fresh_sim.set_sticky_fault("anthropic", kind="status", status=500)
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert r.provider == "sim-gemini"
    rows = ledger_rows(orch, r.request_id)
    assert [(x.provider, x.status) for x in rows][0] == ("sim-openai", "error")
    assert rows[-1].status == "success" and rows[-1].provider == "sim-gemini"
    assert {x.provider for x in rows if x.status == "error"} == {"sim-openai", "sim-anthropic"}
    assert len(rows) == 1 + 3 + 1  # auth is not retried; the 500 is retried twice; then success


def test_all_failed_carries_each_reason(demo_users, fresh_sim):
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-anthropic:claude-haiku-4-5")
    fresh_sim.set_sticky_fault("openai", kind="status", status=429, retry_after=0)
    fresh_sim.set_sticky_fault("anthropic", kind="status", status=401)
    with pytest.raises(AllProvidersFailed) as info:
        orch.run("extract_job", user="free@example.com", text=POSTING)
    kinds = [f.error_type for f in info.value.failures]
    assert "rate_limited" in kinds and "auth" in kinds
    assert "sim-openai" in str(info.value) and "Nothing was charged" in str(info.value)


def test_schema_invalid_output_is_repaired_then_falls_back(demo_users, fresh_sim):
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite")
    fresh_sim.set_sticky_fault("openai", kind="schema_invalid")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    rows = ledger_rows(orch, r.request_id)
    assert [(x.provider, x.status, x.error_type) for x in rows] == [
        ("sim-openai", "error", "invalid_output"), ("sim-openai", "error", "invalid_output"),
        ("sim-gemini", "success", None)]
    assert rows[0].cost_usd > 0  # a rejected answer still cost tokens, and the ledger says so


def test_stream_yields_chunks_then_result(demo_users, fresh_sim):
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    job = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
    set_chain(orch, "freemium", "cover_letter", "sim-anthropic:claude-haiku-4-5")
    events = list(orch.stream("cover_letter", user="free@example.com", job_id=job, tone="formal"))
    chunks, result = events[:-1], events[-1]
    assert isinstance(result, Result) and len(chunks) > 3 and all(isinstance(c, str) for c in chunks)
    assert "".join(chunks).strip() == result.text.strip()
    assert result.cost_usd > 0 and result.usage.output_tokens > 0 and result.document_id


def test_cut_stream_restarts_on_the_next_provider(demo_users, fresh_sim):
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    job = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
    set_chain(orch, "freemium", "draft_cv", "sim-gemini:gemini-2.5-flash-lite,sim-openai:gpt-4o-mini")
    fresh_sim.set_sticky_fault("gemini", kind="stream_cut")
    events = list(orch.stream("draft_cv", user="free@example.com", job_id=job))
    restarts = [e for e in events if isinstance(e, StreamRestart)]
    result = events[-1]
    assert len(restarts) == 1 and (restarts[0].action, restarts[0].provider) == ("fallback", "sim-openai")
    assert restarts[0].describe().endswith("continuing with sim-openai.")
    assert result.provider == "sim-openai"
    after = events[events.index(restarts[0]) + 1:-1]
    assert "".join(after).strip() == result.text.strip()
    rows = ledger_rows(orch, result.request_id)
    assert [(x.provider, x.status, x.error_type) for x in rows] == [
        ("sim-gemini", "error", "stream_broken"), ("sim-openai", "success", None)]


def test_image_needs_a_vision_capable_route(demo_users, fresh_sim, png_bytes):
    """Without a model that reads images in the chain the request is refused before anything is
    charged; the offline engine reads screenshots (OCR), so only a chain without it is refused."""
    from orchestrator import settings_store
    from tests.fixtures.screenshots.render import screenshot
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    with orch.db.write() as s:  # a text-only model
        s.execute(update(CatalogModel).where(CatalogModel.model == "gpt-4o-mini").values(supports_vision=False))
    settings_store.put(orch.db, "offline_fallback", False)  # no graceful degradation to the engine
    orch.snapshot.invalidate()
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    with pytest.raises(InputRejected, match="vision-capable"):
        orch.run("extract_job", user="free@example.com", image=png_bytes)
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,offline:offline-engine-v1")
    r = orch.run("extract_job", user="free@example.com", image=screenshot("terse_go_backend"))
    assert r.provider == "offline" and "Go" in r.data.title  # the text-only model was skipped


def test_a_planted_key_never_reaches_ledger_logs_or_errors(demo_users, fresh_sim, caplog):
    """The simulator answers a wrong key with OpenAI's real 401 body, which echoes the key."""
    import logging
    import traceback

    from orchestrator.services.admin import providers

    orch = demo_users
    key = "sk-proj-LeakCanary0123456789abcdefXYZW"
    providers.add_provider(orch, name="leaky", kind="openai", base_url=fresh_sim.openai_base_url, api_key=key,
                           actor=operator())
    set_chain(orch, "freemium", "extract_job", "leaky:gpt-4o-mini")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AllProvidersFailed) as info:
        orch.run("extract_job", user="free@example.com", text=POSTING)
    texts = [str(info.value), repr(info.value), "".join(traceback.format_exception(info.value)), caplog.text]
    texts += [f.message for f in info.value.failures]
    with orch.db.read() as s:
        texts += [str(r.error_message) for r in s.scalars(select(UsageRecord)).all()]
    for fragment in (key, key[-8:], "LeakCanary"):
        assert not any(fragment in t for t in texts), fragment
    assert any("auth" == f.error_type for f in info.value.failures)


def test_closing_a_stream_midway_releases_every_hold(demo_users, fresh_sim):
    from orchestrator.integrity import check
    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    job = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
    set_chain(orch, "freemium", "draft_cv", "sim-openai:gpt-4o-mini")
    stream = orch.stream("draft_cv", user="free@example.com", job_id=job)
    assert isinstance(next(stream), str)
    stream.close()  # the page was left mid-stream
    with orch.db.read() as s:
        from db.models import Reservation

        assert s.scalars(select(Reservation).where(Reservation.status == "held")).all() == []
        last = s.scalars(select(UsageRecord).order_by(UsageRecord.id.desc())).first()
    assert (last.status, last.error_type) == ("error", "cancelled")
    assert check(orch.db) == []


def test_an_adapter_bug_is_recorded_and_falls_back(demo_users, fresh_sim, monkeypatch):
    from orchestrator.providers import registry
    from tests.sim_support import add_sim_providers

    class Broken:
        kind = "openai"

        def complete(self, config, request):
            raise TypeError("boom")

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    monkeypatch.setitem(registry._instances, "openai", Broken())
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert r.provider == "sim-gemini"
    assert [(a.provider, a.status, a.error_type) for a in r.attempts] == [
        ("sim-openai", "error", "error"), ("sim-gemini", "success", None)]
