"""``/metrics`` figures against the ledger itself, on SQLite and PostgreSQL.

Every scrape is parsed with prometheus_client's own parser and compared with totals this
file computes from ``usage_log`` rows in Python: after real requests through the pipeline
(success, fallback after an injected fault, a cache hit, a quota denial), with part of the
ledger rolled up and part live, from two orchestrators on one database, for histogram
bounds at and around every bucket edge, for the circuit breaker's table and for the cache.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event, select

from db.models import Provider, ProviderHealth, UsageDaily, UsageRecord
from orchestrator import Orchestrator, QuotaExceeded, ledger, metrics, rollups
from orchestrator.metrics_queries import LE_MS, slot_of_bucket, slot_of_ms
from orchestrator.providers.base import TokenUsage
from orchestrator.services.admin import plans
from tests.conftest import test_settings
from tests.sim_support import add_sim_providers, set_chain
from tests.support import POSTING, operator

TOKEN_COLS = {"input": "tokens_input", "output": "tokens_output", "cached": "tokens_cached",
              "cache_write": "tokens_cache_write", "reasoning": "tokens_reasoning"}


@pytest.fixture(autouse=True)
def _empty_cache():
    metrics.clear_cache()
    yield
    metrics.clear_cache()


# ----------------------------------------------------------------- reading a scrape


def parse(body: bytes) -> dict[str, dict[tuple, float]]:
    """{sample name: {sorted label items: value}} from the exposition text."""
    out: dict[str, dict[tuple, float]] = defaultdict(dict)
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            out[s.name][tuple(sorted(s.labels.items()))] = s.value
    return out


def scrape(orch, **kwargs) -> dict[str, dict[tuple, float]]:
    return parse(metrics.render(orch, use_cache=False, **kwargs))


def key(**labels) -> tuple:
    return tuple(sorted(labels.items()))


# ----------------------------------------------------------------- what the ledger says


def ledger_rows(orch) -> list[UsageRecord]:
    with orch.db.read() as s:
        return list(s.scalars(select(UsageRecord)))


def expected(orch) -> dict[str, dict[tuple, float]]:
    """The same sample names and labels, computed from the raw ledger rows."""
    out: dict[str, dict[tuple, float]] = defaultdict(lambda: defaultdict(float))
    cost: dict[tuple, Decimal] = defaultdict(Decimal)
    for r in ledger_rows(orch):
        out["orchestrator_attempts_total"][key(provider=r.provider, model=r.model, task=r.task_type,
                                               status=r.status)] += 1
        cost[key(provider=r.provider, model=r.model, plan=r.plan)] += r.cost_usd or Decimal(0)
        for kind, col in TOKEN_COLS.items():
            out["orchestrator_tokens_total"][key(provider=r.provider, model=r.model, kind=kind)] += getattr(r, col)
        if r.status == "quota_denied":
            out["orchestrator_quota_denials_total"][key(plan=r.plan, reason=r.error_type)] += 1
        if r.status in ("success", "error"):
            labels = dict(task=r.task_type, provider=r.provider)
            out["orchestrator_request_duration_seconds_count"][key(**labels)] += 1
            out["orchestrator_request_duration_seconds_sum"][key(**labels)] += r.latency_ms / 1000
            for b in LE_MS:
                le = key(**labels, le=str((b - 1) / 1000))
                out["orchestrator_request_duration_seconds_bucket"][le] += r.latency_ms <= b - 1
            out["orchestrator_request_duration_seconds_bucket"][key(**labels, le="+Inf")] += 1
    out["orchestrator_cost_usd_total"] = {k: float(v) for k, v in cost.items()}
    return {name: dict(v) for name, v in out.items()}


def assert_matches_ledger(orch, got) -> None:
    want = expected(orch)
    for name, samples in want.items():
        if name == "orchestrator_request_duration_seconds_sum":
            assert got[name].keys() == samples.keys()
            for k, v in samples.items():
                assert math.isclose(got[name][k], v, rel_tol=1e-12), (name, k)
            continue
        if name == "orchestrator_request_duration_seconds_bucket":  # le labels as the exposition writes them
            assert _float_le(got[name]) == _float_le(samples), name
            continue
        assert got[name] == samples, name


def _float_le(samples: dict[tuple, float]) -> dict[tuple, float]:
    return {tuple((n, float(v)) if n == "le" else (n, v) for n, v in k): val for k, val in samples.items()}


def add_row(orch, *, when: datetime, latency_ms: int = 100, status: str = "success", task: str = "draft_cv",
            provider: str = "openai", model: str = "gpt-5-nano", plan: str = "pro", cost: str | None = "0.001",
            error_type: str | None = None, usage: TokenUsage | None = None) -> None:
    row = ledger.attempt_row(request_id=uuid.uuid4().hex, attempt=1, user_id=None, plan=plan, task=task,
                             provider=provider, provider_kind=provider, model=model, status=status,
                             usage=usage or TokenUsage(input_tokens=120, output_tokens=40, cached_tokens=20,
                                                       reasoning_tokens=10, cache_write_tokens=5),
                             cost=Decimal(cost) if cost is not None else None, priced=cost is not None,
                             latency_ms=latency_ms, error_type=error_type, timestamp=when)
    with orch.db.write() as s:
        s.add(UsageRecord(**row))


# ----------------------------------------------------------------- real requests


def test_a_scrape_equals_the_ledger_after_real_requests(demo_users, fresh_sim):
    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-anthropic:claude-haiku-4-5")
    set_chain(orch, "freemium", "draft_cv", "sim-gemini:gemini-2.5-flash")
    first = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert first.provider == "sim-openai"
    hit = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert hit.cached
    fresh_sim.set_sticky_fault("openai", kind="status", status=401)  # auth: not retried, falls back
    fallback = orch.run("extract_job", user="free@example.com", text=POSTING + "\nApply by Friday.")
    assert fallback.provider == "sim-anthropic"
    fresh_sim.clear_faults()
    orch.run("draft_cv", user="free@example.com", job_id=first.job_id)
    plans.set_limits(orch, code="freemium", requests_per_day=0, actor=operator())
    with pytest.raises(QuotaExceeded):
        orch.run("extract_job", user="free@example.com", text=POSTING, regenerate=True)

    got = scrape(orch)
    assert_matches_ledger(orch, got)
    attempts = got["orchestrator_attempts_total"]
    assert attempts[key(provider="sim-openai", model="gpt-4o-mini", task="extract_job", status="success")] == 1
    assert attempts[key(provider="sim-openai", model="gpt-4o-mini", task="extract_job", status="cached")] == 1
    assert attempts[key(provider="sim-openai", model="gpt-4o-mini", task="extract_job", status="error")] == 1
    assert attempts[key(provider="sim-anthropic", model="claude-haiku-4-5", task="extract_job",
                        status="success")] == 1
    assert got["orchestrator_quota_denials_total"] == {key(plan="freemium", reason="requests_per_day"): 1.0}
    cost = got["orchestrator_cost_usd_total"]
    assert first.cost_usd > 0 and fallback.cost_usd > 0
    assert cost[key(provider="sim-openai", model="gpt-4o-mini", plan="freemium")] == float(first.cost_usd)
    assert cost[key(provider="sim-anthropic", model="claude-haiku-4-5", plan="freemium")] == \
        float(fallback.cost_usd)
    # four provider calls: success, error, success (extraction) and the draft; the hit and the denial are not calls
    counts = got["orchestrator_request_duration_seconds_count"]
    assert sum(counts.values()) == 4
    assert counts[key(task="extract_job", provider="sim-openai")] == 2


# ----------------------------------------------------------------- rollups + live rows


def test_totals_are_exact_with_past_days_rolled_up_and_today_live(orch):
    now = datetime.now(UTC)
    today = datetime.combine(now.date(), time(0), tzinfo=UTC)
    for days_ago, hour in ((5, 3), (5, 22), (3, 12), (2, 1), (1, 23), (0, 0)):
        when = today - timedelta(days=days_ago) + timedelta(hours=hour, minutes=7)
        add_row(orch, when=when, latency_ms=40 * (days_ago + 1) + hour)
        add_row(orch, when=when, status="error", error_type="timeout", latency_ms=30_000, cost="0.000000000001")
        add_row(orch, when=when, status="cached", latency_ms=3, cost="0")
        add_row(orch, when=when, status="quota_denied", error_type="tokens_per_month", latency_ms=0, cost="0",
                plan="freemium", usage=TokenUsage())
        add_row(orch, when=when, provider="local", model="llama3.1:8b", cost=None)  # unpriced
    # first a scrape as of three days ago: days up to 4 days ago rolled up, the rest live
    early = metrics.collect(orch, now=today - timedelta(days=3) + timedelta(hours=12))
    assert early.watermark == (today - timedelta(days=4)).date()
    got_early = parse(metrics.exposition(early))
    assert_matches_ledger(orch, got_early)
    # then now: every past day rolled up, today's rows live; the same totals (scraped at the
    # `now` the rows were laid out from, so a run across midnight sees the same days)
    got = scrape(orch, now=now)
    with orch.db.read() as s:
        rolled = s.scalar(select(UsageDaily.day).order_by(UsageDaily.day.desc()).limit(1))
    assert rolled == (today - timedelta(days=1)).date()
    assert got == got_early
    assert_matches_ledger(orch, got)
    assert got["orchestrator_unpriced_attempts_total"] == {key(provider="local", model="llama3.1:8b"): 6.0}
    assert got["orchestrator_quota_denials_total"] == {key(plan="freemium", reason="tokens_per_month"): 6.0}
    # the cost counter adds picodollars exactly: 6 x 0.001 + 6 x 1e-12 (one picodollar) for the openai rows on plan pro
    assert got["orchestrator_cost_usd_total"][key(provider="openai", model="gpt-5-nano", plan="pro")] == \
        float(Decimal("0.006000000006"))
    # a late row on a rolled-up day (seeding, an import) is found by the next scrape
    add_row(orch, when=today - timedelta(days=2, hours=-3), latency_ms=77)
    assert_matches_ledger(orch, scrape(orch, now=now))


# ----------------------------------------------------------------- several processes


def test_two_orchestrators_on_one_database_report_the_same_totals(demo_users, database_url, tmp_path):
    a = demo_users
    b = Orchestrator(database_url=database_url, settings=test_settings(tmp_path / "b"))
    try:
        a.run("extract_job", user="free@example.com", text=POSTING)
        b.run("extract_job", user="pro@example.com", text=POSTING)
        b.run("chat", user="pro@example.com", messages=[{"role": "user", "content": "Hello"}])
        got_a, got_b = scrape(a), scrape(b)
        assert got_a == got_b
        assert_matches_ledger(a, got_a)
        assert sum(got_a["orchestrator_attempts_total"].values()) == 3
        a.run("extract_job", user="paygo@example.com", text=POSTING)  # one process writes, the other sees it
        assert sum(scrape(b)["orchestrator_attempts_total"].values()) == 4
    finally:
        b.close()


# ----------------------------------------------------------------- the histogram


def test_histogram_bounds_coincide_with_rollup_buckets():
    assert len(LE_MS) >= 12 and all(b in rollups.BOUNDS for b in LE_MS)
    assert LE_MS[0] <= 16 and LE_MS[-1] >= 120_000
    for ms in [*range(0, 2100), *range(2100, 300_000, 7), *(b + d for b in LE_MS for d in (-1, 0, 1))]:
        assert slot_of_bucket(rollups.bucket_of(ms)) == slot_of_ms(ms), ms


def test_histogram_buckets_are_cumulative_and_exact(orch):
    now = datetime.now(UTC)
    today = datetime.combine(now.date(), time(0), tzinfo=UTC)
    edges = [0, 1, 15, 16, 17, 31, 32, 100, 1023, 1024, 4095, 4096, 65535, 131071, 131072, 500_000]
    for i, ms in enumerate(edges):  # half on past days (rolled up), half today (live)
        when = today - timedelta(days=2) + timedelta(hours=i) if i % 2 else today + timedelta(seconds=i)
        add_row(orch, when=when, latency_ms=ms, status="success" if i % 3 else "error", task="cover_letter",
                provider="anthropic", model="claude-sonnet-4-5")
    add_row(orch, when=today, latency_ms=5, status="cached", task="cover_letter", provider="anthropic",
            model="claude-sonnet-4-5")  # a cache hit is not a provider call
    got = scrape(orch)
    buckets = {float(dict(k)["le"]): v for k, v in got["orchestrator_request_duration_seconds_bucket"].items()
               if ("provider", "anthropic") in k}
    bounds = sorted(buckets)
    assert bounds == [*((b - 1) / 1000 for b in LE_MS), math.inf]
    values = [buckets[b] for b in bounds]
    assert values == sorted(values), "cumulative"
    for le in bounds:
        assert buckets[le] == sum(1 for ms in edges if ms / 1000 <= le), le
    labels = key(task="cover_letter", provider="anthropic")
    assert got["orchestrator_request_duration_seconds_count"][labels] == len(edges) == buckets[math.inf]
    assert math.isclose(got["orchestrator_request_duration_seconds_sum"][labels], sum(edges) / 1000)
    assert buckets[0.015] == 3 and buckets[0.031] == 6  # 0, 1, 15 | then 16, 17, 31
    assert_matches_ledger(orch, got)


# ----------------------------------------------------------------- circuit state


def test_circuit_state_reflects_provider_health_for_every_provider(sim_orch):
    orch = sim_orch
    with orch.db.write() as s:
        ids = {p.name: p.id for p in s.scalars(select(Provider))}
        s.add(ProviderHealth(provider_id=ids["sim-openai"], state="open", consecutive_failures=5,
                             opened_at=datetime.now(UTC)))
        s.add(ProviderHealth(provider_id=ids["sim-anthropic"], state="half_open", consecutive_failures=5))
        s.add(ProviderHealth(provider_id=ids["sim-gemini"], state="closed", consecutive_failures=0))
    got = scrape(orch)["orchestrator_circuit_state"]
    assert {dict(k)["provider"] for k in got} == set(ids)
    assert got[key(provider="sim-openai")] == 2
    assert got[key(provider="sim-anthropic")] == 1
    assert got[key(provider="sim-gemini")] == 0 and got[key(provider="sim-local")] == 0  # no row: closed
    body = metrics.render(orch, use_cache=False).decode()
    assert "0 closed, 1 half_open, 2 open" in body


# ----------------------------------------------------------------- the cache


def _statements(orch) -> list[str]:
    seen: list[str] = []
    event.listen(orch.db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_scrapes_within_the_cache_window_do_not_read_the_database(database_url, tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(metrics, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    orch = Orchestrator(database_url=database_url, settings=test_settings(tmp_path, metrics_cache_s=5.0))
    try:
        add_row(orch, when=datetime.now(UTC))
        seen = _statements(orch)
        first = metrics.render(orch)
        assert seen, "the first scrape reads the database"
        seen.clear()
        clock[0] += 4.9
        add_row(orch, when=datetime.now(UTC))
        seen.clear()
        assert metrics.render(orch) == first and seen == []
        clock[0] += 0.2  # the window has passed: the next scrape sees the new row
        later = metrics.render(orch)
        assert later != first and seen
        attempts = parse(later)["orchestrator_attempts_total"]
        assert attempts[key(provider="openai", model="gpt-5-nano", task="draft_cv", status="success")] == 2
    finally:
        orch.close()


def test_complete_days_are_read_once_per_rollup_state(orch):
    now = datetime.now(UTC)  # every scrape is as of this instant, so a run across midnight rolls up no new day
    today = datetime.combine(now.date(), time(0), tzinfo=UTC)
    for days_ago in (4, 3, 2, 1, 0):
        add_row(orch, when=today - timedelta(days=days_ago) + timedelta(hours=1), latency_ms=200 + days_ago)
    seen = _statements(orch)
    assert_matches_ledger(orch, scrape(orch, now=now))
    assert any("usage_latency_daily" in sql for sql in seen)
    seen.clear()
    add_row(orch, when=now, latency_ms=9)  # a live row: the rolled-up days are not read again
    assert_matches_ledger(orch, scrape(orch, now=now))
    assert not any("usage_daily" in sql or "usage_latency_daily" in sql for sql in seen)
    add_row(orch, when=today - timedelta(days=3, hours=-5), latency_ms=300)  # late: its day is rolled up again
    seen.clear()
    assert_matches_ledger(orch, scrape(orch, now=now))
    assert any("usage_latency_daily" in sql for sql in seen)


def test_deleted_ledger_rows_leave_the_totals_after_a_rebuild(orch):
    today = datetime.combine(datetime.now(UTC).date(), time(0), tzinfo=UTC)
    for days_ago in (3, 2, 2, 1):
        add_row(orch, when=today - timedelta(days=days_ago) + timedelta(hours=2), plan="freemium")
    add_row(orch, when=today - timedelta(days=2), plan="pro")
    assert_matches_ledger(orch, scrape(orch))
    with orch.db.write() as s:  # what ``demo purge`` does: delete rows, then rebuild the rollups
        s.execute(UsageRecord.__table__.delete().where(UsageRecord.plan == "freemium"))
    rollups.rebuild_rollups(orch.db)
    got = scrape(orch)
    assert_matches_ledger(orch, got)
    assert sum(got["orchestrator_attempts_total"].values()) == 1
