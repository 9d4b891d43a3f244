"""Step 1 of a request: resolve the user and plan, validate inputs, build the prompt;
and what the last step saves (the job or the document), as a row for the completion
transaction. Branches on the task's declared input and output kinds, never on names.

A saved document is one version: the versions of a job's document of one kind share
(user_id, job_id, kind), and each new one (generated, or one part rewritten) takes the next
number, computed by SQL as the row is inserted, after a lock on the job's row (PostgreSQL), so
concurrent generations for one job never number two versions alike."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from db.models import Plan, User
from db.session import Database
from orchestrator import document_parts, inputs, limits, url_fetch
from orchestrator.config import Settings
from orchestrator.errors import InputRejected, NotFound, PermissionDenied
from orchestrator.ids import parse_id
from orchestrator.providers.base import ImageInput
from orchestrator.rawsql import Computed
from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.tasks.common import TaskSpec
from orchestrator.tokens import IMAGE_TOKENS, estimate_tokens


@dataclass(frozen=True)
class JobRef:
    """The saved job a drafting request works from."""

    id: int
    title: str
    company: str | None


@dataclass(frozen=True)
class BaseDocument:
    """The version a ``document_part`` request rewrites one part of."""

    id: int
    job_id: int
    kind: str
    title: str
    content: str
    options: dict[str, Any]
    part: document_parts.Part


@dataclass
class Prepared:
    """A validated request, ready to route."""

    task: TaskSpec
    user_id: int
    user_email: str
    plan: Plan
    user: User
    prompt: str
    images: tuple[ImageInput, ...] = ()
    source: str = "text"  # text | image | url (postings) or job:<id> (saved jobs)
    source_url: str | None = None
    pending_url: str | None = None  # a posting's link, fetched once the request holds its quota
    job: JobRef | None = None
    options: DraftOptions | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    history: tuple[tuple[str, str], ...] = ()  # earlier turns of a conversation (messages tasks)
    system: str | None = None  # the caller's instructions, replacing the task's (messages tasks)
    max_tokens: int | None = None  # the caller's cap on the answer, below the route's (messages tasks)
    temperature: float | None = None  # the caller's sampling temperature (messages tasks)
    profile: Profile | None = None  # the user's profile (saved_job tasks): what a draft is checked against
    posting: JobPosting | None = None  # the saved job's posting (saved_job tasks)
    base: BaseDocument | None = None  # the version whose part is rewritten (document_part tasks)

    @property
    def input_token_bound(self) -> int:
        """Generous upper bound of prompt tokens (tokenizers differ; x2 covers them)."""
        history = sum(estimate_tokens(text) for _role, text in self.history)
        return 2 * (estimate_tokens(self.system or self.task.system) + estimate_tokens(self.prompt) + history) \
            + IMAGE_TOKENS * len(self.images)


def resolve_user(db: Database, user: str | int) -> tuple[User, Plan]:
    """The active user (id or e-mail) and their plan, read from the database."""
    with db.read() as s:
        if isinstance(user, int) or (isinstance(user, str) and user.strip().isdigit()):
            row = s.get(User, parse_id(user, what="user"))
        else:
            row = s.scalar(select(User).where(func.lower(User.email) == str(user).strip().lower()))
        if row is None:
            raise NotFound(f"No user '{user}'.")
        if not row.is_active:
            raise PermissionDenied(f"The account {row.email} is deactivated.")
        return row, row.plan


def prepare(db: Database, settings: Settings, task: TaskSpec, *, user: User, plan: Plan, text: str | None,
            image: bytes | None, url: str | None, job_id: int | None, options: dict[str, Any],
            messages: list[dict[str, Any]] | None = None) -> Prepared:
    base = dict(task=task, user_id=user.id, user_email=user.email, plan=plan, user=user)
    if task.input == "messages":
        if image or url or job_id is not None:
            raise InputRejected(f"{task.label} takes messages (or text), not an image, a URL or a job.")
        from orchestrator.conversation import prepare_messages

        return prepare_messages(settings, base, messages=messages, text=text, options=options)
    if messages is not None:
        raise InputRejected(f"{task.label} does not take messages.")
    if task.input == "document_part":
        if text or image or url or job_id is not None:
            raise InputRejected(f"{task.label} works from one of your documents: pass document_id, part and "
                                "style, not text, an image, a URL or a job.")
        return _prepare_document_part(db, settings, base, options=options)
    if task.input == "posting":
        if options:
            raise InputRejected(f"{task.label} takes no options (got: {', '.join(sorted(options))}).")
        if job_id is not None:
            raise InputRejected(f"{task.label} works from a posting: pass text, an image or a URL, not job_id.")
        return _prepare_posting(settings, base, text=text, image=image, url=url)
    if text or image or url:
        raise InputRejected(f"{task.label} works from a saved job: pass job_id, not text, image or url.")
    return _prepare_saved_job(db, settings, base, job_id=job_id, options=options)


def _posting_source(*, text: str | None, image: bytes | None, url: str | None) -> str:
    given = [name for name, v in (("text", text), ("image", image), ("url", url)) if v]
    if len(given) != 1:
        raise InputRejected("Give exactly one of: posting text, a screenshot, or a URL.")
    return given[0]


def _prepare_posting(settings, base, *, text, image, url) -> Prepared:
    spec: TaskSpec = base["task"]
    source = _posting_source(text=text, image=image, url=url)
    if source == "image":
        img = inputs.validate_image(image, max_bytes=settings.max_image_bytes,
                                    max_pixels=settings.max_image_pixels)
        return Prepared(prompt=spec.build_prompt(None, has_image=True), images=(img,), source="image", **base)
    if source == "url":
        url_fetch.check_form(url)  # a malformed link is refused before any quota is taken
        return Prepared(prompt="", source="url", pending_url=url.strip(), **base)
    body = inputs.validate_text(text, max_chars=settings.max_posting_chars)
    return Prepared(prompt=spec.build_prompt(body), source="text", **base)


def fetch_posting(prepared: Prepared, settings: Settings, *, allow_private: bool) -> Prepared:
    """Fetch a URL request's page and build its prompt. The pipeline calls this only after the
    request's quota hold is taken: a user with no quota left makes the server fetch nothing."""
    page = url_fetch.fetch_url(prepared.pending_url, allow_private=allow_private,
                               timeout_s=settings.url_fetch_timeout_s, max_bytes=settings.url_max_bytes,
                               max_redirects=settings.url_max_redirects)
    body = inputs.validate_text(page.text, max_chars=settings.max_posting_chars)
    return replace(prepared, prompt=prepared.task.build_prompt(body), source_url=page.url, pending_url=None,
                   meta={**prepared.meta, "content_hash": page.content_hash})


_JOB_AND_PROFILE = (
    "SELECT j.user_id, j.title, j.company, j.data, p.data, (SELECT COUNT(*) FROM documents d "
    "WHERE d.user_id = j.user_id AND d.job_id = j.id AND d.kind = :kind) FROM jobs j "
    "LEFT JOIN profiles p ON p.user_id = j.user_id WHERE j.id = :job_id"
)
_DOCUMENT_JOB_AND_PROFILE = (
    "SELECT d.user_id, d.job_id, d.kind, d.title, d.content, d.options, j.title, j.company, j.data, p.data, "
    "(SELECT COUNT(*) FROM documents v WHERE v.user_id = d.user_id AND v.job_id = d.job_id AND v.kind = d.kind) "
    "FROM documents d LEFT JOIN jobs j ON j.id = d.job_id LEFT JOIN profiles p ON p.user_id = d.user_id "
    "WHERE d.id = :document_id"
)
# the next version number of a job's document of one kind, computed as the row is inserted
NEXT_VERSION = Computed(
    sql="(SELECT COALESCE(MAX(version), 0) + 1 FROM documents WHERE user_id = :user_id AND job_id = :job_id "
        "AND kind = CAST(:kind AS VARCHAR(16)))",  # the parameter's type as in VALUES (PostgreSQL deduces one)
    lock="SELECT id FROM jobs WHERE id = :job_id FOR UPDATE",
)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _profile_of(profile_data: Any) -> Profile:
    profile = Profile.model_validate(_json(profile_data)) if profile_data is not None else Profile()
    if profile.is_empty():
        raise InputRejected("Your profile is empty. Add your experience and skills on the Profile page first.")
    return profile


def _prepare_saved_job(db, settings, base, *, job_id, options) -> Prepared:
    from orchestrator.quota import books_for

    if job_id is None:
        raise InputRejected("Choose a saved job first (job_id is required).")
    job_id = parse_id(job_id, what="job")
    try:
        opts = DraftOptions(**options)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputRejected(f"Invalid option {'.'.join(map(str, first['loc']))}: {first['msg']}.") from None
    except TypeError:
        raise InputRejected("Drafting options must be given by name (length, tone, language, emphasis).") from None
    spec: TaskSpec = base["task"]
    row = books_for(db).read_one(_JOB_AND_PROFILE, job_id=job_id, kind=spec.document_kind or "")
    if row is None or row[0] != base["user_id"]:
        raise NotFound(f"Job {job_id} is not one of your saved jobs.")
    _uid, title, company, job_data, profile_data, versions = row
    profile = _profile_of(profile_data)
    if spec.output == "document":
        limits.check_versions(int(versions or 0), settings, noun=spec.text.noun)
    posting = JobPosting.model_validate(_json(job_data))
    prompt = spec.build_prompt(profile, posting, opts)
    return Prepared(prompt=prompt, source=f"job:{job_id}", job=JobRef(job_id, title, company), options=opts,
                    profile=profile, posting=posting, **base)


def _prepare_document_part(db, settings, base, *, options) -> Prepared:
    """One part of one of the user's documents (a version), its job's posting and their profile."""
    from orchestrator.quota import books_for

    spec: TaskSpec = base["task"]
    styles = spec.meta.get("styles") or {}
    unknown = sorted(set(options) - {"document_id", "part", "style"})
    if unknown:
        raise InputRejected(f"{spec.label} takes document_id, part and style (got: {', '.join(unknown)}).")
    document_id = parse_id(options.get("document_id"), what="document")
    style = options.get("style")
    if style not in styles:
        raise InputRejected(f"Choose how to rewrite it: style must be one of {', '.join(styles)}.")
    row = books_for(db).read_one(_DOCUMENT_JOB_AND_PROFILE, document_id=document_id)
    if row is None or row[0] != base["user_id"]:
        raise NotFound(f"Document {document_id} is not one of your documents.")
    (_uid, job_id, kind, doc_title, content, doc_options, title, company, job_data, profile_data,
     versions) = row
    if job_id is None or job_data is None:
        raise InputRejected("The job this document was written for has been deleted; rewriting a part needs "
                            "its posting. Edit the text by hand instead.")
    try:
        index = int(options.get("part"))
    except (TypeError, ValueError):
        raise InputRejected("Choose the part to rewrite (part: its number in the document's list).") from None
    found = document_parts.parts(content)
    if not 0 <= index < len(found):
        raise InputRejected(f"This version has no part {index} (it has {len(found)}).")
    part = found[index]
    limits.check_text(part.text, limit=limits.REWRITE_PART_CHARS, what="That part")
    profile = _profile_of(profile_data)
    limits.check_versions(int(versions or 0), settings)
    posting = JobPosting.model_validate(_json(job_data))
    doc_options = _json(doc_options) or {}
    prompt = spec.build_prompt(part, profile, posting, style=style,
                               language=str(doc_options.get("language") or "English"))
    return Prepared(prompt=prompt, source=f"document:{document_id}", job=JobRef(job_id, title, company),
                    profile=profile, posting=posting,
                    base=BaseDocument(document_id, job_id, kind, doc_title, content, doc_options, part), **base)


# ------------------------------------------------------------------ what is saved


def saved_row(prepared: Prepared, parsed: Any, *, request_id: str, provider: str, model: str,
              cost: Decimal | None, now: datetime) -> tuple[str | None, dict[str, Any] | None]:
    """(table, columns) of what a served request saves, per the task's output kind
    ((None, None) for a reply, which is only returned)."""
    spec = prepared.task
    if spec.output == "reply":
        return None, None
    common = dict(user_id=prepared.user_id, created_at=now, updated_at=now, request_id=request_id,
                  provider=provider, model=model, cost_usd=cost)
    if spec.output == "job":
        posting: JobPosting = parsed
        return "jobs", dict(source=prepared.source, source_url=prepared.source_url, title=posting.title[:256],
                            company=(posting.company or "")[:256] or None, data=posting.model_dump(mode="json"),
                            **common)
    if spec.input == "document_part":  # a new version of that document, only the part replaced
        doc = prepared.base
        return "documents", dict(job_id=doc.job_id, kind=doc.kind, title=doc.title,
                                 content=document_parts.splice(doc.content, doc.part, parsed), options=doc.options,
                                 origin="rewritten", **common, version=NEXT_VERSION)
    job = prepared.job
    title = f"{spec.label} — {job.title}" + (f" at {job.company}" if job.company else "") if job else spec.label
    options = prepared.options.model_dump(mode="json") if prepared.options else {}
    return "documents", dict(job_id=job.id if job else None, kind=spec.document_kind, title=title[:256],
                             content=parsed, options=options, origin="generated", **common, version=NEXT_VERSION)
