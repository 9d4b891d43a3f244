"""The request inspector (admin only): one request's whole life, and a search over requests.

A request's *detail* is every attempt the ledger holds for its id (``usage_log.request_id``
is indexed), in order, with tokens, exact cost, latency, error and finish reason, and the
prompt sent and answer received when its plan kept them (``request_payloads``, written by
``orchestrator.payloads``); otherwise it says why they are not there.

The *search* pages requests newest first without grouping or counting the whole range:
it walks the matching ledger rows backwards along an index (``timestamp``, or
``(user_id, timestamp)`` / ``(provider, timestamp)`` when those filters are set), keeps the
first ``page_size`` distinct request ids, and hands back a cursor (the row where the next
page starts). A page costs a few small index scans whatever the size of the ledger.
Filters are the usage log's (``logs.UsageFilter``), so both pages select alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select

from db.models import LEDGER_STATUSES, Plan, RequestPayload, UsageRecord, User
from orchestrator.errors import InputRejected, NotFound
from orchestrator.services.actor import Actor, require
from orchestrator.services.reports.logs import (AttemptRow, AttemptTotals, RequestGroup, UsageFilter,
                                                usage_conditions)

STATUSES = LEDGER_STATUSES  # what an attempt's status can be, for the search's filter
ORIGIN_LABELS = {"app": "the app", "cli": "the CLI", "api": "the HTTP API", "python": "Python"}
MAX_SCAN_ROUNDS = 20  # a page reads at most this many chunks of rows, then offers "older" from there


@dataclass(frozen=True)
class Payload:
    system: str
    prompt: str
    answer: str | None  # None: the call failed before an answer came back
    images: int
    expires_at: datetime


@dataclass(frozen=True)
class AttemptDetail(AttemptRow):
    """A usage-log attempt row with what the inspector adds: the stored prompt and answer."""

    payload: Payload | None = None
    payload_note: str | None = None  # why there is no payload, when there is none

    @property
    def called_model(self) -> bool:
        return self.status != "quota_denied"


@dataclass(frozen=True)
class RequestDetail(AttemptTotals):
    request_id: str
    user_email: str | None
    plan: str
    plan_name: str
    task: str
    origin: str
    token_id: int | None
    keeps_payloads: bool  # the plan's setting now
    retention_days: int
    attempts: list[AttemptDetail] = field(default_factory=list)

    @property
    def started_at(self) -> datetime:
        return self.attempts[0].timestamp

    @property
    def origin_label(self) -> str:
        label = ORIGIN_LABELS.get(self.origin, self.origin)
        return f"{label} (token #{self.token_id})" if self.token_id is not None else label

    @property
    def tokens_input(self) -> int:
        return sum(a.tokens_input for a in self.attempts)

    @property
    def tokens_output(self) -> int:
        return sum(a.tokens_output for a in self.attempts)

    @property
    def latency_ms(self) -> int:
        return sum(a.latency_ms for a in self.attempts)


def _request_id(value: str | None) -> str:
    rid = (value or "").strip()
    if not rid:
        raise InputRejected("Give a request id.")
    if len(rid) > 32 or not rid.isprintable():
        raise NotFound("No request with that id.")
    return rid


def request_detail(orch, *, request_id: str, actor: Actor, now: datetime | None = None) -> RequestDetail:
    """Every attempt of one request, in order, with its stored prompt and answer (if kept)."""
    require(orch, actor)
    rid = _request_id(request_id)
    now = now or datetime.now(UTC)
    retention = orch.settings.payload_retention_days
    with orch.db.read() as s:
        rows = s.execute(select(UsageRecord, User.email).outerjoin(User, User.id == UsageRecord.user_id)
                         .where(UsageRecord.request_id == rid)
                         .order_by(UsageRecord.attempt, UsageRecord.id)).all()
        if not rows:
            raise NotFound(f"No request {rid} in the usage log.")
        first = rows[0][0]
        plan = s.scalar(select(Plan).where(Plan.code == first.plan))
        payloads = {p.attempt: p for p in s.scalars(select(RequestPayload).where(
            RequestPayload.request_id == rid)).all()}
    plan_name = plan.name if plan is not None else first.plan
    keeps = bool(plan.keep_payloads) if plan is not None else False
    attempts = []
    for rec, _email in rows:
        stored = payloads.get(rec.attempt)
        payload, note = None, None
        if stored is not None and stored.expires_at > now:
            payload = Payload(stored.system, stored.prompt, stored.answer, stored.images, stored.expires_at)
        elif rec.status == "quota_denied":
            note = "No model call: the quota refused the request before anything was sent."
        elif stored is not None or rec.timestamp <= now - timedelta(days=retention):
            note = f"Expired: prompts and answers are kept for {retention} days."
        elif not keeps:
            note = f"Not stored: the {plan_name} plan does not keep payloads."
        else:
            note = f"Not stored: the {plan_name} plan did not keep payloads when this request ran."
        attempts.append(AttemptDetail.of(rec, payload=payload, payload_note=note))
    return RequestDetail(rid, rows[0][1], first.plan, plan_name, first.task_type, first.origin, first.token_id,
                         keeps, retention, attempts)


# ------------------------------------------------------------------ search


@dataclass(frozen=True)
class RequestHit(RequestGroup):
    """A search result: the request with its attempts, as the usage log groups them."""

    @property
    def statuses(self) -> tuple[str, ...]:
        """Every attempt's status, in order."""
        return tuple(a.status for a in self.attempts)

    @property
    def chain(self) -> tuple[str, ...]:
        """provider:model of every attempt, in order."""
        return tuple(f"{a.provider}:{a.model}" for a in self.attempts)


@dataclass(frozen=True)
class SearchPage:
    hits: list[RequestHit]
    next_cursor: str | None  # where the next (older) page starts; None on the last page


def _cursor(ts: datetime, row_id: int) -> str:
    return f"{ts.astimezone(UTC).isoformat()}|{row_id}"


def _parse_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, _, row_id = cursor.partition("|")
        ts = datetime.fromisoformat(stamp)
        return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)), int(row_id)
    except (ValueError, TypeError):
        raise InputRejected("That page of results is no longer valid; search again.") from None


def _at_or_before(ts: datetime, row_id: int):
    """Rows at or before the cursor in (timestamp, id) order; the plain range on timestamp comes
    first so that every timestamp index (alone, or after user_id or provider) can serve it."""
    u = UsageRecord
    return and_(u.timestamp <= ts, or_(u.timestamp < ts, u.id <= row_id))


def _after(ts: datetime, row_id: int):
    u = UsageRecord
    return and_(u.timestamp >= ts, or_(u.timestamp > ts, u.id > row_id))


def search_requests(orch, *, actor: Actor, filters: UsageFilter | None = None, cursor: str | None = None,
                    page_size: int = 25) -> SearchPage:
    """Requests with an attempt matching ``filters``, newest first, ``page_size`` at a time.

    Pass the page's ``next_cursor`` back to get the next (older) page. A request whose
    matching attempts straddle two pages is listed on the first of them only."""
    require(orch, actor)
    page_size = min(max(1, int(page_size)), 200)
    conds = usage_conditions(filters or UsageFilter())
    start = _parse_cursor(cursor) if cursor else None
    u = UsageRecord
    chunk = page_size * 4
    ids: list[str] = []
    next_cursor: str | None = None
    with orch.db.read() as s:
        bound = _at_or_before(*start) if start else None  # the first chunk includes the cursor's row
        for _round in range(MAX_SCAN_ROUNDS):
            q = select(u.request_id, u.timestamp, u.id).where(*conds)
            if bound is not None:
                q = q.where(bound)
            rows = s.execute(q.order_by(u.timestamp.desc(), u.id.desc()).limit(chunk)).all()
            fresh: dict[str, tuple[datetime, int]] = {}
            for rid, ts, row_id in rows:
                if rid not in ids and rid not in fresh:
                    fresh[rid] = (ts, row_id)
            if start is not None and fresh:  # listed on an earlier page already (it has a newer matching row)
                for rid in s.scalars(select(u.request_id).where(
                        u.request_id.in_(list(fresh)), *conds, _after(*start)).distinct()).all():
                    fresh.pop(rid, None)
            for rid, (ts, row_id) in fresh.items():
                if len(ids) == page_size:
                    next_cursor = _cursor(ts, row_id)
                    break
                ids.append(rid)
            if next_cursor is not None or len(rows) < chunk:
                break
            last_ts, last_id = rows[-1][1], rows[-1][2]
            bound = _at_or_before(last_ts, last_id - 1)
        else:  # scanned long enough for one page: the next one goes on from here
            next_cursor = _cursor(last_ts, last_id - 1)
        hits = _hits(s, ids)
    return SearchPage(hits, next_cursor)


def _hits(s, ids: list[str]) -> list[RequestHit]:
    if not ids:
        return []
    rows = s.execute(select(UsageRecord, User.email).outerjoin(User, User.id == UsageRecord.user_id)
                     .where(UsageRecord.request_id.in_(ids)).order_by(UsageRecord.attempt, UsageRecord.id)).all()
    by_id: dict[str, list] = {}
    for rec, email in rows:
        by_id.setdefault(rec.request_id, []).append((rec, email))
    hits = []
    for rid in ids:
        recs = by_id.get(rid)
        if recs:
            first, email = recs[0]
            hits.append(RequestHit(rid, min(r.timestamp for r, _ in recs), email, first.plan, first.task_type,
                                   [AttemptRow.of(r) for r, _ in recs]))
    return hits
