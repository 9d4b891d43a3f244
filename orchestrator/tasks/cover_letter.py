"""cover_letter: profile + job posting -> a cover letter in Markdown."""

from __future__ import annotations

from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.tasks import drafting
from orchestrator.tasks.common import TaskSpec

PROMPT_VERSION = "cover_letter/v1"

SYSTEM = (
    "You write cover letters. Address the hiring team at the company named in the posting, "
    "say why this candidate fits this role using only facts from their profile, and end "
    "with a short call to action and the candidate's name. Plain Markdown, no headings."
)

INSTRUCTION = "Write a cover letter from this candidate for the job below."


def build_prompt(profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    return drafting.build_prompt("cover_letter", INSTRUCTION, profile, job, options)


SPEC = TaskSpec(
    name="cover_letter",
    label="Cover letter",
    prompt_version=PROMPT_VERSION,
    system=SYSTEM,
    structured=False,
    default_max_tokens=1500,
    json_schema=None,
    parse_output=drafting.parse_text,
)
