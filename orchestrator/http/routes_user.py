"""The job seeker's REST routes under ``/api/v1``: the seed's three routes (extract a
posting, draft a CV, write a cover letter), the caller's saved jobs and documents (with
downloads), and their plan and usage. Interactive docs are at ``/api/v1/docs``.

Every route authenticates with a personal token (``Depends(caller)``) and goes through
the same pipeline and services as the app, with ``origin=caller.origin``, so the ledger
records each request as ``api`` with the token's id, and quotas, credit, routing,
fallback and the cache behave exactly as on the pages. Another user's job or document is
404, never 403: ids reveal nothing. Blocking work runs on the API's thread limiter.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from orchestrator import exports
from orchestrator.errors import InputRejected, InputTooLarge
from orchestrator.http import docs, routes_versions, sse
from orchestrator.http.api import Caller, caller, orch
from orchestrator.http.schemas import (
    IMAGE_MIME_TYPES,
    DocumentDetail,
    DocumentList,
    DocumentResponse,
    DraftRequest,
    ErrorBody,
    ExtractRequest,
    ExtractResponse,
    JobDetail,
    JobList,
    QuotaErrorBody,
    UsageResponse,
)
from orchestrator.http.threads import run_blocking
from orchestrator.money import usd_str
from orchestrator.result import Result
from orchestrator.services.user import account, documents, profiles
from orchestrator.tasks import document_tasks
from orchestrator.uploads import image_format

# Which registered task each seed route runs: the one place this API names tasks.
TASK_OF = {"extract": "extract_job", "draft": "draft_cv", "generate": "cover_letter"}
DRAFT_OPTIONS = ("length", "tone", "language", "emphasis")
MAX_PAGE = 100


def _err(description: str, model=ErrorBody) -> dict[str, Any]:
    return {"model": model, "description": description}


COMMON = {401: _err("No personal token, or a malformed, revoked or expired one, or a deactivated user."),
          422: _err("The request does not match the schema (the message names the field)."),
          500: _err("Unexpected server error (a generic message; details are in the server log).")}
RUN_ERRORS = {400: _err("The input was rejected (the message says why)."),
              413: _err("The posting, image or request body is too large."),
              429: _err("A plan limit or the credit balance is used up; `Retry-After` says when to retry.",
                        QuotaErrorBody),
              502: _err("Every provider in the plan's chain failed."),
              503: _err("No provider can serve this request now, or the answer could not be saved.")}
NOT_FOUND = {404: _err("Not one of your jobs or documents (or no such id).")}

router = APIRouter(responses=COMMON)
router.include_router(docs.router)
router.include_router(routes_versions.router)


# ---------------------------------------------------------------- results


def _served(r: Result) -> dict[str, Any]:
    return {"provider": r.provider, "model": r.model, "usage": r.usage.as_dict(), "cost_usd": usd_str(r.cost_usd),
            "charged_usd": usd_str(r.charged_usd) or "0", "cached": r.cached, "request_id": r.request_id}


def _extraction(r: Result) -> dict[str, Any]:
    data = r.data.model_dump(mode="json") if r.data is not None else {}
    return {"job_id": r.job_id, "data": data, **_served(r)}


def _document(r: Result) -> dict[str, Any]:
    return {"document_id": r.document_id, "text": r.text, **_served(r)}


# ------------------------------------------------------------- extraction


def _decode_image(body: ExtractRequest, max_bytes: int) -> bytes:
    """The screenshot's bytes: a clear 400 for bad base64 or a type that is not the data's,
    413 before decoding anything too large."""
    raw, mime = body.image_base64 or "", body.mime_type
    if raw.startswith("data:"):
        header, _, raw = raw.partition(",")
        declared = header[5:].split(";")[0].strip().lower()
        if ";base64" not in header or declared not in IMAGE_MIME_TYPES:
            raise InputRejected("image_base64 is a data URL, but not a base64 PNG, JPEG or WebP one.")
        mime = mime or declared
    raw = "".join(raw.split())  # base64 tools wrap lines
    if not raw:
        raise InputRejected("image_base64 is empty. Send the screenshot's bytes, base64-encoded.")
    if (len(raw) * 3) // 4 - raw[-2:].count("=") > max_bytes:
        raise InputTooLarge(f"The image is over the limit of {max_bytes / 1_000_000:g} MB. "
                            "Crop the screenshot or save it as JPEG.")
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise InputRejected("image_base64 is not valid base64. Encode the image file's bytes with "
                            "standard base64 (e.g. `base64 -w0 shot.png`).") from None
    found = image_format(data)
    if mime and found in ("PNG", "JPEG", "WEBP") and f"image/{found.lower()}" != mime:
        raise InputRejected(f"mime_type says {mime}, but the data is a {found} image.")
    return data


@router.post(
    "/job-extractor/extract", response_model=ExtractResponse, responses=RUN_ERRORS,
    summary="Extract a job posting",
    description="Turn a posting (pasted text, a link, or a base64 screenshot) into structured fields and "
                "save it as a job of yours. Send exactly one of `text`, `url` or `image_base64`. Runs the "
                "plan's fast extraction chain with fallback, counts one request against your daily quota, "
                "and answers with the saved `job_id` to draft from.")
async def extract(body: ExtractRequest, who: Caller = Depends(caller)) -> dict[str, Any]:
    given = [name for name in ("text", "url", "image_base64") if getattr(body, name) is not None]
    if len(given) != 1:
        which = "none was given" if not given else f"got {' and '.join(given)}"
        raise InputRejected(f"Send exactly one of text, url or image_base64 ({which}).")
    if body.mime_type is not None and body.image_base64 is None:
        raise InputRejected("mime_type goes with image_base64 only.")
    o = orch()
    image = _decode_image(body, o.settings.max_image_bytes) if body.image_base64 is not None else None
    result = await run_blocking(o.run, TASK_OF["extract"], user=who.user.id, text=body.text, url=body.url,
                                image=image, origin=who.origin)
    return _extraction(result)


# ---------------------------------------------------------------- drafting

STREAM_RESPONSE = {200: {"description": "The document (JSON), or with `\"stream\": true` server-sent events: "
                                        "`chunk`, `restart`, then `result` (or `error`).",
                         "content": {"text/event-stream": {"schema": {"type": "string"}}}}}


async def _draft(route: str, body: DraftRequest, who: Caller):
    o = orch()
    options = {k: getattr(body, k) for k in DRAFT_OPTIONS if getattr(body, k) is not None}
    kwargs = dict(user=who.user.id, job_id=body.job_id, regenerate=body.regenerate, origin=who.origin, **options)
    task = TASK_OF[route]
    if body.stream:
        return await sse.stream_response(lambda: o.stream(task, **kwargs), _document)
    return _document(await run_blocking(o.run, task, **kwargs))


_DRAFT_DOC = ("from one of your saved jobs and your profile, in the length, tone and language you choose. "
              "Runs the plan's quality chain with fallback and saves the document. With `\"stream\": true` the "
              "answer is `text/event-stream`: `{\"type\":\"chunk\",\"text\":...}` events as it is written, a "
              "`restart` event if a provider broke off (discard the text so far), then "
              "`{\"type\":\"result\", ...}` with the same fields as the JSON answer, or an `error` event.")


@router.post("/cv-drafter/draft", response_model=DocumentResponse, responses={**RUN_ERRORS, **NOT_FOUND,
                                                                              **STREAM_RESPONSE},
             summary="Draft a tailored CV", description="Write a CV " + _DRAFT_DOC)
async def draft_cv(body: DraftRequest, who: Caller = Depends(caller)):
    return await _draft("draft", body, who)


@router.post("/cover-letter/generate", response_model=DocumentResponse, responses={**RUN_ERRORS, **NOT_FOUND,
                                                                                   **STREAM_RESPONSE},
             summary="Write a cover letter", description="Write a cover letter " + _DRAFT_DOC)
async def generate_letter(body: DraftRequest, who: Caller = Depends(caller)):
    return await _draft("generate", body, who)


# ------------------------------------------------------------- saved data


def _page(items: list, limit: int, offset: int) -> tuple[list, int | None]:
    """The page and the next offset (None on the last page); callers fetch ``limit + 1``."""
    return items[:limit], (offset + limit if len(items) > limit else None)


def _job_summary(j: documents.JobInfo) -> dict[str, Any]:
    return {"id": j.id, "title": j.title, "company": j.company, "location": j.location, "source": j.source,
            "source_url": j.source_url, "created_at": j.created_at, "updated_at": j.updated_at,
            "provider": j.provider, "model": j.model, "cost_usd": usd_str(j.cost_usd),
            "document_count": j.document_count}


_doc_summary = routes_versions.summary


LIMIT = Query(20, ge=1, le=MAX_PAGE, description=f"Items per page (1 to {MAX_PAGE}).")
OFFSET = Query(0, ge=0, le=1_000_000, description="Items to skip (use `next_offset` from the previous page).")


@router.get("/jobs", response_model=JobList, summary="List your saved jobs",
            description="Your extracted jobs, newest first, with how many documents each has. Page with "
                        "`limit` and `offset`.")
async def list_jobs(limit: int = LIMIT, offset: int = OFFSET, who: Caller = Depends(caller)) -> dict[str, Any]:
    found = await run_blocking(documents.list_jobs, orch(), user=who.user.id, limit=limit + 1, offset=offset)
    items, next_offset = _page(found, limit, offset)
    return {"jobs": [_job_summary(j) for j in items], "limit": limit, "offset": offset, "next_offset": next_offset}


@router.get("/jobs/{job_id}", response_model=JobDetail, responses=NOT_FOUND, summary="Get one saved job",
            description="A saved job of yours with the full extracted posting.")
async def get_job(job_id: int = Path(description="The job's id."), who: Caller = Depends(caller)) -> dict[str, Any]:
    job = await run_blocking(documents.get_job, orch(), user=who.user.id, job_id=job_id)
    return {**_job_summary(job), "posting": job.posting.model_dump(mode="json")}


_KINDS = ", ".join(t.document_kind for t in document_tasks())


@router.get("/documents", response_model=DocumentList, responses={400: _err("Unknown document kind.")},
            summary="List your documents",
            description="Your documents, one per job and kind, most recently changed first: the current "
                        "version of each (without its text: get one by id), with its `version_count` (see "
                        "`/documents/{id}/versions`). Filter by `kind` or `job_id`; page with `limit` and `offset`.")
async def list_documents(kind: str | None = Query(None, description=f"Only this kind ({_KINDS})."),
                         job_id: int | None = Query(None, description="Only documents written for this job."),
                         limit: int = LIMIT, offset: int = OFFSET, who: Caller = Depends(caller)) -> dict[str, Any]:
    found = await run_blocking(documents.list_documents, orch(), user=who.user.id, kind=kind, job_id=job_id,
                               limit=limit + 1, offset=offset)
    items, next_offset = _page(found, limit, offset)
    return {"documents": [_doc_summary(d) for d in items], "limit": limit, "offset": offset,
            "next_offset": next_offset}


DOWNLOAD_RESPONSE = {200: {"description": "The document as JSON; with `format`, the file itself.",
                           "content": {ctype: {"schema": {"type": "string", "format": "binary"}}
                                       for _label, ctype in exports.FORMATS.values()}}}


@router.get("/documents/{document_id}", response_model=DocumentDetail, responses={**NOT_FOUND, **DOWNLOAD_RESPONSE},
            summary="Get or download one document",
            description="Without `format`: this version of the document as JSON, its Markdown text included. With "
                        "`format=md`, `docx` or `pdf`: the file, as the app's download buttons give it "
                        "(remote images and raw HTML made inert), with a `Content-Disposition` file name.")
async def get_document(document_id: int = Path(description="The document's id."),
                       fmt: Literal["md", "docx", "pdf"] | None = Query(None, alias="format",
                                                                        description="Download as this file type."),
                       who: Caller = Depends(caller)):
    doc = await run_blocking(documents.get_document, orch(), user=who.user.id, document_id=document_id)
    if fmt is None:
        return {**_doc_summary(doc), "text": doc.content, "options": doc.options, "formats": list(exports.FORMATS)}
    author = await run_blocking(profiles.document_author, orch(), user=who.user.id)
    data = await run_blocking(exports.export, doc.content, fmt=fmt, title=doc.title, author=author)
    ctype = exports.FORMATS[fmt][1] + ("; charset=utf-8" if fmt == "md" else "")
    name = exports.file_name(doc.title, fmt)
    return Response(data, media_type=ctype, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                     "Cache-Control": "no-store"})


# ------------------------------------------------------------------- usage


def _amount(line: account.QuotaLine, value) -> int | str | None:
    if value is None:
        return None
    return usd_str(value) if line.unit == "usd" else int(value)


def _quota(line: account.QuotaLine) -> dict[str, Any]:
    return {"label": line.label, "unit": line.unit, "used": _amount(line, line.used),
            "limit": _amount(line, line.limit), "remaining": _amount(line, line.remaining),
            "resets_at": line.resets_at}


def usage_of(o, *, user_id: int, days: int, recent: int) -> dict[str, Any]:
    """What the Plan and usage page shows, as data."""
    st = account.account_status(o, user=user_id)
    credit = None
    if st.uses_credit:
        credit = {"balance_usd": usd_str(st.credit_usd), "held_usd": usd_str(st.credit_held_usd or Decimal(0)),
                  "available_usd": usd_str(st.credit_available_usd)}
    by_day = account.usage_by_day(o, user=user_id, days=days)
    costs = account.document_costs(o, user=user_id, limit=recent) if recent else []
    return {
        "plan": {"code": st.plan_code, "name": st.plan_name, "description": st.plan_description,
                 "monthly_fee_usd": usd_str(st.monthly_fee_usd), "uses_credit": st.uses_credit,
                 "markup_pct": st.markup_pct},
        "requests_today": _quota(st.requests_today), "tokens_month": _quota(st.tokens_month),
        "cost_month": _quota(st.cost_month), "credit": credit,
        "days": [{"day": d.day, "requests": d.requests, "tokens": d.tokens, "cost_usd": usd_str(d.cost_usd),
                  "charged_usd": usd_str(d.charged_usd), "unpriced": d.unpriced} for d in by_day],
        "recent": [{"kind": c.kind, "kind_label": c.kind_label, "id": c.id, "title": c.title,
                    "created_at": c.created_at, "provider": c.provider, "model": c.model,
                    "cost_usd": usd_str(c.cost_usd), "charged_usd": usd_str(c.charged_usd)} for c in costs],
    }


@router.get("/usage", response_model=UsageResponse, summary="Your plan, limits left and usage",
            description="Your plan; today's requests and this month's tokens and AI cost against your limits, "
                        "with when each resets; your credit on a credit plan; your served requests per day; "
                        "and what each recent extraction and document cost.")
async def usage(days: int = Query(30, ge=1, le=90, description="Days of daily usage (1 to 90)."),
                recent: int = Query(20, ge=0, le=100, description="Recent extractions and documents (0 to 100)."),
                who: Caller = Depends(caller)) -> dict[str, Any]:
    return await run_blocking(usage_of, orch(), user_id=who.user.id, days=days, recent=recent)


__all__ = ["router", "TASK_OF"]
