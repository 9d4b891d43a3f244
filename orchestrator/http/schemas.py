"""Request and response bodies of the job seeker's REST routes (``routes_user.py``).

They exist so the OpenAPI document at ``/api/v1/openapi.json`` says exactly what a
client sends and gets back. Money is an exact decimal string (``"0.0004425"``), never a
float; ``null`` where a model is unpriced. Requests forbid unknown fields, so a typo
in a field name is a 422 naming it instead of an option silently ignored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orchestrator.schemas import Length, Tone

IMAGE_MIME_TYPES = ("image/png", "image/jpeg", "image/webp")
ImageMime = Literal["image/png", "image/jpeg", "image/webp"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ requests


class ExtractRequest(_Request):
    """Exactly one of ``text``, ``url`` or ``image_base64`` (with its ``mime_type``)."""

    text: str | None = Field(default=None, description="The posting's text, pasted.",
                             examples=["Senior Python Engineer at Acme, Berlin (hybrid). 5+ years Python..."])
    url: str | None = Field(default=None, description="A link to the posting (http or https); the server "
                            "fetches it after your quota is checked.", examples=["https://example.com/jobs/42"])
    image_base64: str | None = Field(default=None, description="A screenshot of the posting, base64-encoded "
                                     "(PNG, JPEG or WebP; a `data:image/...;base64,` prefix is accepted).")
    mime_type: ImageMime | None = Field(default=None, description="The screenshot's type; optional, but if "
                                        "given it must match the image data.")


class DraftRequest(_Request):
    """A saved job and the drafting options; omitted options take the plan's defaults."""

    job_id: int = Field(description="A saved job of yours (from extraction or `GET /jobs`).", examples=[1])
    length: Length | None = Field(default=None, description="short, standard (default) or detailed.")
    tone: Tone | None = Field(default=None, description="formal (default), friendly, confident or enthusiastic.")
    language: str | None = Field(default=None, max_length=40, description="Language to write in "
                                 "(default English).", examples=["English"])
    emphasis: str | None = Field(default=None, max_length=500, description="What to put forward, in your words.")
    regenerate: bool = Field(default=False, description="Bypass the response cache and write a fresh one.")
    stream: bool = Field(default=False, description="Answer as server-sent events (text/event-stream): "
                         "chunks as they are written, then the result.")


# ------------------------------------------------------------------ results


class Usage(BaseModel):
    """Token counts of the attempt that served the answer. ``input_tokens`` includes cached
    and cache-write tokens; ``output_tokens`` includes reasoning tokens."""

    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0


class _Served(BaseModel):
    provider: str = Field(description="The provider that served the answer (as the admin named it).")
    model: str
    usage: Usage
    cost_usd: str | None = Field(description="What the serving attempt cost, exact decimal dollars; "
                                 "null if the model is unpriced.", examples=["0.0004425"])
    charged_usd: str = Field(description="What you were charged for this request (credit plans), "
                             "exact decimal dollars.", examples=["0"])
    cached: bool = Field(description="Served from the response cache.")
    request_id: str = Field(description="Names this request in the usage ledger.")


class ExtractResponse(_Served):
    job_id: int = Field(description="The saved job: draft a CV or a cover letter from it.")
    data: dict[str, Any] = Field(description="The extracted posting: title, company, location, remote_mode, "
                                 "employment_type, seniority, salary, skills, requirements, "
                                 "responsibilities, benefits, summary, contact (the person to address).")


class DocumentResponse(_Served):
    document_id: int = Field(description="The saved document (`GET /documents/{id}`).")
    text: str = Field(description="The document, in Markdown.")


# -------------------------------------------------------------- saved data


class JobSummary(BaseModel):
    id: int
    title: str
    company: str | None
    location: str | None
    source: str = Field(description="text, image or url.")
    source_url: str | None
    created_at: datetime
    updated_at: datetime
    provider: str | None
    model: str | None
    cost_usd: str | None = Field(description="What extracting it cost; null if unpriced.")
    document_count: int = Field(description="Documents written for this job (a CV, a letter), however many "
                                "versions each has.")


class JobDetail(JobSummary):
    posting: dict[str, Any] = Field(description="The extracted posting (same fields as extraction's `data`).")


class JobList(BaseModel):
    jobs: list[JobSummary]
    limit: int
    offset: int
    next_offset: int | None = Field(description="Pass as `offset` for the next page; null on the last page.")


class DocumentSummary(BaseModel):
    id: int = Field(description="This version's id.")
    kind: str = Field(description="The document kind (one per drafting route; filter with `GET /documents?kind=`).")
    kind_label: str
    title: str
    job_id: int | None = Field(description="The job it was written for; null once that job was deleted.")
    job_title: str | None
    created_at: datetime
    updated_at: datetime
    edited: bool = Field(description="You wrote this version by editing the text.")
    provider: str | None
    model: str | None
    cost_usd: str | None = Field(description="What generating it cost; null if unpriced.")
    version: int = Field(description="Its number among the versions of this job's document of this kind.")
    version_count: int = Field(description="How many versions the document has (`GET /documents/{id}/versions`).")
    current: bool = Field(description="This is the newest version.")
    origin: Literal["generated", "edited", "restored", "rewritten"] = Field(
        description="How the version came to be: generated, edited by you, restored from an older version, or "
                    "one part rewritten.")


class DocumentDetail(DocumentSummary):
    text: str = Field(description="The document, in Markdown (with your edits).")
    options: dict[str, Any] = Field(description="The drafting options it was written with.")
    formats: list[str] = Field(description="Download it with `?format=` one of these.")


class DocumentList(BaseModel):
    documents: list[DocumentSummary]
    limit: int
    offset: int
    next_offset: int | None = Field(description="Pass as `offset` for the next page; null on the last page.")


class VersionList(BaseModel):
    versions: list[DocumentSummary] = Field(description="Every version of the document, newest first.")


class EditRequest(_Request):
    text: str = Field(min_length=1, description="The whole document, in Markdown: saved as a new version.")


class RewriteRequest(_Request):
    part: int = Field(ge=0, description="The part's `index` from `GET /documents/{id}/parts`.")
    style: str = Field(description="How to rewrite it: a `style` from `GET /documents/{id}/parts`.",
                       examples=["concise"])


class PartOut(BaseModel):
    index: int
    kind: Literal["section", "bullet", "paragraph"]
    label: str
    text: str


class PartList(BaseModel):
    parts: list[PartOut] = Field(description="The version's sections, bullets and paragraphs, in order.")
    styles: dict[str, str] = Field(description="The rewrite styles, by name, with their labels.")


class RewriteResponse(_Served):
    document_id: int = Field(description="The new version (`GET /documents/{id}`).")
    version: int
    part_text: str = Field(description="The rewritten part alone.")
    text: str = Field(description="The new version, in Markdown: the old one with only that part replaced.")


class SegmentOut(BaseModel):
    text: str
    changed: bool = Field(description="Not in the other version (removed on the left, added on the right).")


class DiffLineOut(BaseModel):
    tag: Literal["equal", "replace", "delete", "insert"]
    old_no: int | None = Field(description="Line number in the old version (from 1); null for an added line.")
    new_no: int | None = Field(description="Line number in the new version; null for a removed line.")
    old: list[SegmentOut]
    new: list[SegmentOut]


class DiffResponse(BaseModel):
    old_id: int
    new_id: int
    added: int = Field(description="Lines only in the new version.")
    removed: int = Field(description="Lines only in the old version.")
    changed: int = Field(description="Lines changed in place (word by word in `old` and `new`).")
    lines: list[DiffLineOut]


# ------------------------------------------------------------------- usage


class QuotaLineOut(BaseModel):
    label: str
    unit: Literal["requests", "tokens", "usd"]
    used: int | str = Field(description="An integer, or exact decimal dollars when unit is usd.")
    limit: int | str | None = Field(description="Null: no limit on your plan.")
    remaining: int | str | None
    resets_at: datetime


class PlanOut(BaseModel):
    code: str
    name: str
    description: str
    monthly_fee_usd: str
    uses_credit: bool
    markup_pct: int


class CreditOut(BaseModel):
    balance_usd: str
    held_usd: str = Field(description="Held for requests in progress.")
    available_usd: str


class DayOut(BaseModel):
    day: date
    requests: int
    tokens: int
    cost_usd: str = Field(description="Priced attempts only.")
    charged_usd: str
    unpriced: int = Field(description="Served attempts on unpriced models (their cost is unknown).")


class CostOut(BaseModel):
    kind: str = Field(description="job (an extraction) or a document kind.")
    kind_label: str
    id: int
    title: str
    created_at: datetime
    provider: str | None
    model: str | None
    cost_usd: str | None
    charged_usd: str


class UsageResponse(BaseModel):
    plan: PlanOut
    requests_today: QuotaLineOut
    tokens_month: QuotaLineOut
    cost_month: QuotaLineOut
    credit: CreditOut | None = Field(description="Your balance on a credit plan; null otherwise.")
    days: list[DayOut] = Field(description="Your served requests per UTC day, oldest first, zeros included.")
    recent: list[CostOut] = Field(description="What each recent extraction and document cost, newest first.")


class ErrorBody(BaseModel):
    """Every error answer: the message the app would show, and a stable type to branch on."""

    error: str
    error_type: str = Field(examples=["NotFound"])


class QuotaErrorBody(ErrorBody):
    limit: str | None = Field(default=None, description="Which limit was reached.")
    resets_at: datetime | None = Field(default=None, description="When it resets (null: top up credit).")
