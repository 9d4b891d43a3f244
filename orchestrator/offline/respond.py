"""``respond``: answer a tagged task prompt the way a model would, offline.

The offline provider adapter and the loopback simulator both see only the
system text and the user turn. Task prompts carry their inputs in tags
(``<task>``, ``<posting>``, ``<profile_json>``, ``<job_json>``,
``<options_json>``); this reads them and dispatches to the engine. Anything
else gets a short, deterministic chat reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from orchestrator.offline.draft import draft_cover_letter, draft_cv
from orchestrator.offline.extract import extract_posting
from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.tasks.common import read_tags

# What the engine answers for a screenshot prompt whose image it was not given (the simulator
# passes only the text): a posting with nothing in it, which extract_job refuses as invalid
# output, so the request falls back rather than saving and charging for an empty job.
NO_POSTING = {"title": "", "company": None, "location": None, "remote_mode": "unknown",
              "employment_type": "unknown", "seniority": "unknown", "salary": None, "skills": [],
              "requirements": [], "responsibilities": [], "benefits": [], "summary": None, "contact": None}
HELLO = "Hello from the offline engine."
ABOUT = (
    "This is the offline engine (built-in, no AI model). It extracts job postings and drafts CVs "
    "and cover letters from templates; it cannot answer free-form questions. Paste a job posting "
    "to have it extracted."
)

_GREETING = re.compile(r"^\W*(?:say\s+)?(?:hello|hi|hey|ping|test|hallo|bonjour|hola)\b", re.I)
_JOB_WORDS = re.compile(
    r"responsibilit|requirement|qualification|experience|salary|benefits|perks|apply|full[- ]time|"
    r"part[- ]time|remote|hybrid|looking for|hiring|\bjob\b|\brole\b|position|candidate|what you'll|"
    r"Aufgaben|Profil|wir bieten|missions|profil recherché|avantages",
    re.I,
)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def posting_json(posting: JobPosting) -> str:
    """The posting as the extract_job JSON schema wants it: every key, amounts as numbers."""
    data: dict[str, Any] = posting.model_dump(mode="python")
    if posting.salary is not None:
        data["salary"] = {
            "min": _number(posting.salary.min),
            "max": _number(posting.salary.max),
            "currency": posting.salary.currency,
            "period": posting.salary.period,
        }
    return json.dumps(data, ensure_ascii=False)


def _load_json(body: str | None) -> dict[str, Any]:
    if not body:
        return {}
    try:
        data = json.loads(body)
    except (ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _profile(body: str | None) -> Profile:
    try:
        return Profile.model_validate(_load_json(body))
    except Exception:  # noqa: BLE001 - a damaged profile drafts as an empty one rather than failing
        return Profile()


def _job(body: str | None) -> JobPosting:
    data = _load_json(body)
    if not str(data.get("title") or "").strip():
        data["title"] = "the advertised position"
    try:
        return JobPosting.model_validate(data)
    except Exception:  # noqa: BLE001
        return JobPosting(title=str(data["title"])[:120])


def _options(body: str | None) -> DraftOptions:
    """Options from JSON, keeping each valid field and dropping the invalid ones."""
    data = _load_json(body)
    kept: dict[str, Any] = {}
    for key in DraftOptions.model_fields:
        if key in data:
            try:
                DraftOptions(**{key: data[key]})
            except Exception:  # noqa: BLE001
                continue
            kept[key] = data[key]
    return DraftOptions(**kept)


def looks_like_posting(text: str) -> bool:
    """Whether untagged text is plausibly a job posting rather than a chat message."""
    return len(text) >= 150 and len(set(m.group(0).lower() for m in _JOB_WORDS.finditer(text))) >= 2


def respond(system: str, prompt: str, *, images: Sequence[bytes] = (), deadline: float | None = None) -> str:
    """The engine's answer to one chat turn.

    A prompt tagged with a registered task goes to that task's ``offline``
    handler (``TaskSpec.offline``); a ``<task>`` tag naming no registered task is
    refused; untagged text gets a posting extraction when it looks like one, else
    a short reply. ``images`` (screenshots, as file bytes) are read with the offline
    OCR and stand in for the ``<posting>`` tag; an image without readable text is
    ``InputRejected``. ``deadline`` (``time.monotonic()``) bounds the reading.
    """
    from orchestrator.errors import InputRejected
    from orchestrator.tasks import TASKS

    system, prompt = system or "", prompt or ""
    tags = read_tags(prompt)
    if images:
        from orchestrator.offline.ocr import read_screenshots

        tags["posting"] = read_screenshots(images, deadline=deadline)
        if not tags.get("task", "").strip():
            return answer_extraction(tags)
    task = tags.get("task", "").strip()
    if task:
        spec = TASKS.get(task)
        if spec is None:
            raise InputRejected(f"The offline engine knows no task '{task}'.")
        return spec.offline(tags)
    if "posting" in tags:
        return answer_extraction(tags)
    text = prompt.strip()
    wants_extraction = "extract" in system.lower() and "posting" in system.lower()
    if text and (looks_like_posting(text) or (wants_extraction and len(text) >= 40)):
        return posting_json(extract_posting(text))
    if not text or _GREETING.match(text):
        return HELLO
    return ABOUT


def answer_extraction(tags: dict[str, str]) -> str:
    """A posting's JSON from its ``<posting>`` tag; a screenshot prompt without its image has
    none and gets an empty posting (``NO_POSTING``)."""
    if "posting" not in tags:
        return json.dumps(NO_POSTING)
    return posting_json(extract_posting(tags["posting"]))


_DRAFTERS = {"draft_cv": draft_cv, "cover_letter": draft_cover_letter}


def answer_draft(tags: dict[str, str]) -> str:
    """A CV or cover letter from the profile, job and options tags."""
    from orchestrator.errors import InputRejected

    task = tags.get("task", "").strip()
    draft = _DRAFTERS.get(task)
    if draft is None:
        raise InputRejected(f"The offline engine has no template for '{task}'.")
    return draft(_profile(tags.get("profile_json")), _job(tags.get("job_json")), _options(tags.get("options_json")))
