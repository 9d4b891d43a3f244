"""The analytics queries the bench times, and how it times them.

*Cold*: a new engine (so a new connection: SQLite's page cache and PostgreSQL's
session start empty) and the analytics TTL cache cleared; the OS page cache and
PostgreSQL's shared buffers stay warm (dropping them needs root and disturbs the whole
machine). *Warm*: the same engine, TTL cache cleared before each of 5 runs; the median
is reported. Every call includes the rollup freshness check a dashboard call makes.

The *baseline* is ``SELECT COUNT(*) FROM usage_log`` (a full pass over the ledger's
smallest index), warm, median of 5: ratios are query time / baseline time.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select, text

from db.models import UsageRecord
from db.session import Database
from orchestrator import rollups
from orchestrator.services.admin import alerts, price_changes
from orchestrator.services.reports import analytics
from orchestrator.services.reports import analytics_finance as finance
from orchestrator.services.reports.analytics_queries import AnalyticsFilter, clear_cache

WARM_RUNS = 5


@dataclass
class Timing:
    name: str
    cold_ms: float
    warm_ms: float


def queries(today: date, heavy_user: int | None, now: datetime):
    """[(name, callable(orch))] covering every chart of the Analytics and Alerts pages."""
    f30 = AnalyticsFilter(start=today - timedelta(days=29), end=today)
    f90 = AnalyticsFilter(start=today - timedelta(days=89), end=today)
    out = [
        ("kpis (30 d + previous 30 d)", lambda o: analytics.kpis(o, filt=f30)),
        ("daily cost by provider", lambda o: analytics.daily_by_provider(o, filt=f30)),
        ("cost by plan x task", lambda o: analytics.cost_by_plan_task(o, filt=f30)),
        ("tokens by model", lambda o: analytics.tokens_by_model(o, filt=f30)),
        ("latency p50/p95 by provider/day", lambda o: analytics.latency_by_provider(o, filt=f30)),
        ("error rate by provider", lambda o: analytics.errors_by_provider(o, filt=f30)),
        ("top users by cost", lambda o: analytics.top_users(o, filt=f30)),
        ("month-end forecast", lambda o: finance.forecast(o, filt=f30)),
        ("plan economics + margin/user", lambda o: finance.plan_economics(o, filt=f30)),
        ("CSV export (daily aggregates)", lambda o: finance.export_csv(o, filt=f30, dataset="daily")),
        ("filter options", lambda o: analytics.filter_options(o)),
        ("alerts: evaluate now", lambda o: alerts.evaluate(o, now=now)),
        ("alerts: 30-day history", lambda o: alerts.history(o, days=30, today=today)),
        ("kpis, 90 days", lambda o: analytics.kpis(o, filt=f90)),
        ("kpis, provider=anthropic", lambda o: analytics.kpis(o, filt=AnalyticsFilter(
            start=f30.start, end=f30.end, providers=("anthropic",)))),
        ("top users, model filter (ledger)", lambda o: analytics.top_users(o, filt=AnalyticsFilter(
            start=f30.start, end=f30.end, models=("gpt-5-nano",)))),
        # the busiest model's last 30 days re-priced under a proposed change, with margin per plan
        ("price change preview (30 d)", lambda o: price_changes.preview_price_change(
            o, kind="gemini", model="gemini-2.5-flash-lite", prices={"input_mtok": "0.12"}, today=today)),
    ]
    if heavy_user is not None:
        out.append(("kpis, one user (ledger)", lambda o: analytics.kpis(o, filt=AnalyticsFilter(
            start=f90.start, end=f90.end, user_id=heavy_user))))
    return out


def _ms(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def time_queries(url: str, named) -> list[Timing]:
    out = []
    warm_db = Database(url)
    warm = SimpleNamespace(db=warm_db)
    try:
        for name, fn in named:
            cold_db = Database(url)
            try:
                clear_cache()
                cold = _ms(lambda: fn(SimpleNamespace(db=cold_db)))
            finally:
                cold_db.dispose()
            runs = []
            for _ in range(WARM_RUNS):
                clear_cache()
                runs.append(_ms(lambda: fn(warm)))
            out.append(Timing(name, cold, statistics.median(runs)))
    finally:
        warm_db.dispose()
    return out


def baseline(url: str) -> tuple[float, float]:
    """(COUNT(*) median ms, naive raw-ledger daily cost by provider over 30 days median ms)."""
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            count = [_ms(lambda: conn.execute(select(func.count()).select_from(UsageRecord)).scalar())
                     for _ in range(WARM_RUNS)]
            day = rollups.day_expr(db.dialect)
            since = datetime.now().astimezone() - timedelta(days=30)
            q = (select(day, UsageRecord.provider, func.sum(UsageRecord.cost_usd))
                 .where(UsageRecord.timestamp >= since).group_by(day, UsageRecord.provider))
            naive = [_ms(lambda: conn.execute(q).all()) for _ in range(WARM_RUNS)]
    finally:
        db.dispose()
    return statistics.median(count), statistics.median(naive)


def heaviest_user(url: str) -> int | None:
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT user_id FROM usage_user_daily GROUP BY user_id "
                                     "ORDER BY SUM(attempts) DESC LIMIT 1")).scalar()
    finally:
        db.dispose()
