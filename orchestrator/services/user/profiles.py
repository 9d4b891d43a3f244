"""Profiles (the user's master CV): read, save, import from text, Markdown, JSON, DOCX or PDF."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from pydantic import ValidationError

from db.models import UserProfile
from orchestrator.errors import InputRejected
from orchestrator.prepare import resolve_user
from orchestrator.schemas import Profile


def get_profile(orch, *, user: str | int) -> Profile:
    u, _ = resolve_user(orch.db, user)
    with orch.db.read() as s:
        row = s.get(UserProfile, u.id)
    return Profile.model_validate(row.data) if row else Profile()


def save_profile(orch, *, user: str | int, profile: Profile | dict) -> Profile:
    u, _ = resolve_user(orch.db, user)
    try:
        prof = profile if isinstance(profile, Profile) else Profile.model_validate(profile)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputRejected(f"The profile is invalid at {'.'.join(map(str, first['loc']))}: {first['msg']}.") from None
    with orch.db.write() as s:
        row = s.get(UserProfile, u.id)
        data = prof.model_dump(mode="json")
        if row is None:
            s.add(UserProfile(user_id=u.id, data=data))
        else:
            row.data, row.updated_at = data, datetime.now(UTC)
    return prof


def parse_profile(orch, data: bytes | str, *, filename: str = "profile.md") -> Profile:
    """Turn an uploaded or pasted CV into a Profile: JSON is read as-is, DOCX and PDF
    are converted to text, and text/Markdown goes through the heuristic importer.
    Files above ``settings.max_profile_bytes`` are refused before they are parsed."""
    from orchestrator.offline import parse_profile_text

    raw = data.encode() if isinstance(data, str) else data
    limit = orch.settings.max_profile_bytes
    if len(raw) > limit:
        raise InputRejected(f"The file is larger than {limit / 1_048_576:g} MB.")
    name = filename.lower()
    if name.endswith(".json"):
        try:
            return Profile.model_validate(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InputRejected("The JSON file could not be read.") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InputRejected(f"The JSON profile is invalid at {'.'.join(map(str, first['loc']))}.") from None
    if name.endswith(".docx"):
        text = _docx_text(raw)
    elif name.endswith(".pdf"):
        text = _pdf_text(raw)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    if not text.strip():
        raise InputRejected("No text was found in that file.")
    return parse_profile_text(text)


def _docx_text(raw: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception:
        raise InputRejected("The DOCX file could not be opened (it may be corrupt).") from None
    lines = []
    for para in document.paragraphs:
        style = (para.style.name or "").lower() if para.style is not None else ""
        text = para.text.strip()
        if not text:
            continue
        if style.startswith("heading 1") or style == "title":
            lines.append(f"# {text}")
        elif style.startswith("heading"):
            lines.append(f"## {text}")
        elif "list" in style:
            lines.append(f"- {text}")
        else:
            lines.append(text)
    return "\n".join(lines)


def _pdf_text(raw: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        return "\n".join((page.extract_text() or "") for page in reader.pages[:20])
    except (PdfReadError, ValueError, KeyError, OSError):
        raise InputRejected("The PDF file could not be read (it may be corrupt or encrypted).") from None
