"""Alerts fire above their thresholds (at or above, for quotas) and not below, on both
databases; thresholds are editable, validated and audited."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import AuditEntry, QuotaCounter, UsageRecord, User
from orchestrator.errors import InputRejected
from orchestrator.services.admin import alerts
from orchestrator.services.reports.analytics_queries import clear_cache
from tests.support import acting, operator


@pytest.fixture
def user_id(orch):
    from orchestrator.services.admin.users import add_user

    clear_cache()
    yield add_user(orch, email="ana@ex.com", plan="freemium", actor=operator()).id
    clear_cache()


def now_utc() -> datetime:
    return datetime.now(UTC)


def calls(orch, uid, *, provider="gemini", ok=0, failed=0, latency_ms=800, at=None, cost=Decimal(0)):
    """``ok`` successful and ``failed`` failed calls of ``provider`` at ``at`` (default: a minute ago)."""
    at = at or now_utc() - timedelta(minutes=1)
    with orch.db.write() as s:
        for i in range(ok + failed):
            status = "success" if i < ok else "error"
            s.add(UsageRecord(timestamp=at, request_id=uuid.uuid4().hex, attempt=1, user_id=uid, plan="freemium",
                              task_type="extract_job", provider=provider, provider_kind=provider, model="m",
                              status=status, error_type=None if status == "success" else "server_error",
                              latency_ms=latency_ms, cost_usd=cost if status == "success" else Decimal(0)))


def kinds(orch, **kw) -> list[tuple[str, str]]:
    clear_cache()
    return [(a.kind, a.subject) for a in alerts.evaluate(orch, **kw).alerts]


def test_default_thresholds_and_audited_edits(demo_users):
    orch = demo_users
    t = alerts.thresholds(orch)
    assert (t.error_rate_pct, t.p95_latency_s, t.spend_spike_multiple, t.quota_pct) == (10.0, 5.0, 2.0, 80.0)
    new = alerts.set_thresholds(orch, actor=acting(orch, "admin@example.com"), error_rate_pct="12.5", min_calls=5)
    assert (new.error_rate_pct, new.min_calls) == (12.5, 5)
    assert alerts.thresholds(orch) == new
    with orch.db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "alerts.set_thresholds")).one()
    assert entry.actor == "admin@example.com"
    assert (entry.before["error_rate_pct"], entry.after["error_rate_pct"]) == (10.0, 12.5)
    for bad in ({"error_rate_pct": -1}, {"quota_pct": "lots"}, {"nope": 1}, {"window_hours": 0}):
        with pytest.raises(InputRejected):
            alerts.set_thresholds(orch, actor=operator(), **bad)
    with orch.db.read() as s:
        assert len(s.scalars(select(AuditEntry).where(AuditEntry.action == "alerts.set_thresholds")).all()) == 1


def test_error_rate_fires_above_the_threshold_only(orch, user_id):
    calls(orch, user_id, provider="gemini", ok=18, failed=2)  # 10 %: at the threshold, not above
    assert ("error_rate", "gemini") not in kinds(orch)
    calls(orch, user_id, provider="gemini", failed=1)  # 3/21 = 14.3 %
    report = alerts.evaluate(orch)
    fired = [a for a in report.alerts if a.kind == "error_rate"]
    assert [a.subject for a in fired] == ["gemini"]
    assert fired[0].value == pytest.approx(3 / 21) and fired[0].threshold == pytest.approx(0.10)
    assert "14.3%" in fired[0].message


def test_error_rate_needs_min_calls_and_the_window(orch, user_id):
    calls(orch, user_id, provider="openai", ok=5, failed=5)  # 50 % but only 10 calls
    assert ("error_rate", "openai") not in kinds(orch)
    alerts.set_thresholds(orch, actor=operator(), min_calls=10)
    assert ("error_rate", "openai") in kinds(orch)
    assert ("error_rate", "openai") not in kinds(orch, now=now_utc() + timedelta(hours=25))


def test_p95_latency_fires_above_the_threshold_only(orch, user_id):
    calls(orch, user_id, provider="anthropic", ok=30, latency_ms=6000)
    assert ("latency", "anthropic") in kinds(orch)  # 6 s (estimate within 4.4 %) > 5 s
    alerts.set_thresholds(orch, actor=operator(), p95_latency_s=7)
    assert ("latency", "anthropic") not in kinds(orch)


def test_daily_cost_fires_above_twice_the_trailing_average(orch, user_id):
    today = now_utc().date()
    for k in range(1, 8):
        calls(orch, user_id, ok=1, cost=Decimal("1"), at=datetime.combine(today - timedelta(days=k), time(12),
                                                                            tzinfo=UTC))
    today_start = datetime.combine(today, time(0), tzinfo=UTC)
    calls(orch, user_id, ok=1, cost=Decimal("2"), at=today_start)  # exactly 2x: not above
    assert ("daily_cost", "all providers") not in kinds(orch)
    calls(orch, user_id, ok=1, cost=Decimal("0.01"), at=today_start)
    fired = [a for a in alerts.evaluate(orch).alerts if a.kind == "daily_cost"]
    assert len(fired) == 1 and fired[0].value == pytest.approx(2.01)
    assert "$2.01 spent" in fired[0].message and "$1 " in fired[0].message


def _counter(orch, uid, period: str, start: date, **values):
    with orch.db.write() as s:
        s.add(QuotaCounter(user_id=uid, period=period, period_start=start, **{
            "requests": 0, "tokens": 0, "cost_usd": Decimal(0), **values}))


def test_quota_fires_at_the_threshold_and_not_below(orch, user_id):
    today = now_utc().date()
    _counter(orch, user_id, "day", today, requests=15)  # freemium: 20 requests a day -> 75 %
    _counter(orch, user_id, "month", today.replace(day=1), tokens=239_999, cost_usd=Decimal("0.79"))
    assert [k for k in kinds(orch) if k[0] == "quota"] == []
    with orch.db.write() as s:
        for c in s.scalars(select(QuotaCounter)):
            c.requests, c.tokens = (16, c.tokens) if c.period == "day" else (0, 240_000)
    fired = [a for a in alerts.evaluate(orch).alerts if a.kind == "quota"]
    assert sorted(a.value for a in fired) == [0.8, 0.8]  # 16/20 requests, 240k/300k tokens
    assert all(a.subject == "ana@ex.com" for a in fired)
    with orch.db.write() as s:  # a per-user override raises the limit
        s.get(User, user_id).requests_per_day_override = 100
    assert len([k for k in kinds(orch) if k[0] == "quota"]) == 1


def test_quota_ignores_other_periods(orch, user_id):
    yesterday = now_utc().date() - timedelta(days=1)
    _counter(orch, user_id, "day", yesterday, requests=20)
    assert [k for k in kinds(orch) if k[0] == "quota"] == []


def test_history_lists_past_days_that_breached(orch, user_id):
    today = now_utc().date()
    bad_day = today - timedelta(days=3)
    calls(orch, user_id, provider="gemini", ok=10, failed=15, at=datetime.combine(bad_day, time(10), tzinfo=UTC))
    calls(orch, user_id, provider="gemini", ok=30, at=datetime.combine(bad_day - timedelta(days=1), time(10),
                                                                        tzinfo=UTC))
    clear_cache()
    past = alerts.history(orch, days=30)
    assert [(a.day, a.kind, a.subject) for a in past if a.kind == "error_rate"] == [(bad_day, "error_rate", "gemini")]
