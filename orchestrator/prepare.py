"""Step 1 of a request: resolve the user and plan, validate inputs, build the prompt;
and the last step: save what was produced (the job, the document)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from db.models import Document, Job, Plan, User, UserProfile
from db.session import Database
from orchestrator import inputs, settings_store
from orchestrator.config import Settings
from orchestrator.errors import InputRejected, NotFound, PermissionDenied
from orchestrator.providers.base import ImageInput
from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.tasks import cover_letter, draft_cv, extract_job
from orchestrator.tasks.common import TaskSpec
from orchestrator.tokens import IMAGE_TOKENS, estimate_tokens


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
    source: str = "text"  # text | image | url (extraction) or the job id (drafting)
    source_url: str | None = None
    job: Job | None = None
    options: DraftOptions | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def input_token_bound(self) -> int:
        """Generous upper bound of prompt tokens (tokenizers differ; x2 covers them)."""
        return 2 * (estimate_tokens(self.task.system) + estimate_tokens(self.prompt)) + IMAGE_TOKENS * len(
            self.images
        )


def resolve_user(db: Database, user: str | int) -> tuple[User, Plan]:
    with db.read() as s:
        if isinstance(user, int) or (isinstance(user, str) and user.isdigit()):
            row = s.get(User, int(user))
        else:
            row = s.scalar(select(User).where(func.lower(User.email) == str(user).strip().lower()))
        if row is None:
            raise NotFound(f"No user '{user}'.")
        if not row.is_active:
            raise PermissionDenied(f"The account {row.email} is deactivated.")
        return row, row.plan


def prepare(
    db: Database,
    settings: Settings,
    task: TaskSpec,
    *,
    user: str | int,
    text: str | None,
    image: bytes | None,
    url: str | None,
    job_id: int | None,
    options: dict[str, Any],
) -> Prepared:
    user_row, plan = resolve_user(db, user)
    base = dict(task=task, user_id=user_row.id, user_email=user_row.email, plan=plan, user=user_row)
    if task.name == "extract_job":
        if options:
            raise InputRejected(f"Extraction takes no options (got: {', '.join(sorted(options))}).")
        return _prepare_extraction(db, settings, base, text=text, image=image, url=url)
    if text or image or url:
        raise InputRejected(f"{task.label} works from a saved job: pass job_id, not text, image or url.")
    return _prepare_drafting(db, base, job_id=job_id, options=options)


def _prepare_extraction(db, settings, base, *, text, image, url) -> Prepared:
    given = [name for name, v in (("text", text), ("image", image), ("url", url)) if v]
    if len(given) != 1:
        raise InputRejected("Give exactly one of: posting text, a screenshot, or a URL.")
    if image:
        img = inputs.validate_image(image, max_bytes=settings.max_image_bytes,
                                    max_pixels=settings.max_image_pixels)
        return Prepared(prompt=extract_job.build_prompt(None, has_image=True), images=(img,),
                        source="image", **base)
    if url:
        page = inputs.fetch_url(url, allow_private=bool(settings_store.get(db, "url_fetch_allow_private")),
                                timeout_s=settings.url_fetch_timeout_s, max_bytes=settings.url_max_bytes)
        body = inputs.validate_text(page.text, max_chars=settings.max_posting_chars)
        return Prepared(prompt=extract_job.build_prompt(body), source="url", source_url=page.url,
                        meta={"content_hash": page.content_hash}, **base)
    body = inputs.validate_text(text, max_chars=settings.max_posting_chars)
    return Prepared(prompt=extract_job.build_prompt(body), source="text", **base)


def _prepare_drafting(db, base, *, job_id, options) -> Prepared:
    if job_id is None:
        raise InputRejected("Choose a saved job first (job_id is required).")
    try:
        opts = DraftOptions(**options)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputRejected(f"Invalid option {'.'.join(map(str, first['loc']))}: {first['msg']}.") from None
    with db.read() as s:
        job = s.get(Job, int(job_id))
        if job is None or job.user_id != base["user_id"]:
            raise NotFound(f"Job {job_id} is not one of your saved jobs.")
        prof_row = s.get(UserProfile, base["user_id"])
    profile = Profile.model_validate(prof_row.data) if prof_row else Profile()
    if profile.is_empty():
        raise InputRejected("Your profile is empty. Add your experience and skills on the Profile page first.")
    posting = JobPosting.model_validate(job.data)
    module = draft_cv if base["task"].name == "draft_cv" else cover_letter
    prompt = module.build_prompt(profile, posting, opts)
    return Prepared(prompt=prompt, source=f"job:{job.id}", job=job, options=opts, **base)


# ------------------------------------------------------------------ persistence


def save_job(db: Database, prepared: Prepared, posting: JobPosting, *, request_id: str, provider: str,
             model: str, cost: Decimal | None) -> int:
    with db.write() as s:
        job = Job(user_id=prepared.user_id, source=prepared.source, source_url=prepared.source_url,
                  title=posting.title[:256], company=(posting.company or "")[:256] or None,
                  data=posting.model_dump(mode="json"), request_id=request_id, provider=provider,
                  model=model, cost_usd=cost)
        s.add(job)
        s.flush()
        return job.id


def save_document(db: Database, prepared: Prepared, text: str, *, request_id: str, provider: str,
                  model: str, cost: Decimal | None) -> int:
    kind = "cv" if prepared.task.name == "draft_cv" else "cover_letter"
    job = prepared.job
    title = f"{prepared.task.label} — {job.title}" + (f" at {job.company}" if job.company else "")
    with db.write() as s:
        doc = Document(user_id=prepared.user_id, job_id=job.id, kind=kind, title=title[:256], content=text,
                       options=prepared.options.model_dump(mode="json") if prepared.options else {},
                       request_id=request_id, provider=provider, model=model, cost_usd=cost)
        s.add(doc)
        s.flush()
        return doc.id
