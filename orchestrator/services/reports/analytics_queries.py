"""The one way analytics reads usage: grouped sums, in SQL, from rollups plus the live ledger.

A query names a *family* of facts, the dimensions to group by and a filter. The date
range is split at the rollup watermark: complete days come from the daily rollup table
(``GROUP BY`` over a few thousand rows), the days after it (today) from the ledger through
its timestamp index, and the two small grouped results are added up here. Never a raw
row reaches Python.

Families:
- ``calls``: ``usage_daily`` (day, plan, task_type, provider, model, status).
- ``latency``: ``usage_latency_daily`` (day, plan, task_type, provider, model, bucket);
  provider calls only (status success or error).
- ``users``: ``usage_user_daily`` (day, user_id, plan).

A user filter reads the ledger for the whole range through its (user_id, timestamp)
index: one user's rows are few. The ``users`` family has no task, provider or model
columns, so with one of those filters it also reads the ledger (through the timestamp or
the (provider, timestamp) index).

Results are cached for ``CACHE_TTL_S`` seconds per database and arguments (a dashboard
re-runs on every click); ``clear_cache()`` drops them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import wraps
from typing import Any

from sqlalchemy import func, select

from db.models import UsageDaily, UsageLatencyDaily, UsageRecord, UsageUserDaily
from orchestrator import rollups

CACHE_TTL_S = 45.0
_CACHE_MAX = 512


@dataclass(frozen=True)
class AnalyticsFilter:
    """What the dashboard looks at: UTC days ``start``..``end`` inclusive, and optional
    sets of providers, models, plans and tasks (empty: all), and one user."""

    start: date
    end: date
    providers: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    user_id: int | None = None

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("the end date is before the start date")
        for name in ("providers", "models", "plans", "tasks"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> AnalyticsFilter:
        """The period of the same length just before this one (for deltas)."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    def with_days(self, start: date, end: date) -> AnalyticsFilter:
        return replace(self, start=start, end=end)


@dataclass(frozen=True)
class _Family:
    rollup: Any
    dims: tuple[str, ...]
    measures: tuple[str, ...]
    raw_where: tuple = ()


FAMILIES = {
    "calls": _Family(UsageDaily, ("day", *rollups.DAILY_DIMS), rollups.DAILY_MEASURES),
    "latency": _Family(UsageLatencyDaily, ("day", *rollups.LATENCY_DIMS, "bucket"), ("calls",),
                       (UsageRecord.status.in_(rollups.PROVIDER_CALLS),)),
    "users": _Family(UsageUserDaily, ("day", *rollups.USER_DIMS), rollups.USER_MEASURES),
}
_FILTER_COLUMNS = (("providers", "provider"), ("models", "model"), ("plans", "plan"), ("tasks", "task_type"))
MONEY = ("cost_usd", "charged_usd")

Rows = dict[tuple, dict[str, Any]]


def grouped(db, filt: AnalyticsFilter, family: str, by: tuple[str, ...]) -> Rows:
    """Sums of the family's measures per value of ``by`` (a subset of its dimensions)."""
    fam = FAMILIES[family]
    unknown = set(by) - set(fam.dims)
    if unknown:
        raise ValueError(f"{family} cannot be grouped by {sorted(unknown)}")
    out: Rows = {}
    with db.read() as s:
        for source, first, last in _parts(filt, fam, family, rollups.watermark(db)):
            q = (_rollup_query if source == "rollup" else _raw_query)(db.dialect, fam, filt, by, first, last)
            for row in s.execute(q):
                key, values = tuple(row[:len(by)]), row[len(by):]
                acc = out.setdefault(key, {m: (Decimal(0) if m in MONEY else 0) for m in fam.measures})
                for m, v in zip(fam.measures, values, strict=True):
                    acc[m] += (v if m in MONEY else int(v)) if v is not None else 0
    return out


def _parts(filt: AnalyticsFilter, fam: _Family, family: str, mark: date | None):
    """[(source, first day, last day)]: rollup up to the watermark, the ledger after it."""
    raw_only = filt.user_id is not None or (
        family == "users" and bool(filt.providers or filt.models or filt.tasks))
    if raw_only or mark is None:
        return [("raw", filt.start, filt.end)]
    parts = []
    if filt.start <= mark:
        parts.append(("rollup", filt.start, min(filt.end, mark)))
    if filt.end > mark:
        parts.append(("raw", max(filt.start, mark + timedelta(days=1)), filt.end))
    return parts


def _rollup_query(dialect, fam: _Family, filt: AnalyticsFilter, by, first, last):
    t = fam.rollup
    cols = [getattr(t, d) for d in by]
    where = [t.day >= first, t.day <= last]
    for attr, col in _FILTER_COLUMNS:
        values = getattr(filt, attr)
        if values and hasattr(t, col):
            where.append(getattr(t, col).in_(values))
    sums = [func.sum(getattr(t, m)) for m in fam.measures]
    return select(*cols, *sums).where(*where).group_by(*cols)


def _raw_query(dialect, fam: _Family, filt: AnalyticsFilter, by, first, last):
    r = UsageRecord
    lo, hi = rollups.day_bounds(first, last)
    exprs = {"day": rollups.day_expr(dialect), "bucket": rollups.bucket_expr(r.latency_ms)}
    cols = [exprs[d] if d in exprs else getattr(r, d) for d in by]
    where = [r.timestamp >= lo, r.timestamp < hi, *fam.raw_where]
    for attr, col in _FILTER_COLUMNS:
        values = getattr(filt, attr)
        if values:
            where.append(getattr(r, col).in_(values))
    if filt.user_id is not None:
        where.append(r.user_id == filt.user_id)
    measures = rollups.raw_measures()
    labelled = [c.label(f"k{i}") for i, c in enumerate(cols)]
    inner = select(*labelled, *(measures[m].label(m) for m in fam.measures)).where(*where)
    return inner.group_by(*cols) if cols else inner


def totals(rows: Rows, measure: str, *, where: Callable[[tuple], bool] | None = None):
    """Sum one measure over the rows whose key passes ``where``."""
    zero = Decimal(0) if measure in MONEY else 0
    return sum((v[measure] for k, v in rows.items() if where is None or where(k)), zero)


# ----------------------------------------------------------------- the TTL cache

_cache: dict[tuple, tuple[float, Any]] = {}
_lock = threading.Lock()


def cached(fn):
    """Cache ``fn(orch, **kwargs)`` for CACHE_TTL_S per database URL and arguments, after
    refreshing the rollups once per miss (cheap when there is nothing to roll up)."""

    @wraps(fn)
    def wrapper(orch, **kwargs):
        key = (orch.db.url, fn.__qualname__, tuple(sorted(kwargs.items())))
        now = time.monotonic()
        with _lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        rollups.refresh_rollups(orch.db)
        value = fn(orch, **kwargs)
        with _lock:
            if len(_cache) >= _CACHE_MAX:
                _cache.clear()
            _cache[key] = (now + CACHE_TTL_S, value)
        return value

    wrapper.uncached = fn
    return wrapper


def clear_cache() -> None:
    with _lock:
        _cache.clear()
