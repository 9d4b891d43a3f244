"""Operational alerts with admin-editable thresholds (``app_settings['alert_thresholds']``).

Rules, each a strict "above" except the quota rule (at or above):
- *error rate*: a provider's failed calls / calls over the last ``window_hours`` above
  ``error_rate_pct`` (providers with at least ``min_calls`` calls, so one failure out of
  two calls is not an incident);
- *latency*: a provider's p95 latency over the same window above ``p95_latency_s``
  (histogram estimate, within ``rollups.PERCENTILE_ERROR``);
- *daily cost*: today's cost so far above ``spend_spike_multiple`` x the average daily cost
  of the 7 complete days before today;
- *quota*: a user at ``quota_pct`` % or more of a limit: requests today, tokens or cost this
  month (from the quota counters the limiter itself uses, holds included);
- *provider account*: a provider refused calls in the window because its account's quota or
  credit is used up (``quota_exhausted``): no retry fixes that, someone has to top it up, so
  one such refusal fires, whatever ``min_calls`` says.

``evaluate`` reads the last hours of the ledger through its timestamp index and the quota
counters; ``history`` replays the first three rules per past day from the rollups.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select

from db.base import utcnow
from db.models import AppSetting, Plan, QuotaCounter, UsageRecord, User
from orchestrator import rollups, settings_store
from orchestrator.money import usd_str
from orchestrator.errors import InputRejected
from orchestrator.services.admin import audit
from orchestrator.services.actor import Actor, require
from orchestrator.services.reports.analytics import daily_by_provider, latency_by_provider
from orchestrator.services.reports.analytics_queries import AnalyticsFilter, grouped, totals

SETTING = "alert_thresholds"
TRAILING_DAYS = 7


@dataclass(frozen=True)
class AlertThresholds:
    error_rate_pct: float
    p95_latency_s: float
    spend_spike_multiple: float
    quota_pct: float
    window_hours: int
    min_calls: int

    LIMITS = {"error_rate_pct": (0, 100), "p95_latency_s": (0, 600), "spend_spike_multiple": (1, 100),
              "quota_pct": (1, 100), "window_hours": (1, 24 * 7), "min_calls": (1, 1_000_000)}


def thresholds(orch) -> AlertThresholds:
    stored = settings_store.get(orch.db, SETTING)
    return AlertThresholds(**{f.name: _number(f.name, stored[f.name]) for f in fields(AlertThresholds)})


def _number(name: str, value) -> float | int:
    lo, hi = AlertThresholds.LIMITS[name]
    try:
        num = int(value) if name in ("window_hours", "min_calls") else float(value)
    except (TypeError, ValueError):
        raise InputRejected(f"{name} must be a number.") from None
    if not lo <= num <= hi:
        raise InputRejected(f"{name} must be between {lo} and {hi}.")
    return num


def set_thresholds(orch, *, actor: Actor, **changes) -> AlertThresholds:
    """Change some thresholds (validated), with an audit entry in the same transaction."""
    require(orch, actor)
    before = thresholds(orch)
    unknown = set(changes) - {f.name for f in fields(AlertThresholds)}
    if unknown:
        raise InputRejected(f"Unknown alert thresholds: {', '.join(sorted(unknown))}.")
    after = AlertThresholds(**{**asdict(before), **{k: _number(k, v) for k, v in changes.items()}})
    if after == before:
        return before
    with orch.db.write() as s:
        row = s.get(AppSetting, SETTING)
        if row is None:
            s.add(AppSetting(key=SETTING, value=asdict(after)))
        else:
            row.value = asdict(after)
        audit.record(s, actor=actor, action="alerts.set_thresholds", target_type="setting", target_id=SETTING,
                     before=asdict(before), after=asdict(after))
    return after


@dataclass(frozen=True)
class Alert:
    kind: str               # error_rate | latency | daily_cost | quota | provider_account
    subject: str            # a provider, "all providers" or a user's email
    value: float            # error rate (0-1), p95 ms, cost multiple, or share of the quota (0-1)
    threshold: float        # in the same unit as value
    message: str
    day: date | None = None  # set for history entries


@dataclass(frozen=True)
class AlertReport:
    alerts: list[Alert]
    thresholds: AlertThresholds
    evaluated_at: datetime


def evaluate(orch, *, now: datetime | None = None) -> AlertReport:
    now = now or utcnow()
    t = thresholds(orch)
    rollups.refresh_rollups(orch.db, now=now)
    alerts = [*_provider_alerts(orch.db, t, now), *_cost_alert(orch.db, t, now.date()), *_quota_alerts(orch.db, t, now)]
    return AlertReport(alerts, t, now)


def _provider_alerts(db, t: AlertThresholds, now: datetime) -> list[Alert]:
    r = UsageRecord
    since = now - timedelta(hours=t.window_hours)
    window = (r.timestamp >= since, r.timestamp <= now, r.status.in_(rollups.PROVIDER_CALLS))
    bucket = rollups.bucket_expr(r.latency_ms)
    with db.read() as s:
        counts = s.execute(select(r.provider, r.status, func.count()).where(*window).group_by(r.provider, r.status))
        calls, errors = defaultdict(int), defaultdict(int)
        for provider, status, n in counts:
            calls[provider] += n
            errors[provider] += n if status == "error" else 0
        billing = dict(s.execute(select(r.provider, func.count()).where(
            *window, r.status == "error", r.error_type == "quota_exhausted").group_by(r.provider)).all())
        hists: dict[str, dict[int, int]] = defaultdict(dict)
        for provider, b, n in s.execute(select(r.provider, bucket, func.count()).where(*window)
                                        .group_by(r.provider, bucket)):
            hists[provider][b] = n
    out = []
    span = f"over the last {t.window_hours} h"
    for provider in sorted(billing):
        out.append(Alert("provider_account", provider, float(billing[provider]), 0.0,
                         f"{provider}: {billing[provider]:,} calls refused {span} because the account's quota "
                         "or credit is used up; requests fall back to other providers until it is topped up."))
    for provider in sorted(calls):
        if calls[provider] < t.min_calls:
            continue
        rate = errors[provider] / calls[provider]
        if rate * 100 > t.error_rate_pct:
            out.append(Alert("error_rate", provider, rate, t.error_rate_pct / 100,
                             f"{provider}: {rate:.1%} of {calls[provider]:,} calls failed {span} "
                             f"(threshold {t.error_rate_pct:g} %)."))
        p95 = rollups.percentile(hists[provider], 0.95)
        if p95 is not None and p95 > t.p95_latency_s * 1000:
            out.append(Alert("latency", provider, p95, t.p95_latency_s * 1000,
                             f"{provider}: p95 latency {p95 / 1000:.1f} s {span} (threshold {t.p95_latency_s:g} s)."))
    return out


def _cost_alert(db, t: AlertThresholds, today: date) -> list[Alert]:
    filt = AnalyticsFilter(start=today - timedelta(days=TRAILING_DAYS), end=today)
    rows = grouped(db, filt, "calls", ("day",))
    spent = totals(rows, "cost_usd", where=lambda k: k[0] == today)
    avg = totals(rows, "cost_usd", where=lambda k: k[0] < today) / TRAILING_DAYS
    alert = _cost_check(t, today, spent, avg, "Today so far")
    return [alert] if alert else []


def _cost_check(t: AlertThresholds, day: date, spent: Decimal, avg: Decimal, label: str) -> Alert | None:
    if avg <= 0 or spent <= avg * Decimal(str(t.spend_spike_multiple)):
        return None
    multiple = float(spent / avg)
    return Alert("daily_cost", "all providers", multiple, t.spend_spike_multiple,
                 f"{label}: ${_usd2(spent)} spent, {multiple:.1f}x the trailing {TRAILING_DAYS}-day average "
                 f"of ${_usd2(avg)} (threshold {t.spend_spike_multiple:g}x).", day=None)


def _usd2(value: Decimal) -> str:
    return usd_str(value.quantize(Decimal("0.01")))


_QUOTAS = (("requests_per_day", "day", "requests", "requests today"),
           ("tokens_per_month", "month", "tokens", "tokens this month"),
           ("cost_cap_usd_month", "month", "cost_usd", "AI cost this month"))


def _quota_alerts(db, t: AlertThresholds, now: datetime) -> list[Alert]:
    today = now.date()
    q = (select(QuotaCounter, User, Plan).join(User, User.id == QuotaCounter.user_id)
         .join(Plan, Plan.id == User.plan_id)
         .where(User.is_active, or_((QuotaCounter.period == "day") & (QuotaCounter.period_start == today),
                                    (QuotaCounter.period == "month")
                                    & (QuotaCounter.period_start == today.replace(day=1)))))
    out = []
    with db.read() as s:
        for counter, user, plan in s.execute(q):
            for limit_name, period, used_attr, label in _QUOTAS:
                if counter.period != period:
                    continue
                override = getattr(user, f"{limit_name}_override")
                limit = override if override is not None else getattr(plan, limit_name)
                if not limit:
                    continue
                used = getattr(counter, used_attr)
                share = float(Decimal(used) / Decimal(limit))
                if share * 100 >= t.quota_pct:
                    shown = (f"${_usd2(used)} of ${_usd2(limit)}" if used_attr == "cost_usd"
                             else f"{used:,} of {limit:,}")
                    out.append(Alert("quota", user.email, share, t.quota_pct / 100,
                                     f"{user.email} ({plan.code}): {shown} {label} ({share:.0%})."))
    return sorted(out, key=lambda a: (-a.value, a.subject))


def history(orch, *, days: int = 30, today: date | None = None) -> list[Alert]:
    """The complete past days (most recent first) on which a rule would have fired,
    from the rollups: provider error rate and p95 per day, and daily cost."""
    t = thresholds(orch)
    today = today or utcnow().date()
    last = today - timedelta(days=1)
    filt = AnalyticsFilter(start=last - timedelta(days=days - 1 + TRAILING_DAYS), end=last)
    out: list[Alert] = []
    cost_per_day: dict[date, Decimal] = defaultdict(Decimal)
    first_day = last - timedelta(days=days - 1)
    for d in daily_by_provider(orch, filt=filt):
        cost_per_day[d.day] += d.cost_usd
        if d.day >= first_day and d.provider_calls >= t.min_calls and (d.error_rate or 0) * 100 > t.error_rate_pct:
            out.append(Alert("error_rate", d.provider, d.error_rate, t.error_rate_pct / 100,
                             f"{d.provider}: {d.error_rate:.1%} of {d.provider_calls:,} calls failed.", day=d.day))
    for p in latency_by_provider(orch, filt=filt).daily:
        if p.day >= first_day and p.calls >= t.min_calls and p.p95_ms and p.p95_ms > t.p95_latency_s * 1000:
            out.append(Alert("latency", p.provider, p.p95_ms, t.p95_latency_s * 1000,
                             f"{p.provider}: p95 latency {p.p95_ms / 1000:.1f} s.", day=p.day))
    for i in range(days):
        day = last - timedelta(days=i)
        avg = sum((cost_per_day[day - timedelta(days=k)] for k in range(1, TRAILING_DAYS + 1)), Decimal(0))
        alert = _cost_check(t, day, cost_per_day[day], avg / TRAILING_DAYS, f"{day:%a %d %b}")
        if alert:
            out.append(Alert(alert.kind, alert.subject, alert.value, alert.threshold, alert.message, day=day))
    return sorted(out, key=lambda a: (a.day, a.kind, a.subject), reverse=True)
