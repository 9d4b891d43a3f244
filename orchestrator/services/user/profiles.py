"""Profiles (the user's master CV): read, save, import from text, Markdown, JSON, DOCX or PDF."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import ValidationError

from db.models import UserProfile
from orchestrator import limits
from orchestrator.errors import InputRejected
from orchestrator.prepare import resolve_user
from orchestrator.schemas import Profile


def get_profile(orch, *, user: str | int) -> Profile:
    u, _ = resolve_user(orch.db, user)
    with orch.db.read() as s:
        row = s.get(UserProfile, u.id)
    return Profile.model_validate(row.data) if row else Profile()


def document_author(orch, *, user: str | int) -> str:
    """Who a downloaded DOCX or PDF names as its author: the profile's name, else the account's
    name, else its e-mail (the candidate wrote the document; it is never this app's name)."""
    u, _ = resolve_user(orch.db, user)
    with orch.db.read() as s:
        row = s.get(UserProfile, u.id)
    name = str((row.data or {}).get("name") or "").strip() if row else ""
    return name or (u.name or "").strip() or u.email


def save_profile(orch, *, user: str | int, profile: Profile | dict) -> Profile:
    u, _ = resolve_user(orch.db, user)
    try:
        prof = profile if isinstance(profile, Profile) else Profile.model_validate(profile)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputRejected(f"The profile is invalid at {'.'.join(map(str, first['loc']))}: {first['msg']}.") from None
    data = limits.check_profile(prof, orch.settings)
    with orch.db.write() as s:
        row = s.get(UserProfile, u.id)
        if row is None:
            s.add(UserProfile(user_id=u.id, data=data))
        else:
            row.data, row.updated_at = data, datetime.now(UTC)
    return prof


def parse_profile(orch, data: bytes | str, *, filename: str = "profile.md") -> Profile:
    """Turn an uploaded or pasted CV into a Profile: JSON is read as-is, DOCX and PDF
    are converted to text, and text/Markdown goes through the heuristic importer.
    Files above ``settings.max_profile_bytes`` are refused before they are parsed; DOCX and
    PDF files then meet the budgets of ``orchestrator.uploads``, and the text kept from any
    file is cut at ``uploads.MAX_TEXT_CHARS``. Anything wrong with the file is an
    ``InputRejected``; nothing else escapes."""
    from orchestrator import uploads
    from orchestrator.offline import parse_profile_text

    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    limit = orch.settings.max_profile_bytes
    if len(raw) > limit:
        raise InputRejected(f"The file is {len(raw) / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:g} MB. "
                            "Remove pictures from the CV, or paste its text instead.")
    name = filename.lower()
    if name.endswith(".json"):
        try:
            return Profile.model_validate(json.loads(raw.decode("utf-8")))
        except ValidationError as exc:  # a ValueError too: first
            first = exc.errors()[0]
            raise InputRejected(f"The JSON profile is invalid at {'.'.join(map(str, first['loc']))}.") from None
        except (ValueError, RecursionError):  # not UTF-8, not JSON, nested too deep, a 5,000-digit number
            raise InputRejected("The JSON file could not be read. Export the profile again as JSON, "
                                "or paste the CV as text.") from None
    if name.endswith(".docx"):
        text = _docx_text(raw, orch.settings)
    elif name.endswith(".pdf"):
        text = _pdf_text(raw, orch.settings)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    text = text[:uploads.MAX_TEXT_CHARS]
    if not text.strip():
        raise InputRejected("No text was found in that file. If it is a scan, paste the text of your CV instead.")
    return parse_profile_text(text)


def _docx_text(raw: bytes, settings) -> str:
    """A DOCX as Markdown-like text (headings and list items keep their marks).

    The archive passes ``uploads.checked_zip`` first (entries, unpacked size, XML markup), so
    python-docx parses a bounded copy. The walk reads at most ``uploads.MAX_PARAGRAPHS``
    paragraphs and ``uploads.MAX_TEXT_CHARS`` characters, and resolves style names in one pass
    over the styles: python-docx's ``paragraph.style`` scans every style on each call, which
    made 300,000 empty paragraphs take minutes."""
    import docx
    from docx.oxml.ns import qn

    from orchestrator import uploads

    package = uploads.checked_zip(raw, max_bytes=settings.max_unzipped_bytes, max_entries=settings.max_zip_entries)
    try:
        document = docx.Document(package)
        names, default = {}, ""
        for el in document.styles.element.iterchildren(qn("w:style")):
            name_el = el.find(qn("w:name"))
            names[el.get(qn("w:styleId"))] = name = ((name_el.get(qn("w:val")) if name_el is not None else "")
                                                    or "").lower()
            if el.get(qn("w:type")) == "paragraph" and el.get(qn("w:default")) in ("1", "true", "on"):
                default = name
        lines, size = [], 0
        for number, para in enumerate(document.element.body.iterchildren(qn("w:p"))):
            if number >= uploads.MAX_PARAGRAPHS or size > uploads.MAX_TEXT_CHARS:
                break
            text = (para.text or "").strip()
            if not text:
                continue
            style = names.get(para.style, default) if para.style else default
            if style.startswith("heading 1") or style == "title":
                text = f"# {text}"
            elif style.startswith("heading"):
                text = f"## {text}"
            elif "list" in style:
                text = f"- {text}"
            lines.append(text)
            size += len(text) + 1
    except Exception:  # noqa: BLE001 - python-docx and lxml on a damaged package raise nearly anything
        raise InputRejected("The DOCX file could not be opened (it may be corrupt). Save it again from your "
                            "word processor, or paste the text instead.") from None
    return "\n".join(lines)


def _pdf_text(raw: bytes, settings) -> str:
    """The text of a PDF's first pages, within ``uploads.pdf_text``'s budgets."""
    from orchestrator import uploads

    return uploads.pdf_text(raw, max_pages=settings.max_pdf_pages, max_decoded_bytes=settings.max_pdf_decoded_bytes)
