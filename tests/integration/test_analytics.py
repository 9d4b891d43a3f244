"""Cost analytics against independent SQL over the ledger, on SQLite and PostgreSQL.

Every DTO is checked against totals this file computes itself from ``usage_log``, with
rollups covering the past days and today's rows read live; filters, previous-period
deltas, late rows, percentiles within the documented bound, forecast and plan economics
arithmetic (exact Decimal)."""

from __future__ import annotations

import calendar
import math
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from db.base import pico_to_usd
from db.models import UsageDaily, UsageRecord, UsageUserDaily, User
from orchestrator import rollups
from orchestrator.services.reports import analytics as an
from orchestrator.services.reports import analytics_finance as fin
from orchestrator.services.reports.analytics_queries import AnalyticsFilter, clear_cache, grouped
from tests.support import operator

PROVIDERS = {"gemini": ("gemini", ["gemini-2.5-flash-lite", "gemini-2.5-pro"]),
             "openai": ("openai", ["gpt-5-nano"]), "anthropic": ("anthropic", ["claude-sonnet-4-5"]),
             "local": ("openai_compatible", ["llama3.1:8b"])}  # local: unpriced
USERS = [("ana@ex.com", "freemium"), ("bo@ex.com", "paygo"), ("cy@ex.com", "pro"), ("di@ex.com", "pro")]


def now_utc() -> datetime:
    return datetime.now(UTC)


def make_users(orch) -> dict[str, int]:
    from orchestrator.services.admin.users import add_user

    return {email: add_user(orch, email=email, plan=plan, actor=operator()).id for email, plan in USERS}


def make_ledger(orch, *, days: int = 20, per_day: int = 30, seed: int = 5, now: datetime | None = None) -> dict:
    """A deterministic ledger: ``days`` past days plus today (up to now), every status,
    four providers (one unpriced), four users on three plans. Returns {email: user id}."""
    rng = random.Random(seed)
    now = now or now_utc()
    ids = make_users(orch)
    rows = []
    for d in range(days, -1, -1):
        day = now.date() - timedelta(days=d)
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        span = (now - midnight) if d == 0 else timedelta(days=1)
        for _ in range(per_day):
            email, plan = rng.choice(USERS)
            ts = midnight + span * rng.random() * 0.999
            rows.extend(_request(rng, ids[email], plan, ts))
    with orch.db.write() as s:
        s.add_all(UsageRecord(**r) for r in rows)
    return ids


def _request(rng, uid, plan, ts) -> list[dict]:
    rid = uuid.UUID(int=rng.getrandbits(128)).hex
    task = rng.choice(["extract_job", "draft_cv", "cover_letter"])
    provider = rng.choice(list(PROVIDERS))
    kind, models = PROVIDERS[provider]
    base = dict(request_id=rid, user_id=uid, plan=plan, task_type=task, provider=provider, provider_kind=kind,
                model=rng.choice(models), timestamp=ts)
    roll = rng.random()
    if roll < 0.05:
        return [dict(base, attempt=0, status="quota_denied", error_type="requests_per_day", latency_ms=0)]
    if roll < 0.15:
        return [dict(base, attempt=1, status="cached", latency_ms=rng.randint(1, 9))]
    out, attempt = [], 1
    if roll < 0.30:  # a failed attempt first, then a fallback
        out.append(dict(base, attempt=1, status="error", error_type="server_error",
                        latency_ms=rng.randint(50, 9000), cost_usd=Decimal("0.000123")))
        attempt = 2
        base = dict(base, provider="openai", provider_kind="openai", model="gpt-5-nano")
    unpriced = base["provider"] == "local"
    cost = None if unpriced else Decimal(rng.randint(1, 2_000_000)) / Decimal(10**9)
    charged = (cost * 3 / 2).quantize(Decimal("1e-12")) if plan == "paygo" and cost else Decimal(0)
    out.append(dict(base, attempt=attempt, status="success", tokens_input=rng.randint(100, 4000),
                    tokens_output=rng.randint(50, 1500), tokens_cached=rng.randint(0, 90),
                    tokens_reasoning=rng.randint(0, 40), cost_usd=cost, priced=not unpriced, charged_usd=charged,
                    latency_ms=int(rng.lognormvariate(math.log(1200), 0.6))))
    return out


# ------------------------------------------------------------ independent SQL


def day_sql(orch) -> str:
    return "date(timestamp)" if orch.db.is_sqlite else "CAST(timestamp AS DATE)::text"


def sql(orch, query: str, **params):
    with orch.db.read() as s:
        return s.execute(text(query), params).all()


def period_where(f: AnalyticsFilter, extra: str = "") -> tuple[str, dict]:
    lo = datetime.combine(f.start, time(0))
    hi = datetime.combine(f.end + timedelta(days=1), time(0))
    return f"timestamp >= :lo AND timestamp < :hi {extra}", {"lo": lo, "hi": hi}


def sql_totals(orch, f: AnalyticsFilter, extra: str = "", **params) -> dict:
    where, p = period_where(f, extra)
    row = sql(orch, f"""
        SELECT COALESCE(SUM(cost_usd), 0), SUM(CASE WHEN attempt <= 1 THEN 1 ELSE 0 END),
               COALESCE(SUM(tokens_input + tokens_output), 0),
               SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END),
               SUM(CASE WHEN status IN ('success', 'error') THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 'cached' THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 'quota_denied' AND attempt <= 1 THEN 1 ELSE 0 END),
               SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END), COALESCE(SUM(charged_usd), 0)
        FROM usage_log WHERE {where}""", **p, **params)[0]
    cost, req, tok, err, calls, hits, denied, unpriced, charged = (int(v or 0) for v in row)
    return dict(cost=pico_to_usd(cost), requests=req, tokens=tok, errors=err, calls=calls, hits=hits,
                denied=denied, unpriced=unpriced, charged=pico_to_usd(charged))


def exact_percentile(orch, f: AnalyticsFilter, p: float, extra: str = "") -> int:
    where, params = period_where(f, f"AND status IN ('success', 'error') {extra}")
    n = sql(orch, f"SELECT COUNT(*) FROM usage_log WHERE {where}", **params)[0][0]
    rank = max(1, math.ceil(p * n))
    return sql(orch, f"SELECT latency_ms FROM usage_log WHERE {where} ORDER BY latency_ms LIMIT 1 OFFSET :o",
               o=rank - 1, **params)[0][0]


@pytest.fixture
def ledger(orch):
    ids = make_ledger(orch)
    clear_cache()
    yield ids
    clear_cache()


def last(days: int) -> AnalyticsFilter:
    today = now_utc().date()
    return AnalyticsFilter(start=today - timedelta(days=days - 1), end=today)


# ------------------------------------------------------------ tests


def test_kpis_match_the_ledger_for_the_period_and_the_previous_one(orch, ledger):
    f = last(10)
    report = an.kpis(orch, filt=f)
    for k, period in ((report.current, f), (report.previous, f.previous())):
        want = sql_totals(orch, period)
        assert (k.cost_usd, k.requests, k.tokens, k.errors, k.provider_calls, k.cache_hits, k.denied_requests,
                k.unpriced) == (want["cost"], want["requests"], want["tokens"], want["errors"], want["calls"],
                                want["hits"], want["denied"], want["unpriced"])
        assert k.error_rate == pytest.approx(want["errors"] / want["calls"])
        assert k.cache_hit_rate == pytest.approx(want["hits"] / (want["requests"] - want["denied"]))
    assert report.previous.requests > 0 and f.previous().end == f.start - timedelta(days=1)
    assert rollups.watermark(orch.db) is not None  # the past days came from the rollups


def test_daily_cost_by_provider_matches_sql(orch, ledger):
    f = last(21)
    where, p = period_where(f)
    want = {(d, prov): (pico_to_usd(c), e) for d, prov, c, e in sql(orch, f"""
        SELECT {day_sql(orch)}, provider, COALESCE(SUM(cost_usd), 0), SUM(CASE WHEN status='error' THEN 1 ELSE 0 END)
        FROM usage_log WHERE {where} GROUP BY 1, 2""", **p)}
    got = {(d.day.isoformat(), d.provider): (d.cost_usd, d.errors) for d in an.daily_by_provider(orch, filt=f)}
    assert got == want
    assert len({d for d, _ in got}) == 21  # every day, today included


def test_cost_by_plan_task_tokens_by_model_and_errors_match_sql(orch, ledger):
    f = last(15)
    where, p = period_where(f)
    want = {(pl, t): pico_to_usd(c) for pl, t, c in sql(
        orch, f"SELECT plan, task_type, COALESCE(SUM(cost_usd), 0) FROM usage_log WHERE {where} GROUP BY 1, 2", **p)}
    assert {(r.plan, r.task): r.cost_usd for r in an.cost_by_plan_task(orch, filt=f)} == want
    want = {(pr, m): tuple(int(v) for v in rest) for pr, m, *rest in sql(orch, f"""
        SELECT provider, model, SUM(tokens_input), SUM(tokens_cached), SUM(tokens_output), SUM(tokens_reasoning)
        FROM usage_log WHERE {where} GROUP BY 1, 2""", **p)}
    got = an.tokens_by_model(orch, filt=f)
    assert {(t.provider, t.model): (t.input_tokens, t.cached_tokens, t.output_tokens, t.reasoning_tokens)
            for t in got} == want
    assert [t.total for t in got] == sorted((t.total for t in got), reverse=True)
    want = {pr: (int(c), int(e)) for pr, c, e in sql(orch, f"""
        SELECT provider, COUNT(*), SUM(CASE WHEN status='error' THEN 1 ELSE 0 END) FROM usage_log
        WHERE {where} AND status IN ('success', 'error') GROUP BY 1""", **p)}
    assert {e.provider: (e.calls, e.errors) for e in an.errors_by_provider(orch, filt=f)} == want


@pytest.mark.parametrize("field,values,extra", [
    ("providers", ("anthropic",), "AND provider = 'anthropic'"),
    ("models", ("gpt-5-nano", "gemini-2.5-pro"), "AND model IN ('gpt-5-nano', 'gemini-2.5-pro')"),
    ("plans", ("pro",), "AND plan = 'pro'"),
    ("tasks", ("draft_cv",), "AND task_type = 'draft_cv'"),
])
def test_filters(orch, ledger, field, values, extra):
    f = AnalyticsFilter(**{**last(12).__dict__, field: values})
    k = an.kpis(orch, filt=f).current
    want = sql_totals(orch, f, extra)
    assert (k.cost_usd, k.requests, k.tokens, k.errors) == (want["cost"], want["requests"], want["tokens"],
                                                            want["errors"])
    users = {u.user_id: u.cost_usd for u in an.top_users(orch, filt=f, limit=10)}
    where, p = period_where(f, extra)
    assert users == {uid: pico_to_usd(c) for uid, c in sql(
        orch, f"SELECT user_id, COALESCE(SUM(cost_usd), 0) FROM usage_log WHERE {where} GROUP BY 1", **p)}


def test_user_filter_reads_that_user_only(orch, ledger):
    uid = ledger["bo@ex.com"]
    f = AnalyticsFilter(**{**last(20).__dict__, "user_id": uid})
    k = an.kpis(orch, filt=f).current
    want = sql_totals(orch, f, "AND user_id = :u", u=uid)
    assert (k.cost_usd, k.requests, k.tokens) == (want["cost"], want["requests"], want["tokens"])
    assert [u.user_id for u in an.top_users(orch, filt=f)] == [uid]
    econ = fin.plan_economics(orch, filt=f)
    assert [m.user_id for m in econ.users] == [uid]
    assert econ.users[0].charges_usd == want["charged"] and econ.users[0].ai_cost_usd == want["cost"]


def test_rollups_and_live_rows_combine(orch, ledger):
    now = now_utc()
    res = rollups.refresh_rollups(orch.db, now=now)
    mark = res.last_day
    assert mark == rollups.last_complete_day(now)
    # the rolled-up days equal the ledger, per day
    lo = datetime.combine(mark + timedelta(days=1), time(0), tzinfo=UTC)
    with orch.db.read() as s:
        rolled = s.scalar(select(func.sum(UsageDaily.cost_usd)))
        ledger_past = s.scalar(select(func.sum(UsageRecord.cost_usd)).where(UsageRecord.timestamp < lo))
        user_rolled = s.scalar(select(func.sum(UsageUserDaily.attempts)))
        attempts_past = s.scalar(select(func.count()).select_from(UsageRecord).where(UsageRecord.timestamp < lo))
    assert rolled == ledger_past and user_rolled == attempts_past
    # new rows today (live) and a late row on a rolled-up day are both counted
    uid = ledger["cy@ex.com"]
    late_day = mark - timedelta(days=3)
    extra = [dict(_request(random.Random(9), uid, "pro", ts)[-1], status="success", cost_usd=Decimal("1.5"),
                  priced=True) for ts in (now - timedelta(seconds=1), datetime.combine(late_day, time(12), tzinfo=UTC))]
    with orch.db.write() as s:
        s.add_all(UsageRecord(**r) for r in extra)
    f = last(20)
    stale = grouped(orch.db, f, "calls", ("day",))  # before the refresh: the late row is missing
    assert sum(v["cost_usd"] for v in stale.values()) == sql_totals(orch, f)["cost"] - Decimal("1.5")
    again = rollups.refresh_rollups(orch.db, now=now)
    assert again.rolled == (late_day, mark)  # the late row's day was redone
    assert rollups.refresh_rollups(orch.db, now=now).rolled is None  # then nothing to do
    clear_cache()
    assert an.kpis(orch, filt=f).current.cost_usd == sql_totals(orch, f)["cost"]


def test_refresh_since_recomputes_and_is_idempotent(orch, ledger):
    now = now_utc()
    rollups.refresh_rollups(orch.db, now=now)
    with orch.db.read() as s:
        before = s.execute(select(func.count(), func.sum(UsageDaily.cost_usd))).one()
    rollups.refresh_rollups(orch.db, now=now, since=now.date() - timedelta(days=30))
    rollups.rebuild_rollups(orch.db, now=now)
    with orch.db.read() as s:
        assert s.execute(select(func.count(), func.sum(UsageDaily.cost_usd))).one() == before


def test_latency_percentiles_are_within_the_documented_bound(orch, ledger):
    f = last(21)
    k = an.kpis(orch, filt=f).current
    for est, p in ((k.p50_ms, 0.5), (k.p95_ms, 0.95)):
        exact = exact_percentile(orch, f, p)
        assert abs(est - exact) <= rollups.PERCENTILE_ERROR * exact + 1e-9, (p, est, exact)
    for point in an.latency_by_provider(orch, filt=f).by_provider:
        exact = exact_percentile(orch, f, 0.95, f"AND provider = '{point.provider}'")
        assert abs(point.p95_ms - exact) <= rollups.PERCENTILE_ERROR * exact + 1e-9


def test_sql_buckets_equal_python_buckets(orch):
    values = sorted({0, 1, 2, 3, 5, 8, 99, 100, 101, 262143, 262144, 10**7} | set(rollups.BOUNDS)
                    | {b - 1 for b in rollups.BOUNDS})
    cases = " UNION ALL ".join(f"SELECT {v} AS v" for v in values)
    from sqlalchemy import literal_column

    expr = rollups.bucket_expr(literal_column("v"))
    with orch.db.read() as s:
        compiled = expr.compile(dialect=s.get_bind().dialect, compile_kwargs={"literal_binds": True})
        got = dict(s.execute(text(f"SELECT v, {compiled} FROM ({cases}) AS t")).all())
    assert got == {v: rollups.bucket_of(v) for v in values}
    assert rollups.percentile({}, 0.5) is None


def test_forecast_arithmetic(orch):
    """Known daily spend: month to date plus the trailing 7-day average x days left, exactly."""
    today = now_utc().date()
    uid = make_users(orch)["cy@ex.com"]
    start = min(today.replace(day=1), today - timedelta(days=7))
    daily = {start + timedelta(days=i): Decimal(i + 1) / 100 for i in range((today - start).days + 1)}
    with orch.db.write() as s:
        for day, cost in daily.items():
            ts = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(seconds=1)
            s.add(UsageRecord(timestamp=min(ts, now_utc()), request_id=uuid.uuid4().hex, attempt=1, user_id=uid,
                              plan="pro", task_type="draft_cv", provider="openai", provider_kind="openai",
                              model="gpt-5", status="success", cost_usd=cost))
    clear_cache()
    fc = fin.forecast(orch, filt=last(30), today=today)
    mtd = sum((c for d, c in daily.items() if d >= today.replace(day=1)), Decimal(0))
    trailing = sum((daily[today - timedelta(days=k)] for k in range(1, 8)), Decimal(0))
    days_left = calendar.monthrange(today.year, today.month)[1] - today.day
    assert fc.month_to_date_usd == mtd
    assert fc.trailing_avg_usd == (trailing / 7).quantize(Decimal("1e-12"))
    assert fc.days_left == days_left
    assert fc.forecast_usd == mtd + fc.trailing_avg_usd * days_left
    proj = fc.projection()
    assert proj[-1][0] == fc.month_end and proj[-1][1] == fc.forecast_usd


def test_plan_economics_arithmetic(orch):
    """A whole calendar month: each pro subscriber pays exactly one fee; charges and costs
    are the ledger's; margins are exact."""
    make_ledger(orch, days=62, per_day=8)
    today = now_utc().date()
    prev_end = today.replace(day=1) - timedelta(days=1)
    f = AnalyticsFilter(start=prev_end.replace(day=1), end=prev_end)
    old = datetime.combine(f.start - timedelta(days=40), time(0), tzinfo=UTC)
    with orch.db.write() as s:
        for u in s.scalars(select(User)):
            u.created_at = old
    clear_cache()
    report = fin.plan_economics(orch, filt=f)
    plans = {p.plan: p for p in report.plans}
    where, p = period_where(f)
    by_plan = {pl: (pico_to_usd(c), pico_to_usd(ch)) for pl, c, ch in sql(orch, f"""
        SELECT plan, COALESCE(SUM(cost_usd), 0), COALESCE(SUM(charged_usd), 0) FROM usage_log WHERE {where}
        GROUP BY 1""", **p)}
    with orch.db.read() as s:
        subs = dict(s.execute(text("SELECT p.code, COUNT(*) FROM users u JOIN plans p ON p.id = u.plan_id "
                                   "WHERE u.is_active GROUP BY 1")).all())
    pro = plans["pro"]
    assert pro.subscribers == subs["pro"] and pro.fee_revenue_usd == Decimal("19") * subs["pro"]
    for code, pe in plans.items():
        cost, charged = by_plan.get(code, (Decimal(0), Decimal(0)))
        assert (pe.ai_cost_usd, pe.charges_usd) == (cost, charged)
        assert pe.margin_usd == pe.fee_revenue_usd + charged - cost
        assert pe.margin_per_user_usd == (pe.margin_usd / pe.subscribers).quantize(Decimal("1e-12"))
    margins = [m.margin_usd for m in report.users]
    assert margins == sorted(margins, reverse=True)
    assert sum(m.ai_cost_usd for m in report.users) == sum(c for c, _ in by_plan.values())


def test_fee_share_prorates_per_calendar_month():
    fee = Decimal("19")
    assert fin.fee_share(fee, date(2025, 3, 1), date(2025, 3, 31)) == fee
    assert fin.fee_share(fee, date(2025, 2, 15), date(2025, 3, 31)) == fee + (fee * 14 / 28)
    assert fin.fee_share(fee, date(2025, 4, 1), date(2025, 4, 10)) == (fee / 3).quantize(Decimal("1e-12"))
    assert fin.fee_share(fee, date(2025, 4, 11), date(2025, 4, 10)) == 0


def test_top_users_and_csv_export(orch, ledger):
    f = last(20)
    top = an.top_users(orch, filt=f, limit=2)
    assert len(top) == 2 and top[0].cost_usd >= top[1].cost_usd
    assert {u.email for u in top} <= {e for e, _ in USERS}
    csv_text = fin.export_csv(orch, filt=f, dataset="daily")
    lines = csv_text.strip().splitlines()
    header = lines[0].split(",")
    assert header[:6] == ["day", "plan", "task_type", "provider", "model", "status"]
    total = sum(Decimal(line.split(",")[header.index("cost_usd")]) for line in lines[1:])
    assert total == sql_totals(orch, f)["cost"]
    assert "margin_usd" in fin.export_csv(orch, filt=f, dataset="users").splitlines()[0]
    assert fin.export_csv(orch, filt=f, dataset="plans").count("\n") == 4
    with pytest.raises(ValueError):
        fin.export_csv(orch, filt=f, dataset="raw")


def test_results_are_cached_briefly(orch, ledger):
    f = last(5)
    first = an.kpis(orch, filt=f)
    assert an.kpis(orch, filt=f) is first
    clear_cache()
    assert an.kpis(orch, filt=f) is not first


def test_demo_seed_fills_rollups_and_purge_rebuilds_them(orch):
    from orchestrator.seeding.demo import purge_demo, seed_demo

    seed_demo(orch, users=15, days=12)
    mark = rollups.watermark(orch.db)
    lo = datetime.combine(mark + timedelta(days=1), time(0), tzinfo=UTC)
    with orch.db.read() as s:
        assert s.scalar(select(func.sum(UsageDaily.attempts))) == s.scalar(
            select(func.count()).select_from(UsageRecord).where(UsageRecord.timestamp < lo))
        assert s.scalar(select(func.max(UsageRecord.timestamp))) <= now_utc()
    purge_demo(orch)
    with orch.db.read() as s:
        assert s.scalar(select(func.count()).select_from(UsageDaily)) == 0
