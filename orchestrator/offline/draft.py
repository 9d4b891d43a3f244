"""Template CVs from a profile and a posting (cover letters: ``letter.py``).

Everything written comes from the profile: the engine never invents an employer, a date or a
skill. What it does is choose and order: the posting's skills that the profile has (listed,
or named in the profile's own text) go first in "Key skills", experience bullets that mention
them (or what the user asked to emphasise) rise to the top, and the summary line names the
role and the company. Options change the amount (length), the phrasing (tone) and the
language of every fixed word.

A draft never mixes languages. The engine cannot translate, so when the profile is written
in another language than the one asked for, the profile's own sentences (summary, bullets)
are left out and each role gets one line in the draft's language naming the skills that
role's bullets show ("Arbeit mit Python, Kafka und Kubernetes"); the names (roles, employers,
schools, degrees) stay as the profile writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from orchestrator.offline.phrases import TONES, detect_language, join_words, language_code, localise_language, phrases
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
    "standard": _Budget(14, 5, 5, 3, 2, 3, 2, 5),
    "detailed": _Budget(30, 12, 12, 8, 6, 6, 4, 8),
}


def budget(options: DraftOptions) -> _Budget:
    return _BUDGETS.get(options.length, _BUDGETS["standard"])


def tone(options: DraftOptions) -> str:
    return options.tone if options.tone in TONES else "formal"


def profile_text(profile: Profile) -> str:
    parts = [profile.headline or "", profile.summary or ""]
    for exp in profile.experience:
        parts.append(exp.role)
        parts.extend(exp.bullets)
    return "\n".join(parts)


def own_words_fit(profile: Profile, options: DraftOptions) -> bool:
    """Whether the profile's own sentences can go into a draft in the asked language: they are
    written in it, or the profile is too short to tell."""
    prose = "\n".join([profile.summary or "", *(b for e in profile.experience for b in e.bullets)])
    found = detect_language(prose)
    return found is None or found == language_code(options.language)


def matching_skills(profile: Profile, job: JobPosting) -> list[str]:
    """The posting's skills the profile has, in the posting's order.

    A skill counts when the profile lists it (in any alias: 'Postgres' matches
    'PostgreSQL') or names it in its headline, summary or experience.
    """
    listed = {skill_key(s): s.strip() for s in profile.skills if s and s.strip()}
    evidenced = {skill_key(s) for s in find_skills(profile_text(profile))}
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


def emphasis_skills(profile: Profile, options: DraftOptions) -> list[str]:
    """Skills named in the user's emphasis that the profile has, as the profile spells them:
    the emphasis steers the draft, it is never copied into it (it may name what the profile
    lacks, and it is an instruction, not a sentence)."""
    if not (options.emphasis or "").strip():
        return []
    return matching_skills(profile, JobPosting(title="-", skills=find_skills(options.emphasis or "")))


def emphasis_stems(options: DraftOptions) -> set[str]:
    """Word stems of the emphasis ('mentoring' -> 'mentor'), to find the bullets it is about."""
    words = re.findall(r"[^\W\d_]{4,}", (options.emphasis or "").lower())
    return {w[: max(4, len(w) - 3)] for w in words if w not in _WEAK_WORDS}


_WEAK_WORDS = {"with", "from", "into", "that", "this", "more", "most", "work", "working", "experience", "skills",
               "especially", "particular", "particularly", "focus", "emphasis", "role", "roles", "team", "teams",
               "meine", "mein", "mehr", "avec", "pour", "dans", "como", "para", "sobre"}


def ordered_skills(profile: Profile, job: JobPosting, first: list[str] | None = None) -> list[str]:
    """Emphasised skills, then matching skills, then the rest of the profile's own skills."""
    out: list[str] = []
    keys: set[str] = set()
    for s in [*(first or []), *matching_skills(profile, job), *profile.skills]:
        s = (s or "").strip()
        if s and skill_key(s) not in keys:
            keys.add(skill_key(s))
            out.append(s)
    return out


def bullet_score(bullet: str, wanted: set[str], stems: set[str] = frozenset()) -> int:
    """Matching skills in a bullet, and ten points for each emphasised word it mentions."""
    score = sum(1 for s in find_skills(bullet) if skill_key(s) in wanted)
    if stems:
        words = re.findall(r"[^\W\d_]{4,}", bullet.lower())
        score += 10 * sum(1 for stem in stems if any(w.startswith(stem) for w in words))
    return score


def ranked_bullets(exp: Experience, wanted: set[str], stems: set[str] = frozenset()) -> list[str]:
    """Bullets mentioning more wanted skills (or emphasised words) first; ties keep the profile's order."""
    bullets = [b.strip() for b in exp.bullets if b and b.strip()]
    order = sorted(range(len(bullets)), key=lambda i: (-bullet_score(bullets[i], wanted, stems), i))
    return [bullets[i] for i in order]


def role_skills(exp: Experience, wanted: set[str], listed: dict[str, str]) -> list[str]:
    """The skills a role's own text shows, wanted ones first, spelt as the profile lists them."""
    found = find_skills("\n".join([exp.role, *exp.bullets]))
    ranked = sorted(found, key=lambda s: (skill_key(s) not in wanted, found.index(s)))
    return [listed.get(skill_key(s), s) for s in ranked]


_CURRENT_WORDS = {"present", "current", "now", "today", "ongoing", "heute", "aktuell", "derzeit", "aujourd'hui",
                  "actuel", "en cours", "actualidad", "actual", "presente", "oggi", "attuale", "atual", "atualmente",
                  "heden", "nu", "obecnie", "teraz"}


def is_current(exp: Experience) -> bool:
    end = (exp.end or "").strip().lower()
    return bool(exp.start) and (not end or end in _CURRENT_WORDS)


def _dates(exp: Experience, p: dict) -> str:
    start, end = (exp.start or "").strip(), (exp.end or "").strip()
    if start and (not end or is_current(exp)):
        return f"{start} – {p['present']}"
    if start and end:
        return f"{start} – {end}"
    return start or end


def who(profile: Profile) -> str:
    """How the candidate is described: the headline's first part, else the latest role; '' if neither."""
    if profile.headline and profile.headline.strip():
        # "Product Designer | UX Research" -> "Product Designer": the first part reads in a sentence.
        first = re.split(r"\s+[|·•–—-]\s+|\s*[|·•]\s*", profile.headline.strip())[0]
        return first.strip().rstrip(".") or profile.headline.strip()
    for exp in profile.experience:
        if exp.role.strip():
            return exp.role.strip()
    return ""


_VOWEL_SOUND = re.compile(r"^(?:[AEIOUaeiou]|(?:SRE|SEO|ML|MBA|HR|LLM|NLP|FP&A|R&D|SAP|SQL|NOC|MSc|MBA)\b)")


def a_an(noun: str) -> str:
    """English 'a Senior Engineer' / 'an Engineering Manager' / 'an SRE'."""
    return f"{'an' if _VOWEL_SOUND.match(noun) else 'a'} {noun}" if noun else noun


@lru_cache(maxsize=1)
def _soft_skills() -> frozenset[str]:
    """The taxonomy's soft skills ('Mentoring', 'Teamwork'): common nouns, written in lower
    case inside a sentence (except in German, where every noun has a capital)."""
    from orchestrator.offline.taxonomy_data import SKILLS

    section = SKILLS.split("# Soft skills", 1)[-1].split("\n# ", 1)[0]
    return frozenset(skill_key(line.split("|")[0].strip(" =~")) for line in section.splitlines() if line.strip())


def in_prose(skills: list[str], code: str) -> list[str]:
    """Skill names as they read inside a sentence: 'Mentoring' -> 'mentoring', 'Kafka' stays."""
    if code == "de":
        return list(skills)
    return [s[0].lower() + s[1:] if skill_key(s) in _soft_skills() and s[1:2].islower() else s for s in skills]


def company_part(job: JobPosting, p: dict) -> str:
    return p["company_part"].format(company=job.company) if job.company else ""


def summary_line(profile: Profile, job: JobPosting, options: DraftOptions, matched: list[str]) -> str:
    """The CV's first sentence: who the candidate is, for which role at which company."""
    p, t = phrases(options.language), tone(options)
    described = who(profile)
    skills = join_words(in_prose(matched[:3], language_code(options.language)), p["and"])
    if not described:
        bare = p["summary_bare"].format(title=job.title, company_part=company_part(job, p))
        return bare + (" " + p["experience_in"].format(skills=skills) if matched else "")
    skills_part = p["skills_part"][t].format(skills=skills) if matched else ""
    return p["summary"][t].format(who=described, skills_part=skills_part, title=job.title,
                                  company_part=company_part(job, p))


def contact_line(profile: Profile) -> str:
    parts = [profile.location, profile.email, profile.phone]
    return " · ".join(x.strip() for x in parts if x and x.strip())


def md(text: str) -> str:
    """Keep profile text from turning into Markdown structure (a leading '#' or '-')."""
    return re.sub(r"^[#>\-*+]+\s*", "", text.strip())


def _experience(profile: Profile, p: dict, plan: _Budget, wanted: set[str], stems: set[str], own: bool) -> list[str]:
    roles = [e for e in profile.experience if e.role.strip() or e.company.strip()][: plan.roles]
    if not roles:
        return []
    out = ["", f"## {p['h_experience']}"]
    for n, exp in enumerate(roles):
        heading = " — ".join(x for x in (md(exp.role), md(exp.company)) if x)
        out += ["", f"### {heading}"]
        meta = " · ".join(x for x in (_dates(exp, p), (exp.location or "").strip()) if x)
        if meta:
            out.append(f"*{meta}*")
        if own:
            limit = plan.first_role_bullets if n == 0 else plan.other_bullets
            out += [f"- {md(b)}" for b in ranked_bullets(exp, wanted, stems)[:limit]]
        else:
            listed = {skill_key(s): s.strip() for s in profile.skills if s and s.strip()}
            used = role_skills(exp, wanted, listed)[:6]
            if used:
                out.append(f"- {p['worked_with'].format(skills=join_words(used, p['and']))}")
    return out


def draft_cv(profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    """A tailored CV in Markdown, starting with '# Name', every fixed word in the asked language."""
    p, plan = phrases(options.language), budget(options)
    matched = matching_skills(profile, job)
    wanted = {skill_key(s) for s in matched}
    stems = emphasis_stems(options)
    own = own_words_fit(profile, options)
    out: list[str] = [f"# {md(profile.name) or p['candidate']}"]
    if profile.headline and profile.headline.strip():
        out.append(f"**{md(profile.headline)}**")
    contact = contact_line(profile)
    if contact:
        out.append(contact)
    if profile.links and options.length != "short":
        out.append(" · ".join(link.strip() for link in profile.links[:4] if link.strip()))

    summary = [summary_line(profile, job, options, matched)]
    if profile.summary and own:
        summary.extend(split_sentences(profile.summary)[: plan.summary_sentences])
    out += ["", f"## {p['h_profile']}", " ".join(summary)]

    skills = ordered_skills(profile, job, emphasis_skills(profile, options))[: plan.skills]
    if skills:
        out += ["", f"## {p['h_skills']}", " · ".join(skills)]

    out += _experience(profile, p, plan, wanted, stems, own)

    schools = [e for e in profile.education if e.degree.strip() or e.institution.strip()][: plan.education]
    if schools:
        out += ["", f"## {p['h_education']}"]
        for edu in schools:
            line = " — ".join(x for x in (f"**{md(edu.degree)}**" if edu.degree.strip() else "", md(edu.institution)) if x)
            dates = " – ".join(x for x in (edu.start, edu.end) if x)
            line += f" ({dates})" if dates else ""
            if edu.details and options.length == "detailed" and own:
                line += f". {edu.details.strip()}"
            out.append(f"- {line}")

    languages = [localise_language(x.strip(), p) for x in profile.languages if x and x.strip()]
    if languages:
        out += ["", f"## {p['h_languages']}", " · ".join(languages)]
    return "\n".join(out).strip() + "\n"


def draft_cover_letter(profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    """A cover letter in Markdown (see ``orchestrator.offline.letter``)."""
    from orchestrator.offline.letter import draft_letter

    return draft_letter(profile, job, options)
