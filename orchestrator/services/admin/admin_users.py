"""User administration for the admin console: search with pagination, per-user
limit overrides, the credit ledger, and guarded role and status changes.

Plan, role, status and top-up changes reuse ``services.users`` (one audit
trail); this module adds what the console needs on top:

- every command takes a checked ``Actor``; its role is re-read from the database
  (``services.actor.require``), so privileges are checked on the server whatever
  the page showed;
- the rules on roles (only a super admin grants or revokes ``super_admin``, the
  role that holds credentials; nobody demotes or deactivates themselves) live in
  ``services.users``, so the CLI and this console share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from db.models import ROLES, CreditTransaction, Plan, QuotaCounter, User  # noqa: F401  (ROLES: role pickers)
from orchestrator.errors import InputRejected, NotFound
from orchestrator.money import usd_str
from orchestrator.services.admin import audit, users
from orchestrator.services.actor import Actor, require
from orchestrator.services.admin.plans import _limit_int
from orchestrator.services.admin.users import UserInfo, parse_usd

_UNSET: Any = object()


@dataclass(frozen=True)
class UserRow(UserInfo):
    """What the admin users page shows: ``UserInfo`` plus demo flag, held credit and overrides."""

    is_demo: bool
    credit_held_usd: Decimal
    last_login_at: datetime | None
    requests_per_day_override: int | None
    tokens_per_month_override: int | None
    cost_cap_usd_month_override: Decimal | None

    @property
    def has_overrides(self) -> bool:
        return any(v is not None for v in (self.requests_per_day_override, self.tokens_per_month_override,
                                           self.cost_cap_usd_month_override))


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class LimitLine:
    """One limit: the plan's value, the user's override and what applies (None: unlimited)."""

    name: str
    plan_value: Any
    override: Any
    used: Any  # this day / month so far, held amounts included

    @property
    def effective(self) -> Any:
        return self.override if self.override is not None else self.plan_value


@dataclass(frozen=True)
class CreditEntry:
    timestamp: datetime
    amount_usd: Decimal
    kind: str
    note: str
    actor: str
    request_id: str | None


@dataclass(frozen=True)
class UserDetail:
    user: UserRow
    limits: list[LimitLine]
    credit: list[CreditEntry] = field(default_factory=list)


def _row(u: User) -> UserRow:
    return UserRow(id=u.id, email=u.email, name=u.name, role=u.role, plan=u.plan.code, plan_name=u.plan.name,
                   is_active=u.is_active, is_demo=u.is_demo, credit_usd=u.credit_usd,
                   credit_held_usd=u.credit_held_usd, created_at=u.created_at, last_login_at=u.last_login_at,
                   requests_per_day_override=u.requests_per_day_override,
                   tokens_per_month_override=u.tokens_per_month_override,
                   cost_cap_usd_month_override=u.cost_cap_usd_month_override)


def search_users(orch, *, query: str = "", plan: str | None = None, role: str | None = None,
                 active: bool | None = None, with_overrides: bool = False, page: int = 1,
                 page_size: int = 25) -> UserPage:
    """Users whose email or name contains ``query``, filtered, one page at a time (by email)."""
    page, page_size = max(1, int(page)), min(max(1, int(page_size)), 200)
    conds = []
    if query and query.strip():
        needle = query.strip().lower()
        conds.append(func.lower(User.email).contains(needle, autoescape=True)
                     | func.lower(User.name).contains(needle, autoescape=True))
    if plan:
        conds.append(User.plan_id == select(Plan.id).where(Plan.code == plan).scalar_subquery())
    if role:
        conds.append(User.role == role)
    if active is not None:
        conds.append(User.is_active.is_(active))
    if with_overrides:
        conds.append(User.requests_per_day_override.is_not(None) | User.tokens_per_month_override.is_not(None)
                     | User.cost_cap_usd_month_override.is_not(None))
    with orch.db.read() as s:
        total = s.scalar(select(func.count()).select_from(User).where(*conds)) or 0
        rows = s.scalars(select(User).where(*conds).order_by(User.email)
                         .limit(page_size).offset((page - 1) * page_size)).unique().all()
        return UserPage([_row(u) for u in rows], total, page, page_size)


def _user(s, email: str) -> User:
    u = s.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if u is None:
        raise NotFound(f"No user '{email}'.")
    return u


def _usage(s, user_id: int, now: datetime) -> tuple[QuotaCounter | None, QuotaCounter | None]:
    today = now.date()
    month = date(today.year, today.month, 1)
    day = s.scalar(select(QuotaCounter).where(QuotaCounter.user_id == user_id, QuotaCounter.period == "day",
                                              QuotaCounter.period_start == today))
    mon = s.scalar(select(QuotaCounter).where(QuotaCounter.user_id == user_id, QuotaCounter.period == "month",
                                              QuotaCounter.period_start == month))
    return day, mon


def user_detail(orch, *, email: str, credit_limit: int = 20) -> UserDetail:
    """A user with plan limits, overrides, what is used so far and recent credit movements."""
    with orch.db.read() as s:
        u = _user(s, email)
        day, mon = _usage(s, u.id, datetime.now(UTC))
        p = u.plan
        limits = [
            LimitLine("Requests per day", p.requests_per_day, u.requests_per_day_override,
                      day.requests if day else 0),
            LimitLine("Tokens per month", p.tokens_per_month, u.tokens_per_month_override, mon.tokens if mon else 0),
            LimitLine("Cost cap per month (USD)", p.cost_cap_usd_month, u.cost_cap_usd_month_override,
                      mon.cost_usd if mon else Decimal(0)),
        ]
        return UserDetail(_row(u), limits, _credit(s, u.id, credit_limit, 0))


def _credit(s, user_id: int, limit: int, offset: int) -> list[CreditEntry]:
    rows = s.scalars(select(CreditTransaction).where(CreditTransaction.user_id == user_id)
                     .order_by(CreditTransaction.timestamp.desc(), CreditTransaction.id.desc())
                     .limit(limit).offset(offset)).all()
    return [CreditEntry(r.timestamp, r.amount_usd, r.kind, r.note, r.actor, r.request_id) for r in rows]


def credit_ledger(orch, *, email: str, limit: int = 50, offset: int = 0) -> list[CreditEntry]:
    """A user's credit movements, newest first: top-ups (+), charges (-), adjustments."""
    with orch.db.read() as s:
        return _credit(s, _user(s, email).id, limit, offset)


def _overrides(u: User) -> dict[str, Any]:
    return {"requests_per_day_override": u.requests_per_day_override,
            "tokens_per_month_override": u.tokens_per_month_override,
            "cost_cap_usd_month_override": usd_str(u.cost_cap_usd_month_override)}


def _cap(value) -> Decimal | None:
    if value is None or str(value).strip().lower() in ("", "none", "plan", "default"):
        return None
    amount = parse_usd(value)
    if amount < 0:
        raise InputRejected("The cost cap cannot be negative.")
    return amount


def set_overrides(orch, *, email: str, requests_per_day: Any = _UNSET, tokens_per_month: Any = _UNSET,
                  cost_cap_usd: Any = _UNSET, actor: Actor) -> UserRow:
    """Per-user limits that replace the plan's; None (or 'none') falls back to the plan."""
    require(orch, actor)
    with orch.db.write() as s:
        u = _user(s, email)
        before = _overrides(u)
        if requests_per_day is not _UNSET:
            u.requests_per_day_override = _limit_int("requests_per_day", requests_per_day)
        if tokens_per_month is not _UNSET:
            u.tokens_per_month_override = _limit_int("tokens_per_month", tokens_per_month)
        if cost_cap_usd is not _UNSET:
            u.cost_cap_usd_month_override = _cap(cost_cap_usd)
        after = _overrides(u)
        if after != before:
            audit.record(s, actor=actor, action="user.set_overrides", target_type="user", target_id=u.email,
                         before=before, after=after)
        s.flush()
        return _row(u)


def clear_overrides(orch, *, email: str, actor: Actor) -> UserRow:
    return set_overrides(orch, email=email, requests_per_day=None, tokens_per_month=None, cost_cap_usd=None,
                         actor=actor)


def create_user(orch, *, email: str, plan: str, role: str = "user", name: str = "", password: str | None = None,
                actor: Actor) -> UserInfo:
    return users.add_user(orch, email=email, plan=plan, role=role, name=name, password=password or None,
                          actor=actor)


def change_role(orch, *, email: str, role: str, actor: Actor) -> UserInfo:
    return users.set_role(orch, email=email, role=role, actor=actor)


def change_active(orch, *, email: str, active: bool, actor: Actor) -> UserInfo:
    return users.set_active(orch, email=email, active=active, actor=actor)


def change_plan(orch, *, email: str, plan: str, actor: Actor) -> UserInfo:
    return users.set_plan(orch, email=email, plan=plan, actor=actor)


def top_up(orch, *, email: str, amount_usd: str | Decimal, note: str = "", actor: Actor) -> UserInfo:
    """Add paygo credit (recorded in the credit ledger and the audit log)."""
    return users.top_up(orch, email=email, amount_usd=amount_usd, note=note, actor=actor)
