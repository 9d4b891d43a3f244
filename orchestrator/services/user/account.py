"""What a user sees of their plan: limits left, reset times, credit, usage and costs.

Numbers come from the same tables the pipeline enforces limits with (quota
counters, held plus settled) and from the usage ledger, aggregated in SQL.
Money is ``Decimal`` throughout; periods are UTC like the quotas themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, type_coerce

from db.base import Money
from db.models import Document, Job, QuotaCounter, UsageRecord
from orchestrator import quota
from orchestrator.prepare import resolve_user
from orchestrator.tasks import TASKS

SERVED = ("success", "cached")


def _kind_labels() -> dict[str, str]:
    """``job`` (what posting tasks save) and each document kind, labelled by their task."""
    labels = {t.output: t.label for t in TASKS.values() if t.output == "job"}
    return {**labels, **{t.document_kind: t.label for t in TASKS.values() if t.document_kind}}


@dataclass(frozen=True)
class QuotaLine:
    """One limit: how much is used, the limit (None: unlimited) and when it resets."""

    label: str
    unit: str  # requests | tokens | usd
    used: int | Decimal
    limit: int | Decimal | None
    resets_at: datetime

    @property
    def unlimited(self) -> bool:
        return self.limit is None

    @property
    def remaining(self) -> int | Decimal | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def fraction_used(self) -> float:
        if not self.limit:
            return 1.0 if self.limit == 0 else 0.0
        return min(float(self.used) / float(self.limit), 1.0)


@dataclass(frozen=True)
class AccountStatus:
    plan_code: str
    plan_name: str
    plan_description: str
    monthly_fee_usd: Decimal
    uses_credit: bool
    markup_pct: int
    requests_today: QuotaLine
    tokens_month: QuotaLine
    cost_month: QuotaLine
    credit_usd: Decimal | None  # balance on credit plans, else None
    credit_held_usd: Decimal | None
    keeps_payloads_days: int | None = None  # prompts and answers kept (redacted) this many days; None: not kept
    redacts_personal_data: bool = True  # name and contact details go to external providers as placeholders

    @property
    def credit_available_usd(self) -> Decimal | None:
        if self.credit_usd is None:
            return None
        return self.credit_usd - (self.credit_held_usd or Decimal(0))


@dataclass(frozen=True)
class DailyUsage:
    day: date
    requests: int
    tokens: int
    cost_usd: Decimal  # priced attempts only; unpriced ones are counted in ``unpriced``
    charged_usd: Decimal
    unpriced: int = 0


@dataclass(frozen=True)
class DocumentCost:
    kind: str  # "job" or a document kind
    id: int
    title: str
    created_at: datetime
    provider: str | None
    model: str | None
    cost_usd: Decimal | None  # None: unpriced
    charged_usd: Decimal

    @property
    def kind_label(self) -> str:
        return _kind_labels().get(self.kind, self.kind)


def account_status(orch, *, user: str | int, now: datetime | None = None) -> AccountStatus:
    now = now or datetime.now(UTC)
    row, plan = resolve_user(orch.db, user)
    limits = quota.limits_for(row, plan)
    with orch.db.read() as s:
        counters = {
            c.period: c for c in s.scalars(select(QuotaCounter).where(
                QuotaCounter.user_id == row.id,
                ((QuotaCounter.period == "day") & (QuotaCounter.period_start == quota.day_start(now)))
                | ((QuotaCounter.period == "month") & (QuotaCounter.period_start == quota.month_start(now))),
            )).all()
        }
    day, month = counters.get("day"), counters.get("month")
    next_day, next_month = quota.next_day(now), quota.next_month(now)
    return AccountStatus(
        plan_code=plan.code, plan_name=plan.name, plan_description=plan.description or "",
        monthly_fee_usd=plan.monthly_fee_usd or Decimal(0), uses_credit=plan.uses_credit,
        markup_pct=plan.markup_pct,
        requests_today=QuotaLine("Requests today", "requests", day.requests if day else 0,
                                 limits.requests_per_day, next_day),
        tokens_month=QuotaLine("Tokens this month", "tokens", month.tokens if month else 0,
                               limits.tokens_per_month, next_month),
        cost_month=QuotaLine("AI cost this month", "usd", month.cost_usd if month else Decimal(0),
                             limits.cost_cap_usd_month, next_month),
        credit_usd=row.credit_usd if plan.uses_credit else None,
        credit_held_usd=row.credit_held_usd if plan.uses_credit else None,
        keeps_payloads_days=orch.settings.payload_retention_days if plan.keep_payloads else None,
        redacts_personal_data=plan.redact_personal_data is not False,
    )


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def usage_by_day(orch, *, user: str | int, days: int = 30, now: datetime | None = None) -> list[DailyUsage]:
    """The user's own served requests per UTC day, oldest first, every day present
    (zeros included) so a chart has no gaps. Failed attempts are not the user's cost."""
    now = now or datetime.now(UTC)
    row, _plan = resolve_user(orch.db, user)
    first = quota.day_start(now) - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=UTC)
    day_col = func.date(UsageRecord.timestamp)
    q = (
        select(
            day_col.label("day"),
            func.count(func.distinct(UsageRecord.request_id)),
            func.coalesce(func.sum(UsageRecord.tokens_input + UsageRecord.tokens_output), 0),
            type_coerce(func.coalesce(func.sum(UsageRecord.cost_usd), 0), Money()),
            type_coerce(func.coalesce(func.sum(UsageRecord.charged_usd), 0), Money()),
            func.count(UsageRecord.id).filter(UsageRecord.cost_usd.is_(None)),
        )
        .where(UsageRecord.user_id == row.id, UsageRecord.timestamp >= since,
               UsageRecord.status.in_(SERVED))
        .group_by(day_col)
    )
    with orch.db.read() as s:
        found = {_as_date(d): (int(n), int(t), c, ch, int(u)) for d, n, t, c, ch, u in s.execute(q).all()}
    out = []
    for i in range(days):
        d = first + timedelta(days=i)
        n, t, c, ch, u = found.get(d, (0, 0, Decimal(0), Decimal(0), 0))
        out.append(DailyUsage(day=d, requests=n, tokens=t, cost_usd=c, charged_usd=ch, unpriced=u))
    return out


def document_costs(orch, *, user: str | int, limit: int = 50) -> list[DocumentCost]:
    """What each extraction and document cost (and was charged), newest first."""
    row, _plan = resolve_user(orch.db, user)
    charged = (
        select(UsageRecord.request_id,
               type_coerce(func.sum(UsageRecord.charged_usd), Money()).label("charged"))
        .where(UsageRecord.user_id == row.id, UsageRecord.status == "success")
        .group_by(UsageRecord.request_id).subquery()
    )
    jobs_q = (select(Job.id, Job.title, Job.created_at, Job.provider, Job.model, Job.cost_usd, charged.c.charged)
              .outerjoin(charged, charged.c.request_id == Job.request_id)
              .where(Job.user_id == row.id).order_by(Job.created_at.desc()).limit(limit))
    docs_q = (select(Document.id, Document.kind, Document.title, Document.created_at, Document.provider,
                     Document.model, Document.cost_usd, charged.c.charged)
              .outerjoin(charged, charged.c.request_id == Document.request_id)
              .where(Document.user_id == row.id, Document.request_id.is_not(None))  # edits and restores cost nothing
              .order_by(Document.created_at.desc()).limit(limit))
    with orch.db.read() as s:
        items = [DocumentCost("job", i, t, at, p, m, c, ch or Decimal(0)) for i, t, at, p, m, c, ch
                 in s.execute(jobs_q).all()]
        items += [DocumentCost(k, i, t, at, p, m, c, ch or Decimal(0)) for i, k, t, at, p, m, c, ch
                  in s.execute(docs_q).all()]
    items.sort(key=lambda d: (d.created_at, d.id), reverse=True)
    return items[:limit]
