"""Size limits on every text a user or an admin saves, enforced by the services.

A saved job, a profile, a document or a note is checked before it is written:
each single text field, each list's length, and the whole record, against the
settings (``ORCHESTRATOR_MAX_FIELD_CHARS``, ``..._MAX_LIST_ITEMS``,
``..._MAX_JOB_CHARS``, ``..._MAX_PROFILE_CHARS``, ``..._MAX_DOCUMENT_CHARS``), and how many
versions one job's document keeps (``..._MAX_DOCUMENT_VERSIONS``).
The forms show the same limits (``max_chars``), so a user meets them while typing;
a caller that skips the forms (CLI, Python) meets the same ``InputRejected``.
Short one-line fields (titles, names) are also bounded by their database columns.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from orchestrator.errors import InputRejected, InputTooLarge

# one-line fields mirrored into columns of that width
TITLE_CHARS = 256
NAME_CHARS = 128
NOTE_CHARS = 500
DESCRIPTION_CHARS = 2_000
# the longest part of a document rewritten on its own (a section, a bullet, a paragraph)
REWRITE_PART_CHARS = 6_000


def check_text(value: str | None, *, limit: int, what: str) -> str:
    """``value`` (None as ""), refused if longer than ``limit`` characters."""
    text = value or ""
    if len(text) > limit:
        raise InputTooLarge(f"{what} is {len(text):,} characters long; the limit is {limit:,}.")
    return text


def _label(path: tuple[Any, ...]) -> str:
    """``('experience', 2, 'bullets', 0)`` -> ``experience 3, bullets 1`` (counted from 1)."""
    parts: list[str] = []
    for p in path:
        if isinstance(p, int) and parts:
            parts[-1] = f"{parts[-1]} {p + 1}"
        else:
            parts.append(str(p).replace("_", " "))
    return ", ".join(parts) or "the record"


def _walk(value: Any, path: tuple[Any, ...], *, field_chars: int, list_items: int, noun: str) -> None:
    if isinstance(value, str):
        if len(value) > field_chars:
            raise InputTooLarge(f"The {noun}'s field '{_label(path)}' is {len(value):,} characters long; "
                                f"the limit is {field_chars:,}.")
    elif isinstance(value, list):
        if len(value) > list_items:
            raise InputTooLarge(f"The {noun}'s list '{_label(path)}' has {len(value):,} entries; "
                                f"the limit is {list_items:,}.")
        for i, item in enumerate(value):
            _walk(item, (*path, i), field_chars=field_chars, list_items=list_items, noun=noun)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, (*path, key), field_chars=field_chars, list_items=list_items, noun=noun)


def check_record(record: BaseModel, *, settings, total_chars: int, noun: str) -> dict[str, Any]:
    """The record as JSON-ready data, refused if a field, a list or the whole is too large."""
    data = record.model_dump(mode="json")
    _walk(data, (), field_chars=settings.max_field_chars, list_items=settings.max_list_items, noun=noun)
    size = len(json.dumps(data, ensure_ascii=False))
    if size > total_chars:
        raise InputTooLarge(f"The {noun} is {size:,} characters long in all; the limit is {total_chars:,}. "
                            "Shorten the longest parts.")
    return data


def check_job(posting: BaseModel, settings) -> dict[str, Any]:
    data = check_record(posting, settings=settings, total_chars=settings.max_job_chars, noun="job")
    check_text(data.get("title"), limit=TITLE_CHARS, what="The job title")
    check_text(data.get("company"), limit=TITLE_CHARS, what="The company name")
    return data


def check_profile(profile: BaseModel, settings) -> dict[str, Any]:
    data = check_record(profile, settings=settings, total_chars=settings.max_profile_chars, noun="profile")
    check_text(data.get("name"), limit=NAME_CHARS, what="Your name")
    return data


def check_versions(count: int, settings, *, noun: str = "document") -> None:
    """Refuse one more version of a document that already has ``count``: the limit is
    ``settings.max_document_versions``. Checked before a request reserves or charges anything."""
    limit = settings.max_document_versions
    if count >= limit:
        raise InputTooLarge(f"This {noun} already has {count:,} versions; the limit is {limit:,}. "
                            "Delete versions you no longer need in My documents, then try again.")
