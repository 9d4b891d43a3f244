"""Quotas, credit, the response cache and the circuit breaker, as a user and an operator see them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Provider, ProviderHealth, UsageRecord, User
from orchestrator import QuotaExceeded, health, settings_store
from orchestrator.health import BreakerPolicy
from orchestrator.integrity import check
from orchestrator.services.admin import plans, users
from orchestrator.services.admin.providers import get_provider
from tests.sim_support import set_chain
from tests.support import POSTING, operator


def _statuses(orch, user_email):
    with orch.db.read() as s:
        uid = s.scalar(select(User.id).where(User.email == user_email))
        return [r.status for r in s.scalars(select(UsageRecord).where(UsageRecord.user_id == uid)
                                            .order_by(UsageRecord.id)).all()]


def test_daily_limit_names_the_limit_and_the_reset(demo_users):
    orch = demo_users
    plans.set_limits(orch, code="freemium", requests_per_day=2, actor=operator())
    for i in range(2):
        orch.run("extract_job", user="free@example.com", text=f"{POSTING}\n#{i}")
    with pytest.raises(QuotaExceeded) as info:
        orch.run("extract_job", user="free@example.com", text=POSTING + "\n#3")
    err = info.value
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    assert err.limit == "requests_per_day" and err.resets_at.date() == tomorrow
    assert "2 requests" in str(err) and "00:00 UTC" in str(err)
    assert _statuses(orch, "free@example.com") == ["success", "success", "quota_denied"]
    assert check(orch.db) == []


def test_user_override_beats_the_plan(demo_users):
    orch = demo_users
    plans.set_limits(orch, code="freemium", requests_per_day=0, actor=operator())
    with orch.db.write() as s:
        s.scalar(select(User).where(User.email == "free@example.com")).requests_per_day_override = 1
    orch.run("extract_job", user="free@example.com", text=POSTING)
    with pytest.raises(QuotaExceeded):
        orch.run("extract_job", user="free@example.com", text=POSTING + "x")


def test_monthly_tokens_and_cost_cap(sim_orch):
    orch = sim_orch
    users.add_user(orch, email="t@example.com", plan="freemium", actor=operator())
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    plans.set_limits(orch, code="freemium", tokens_per_month=500, actor=operator())
    with pytest.raises(QuotaExceeded) as info:
        orch.run("extract_job", user="t@example.com", text=POSTING)
    assert info.value.limit == "tokens_per_month" and "resets on" in str(info.value)
    plans.set_limits(orch, code="freemium", tokens_per_month="none", cost_cap_usd="0.000001", actor=operator())
    with pytest.raises(QuotaExceeded) as info:
        orch.run("extract_job", user="t@example.com", text=POSTING)
    assert info.value.limit == "cost_per_month"
    assert check(orch.db) == []


def test_paygo_charges_cost_times_markup_and_stops_at_zero_credit(sim_orch):
    orch = sim_orch
    set_chain(orch, "paygo", "extract_job", "sim-openai:gpt-4o-mini")
    users.add_user(orch, email="p@example.com", plan="paygo", actor=operator())
    with pytest.raises(QuotaExceeded) as info:
        orch.run("extract_job", user="p@example.com", text=POSTING)
    assert info.value.limit == "credit" and "Top up" in str(info.value)
    users.top_up(orch, email="p@example.com", amount_usd="0.01", actor=operator())
    r = orch.run("extract_job", user="p@example.com", text=POSTING)
    assert r.charged_usd == (r.cost_usd * Decimal("1.5")).quantize(Decimal("1e-12")) > 0
    assert users.get_user(orch, email="p@example.com").credit_usd == Decimal("0.01") - r.charged_usd
    assert check(orch.db) == []


def test_cache_hit_is_free_and_not_counted_and_regenerate_bypasses(sim_orch):
    orch = sim_orch
    users.add_user(orch, email="c@example.com", plan="paygo", actor=operator())
    users.top_up(orch, email="c@example.com", amount_usd="1", actor=operator())
    set_chain(orch, "paygo", "extract_job", "sim-openai:gpt-4o-mini")
    plans.set_limits(orch, code="paygo", requests_per_day=2, actor=operator())
    first = orch.run("extract_job", user="c@example.com", text=POSTING)
    hit = orch.run("extract_job", user="c@example.com", text=POSTING)
    assert hit.cached and hit.cost_usd == 0 and hit.charged_usd == 0 and hit.data == first.data
    again = orch.run("extract_job", user="c@example.com", text=POSTING, regenerate=True)
    assert not again.cached and again.cost_usd > 0
    assert _statuses(orch, "c@example.com") == ["success", "cached", "success"]
    # two counted requests (the hit was free): the limit of 2 is reached
    with pytest.raises(QuotaExceeded):
        orch.run("extract_job", user="c@example.com", text=POSTING, regenerate=True)
    assert check(orch.db) == []


def test_cache_is_scoped_per_user_and_drafting_cache_is_off(sim_orch):
    orch = sim_orch
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    users.add_user(orch, email="a@example.com", plan="freemium", actor=operator())
    users.add_user(orch, email="b@example.com", plan="freemium", actor=operator())
    orch.run("extract_job", user="a@example.com", text=POSTING)
    assert not orch.run("extract_job", user="b@example.com", text=POSTING).cached
    assert settings_store.get(orch.db, "cache_ttl_s")["draft_cv"] == 0


def test_circuit_opens_skips_and_probes(sim_orch, fresh_sim):
    orch = sim_orch
    orch.breaker = BreakerPolicy(failure_threshold=3, cooldown_s=600)
    orch.settings = replace(orch.settings, max_retries=0)
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite")
    users.add_user(orch, email="cb@example.com", plan="freemium", actor=operator())
    pid = get_provider(orch, "sim-openai").id

    def run(i):
        return orch.run("extract_job", user="cb@example.com", text=f"{POSTING}\n{i}")

    def openai_calls():
        return len([r for r in fresh_sim.requests if r.get("vendor") == "openai"])

    fresh_sim.set_sticky_fault("openai", kind="status", status=503)
    for i in range(3):
        assert run(i).provider == "sim-gemini"
    assert get_provider(orch, "sim-openai").circuit_state == "open"
    before = openai_calls()
    assert run(10).provider == "sim-gemini"
    assert openai_calls() == before  # skipped while open, not even tried
    fresh_sim.clear_faults()
    with orch.db.write() as s:  # let the cooldown pass without sleeping
        s.get(ProviderHealth, pid).opened_at = datetime.now(UTC) - timedelta(seconds=601)
    assert run(11).provider == "sim-openai"  # the half-open probe went through and succeeded
    assert get_provider(orch, "sim-openai").circuit_state == "closed"


def test_only_one_process_gets_the_half_open_probe(orch):
    with orch.db.read() as s:
        pid = s.scalar(select(Provider.id).where(Provider.name == "gemini"))
    policy = BreakerPolicy(failure_threshold=1, cooldown_s=0)
    health.record_failure(orch.db, pid, "gemini", "server_error", policy)
    assert pid not in health.blocked_providers(orch.db, policy)  # first caller claims the probe
    assert pid in health.blocked_providers(orch.db, policy)      # everyone else still skips it
