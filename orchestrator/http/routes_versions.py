"""Versions of the caller's documents under ``/api/v1/documents/{id}/...``: list, edit (a new
version), restore, delete, compare, and rewrite one part (a small billed request through the
pipeline, like the drafting routes). Included by ``routes_user``; the same services as the app."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from orchestrator.document_parts import parts
from orchestrator.http.api import Caller, caller, orch
from orchestrator.http.schemas import (
    DiffResponse,
    DocumentDetail,
    EditRequest,
    ErrorBody,
    PartList,
    RewriteRequest,
    RewriteResponse,
    VersionList,
)
from orchestrator.http.threads import run_blocking
from orchestrator.money import usd_str
from orchestrator.services.user import documents, versions

router = APIRouter()
DOC_ID = Path(description="The id of one version of the document.")
NOT_FOUND = {404: {"model": ErrorBody, "description": "Not one of your documents (or no such id)."}}
REFUSED = {400: {"model": ErrorBody, "description": "Refused (the message says why), e.g. the version limit."},
           **NOT_FOUND}


def summary(d: documents.DocumentInfo) -> dict[str, Any]:
    """A version as the API lists it (``routes_user`` lists documents with it too)."""
    return {"id": d.id, "kind": d.kind, "kind_label": d.kind_label, "title": d.title, "job_id": d.job_id,
            "job_title": d.job_title, "created_at": d.created_at, "updated_at": d.updated_at, "edited": d.edited,
            "provider": d.provider, "model": d.model, "cost_usd": usd_str(d.cost_usd), "version": d.version,
            "version_count": d.version_count, "current": d.current, "origin": d.origin}


def detail(d: documents.DocumentInfo) -> dict[str, Any]:
    from orchestrator import exports

    return {**summary(d), "text": d.content, "options": d.options, "formats": list(exports.FORMATS)}


@router.get("/documents/{document_id}/versions", response_model=VersionList, responses=NOT_FOUND,
            summary="List a document's versions",
            description="Every version of the document this version belongs to, newest first (the first is "
                        "current). Regenerating, editing, restoring and rewriting a part each add one.")
async def list_versions(document_id: int = DOC_ID, who: Caller = Depends(caller)) -> dict[str, Any]:
    found = await run_blocking(versions.list_versions, orch(), user=who.user.id, document_id=document_id)
    return {"versions": [summary(v) for v in found]}


@router.put("/documents/{document_id}", response_model=DocumentDetail, responses=REFUSED,
            summary="Save an edited document as a new version",
            description="Saves `text` as a new version of the document (the edited one is kept). Unchanged "
                        "text saves nothing and returns the version as it is.")
async def edit(body: EditRequest, document_id: int = DOC_ID, who: Caller = Depends(caller)) -> dict[str, Any]:
    saved = await run_blocking(documents.update_document, orch(), user=who.user.id, document_id=document_id,
                               content=body.text)
    return detail(saved)


@router.post("/documents/{document_id}/restore", response_model=DocumentDetail, responses=REFUSED,
             summary="Restore an older version",
             description="Saves this version's text as a new, current version; nothing in between is lost.")
async def restore(document_id: int = DOC_ID, who: Caller = Depends(caller)) -> dict[str, Any]:
    return detail(await run_blocking(versions.restore_version, orch(), user=who.user.id, document_id=document_id))


@router.delete("/documents/{document_id}", status_code=204, responses=NOT_FOUND,
               summary="Delete a version, or the whole document",
               description="Deletes this version (the newest one left becomes current); with `all_versions=true`, "
                           "every version of the document.")
async def delete(document_id: int = DOC_ID,
                 all_versions: bool = Query(False, description="Delete every version of the document."),
                 who: Caller = Depends(caller)) -> Response:
    fn = versions.delete_cards if all_versions else versions.delete_versions
    await run_blocking(fn, orch(), user=who.user.id, document_ids=[document_id])
    return Response(status_code=204)


@router.get("/documents/{document_id}/compare/{other_id}", response_model=DiffResponse, responses=NOT_FOUND,
            summary="Compare two versions",
            description="A side-by-side comparison of version `document_id` (old, left) and `other_id` (new, "
                        "right): lines equal, changed (with the changed words marked), removed or added.")
async def compare(document_id: int = DOC_ID, other_id: int = Path(description="The version to compare it with."),
                  who: Caller = Depends(caller)) -> dict[str, Any]:
    diff = await run_blocking(versions.compare_versions, orch(), user=who.user.id, old_id=document_id,
                              new_id=other_id)

    def segs(items) -> list[dict[str, Any]]:
        return [{"text": s.text, "changed": s.changed} for s in items]

    return {"old_id": diff.old.id, "new_id": diff.new.id, "added": diff.added, "removed": diff.removed,
            "changed": diff.changed,
            "lines": [{"tag": r.tag, "old_no": r.old_no, "new_no": r.new_no, "old": segs(r.old), "new": segs(r.new)}
                      for r in diff.lines]}


@router.get("/documents/{document_id}/parts", response_model=PartList, responses=NOT_FOUND,
            summary="List the parts you can rewrite",
            description="The version's sections, bullets and paragraphs, each with the `index` to rewrite it by, "
                        "and the rewrite styles.")
async def list_parts(document_id: int = DOC_ID, who: Caller = Depends(caller)) -> dict[str, Any]:
    doc = await run_blocking(documents.get_document, orch(), user=who.user.id, document_id=document_id)
    return {"parts": [{"index": p.index, "kind": p.kind, "label": p.label, "text": p.text} for p in parts(doc.content)],
            "styles": versions.rewrite_styles()}


@router.post("/documents/{document_id}/rewrite", response_model=RewriteResponse, responses=REFUSED,
             summary="Rewrite one part",
             description="Rewrites one part of this version (more concise, more quantified, or in the posting's "
                         "wording): a small request on the plan's fast chain, billed like any other, saved as a "
                         "new version with only that part replaced.")
async def rewrite(body: RewriteRequest, document_id: int = DOC_ID, who: Caller = Depends(caller)) -> dict[str, Any]:
    o = orch()
    r = await run_blocking(o.run, versions.rewrite_task().name, user=who.user.id, document_id=document_id,
                           part=body.part, style=body.style, origin=who.origin)
    doc = await run_blocking(documents.get_document, o, user=who.user.id, document_id=r.document_id)
    return {"document_id": doc.id, "version": doc.version, "part_text": r.text, "text": doc.content,
            "provider": r.provider, "model": r.model, "usage": r.usage.as_dict(), "cost_usd": usd_str(r.cost_usd),
            "charged_usd": usd_str(r.charged_usd) or "0", "cached": r.cached, "request_id": r.request_id}
