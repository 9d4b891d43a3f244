"""The one definition of a provider failure rate, for every page that shows one.

    failure rate = failed provider calls / provider calls, over the last 24 hours

A *provider call* is a ledger row with status ``success`` or ``error``: one attempt
sent to a provider (the built-in offline engine included). Cache hits (``cached``) and
quota refusals (``quota_denied``) never reached a provider, so they count on neither
side. Every attempt counts, retries and fallbacks included: a request that failed on
one provider and was then answered by another adds one failed call to the first.

The window is fixed (``WINDOW``) and named by ``WINDOW_LABEL``, which every page
showing a rate puts next to it ("Failure rate · last 24 h"). Overview and Providers
both call ``failure_rates``, so their figures agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select

from db.models import UsageRecord

WINDOW = timedelta(hours=24)
WINDOW_LABEL = "last 24 h"
PROVIDER_CALL_STATUSES = ("success", "error")
DEFINITION = (f"Failed provider calls ÷ all provider calls, {WINDOW_LABEL}. Every attempt counts (retries "
              "and fallbacks too); cache hits and quota refusals reach no provider and are left out.")


@dataclass(frozen=True)
class FailureRate:
    """Provider calls and failed ones in the window; ``rate`` is None without calls."""

    calls: int = 0
    failed: int = 0

    @property
    def rate(self) -> float | None:
        return self.failed / self.calls if self.calls else None


@dataclass(frozen=True)
class FailureRates:
    """All providers together (``overall``) and each by name, over the window starting ``since``."""

    since: datetime
    overall: FailureRate
    by_provider: dict[str, FailureRate] = field(default_factory=dict)
    window: str = WINDOW_LABEL

    def of(self, provider: str) -> FailureRate:
        return self.by_provider.get(provider, FailureRate())


def window_start(now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - WINDOW


def failure_rates_in(s, *, now: datetime | None = None) -> FailureRates:
    """``failure_rates`` inside an open session (one grouped query on the (provider, time) index)."""
    since = window_start(now)
    failed = func.coalesce(func.sum(case((UsageRecord.status == "error", 1), else_=0)), 0)
    rows = s.execute(select(UsageRecord.provider, func.count(), failed)
                     .where(UsageRecord.timestamp >= since, UsageRecord.status.in_(PROVIDER_CALL_STATUSES))
                     .group_by(UsageRecord.provider)).all()
    by_provider = {name: FailureRate(int(calls or 0), int(bad or 0)) for name, calls, bad in rows}
    overall = FailureRate(sum(r.calls for r in by_provider.values()), sum(r.failed for r in by_provider.values()))
    return FailureRates(since=since, overall=overall, by_provider=by_provider)


def failure_rates(orch, *, now: datetime | None = None) -> FailureRates:
    """Failure rates of provider calls over the last 24 hours, overall and per provider."""
    with orch.db.read() as s:
        return failure_rates_in(s, now=now)
