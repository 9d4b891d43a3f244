"""Provider health and the circuit breaker, kept in the database so every
process and replica shares one view.

closed --(N consecutive failures, or error rate over the window)--> open
open --(cooldown passed; one process claims the probe)--> half_open
half_open --(probe succeeds)--> closed,  --(probe fails)--> open again

Claiming the probe is a conditional UPDATE, so exactly one request across all
processes tries a recovering provider; the others keep skipping it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select, update

from db.models import ProviderHealth, UsageRecord
from db.session import Database, insert_ignore

# Failures that say something about the provider (not about one answer or our input).
# provider-side failures that count towards the breaker; an exhausted quota or credit fails every call
# until someone tops it up, so it counts too (``too_large`` and ``truncated`` are about one request)
HEALTH_ERRORS = {"rate_limited", "timeout", "unreachable", "server_error", "stream_broken", "auth",
                 "quota_exhausted"}


@dataclass(frozen=True)
class BreakerPolicy:
    failure_threshold: int = 5
    cooldown_s: float = 30.0
    probe_timeout_s: float = 120.0
    window_s: float = 300.0
    window_min_attempts: int = 20
    window_error_rate: float = 0.5


def _ensure(s, provider_id: int) -> None:
    insert_ignore(s, ProviderHealth, {"provider_id": provider_id, "state": "closed", "consecutive_failures": 0})


def blocked_providers(db: Database, policy: BreakerPolicy, now: datetime | None = None,
                      health: dict | None = None) -> set[int]:
    """Provider ids routing must skip right now. May claim a half-open probe.

    ``health`` (provider id -> row with state, opened_at, probe_started_at) comes from
    the request's snapshot; without it the table is read."""
    now = now or datetime.now(UTC)
    if health is None:
        with db.read() as s:
            health = {h.provider_id: h for h in s.scalars(
                select(ProviderHealth).where(ProviderHealth.state != "closed")).all()}
    blocked: set[int] = set()
    cooldown = timedelta(seconds=policy.cooldown_s)
    stale_probe = now - timedelta(seconds=policy.probe_timeout_s)
    for pid, row in health.items():
        state, opened_at, probe_at = row.state, row.opened_at, row.probe_started_at
        if state == "closed":
            continue
        ready = (state == "open" and opened_at is not None and opened_at + cooldown <= now) or (
            state == "half_open" and probe_at is not None and probe_at < stale_probe
        )
        if not (ready and _claim_probe(db, pid, state, now)):
            blocked.add(pid)
    return blocked


def _claim_probe(db: Database, provider_id: int, state: str, now: datetime) -> bool:
    with db.write() as s:
        return bool(
            s.execute(
                update(ProviderHealth)
                .where(ProviderHealth.provider_id == provider_id, ProviderHealth.state == state)
                .values(state="half_open", probe_started_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
        )


def record_success(db: Database, provider_id: int, now: datetime | None = None, health: dict | None = None) -> None:
    """Close the circuit. A no-op when it is already closed with no failures counted,
    which is nearly always: no hot-row writes. ``health`` is the request's snapshot of
    the table (at most 1 s old; every failure recorded in this process refreshes it)."""
    now = now or datetime.now(UTC)
    if health is not None:
        row = health.get(provider_id)
        if row is None or (row.state == "closed" and row.consecutive_failures == 0):
            return
    else:
        with db.read() as s:
            row = s.get(ProviderHealth, provider_id)
            if row is None or (row.state == "closed" and row.consecutive_failures == 0):
                return
    with db.write() as s:
        s.execute(
            update(ProviderHealth)
            .where(ProviderHealth.provider_id == provider_id)
            .values(state="closed", consecutive_failures=0, last_success_at=now,
                    opened_at=None, probe_started_at=None)
            .execution_options(synchronize_session=False)
        )


def record_failure(db: Database, provider_id: int, provider_name: str, error_type: str,
                   policy: BreakerPolicy, now: datetime | None = None) -> None:
    """Count a provider-side failure; open the circuit when the policy says so."""
    if error_type not in HEALTH_ERRORS:
        return
    now = now or datetime.now(UTC)
    with db.write() as s:
        _ensure(s, provider_id)
        s.execute(
            update(ProviderHealth)
            .where(ProviderHealth.provider_id == provider_id)
            .values(consecutive_failures=ProviderHealth.consecutive_failures + 1,
                    last_failure_at=now, last_error_type=error_type)
            .execution_options(synchronize_session=False)
        )
        row = s.get(ProviderHealth, provider_id)
        s.refresh(row)
        trip = row.state == "half_open" or row.consecutive_failures >= policy.failure_threshold
        if not trip and row.state == "closed":
            trip = _window_tripped(s, provider_name, policy, now)
        if trip:
            row.state, row.opened_at, row.probe_started_at = "open", now, None


def _window_tripped(s, provider_name: str, policy: BreakerPolicy, now: datetime) -> bool:
    since = now - timedelta(seconds=policy.window_s)
    total, errors = s.execute(
        select(func.count(), func.sum(case((UsageRecord.status == "error", 1), else_=0)))
        .where(UsageRecord.provider == provider_name, UsageRecord.timestamp >= since,
                UsageRecord.status.in_(("success", "error")))
    ).one()
    total = total or 0
    return total >= policy.window_min_attempts and (errors or 0) / total > policy.window_error_rate


def states(db: Database) -> dict[int, ProviderHealth]:
    with db.read() as s:
        return {h.provider_id: h for h in s.scalars(select(ProviderHealth)).all()}
