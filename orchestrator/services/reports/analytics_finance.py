"""The money side of analytics: month-end forecast, plan economics and CSV export.

All arithmetic is ``Decimal`` and exact up to the final quantization to the picodollar
(banker's rounding), which is stated where it happens.

*Forecast*: month-to-date spend + (average daily spend over the 7 complete days before
today) x (days left in the month after today). The filter's dimensions apply; its dates
do not (it is always about the current UTC month).

*Plan economics* over the filter's period: revenue per plan = subscription fees + paygo
charges (``charged_usd``); AI cost per plan from the ledger; margin = revenue - AI cost.
Fees are prorated per day: a subscriber owes ``fee x days / days in month`` for the days
of each month of the period they were on the plan (since they signed up), so a full month
is exactly one fee. Each UTC day is billed at the plan in effect at the end of that day,
from the plan history (``plan_changes``; a user without history is on their current plan
since sign-up): a user on pro for the 1st-10th of a 31-day month and on freemium after
owes pro ``fee x 10/31``. A plan's subscribers are the active users who were on it for at
least one day of the period (a user who changed plan counts under each). Fees are the
plans' current fees. Costs and charges count by the plan recorded on each ledger row.
"""

from __future__ import annotations

import calendar
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from functools import lru_cache

from sqlalchemy import select

from db.base import utcnow
from db.models import Plan, PlanChange, User
from orchestrator import rollups
from orchestrator.money import usd_str
from orchestrator.services.reports.analytics_queries import AnalyticsFilter, cached, grouped

PICO = Decimal("1e-12")
TRAILING_DAYS = 7


def _q(value: Decimal) -> Decimal:
    return value.quantize(PICO, rounding=ROUND_HALF_EVEN)


def _days(first: date, last: date):
    return (first + timedelta(days=i) for i in range((last - first).days + 1))


# ----------------------------------------------------------------- forecast


@dataclass(frozen=True)
class Forecast:
    today: date
    month_start: date
    month_end: date
    month_to_date_usd: Decimal
    trailing_avg_usd: Decimal       # per day, quantized to the picodollar
    days_left: int                  # days of the month after today
    forecast_usd: Decimal           # month_to_date + trailing_avg x days_left
    daily: tuple[tuple[date, Decimal], ...]   # month-to-date spend per day (0 filled in)

    def projection(self) -> list[tuple[date, Decimal]]:
        """Cumulative spend: actual up to today, then the forecast line to the month's end."""
        out, run = [], Decimal(0)
        for day, cost in self.daily:
            run += cost
            out.append((day, run))
        for i in range(1, self.days_left + 1):
            out.append((self.today + timedelta(days=i), run + self.trailing_avg_usd * i))
        return out


@cached
def forecast(orch, *, filt: AnalyticsFilter, today: date | None = None) -> Forecast:
    today = today or utcnow().date()
    month_start = today.replace(day=1)
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    trailing_start = today - timedelta(days=TRAILING_DAYS)
    rows = grouped(orch.db, filt.with_days(min(month_start, trailing_start), today), "calls", ("day",))
    by_day = {k[0]: v["cost_usd"] for k, v in rows.items()}
    daily = tuple((d, by_day.get(d, Decimal(0))) for d in _days(month_start, today))
    mtd = sum((c for _, c in daily), Decimal(0))
    trailing = sum((by_day.get(d, Decimal(0)) for d in _days(trailing_start, today - timedelta(days=1))), Decimal(0))
    avg = _q(trailing / TRAILING_DAYS)
    days_left = (month_end - today).days
    return Forecast(today, month_start, month_end, mtd, avg, days_left, mtd + avg * days_left, daily)


# ----------------------------------------------------------------- plan economics


@lru_cache(maxsize=4096)
def fee_share(fee: Decimal, first: date, last: date) -> Decimal:
    """``fee`` per month prorated to days first..last: sum over months of fee x days/month."""
    if fee == 0 or first > last:
        return Decimal(0)
    share, day = Fraction(0), first
    while day <= last:
        mdays = calendar.monthrange(day.year, day.month)[1]
        month_last = min(last, day.replace(day=mdays))
        share += Fraction((month_last - day).days + 1, mdays)
        day = month_last + timedelta(days=1)
    exact = Fraction(fee) * share
    return _q(Decimal(exact.numerator) / Decimal(exact.denominator))


class _Economics:
    """Revenue (prorated fees + paygo charges) and margin over AI cost, shared by users and plans."""

    fee_revenue_usd: Decimal
    charges_usd: Decimal
    ai_cost_usd: Decimal

    @property
    def revenue_usd(self) -> Decimal:
        return self.fee_revenue_usd + self.charges_usd

    @property
    def margin_usd(self) -> Decimal:
        return self.revenue_usd - self.ai_cost_usd


@dataclass(frozen=True)
class UserMargin(_Economics):
    user_id: int
    email: str
    plan: str
    fee_revenue_usd: Decimal
    charges_usd: Decimal
    ai_cost_usd: Decimal
    requests: int


@dataclass(frozen=True)
class PlanEconomics(_Economics):
    plan: str
    name: str
    monthly_fee_usd: Decimal
    subscribers: int
    fee_revenue_usd: Decimal
    charges_usd: Decimal
    ai_cost_usd: Decimal

    @property
    def margin_pct(self) -> float | None:
        return float(self.margin_usd / self.revenue_usd) if self.revenue_usd else None

    @property
    def margin_per_user_usd(self) -> Decimal | None:
        return _q(self.margin_usd / self.subscribers) if self.subscribers else None


@dataclass(frozen=True)
class EconomicsReport:
    plans: list[PlanEconomics]
    users: list[UserMargin]           # every subscriber and every user with usage, best margin first

    def top(self, n: int = 5) -> list[UserMargin]:
        return self.users[:n]

    def bottom(self, n: int = 5) -> list[UserMargin]:
        return list(reversed(self.users[-n:])) if self.users else []


def _segments(history, created: date, current: str) -> list[tuple[str, date, date | None]]:
    """(plan, first day, last day or None: open) a user was on, from their ``plan_changes``
    rows (oldest first). A day belongs to the plan in effect at its end, so a change made on a
    day bills that day at the new plan; several changes on one day leave the last one."""
    if not history:
        return [(current, created, None)]
    out = [(history[0][0] or history[0][1], created, None)]
    for _from, to, when in history:
        day = max(when.date(), created)
        plan, first, _ = out[-1]
        out[-1] = (plan, first, day - timedelta(days=1))
        out.append((to, day, None))
    return [seg for seg in out if seg[2] is None or seg[2] >= seg[1]]


def _subscribers(db, filt: AnalyticsFilter):
    """Per active user signed up by the period's end: (id, email, plan at the period's end,
    [(plan, fee, first, last)] clipped to the period and the plan filter)."""
    signed_up_by = datetime.combine(filt.end + timedelta(days=1), time(0), tzinfo=UTC)
    q = (select(User.id, User.email, Plan.code, User.created_at)
         .join(Plan, Plan.id == User.plan_id).where(User.is_active, User.created_at < signed_up_by))
    if filt.user_id is not None:
        q = q.where(User.id == filt.user_id)
    with db.read() as s:
        users = list(s.execute(q))
        fees = dict(s.execute(select(Plan.code, Plan.monthly_fee_usd)).all())
        hq = select(PlanChange.user_id, PlanChange.from_plan, PlanChange.to_plan, PlanChange.effective_at)
        if filt.user_id is not None:
            hq = hq.where(PlanChange.user_id == filt.user_id)
        history = defaultdict(list)
        for uid, frm, to, when in s.execute(hq.where(PlanChange.effective_at < signed_up_by)
                                            .order_by(PlanChange.user_id, PlanChange.effective_at, PlanChange.id)):
            history[uid].append((frm, to, when))
    out = []
    for uid, email, current, created in users:
        segs = []
        for plan, first, last in _segments(history.get(uid), created.date(), current):
            first, last = max(first, filt.start), min(last or filt.end, filt.end)
            if first <= last and (not filt.plans or plan in filt.plans) and plan in fees:
                segs.append((plan, fees[plan], first, last))
        if segs:
            out.append((uid, email, segs[-1][0], segs))
    return out


@cached
def plan_economics(orch, *, filt: AnalyticsFilter) -> EconomicsReport:
    db = orch.db
    with db.read() as s:
        plans = list(s.execute(select(Plan.code, Plan.name, Plan.monthly_fee_usd).order_by(Plan.sort_order)))
    by_plan = grouped(db, filt, "calls", ("plan",))
    subs = _subscribers(db, filt)
    fees: dict[int, Decimal] = defaultdict(Decimal)
    count: dict[str, int] = defaultdict(int)
    fee_sum: dict[str, Decimal] = defaultdict(Decimal)
    for uid, _, _, segs in subs:
        for plan, fee, first, last in segs:
            share = fee_share(fee, first, last)
            fees[uid] += share
            fee_sum[plan] += share
        for plan in {seg[0] for seg in segs}:
            count[plan] += 1
    rows = []
    for code, name, fee in plans:
        if filt.plans and code not in filt.plans:
            continue
        usage = by_plan.get((code,), {"cost_usd": Decimal(0), "charged_usd": Decimal(0)})
        rows.append(PlanEconomics(code, name, fee, count[code], fee_sum[code], usage["charged_usd"],
                                  usage["cost_usd"]))
    return EconomicsReport(plans=rows, users=_user_margins(db, filt, subs, fees))


def _user_margins(db, filt, subs, fees) -> list[UserMargin]:
    from orchestrator.services.reports.analytics import user_emails

    usage = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    for (uid,), v in grouped(db, filt, "users", ("user_id",)).items():
        if uid is not None:
            usage[uid][0] += v["cost_usd"]
            usage[uid][1] += v["charged_usd"]
            usage[uid][2] += v["requests"]
    known = {uid: (email, plan) for uid, email, plan, _ in subs}
    known.update(user_emails(db, [uid for uid in usage if uid not in known]))
    out = [UserMargin(uid, email, plan, fees.get(uid, Decimal(0)), usage[uid][1], usage[uid][0], usage[uid][2])
           for uid, (email, plan) in known.items()]
    return sorted(out, key=lambda m: (-m.margin_usd, m.user_id))


# ----------------------------------------------------------------- CSV export

DATASETS = {
    "daily": "Daily usage by plan, task, provider, model and status",
    "users": "Revenue, AI cost and margin per user",
    "plans": "Plan economics",
}


@cached
def export_csv(orch, *, filt: AnalyticsFilter, dataset: str) -> str:
    """The filtered aggregates as CSV (never the raw log); money as exact decimal strings.
    Text cells (emails, plan codes, model names) that a spreadsheet would run as a formula get a
    leading ``'``; plain numbers such as a ``-0.12`` margin stay numbers (see ``spreadsheet_cell``)."""
    from orchestrator.safe_markdown import safe_csv_writer

    buf = io.StringIO()
    w = safe_csv_writer(buf)
    if dataset == "daily":
        dims = ("day", *rollups.DAILY_DIMS)
        rows = grouped(orch.db, filt, "calls", dims)
        measures = [m for m in rollups.DAILY_MEASURES if m != "latency_ms_sum"]
        w.writerow([*dims, *measures, "avg_latency_ms"])
        for key, v in sorted(rows.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
            avg = round(v["latency_ms_sum"] / v["attempts"], 1) if v["attempts"] else ""
            w.writerow([*(k.isoformat() if isinstance(k, date) else k for k in key),
                        *(usd_str(v[m]) if m.endswith("_usd") else v[m] for m in measures), avg])
    elif dataset == "users":
        w.writerow(["user_id", "email", "plan", "requests", "fee_revenue_usd", "charges_usd", "revenue_usd",
                    "ai_cost_usd", "margin_usd"])
        for m in plan_economics(orch, filt=filt).users:
            w.writerow([m.user_id, m.email, m.plan, m.requests, usd_str(m.fee_revenue_usd), usd_str(m.charges_usd),
                        usd_str(m.revenue_usd), usd_str(m.ai_cost_usd), usd_str(m.margin_usd)])
    elif dataset == "plans":
        w.writerow(["plan", "subscribers", "monthly_fee_usd", "fee_revenue_usd", "charges_usd", "revenue_usd",
                    "ai_cost_usd", "margin_usd", "margin_per_user_usd"])
        for p in plan_economics(orch, filt=filt).plans:
            w.writerow([p.plan, p.subscribers, usd_str(p.monthly_fee_usd), usd_str(p.fee_revenue_usd),
                        usd_str(p.charges_usd), usd_str(p.revenue_usd), usd_str(p.ai_cost_usd),
                        usd_str(p.margin_usd), usd_str(p.margin_per_user_usd)])
    else:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {sorted(DATASETS)}")
    return buf.getvalue()
