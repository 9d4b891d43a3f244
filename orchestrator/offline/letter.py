"""Template cover letters that read as written for the job.

The letter greets the contact the posting names ("Dear Ms Smith," / "Sehr geehrte Frau
Müller,") or the team; says who the candidate is from their latest role; names the posting's
skills they have; shows a few results from the profile (in English turned into sentences:
"At Acme, I led the migration of 40 services to Kubernetes."); and closes in the tone asked
for. Every fact comes from the profile or the posting; the user's emphasis chooses what comes
first and is never pasted in. Sentences in the profile's own words appear only when the
profile is written in the letter's language (``draft.own_words_fit``).
"""

from __future__ import annotations

import re

from orchestrator.offline.draft import (
    a_an, budget, bullet_score, company_part, contact_line, emphasis_skills, emphasis_stems, in_prose, is_current,
    matching_skills, md, own_words_fit, tone,
)
from orchestrator.offline.phrases import detect_language, join_words, language_code, named_greeting, phrases
from orchestrator.offline.taxonomy import skill_key
from orchestrator.offline.text import split_sentences
from orchestrator.schemas import DraftOptions, Experience, JobPosting, Profile

# English verbs a responsibility starts with ("Design and operate ..."), so that "the chance to
# design and operate ..." reads as a sentence.
_EN_VERBS = set("""build design develop own lead drive create maintain implement work collaborate partner manage
write ship deliver support help improve define run mentor review analyse analyze research plan coordinate ensure
monitor optimise optimize automate contribute report shape scale operate model architect test deploy grow
establish evolve modernise modernize migrate integrate launch translate coach champion prototype""".split())
# Infinitive endings of the Romance languages' responsibilities ("Concevoir ...", "Diseñar ...").
_INFINITIVE = {"fr": re.compile(r"^[a-zàâçéèêëîïôûù]{3,}(?:er|ir|re)$"), "es": re.compile(r"^[a-záéíóúñ]{3,}(?:ar|er|ir)$"),
               "it": re.compile(r"^[a-zàèéìòù]{3,}(?:are|ere|ire)$"), "pt": re.compile(r"^[a-záâãàçéêíóôõú]{3,}(?:ar|er|ir)$")}
# English past tenses a CV bullet starts with ("Led ...", "Designed ..."), which make it a clause.
_EN_IRREGULAR = set("""led built ran wrote grew cut made set won drove took began brought taught sold spoke found
kept held met put saw sent became chose did gave got had hit left paid read rebuilt rewrote spun split spent
stood understood oversaw undertook upheld overcame shaped""".split())


def _as_clause(bullet: str) -> str | None:
    """'Designed the event service' -> 'designed the event service'; None if it does not start
    with an English past tense."""
    first = bullet.split(maxsplit=1)[0] if bullet.split() else ""
    word = first.lower()
    verb = word in _EN_IRREGULAR or (len(word) >= 5 and word.endswith("ed") and not word.endswith("eed"))
    if not verb or not first[:1].isupper() or first[1:2].isupper():
        return None
    return (first[0].lower() + bullet[1:]).rstrip(".;")


def _top_bullets(profile: Profile, wanted: set[str], stems: set[str], count: int) -> list[tuple[Experience, str]]:
    """The best bullets across roles: emphasised, then most matching skills, then most recent role."""
    scored = []
    for r, exp in enumerate(profile.experience):
        for i, bullet in enumerate(exp.bullets):
            if bullet and bullet.strip():
                scored.append((-bullet_score(bullet, wanted, stems), r, i, exp, md(bullet)))
    scored.sort(key=lambda x: x[:3])
    chosen = sorted(scored[:count], key=lambda x: (x[1], x[0], x[2]))  # grouped by role, best first
    return [(exp, b) for *_, exp, b in chosen]


def _results(highlights: list[tuple[Experience, str]], p: dict, code: str) -> list[str]:
    """Paragraphs that show the highlights: English past-tense bullets as sentences, else a list
    under a sentence that says where they come from."""
    clauses = [_as_clause(b) for _, b in highlights]
    if code == "en" and all(clauses):
        sentences, last = [], None
        for (exp, _), clause in zip(highlights, clauses):
            employer = exp.company.strip()
            if employer and employer != last:
                sentences.append(p["at_employer"].format(employer=md(employer), bullet=clause))
            else:
                sentences.append(f"I {'also ' if last is not None else ''}{clause}.")
            last = employer or last
        return [" ".join(sentences), ""]
    employers = {exp.company.strip() for exp, _ in highlights}
    exp = highlights[0][0]
    if len(employers) == 1 and exp.company.strip():
        key = "results_current" if is_current(exp) or not (exp.end or "").strip() else "results_past"
        lead = p[key].format(employer=md(exp.company))
    else:
        lead = p["results"]
    return [lead, "", *[f"- {b}" for _, b in highlights], ""]


def _background(profile: Profile, p: dict, code: str) -> str:
    exp = next((e for e in profile.experience if e.role.strip()), None)
    if exp is None:
        headline = (profile.headline or "").strip().rstrip(".")
        return p["headline_only"].format(who=headline, a_who=a_an(headline)) if headline else ""
    current = is_current(exp) or not (exp.end or "").strip()
    key = ("current_role" if current else "past_role") + ("" if exp.company.strip() else "_no_employer")
    role = exp.role.strip()
    return p[key].format(role=role, a_role=a_an(role) if code == "en" else role, employer=exp.company.strip())


def _first_person(profile: Profile) -> str:
    """The profile summary's first sentence when it speaks in the first person ('I build ...'):
    it reads well in a letter; a CV-style fragment ('Backend engineer with ...') does not."""
    first = (split_sentences(profile.summary or "") or [""])[0].strip()
    return first if re.match(r"^(?:I|I'm|Ich|Je|J'|Yo|Io|Eu|Ik|Jestem)\b", first) else ""


def _interest(job: JobPosting, p: dict, code: str) -> str:
    """'What draws me to this role ... is the chance to design and operate ...', from the
    posting's first responsibility, when it starts with a verb in the letter's language."""
    if not p["interest"] or not job.responsibilities:
        return ""
    item = job.responsibilities[0].strip().rstrip(".;")
    first = item.split()[0].lower() if item.split() else ""
    posting_language = detect_language("\n".join([*job.requirements, *job.responsibilities, *job.benefits]))
    if posting_language not in (None, code) or (posting_language is None and code != "en"):
        return ""
    fits = first in _EN_VERBS if code == "en" else bool(_INFINITIVE.get(code, re.compile("$^")).match(first))
    return p["interest"].format(item=item[0].lower() + item[1:]) if fits and len(item) <= 160 else ""


def draft_letter(profile: Profile, job: JobPosting, options: DraftOptions) -> str:
    """A cover letter in Markdown (no headings), ending with the candidate's name."""
    p, plan, t = phrases(options.language), budget(options), tone(options)
    code = language_code(options.language)
    matched = matching_skills(profile, job)
    wanted = {skill_key(s) for s in matched}
    own = own_words_fit(profile, options)
    out: list[str] = []
    if profile.name.strip():
        out.append(f"**{md(profile.name)}**  ")
        contact = contact_line(profile)
        if contact:
            out.append(contact)
        out.append("")

    named = named_greeting(job.contact, p, t)
    with_company, without = p["greeting"][t]
    greeting = named[0] if named else (with_company.format(company=job.company) if job.company else without)
    out += [greeting, ""]

    opening = [p["opening"][t].format(title=job.title, company_part=company_part(job, p)), _background(profile, p, code)]
    if own and options.length != "short":
        opening.append(_first_person(profile))
    out += [" ".join(x for x in opening if x), ""]

    skills_said = []
    if matched:
        skills_said = matched[: plan.letter_match_skills]
        skills_line = [p["match"][t].format(skills=join_words(in_prose(skills_said, code), p["and"]))]
    elif profile.skills:
        skills_said = [s for s in profile.skills if s][:5]
        skills_line = [p["own_skills"].format(skills=join_words(in_prose(skills_said, code), p["and"]))]
    else:
        skills_line = []
    stressed = emphasis_skills(profile, options)
    if stressed:
        skills_line.append(p["emphasis"].format(skills=join_words(in_prose(stressed[:3], code), p["and"])))
    if skills_line:
        out += [" ".join(skills_line), ""]

    highlights = _top_bullets(profile, wanted, emphasis_stems(options), plan.letter_highlights) if own else []
    if highlights:
        out += _results(highlights, p, code)

    if options.length == "detailed":
        interest = _interest(job, p, code)
        if interest:
            out += [interest, ""]

    company = p.get("company_ref", "{company}").format(company=job.company) if job.company else p["team"]
    out += [p["closing"][t].format(company=company), ""]
    address = p["address"][named[1] or "none"] if named else p["address"]["none"]
    out.append(p["signoff"][t].format(address=address))
    if profile.name.strip():
        out.append(md(profile.name))
    return "\n".join(out).strip() + "\n"
