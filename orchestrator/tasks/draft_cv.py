"""draft_cv: profile + job posting -> a tailored CV in Markdown."""

from __future__ import annotations

from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.tasks import drafting
from orchestrator.tasks.common import TaskSpec

PROMPT_VERSION = "draft_cv/v1"

SYSTEM = (
    "You are an expert CV writer. Write a one-to-two page CV in Markdown tailored to the "
    "job posting, using only facts from the candidate's profile: never invent employers, "
    "dates, degrees or skills. Lead with the experience and skills that match the posting. "
    "Use '# Name' as the first line, then sections with '##' headings."
)

INSTRUCTION = "Draft a CV for this candidate, tailored to the job below."


def build_prompt(profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    return drafting.build_prompt("draft_cv", INSTRUCTION, profile, job, options)


SPEC = TaskSpec(
    name="draft_cv",
    label="CV",
    prompt_version=PROMPT_VERSION,
    system=SYSTEM,
    structured=False,
    default_max_tokens=2500,
    json_schema=None,
    parse_output=drafting.parse_text,
)
