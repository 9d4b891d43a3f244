"""Template CVs and cover letters from a profile and a posting.

Everything written comes from the profile: the engine never invents an
employer, a date or a skill. What it does is choose and order: the posting's
skills that the profile has (listed, or named in the profile's own text) go
first in "Key skills", experience bullets that mention them rise to the top,
and the summary line names the role and the company. Options change the
amount (length), the phrasing (tone) and the fixed phrases' language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestrator.offline.phrases import TONES, join_words, language_code, phrases
from orchestrator.offline.taxonomy import find_skills, skill_key
from orchestrator.offline.text import split_sentences
from orchestrator.schemas import DraftOptions, Experience, JobPosting, Profile


@dataclass(frozen=True)
class _Budget:
    """How much of the profile each length keeps."""

    skills: int
    roles: int
    first_role_bullets: int
    other_bullets: int
    summary_sentences: int
    education: int
    letter_highlights: int
    letter_match_skills: int


_BUDGETS = {
    "short": _Budget(8, 3, 3, 2, 1, 1, 0, 3),
    "standard": _Budget(14, 5, 5, 3, 2, 3, 3, 5),
    "detailed": _Budget(30, 12, 12, 8, 6, 6, 5, 8),
}


def _budget(options: DraftOptions) -> _Budget:
    return _BUDGETS.get(options.length, _BUDGETS["standard"])


def _profile_text(profile: Profile) -> str:
    parts = [profile.headline or "", profile.summary or ""]
    for exp in profile.experience:
        parts.append(exp.role)
        parts.extend(exp.bullets)
    return "\n".join(parts)


def matching_skills(profile: Profile, job: JobPosting) -> list[str]:
    """The posting's skills the profile has, in the posting's order.

    A skill counts when the profile lists it (in any alias: 'Postgres' matches
    'PostgreSQL') or names it in its headline, summary or experience.
    """
    listed = {skill_key(s): s.strip() for s in profile.skills if s and s.strip()}
    evidenced = {skill_key(s) for s in find_skills(_profile_text(profile))}
    out: list[str] = []
    seen: set[str] = set()
    for skill in job.skills:
        key = skill_key(skill)
        if key in seen:
            continue
        if key in listed:
            out.append(listed[key])
        elif key in evidenced:
            out.append(skill)
        else:
            continue
        seen.add(key)
    return out


def ordered_skills(profile: Profile, job: JobPosting) -> list[str]:
    """Matching skills first, then the rest of the profile's own skills."""
    matched = matching_skills(profile, job)
    keys = {skill_key(s) for s in matched}
    rest = []
    for s in profile.skills:
        s = (s or "").strip()
        if s and skill_key(s) not in keys:
            keys.add(skill_key(s))
            rest.append(s)
    return matched + rest


def _bullet_score(bullet: str, wanted: set[str]) -> int:
    return sum(1 for s in find_skills(bullet) if skill_key(s) in wanted)


def ranked_bullets(exp: Experience, wanted: set[str]) -> list[str]:
    """Bullets mentioning more wanted skills first; ties keep the profile's order."""
    bullets = [b.strip() for b in exp.bullets if b and b.strip()]
    order = sorted(range(len(bullets)), key=lambda i: (-_bullet_score(bullets[i], wanted), i))
    return [bullets[i] for i in order]


def _is_current(exp: Experience) -> bool:
    end = (exp.end or "").strip().lower()
    return bool(exp.start) and (not end or end in {"present", "current", "now", "today", "heute", "aujourd'hui",
                                                    "actualidad", "actual", "ongoing", "presente"})


def _dates(exp: Experience, p: dict) -> str:
    start, end = (exp.start or "").strip(), (exp.end or "").strip()
    if start and (not end or _is_current(exp)):
        return f"{start} – {p['present']}"
    if start and end:
        return f"{start} – {end}"
    return start or end


def _who(profile: Profile, p: dict) -> str:
    if profile.headline and profile.headline.strip():
        # "Product Designer | UX Research" -> "Product Designer": the first part reads in a sentence.
        first = re.split(r"\s+[|·•–—-]\s+|\s*[|·•]\s*", profile.headline.strip())[0]
        return first.strip().rstrip(".") or profile.headline.strip()
    for exp in profile.experience:
        if exp.role.strip():
            return exp.role.strip()
    return p["who_default"]


def _tone(options: DraftOptions) -> str:
    return options.tone if options.tone in TONES else "formal"


def _company_part(job: JobPosting, p: dict) -> str:
    return p["company_part"].format(company=job.company) if job.company else ""


def summary_line(profile: Profile, job: JobPosting, options: DraftOptions, matched: list[str]) -> str:
    """The CV's first sentence: who the candidate is, for which role at which company."""
    p, tone = phrases(options.language), _tone(options)
    who = _who(profile, p)
    if who == p["who_default"] and not matched:
        return p["summary_bare"].format(title=job.title, company_part=_company_part(job, p))
    skills_part = p["skills_part"][tone].format(skills=join_words(matched[:3], p["and"])) if matched else ""
    return p["summary"][tone].format(
        who=who, skills_part=skills_part, title=job.title, company_part=_company_part(job, p)
    )


def _contact_line(profile: Profile) -> str:
    parts = [profile.location, profile.email, profile.phone]
    return " · ".join(x.strip() for x in parts if x and x.strip())


def _md(text: str) -> str:
    """Keep profile text from turning into Markdown structure (a leading '#' or '-')."""
    return re.sub(r"^[#>\-*+]+\s*", "", text.strip())


def draft_cv(profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    """A tailored CV in Markdown, starting with '# Name'."""
    p, budget = phrases(options.language), _budget(options)
    matched = matching_skills(profile, job)
    wanted = {skill_key(s) for s in matched}
    out: list[str] = [f"# {_md(profile.name) or p['candidate']}"]
    if profile.headline and profile.headline.strip():
        out.append(f"**{_md(profile.headline)}**")
    contact = _contact_line(profile)
    if contact:
        out.append(contact)
    if profile.links and options.length != "short":
        out.append(" · ".join(link.strip() for link in profile.links[:4] if link.strip()))

    summary = [summary_line(profile, job, options, matched)]
    if profile.summary:
        summary.extend(split_sentences(profile.summary)[: budget.summary_sentences])
    if options.emphasis and options.emphasis.strip():
        summary.append(p["focus"].format(emphasis=options.emphasis.strip().rstrip(".")))
    out += ["", f"## {p['h_profile']}", " ".join(summary)]

    skills = ordered_skills(profile, job)[: budget.skills]
    if skills:
        out += ["", f"## {p['h_skills']}", " · ".join(skills)]

    roles = [e for e in profile.experience if e.role.strip() or e.company.strip()][: budget.roles]
    if roles:
        out += ["", f"## {p['h_experience']}"]
        for n, exp in enumerate(roles):
            heading = " — ".join(x for x in (_md(exp.role), _md(exp.company)) if x)
            out += ["", f"### {heading}"]
            meta = " · ".join(x for x in (_dates(exp, p), (exp.location or "").strip()) if x)
            if meta:
                out.append(f"*{meta}*")
            limit = budget.first_role_bullets if n == 0 else budget.other_bullets
            out += [f"- {_md(b)}" for b in ranked_bullets(exp, wanted)[:limit]]

    schools = [e for e in profile.education if e.degree.strip() or e.institution.strip()][: budget.education]
    if schools:
        out += ["", f"## {p['h_education']}"]
        for edu in schools:
            line = " — ".join(x for x in (f"**{_md(edu.degree)}**" if edu.degree.strip() else "", _md(edu.institution)) if x)
            dates = " – ".join(x for x in (edu.start, edu.end) if x)
            line += f" ({dates})" if dates else ""
            if edu.details and options.length == "detailed":
                line += f". {edu.details.strip()}"
            out.append(f"- {line}")

    if profile.languages:
        out += ["", f"## {p['h_languages']}", " · ".join(x.strip() for x in profile.languages if x.strip())]
    return "\n".join(out).strip() + "\n"


def _background(profile: Profile, p: dict) -> str:
    exp = next((e for e in profile.experience if e.role.strip()), None)
    if exp is None:
        return p["headline_only"].format(who=profile.headline.strip().rstrip(".")) if profile.headline else ""
    current = _is_current(exp) or not (exp.end or "").strip()
    key = ("current_role" if current else "past_role") + ("" if exp.company.strip() else "_no_employer")
    return p[key].format(role=exp.role.strip(), employer=exp.company.strip())


def _top_bullets(profile: Profile, wanted: set[str], count: int) -> list[str]:
    """The best bullets across roles: most matching skills, then most recent role."""
    scored = []
    for r, exp in enumerate(profile.experience):
        for i, bullet in enumerate(exp.bullets):
            if bullet and bullet.strip():
                scored.append((-_bullet_score(bullet, wanted), r, i, bullet.strip()))
    scored.sort()
    return [b for *_, b in scored[:count]]


def draft_cover_letter(profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    """A cover letter in Markdown (no headings), ending with the candidate's name."""
    p, budget, tone = phrases(options.language), _budget(options), _tone(options)
    matched = matching_skills(profile, job)
    wanted = {skill_key(s) for s in matched}
    company_part = _company_part(job, p)
    out: list[str] = []
    if profile.name.strip():
        out.append(f"**{_md(profile.name)}**  ")
        contact = _contact_line(profile)
        if contact:
            out.append(contact)
        out.append("")

    with_company, without = p["greeting"][tone]
    out += [with_company.format(company=job.company) if job.company else without, ""]

    opening = [p["opening"][tone].format(title=job.title, company_part=company_part), _background(profile, p)]
    if profile.summary and options.length != "short":
        first = (split_sentences(profile.summary) or [""])[0].rstrip(".")
        if first and language_code(options.language) != "de" and first[1:2].islower():
            first = first[0].lower() + first[1:]
        opening.append(p["in_short"].format(summary=first) if first else "")
    out += [" ".join(x for x in opening if x), ""]

    if matched:
        out += [p["match"][tone].format(skills=join_words(matched[: budget.letter_match_skills], p["and"])), ""]
    elif profile.skills:
        out += [p["own_skills"].format(skills=join_words([s for s in profile.skills if s][:5], p["and"])), ""]

    highlights = _top_bullets(profile, wanted, budget.letter_highlights)
    if highlights:
        out += [p["highlights"], "", *[f"- {_md(b)}" for b in highlights], ""]

    if options.length == "detailed" and job.responsibilities:
        out += [p["interest"].format(item=job.responsibilities[0].rstrip(".")), ""]

    if options.emphasis and options.emphasis.strip():
        out += [p["emphasis"].format(emphasis=options.emphasis.strip().rstrip(".")), ""]

    out += [p["closing"][tone].format(company=job.company or p["team"]), ""]
    out.append(p["signoff"][tone])
    if profile.name.strip():
        out.append(_md(profile.name))
    return "\n".join(out).strip() + "\n"
