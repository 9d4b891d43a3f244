"""A user's saved jobs ("My jobs") and generated documents ("My documents").

Every function takes the acting user and checks ownership in the query itself:
someone else's job or document is reported as ``NotFound``, exactly like one
that does not exist, so ids reveal nothing. Pages get frozen DTOs back.

A document row is one version. The versions of a job's document of one kind (its CV, its
letter) share (user, job, kind) and make one card; the highest version number is the current
one. A document whose job was deleted is a card of its own. Editing saves a new version
(``versions`` has history, restore, delete and compare).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, delete, func, select, update

from db.models import Document, Job
from orchestrator import limits
from orchestrator.ids import parse_id
from orchestrator.errors import InputRejected, NotFound
from orchestrator.prepare import resolve_user
from orchestrator.tasks import document_tasks
from orchestrator.schemas import JobPosting



def _kinds() -> dict[str, str]:
    """Document kinds and their labels, from the tasks that save documents."""
    return {t.document_kind: t.label for t in document_tasks()}


@dataclass(frozen=True)
class JobInfo:
    id: int
    title: str
    company: str | None
    location: str | None
    source: str  # text | image | url
    source_url: str | None
    created_at: datetime
    updated_at: datetime
    provider: str | None
    model: str | None
    cost_usd: Decimal | None
    posting: JobPosting
    document_count: int = 0  # its documents (a CV, a letter), however many versions each has

    @property
    def label(self) -> str:
        """'Senior Python Engineer — Acme (12 Mar)' for pickers."""
        at = f" — {self.company}" if self.company else ""
        return f"{self.title}{at} ({self.created_at:%d %b %Y})"


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    job_id: int | None
    kind: str  # a TaskSpec.document_kind
    title: str
    content: str
    options: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    provider: str | None
    model: str | None
    cost_usd: Decimal | None
    job_title: str | None = None
    version: int = 1
    origin: str = "generated"  # generated | edited | restored | rewritten
    version_count: int = 1  # versions of its card
    current: bool = True  # the newest version of its card

    @property
    def kind_label(self) -> str:
        return _kinds().get(self.kind, self.kind)

    @property
    def edited(self) -> bool:
        """True for a version the user wrote by editing (or, for a document whose job was deleted,
        edited in place)."""
        return self.origin == "edited" or (self.updated_at - self.created_at).total_seconds() > 0.001

    @property
    def origin_label(self) -> str:
        return ORIGIN_LABELS.get(self.origin, self.origin)


ORIGIN_LABELS = {"generated": "generated", "edited": "edited by you", "restored": "restored",
                 "rewritten": "one part rewritten"}


def _job_info(job: Job, document_count: int = 0) -> JobInfo:
    return JobInfo(id=job.id, title=job.title, company=job.company, location=(job.data or {}).get("location"),
                   source=job.source, source_url=job.source_url, created_at=job.created_at,
                   updated_at=job.updated_at, provider=job.provider, model=job.model, cost_usd=job.cost_usd,
                   posting=JobPosting.model_validate(job.data), document_count=document_count)


def _doc_info(doc: Document, job_title: str | None = None, count: int = 1, current: bool = True) -> DocumentInfo:
    return DocumentInfo(id=doc.id, job_id=doc.job_id, kind=doc.kind, title=doc.title, content=doc.content,
                        options=dict(doc.options or {}), created_at=doc.created_at, updated_at=doc.updated_at,
                        provider=doc.provider, model=doc.model, cost_usd=doc.cost_usd, job_title=job_title,
                        version=doc.version or 1, origin=doc.origin or "generated", version_count=count,
                        current=current)


def _uid(orch, user: str | int) -> int:
    row, _plan = resolve_user(orch.db, user)
    return row.id


# ----------------------------------------------------------------------- jobs


def list_jobs(orch, *, user: str | int, limit: int = 200, offset: int = 0) -> list[JobInfo]:
    """The user's saved jobs, newest first, with how many documents (cards) each has (``offset``: paging)."""
    uid = _uid(orch, user)
    counts = (select(Document.job_id, func.count(func.distinct(Document.kind)).label("n"))
              .where(Document.user_id == uid).group_by(Document.job_id).subquery())
    q = (select(Job, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.job_id == Job.id)
         .where(Job.user_id == uid).order_by(Job.created_at.desc(), Job.id.desc()).limit(limit).offset(offset))
    with orch.db.read() as s:
        return [_job_info(job, n) for job, n in s.execute(q).all()]


def _owned_job(s, uid: int, job_id: int) -> Job:
    job = s.scalar(select(Job).where(Job.id == parse_id(job_id, what="job"), Job.user_id == uid))
    if job is None:
        raise NotFound(f"Job {job_id} is not one of your saved jobs.")
    return job


def get_job(orch, *, user: str | int, job_id: int) -> JobInfo:
    uid = _uid(orch, user)
    with orch.db.read() as s:
        job = _owned_job(s, uid, job_id)
        n = s.scalar(select(func.count(func.distinct(Document.kind))).where(Document.job_id == job.id)) or 0
        return _job_info(job, n)


def update_job(orch, *, user: str | int, job_id: int, posting: JobPosting | dict[str, Any]) -> JobInfo:
    """Save the user's corrections to an extracted posting (title and company are
    mirrored into their columns for lists and document titles)."""
    uid = _uid(orch, user)
    try:
        parsed = JobPosting.model_validate(posting.model_dump() if isinstance(posting, JobPosting) else posting)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "posting"
        raise InputRejected(f"The posting is invalid at {where}: {first['msg']}.") from None
    data = limits.check_job(parsed, orch.settings)
    with orch.db.write() as s:
        job = _owned_job(s, uid, job_id)
        job.data = data
        job.title = parsed.title
        job.company = parsed.company or None
        job.updated_at = datetime.now(UTC)
        s.flush()
        n = s.scalar(select(func.count(func.distinct(Document.kind))).where(Document.job_id == job.id)) or 0
        return _job_info(job, n)


def delete_job(orch, *, user: str | int, job_id: int) -> None:
    """Delete a saved job. Documents written for it are kept (they stand on their own)."""
    uid = _uid(orch, user)
    with orch.db.write() as s:
        job = _owned_job(s, uid, job_id)
        s.execute(update(Document).where(Document.job_id == job.id).values(job_id=None)
                  .execution_options(synchronize_session=False))
        s.execute(delete(Job).where(Job.id == job.id).execution_options(synchronize_session=False))


# ------------------------------------------------------------------ documents


def _card_key():
    """What the versions of one card share besides user and kind: the job (a document whose job
    was deleted is alone: its negated id)."""
    return func.coalesce(Document.job_id, -Document.id)


def list_documents(orch, *, user: str | int, kind: str | None = None, job_id: int | None = None,
                   limit: int = 200, offset: int = 0) -> list[DocumentInfo]:
    """The user's documents, one per card (a job's CV, its letter): the current version of each,
    with how many versions it has, most recently changed first. ``kind`` (a document kind) and
    ``job_id`` filter; ``offset`` pages. ``versions.list_versions`` gives a card's history."""
    if kind is not None and kind not in _kinds():
        raise InputRejected(f"Document kind must be one of: {', '.join(_kinds())}.")
    uid = _uid(orch, user)
    card = (_card_key(), Document.kind)
    ranked = select(Document.id.label("id"),
                    func.row_number().over(partition_by=card, order_by=(Document.version.desc(),
                                                                         Document.id.desc())).label("rn"),
                    func.count().over(partition_by=card).label("n")).where(Document.user_id == uid)
    if kind:
        ranked = ranked.where(Document.kind == kind)
    if job_id is not None:
        ranked = ranked.where(Document.job_id == parse_id(job_id, what="job"))
    ranked = ranked.subquery()
    q = (select(Document, Job.title, ranked.c.n).join(ranked, and_(ranked.c.id == Document.id, ranked.c.rn == 1))
         .outerjoin(Job, Job.id == Document.job_id)
         .order_by(Document.created_at.desc(), Document.id.desc()).limit(limit).offset(offset))
    with orch.db.read() as s:
        return [_doc_info(doc, title, n) for doc, title, n in s.execute(q).all()]


def _owned_doc(s, uid: int, document_id: int) -> Document:
    doc = s.scalar(select(Document).where(Document.id == parse_id(document_id, what="document"),
                                            Document.user_id == uid))
    if doc is None:
        raise NotFound(f"Document {document_id} is not one of your documents.")
    return doc


def _job_title(s, doc: Document) -> str | None:
    return s.scalar(select(Job.title).where(Job.id == doc.job_id)) if doc.job_id else None


def in_card(doc: Document):
    """The condition that selects every version of ``doc``'s card."""
    if doc.job_id is None:
        return Document.id == doc.id
    return and_(Document.user_id == doc.user_id, Document.job_id == doc.job_id, Document.kind == doc.kind)


def version_info(s, doc: Document) -> DocumentInfo:
    """``doc`` as a DTO, with its card's version count and whether it is the current version."""
    count, newest = s.execute(select(func.count(Document.id), func.max(Document.version))
                              .where(in_card(doc))).one()
    return _doc_info(doc, _job_title(s, doc), count or 1, (doc.version or 1) >= (newest or 0))


def get_document(orch, *, user: str | int, document_id: int) -> DocumentInfo:
    """One version (its card's version count and whether it is the current one included)."""
    uid = _uid(orch, user)
    with orch.db.read() as s:
        return version_info(s, _owned_doc(s, uid, document_id))


def add_version(s, source: Document, *, content: str, origin: str, settings) -> Document:
    """A new version of ``source``'s card (the next number) with ``content``; the rest (title,
    options, the model that wrote it) is copied, and it cost nothing. The job's row is locked
    first (PostgreSQL), as the pipeline does, so concurrent saves never number two versions alike."""
    s.execute(select(Job.id).where(Job.id == source.job_id).with_for_update())
    count, newest = s.execute(select(func.count(Document.id), func.max(Document.version))
                              .where(in_card(source))).one()
    nouns = {t.document_kind: t.text.noun for t in document_tasks()}
    limits.check_versions(count or 0, settings, noun=nouns.get(source.kind, "document"))
    now = datetime.now(UTC)
    doc = Document(user_id=source.user_id, job_id=source.job_id, kind=source.kind, title=source.title,
                   content=content, options=dict(source.options or {}), created_at=now, updated_at=now,
                   provider=source.provider, model=source.model, cost_usd=Decimal(0),
                   version=(newest or 0) + 1, origin=origin)
    s.add(doc)
    s.flush()
    return doc


def update_document(orch, *, user: str | int, document_id: int, content: str) -> DocumentInfo:
    """Save the user's edits of a version as a new version of its card (origin ``edited``); the
    edited version is kept. Unchanged text saves nothing. A document whose job was deleted has
    no card to grow: it is changed in place."""
    text = (content or "").replace("\x00", "").strip()
    if not text:
        raise InputRejected("The document is empty. Write something, or regenerate it.")
    limits.check_text(text, limit=orch.settings.max_document_chars, what="The document")
    uid = _uid(orch, user)
    with orch.db.write() as s:
        doc = _owned_doc(s, uid, document_id)
        if text == doc.content:
            return version_info(s, doc)
        if doc.job_id is None:
            doc.content, doc.origin, doc.updated_at = text, "edited", datetime.now(UTC)
            s.flush()
            return version_info(s, doc)
        return version_info(s, add_version(s, doc, content=text, origin="edited", settings=orch.settings))


def delete_document(orch, *, user: str | int, document_id: int) -> None:
    """Delete one version (the one before it becomes current); ``versions.delete_cards`` deletes
    whole documents."""
    uid = _uid(orch, user)
    with orch.db.write() as s:
        doc = _owned_doc(s, uid, document_id)
        s.execute(delete(Document).where(Document.id == doc.id).execution_options(synchronize_session=False))
