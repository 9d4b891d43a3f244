"""The application tracker: a saved job's status, the dates of its steps, a follow-up date,
notes, and what the AI spent on it.

A job's status moves between saved, applied, interviewing, offer, rejected and withdrawn;
each change is an ``application_events`` row with the day it happened (today by default,
never in the future) and an optional note, and ``jobs.status`` holds the current one.
Changing to the status a job already has changes nothing (no event is written).

The AI cost of an application is the sum of ``usage_log.cost_usd`` over every attempt
(succeeded, failed, cached or refused) of the request that extracted the job
(``jobs.request_id``) and of every request made for the job (``usage_log.job_id``): what the
providers cost, failed attempts included. ``charged_usd`` is what the user was charged for
them (pay-as-you-go plans; failed attempts are never charged). Attempts on unpriced models
are counted apart (``unpriced_attempts``), never as $0.

Every function takes the acting user and checks ownership in the query: another user's job
is ``NotFound``, like one that does not exist. The board is one query however many jobs
there are. Days are UTC unless the caller passes the user's own ``today``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Date, case, func, insert, select, type_coerce, union_all, update

from db.base import Money
from db.models import ApplicationEvent, Document, Job, UsageRecord
from orchestrator import limits
from orchestrator.errors import InputRejected, NotFound
from orchestrator.ids import parse_id
from orchestrator.prepare import resolve_user
from orchestrator.tasks import document_tasks

STATUSES = ("saved", "applied", "interviewing", "offer", "rejected", "withdrawn")
STATUS_LABELS = {"saved": "Saved", "applied": "Applied", "interviewing": "Interviewing", "offer": "Offer",
                 "rejected": "Rejected", "withdrawn": "Withdrawn"}
CLOSED = ("rejected", "withdrawn")  # a follow-up date of a closed application is never overdue
# an application "reached applied" with any of these events (an employer rejects what was sent);
# it "reached an interview" with either of the last two
APPLIED_OR_LATER = ("applied", "interviewing", "offer", "rejected")
INTERVIEWED = ("interviewing", "offer")
NOTE_CHARS = limits.NOTE_CHARS  # the note of one status change (the column's width)
EARLIEST = date(2000, 1, 1)  # older dates are typing mistakes
FOLLOW_UP_MAX_DAYS = 730  # a follow-up at most about two years ahead
EARLIEST_ZONE = timedelta(hours=14)  # UTC+14: "today" somewhere on Earth until then


def _kinds() -> dict[str, str]:
    return {t.document_kind: t.label for t in document_tasks()}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@dataclass(frozen=True)
class Application:
    job_id: int
    title: str
    company: str | None
    status: str
    status_changed_at: datetime | None
    saved_at: datetime
    steps: tuple[tuple[str, date], ...]  # (status, the first day it was reached), in status order
    events: int
    follow_up_on: date | None
    overdue: bool  # a follow-up day already past on an open application
    notes: str
    ai_cost_usd: Decimal  # every attempt's cost, failed ones included (priced attempts only)
    charged_usd: Decimal  # what the user was charged (credit plans; never for failed attempts)
    attempts: int
    unpriced_attempts: int
    documents: tuple[tuple[str, int], ...]  # (document kind, how many) for each kind the job has

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    def reached(self, status: str) -> date | None:
        """The first day the application reached ``status`` (None: never)."""
        return dict(self.steps).get(status)

    @property
    def label(self) -> str:
        at = f" — {self.company}" if self.company else ""
        return f"{self.title}{at}"

    @property
    def document_labels(self) -> list[str]:
        kinds = _kinds()
        return [f"{kinds.get(k, k)} ({n})" for k, n in self.documents]


@dataclass(frozen=True)
class Board:
    """Every application of the user, most recently moved first, and what the page needs to say."""

    applications: tuple[Application, ...]
    today: date
    uses_credit: bool  # the user's plan charges per use: show what was charged
    notes_max_chars: int
    note_max_chars: int = NOTE_CHARS

    def in_status(self, status: str) -> list[Application]:
        return [a for a in self.applications if a.status == status]

    @property
    def overdue(self) -> list[Application]:
        return [a for a in self.applications if a.overdue]

    @property
    def ai_cost_usd(self) -> Decimal:
        return sum((a.ai_cost_usd for a in self.applications), Decimal(0))

    @property
    def charged_usd(self) -> Decimal:
        return sum((a.charged_usd for a in self.applications), Decimal(0))


@dataclass(frozen=True)
class Event:
    id: int
    status: str
    happened_on: date
    note: str | None
    created_at: datetime

    @property
    def status_label(self) -> str:
        return status_label(self.status)


# ------------------------------------------------------------------- reading


def _money(expr):
    return type_coerce(func.coalesce(func.sum(expr), 0), Money())


def _costs(uid: int, job_id: int | None):
    """Per job: cost, charged, attempts and unpriced attempts of its extraction and its requests.
    Requests for a job are attributed only to the user's job created before them (on SQLite a
    deleted job's id can be given to a new one)."""
    u, j = UsageRecord, Job
    mine = [j.user_id == uid] + ([j.id == job_id] if job_id is not None else [])
    for_job = (select(u.job_id.label("job_id"), u.cost_usd.label("cost"), u.charged_usd.label("charged"))
               .join(j, j.id == u.job_id)
               .where(*mine, u.job_id.is_not(None), u.user_id == uid, u.timestamp >= j.created_at))
    extraction = (select(j.id, u.cost_usd, u.charged_usd).join(u, u.request_id == j.request_id)  # request ids are unique
                  .where(*mine, j.request_id.is_not(None), u.job_id.is_(None)))
    rows = union_all(for_job, extraction).subquery("attempt_rows")
    return (select(rows.c.job_id, _money(rows.c.cost).label("cost"), _money(rows.c.charged).label("charged"),
                   func.count().label("attempts"),
                   func.sum(case((rows.c.cost.is_(None), 1), else_=0)).label("unpriced"))
            .group_by(rows.c.job_id).subquery("costs"))


def _steps(uid: int, job_id: int | None):
    e = ApplicationEvent
    where = [e.user_id == uid] + ([e.job_id == job_id] if job_id is not None else [])
    firsts = [type_coerce(func.min(case((e.status == s, e.happened_on))), Date).label(f"on_{s}") for s in STATUSES]
    return select(e.job_id, func.count().label("events"), *firsts).where(*where).group_by(e.job_id).subquery("steps")


def _docs(uid: int, job_id: int | None, kinds: list[str]):
    d = Document
    where = [d.user_id == uid, d.job_id.is_not(None)] + ([d.job_id == job_id] if job_id is not None else [])
    counts = [func.sum(case((d.kind == k, 1), else_=0)).label(f"n{i}") for i, k in enumerate(kinds)]
    return select(d.job_id, *counts).where(*where).group_by(d.job_id).subquery("docs")


def _query(uid: int, job_id: int | None = None):
    kinds = list(_kinds())
    costs, steps, docs = _costs(uid, job_id), _steps(uid, job_id), _docs(uid, job_id, kinds)
    moved = func.coalesce(Job.status_changed_at, Job.created_at)
    q = (select(Job.id, Job.title, Job.company, Job.status, Job.status_changed_at, Job.created_at,
                Job.follow_up_on, Job.notes, costs.c.cost, costs.c.charged, costs.c.attempts, costs.c.unpriced,
                steps.c.events, *(steps.c[f"on_{s}"] for s in STATUSES),
                *(docs.c[f"n{i}"] for i in range(len(kinds))))
         .outerjoin(costs, costs.c.job_id == Job.id).outerjoin(steps, steps.c.job_id == Job.id)
         .outerjoin(docs, docs.c.job_id == Job.id)
         .where(Job.user_id == uid).order_by(moved.desc(), Job.id.desc()))
    return (q.where(Job.id == job_id) if job_id is not None else q), kinds


def _application(row, kinds: list[str], today: date) -> Application:
    (jid, title, company, status, changed, created, follow_up, notes, cost, charged, attempts, unpriced,
     events, *rest) = row
    firsts, counts = rest[:len(STATUSES)], rest[len(STATUSES):]
    steps = tuple((s, d) for s, d in zip(STATUSES, firsts, strict=True) if d is not None)
    return Application(
        job_id=jid, title=title, company=company, status=status, status_changed_at=changed, saved_at=created,
        steps=steps, events=int(events or 0), follow_up_on=follow_up,
        overdue=follow_up is not None and follow_up < today and status not in CLOSED, notes=notes or "",
        ai_cost_usd=cost if cost is not None else Decimal(0),
        charged_usd=charged if charged is not None else Decimal(0), attempts=int(attempts or 0),
        unpriced_attempts=int(unpriced or 0),
        documents=tuple((k, int(n)) for k, n in zip(kinds, counts, strict=True) if n))


def _today(today: date | None) -> date:
    return today or datetime.now(UTC).date()


def board(orch, *, user: str | int, today: date | None = None, limit: int = 500, offset: int = 0) -> Board:
    """The user's applications (``limit`` most recently moved, ``offset`` pages), in one query.
    ``today`` is the user's own date (overdue follow-ups); UTC by default."""
    row, plan = resolve_user(orch.db, user)
    q, kinds = _query(row.id)
    day = _today(today)
    with orch.db.read() as s:
        apps = tuple(_application(r, kinds, day) for r in s.execute(q.limit(limit).offset(offset)).all())
    return Board(applications=apps, today=day, uses_credit=bool(plan.uses_credit),
                 notes_max_chars=orch.settings.max_field_chars)


def _uid(orch, user: str | int) -> int:
    row, _plan = resolve_user(orch.db, user)
    return row.id


def _read_one(orch, uid: int, job_id: int, today: date | None) -> Application:
    q, kinds = _query(uid, job_id)
    with orch.db.read() as s:
        found = s.execute(q).first()
    if found is None:
        raise NotFound(f"Job {job_id} is not one of your saved jobs.")
    return _application(found, kinds, _today(today))


def get_application(orch, *, user: str | int, job_id: int, today: date | None = None) -> Application:
    return _read_one(orch, _uid(orch, user), parse_id(job_id, what="job"), today)


def history(orch, *, user: str | int, job_id: int) -> list[Event]:
    """The job's status changes, in the order they happened (by day, then as entered)."""
    uid, jid = _uid(orch, user), parse_id(job_id, what="job")
    e = ApplicationEvent
    with orch.db.read() as s:
        if s.scalar(select(Job.id).where(Job.id == jid, Job.user_id == uid)) is None:
            raise NotFound(f"Job {job_id} is not one of your saved jobs.")
        rows = s.execute(select(e.id, e.status, e.happened_on, e.note, e.created_at)
                         .where(e.job_id == jid, e.user_id == uid).order_by(e.happened_on, e.id)).all()
    return [Event(*r) for r in rows]


# ------------------------------------------------------------------- writing


def _as_day(value: date | str | None, what: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputRejected(f"{what} must be a date like 2026-03-14, not '{str(value)[:30]}'.") from None


def latest_day() -> date:
    """The last day that is not in the future somewhere: today in the earliest time zone."""
    return (datetime.now(UTC) + EARLIEST_ZONE).date()


def _event_day(value: date | str | None, today: date | None) -> date:
    day = _as_day(value, "The date") or _today(today)
    if day > latest_day():
        raise InputRejected(f"The date {day:%d %b %Y} is in the future: record a step once it has happened.")
    if day < EARLIEST:
        raise InputRejected(f"The date {day:%d %b %Y} is too far back; check the year.")
    return day


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


def _check_status(status: str) -> str:
    value = _clean(status).lower()
    if value not in STATUSES:
        raise InputRejected(f"The status must be one of: {', '.join(STATUSES)}.")
    return value


def _owned(s, uid: int, jid: int) -> None:
    if s.scalar(select(Job.id).where(Job.id == jid, Job.user_id == uid)) is None:
        raise NotFound(f"Job {jid} is not one of your saved jobs.")


def change_status(orch, *, user: str | int, job_id: int, status: str, on: date | str | None = None,
                  note: str | None = None, today: date | None = None) -> Application:
    """Move the application to ``status`` as of ``on`` (default today), with an optional note.
    The same status again is a no-op: nothing is written, the application is returned as it is.
    The check and the change are one conditional UPDATE, so two tabs cannot record it twice."""
    uid, jid = _uid(orch, user), parse_id(job_id, what="job")
    new = _check_status(status)
    day = _event_day(on, today)
    text = limits.check_text(_clean(note), limit=NOTE_CHARS, what="The note")
    with orch.db.write() as s:
        _owned(s, uid, jid)
        moved = s.execute(update(Job).where(Job.id == jid, Job.user_id == uid, Job.status != new)
                          .values(status=new, status_changed_at=datetime.now(UTC))
                          .execution_options(synchronize_session=False)).rowcount
        if moved:
            s.execute(insert(ApplicationEvent).values(job_id=jid, user_id=uid, status=new, happened_on=day,
                                                      note=text or None, created_at=datetime.now(UTC)))
    return _read_one(orch, uid, jid, today)


def set_follow_up(orch, *, user: str | int, job_id: int, on: date | str | None,
                  today: date | None = None) -> Application:
    """Set (or, with None, clear) the day to follow the application up."""
    uid, jid = _uid(orch, user), parse_id(job_id, what="job")
    day = _as_day(on, "The follow-up date")
    if day is not None:
        if day < EARLIEST:
            raise InputRejected(f"The follow-up date {day:%d %b %Y} is too far back; check the year.")
        if day > _today(today) + timedelta(days=FOLLOW_UP_MAX_DAYS):
            raise InputRejected(f"The follow-up date {day:%d %b %Y} is more than two years ahead; check the year.")
    with orch.db.write() as s:
        _owned(s, uid, jid)
        s.execute(update(Job).where(Job.id == jid, Job.user_id == uid).values(follow_up_on=day)
                  .execution_options(synchronize_session=False))
    return _read_one(orch, uid, jid, today)


def set_notes(orch, *, user: str | int, job_id: int, notes: str | None, today: date | None = None) -> Application:
    """Replace the application's notes (empty clears them); at most ``max_field_chars`` characters."""
    uid, jid = _uid(orch, user), parse_id(job_id, what="job")
    text = limits.check_text(_clean(notes), limit=orch.settings.max_field_chars, what="The notes field")
    with orch.db.write() as s:
        _owned(s, uid, jid)
        s.execute(update(Job).where(Job.id == jid, Job.user_id == uid).values(notes=text or None)
                  .execution_options(synchronize_session=False))
    return _read_one(orch, uid, jid, today)


__all__ = ["APPLIED_OR_LATER", "Application", "Board", "CLOSED", "Event", "INTERVIEWED", "STATUSES",
           "STATUS_LABELS", "board", "change_status", "get_application", "history", "latest_day", "set_follow_up",
           "set_notes", "status_label"]
