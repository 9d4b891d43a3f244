"""Step 1 of a request: resolve the user and plan, validate inputs, build the prompt;
and what the last step saves (the job or the document), as a row for the completion
transaction. Branches on the task's declared input and output kinds, never on names."""

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
from orchestrator import inputs, url_fetch
from orchestrator.config import Settings
from orchestrator.errors import InputRejected, NotFound, PermissionDenied
from orchestrator.ids import parse_id
from orchestrator.providers.base import ImageInput
from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.tasks.common import TaskSpec
from orchestrator.tokens import IMAGE_TOKENS, estimate_tokens


@dataclass(frozen=True)
class JobRef:
    """The saved job a drafting request works from."""

    id: int
    title: str
    company: str | None


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
    if task.input == "posting":
        if options:
            raise InputRejected(f"{task.label} takes no options (got: {', '.join(sorted(options))}).")
        if job_id is not None:
            raise InputRejected(f"{task.label} works from a posting: pass text, an image or a URL, not job_id.")
        return _prepare_posting(settings, base, text=text, image=image, url=url)
    if text or image or url:
        raise InputRejected(f"{task.label} works from a saved job: pass job_id, not text, image or url.")
    return _prepare_saved_job(db, base, job_id=job_id, options=options)


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
    "SELECT j.user_id, j.title, j.company, j.data, p.data FROM jobs j "
    "LEFT JOIN profiles p ON p.user_id = j.user_id WHERE j.id = :job_id"
)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _prepare_saved_job(db, base, *, job_id, options) -> Prepared:
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
    row = books_for(db).read_one(_JOB_AND_PROFILE, job_id=job_id)
    if row is None or row[0] != base["user_id"]:
        raise NotFound(f"Job {job_id} is not one of your saved jobs.")
    _uid, title, company, job_data, profile_data = row
    profile = Profile.model_validate(_json(profile_data)) if profile_data is not None else Profile()
    if profile.is_empty():
        raise InputRejected("Your profile is empty. Add your experience and skills on the Profile page first.")
    posting = JobPosting.model_validate(_json(job_data))
    prompt = base["task"].build_prompt(profile, posting, opts)
    return Prepared(prompt=prompt, source=f"job:{job_id}", job=JobRef(job_id, title, company), options=opts,
                    profile=profile, posting=posting, **base)


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
    job = prepared.job
    title = f"{spec.label} — {job.title}" + (f" at {job.company}" if job.company else "") if job else spec.label
    options = prepared.options.model_dump(mode="json") if prepared.options else {}
    return "documents", dict(job_id=job.id if job else None, kind=spec.document_kind, title=title[:256],
                             content=parsed, options=options, **common)
