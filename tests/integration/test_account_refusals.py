"""A provider whose account is out of quota or credit is named on the Providers page and in
alerts: no retry fixes that, someone has to top it up. A request too large for the account is
shown on the Providers page but is no alert (it is about one request, not the provider)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from db.models import UsageRecord
from orchestrator import health
from orchestrator.services.admin import alerts
from orchestrator.services.admin.providers import list_providers
from orchestrator.services.reports.analytics_queries import clear_cache


def _refusal(orch, provider: str, error_type: str, minutes_ago: int = 1) -> None:
    with orch.db.write() as s:
        s.add(UsageRecord(timestamp=datetime.now(UTC) - timedelta(minutes=minutes_ago),
                          request_id=uuid.uuid4().hex, attempt=1, user_id=None, plan="freemium",
                          task_type="extract_job", provider=provider, provider_kind="openai", model="gpt-4o-mini",
                          status="error", error_type=error_type, cost_usd=Decimal(0)))


def test_an_exhausted_account_fires_an_alert_and_shows_on_providers(demo_users):
    orch = demo_users
    clear_cache()
    _refusal(orch, "openai", "quota_exhausted")
    _refusal(orch, "openai", "quota_exhausted", minutes_ago=3)
    fired = [a for a in alerts.evaluate(orch).alerts if a.kind == "provider_account"]
    assert [(a.subject, a.value) for a in fired] == [("openai", 2.0)]
    assert "quota or credit is used up" in fired[0].message
    info = {p.name: p for p in list_providers(orch)}
    assert "quota or credit is used up" in info["openai"].account_problem
    assert info["openai"].account_problem_at is not None
    assert info["gemini"].account_problem is None


def test_a_request_too_large_shows_on_providers_but_is_no_alert(demo_users):
    orch = demo_users
    clear_cache()
    _refusal(orch, "anthropic", "too_large")
    assert not [a for a in alerts.evaluate(orch).alerts if a.kind == "provider_account"]
    info = {p.name: p for p in list_providers(orch)}
    assert "too large" in info["anthropic"].account_problem


def test_refusals_older_than_a_day_are_forgotten(demo_users):
    orch = demo_users
    _refusal(orch, "openai", "quota_exhausted", minutes_ago=25 * 60)
    assert {p.name: p for p in list_providers(orch)}["openai"].account_problem is None


def test_an_exhausted_quota_counts_towards_the_breaker_but_a_large_request_does_not():
    assert "quota_exhausted" in health.HEALTH_ERRORS
    assert "too_large" not in health.HEALTH_ERRORS
    assert "truncated" not in health.HEALTH_ERRORS
