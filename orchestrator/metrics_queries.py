"""The database reads behind ``/metrics``: lifetime totals of the ledger, exact, in a few
small grouped queries.

Totals are the rollups (``usage_daily``, ``usage_latency_daily``: every complete UTC day,
see ``orchestrator/rollups.py``) plus the ledger rows after the rollup watermark (normally
today), read through the ledger's timestamp index, exactly as analytics combines them
(``services/reports/analytics_queries.py``). A day moves from the live part to the rollups
with the same sums, so a counter never goes back. Everything is read in one transaction
(REPEATABLE READ on PostgreSQL; a SQLite read transaction is a snapshot already), so a
refresh committed by another process mid-scrape cannot count a day twice or not at all.

Complete days never change, so the rollups' part of the totals is kept per process and
database, keyed by the rollup state row (``last_day``, ``max_ledger_id``, ``updated_at``): a
refresh that rewrites days moves it, and ``rebuild_rollups`` (the only path after ledger
rows are deleted) makes a new row. A scrape then reads only the state row, the live rows,
the denials and the circuits; the first scrape of a process reads the rollups too.

Quota denials are counted by reason (``error_type``), which the rollups do not keep; they
come from the whole ledger through a partial index holding only denial rows
(``ix_usage_log_quota_denied``), whatever its size.

Request durations are histogram counts at ``LE_MS`` (powers of two, 16 ms .. 131 s). Each
is a boundary of the rollups' latency buckets, so a rollup bucket lies wholly below or
wholly above every bound and the counts are exact: the rollup bucket holding integer
milliseconds [BOUNDS[i-1], BOUNDS[i]) is counted in every Prometheus bucket whose
``le`` = (2**k - 1) / 1000 s satisfies BOUNDS[i] <= 2**k.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session

from db.models import Provider, ProviderHealth, RollupState, UsageDaily, UsageLatencyDaily, UsageRecord
from db.session import Database
from orchestrator import rollups

# Histogram bounds in integer milliseconds: a call of L ms is counted under le=(b-1)/1000 s for every
# b here with L < b, i.e. L <= b - 1. Every b is one of rollups.BOUNDS (2 ** k, k = 4..17).
LE_MS: tuple[int, ...] = tuple(2 ** k for k in range(4, 18))
# rollup bucket i is in slot bisect_left(_LE_BUCKET, i): the first bound b with BOUNDS[i] <= b
_LE_BUCKET: tuple[int, ...] = tuple(rollups.BOUNDS.index(b) for b in LE_MS)
TOKEN_KINDS = (("input", "tokens_input"), ("output", "tokens_output"), ("cached", "tokens_cached"),
               ("cache_write", "tokens_cache_write"), ("reasoning", "tokens_reasoning"))
DENIED = "quota_denied"


def slot_of_bucket(bucket: int) -> int:
    """The histogram slot (0 .. len(LE_MS); the last is above every bound) of a rollup latency bucket."""
    return bisect_left(_LE_BUCKET, bucket)


def slot_of_ms(latency_ms: int) -> int:
    """The histogram slot of a latency: the first bound b with latency_ms < b."""
    return sum(1 for b in LE_MS if latency_ms >= b)


@dataclass
class Totals:
    """Lifetime sums, keyed by the labels they are exported with."""

    attempts: dict[tuple[str, str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    unpriced: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    cost: dict[tuple[str, str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    tokens: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    # (task, provider) -> calls per slot (not cumulative), len(LE_MS) + 1 slots
    latency: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    latency_sum_ms: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    denials: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    circuits: dict[str, str] = field(default_factory=dict)
    watermark: date | None = None

    def _add_calls(self, plan, task, provider, model, status, n, cost, unpriced, tokens, latency_sum) -> None:
        self.attempts[(provider, model, task, status)] += int(n)
        self.cost[(provider, model, plan)] += cost if cost is not None else Decimal(0)
        if unpriced:
            self.unpriced[(provider, model)] += int(unpriced)
        for (kind, _col), value in zip(TOKEN_KINDS, tokens, strict=True):
            self.tokens[(provider, model, kind)] += int(value or 0)
        if status in rollups.PROVIDER_CALLS:
            self.latency_sum_ms[(task, provider)] += int(latency_sum or 0)

    def _add_latency(self, task, provider, slot, calls) -> None:
        slots = self.latency.setdefault((task, provider), [0] * (len(LE_MS) + 1))
        slots[slot] += int(calls)

    def merge(self, other: Totals) -> None:
        """Add ``other``'s sums (left unchanged) to these."""
        for name in ("attempts", "unpriced", "cost", "tokens", "latency_sum_ms", "denials"):
            mine = getattr(self, name)
            for k, v in getattr(other, name).items():
                mine[k] += v
        for k, slots in other.latency.items():
            for i, n in enumerate(slots):
                self._add_latency(*k, i, n)


_rolled: dict[str, tuple[tuple, Totals]] = {}
_rolled_lock = threading.Lock()


def clear_rollup_cache() -> None:
    with _rolled_lock:
        _rolled.clear()


def read_totals(db: Database) -> Totals:
    """Every exported total, from one consistent read of the database."""
    out = Totals()
    with db.read() as s:
        if db.dialect == "postgresql":
            s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        state = s.get(RollupState, rollups.STATE_NAME)
        mark = state.last_day if state is not None else None
        out.watermark = mark
        if mark is not None:
            out.merge(_rolled_up(s, db.url, state))
        _live(s, db.dialect, out, mark)
        _denials(s, out)
        _circuits(s, out)
    return out


def _rolled_up(s: Session, url: str, state: RollupState) -> Totals:
    """The rollups' sums up to the watermark, read once per rollup state."""
    key = (state.last_day, state.max_ledger_id, state.updated_at)
    with _rolled_lock:
        hit = _rolled.get(url)
    if hit is not None and hit[0] == key:
        return hit[1]
    part = Totals()
    _rollup_calls(s, part, state.last_day)
    _rollup_latency(s, part, state.last_day)
    with _rolled_lock:
        _rolled[url] = (key, part)
    return part


def _rollup_calls(s: Session, out: Totals, mark: date) -> None:
    t = UsageDaily
    dims = (t.plan, t.task_type, t.provider, t.model, t.status)
    sums = [func.sum(t.attempts), func.sum(t.cost_usd), func.sum(t.unpriced),
            *(func.sum(getattr(t, col)) for _k, col in TOKEN_KINDS), func.sum(t.latency_ms_sum)]
    q = select(*dims, *sums).where(t.day <= mark).group_by(*dims)
    for plan, task, provider, model, status, n, cost, unpriced, *rest in s.execute(q):
        out._add_calls(plan, task, provider, model, status, n, cost, unpriced, rest[:-1], rest[-1])


def _rollup_latency(s: Session, out: Totals, mark: date) -> None:
    t = UsageLatencyDaily
    dims = (t.task_type, t.provider, t.bucket)
    q = select(*dims, func.sum(t.calls)).where(t.day <= mark).group_by(*dims)
    for task, provider, bucket, calls in s.execute(q):
        out._add_latency(task, provider, slot_of_bucket(bucket), calls)


def _slot_expr(col):
    """SQL for ``slot_of_ms(col)``, constants inline so the same expression can sit in SELECT and
    GROUP BY on PostgreSQL (bound parameters would differ between the two)."""
    whens = [(col < literal_column(str(b)), literal_column(str(i))) for i, b in enumerate(LE_MS)]
    return case(*whens, else_=literal_column(str(len(LE_MS))))


def _live(s: Session, dialect: str, out: Totals, mark: date | None) -> None:
    """The ledger rows after the watermark (all of them without one), grouped."""
    r, m = UsageRecord, rollups.raw_measures()
    slot = _slot_expr(r.latency_ms)
    dims = (r.plan, r.task_type, r.provider, r.model, r.status, slot)
    q = select(*dims, m["attempts"], m["cost_usd"], m["unpriced"], *(m[col] for _k, col in TOKEN_KINDS),
               m["latency_ms_sum"])
    if mark is not None:
        q = q.where(r.timestamp >= rollups.day_bounds(mark + timedelta(days=1), mark + timedelta(days=1))[0])
    for plan, task, provider, model, status, sl, n, cost, unpriced, *rest in s.execute(q.group_by(*dims)):
        out._add_calls(plan, task, provider, model, status, n, cost, unpriced, rest[:-1], rest[-1])
        if status in rollups.PROVIDER_CALLS:
            out._add_latency(task, provider, int(sl), n)


def _denials(s: Session, out: Totals) -> None:
    r = UsageRecord
    # the literal (not a bound parameter) lets SQLite match the partial index ix_usage_log_quota_denied
    q = (select(r.plan, r.error_type, func.count())
         .where(r.status == literal_column(f"'{DENIED}'")).group_by(r.plan, r.error_type))
    for plan, reason, n in s.execute(q):
        out.denials[(plan, reason or "unknown")] += int(n)


def _circuits(s: Session, out: Totals) -> None:
    q = select(Provider.name, ProviderHealth.state).outerjoin(
        ProviderHealth, ProviderHealth.provider_id == Provider.id)
    for name, state in s.execute(q):
        out.circuits[name] = state or "closed"
