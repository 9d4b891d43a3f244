"""Cost analytics: KPIs and chart data as DTOs, aggregated in SQL (see ``analytics_queries``).

Every function takes the orchestrator and keyword arguments (``filt`` an
``AnalyticsFilter``) and returns frozen dataclasses; money is ``Decimal`` (exact sums of
picodollars). Results are cached briefly. Forecast, plan economics and CSV export are in
``analytics_finance``.

Definitions (the dashboard shows them too):
- *requests*: first ledger rows of requests (attempt <= 1); *attempts*: all rows.
- *tokens*: input + output (input includes cached tokens, output includes reasoning).
- *error rate*: provider calls that failed / provider calls (status success or error).
- *cache hit rate*: cache hits / requests that were not refused by a quota.
- *cost*: the AI cost of every attempt, failed ones included; unpriced calls are counted
  apart (``unpriced``), never as $0.
- *p50/p95 latency*: of provider calls, from log-spaced histograms: within
  ``rollups.PERCENTILE_ERROR`` (4.43 %) of the exact nearest-rank value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from db.models import CatalogModel, Plan, Provider, UsageDaily, User
from orchestrator import rollups
from orchestrator.tasks import TASKS
from orchestrator.services.reports.analytics_queries import AnalyticsFilter, cached, clear_cache, grouped, totals

__all__ = ["AnalyticsFilter", "clear_cache", "kpis", "daily_by_provider", "cost_by_plan_task", "tokens_by_model",
           "latency_by_provider", "errors_by_provider", "top_users", "filter_options", "user_emails"]



def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Kpis:
    cost_usd: Decimal
    requests: int
    attempts: int
    tokens: int
    provider_calls: int
    errors: int
    cache_hits: int
    denied_requests: int
    unpriced: int
    p50_ms: float | None
    p95_ms: float | None

    @property
    def error_rate(self) -> float | None:
        return _rate(self.errors, self.provider_calls)

    @property
    def cache_hit_rate(self) -> float | None:
        return _rate(self.cache_hits, self.requests - self.denied_requests)


@dataclass(frozen=True)
class KpiReport:
    current: Kpis
    previous: Kpis
    filt: AnalyticsFilter


def _kpis(db, filt: AnalyticsFilter) -> Kpis:
    rows = grouped(db, filt, "calls", ("status",))
    hist = {k[0]: v["calls"] for k, v in grouped(db, filt, "latency", ("bucket",)).items()}
    calls = lambda k: k[0] in rollups.PROVIDER_CALLS  # noqa: E731
    return Kpis(
        cost_usd=totals(rows, "cost_usd"),
        requests=totals(rows, "requests"),
        attempts=totals(rows, "attempts"),
        tokens=totals(rows, "tokens_input") + totals(rows, "tokens_output"),
        provider_calls=totals(rows, "attempts", where=calls),
        errors=totals(rows, "attempts", where=lambda k: k[0] == "error"),
        cache_hits=totals(rows, "attempts", where=lambda k: k[0] == "cached"),
        denied_requests=totals(rows, "requests", where=lambda k: k[0] == "quota_denied"),
        unpriced=totals(rows, "unpriced"),
        p50_ms=rollups.percentile(hist, 0.50),
        p95_ms=rollups.percentile(hist, 0.95),
    )


@cached
def kpis(orch, *, filt: AnalyticsFilter) -> KpiReport:
    """The KPI tiles for ``filt`` and for the period of the same length before it."""
    return KpiReport(current=_kpis(orch.db, filt), previous=_kpis(orch.db, filt.previous()), filt=filt)


@dataclass(frozen=True)
class DailyProvider:
    day: date
    provider: str
    cost_usd: Decimal
    requests: int
    provider_calls: int
    errors: int

    @property
    def error_rate(self) -> float | None:
        return _rate(self.errors, self.provider_calls)


@cached
def daily_by_provider(orch, *, filt: AnalyticsFilter) -> list[DailyProvider]:
    """Cost, requests and errors per UTC day and provider (stacked cost, daily error rate)."""
    acc: dict[tuple, dict] = defaultdict(lambda: {"cost": Decimal(0), "req": 0, "calls": 0, "err": 0})
    for (day, provider, status), v in grouped(orch.db, filt, "calls", ("day", "provider", "status")).items():
        a = acc[(day, provider)]
        a["cost"] += v["cost_usd"]
        a["req"] += v["requests"]
        if status in rollups.PROVIDER_CALLS:
            a["calls"] += v["attempts"]
        if status == "error":
            a["err"] += v["attempts"]
    return [DailyProvider(day, provider, a["cost"], a["req"], a["calls"], a["err"])
            for (day, provider), a in sorted(acc.items())]


@dataclass(frozen=True)
class PlanTaskCost:
    plan: str
    task: str
    cost_usd: Decimal
    requests: int
    tokens: int


@cached
def cost_by_plan_task(orch, *, filt: AnalyticsFilter) -> list[PlanTaskCost]:
    rows = grouped(orch.db, filt, "calls", ("plan", "task_type"))
    return [PlanTaskCost(plan, task, v["cost_usd"], v["requests"], v["tokens_input"] + v["tokens_output"])
            for (plan, task), v in sorted(rows.items())]


@dataclass(frozen=True)
class ModelTokens:
    provider: str
    model: str
    input_tokens: int       # cache reads included
    cached_tokens: int
    output_tokens: int      # reasoning included
    reasoning_tokens: int
    cost_usd: Decimal

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


@cached
def tokens_by_model(orch, *, filt: AnalyticsFilter) -> list[ModelTokens]:
    """Tokens per model, biggest first."""
    rows = grouped(orch.db, filt, "calls", ("provider", "model"))
    out = [ModelTokens(p, m, v["tokens_input"], v["tokens_cached"], v["tokens_output"], v["tokens_reasoning"],
                       v["cost_usd"]) for (p, m), v in rows.items()]
    return sorted(out, key=lambda t: (-t.total, t.provider, t.model))


@dataclass(frozen=True)
class LatencyPoint:
    day: date | None        # None: the whole period
    provider: str
    calls: int
    p50_ms: float | None
    p95_ms: float | None


@dataclass(frozen=True)
class LatencyReport:
    daily: list[LatencyPoint]
    by_provider: list[LatencyPoint]


def _latency_points(rows, keyed) -> list[LatencyPoint]:
    hists: dict[tuple, dict[int, int]] = defaultdict(dict)
    for key, v in rows.items():
        hists[key[:-1]][key[-1]] = v["calls"]
    return [LatencyPoint(*keyed(k), sum(h.values()), rollups.percentile(h, 0.5), rollups.percentile(h, 0.95))
            for k, h in sorted(hists.items())]


@cached
def latency_by_provider(orch, *, filt: AnalyticsFilter) -> LatencyReport:
    """p50/p95 latency of provider calls per day and provider, and per provider overall."""
    daily = grouped(orch.db, filt, "latency", ("day", "provider", "bucket"))
    overall = grouped(orch.db, filt, "latency", ("provider", "bucket"))
    return LatencyReport(daily=_latency_points(daily, lambda k: (k[0], k[1])),
                         by_provider=_latency_points(overall, lambda k: (None, k[0])))


@dataclass(frozen=True)
class ProviderErrors:
    provider: str
    calls: int
    errors: int

    @property
    def error_rate(self) -> float | None:
        return _rate(self.errors, self.calls)


@cached
def errors_by_provider(orch, *, filt: AnalyticsFilter) -> list[ProviderErrors]:
    """Provider calls and failures per provider, worst error rate first."""
    rows = grouped(orch.db, filt, "calls", ("provider", "status"))
    calls: dict[str, int] = defaultdict(int)
    errors: dict[str, int] = defaultdict(int)
    for (provider, status), v in rows.items():
        if status in rollups.PROVIDER_CALLS:
            calls[provider] += v["attempts"]
        if status == "error":
            errors[provider] += v["attempts"]
    out = [ProviderErrors(p, n, errors[p]) for p, n in calls.items()]
    return sorted(out, key=lambda e: (-(e.error_rate or 0), e.provider))


@dataclass(frozen=True)
class UserUsage:
    user_id: int | None
    email: str
    plan: str
    requests: int
    tokens: int
    cost_usd: Decimal
    charged_usd: Decimal


def user_emails(db, ids) -> dict[int, tuple[str, str]]:
    """id -> (email, current plan code) for a few users."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    with db.read() as s:
        q = select(User.id, User.email, Plan.code).join(Plan, Plan.id == User.plan_id).where(User.id.in_(ids))
        return {i: (e, p) for i, e, p in s.execute(q)}


@cached
def top_users(orch, *, filt: AnalyticsFilter, limit: int = 10) -> list[UserUsage]:
    """The users with the highest AI cost in the period (deleted users show as '(deleted)')."""
    per_user: dict[int | None, dict] = defaultdict(lambda: {"cost": Decimal(0), "charged": Decimal(0),
                                                            "req": 0, "tok": 0, "plan": ""})
    for (uid, plan), v in grouped(orch.db, filt, "users", ("user_id", "plan")).items():
        a = per_user[uid]
        a["cost"] += v["cost_usd"]
        a["charged"] += v["charged_usd"]
        a["req"] += v["requests"]
        a["tok"] += v["tokens_input"] + v["tokens_output"]
        a["plan"] = a["plan"] or plan
    ranked = sorted(per_user.items(), key=lambda kv: (-kv[1]["cost"], kv[0] is None, kv[0] or 0))[:limit]
    emails = user_emails(orch.db, [uid for uid, _ in ranked])
    out = []
    for uid, a in ranked:
        email, plan = emails.get(uid, ("(deleted)", a["plan"]))
        out.append(UserUsage(uid, email, plan, a["req"], a["tok"], a["cost"], a["charged"]))
    return out


@dataclass(frozen=True)
class FilterOptions:
    providers: tuple[str, ...]
    models: tuple[str, ...]
    plans: tuple[str, ...]
    tasks: tuple[str, ...]
    provider_kinds: tuple[tuple[str, str], ...] = ()  # (name, kind); kind "" for a deleted provider
    plan_names: tuple[tuple[str, str], ...] = ()      # (code, display name)


@cached
def filter_options(orch) -> FilterOptions:
    """Values for the filter widgets: configured providers, catalog models and whatever the
    rollups have seen (a deleted provider's history stays selectable), with each provider's
    kind (for its colour) and each plan's display name."""
    with orch.db.read() as s:
        kinds = {name: kind for name, kind in s.execute(select(Provider.name, Provider.kind))}
        providers = set(kinds)
        models = set(s.scalars(select(CatalogModel.model)))
        plans = [(c, n) for c, n in s.execute(select(Plan.code, Plan.name).order_by(Plan.sort_order, Plan.code))]
        for p, m in s.execute(select(UsageDaily.provider, UsageDaily.model).distinct()):
            providers.add(p)
            models.add(m)
    return FilterOptions(tuple(sorted(providers)), tuple(sorted(models)), tuple(c for c, _ in plans), tuple(TASKS),
                         tuple((p, kinds.get(p, "")) for p in sorted(providers)), tuple(plans))
