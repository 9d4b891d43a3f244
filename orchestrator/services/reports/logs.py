"""The usage log explorer and the audit log, for the admin console.

The usage log is browsed by *request*: one page is a set of request ids
(grouped and ordered in SQL, offset pagination), and each request carries all
of its attempts, so a fallback shows as one request with a failed attempt
and a successful one. Filters select requests that have at least one
matching attempt. Nothing here loads the whole log: counts, grouping and
paging happen in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import String, case, cast, distinct, func, or_, select, type_coerce

from db.base import Money
from db.models import LEDGER_STATUSES, AuditEntry, UsageRecord, User
from orchestrator.services.admin.audit import clean


@dataclass(frozen=True)
class UsageFilter:
    since: datetime | None = None
    until: datetime | None = None
    user_email: str | None = None  # substring, case-insensitive
    provider: str | None = None
    model: str | None = None
    plan: str | None = None
    task: str | None = None
    status: str | None = None
    request_id: str | None = None  # prefix


@dataclass(frozen=True)
class AttemptRow:
    timestamp: datetime
    attempt: int
    provider: str
    provider_kind: str
    model: str
    status: str
    error_type: str | None
    error_message: str | None
    tokens_input: int
    tokens_output: int
    tokens_cached: int
    tokens_reasoning: int
    cost_usd: Decimal | None  # None: unpriced
    charged_usd: Decimal
    latency_ms: int
    finish_reason: str | None = None  # as the provider reported it (stop, length...)
    tokens_cache_write: int = 0
    price_version_id: int | None = None  # the price book version it was priced with
    unpriced_reason: str | None = None  # why it has no cost, when it has none
    usage_detail: dict | None = None  # finer counts: 1-hour cache writes, audio, image tokens...
    repriced: bool = False  # an audited re-pricing run changed its cost

    @classmethod
    def of(cls, rec, **extra):
        """The row of one ledger record (``cost_usd`` None when its model was unpriced)."""
        return cls(timestamp=rec.timestamp, attempt=rec.attempt, provider=rec.provider,
                   provider_kind=rec.provider_kind, model=rec.model, status=rec.status, error_type=rec.error_type,
                   error_message=rec.error_message, tokens_input=rec.tokens_input, tokens_output=rec.tokens_output,
                   tokens_cached=rec.tokens_cached, tokens_reasoning=rec.tokens_reasoning,
                   cost_usd=rec.cost_usd if rec.priced else None, charged_usd=rec.charged_usd,
                   latency_ms=rec.latency_ms, finish_reason=rec.finish_reason,
                   tokens_cache_write=rec.tokens_cache_write, price_version_id=rec.price_version_id,
                   unpriced_reason=rec.unpriced_reason, usage_detail=rec.usage_detail or None,
                   repriced=rec.repriced_run_id is not None, **extra)


class AttemptTotals:
    """What a request's attempts add up to (``self.attempts``: rows with status, cost and charge);
    shared by the usage log's request groups and the request inspector's detail."""

    attempts: list

    @property
    def outcome(self) -> str:
        """success, cached, quota_denied or error (all attempts failed)."""
        statuses = {a.status for a in self.attempts}
        return next((s for s in ("success", "cached", "quota_denied") if s in statuses), "error")

    @property
    def cost_usd(self) -> Decimal | None:
        """Exact total of every attempt; None when one that called a model was unpriced."""
        if any(a.cost_usd is None and a.status in ("success", "error") for a in self.attempts):
            return None
        return sum((a.cost_usd or Decimal(0) for a in self.attempts), Decimal(0))

    @property
    def charged_usd(self) -> Decimal:
        return sum((a.charged_usd for a in self.attempts), Decimal(0))


@dataclass(frozen=True)
class RequestGroup(AttemptTotals):
    request_id: str
    started_at: datetime
    user_email: str | None
    plan: str
    task: str
    attempts: list[AttemptRow] = field(default_factory=list)

    @property
    def final(self) -> AttemptRow | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def fell_back(self) -> bool:
        return sum(1 for a in self.attempts if a.status in ("success", "error")) > 1

    @property
    def tokens(self) -> int:
        return sum(a.tokens_input + a.tokens_output for a in self.attempts)

    @property
    def latency_ms(self) -> int:
        return sum(a.latency_ms for a in self.attempts)


@dataclass(frozen=True)
class UsagePage:
    requests: list[RequestGroup]
    total: int  # matching requests
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def usage_conditions(f: UsageFilter) -> list:
    """The WHERE clauses that select the ledger rows ``f`` asks for (the usage log's and the
    request inspector's filters are the same)."""
    return _conditions(f)


def _conditions(f: UsageFilter) -> list:
    u = UsageRecord
    conds = []
    if f.since:
        conds.append(u.timestamp >= f.since)
    if f.until:
        conds.append(u.timestamp < f.until)
    for col, value in ((u.provider, f.provider), (u.model, f.model), (u.plan, f.plan), (u.task_type, f.task),
                       (u.status, f.status)):
        if value:
            conds.append(col == value)
    if f.request_id and f.request_id.strip():
        conds.append(u.request_id.startswith(f.request_id.strip(), autoescape=True))
    if f.user_email and f.user_email.strip():
        ids = select(User.id).where(func.lower(User.email).contains(f.user_email.strip().lower(), autoescape=True))
        conds.append(u.user_id.in_(ids))
    return conds


def usage_requests(orch, *, filters: UsageFilter | None = None, page: int = 1, page_size: int = 25) -> UsagePage:
    """One page of requests (newest first) matching ``filters``, each with all its attempts."""
    f = filters or UsageFilter()
    page, page_size = max(1, int(page)), min(max(1, int(page_size)), 200)
    conds = _conditions(f)
    started = func.min(UsageRecord.timestamp).label("started")
    ids_q = (select(UsageRecord.request_id, started).where(*conds).group_by(UsageRecord.request_id)
             .order_by(started.desc(), UsageRecord.request_id.desc())
             .limit(page_size).offset((page - 1) * page_size))
    with orch.db.read() as s:
        total = s.scalar(select(func.count(distinct(UsageRecord.request_id))).where(*conds)) or 0
        ids = [rid for rid, _ in s.execute(ids_q).all()]
        rows = s.execute(
            select(UsageRecord, User.email).outerjoin(User, User.id == UsageRecord.user_id)
            .where(UsageRecord.request_id.in_(ids)).order_by(UsageRecord.attempt, UsageRecord.id)
        ).all() if ids else []
    groups: dict[str, RequestGroup] = {}
    for rec, email in rows:
        g = groups.get(rec.request_id)
        if g is None:
            g = groups[rec.request_id] = RequestGroup(rec.request_id, rec.timestamp, email, rec.plan,
                                                      rec.task_type)
        g.attempts.append(AttemptRow.of(rec))
    ordered = [groups[rid] for rid in ids if rid in groups]
    return UsagePage([_with_start(g) for g in ordered], total, page, page_size)


def _with_start(g: RequestGroup) -> RequestGroup:
    start = min((a.timestamp for a in g.attempts), default=g.started_at)
    return RequestGroup(g.request_id, start, g.user_email, g.plan, g.task, g.attempts)


@dataclass(frozen=True)
class UsageSummary:
    requests: int
    attempts: int
    errors: int
    cost_usd: Decimal
    tokens: int


def usage_summary(orch, *, filters: UsageFilter | None = None) -> UsageSummary:
    """Totals over every attempt matching ``filters`` (one aggregate query)."""
    conds = _conditions(filters or UsageFilter())
    err = func.coalesce(func.sum(case((UsageRecord.status == "error", 1), else_=0)), 0)
    q = select(func.count(distinct(UsageRecord.request_id)), func.count(), err,
               type_coerce(func.coalesce(func.sum(UsageRecord.cost_usd), 0), Money),
               func.coalesce(func.sum(UsageRecord.tokens_input + UsageRecord.tokens_output), 0)).where(*conds)
    with orch.db.read() as s:
        n_req, n_att, n_err, cost, tokens = s.execute(q).one()
    return UsageSummary(int(n_req or 0), int(n_att or 0), int(n_err or 0), Decimal(cost), int(tokens or 0))


@dataclass(frozen=True)
class FilterOptions:
    providers: list[str]
    models: list[str]
    plans: list[str]
    tasks: list[str]
    statuses: list[str] = field(default_factory=lambda: list(LEDGER_STATUSES))


def usage_filter_options(orch, *, days: int = 90) -> FilterOptions:
    """Values present in the recent log, for the filter dropdowns (distinct, indexed by time)."""
    since = datetime.now(UTC) - timedelta(days=days)

    def distinct_of(s, col) -> list[str]:
        return list(s.scalars(select(col).where(UsageRecord.timestamp >= since).distinct().order_by(col)).all())

    with orch.db.read() as s:
        return FilterOptions(distinct_of(s, UsageRecord.provider), distinct_of(s, UsageRecord.model),
                             distinct_of(s, UsageRecord.plan), distinct_of(s, UsageRecord.task_type))


# ------------------------------------------------------------------ audit log


@dataclass(frozen=True)
class AuditRow:
    id: int
    timestamp: datetime
    actor: str
    action: str
    target_type: str
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field that appears on either side."""
        b, a = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*b, *a]))
        return [(k, b.get(k), a.get(k)) for k in keys if b.get(k) != a.get(k) or k not in b or k not in a]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def audit_entries(orch, *, actor: str | None = None, action: str | None = None, target_type: str | None = None,
                  search: str | None = None, since: datetime | None = None, until: datetime | None = None,
                  page: int = 1, page_size: int = 50) -> AuditPage:
    """Audit entries, newest first. Values are cleaned again on the way out (never a secret)."""
    page, page_size = max(1, int(page)), min(max(1, int(page_size)), 200)
    a = AuditEntry
    conds = []
    if actor:
        conds.append(func.lower(a.actor).contains(actor.strip().lower(), autoescape=True))
    if action:
        conds.append(a.action.startswith(action, autoescape=True))
    if target_type:
        conds.append(a.target_type == target_type)
    if search and search.strip():
        needle = search.strip().lower()
        conds.append(or_(func.lower(a.target_id).contains(needle, autoescape=True),
                         func.lower(cast(a.after, String)).contains(needle, autoescape=True),
                         func.lower(cast(a.before, String)).contains(needle, autoescape=True)))
    if since:
        conds.append(a.timestamp >= since)
    if until:
        conds.append(a.timestamp < until)
    with orch.db.read() as s:
        total = s.scalar(select(func.count()).select_from(a).where(*conds)) or 0
        rows = s.scalars(select(a).where(*conds).order_by(a.timestamp.desc(), a.id.desc())
                         .limit(page_size).offset((page - 1) * page_size)).all()
        out = [AuditRow(r.id, r.timestamp, r.actor, r.action, r.target_type, r.target_id, clean(r.before),
                        clean(r.after)) for r in rows]
    return AuditPage(out, total, page, page_size)


def audit_filter_options(orch) -> dict[str, list[str]]:
    with orch.db.read() as s:
        return {"actors": list(s.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)).all()),
                "actions": list(s.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()),
                "target_types": list(s.scalars(select(AuditEntry.target_type).distinct()
                                               .order_by(AuditEntry.target_type)).all())}
