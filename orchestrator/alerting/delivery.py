"""The delivery log and its sender: enqueue, claim, send, record, retry with backoff.

Life of a delivery: ``pending`` -> ``sending`` (claimed) -> ``sent``; a failed attempt goes
to ``retrying`` with ``next_attempt_at`` 1, 2, 4, 8 ... minutes later (capped at an hour)
until ``max_attempts`` attempts, then ``failed`` for good. Configuration errors (no
SMTP_HOST, a secret the master keys cannot decrypt, a removed channel) fail at once.

A delivery is claimed with a conditional UPDATE (one winner across processes) that also
moves ``next_attempt_at`` to the end of a lease: a process that dies mid-send leaves it
to be claimed again once the lease is over. That makes delivery at-least-once; the
payload's ``id`` lets a receiver drop a duplicate.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from db.base import utcnow
from db.models import AlertChannel, AlertDelivery
from db.session import insert_ignore
from orchestrator.alerting import messages, senders
from orchestrator.alerting.channels import webhook_target
from orchestrator.errors import CredentialError

log = logging.getLogger(__name__)
Outcome = senders.Outcome

PENDING, SENDING, RETRYING, SENT, FAILED = "pending", "sending", "retrying", "sent", "failed"
DUE = (PENDING, RETRYING, SENDING)  # SENDING is due again only once its lease is over
BACKOFF_BASE_S, BACKOFF_MAX_S = 60, 3600
BATCH = 100


def backoff_s(attempts: int) -> int:
    """Seconds before the next attempt after ``attempts`` failed ones: 60, 120, 240 ... 3600."""
    return min(BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), BACKOFF_MAX_S)


def lease_s(timeout_s: float) -> float:
    """How long a claimed delivery is left alone: every step of a send within its timeout, and a margin."""
    return 4 * timeout_s + 30


@dataclass(frozen=True)
class DeliveryInfo:
    id: int
    channel_id: int
    channel: str
    alert_key: str
    event: str
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    http_status: int | None
    created_at: datetime
    sent_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(self).items()}


def _info(d: AlertDelivery, c: AlertChannel) -> DeliveryInfo:
    waiting = d.status in (PENDING, RETRYING)
    return DeliveryInfo(id=d.id, channel_id=c.id, channel=f"{c.kind} {c.target}", alert_key=d.alert_key,
                        event=d.event, status=d.status, attempts=d.attempts, max_attempts=d.max_attempts,
                        next_attempt_at=d.next_attempt_at if waiting else None, last_attempt_at=d.last_attempt_at,
                        last_error=d.last_error, http_status=d.http_status, created_at=d.created_at,
                        sent_at=d.sent_at)


def recent(db, *, limit: int = 50, ids: list[int] | None = None) -> list[DeliveryInfo]:
    """The newest deliveries first (or the ones named), with their channel."""
    q = (select(AlertDelivery, AlertChannel).join(AlertChannel, AlertChannel.id == AlertDelivery.channel_id)
         .order_by(AlertDelivery.id.desc()).limit(limit))
    if ids is not None:
        q = q.where(AlertDelivery.id.in_(ids))
    with db.read() as s:
        return [_info(d, c) for d, c in s.execute(q).all()]


def enqueue(s, *, channel_id: int, alert_key: str, event: str, payload: dict, dedupe_key: str,
            max_attempts: int, now: datetime) -> bool:
    """One delivery, in the caller's transaction; False if ``dedupe_key`` was enqueued already."""
    return insert_ignore(s, AlertDelivery, {
        "channel_id": channel_id, "alert_key": alert_key, "event": event, "dedupe_key": dedupe_key,
        "payload": payload, "status": PENDING, "attempts": 0, "max_attempts": max_attempts,
        "next_attempt_at": now, "created_at": now})


def add_test(s, *, channel_id: int, payload: dict, now: datetime) -> int:
    """A test message to one channel, tried once (a test that retried later would only confuse)."""
    d = AlertDelivery(channel_id=channel_id, alert_key="test", event="test", dedupe_key=None, payload=payload,
                      status=PENDING, attempts=0, max_attempts=1, next_attempt_at=now, created_at=now)
    s.add(d)
    s.flush()
    return d.id


@dataclass(frozen=True)
class _Job:
    id: int
    event: str
    payload: dict
    kind: str
    fmt: str
    target: str
    url: str | None = field(repr=False)  # plaintext credentials: never in a repr or a log
    secret: str | None = field(repr=False)


def _claim(orch, delivery_id: int, now: datetime) -> _Job | Outcome | None:
    """Take the delivery if it is still due (None if another process has it)."""
    lease = now + timedelta(seconds=lease_s(orch.settings.alert_delivery_timeout_s))
    d = AlertDelivery
    with orch.db.write() as s:
        won = s.execute(update(d).where(d.id == delivery_id, d.status.in_(DUE), d.next_attempt_at <= now,
                                        d.attempts < d.max_attempts)
                        .values(status=SENDING, attempts=d.attempts + 1, next_attempt_at=lease,
                                last_attempt_at=now)).rowcount
        if won != 1:
            return None
        row = s.get(AlertDelivery, delivery_id)
        ch = s.get(AlertChannel, row.channel_id)
        if ch.removed_at is not None:
            return senders.Outcome(False, "the channel was removed before this could be sent", permanent=True)
        url = secret = None
        if ch.kind == "webhook":
            try:
                url, secret = webhook_target(orch.vault, ch)
            except CredentialError:
                return senders.Outcome(False, "the webhook's URL and secret cannot be decrypted with the "
                                              "configured master keys", permanent=True)
        return _Job(row.id, row.event, dict(row.payload), ch.kind, ch.format, ch.target, url, secret)


def _sender(settings) -> str:
    if settings.smtp_from:
        return settings.smtp_from
    if settings.smtp_user and "@" in settings.smtp_user:
        return settings.smtp_user
    return "ai-orchestrator@localhost"


def _send(orch, job: _Job, now: datetime) -> Outcome:
    settings = orch.settings
    try:
        if job.kind == "webhook":
            body = messages.webhook_body(job.payload, job.fmt)
            return senders.post_webhook(job.url, job.secret, body, event=job.event, delivery_id=job.id,
                                        timeout_s=settings.alert_delivery_timeout_s)
        msg = messages.email(job.payload, to=job.target, sender=_sender(settings), now=now)
        return senders.send_email(settings, msg, timeout_s=settings.alert_delivery_timeout_s)
    except Exception as exc:  # noqa: BLE001 - a delivery never raises out of a run
        log.warning("alert delivery %s failed unexpectedly (%s)", job.id, type(exc).__name__)
        return Outcome(False, f"unexpected {type(exc).__name__} while sending")


def _record(orch, delivery_id: int, outcome: Outcome, now: datetime) -> None:
    with orch.db.write() as s:
        row = s.get(AlertDelivery, delivery_id)
        if row is None or row.status != SENDING:
            return
        row.http_status = outcome.http_status
        if outcome.ok:
            row.status, row.sent_at, row.last_error = SENT, now, None
            row.next_attempt_at = now
        elif outcome.permanent or row.attempts >= row.max_attempts:
            row.status, row.last_error = FAILED, outcome.error
            row.next_attempt_at = now
        else:
            row.status, row.last_error = RETRYING, outcome.error
            row.next_attempt_at = now + timedelta(seconds=backoff_s(row.attempts))
    if not outcome.ok:
        log.info("alert delivery %s: %s", delivery_id, outcome.error)


def _give_up_abandoned(orch, now: datetime) -> None:
    """A delivery whose sender died on its last allowed attempt is failed, not left 'sending'."""
    d = AlertDelivery
    with orch.db.write() as s:
        s.execute(update(d).where(d.status == SENDING, d.next_attempt_at <= now, d.attempts >= d.max_attempts)
                  .values(status=FAILED, last_error="the process sending it stopped on its last attempt"))


def deliver_due(orch, *, now: datetime | None = None, ids: list[int] | None = None,
                limit: int = BATCH) -> list[DeliveryInfo]:
    """Send what is due (at most ``limit``, oldest first); returns what this call attempted."""
    now = now or utcnow()
    _give_up_abandoned(orch, now)
    d = AlertDelivery
    q = select(d.id).where(d.status.in_(DUE), d.next_attempt_at <= now).order_by(d.id).limit(limit)
    if ids is not None:
        q = q.where(d.id.in_(ids))
    with orch.db.read() as s:
        due = list(s.scalars(q).all())
    attempted = []
    for delivery_id in due:
        job = _claim(orch, delivery_id, now)
        if job is None:
            continue
        outcome = job if isinstance(job, Outcome) else _send(orch, job, now)
        _record(orch, delivery_id, outcome, now)
        attempted.append(delivery_id)
    return recent(orch.db, limit=len(attempted), ids=attempted) if attempted else []
