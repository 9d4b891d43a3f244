"""What CV drafting and cover letters share: the prompt over profile, job and options."""

from __future__ import annotations

from typing import Any

from orchestrator.errors import ProviderError
from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.tasks.common import dumps, tag

LENGTH_WORDS = {"short": 250, "standard": 450, "detailed": 700}

# Said in both drafting prompts: the draft is checked against the profile before it is saved
# (``orchestrator.fact_check``); a draft that invents a fact is sent back once, then another model writes it.
CHECKED = (
    "The draft is checked against the profile before it is saved: every employer, job title, date, school, "
    "degree, certification and skill it names must come from the profile (a letter may also name the "
    "posting's company, title and skills). A draft that invents any of them is rejected."
)


def verify(data: Any, prepared: Any) -> None:
    """``TaskSpec.verify`` of both drafting tasks: ``orchestrator.fact_check.verify`` (imported when
    first used: the fact check reads the offline engine's taxonomy, which imports the task registry)."""
    from orchestrator.fact_check import verify as check

    check(data, prepared)


def build_prompt(task: str, instruction: str, profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    """The user turn: the instruction, then the inputs as JSON in tags."""
    return "\n".join(
        [
            instruction,
            CHECKED,
            f"Write in {options.language}, in a {options.tone} tone, about "
            f"{LENGTH_WORDS[options.length]} words.",
            f"Emphasise: {options.emphasis}." if options.emphasis else "",
            tag("task", task),
            tag("profile_json", dumps(profile.model_dump(mode="json"))),
            tag("job_json", dumps(job.model_dump(mode="json"))),
            tag("options_json", dumps(options.model_dump(mode="json"))),
        ]
    )


def parse_text(text: str) -> str:
    """A drafted document must have some substance; an empty answer falls back."""
    cleaned = text.strip()
    if len(cleaned) < 20:
        raise ProviderError("The model returned an empty document.", kind="invalid_output", retryable=True)
    return cleaned


def offline_draft(tags: dict[str, str]) -> str:
    """The offline engine's draft for a drafting task's tagged prompt."""
    from orchestrator.offline.respond import answer_draft

    return answer_draft(tags)
