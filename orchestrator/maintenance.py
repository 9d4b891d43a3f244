"""Housekeeping that needs no separate service: pruning what has expired.

``prune`` deletes expired and revoked sessions, expired cache entries, spent
sign-in throttle rows, stored request payloads past their retention, and releases
quota holds whose process died. Every app
process runs ``run_due`` in a background thread once a minute; the job runs only
where a conditional UPDATE moved its ``next_run_at`` forward, so across any
number of processes (and the CLI's ``maintenance prune``) it runs at most once
per ``prune_interval_s``. A process that dies mid-run loses nothing: the next
due run does the same deletions again.

The same thread runs the alerts job (``run_alerts_due``: evaluate every rule, deliver what
fired or resolved, retry failed deliveries) every ``alerts_interval_s``, claimed the same way,
so one process evaluates at a time without a separate service.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update

from db.models import AuthSession, CacheEntry, RequestPayload, ScheduledJob, SignInThrottle
from db.session import insert_ignore

log = logging.getLogger(__name__)

PRUNE = "prune"
ALERTS = "alerts"
CHECK_EVERY_S = 60.0
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def prune(orch, *, now: datetime | None = None) -> dict[str, int]:
    """Delete what has expired; returns how many rows of each kind went."""
    from orchestrator.quota import sweep_expired

    now = now or datetime.now(UTC)
    settings = orch.settings
    throttle_cut = now - timedelta(seconds=max(settings.sign_in_window_s, settings.sign_in_lock_s))
    with orch.db.write() as s:
        sessions = s.execute(delete(AuthSession).where(
            or_(AuthSession.expires_at <= now, AuthSession.revoked_at.is_not(None)))).rowcount
        cache_rows = s.execute(delete(CacheEntry).where(CacheEntry.expires_at <= now)).rowcount
        payloads = s.execute(delete(RequestPayload).where(RequestPayload.expires_at <= now)).rowcount
        throttle = s.execute(delete(SignInThrottle).where(
            SignInThrottle.updated_at < throttle_cut,
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now))).rowcount
    holds = sweep_expired(orch.db, now)
    return {"sessions": sessions, "cache_entries": cache_rows, "sign_in_throttle": throttle, "holds": holds,
            "request_payloads": payloads}


def claim(orch, name: str, *, interval_s: float, now: datetime) -> bool:
    """Take the job's next run if it is due (one winner across processes)."""
    with orch.db.write() as s:
        insert_ignore(s, ScheduledJob, {"name": name, "next_run_at": EPOCH, "last_result": None})
        won = s.execute(update(ScheduledJob).where(ScheduledJob.name == name, ScheduledJob.next_run_at <= now)
                        .values(next_run_at=now + timedelta(seconds=interval_s), last_started_at=now)).rowcount
    return won == 1


def run_due(orch, *, now: datetime | None = None, force: bool = False) -> dict[str, Any] | None:
    """Run the prune job if it is due here (or ``force``); None if another process has it."""
    now = now or datetime.now(UTC)
    if not force and not claim(orch, PRUNE, interval_s=orch.settings.prune_interval_s, now=now):
        return None
    result = prune(orch, now=now)
    with orch.db.write() as s:
        insert_ignore(s, ScheduledJob, {"name": PRUNE, "next_run_at": now, "last_result": None})
        s.execute(update(ScheduledJob).where(ScheduledJob.name == PRUNE)
                  .values(last_finished_at=datetime.now(UTC), last_result=result))
    log.info("pruned %s", result)
    return result


def run_alerts_due(orch, *, now: datetime | None = None) -> dict[str, Any] | None:
    """Run the alerts job if it is due here; None if it is not, or another process has it.

    The claim allows a second of slack, so a tick that lands a hair before the job is due
    does not push it a whole interval back."""
    from orchestrator.alerting import runner

    now = now or datetime.now(UTC)
    if not claim(orch, ALERTS, interval_s=max(orch.settings.alerts_interval_s - 1, 1), now=now):
        return None
    result = runner.run(orch, now=now).summary()
    with orch.db.write() as s:
        s.execute(update(ScheduledJob).where(ScheduledJob.name == ALERTS)
                  .values(last_finished_at=datetime.now(UTC), last_result=result))
    if result["new"] or result["resolved"] or result["failed"]:
        log.info("alerts %s", result)
    return result


def start_background(orch, *, every_s: float = CHECK_EVERY_S) -> threading.Thread:
    """A daemon thread calling ``run_due`` and ``run_alerts_due`` every ``every_s`` seconds (or
    every ``alerts_interval_s`` if that is shorter), once per orchestrator."""
    existing = getattr(orch, "_maintenance_thread", None)
    if existing is not None and existing.is_alive():
        return existing
    stop = threading.Event()
    tick = min(every_s, orch.settings.alerts_interval_s)

    def loop() -> None:
        while not stop.wait(tick):
            try:
                run_due(orch)
            except Exception:  # noqa: BLE001 - housekeeping must never take the app down
                log.exception("the prune job failed; it will be tried again")
            try:
                run_alerts_due(orch)
            except Exception:  # noqa: BLE001
                log.exception("the alerts job failed; it will be tried again")

    thread = threading.Thread(target=loop, name="orchestrator-maintenance", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    orch._maintenance_thread = thread
    thread.start()
    return thread
