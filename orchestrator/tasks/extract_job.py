"""extract_job: a posting (text, screenshot or fetched page) -> ``JobPosting``."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from orchestrator.errors import ProviderError
from orchestrator.schemas import (
    EMPLOYMENT_TYPES,
    REMOTE_MODES,
    SALARY_PERIODS,
    SENIORITIES,
    JobPosting,
)
from orchestrator.tasks.common import TaskSpec, TaskText, tag

PROMPT_VERSION = "extract_job/v2"

SYSTEM = (
    "You extract job postings into structured data. Use only what the posting says; "
    "use null or 'unknown' where it is silent. Skills are short names (e.g. 'Python', "
    "'Kubernetes'). Requirements, responsibilities and benefits are short items, one "
    "per list entry. Salary amounts are numbers in the posting's currency (ISO 4217) "
    "with the period they are quoted for. Contact is the person the posting says to address or "
    "apply to, as written (e.g. 'Ms Jane Smith', 'Frau Dr. Müller'), without e-mail or phone; null if none."
)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_STR_LIST = {"type": "array", "items": {"type": "string"}}

JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string"},
        "company": _nullable({"type": "string"}),
        "location": _nullable({"type": "string"}),
        "remote_mode": {"type": "string", "enum": list(REMOTE_MODES)},
        "employment_type": {"type": "string", "enum": list(EMPLOYMENT_TYPES)},
        "seniority": {"type": "string", "enum": list(SENIORITIES)},
        "salary": _nullable(
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "min": _nullable({"type": "number"}),
                    "max": _nullable({"type": "number"}),
                    "currency": _nullable({"type": "string"}),
                    "period": _nullable({"type": "string", "enum": list(SALARY_PERIODS)}),
                },
                "required": ["min", "max", "currency", "period"],
            }
        ),
        "skills": _STR_LIST,
        "requirements": _STR_LIST,
        "responsibilities": _STR_LIST,
        "benefits": _STR_LIST,
        "summary": _nullable({"type": "string"}),
        "contact": _nullable({"type": "string"}),
    },
    "required": [
        "title", "company", "location", "remote_mode", "employment_type", "seniority",
        "salary", "skills", "requirements", "responsibilities", "benefits", "summary", "contact",
    ],
}


def build_prompt(posting_text: str | None, *, has_image: bool = False) -> str:
    """The user turn. With a screenshot the posting is in the image instead."""
    if has_image and not posting_text:
        return "Extract the job posting shown in the attached screenshot.\n" + tag("task", "extract_job")
    return (
        "Extract the job posting below.\n"
        + tag("task", "extract_job")
        + "\n"
        + tag("posting", posting_text or "")
    )


_FENCE_RE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)

EMPTY_ANSWER = (
    "The answer holds no job posting: no real title and no skills, requirements or responsibilities "
    "(an unreadable screenshot, or not a posting at all). Extract only what the posting says."
)
# Titles a model gives when it found no job: "Unknown", "N/A", "Job posting", "No text found",
# "Blank screenshot" ... (a real title such as "Image Processing Engineer" is kept when the
# posting has content; these only count when there is none).
_NO_TITLE = re.compile(
    r"^\W*(?:(?:an?|the)\s+)?(?:unknown|untitled|none|null|n/?a|tbd|title|job|jobs|role|position|vacancy|"
    r"opening|posting|job\s+(?:posting|offer|opening|ad|advert|title|description)|advertised\s+position|"
    r"(?:blank|empty|unreadable|illegible)\b.*|.*\b(?:screenshots?|no\s+(?:job|posting|text|title|content)|"
    r"not\s+(?:readable|legible|visible|found|provided|specified)|cannot\s+(?:read|be\s+read)|unreadable)\b.*)\W*$",
    re.I | re.S,
)


def is_empty(data: dict[str, Any]) -> bool:
    """A posting with nothing in it: no real title and no skills, requirements or responsibilities.
    Never saved: a model (or a simulated one) that answers this for an unreadable screenshot
    fails as ``invalid_output`` and the request falls back instead of charging for nothing."""
    def items(key: str) -> list:
        value = data.get(key)
        return [x for x in value if isinstance(x, str) and x.strip()] if isinstance(value, list) else []

    if items("skills") or items("requirements") or items("responsibilities"):
        return False
    title = data.get("title")
    return not isinstance(title, str) or not title.strip() or bool(_NO_TITLE.match(title.strip()))


def parse_output(text: str) -> JobPosting:
    """Validate a model's JSON answer into ``JobPosting``.

    Raises ``ProviderError(kind='invalid_output')``, which the pipeline repairs
    once and then falls back on, because another model may well do better.
    """
    body = text.strip()
    m = _FENCE_RE.match(body)
    if m:
        body = m.group(1)
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ProviderError(
            f"The model's answer is not valid JSON ({exc.msg} at position {exc.pos}).",
            kind="invalid_output",
            retryable=True,
        ) from None
    if not isinstance(data, dict):
        raise ProviderError("The model's answer is not a JSON object.", kind="invalid_output", retryable=True)
    if is_empty(data):
        raise ProviderError(EMPTY_ANSWER, kind="invalid_output", retryable=True)
    try:
        return JobPosting.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "answer"
        raise ProviderError(
            f"The model's answer does not match the posting schema ({where}: {first.get('msg')}).",
            kind="invalid_output",
            retryable=True,
        ) from None


def _offline(tags: dict[str, str]) -> str:
    from orchestrator.offline.respond import answer_extraction

    return answer_extraction(tags)


SPEC = TaskSpec(
    name="extract_job",
    label="Job extraction",
    prompt_version=PROMPT_VERSION,
    system=SYSTEM,
    input="posting",
    build_prompt=build_prompt,
    parse_output=parse_output,
    json_schema=JSON_SCHEMA,
    output="job",
    default_max_tokens=2000,
    default_cache_ttl_s=7 * 24 * 3600,
    offline=_offline,
    route_tier="fast",
    color="#4C78A8",
    order=0,
    text=TaskText(page="pages/user/extract.py", nav="Extract a job", blurb="Paste it, upload a screenshot or a link.", again="Extract another", 
                  title="Extract a job posting", noun="job extraction", plural="Job extractions",
                  button="Extract", icon=":material/travel_explore:"),
)
