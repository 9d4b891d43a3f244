"""The usage ledger: one row per attempt, with tokens, exact cost and latency.

Rows are written by the pipeline before ``run()`` returns (in the same
transaction as the quota settlement where there is one). Field names here are
the ones ``usage --json`` prints and analytics query.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from orchestrator.money import usd_str
from db.models import UsageRecord, User
from db.session import Database
from orchestrator.providers.base import TokenUsage
from orchestrator.redact import scrub

LEDGER_FIELDS = (
    "timestamp", "request_id", "attempt", "user_id", "user", "plan", "task_type", "provider",
    "provider_kind", "model", "status", "error_type", "error_message", "tokens_input",
    "tokens_output", "tokens_cached", "tokens_reasoning", "tokens_cache_write", "cost_usd",
    "priced", "charged_usd", "latency_ms", "origin", "token_id", "finish_reason", "price_version_id",
    "unpriced_reason", "usage_detail",
)


def attempt_record(**fields: Any) -> UsageRecord:
    """Build (not save) one ledger row as an ORM object (see ``attempt_row``)."""
    return UsageRecord(**attempt_row(**fields))


def attempt_row(
    *,
    request_id: str,
    attempt: int,
    user_id: int | None,
    plan: str,
    task: str,
    provider: str,
    provider_kind: str,
    model: str,
    status: str,
    usage: TokenUsage | None = None,
    cost: Decimal | None = None,
    priced: bool = True,
    charged: Decimal = Decimal(0),
    latency_ms: int = 0,
    error_type: str | None = None,
    error_message: str | None = None,
    timestamp: datetime | None = None,
    origin: str = "python",
    token_id: int | None = None,
    finish_reason: str | None = None,
    price_version_id: int | None = None,
    unpriced_reason: str | None = None,
    job_id: int | None = None,
) -> dict[str, Any]:
    """One ledger row's column values. ``cost`` None with ``priced`` False means unpriced, and
    ``unpriced_reason`` says why; ``price_version_id`` names the price book version used."""
    u = usage or TokenUsage()
    return dict(
        timestamp=timestamp or datetime.now(UTC),
        request_id=request_id,
        attempt=attempt,
        user_id=user_id,
        plan=plan,
        task_type=task,
        provider=provider,
        provider_kind=provider_kind,
        model=model,
        status=status,
        error_type=error_type,
        error_message=scrub(error_message)[:500] if error_message else None,
        tokens_input=u.input_tokens,
        tokens_output=u.output_tokens,
        tokens_cached=u.cached_tokens,
        tokens_reasoning=u.reasoning_tokens,
        tokens_cache_write=u.cache_write_tokens,
        cost_usd=cost if priced else None,
        priced=priced,
        charged_usd=charged,
        latency_ms=latency_ms,
        is_demo=False,
        origin=origin,
        token_id=token_id,
        finish_reason=finish_reason,
        price_version_id=price_version_id,
        unpriced_reason=None if priced else (unpriced_reason or "")[:200] or None,
        usage_detail=dict(u.details) or None,
        job_id=job_id,
    )


def write(db: Database, record: UsageRecord) -> None:
    with db.write() as s:
        s.add(record)


def as_dict(row: UsageRecord, email: str | None = None) -> dict[str, Any]:
    """A ledger row with its field names; money as exact decimal strings."""
    return {
        "timestamp": row.timestamp.isoformat(),
        "request_id": row.request_id,
        "attempt": row.attempt,
        "user_id": row.user_id,
        "user": email,
        "plan": row.plan,
        "task_type": row.task_type,
        "provider": row.provider,
        "provider_kind": row.provider_kind,
        "model": row.model,
        "status": row.status,
        "error_type": row.error_type,
        "error_message": row.error_message,
        "tokens_input": row.tokens_input,
        "tokens_output": row.tokens_output,
        "tokens_cached": row.tokens_cached,
        "tokens_reasoning": row.tokens_reasoning,
        "tokens_cache_write": row.tokens_cache_write,
        "cost_usd": usd_str(row.cost_usd),
        "priced": row.priced,
        "charged_usd": usd_str(row.charged_usd),
        "latency_ms": row.latency_ms,
        "origin": row.origin,
        "token_id": row.token_id,
        "finish_reason": row.finish_reason,
        "price_version_id": row.price_version_id,
        "unpriced_reason": row.unpriced_reason,
        "usage_detail": row.usage_detail or {},
    }


def recent(
    db: Database,
    *,
    since: datetime | None = None,
    user_id: int | None = None,
    request_id: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Ledger rows, oldest first within the newest ``limit``."""
    q = select(UsageRecord, User.email).outerjoin(User, User.id == UsageRecord.user_id)
    if since is not None:
        q = q.where(UsageRecord.timestamp >= since)
    if user_id is not None:
        q = q.where(UsageRecord.user_id == user_id)
    if request_id is not None:
        q = q.where(UsageRecord.request_id == request_id)
    q = q.order_by(UsageRecord.timestamp.desc(), UsageRecord.id.desc()).limit(limit)
    with db.read() as s:
        rows = s.execute(q).all()
    return [as_dict(r, email) for r, email in reversed(rows)]
