"""Daily rollups of the usage ledger, so analytics stays fast at millions of calls.

The ledger is append-only and a finished UTC day never changes, so every complete day is
summed once into three small tables (``usage_daily``, ``usage_latency_daily``,
``usage_user_daily``) with ``INSERT ... SELECT ... GROUP BY`` (delete + insert per day:
idempotent). Analytics reads those plus the live ledger for the days not rolled up yet
(normally just today), through the ledger's timestamp index.

``refresh_rollups`` is cheap when there is nothing to do (two indexed reads), so analytics
calls it before every query. A day counts as complete ``GRACE`` after its UTC midnight,
so attempts that started before midnight and commit a little later are not missed.
Rows inserted later with an older timestamp (demo seeding, the bench) are found through
``rollup_state.max_ledger_id``: the next refresh redoes the days they fall on.

Latency percentiles come from histograms with log-spaced buckets, eight per octave
(bounds ``ceil(2 ** (k / 8))`` ms, 128 buckets up to 262 s). The bucket holding a
percentile's rank is found exactly (counts are exact), and the bucket's geometric midpoint
is within ``PERCENTILE_ERROR`` (2 ** (1/16) - 1 = 4.43 %) of the true nearest-rank
percentile: a bucket [lo, hi) holds integers lo..hi-1 with (hi-1)/lo < 2 ** (1/8). Calls of
``MAX_BOUND_MS`` (262 s) or more share the top bucket, reported as its lower bound.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, case, cast, delete, func, insert, literal_column, select, type_coerce
from sqlalchemy.orm import Session

from db.base import UTCDateTime, utcnow
from db.models import RollupState, UsageDaily, UsageLatencyDaily, UsageRecord, UsageUserDaily
from db.session import Database

STATE_NAME = "usage"
GRACE = timedelta(minutes=15)
BUCKETS_PER_OCTAVE = 8
BOUNDS: tuple[int, ...] = tuple(sorted({math.ceil(2 ** (k / BUCKETS_PER_OCTAVE))
                                        for k in range(18 * BUCKETS_PER_OCTAVE + 1)}))
MAX_BOUND_MS = BOUNDS[-1]
PERCENTILE_ERROR = 2 ** (1 / (2 * BUCKETS_PER_OCTAVE)) - 1
PROVIDER_CALLS = ("success", "error")
ROLLUP_TABLES = (UsageDaily, UsageLatencyDaily, UsageUserDaily)


# ----------------------------------------------------------------- latency buckets


def bucket_of(latency_ms: int) -> int:
    """Bucket index: 0 below 1 ms, i for [BOUNDS[i-1], BOUNDS[i]), len(BOUNDS) from MAX_BOUND_MS."""
    return bisect_right(BOUNDS, latency_ms)


def bucket_value(bucket: int) -> float:
    """The value reported for a bucket: the geometric midpoint of the integers it holds."""
    if bucket <= 0:
        return 0.0
    if bucket >= len(BOUNDS):
        return float(MAX_BOUND_MS)
    lo, hi = BOUNDS[bucket - 1], BOUNDS[bucket] - 1
    return math.sqrt(lo * hi)


def percentile(counts: dict[int, int], p: float) -> float | None:
    """Nearest-rank percentile (0 < p <= 1) from bucket counts; None without calls."""
    total = sum(counts.values())
    if total <= 0:
        return None
    rank = max(1, math.ceil(p * total))
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            return bucket_value(bucket)
    return bucket_value(max(counts))


def _n(value: int):
    """An integer constant rendered inline, so the same expression can sit in SELECT and
    GROUP BY on PostgreSQL (bound parameters would differ between the two)."""
    return literal_column(str(int(value)))


def bucket_expr(col, lo: int = 0, hi: int = len(BOUNDS)):
    """SQL for ``bucket_of(col)``: a balanced CASE tree, about 7 or 8 integer comparisons a row,
    portable (no log functions needed on SQLite)."""
    if lo == hi:
        return _n(lo)
    mid = (lo + hi + 1) // 2
    return case((col < _n(BOUNDS[mid - 1]), bucket_expr(col, lo, mid - 1)), else_=bucket_expr(col, mid, hi))


def day_expr(dialect: str, col=UsageRecord.timestamp):
    """The UTC day of a ledger timestamp (stored naive UTC), as a ``date``."""
    if dialect == "sqlite":
        return type_coerce(func.substr(col, _n(1), _n(10)), Date)
    return cast(col, Date)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, last+1 00:00) in UTC, for timestamp range filters that use the index."""
    return (datetime.combine(first, time(0), tzinfo=UTC),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC))


# ----------------------------------------------------------------- measures


def flag(condition):
    return case((condition, _n(1)), else_=_n(0))


def raw_measures() -> dict:
    """Ledger aggregates, named like the rollup columns they fill."""
    r = UsageRecord
    return {
        "requests": func.sum(flag(r.attempt <= _n(1))),
        "attempts": func.count(),
        "errors": func.sum(flag(r.status == "error")),
        "tokens_input": func.sum(r.tokens_input),
        "tokens_output": func.sum(r.tokens_output),
        "tokens_cached": func.sum(r.tokens_cached),
        "tokens_reasoning": func.sum(r.tokens_reasoning),
        "tokens_cache_write": func.sum(r.tokens_cache_write),
        "cost_usd": func.coalesce(func.sum(r.cost_usd), _n(0)),
        "unpriced": func.sum(flag(r.cost_usd.is_(None))),
        "charged_usd": func.coalesce(func.sum(r.charged_usd), _n(0)),
        "latency_ms_sum": func.sum(r.latency_ms),
        "calls": func.count(),
    }


DAILY_DIMS = ("plan", "task_type", "provider", "model", "status")
DAILY_MEASURES = ("requests", "attempts", "tokens_input", "tokens_output", "tokens_cached", "tokens_reasoning",
                  "tokens_cache_write", "cost_usd", "unpriced", "charged_usd", "latency_ms_sum")
LATENCY_DIMS = ("plan", "task_type", "provider", "model")
USER_DIMS = ("user_id", "plan")
USER_MEASURES = ("requests", "attempts", "errors", "tokens_input", "tokens_output", "cost_usd", "unpriced",
                 "charged_usd")


def _rollup_days(s: Session, dialect: str, first: date, last: date) -> None:
    """Recompute the rollups of days [first, last] from the ledger (delete + insert)."""
    for table in ROLLUP_TABLES:
        s.execute(delete(table).where(table.day >= first, table.day <= last))
    lo, hi = day_bounds(first, last)
    r, m = UsageRecord, raw_measures()
    in_range = (r.timestamp >= lo, r.timestamp < hi)
    day = day_expr(dialect)

    dims = [getattr(r, d) for d in DAILY_DIMS]
    q = select(day, *dims, *(m[k] for k in DAILY_MEASURES)).where(*in_range).group_by(day, *dims)
    s.execute(insert(UsageDaily).from_select(["day", *DAILY_DIMS, *DAILY_MEASURES], q))

    dims = [getattr(r, d) for d in LATENCY_DIMS]
    inner = select(day.label("day"), *dims, bucket_expr(r.latency_ms).label("bucket")).where(
        *in_range, r.status.in_(PROVIDER_CALLS)).subquery()
    cols = [inner.c.day, *(inner.c[d] for d in LATENCY_DIMS), inner.c.bucket]
    q = select(*cols, func.count()).group_by(*cols)
    s.execute(insert(UsageLatencyDaily).from_select(["day", *LATENCY_DIMS, "bucket", "calls"], q))

    dims = [getattr(r, d) for d in USER_DIMS]
    q = select(day, *dims, *(m[k] for k in USER_MEASURES)).where(*in_range).group_by(day, *dims)
    s.execute(insert(UsageUserDaily).from_select(["day", *USER_DIMS, *USER_MEASURES], q))


# ----------------------------------------------------------------- state and refresh


@dataclass(frozen=True)
class RefreshResult:
    last_day: date | None        # every day up to this one is rolled up
    rolled: tuple[date, date] | None  # the days recomputed by this call, if any


def last_complete_day(now: datetime) -> date:
    return (now.astimezone(UTC) - GRACE).date() - timedelta(days=1)


def watermark(db: Database) -> date | None:
    with db.read() as s:
        state = s.get(RollupState, STATE_NAME)
    return state.last_day if state else None


def _late_day(s: Session, state: RollupState | None) -> date | None:
    """The earliest day of ledger rows added since the last refresh (None when none).

    Reads only those rows, through the primary key. On SQLite the timestamp is wrapped in
    a unary ``+`` so the planner cannot answer MIN() by walking the whole timestamp index."""
    if state is None or state.last_day is None:
        return None
    col = UsageRecord.timestamp
    if s.get_bind().dialect.name == "sqlite":
        col = type_coerce(literal_column(f"+{UsageRecord.__tablename__}.timestamp"), UTCDateTime)
    ts = s.scalar(select(func.min(col)).where(UsageRecord.id > state.max_ledger_id))
    return ts.date() if ts is not None else None


def _plan(state: RollupState | None, late: date | None, target: date, since: date | None,
          first_ledger_day) -> tuple[date, date] | None:
    """Which days to recompute, or None. ``first_ledger_day`` is called only when needed."""
    if state is None or state.last_day is None:
        first = first_ledger_day()
    else:
        first = state.last_day + timedelta(days=1)
        if late is not None and late <= state.last_day:
            first = late
    if since is not None:
        first = since if first is None else min(first, since)
    if first is None or first > target:
        return None
    return first, target


def _first_ledger_day(s: Session) -> date | None:
    ts = s.scalar(select(func.min(UsageRecord.timestamp)))
    return ts.date() if ts is not None else None


def _needs_work(state: RollupState | None, late: date | None, target: date, since: date | None) -> bool:
    if since is not None or state is None or state.last_day is None:
        return True
    return state.last_day < target or (late is not None and late <= state.last_day)


def refresh_rollups(db: Database, *, now: datetime | None = None, since: date | None = None) -> RefreshResult:
    """Roll up every complete day not rolled up yet (and days that received late rows);
    ``since`` forces days from ``since`` on to be recomputed. Safe to call concurrently:
    the state row is locked while days are rewritten."""
    target = last_complete_day(now or utcnow())
    with db.read() as s:
        state = s.get(RollupState, STATE_NAME)
        late = _late_day(s, state)
    if not _needs_work(state, late, target, since):
        return RefreshResult(state.last_day, None)
    with db.write() as s:
        state = _lock_state(s, db.dialect)
        late = _late_day(s, state)
        if not _needs_work(state, late, target, since):
            return RefreshResult(state.last_day, None)
        max_id = s.scalar(select(func.max(UsageRecord.id))) or 0
        days = _plan(state, late, target, since, lambda: _first_ledger_day(s))
        if days is not None:
            _rollup_days(s, db.dialect, *days)
        state.last_day = max(target, state.last_day) if state.last_day else target
        state.max_ledger_id = max_id
        return RefreshResult(state.last_day, days)


def redo_days(db: Database, first: date, last: date) -> None:
    """Recompute the rollups of days [first, last] that are rolled up already, after their ledger
    rows changed in place (an audited re-pricing); later days are summed when their turn comes."""
    with db.write() as s:
        state = _lock_state(s, db.dialect)
        if state.last_day is not None and first <= state.last_day:
            _rollup_days(s, db.dialect, first, min(last, state.last_day))


def rebuild_rollups(db: Database, *, now: datetime | None = None) -> RefreshResult:
    """Throw the rollups away and recompute them from the whole ledger (after deletions,
    e.g. ``demo purge``)."""
    with db.write() as s:
        for table in ROLLUP_TABLES:
            s.execute(delete(table))
        s.execute(delete(RollupState).where(RollupState.name == STATE_NAME))
    return refresh_rollups(db, now=now)


def _lock_state(s: Session, dialect: str) -> RollupState:
    """The state row, created if missing and locked for this transaction (SQLite's
    BEGIN IMMEDIATE already serialises writers; PostgreSQL needs the row lock)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    s.execute(upsert(RollupState).values(name=STATE_NAME, last_day=None, max_ledger_id=0,
                                         updated_at=utcnow()).on_conflict_do_nothing())
    q = select(RollupState).where(RollupState.name == STATE_NAME).execution_options(populate_existing=True)
    if dialect == "postgresql":
        q = q.with_for_update()
    return s.scalar(q)
