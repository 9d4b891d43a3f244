"""Quotas and credit, enforced at reservation time.

Every hold is a conditional UPDATE inside one write transaction: the counter
only moves if the result stays within the limit, and the row count tells
whether it did. Two processes (or twenty replicas) racing for the last
request of the day cannot both win: SQLite serialises write transactions
(``BEGIN IMMEDIATE``), PostgreSQL re-checks the WHERE clause after the row
lock. Nothing is read-then-written.

A request holds two kinds of reservation, each idempotent on
``(request_id, attempt)``:

- attempt 0, the *request hold*: one unit of ``requests_per_day``. Settled
  when the request is served; released when every candidate failed, or on a
  cache hit (hits are free).
- attempt n >= 1, an *attempt hold*: the upper bound of tokens and cost of
  that provider call against ``tokens_per_month`` and ``cost_cap_usd_month``,
  and, on plans with credit, cost x markup against the credit balance.
  Settled to the actual usage right after the call, or released.

Periods are UTC: the day resets at 00:00 UTC, the month at 00:00 UTC on the
1st. A hold whose process died is released by ``sweep_expired`` once its TTL
has passed (every reservation sweeps its own user's stale holds first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from db.base import Money, usd_str
from db.models import CreditTransaction, Plan, QuotaCounter, Reservation, UsageRecord, User
from db.session import Database, insert_ignore
from orchestrator.errors import QuotaExceeded

PICO = Decimal("1e-12")


def _usd(value: Decimal):
    """A dollar amount as a SQL literal of the Money type (bound as picodollars), so
    arithmetic and comparisons against Money columns are exact whatever SQL infers."""
    return literal(value, Money())
_NOSYNC = {"synchronize_session": False}


@dataclass(frozen=True)
class Limits:
    requests_per_day: int | None
    tokens_per_month: int | None
    cost_cap_usd_month: Decimal | None
    uses_credit: bool
    markup_pct: int


def limits_for(user: User, plan: Plan) -> Limits:
    """Plan limits with the user's overrides applied (None: unlimited)."""

    def pick(override, default):
        return override if override is not None else default

    return Limits(
        requests_per_day=pick(user.requests_per_day_override, plan.requests_per_day),
        tokens_per_month=pick(user.tokens_per_month_override, plan.tokens_per_month),
        cost_cap_usd_month=pick(user.cost_cap_usd_month_override, plan.cost_cap_usd_month),
        uses_credit=plan.uses_credit,
        markup_pct=plan.markup_pct,
    )


def charge_for(cost: Decimal | None, limits: Limits) -> Decimal:
    """What a credit plan charges for ``cost``: cost x (1 + markup), to the picodollar."""
    if not limits.uses_credit or not cost:
        return Decimal(0)
    return (cost * (100 + limits.markup_pct) / 100).quantize(PICO, rounding=ROUND_HALF_UP)


def day_start(now: datetime) -> date:
    return now.astimezone(UTC).date()


def month_start(now: datetime) -> date:
    return now.astimezone(UTC).date().replace(day=1)


def next_day(now: datetime) -> datetime:
    return datetime.combine(day_start(now) + timedelta(days=1), time(0), tzinfo=UTC)


def next_month(now: datetime) -> datetime:
    m = month_start(now)
    nxt = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return datetime.combine(nxt, time(0), tzinfo=UTC)


def _ensure_counter(session: Session, user_id: int, period: str, start: date) -> None:
    insert_ignore(
        session, QuotaCounter,
        {"user_id": user_id, "period": period, "period_start": start,
         "requests": 0, "tokens": 0, "cost_usd": 0},
    )


def _counter_where(user_id: int, period: str, start: date):
    return (
        QuotaCounter.user_id == user_id,
        QuotaCounter.period == period,
        QuotaCounter.period_start == start,
    )


def _existing(session: Session, request_id: str, attempt: int) -> Reservation | None:
    return session.scalar(
        select(Reservation).where(Reservation.request_id == request_id, Reservation.attempt == attempt)
    )


def reserve(
    db: Database,
    *,
    user_id: int,
    limits: Limits,
    request_id: str,
    attempt: int,
    tokens: int = 0,
    cost: Decimal = Decimal(0),
    ttl_s: int,
    now: datetime | None = None,
) -> Reservation:
    """Hold quota for one request (attempt 0) or one attempt (n >= 1), atomically.

    Raises ``QuotaExceeded`` naming the limit and when it resets; nothing is
    held then. Calling again with the same (request_id, attempt) returns the
    existing hold instead of holding twice.
    """
    now = now or datetime.now(UTC)
    day, month = day_start(now), month_start(now)
    requests = 1 if attempt == 0 else 0
    credit = charge_for(cost, limits) if attempt else Decimal(0)
    with db.write() as s:
        _sweep_user(s, user_id, now)
        found = _existing(s, request_id, attempt)
        if found is not None:
            return found
        if requests:
            _ensure_counter(s, user_id, "day", day)
            cond = [] if limits.requests_per_day is None else [
                QuotaCounter.requests + requests <= limits.requests_per_day
            ]
            hit = s.execute(
                update(QuotaCounter)
                .where(*_counter_where(user_id, "day", day), *cond)
                .values(requests=QuotaCounter.requests + requests)
                .execution_options(**_NOSYNC)
            ).rowcount
            if not hit:
                raise _denied("requests_per_day", limits, now)
        if tokens or cost:
            _ensure_counter(s, user_id, "month", month)
            conds = []
            if limits.tokens_per_month is not None:
                conds.append(QuotaCounter.tokens + tokens <= limits.tokens_per_month)
            if limits.cost_cap_usd_month is not None:
                conds.append(QuotaCounter.cost_usd + _usd(cost) <= _usd(limits.cost_cap_usd_month))
            hit = s.execute(
                update(QuotaCounter)
                .where(*_counter_where(user_id, "month", month), *conds)
                .values(tokens=QuotaCounter.tokens + tokens, cost_usd=QuotaCounter.cost_usd + _usd(cost))
                .execution_options(**_NOSYNC)
            ).rowcount
            if not hit:
                s.rollback()
                raise _month_denied(db, user_id, limits, month, tokens, cost, now)
        if credit:
            hit = s.execute(
                update(User)
                .where(User.id == user_id, User.credit_usd - User.credit_held_usd >= _usd(credit))
                .values(credit_held_usd=User.credit_held_usd + _usd(credit))
                .execution_options(**_NOSYNC)
            ).rowcount
            if not hit:
                s.rollback()
                raise QuotaExceeded(
                    "Your credit balance is too low for this request. Top up your credit to continue.",
                    limit="credit",
                )
        res = Reservation(
            request_id=request_id, attempt=attempt, user_id=user_id, day=day, month=month,
            requests=requests, tokens=tokens, cost_usd=cost, credit_usd=credit,
            status="held", created_at=now, expires_at=now + timedelta(seconds=ttl_s),
        )
        s.add(res)
        s.flush()
        return res


def _denied(limit: str, limits: Limits, now: datetime) -> QuotaExceeded:
    resets = next_day(now)
    return QuotaExceeded(
        f"You have used all {limits.requests_per_day} requests of your plan for today. "
        f"The daily quota resets at {resets:%Y-%m-%d %H:%M} UTC.",
        limit=limit,
        resets_at=resets,
    )


def _month_denied(db, user_id, limits, month, tokens, cost, now) -> QuotaExceeded:
    resets = next_month(now)
    with db.read() as s:
        row = s.scalar(select(QuotaCounter).where(*_counter_where(user_id, "month", month)))
    used_tokens = row.tokens if row else 0
    if limits.tokens_per_month is not None and used_tokens + tokens > limits.tokens_per_month:
        return QuotaExceeded(
            f"This request would exceed your plan's {limits.tokens_per_month:,} tokens for the month "
            f"({used_tokens:,} used). The monthly quota resets on {resets:%Y-%m-%d} at 00:00 UTC.",
            limit="tokens_per_month",
            resets_at=resets,
        )
    return QuotaExceeded(
        f"This request would exceed your plan's monthly cost cap of ${usd_str(limits.cost_cap_usd_month)}. "
        f"It resets on {resets:%Y-%m-%d} at 00:00 UTC.",
        limit="cost_per_month",
        resets_at=resets,
    )


def settle(
    db: Database,
    reservation: Reservation,
    *,
    tokens: int = 0,
    cost: Decimal | None = None,
    charge: Decimal = Decimal(0),
    now: datetime | None = None,
    record: UsageRecord | None = None,
) -> None:
    """Turn a hold into actual usage: counters move by (actual - held), credit
    is charged and recorded in the credit ledger. Idempotent: a hold settles once.

    If the hold already expired (the sweeper gave it back), the actual usage is
    still added in full, so counters always match the ledger. ``record`` (the
    attempt's ledger row) commits in the same transaction: usage and its
    settlement are never one without the other."""
    now = now or datetime.now(UTC)
    actual_cost = cost or Decimal(0)
    values = dict(status="settled", settled_at=now, actual_tokens=tokens,
                  actual_cost_usd=actual_cost, actual_charge_usd=charge)
    with db.write() as s:
        if record is not None:
            s.add(record)
        held = _transition(s, reservation.id, "held", values)
        if held is None and _transition(s, reservation.id, "expired", values) is None:
            return  # settled or released before: nothing to do twice
        _adjust(s, reservation, tokens=tokens, cost=actual_cost, requests=reservation.requests, held=held)
        if charge:
            s.execute(
                update(User)
                .where(User.id == reservation.user_id)
                .values(credit_usd=User.credit_usd - _usd(charge))
                .execution_options(**_NOSYNC)
            )
            s.add(CreditTransaction(user_id=reservation.user_id, timestamp=now, amount_usd=-charge,
                                    kind="charge", request_id=reservation.request_id,
                                    note=f"attempt {reservation.attempt}"))


def _transition(s: Session, reservation_id: int, from_status: str, values: dict) -> Reservation | None:
    """Move one reservation out of ``from_status``; returns what it held, or None if it was not there."""
    row = s.execute(
        update(Reservation)
        .where(Reservation.id == reservation_id, Reservation.status == from_status)
        .values(**values)
        .returning(Reservation.user_id, Reservation.day, Reservation.month, Reservation.requests,
                   Reservation.tokens, Reservation.cost_usd, Reservation.credit_usd)
        .execution_options(**_NOSYNC)
    ).first()
    if row is None:
        return None
    return Reservation(user_id=row.user_id, day=row.day, month=row.month, requests=row.requests,
                       tokens=row.tokens, cost_usd=row.cost_usd, credit_usd=row.credit_usd)


def _adjust(s: Session, r: Reservation, *, tokens: int, cost: Decimal, requests: int,
            held: Reservation | None) -> None:
    """Move counters from the held amounts (if still held) to the actual ones."""
    d_req = requests - (held.requests if held else 0)
    d_tok = tokens - (held.tokens if held else 0)
    d_cost = cost - (held.cost_usd if held else Decimal(0))
    if d_req:
        _ensure_counter(s, r.user_id, "day", r.day)
        s.execute(update(QuotaCounter).where(*_counter_where(r.user_id, "day", r.day))
                  .values(requests=QuotaCounter.requests + d_req).execution_options(**_NOSYNC))
    if d_tok or d_cost:
        _ensure_counter(s, r.user_id, "month", r.month)
        s.execute(update(QuotaCounter).where(*_counter_where(r.user_id, "month", r.month))
                  .values(tokens=QuotaCounter.tokens + d_tok, cost_usd=QuotaCounter.cost_usd + _usd(d_cost))
                  .execution_options(**_NOSYNC))
    if held is not None and held.credit_usd:
        s.execute(update(User).where(User.id == r.user_id)
                  .values(credit_held_usd=User.credit_held_usd - _usd(held.credit_usd))
                  .execution_options(**_NOSYNC))


def release(db: Database, reservation: Reservation, *, status: str = "released",
            record: UsageRecord | None = None) -> bool:
    """Give a hold back untouched (failure, cache hit), with the attempt's ledger
    row in the same transaction. Idempotent; True if it released."""
    with db.write() as s:
        if record is not None:
            s.add(record)
        return _release(s, reservation.id, status=status, now=datetime.now(UTC))


def _release(s: Session, reservation_id: int, *, status: str, now: datetime) -> bool:
    held = _transition(s, reservation_id, "held", {"status": status, "settled_at": now})
    if held is None:
        return False
    _adjust(s, held, tokens=0, cost=Decimal(0), requests=0, held=held)
    return True


def _sweep_user(s: Session, user_id: int, now: datetime) -> int:
    ids = s.scalars(
        select(Reservation.id).where(
            Reservation.user_id == user_id, Reservation.status == "held", Reservation.expires_at < now
        )
    ).all()
    return sum(_release(s, rid, status="expired", now=now) for rid in ids)


def sweep_expired(db: Database, now: datetime | None = None) -> int:
    """Release every hold whose TTL has passed (a process died mid-request)."""
    now = now or datetime.now(UTC)
    with db.write() as s:
        ids = s.scalars(
            select(Reservation.id).where(Reservation.status == "held", Reservation.expires_at < now)
        ).all()
        return sum(_release(s, rid, status="expired", now=now) for rid in ids)
