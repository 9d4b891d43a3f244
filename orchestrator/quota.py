"""Quotas and credit, enforced at reservation time.

Every hold is a conditional upsert inside one write transaction
(``orchestrator.books``): the counter only moves if the result stays within the
limit, and the row count tells whether it did. Two processes (or twenty replicas) racing for the last
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
  Settled to the actual usage right after the call (in the transaction that
  records and saves the answer), or released.

Periods are UTC: the day resets at 00:00 UTC, the month at 00:00 UTC on the
1st. A hold whose process died is released by ``sweep_expired`` once its TTL
has passed (every reservation sweeps its own user's stale holds first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from db.models import Plan, QuotaCounter, Reservation, User
from db.session import Database
from orchestrator.books import Books, Denied, Hold
from orchestrator.errors import QuotaExceeded
from orchestrator.money import usd_str

PICO = Decimal("1e-12")


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


def books_for(db: Database) -> Books:
    """The ``Books`` of a database, built once (it caches its dialect's SQL)."""
    books = getattr(db, "_books", None)
    if books is None:
        books = db._books = Books(db)
    return books


def hold_for(*, user_id: int, request_id: str, attempt: int, limits: Limits, tokens: int = 0,
             cost: Decimal = Decimal(0), now: datetime) -> Hold:
    """What one hold takes: attempt 0 one request of the day; attempt n its upper bound of
    tokens and cost (and, on credit plans, cost x markup of credit)."""
    return Hold(request_id=request_id, attempt=attempt, user_id=user_id, day=day_start(now),
                month=month_start(now), requests=1 if attempt == 0 else 0, tokens=tokens, cost=cost,
                credit=charge_for(cost, limits) if attempt else Decimal(0))


def reserve_holds(db: Database, holds: list[Hold], *, limits: Limits, ttl_s: int, now: datetime) -> list[Hold]:
    """Take ``holds`` in one transaction, or raise ``QuotaExceeded`` naming the limit and
    when it resets (nothing is held then)."""
    try:
        return books_for(db).reserve(holds, limits=limits, ttl_s=ttl_s, now=now)
    except Denied as exc:
        hold = holds[-1]
        if exc.limit == "requests_per_day":
            raise _denied(exc.limit, limits, now) from None
        if exc.limit == "credit":
            raise QuotaExceeded(
                "Your credit balance is too low for this request. Top up your credit to continue.",
                limit="credit",
            ) from None
        raise _month_denied(db, hold.user_id, limits, hold.month, hold.tokens, hold.cost, now) from None


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
) -> Hold:
    """Hold quota for one request (attempt 0) or one attempt (n >= 1), atomically.
    Calling again with the same (request_id, attempt) does not hold twice."""
    now = now or datetime.now(UTC)
    hold = hold_for(user_id=user_id, request_id=request_id, attempt=attempt, limits=limits, tokens=tokens,
                    cost=cost, now=now)
    return reserve_holds(db, [hold], limits=limits, ttl_s=ttl_s, now=now)[0]


def _counter_where(user_id: int, period: str, start: date):
    return (
        QuotaCounter.user_id == user_id,
        QuotaCounter.period == period,
        QuotaCounter.period_start == start,
    )


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


def refuse_if_spent(db: Database, *, user_id: int, limits: Limits, now: datetime) -> None:
    """Raise ``QuotaExceeded`` if the month's tokens or cost cap, or the credit, is already used
    up: checked before a request does work of its own (fetching a URL) ahead of its first
    attempt hold. A read, not a hold: the attempt hold that follows is still the guarantee."""
    if limits.tokens_per_month is None and limits.cost_cap_usd_month is None and not limits.uses_credit:
        return
    with db.read() as s:
        month = s.scalar(select(QuotaCounter).where(*_counter_where(user_id, "month", month_start(now))))
        user = s.get(User, user_id) if limits.uses_credit else None
    if limits.uses_credit and user is not None and user.credit_usd - user.credit_held_usd <= 0:
        raise QuotaExceeded("Your credit balance is used up. Top up your credit to continue.", limit="credit")
    used_tokens, used_cost = (month.tokens, month.cost_usd) if month else (0, Decimal(0))
    tokens_spent = limits.tokens_per_month is not None and used_tokens >= limits.tokens_per_month
    if tokens_spent or (limits.cost_cap_usd_month is not None and used_cost >= limits.cost_cap_usd_month):
        raise _month_denied(db, user_id, limits, month_start(now), int(tokens_spent), Decimal(0), now)


def release(db: Database, hold: Hold, *, status: str = "released") -> bool:
    """Give a hold back untouched. Idempotent; True if it released."""
    return books_for(db).release(hold, datetime.now(UTC), status=status)


def sweep_expired(db: Database, now: datetime | None = None) -> int:
    """Release every hold whose TTL has passed (a process died mid-request)."""
    now = now or datetime.now(UTC)
    books = books_for(db)
    with db.read() as s:
        users = s.scalars(
            select(Reservation.user_id).where(Reservation.status == "held", Reservation.expires_at < now).distinct()
        ).all()
    swept = 0
    for user_id in users:
        with books.transaction() as cur:
            swept += books._sweep_user(cur, user_id, now)
    return swept
