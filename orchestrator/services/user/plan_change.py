"""Self-service plan changes: upgrade, downgrade and cancel, historised in ``plan_changes``.

Rules (shown to the user before they confirm):

- A change takes effect at once, and the day of the change is billed at the new plan (plan
  economics bills each UTC day at the plan in effect at the end of that day).
- Moving to a plan with a monthly fee charges that fee pro rata for the rest of the current UTC
  month, today included (``fee x days left / days in the month``, rounded to the cent). The
  monthly renewal after that is the payment processor's job (a subscription at a real
  processor); demo payments charge only at the change.
- Leaving a plan with a fee (a downgrade, or *cancel*, which is a move to the free plan)
  refunds the unused days of the month, today included, pro rata, and never more than was
  paid for that plan this month.
- Every change writes a ``plan_changes`` row (from, to, when, who, why; ``orchestrator/plan_history.py``)
  and an audit entry; a user with no history yet first gets the row for the plan they signed up on.
- The same idempotency key sent twice (a double click) applies the change, and charges, once.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func, select

from db.models import Invoice, Plan, PlanChange, User
from orchestrator.errors import InputRejected, NotFound
from orchestrator.money import usd_str
from orchestrator.payments import SUCCEEDED, provider_for
from orchestrator.plan_history import record_change
from orchestrator.prepare import resolve_user
from orchestrator.services.admin import audit
from orchestrator.services.reports.analytics_finance import fee_share
from orchestrator.services.user import billing


@dataclass(frozen=True)
class PlanOption:
    code: str
    name: str
    description: str
    monthly_fee_usd: Decimal
    uses_credit: bool
    markup_pct: int
    requests_per_day: int | None
    tokens_per_month: int | None
    cost_cap_usd_month: Decimal | None
    current: bool


@dataclass(frozen=True)
class Quote:
    """What a change would do today: charge for the rest of the month, refund of the old plan."""

    from_plan: str
    to_plan: str
    to_name: str
    charge_usd: Decimal
    refund_usd: Decimal
    through: date  # the charge and refund cover today up to this day (the month's end)
    direction: str  # upgrade | downgrade | cancel


@dataclass(frozen=True)
class ChangeResult:
    change_id: int
    from_plan: str
    to_plan: str
    effective_at: datetime
    charged_usd: Decimal
    refunded_usd: Decimal
    repeated: bool = False  # this key was already applied; nothing was charged again

    def as_dict(self) -> dict:
        return {"change_id": self.change_id, "from": self.from_plan, "to": self.to_plan,
                "effective_at": self.effective_at.isoformat(), "charged_usd": usd_str(self.charged_usd),
                "refunded_usd": usd_str(self.refunded_usd), "repeated": self.repeated}


@dataclass(frozen=True)
class HistoryRow:
    effective_at: datetime
    from_plan: str | None
    to_plan: str
    actor: str
    reason: str


def _cents(value: Decimal) -> Decimal:
    return value.quantize(billing.CENT, rounding=ROUND_HALF_EVEN)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def plan_options(orch, *, user: str | int) -> list[PlanOption]:
    """Every plan, in the plans' order, the user's own marked ``current``."""
    row, current = resolve_user(orch.db, user)
    with orch.db.read() as s:
        plans = s.scalars(select(Plan).order_by(Plan.sort_order, Plan.id)).all()
    return [PlanOption(p.code, p.name, p.description or "", p.monthly_fee_usd or Decimal(0), p.uses_credit,
                       p.markup_pct, p.requests_per_day, p.tokens_per_month, p.cost_cap_usd_month,
                       p.id == current.id) for p in plans]


def free_plan(s) -> Plan:
    """The plan *cancel* goes back to: the first plan without a fee that does not use credit."""
    plan = s.scalar(select(Plan).where(Plan.monthly_fee_usd == Decimal(0), Plan.uses_credit.is_(False))
                    .order_by(Plan.sort_order, Plan.id).limit(1))
    if plan is None:
        raise NotFound("There is no free plan to go back to; ask your administrator.")
    return plan


def _paid_this_month(s, user_id: int, plan_code: str, today: date) -> tuple[Decimal, str | None]:
    """Net amount paid for ``plan_code`` this month, and the last payment's reference."""
    since = datetime(today.year, today.month, 1, tzinfo=UTC)
    where = (Invoice.user_id == user_id, Invoice.kind == "plan", Invoice.plan_code == plan_code,
             Invoice.status == SUCCEEDED, Invoice.created_at >= since)
    paid = s.scalar(select(func.coalesce(func.sum(Invoice.amount_usd), 0)).where(*where))
    ref = s.scalar(select(Invoice.provider_ref).where(*where, Invoice.amount_usd > 0)
                   .order_by(Invoice.created_at.desc(), Invoice.id.desc()).limit(1))
    return Decimal(paid or 0), ref


def _quote(s, row: User, old: Plan, new: Plan, now: datetime) -> tuple[Quote, str | None]:
    today = now.date()
    end = _month_end(today)
    charge = _cents(fee_share(new.monthly_fee_usd or Decimal(0), today, end))
    refund, ref = Decimal(0), None
    if old.monthly_fee_usd:
        paid, ref = _paid_this_month(s, row.id, old.code, today)
        refund = max(min(_cents(fee_share(old.monthly_fee_usd, today, end)), paid), Decimal(0))
    cancel_to = s.scalar(select(Plan.id).where(Plan.monthly_fee_usd == Decimal(0), Plan.uses_credit.is_(False))
                         .order_by(Plan.sort_order, Plan.id).limit(1))
    direction = ("cancel" if new.id == cancel_to and old.monthly_fee_usd
                 else "upgrade" if (new.sort_order, new.id) > (old.sort_order, old.id) else "downgrade")
    return Quote(old.code, new.code, new.name, charge, refund, end, direction), ref


def _target(s, code: str) -> Plan:
    plan = s.scalar(select(Plan).where(Plan.code == (code or "").strip()))
    if plan is None:
        raise NotFound(f"No plan '{code}'.")
    return plan


def quote(orch, *, user: str | int, to_plan: str, now: datetime | None = None) -> Quote:
    now = now or datetime.now(UTC)
    row, old = resolve_user(orch.db, user)
    with orch.db.read() as s:
        new = _target(s, to_plan)
        if new.id == old.id:
            raise InputRejected(f"You are already on {old.name}.")
        return _quote(s, row, old, new, now)[0]


def _pay(orch, provider, row: User, q: Quote, key: str, refund_ref: str | None) -> tuple[int | None, Decimal]:
    """Charge the new plan and refund the old one (each once per key); the charge's invoice id
    and the amount refunded. A declined charge stops the change before anything is refunded."""
    invoice_id = None
    if q.charge_usd > 0:
        desc = f"{q.to_name} plan, today to {q.through:%d %b %Y}"
        inv, created = billing.open_invoice(orch, user_id=row.id, kind="plan", amount=q.charge_usd, key=key,
                                            description=desc, provider=provider.name, plan_code=q.to_plan)
        if created:
            result = billing.settle(provider, lambda: provider.charge(
                payer=billing.payer(row), amount=q.charge_usd, currency=billing.CURRENCY, description=desc,
                idempotency_key=key))
            with orch.db.write() as s:
                billing.mark(s, inv.id, result)
                if not result.succeeded:
                    audit.record(s, actor=row.email, action="billing.payment_failed", target_type="user",
                                 target_id=row.email, after={"invoice_id": inv.id, "amount_usd": q.charge_usd,
                                                             "status": result.status, "plan": q.to_plan})
            if not result.succeeded:
                raise billing.declined(result)
        else:
            billing.repeated(inv, kind="plan", amount=q.charge_usd)
        invoice_id = inv.id
    if q.refund_usd <= 0:
        return invoice_id, Decimal(0)
    rkey, desc = f"{key}:refund", f"Refund: unused days of {q.from_plan} to {q.through:%d %b %Y}"
    inv, created = billing.open_invoice(orch, user_id=row.id, kind="plan", amount=-q.refund_usd, key=rkey,
                                        description=desc, provider=provider.name, plan_code=q.from_plan)
    if created:
        result = billing.settle(provider, lambda: provider.refund(
            payer=billing.payer(row), reference=refund_ref or "", amount=q.refund_usd, currency=billing.CURRENCY,
            description=desc, idempotency_key=rkey))
        with orch.db.write() as s:
            billing.mark(s, inv.id, result)
        return invoice_id, q.refund_usd if result.succeeded else Decimal(0)
    return invoice_id, q.refund_usd if inv.status == SUCCEEDED else Decimal(0)


def change_plan(orch, *, user: str | int, to_plan: str, idempotency_key: str, reason: str = "",
                now: datetime | None = None) -> ChangeResult:
    """Move the user to ``to_plan`` now (see the module docstring for what is charged)."""
    now = now or datetime.now(UTC)
    key = billing.check_key(idempotency_key)
    row, old = resolve_user(orch.db, user)
    with orch.db.read() as s:
        done = s.scalar(select(PlanChange).where(PlanChange.user_id == row.id, PlanChange.idempotency_key == key))
        if done is not None:
            inv = s.get(Invoice, done.invoice_id) if done.invoice_id else None
            return ChangeResult(done.id, done.from_plan or "", done.to_plan, done.effective_at,
                                inv.amount_usd if inv else Decimal(0), Decimal(0), repeated=True)
        new = _target(s, to_plan)
        if new.id == old.id:
            raise InputRejected(f"You are already on {old.name}.")
        q, refund_ref = _quote(s, row, old, new, now)
    provider = provider_for(orch.settings)
    invoice_id, refunded = _pay(orch, provider, row, q, key, refund_ref)
    why = reason or q.direction
    with orch.db.write() as s:
        user_row = s.get(User, row.id)
        user_row.plan_id = new.id
        change = record_change(s, user=user_row, from_plan=old.code, to_plan=new.code, actor=row.email, reason=why,
                               effective_at=now, key=key, invoice_id=invoice_id)
        audit.record(s, actor=row.email, action=f"plan.{q.direction}", target_type="user", target_id=row.email,
                     before={"plan": old.code}, after={"plan": new.code, "charged_usd": q.charge_usd,
                                                       "refunded_usd": refunded, "invoice_id": invoice_id,
                                                       "reason": why})
        s.flush()
        return ChangeResult(change.id, old.code, new.code, now, q.charge_usd, refunded)


def cancel_plan(orch, *, user: str | int, idempotency_key: str, now: datetime | None = None) -> ChangeResult:
    """Back to the free plan, at once (the unused paid days are refunded, see the module docstring)."""
    with orch.db.read() as s:
        code = free_plan(s).code
    return change_plan(orch, user=user, to_plan=code, idempotency_key=idempotency_key, reason="cancel", now=now)


def plan_history(orch, *, user: str | int) -> list[HistoryRow]:
    """The user's plan changes, newest first."""
    row, _plan = resolve_user(orch.db, user)
    with orch.db.read() as s:
        rows = s.scalars(select(PlanChange).where(PlanChange.user_id == row.id)
                         .order_by(PlanChange.effective_at.desc(), PlanChange.id.desc())).all()
        return [HistoryRow(r.effective_at, r.from_plan, r.to_plan, r.actor, r.reason) for r in rows]
