"""cover_letter: profile + job posting -> a cover letter in Markdown."""

from __future__ import annotations

from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.tasks import drafting
from orchestrator.tasks.common import TaskSpec, TaskText

NAME = "cover_letter"
PROMPT_VERSION = "cover_letter/v2"  # v2: checked against the profile (fact_check)

SYSTEM = (
    "You write cover letters. Address the hiring team at the company named in the posting, "
    "say why this candidate fits this role using only facts from their profile (never invent "
    "employers, titles, dates, schools, degrees, certifications or skills: the letter is checked "
    "against the profile before it is saved), and end "
    "with a short call to action and the candidate's name. Plain Markdown, no headings."
)

INSTRUCTION = "Write a cover letter from this candidate for the job below."


def build_prompt(profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    return drafting.build_prompt(NAME, INSTRUCTION, profile, job, options)


SPEC = TaskSpec(
    name=NAME,
    label="Cover letter",
    prompt_version=PROMPT_VERSION,
    system=SYSTEM,
    input="saved_job",
    build_prompt=build_prompt,
    parse_output=drafting.parse_text,
    output="document",
    document_kind="cover_letter",
    default_max_tokens=1500,
    offline=drafting.offline_draft,
    verify=drafting.verify,
    route_tier="quality",
    color="#F58518",
    order=20,
    text=TaskText(page="pages/user/cover_letter.py", nav="Cover letter", blurb="In the tone and language you choose.", again="Write another", 
                  title="Write a cover letter", noun="cover letter", plural="Cover letters",
                  intro="A letter for one job, written from your profile and the posting, in the tone you pick.",
                  button="Write my letter", icon=":material/mail:"),
)
