"""The versions of a user's documents: history, restore, delete, compare, and rewriting one part.

A card (a job's CV, its letter) is every version sharing (user, job, kind); the highest number is
current. Generating (the pipeline), editing (``documents.update_document``), restoring and
rewriting one part each add a version; deleting removes versions, or whole cards. Ownership is
checked in every query: another user's document is ``NotFound``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy import delete, or_, select

from db.models import Document
from orchestrator.errors import InputRejected, NotFound
from orchestrator.ids import parse_id
from orchestrator.services.user.documents import (
    DocumentInfo,
    _doc_info,
    _job_title,
    _owned_doc,
    _uid,
    add_version,
    in_card,
    version_info,
)
from orchestrator.tasks import TASKS
from orchestrator.tasks.common import TaskSpec

MAX_BULK = 500  # ids in one bulk delete


def list_versions(orch, *, user: str | int, document_id: int) -> list[DocumentInfo]:
    """Every version of the card ``document_id`` belongs to, newest first."""
    uid = _uid(orch, user)
    with orch.db.read() as s:
        doc = _owned_doc(s, uid, document_id)
        rows = s.scalars(select(Document).where(in_card(doc))
                         .order_by(Document.version.desc(), Document.id.desc())).all()
        title = _job_title(s, doc)
        return [_doc_info(r, title, len(rows), i == 0) for i, r in enumerate(rows)]


def restore_version(orch, *, user: str | int, document_id: int) -> DocumentInfo:
    """Make an older version current again: its text is saved as a new version (origin
    ``restored``), so nothing in between is lost. The current version is returned as it is."""
    uid = _uid(orch, user)
    with orch.db.write() as s:
        doc = _owned_doc(s, uid, document_id)
        info = version_info(s, doc)
        if info.current:
            return info
        return version_info(s, add_version(s, doc, content=doc.content, origin="restored",
                                           settings=orch.settings))


def _ids(document_ids, what: str = "document") -> list[int]:
    ids = list(dict.fromkeys(parse_id(i, what=what) for i in (document_ids or ())))
    if not ids:
        raise InputRejected("Choose at least one document.")
    if len(ids) > MAX_BULK:
        raise InputRejected(f"Delete at most {MAX_BULK} at once (got {len(ids)}).")
    return ids


def _owned_all(s, uid: int, ids: list[int]) -> list[Document]:
    """All of ``ids``, each the user's: one that is not is ``NotFound`` and nothing happens."""
    rows = s.scalars(select(Document).where(Document.id.in_(ids), Document.user_id == uid)).all()
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        raise NotFound(f"Document {missing[0]} is not one of your documents.")
    return list(rows)


def delete_versions(orch, *, user: str | int, document_ids) -> int:
    """Delete these versions (all or none); the newest one left in each card becomes current.
    Returns how many were deleted."""
    uid = _uid(orch, user)
    ids = _ids(document_ids)
    with orch.db.write() as s:
        _owned_all(s, uid, ids)
        s.execute(delete(Document).where(Document.id.in_(ids), Document.user_id == uid)
                  .execution_options(synchronize_session=False))
    return len(ids)


def delete_cards(orch, *, user: str | int, document_ids) -> int:
    """Delete whole documents: every version of the card each id belongs to (all or none).
    Returns how many versions were deleted."""
    uid = _uid(orch, user)
    ids = _ids(document_ids)
    with orch.db.write() as s:
        cards = _owned_all(s, uid, ids)
        doomed = s.scalars(select(Document.id).where(Document.user_id == uid,
                                                     or_(*(in_card(d) for d in cards)))).all()
        s.execute(delete(Document).where(Document.id.in_(doomed), Document.user_id == uid)
                  .execution_options(synchronize_session=False))
    return len(doomed)


# ------------------------------------------------------------------- compare


@dataclass(frozen=True)
class Segment:
    """A run of one line's text: ``changed`` when it is not in the other version."""

    text: str
    changed: bool = False


@dataclass(frozen=True)
class DiffLine:
    """One row of a side-by-side comparison: ``tag`` is equal, replace, delete (only on the left)
    or insert (only on the right); line numbers count from 1."""

    tag: str
    old_no: int | None
    new_no: int | None
    old: tuple[Segment, ...]
    new: tuple[Segment, ...]


@dataclass(frozen=True)
class VersionDiff:
    old: DocumentInfo
    new: DocumentInfo
    lines: tuple[DiffLine, ...]
    added: int  # lines only in the new version
    removed: int  # lines only in the old one
    changed: int  # lines changed in place

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.U)


def _words(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Two versions of a line, split into runs that are shared or changed (word by word)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append(Segment("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            right.append(Segment("".join(b[j1:j2]), tag != "equal"))
    return _merged(left), _merged(right)


def _merged(segments: list[Segment]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for seg in segments:
        if out and out[-1].changed == seg.changed:
            out[-1] = Segment(out[-1].text + seg.text, seg.changed)
        else:
            out.append(seg)
    return tuple(out)


def diff_lines(old: str, new: str) -> tuple[DiffLine, ...]:
    """A side-by-side, line then word comparison of two texts (difflib)."""
    a, b = old.split("\n"), new.split("\n")
    rows: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffLine("equal", i + 1, j + 1, (Segment(a[i]),), (Segment(b[j]),))
                     for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            left, right = _words(a[i1 + k], b[j1 + k])
            rows.append(DiffLine("replace", i1 + k + 1, j1 + k + 1, left, right))
        rows += [DiffLine("delete", i + 1, None, (Segment(a[i], True),), ()) for i in range(i1 + pairs, i2)]
        rows += [DiffLine("insert", None, j + 1, (), (Segment(b[j], True),)) for j in range(j1 + pairs, j2)]
    return tuple(rows)


def compare_versions(orch, *, user: str | int, old_id: int, new_id: int) -> VersionDiff:
    """Two of the user's documents (usually two versions of one) compared side by side."""
    uid = _uid(orch, user)
    with orch.db.read() as s:
        old, new = version_info(s, _owned_doc(s, uid, old_id)), version_info(s, _owned_doc(s, uid, new_id))
    lines = diff_lines(old.content, new.content)
    count = {tag: sum(1 for r in lines if r.tag == tag) for tag in ("insert", "delete", "replace")}
    return VersionDiff(old, new, lines, count["insert"], count["delete"], count["replace"])


# ------------------------------------------------------------ rewrite a part


def rewrite_task() -> TaskSpec:
    """The registered task that rewrites one part of a document (found by its input kind)."""
    found = next((t for t in TASKS.values() if t.input == "document_part"), None)
    if found is None:
        raise InputRejected("Rewriting one part is not available (no task is registered for it).")
    return found


def rewrite_styles() -> dict[str, str]:
    """style -> label: "concise" -> "More concise"."""
    return dict(rewrite_task().meta.get("styles") or {})


def rewrite_one_part(orch, *, user: str | int, document_id: int, part: int, style: str,
                 origin=None) -> DocumentInfo:
    """Rewrite one part (its index in ``orchestrator.document_parts.parts``) of a version in
    ``style``: a small request, billed like any other, that saves a new version of the card with
    only that part replaced. Returns the new version."""
    result = orch.run(rewrite_task().name, user=user, document_id=document_id, part=part, style=style,
                      origin=origin)
    uid = _uid(orch, user)
    with orch.db.read() as s:
        return version_info(s, _owned_doc(s, uid, result.document_id))
