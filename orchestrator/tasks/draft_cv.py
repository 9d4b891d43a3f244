"""draft_cv: profile + job posting -> a tailored CV in Markdown."""

from __future__ import annotations

from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.tasks import drafting
from orchestrator.tasks.common import TaskSpec, TaskText

NAME = "draft_cv"
PROMPT_VERSION = "draft_cv/v2"  # v2: checked against the profile (fact_check)

SYSTEM = (
    "You are an expert CV writer. Write a one-to-two page CV in Markdown tailored to the "
    "job posting, using only facts from the candidate's profile: never invent employers, job "
    "titles, dates, schools, degrees, certifications or skills (the CV is checked against the "
    "profile before it is saved). Keep each role's title, employer and dates as the profile has them. Lead with the experience and skills that match the posting. "
    "Use '# Name' as the first line, then sections with '##' headings."
)

INSTRUCTION = "Draft a CV for this candidate, tailored to the job below."


def build_prompt(profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    return drafting.build_prompt(NAME, INSTRUCTION, profile, job, options)


SPEC = TaskSpec(
    name=NAME,
    label="CV",
    prompt_version=PROMPT_VERSION,
    system=SYSTEM,
    input="saved_job",
    build_prompt=build_prompt,
    parse_output=drafting.parse_text,
    output="document",
    document_kind="cv",
    default_max_tokens=2500,
    offline=drafting.offline_draft,
    verify=drafting.verify,
    route_tier="quality",
    color="#54A24B",
    order=10,
    text=TaskText(page="pages/user/cv.py", nav="CV", blurb="Tailored to the job, streamed as it is written.", again="Draft another", 
                  title="Draft a CV", noun="CV", plural="CVs",
                  intro="A CV tailored to one job, written from your profile: the skills and achievements the "
                        "posting asks for come first.",
                  button="Draft my CV", icon=":material/description:"),
)
