"""Alerts that reach people: notification channels, per-alert state and the delivery log.

Maintained by ``orchestrator/alerting/`` (which documents the state machine and the retry
policy). Kept out of ``db/models.py`` for its size; ``db.models`` re-exports these classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigIntPK, UTCDateTime, utcnow


class AlertChannel(Base):
    """Where alerts go: a webhook (URL and signing secret, both encrypted with the vault; the URL
    of a Slack incoming webhook is itself a secret) or an e-mail address. ``target`` is what may
    be shown: the address, or the webhook's origin and the last characters of its path.
    Removing a channel only sets ``removed_at``: the delivery log keeps naming it."""

    __tablename__ = "alert_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # webhook | email
    target: Mapped[str] = mapped_column(String(320))
    format: Mapped[str] = mapped_column(String(16), default="json")  # json | slack (webhooks); text (e-mail)
    url_ciphertext: Mapped[str | None] = mapped_column(Text)
    secret_ciphertext: Mapped[str | None] = mapped_column(Text)
    secret_hint: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertState(Base):
    """One alert (``key`` = kind:subject) as the last evaluation saw it. Transitions are
    conditional UPDATEs (or an INSERT that loses to a concurrent one), so two overlapping
    evaluations enqueue each transition once; ``sends`` numbers the messages of this alert
    and is part of each delivery's ``dedupe_key``."""

    __tablename__ = "alert_state"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(254))
    state: Mapped[str] = mapped_column(String(16))  # firing | resolved
    value: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text)
    first_fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sends: Mapped[int] = mapped_column(Integer, default=1)


class AlertDelivery(Base):
    """One message to one channel, with its retries: pending -> sending -> sent, or back to
    retrying (``next_attempt_at`` after a backoff) until ``max_attempts``, then failed.
    ``payload`` is rendered the same way on every attempt, so a retry sends the same bytes;
    ``last_error`` is scrubbed of URLs, secrets and the SMTP password before it is stored."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("alert_channels.id", ondelete="CASCADE"), index=True)
    alert_key: Mapped[str] = mapped_column(String(320))
    event: Mapped[str] = mapped_column(String(16))  # firing | resolved | test
    dedupe_key: Mapped[str | None] = mapped_column(String(400), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    http_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
