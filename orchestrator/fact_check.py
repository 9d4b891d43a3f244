"""Fact check of a drafted CV or cover letter against the user's profile (and the posting).

A draft may only state facts the profile holds: employers, job titles, dates, schools,
degrees, certifications and skills. ``check`` returns the facts it finds invented, typed
(``Fact(kind, value)``); ``verify`` is the drafting tasks' ``TaskSpec.verify``: it raises
``ProviderError(kind="invalid_output")`` naming them, so the pipeline asks the model once
more with that message and then falls back to the next provider. Pure: no database.

What is checked (precise rather than paranoid; see README "Fact check"):
- **Dates**: every year (1950 to ten years ahead) and month-year ("March 2021", "03/2021",
  "2021-03") must appear in the profile; the posting's and the current year's are allowed.
  An entry's years must be those of the profile entry it names, and "– Present" needs a
  current role there.
- **Employers, schools, titles**: each CV entry (heading, bold lead, table row or dated line)
  must name one of the profile's employers or schools; an entry that names none has every
  name in it reported. Organisations with a legal form ("… GmbH", "… Inc."), schools
  ("University of …", "… Hochschule"), and "at <Name>" in prose must be in the profile or,
  for the hiring company, the posting. Titles may be reworded or translated but not climb a
  rank (Senior, Lead/Head, Principal, Chief/CxO, Director, VP, Founder) the profile's role
  at that employer lacks; neither may the CV's headline or "as <title> at <employer>".
- **Degrees and certifications** by family (Bachelor/BSc/BA, Master/MSc/MA, MBA, PhD/
  Doctorate; "Certified …", PMP, CISSP, CKA, exam codes such as AZ-900...): the profile must
  name the same family, or the certification's words in one of its entries.
- **Skills**: named technologies and tools of the taxonomy (aliases count: "Postgres" is
  "PostgreSQL"), from the profile, or implied by one it has (PostgreSQL implies SQL).
  Practices ("data analysis", "ETL") and soft skills are not checked.

A **letter** may in addition name anything the posting says: its title, company, location
and skills, and quote its requirements, responsibilities and summary word for word. A CV may
name the posting's title and company (its summary says what it applies for). The user's own
emphasis (drafting options) counts as profile text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from orchestrator.errors import ProviderError
from orchestrator.fact_entries import Block, parse, segments
from orchestrator.fact_evidence import YEAR_RE, Evidence, fold, month_years, ranks, significant, years
from orchestrator.fact_terms import (AS_TITLE_AT_RE, AT_RE, CERT_ACRONYM_RE, CERT_WORDS, CERTIFIED_RE, DEGREE_BACKING,
                                     DEGREES, EXAM_CODE_RE, NOT_ORGS, ORG_RE, SCHOOL_RE, TITLE_WORDS, cert_phrase,
                                     implied_skills, is_named_skill)
from orchestrator.offline.taxonomy import canonical_skill, find_skills, skill_key
from orchestrator.schemas import DraftOptions, JobPosting, Profile

KINDS = ("employer", "job_title", "school", "degree", "certification", "date", "skill")
LABELS = {"employer": "employer", "job_title": "job title", "school": "school", "degree": "degree",
          "certification": "certification", "date": "date", "skill": "skill"}
MAX_FACTS = 40  # a draft with more is rejected all the same
MAX_LISTED = 8  # named in the message (the ledger keeps 500 characters)
FUTURE_YEARS = 10
_MASK = "¤"
_URL = re.compile(r"(?:https?://|www\.)\S{1,500}|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_LOWER_WORD = re.compile(r"[^\W\d_]{3,}")
_IMPLIES = implied_skills()
_DEGREES_ANY_CASE = {family: re.compile(p.pattern, re.I) for family, p in DEGREES.items()}


@dataclass(frozen=True)
class Fact:
    """One invented fact: what kind it is and how the draft wrote it."""

    kind: str
    value: str

    def __str__(self) -> str:
        return f"{LABELS.get(self.kind, self.kind)} '{self.value}'"


@dataclass
class _Entry:
    anchor: str  # the employer or school (or role/degree when it has none) that names it
    roles: str
    years: set[int]
    current: bool
    work: bool


class _Ground:
    """Everything a draft may draw on, indexed once per check."""

    def __init__(self, profile: Profile, posting: JobPosting | None, letter: bool, emphasis: str, year: int):
        self.profile, self.posting, self.letter, self.year = profile, posting, letter, year
        texts = _profile_texts(profile) + ([emphasis] if emphasis else [])
        posting_names = [x for x in (posting.title, posting.company, posting.location) if x] if posting else []
        posting_texts = _posting_texts(posting) if posting else []
        self.profile_ev = Evidence(texts)
        self.ev = Evidence(texts + (posting_texts if letter else posting_names))
        corpus = "\n".join(texts + posting_texts)
        self.years = {y for y, _ in years(corpus)} | {year}
        self.month_years = {ym for ym, _w, _p in month_years(corpus)}
        profile_text = "\n".join(texts)
        self.profile_text = profile_text
        self.profile_folded = fold(profile_text)
        self.profile_words = {fold(w) for w in re.findall(r"[\w+-]+", profile_text)}
        self.has_certs = bool(CERT_WORDS.search(profile_text) or CERT_ACRONYM_RE.search(profile_text)
                              or EXAM_CODE_RE.search(profile_text))
        self.skills = {skill_key(s) for s in profile.skills if s and s.strip()}
        self.skills |= {skill_key(s) for s in find_skills(profile_text, limit=10_000)}
        if letter and posting:
            self.skills |= {skill_key(s) for s in posting.skills if s and s.strip()}
            self.skills |= {skill_key(s) for s in find_skills("\n".join(posting_texts), limit=10_000)}
        for key in list(self.skills):
            self.skills |= _IMPLIES.get(key, set())
        self.entries = _entries(profile)
        self.all_ranks = ranks("\n".join([profile.headline or ""] + [e.role for e in profile.experience]))
        quoted = ([posting.title, posting.company or ""] + ([posting.summary or "", *posting.requirements,
                   *posting.responsibilities, *posting.benefits] if letter else [])) if posting else []
        masks = [emphasis, *quoted]
        self.masks = sorted({m.strip() for m in masks if m and len(m.strip()) >= 3}, key=len, reverse=True)


def _profile_texts(p: Profile) -> list[str]:
    out = [p.headline or "", p.location or "", p.phone or "", *re.split(r"(?<=[.!?])\s+", p.summary or "")]
    for e in p.experience:
        out += [e.role, e.company, e.location or "", e.start or "", e.end or "", *e.bullets]
    for d in p.education:
        out += [d.degree, d.institution, d.start or "", d.end or "", d.details or ""]
    out += list(p.skills) + list(p.languages)
    return [x for x in out if x and x.strip()]


def _posting_texts(j: JobPosting) -> list[str]:
    out = [j.title, j.company or "", j.location or "", j.summary or "", *j.skills, *j.requirements,
           *j.responsibilities, *j.benefits]
    return [x for x in out if x and x.strip()]


def _is_current(end: str | None) -> bool:
    return not (end or "").strip() or bool(re.search(r"present|current|now|today|heute|aujourd|actual|presente|"
                                                     r"ongoing|oggi|atual|obecnie", fold(end or "")))


def _entries(p: Profile) -> list[_Entry]:
    out: list[_Entry] = []
    for e in p.experience:
        text = " ".join([e.start or "", e.end or "", e.role, e.company, *e.bullets])
        out.append(_Entry(e.company if significant(e.company) else e.role, e.role + " " + e.company,
                          {y for y, _ in years(text)}, _is_current(e.end), True))
    for d in p.education:
        text = " ".join([d.start or "", d.end or "", d.degree, d.institution, d.details or ""])
        out.append(_Entry(d.institution if significant(d.institution) else d.degree, "",
                          {y for y, _ in years(text)}, _is_current(d.end) and bool(d.start), False))
    return [e for e in out if significant(e.anchor)]


# ----------------------------------------------------------------------------- the check


def check(text: str, profile: Profile, posting: JobPosting | None = None, *, letter: bool = False,
          options: DraftOptions | None = None, year: int | None = None) -> list[Fact]:
    """The invented facts of a draft (empty when every checked fact is in the profile), in the
    order the draft states them, each once. ``letter`` selects a cover letter's allowances."""
    emphasis = (options.emphasis or "") if options else ""
    ground = _ground(profile, posting, letter, emphasis, year or datetime.now(UTC).year)
    plain = _URL.sub(lambda m: _MASK * len(m.group()), text or "")
    masked = _mask(plain, ground.masks)
    found: list[tuple[int, Fact]] = []
    for finder in (_dates, _skills, _degrees, _certifications, _organisations, _titles_in_prose):
        found += finder(masked, ground)
    found += _entries_facts(plain, ground)
    out: list[Fact] = []
    kept: list[str] = []
    for _pos, fact in sorted(found, key=lambda x: x[0]):
        value = fold(fact.value)
        if any(value in k or k in value for k in kept):  # 'PMP' as a skill and as a certification: once
            continue
        kept.append(value)
        out.append(fact)
        if len(out) >= MAX_FACTS:
            break
    return out


_GROUNDS: dict[tuple, _Ground] = {}
_GROUNDS_KEPT = 32


def _ground(profile: Profile, posting: JobPosting | None, letter: bool, emphasis: str, year: int) -> _Ground:
    """The indexed ground, kept for the last few (profile, posting) pairs: a repair attempt and the
    next draft for the same job reuse it. Read-only once built, so threads may share it."""
    key = (profile.model_dump_json(), posting.model_dump_json() if posting else "", letter, emphasis, year)
    ground = _GROUNDS.get(key)
    if ground is None:
        ground = _Ground(profile, posting, letter, emphasis, year)
        if len(_GROUNDS) >= _GROUNDS_KEPT:
            try:
                _GROUNDS.pop(next(iter(_GROUNDS)), None)
            except (RuntimeError, StopIteration):  # another thread changed it meanwhile: fine
                pass
        _GROUNDS[key] = ground
    return ground


def _mask(text: str, needles: list[str]) -> str:
    """``text`` with every (case-insensitive) occurrence of the allowed phrases blanked out."""
    for needle in needles:
        pattern = re.compile(r"(?<!\w)" + re.escape(needle).replace(r"\ ", r"\s+") + r"(?!\w)", re.I)
        text = pattern.sub(lambda m: _MASK * len(m.group()), text)
    return text


def _dates(text: str, g: _Ground) -> list[tuple[int, Fact]]:
    out: list[tuple[int, Fact]] = []
    bad_years: set[int] = set()
    for y, written, pos in _year_hits(text):
        if y > g.year + FUTURE_YEARS or y in g.years:
            continue
        bad_years.add(y)
        out.append((pos, Fact("date", written)))
    for (y, mo), written, pos in month_years(text):
        if y == g.year or y in bad_years or (y, mo) in g.month_years or y > g.year + FUTURE_YEARS:
            continue
        out.append((pos, Fact("date", written.strip())))
    return out


def _year_hits(text: str) -> list[tuple[int, str, int]]:
    return [(int(m.group(1)), m.group(1), m.start()) for m in YEAR_RE.finditer(text)]


def _skills(text: str, g: _Ground) -> list[tuple[int, Fact]]:
    # lower-case words are ordinary words ("react to", "spark joy"), unless the skill itself is
    # written in lower case ("pandas", "dbt")
    upper = _LOWER_WORD.sub(lambda m: _MASK * len(m.group()) if m.group().islower() else m.group(), text)
    named = find_skills(upper, limit=10_000) + [s for s in find_skills(text, limit=10_000) if s == s.lower()]
    out: list[tuple[int, Fact]] = []
    lower = text.lower()
    for skill in dict.fromkeys(named):
        if is_named_skill(skill) and skill_key(skill) not in g.skills:
            pos = lower.find(skill.lower())
            out.append((pos if pos >= 0 else len(text), Fact("skill", skill)))
            if len(out) >= MAX_FACTS:
                break
    return out


def _degrees(text: str, g: _Ground) -> list[tuple[int, Fact]]:
    out: list[tuple[int, Fact]] = []
    backed = {family for family, pattern in _DEGREES_ANY_CASE.items() if pattern.search(g.profile_text)}
    for family, pattern in DEGREES.items():
        for m in pattern.finditer(text):
            if not any(b in backed for b in DEGREE_BACKING[family]):
                out.append((m.start(), Fact("degree", _phrase_at(text, m.start(), m.end()))))
    return out


def _phrase_at(text: str, start: int, end: int) -> str:
    """The match and the words after it on its line, up to punctuation (for the message)."""
    tail = re.match(r"(?:[ \t]+(?!(?:from|at|with|and|von|bei|de|en)\b)[^\s,;()|—–.]+){0,3}", text[end:])
    return (text[start:end] + (tail.group(0) if tail else "")).strip(" *_:")


def _certifications(text: str, g: _Ground) -> list[tuple[int, Fact]]:
    out: list[tuple[int, Fact]] = []
    for m in CERT_ACRONYM_RE.finditer(text):
        if fold(m.group(1)) not in g.profile_words:
            out.append((m.start(), Fact("certification", m.group(1))))
    for m in EXAM_CODE_RE.finditer(text):
        if fold(m.group(0)) not in g.profile_folded:
            out.append((m.start(), Fact("certification", m.group(0))))
    for m in CERTIFIED_RE.finditer(text):
        phrase = cert_phrase(m)
        if not significant(phrase) or CERT_ACRONYM_RE.fullmatch(phrase.strip()):
            continue
        if not (g.has_certs and g.profile_ev.covers(phrase)):
            out.append((m.start(), Fact("certification", _clip(m.group(0)))))
    return out


def _clip(value: str, limit: int = 80) -> str:
    value = " ".join(value.split()).strip(" *_:")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _organisations(text: str, g: _Ground) -> list[tuple[int, Fact]]:
    out: list[tuple[int, Fact]] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in ((ORG_RE, "employer"), (SCHOOL_RE, "school")):
        for m in pattern.finditer(text):
            phrase = _clip(m.group(0))
            if kind == "school" and len(significant(phrase)) < 2:
                continue
            taken.append((m.start(), m.end()))
            if not _backed_name(phrase, g.ev, keep=1 if kind == "employer" else 2):
                out.append((m.start(), Fact(kind, _without_opening_word(text, m.start(), phrase))))
    for m in AT_RE.finditer(text):
        if any(a <= m.start(1) < b for a, b in taken):
            continue
        for part in re.split(r"\s+(?:and|und|et|y|e)\s+", m.group(1)):
            part = re.sub(r"(?:\s+(?:&|of|for|de|für))+$", "", part).strip()
            words = part.split()
            if not words or fold(words[0].strip(".,'’")) in NOT_ORGS or canonical_skill(part):
                continue
            if not g.ev.covers(part):
                out.append((m.start(1), Fact("employer", _clip(part))))
    return out


def _backed_name(phrase: str, ev: Evidence, keep: int) -> bool:
    """Whether a name is in the profile. Its leading words may be the sentence's ("Joined Acme
    GmbH"), so any tail of it with ``keep`` significant words will do."""
    ws = phrase.split()
    tails = [" ".join(ws[i:]) for i in range(len(ws)) if len(significant(" ".join(ws[i:]))) >= keep] or [phrase]
    return any(ev.covers(t) for t in tails)


def _without_opening_word(text: str, start: int, phrase: str) -> str:
    """A name as reported: without the first word when that only opens the line or sentence ("Joined")."""
    ws = phrase.split()
    before = text[max(0, start - 3): start]
    if len(ws) > 2 and (start == 0 or re.search(r"(?:^|[\n.!?:]\s*|[-*•]\s)$", before)):
        return " ".join(ws[1:])
    return phrase


def _titles_in_prose(text: str, g: _Ground) -> list[tuple[int, Fact]]:
    """'as Senior Engineer at Acme': the title may not climb a rank the role there lacks."""
    out: list[tuple[int, Fact]] = []
    for m in AS_TITLE_AT_RE.finditer(text):
        title, org = m.group(1), m.group(2)
        claimed = ranks(title)
        if not claimed:
            continue
        entries = [e for e in g.entries if e.work and Evidence([org]).covers(e.anchor)]
        allowed = ranks(" ".join(e.roles for e in entries)) if entries else g.all_ranks
        if claimed - allowed:
            out.append((m.start(1), Fact("job_title", _clip(title))))
    return out


# ----------------------------------------------------------------------------- CV entries


def _entries_facts(text: str, g: _Ground) -> list[tuple[int, Fact]]:
    shape = parse(text)
    out: list[tuple[int, Fact]] = []
    if shape.headline and not g.letter and ranks(shape.headline) - g.all_ranks:
        out.append((0, Fact("job_title", _clip(shape.headline))))
    for pos, item in shape.cert_items:
        plain = re.sub(r"\d", " ", item)
        if significant(plain) and not g.profile_ev.covers(plain):
            out.append((pos, Fact("certification", _clip(item))))
    for block in shape.blocks:
        if len(out) >= MAX_FACTS:
            break
        if block.is_entry:
            out += [(block.lines[0].pos, f) for f in _block_facts(block, g)]
    return out


def _block_facts(block: Block, g: _Ground) -> list[Fact]:
    body = block.text
    here = Evidence([body])
    anchored = [e for e in g.entries if here.covers(e.anchor)]
    if not anchored:
        return [Fact(_kind_of(seg, block), _clip(seg)) for line in block.lines for seg in segments(line.text)
                if not g.ev.covers(seg)]
    facts: list[Fact] = []
    work = [e for e in anchored if e.work]
    if work:
        allowed = ranks(" ".join(e.roles for e in work))
        for line in block.lines:
            for seg in segments(line.text):
                if ranks(seg) - allowed:
                    facts.append(Fact("job_title", _clip(seg)))
    names = ", ".join(dict.fromkeys(e.anchor for e in anchored))
    entry_years = set().union(*(e.years for e in anchored)) | {g.year}
    for y, written in years(body):
        if y in g.years and y not in entry_years:
            facts.append(Fact("date", f"{written} ({_clip(names, 60)})"))
    if block.has_present and not any(e.current for e in anchored):
        facts.append(Fact("date", f"present ({_clip(names, 60)})"))
    return facts


def _kind_of(segment: str, block: Block) -> str:
    if any(p.search(segment) for p in DEGREES.values()):
        return "degree"
    folded = fold(segment)
    if block.section == "education" or SCHOOL_RE.search(segment):
        return "school"
    if TITLE_WORDS.search(folded):
        return "job_title"
    return "employer"


# ----------------------------------------------------------------------------- the hook


def describe(facts: list[Fact]) -> str:
    """The message a model gets in its repair attempt (and the ledger row keeps)."""
    listed = "; ".join(str(f) for f in facts[:MAX_LISTED])
    more = f"; and {len(facts) - MAX_LISTED} more" if len(facts) > MAX_LISTED else ""
    return (f"Invented facts not in the candidate's profile: {listed}{more}. Write the document again "
            "using only the employers, job titles, dates, schools, degrees, certifications and skills the "
            "profile gives.")


def verify(data: Any, prepared: Any) -> None:
    """``TaskSpec.verify`` for drafted documents: raises ``invalid_output`` naming the invented facts."""
    profile = getattr(prepared, "profile", None)
    if not isinstance(data, str) or profile is None:
        return
    letter = getattr(prepared.task, "document_kind", None) != "cv"
    facts = check(data, profile, getattr(prepared, "posting", None), letter=letter,
                  options=getattr(prepared, "options", None))
    if facts:
        raise ProviderError(describe(facts), kind="invalid_output", retryable=True)


def verify_part(data: Any, prepared: Any) -> None:
    """``TaskSpec.verify`` for a rewritten part: the part may use the profile's facts, the posting's
    (as for its document kind) and whatever the part already said (the user may have added facts by
    hand), nothing else."""
    profile, base = getattr(prepared, "profile", None), getattr(prepared, "base", None)
    if not isinstance(data, str) or profile is None or base is None:
        return
    own = getattr(getattr(base, "part", None), "text", "") or ""
    widened = profile.model_copy(update={"summary": "\n".join(x for x in (profile.summary, own) if x)})
    facts = check(data, widened, getattr(prepared, "posting", None), letter=base.kind != "cv")
    if facts:
        raise ProviderError(describe(facts), kind="invalid_output", retryable=True)
