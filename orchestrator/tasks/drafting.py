"""What CV drafting and cover letters share: the prompt over profile, job and options."""

from __future__ import annotations

from orchestrator.errors import ProviderError
from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.tasks.common import dumps, tag

LENGTH_WORDS = {"short": 250, "standard": 450, "detailed": 700}


def build_prompt(task: str, instruction: str, profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    """The user turn: the instruction, then the inputs as JSON in tags."""
    return "\n".join(
        [
            instruction,
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
