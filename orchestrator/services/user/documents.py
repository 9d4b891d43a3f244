"""A user's saved jobs ("My jobs") and generated documents ("My documents").

Every function takes the acting user and checks ownership in the query itself:
someone else's job or document is reported as ``NotFound``, exactly like one
that does not exist, so ids reveal nothing. Pages get frozen DTOs back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select, update

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
    document_count: int = 0

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

    @property
    def kind_label(self) -> str:
        return _kinds().get(self.kind, self.kind)

    @property
    def edited(self) -> bool:
        """True once the user saved changes (both stamps are set within microseconds at insert)."""
        return (self.updated_at - self.created_at).total_seconds() > 0.001


def _job_info(job: Job, document_count: int = 0) -> JobInfo:
    return JobInfo(id=job.id, title=job.title, company=job.company, location=(job.data or {}).get("location"),
                   source=job.source, source_url=job.source_url, created_at=job.created_at,
                   updated_at=job.updated_at, provider=job.provider, model=job.model, cost_usd=job.cost_usd,
                   posting=JobPosting.model_validate(job.data), document_count=document_count)


def _doc_info(doc: Document, job_title: str | None = None) -> DocumentInfo:
    return DocumentInfo(id=doc.id, job_id=doc.job_id, kind=doc.kind, title=doc.title, content=doc.content,
                        options=dict(doc.options or {}), created_at=doc.created_at, updated_at=doc.updated_at,
                        provider=doc.provider, model=doc.model, cost_usd=doc.cost_usd, job_title=job_title)


def _uid(orch, user: str | int) -> int:
    row, _plan = resolve_user(orch.db, user)
    return row.id


# ----------------------------------------------------------------------- jobs


def list_jobs(orch, *, user: str | int, limit: int = 200, offset: int = 0) -> list[JobInfo]:
    """The user's saved jobs, newest first, with how many documents each has (``offset``: paging)."""
    uid = _uid(orch, user)
    counts = (select(Document.job_id, func.count(Document.id).label("n"))
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
        n = s.scalar(select(func.count(Document.id)).where(Document.job_id == job.id)) or 0
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
        n = s.scalar(select(func.count(Document.id)).where(Document.job_id == job.id)) or 0
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


def list_documents(orch, *, user: str | int, kind: str | None = None, job_id: int | None = None,
                   limit: int = 200, offset: int = 0) -> list[DocumentInfo]:
    """The user's documents, newest first; ``kind`` (a document kind) and ``job_id`` filter;
    ``offset`` pages."""
    if kind is not None and kind not in _kinds():
        raise InputRejected(f"Document kind must be one of: {', '.join(_kinds())}.")
    uid = _uid(orch, user)
    q = (select(Document, Job.title).outerjoin(Job, Job.id == Document.job_id).where(Document.user_id == uid)
         .order_by(Document.created_at.desc(), Document.id.desc()).limit(limit).offset(offset))
    if kind:
        q = q.where(Document.kind == kind)
    if job_id is not None:
        q = q.where(Document.job_id == parse_id(job_id, what="job"))
    with orch.db.read() as s:
        return [_doc_info(doc, title) for doc, title in s.execute(q).all()]


def _owned_doc(s, uid: int, document_id: int) -> Document:
    doc = s.scalar(select(Document).where(Document.id == parse_id(document_id, what="document"),
                                            Document.user_id == uid))
    if doc is None:
        raise NotFound(f"Document {document_id} is not one of your documents.")
    return doc


def _job_title(s, doc: Document) -> str | None:
    return s.scalar(select(Job.title).where(Job.id == doc.job_id)) if doc.job_id else None


def get_document(orch, *, user: str | int, document_id: int) -> DocumentInfo:
    uid = _uid(orch, user)
    with orch.db.read() as s:
        doc = _owned_doc(s, uid, document_id)
        return _doc_info(doc, _job_title(s, doc))


def update_document(orch, *, user: str | int, document_id: int, content: str) -> DocumentInfo:
    """Save the user's edits to a generated document."""
    text = (content or "").replace("\x00", "").strip()
    if not text:
        raise InputRejected("The document is empty. Write something, or regenerate it.")
    limits.check_text(text, limit=orch.settings.max_document_chars, what="The document")
    uid = _uid(orch, user)
    with orch.db.write() as s:
        doc = _owned_doc(s, uid, document_id)
        doc.content = text
        doc.updated_at = datetime.now(UTC)
        s.flush()
        return _doc_info(doc, _job_title(s, doc))


def delete_document(orch, *, user: str | int, document_id: int) -> None:
    uid = _uid(orch, user)
    with orch.db.write() as s:
        doc = _owned_doc(s, uid, document_id)
        s.execute(delete(Document).where(Document.id == doc.id).execution_options(synchronize_session=False))
