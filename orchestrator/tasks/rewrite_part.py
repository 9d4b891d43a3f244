"""rewrite_part: one section, bullet or paragraph of a saved CV or letter, rewritten in a style.

A small request (fast models, a short answer): the prompt carries only the part, the heading it
sits under, the posting's skills and wording, and the profile's facts to stay within. The answer
is the rewritten part alone; the pipeline saves a new version of the document with only that part
replaced (``orchestrator.document_parts.splice``), of the document's own kind.
"""

from __future__ import annotations

from orchestrator.document_parts import Part
from orchestrator.errors import ProviderError
from orchestrator.schemas import JobPosting, Profile
from orchestrator.tasks.common import TaskSpec, TaskText, dumps, tag

NAME = "rewrite_part"
PROMPT_VERSION = "rewrite_part/v1"

# style -> (label, instruction)
STYLES: dict[str, tuple[str, str]] = {
    "concise": ("More concise", "Make it more concise: fewer words, same facts, nothing important lost."),
    "quantified": ("More quantified", "Make it more quantified: lead with the outcome and keep every number; "
                                      "use only numbers that appear in the part or in the profile."),
    "posting_wording": ("Match the posting's wording",
                        "Use the job posting's own terms for skills and tools the candidate really has "
                        "(as the profile shows), so the wording matches the posting."),
}

SYSTEM = (
    "You rewrite one part of a candidate's CV or cover letter. Use only facts from the part and the "
    "candidate's profile: never invent employers, titles, dates, degrees, numbers or skills. Keep the "
    "part's form (a bullet stays one bullet, a paragraph one paragraph, a section keeps its sub-headings) "
    "and its language. Answer with the rewritten part only: no heading above it, no commentary."
)

SHAPES = {"bullet": "one bullet point (without its marker)", "paragraph": "one paragraph",
          "section": "the body of a section (without its heading)"}


def _job_facts(job: JobPosting) -> dict:
    """What of the posting a rewrite needs: its title, company, skills and wording."""
    return {"title": job.title, "company": job.company, "skills": job.skills,
            "requirements": job.requirements[:12], "responsibilities": job.responsibilities[:12]}


def build_prompt(part: Part, profile: Profile, job: JobPosting, *, style: str, language: str) -> str:
    label, instruction = STYLES[style]
    return "\n".join([
        f"Rewrite this part of the candidate's document ({SHAPES[part.kind]}). {instruction}",
        f"Write in {language}.",
        tag("task", NAME),
        tag("style", style),
        tag("part_kind", part.kind),
        tag("section", part.heading or ""),
        tag("part", part.text),
        tag("profile_json", dumps(profile.model_dump(mode="json", exclude={"email", "phone", "links"}))),
        tag("job_json", dumps(_job_facts(job))),
    ])


def parse_output(text: str) -> str:
    """The rewritten part: some text, without code fences around it."""
    cleaned = text.strip()
    if cleaned.startswith("```"):
        cleaned = cleaned.strip("`").partition("\n")[2].strip() if "\n" in cleaned else cleaned.strip("`")
    if len(cleaned.strip()) < 2:
        raise ProviderError("The model returned an empty rewrite.", kind="invalid_output", retryable=True)
    return cleaned.strip()


def offline(tags: dict[str, str]) -> str:
    from orchestrator.offline.rewrite import answer_rewrite

    return answer_rewrite(tags)


def verify(data: str, prepared) -> None:
    """The rewritten part is fact-checked like a draft (imported when first used, as in drafting)."""
    from orchestrator.fact_check import verify_part

    verify_part(data, prepared)


SPEC = TaskSpec(
    name=NAME,
    label="Rewrite of a part",
    prompt_version=PROMPT_VERSION,
    system=SYSTEM,
    input="document_part",
    build_prompt=build_prompt,
    parse_output=parse_output,
    output="document",
    default_max_tokens=700,
    offline=offline,
    verify=verify,
    route_tier="fast",
    color="#B279A2",
    order=40,
    meta={"styles": {key: label for key, (label, _i) in STYLES.items()}},
    text=TaskText(title="Rewrite one part", noun="rewrite", plural="Rewrites", button="Rewrite",
                  icon=":material/edit_note:"),
)
