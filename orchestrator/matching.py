"""How well a profile matches a job posting: a score from 0 to 100, what matched, what is missing.

Deterministic and offline (no model, no database): the same posting and profile always give
the same answer, at no cost, on every plan. The posting's skills are compared with the
whole profile (skills, headline, summary, experience, education) through the skill taxonomy,
so aliases count ("Postgres" is PostgreSQL, "PySpark" is Apache Spark) and names match on
word boundaries ("Java" never inside "JavaScript").

Weights follow how the posting ranks a skill:
- named in a *required* requirement line: 3; only in the skills list (or responsibilities): 2;
  only in *nice-to-have* lines ("Dutch is a plus", "ideally Kafka", "Nice to have: ..."): 1;
- times a rank factor from 1.0 for the first skill listed down to 0.6 for the last.
The score is the matched share of the total weight. A posting without skills is scored on
its keywords (title, requirements, responsibilities) instead. Given a draft's text, the
report also says which of the posting's skills the profile has but the draft leaves out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from orchestrator.offline.taxonomy import canonical_skill, find_skills
from orchestrator.schemas import JobPosting, Profile

REQUIRED, NICE = "required", "nice"
W_NAMED, W_LISTED, W_NICE = 3.0, 2.0, 1.0
RANK_SPREAD = 0.4  # the first-ranked term counts 1.0, the last 1.0 - RANK_SPREAD
MAX_KEYWORDS = 15
MAX_TERMS = 60
NAMES_SHOWN = 8
EMPHASIS_CHARS = 500
_ALL = 10_000  # find_skills' limit when every skill in a text is wanted

_NICE_WORDS = (r"nice[- ]to[- ]haves?|bonus(?: points)?|preferred(?: qualifications| skills)?|desirable|"
               r"desired skills|pluses|optional|plus|wünschenswert|von vorteil|atouts?|un plus|les plus|"
               r"deseable|se valorará|valorable")
# A line that only opens a nice-to-have block ("Nice to have:", "**Bonus points**").
_NICE_HEADING = re.compile(rf"^\W*(?:{_NICE_WORDS})(?: if)?\W*$", re.I)
_REQUIRED_HEADING = re.compile(r"^\W*(?:requirements|required|must[- ]haves?|essential|qualifications|"
                               r"anforderungen|voraussetzungen|exigences|requisitos)\W*$", re.I)
# A line introduced as nice to have ("Nice to have: Spark", "(Bonus) Go", "Plus - Rust").
_NICE_PREFIX = re.compile(rf"^\W*(?:{_NICE_WORDS})\s*(?:[:)\]–—-]|\bif\b)", re.I)
# "ideally in insurance", "preferably with Kafka": what follows is nice to have.
_LEADING = re.compile(r"\b(?:ideally|preferably|optionally|bonus (?:points )?if|nice if|even better if|"
                      r"idealerweise|vorzugsweise|gerne auch|idéalement|de préférence|idealmente|"
                      r"preferiblemente|preferentemente)\b", re.I)
# "Dutch is a plus", "Kafka preferred", "Spark wünschenswert": the clause before is nice to have.
_TRAILING = re.compile(
    r"\b(?:(?P<plural>are|sind|sont|son)\s+(?:a\s+|an\s+)?(?:(?:big|huge|definite|real|strong)\s+)?"
    r"(?:plus|bonus|advantage|asset|preferred|desirable|nice to have|beneficial|von vorteil|wünschenswert|"
    r"un plus|des atouts|valorables?)|"
    r"(?:a|an|is|big|huge|definite|real|strong)\s+(?:plus|bonus|advantage|asset)|nice[- ]to[- ]haves?|"
    r"preferred|desirable|advantageous|(?:would be|is)\s+(?:beneficial|helpful)|not (?:required|a must)|"
    r"optional|wünschenswert|von vorteil|vorteilhaft|ein plus|(?:un )?atout|un plus|apprécié(?:e|s|es)?|"
    r"souhaité(?:e|s|es)?|valorable|se valorará|deseable)\b",
    re.I,
)
_SEGMENTS = re.compile(r";|(?<=[.!?])\s+(?=[A-ZÄÖÜ])|\n")
_WORD = re.compile(r"[^\W\d_](?:[\w+#.'’-]*[\w+#])?")
_STOP = frozenset("""
a an the and or nor but if of to in on at by for from with without within into onto over under about
across as per via than then so such that this these those there their they them it its is are was were be
been being am do does did done have has had having will would shall should can could may might must not no
yes all any each every both either neither few many more most much other some own same very just also
only even well etc e.g i.e you your yours we our ours us he she his her who whom whose which what when where
why how able ability abilities strong good great excellent solid deep proven hands-on hands advanced basic
experience experienced years year yrs plus least minimum knowledge understanding skills skill proficiency
proficient familiarity familiar working work works worked job role roles position team teams company
candidate candidates including include includes new using use used like ideally preferred nice bonus
required requirement requirements responsibilities responsibility looking join help make keep ensure
provide support take get give drive own deliver day daily week weekly based various different related
relevant high environment opportunity opportunities part full time closely together fast growing
der die das den dem des ein eine einer eines einem einen und oder aber mit ohne für von vom zum zur im in
ist sind war auf aus bei nach über unter sowie wir du sie ihr dein deine ihre unser unsere unseren
erfahrung erfahrungen kenntnisse jahre gute sehr idealerweise bereich
le la les un une des du de d' et ou avec sans pour par sur dans au aux en est sont nous vous votre vos
notre nos ton tes expérience connaissance connaissances ans bonne bonnes très
el los las del al y o con sin para por sobre en es son nosotros tu tus su sus experiencia conocimientos
años buen buena muy
""".split())


@dataclass(frozen=True)
class Term:
    """One skill or keyword of the posting, and where it was found."""

    name: str
    tier: str  # REQUIRED | NICE
    weight: float
    in_profile: bool
    in_draft: bool | None = None  # None without a draft


@dataclass(frozen=True)
class MatchReport:
    """The score and its parts; ``summary`` is the one sentence to show, ``explanation`` how it
    was worked out. ``left_out`` and ``emphasis`` are set only when a draft was given."""

    score: int
    basis: str  # "skills" | "keywords" | "none"
    matched: tuple[str, ...]
    missing: tuple[str, ...]
    required_matched: tuple[str, ...]
    required_missing: tuple[str, ...]
    nice_matched: tuple[str, ...]
    nice_missing: tuple[str, ...]
    explanation: str
    summary: str
    terms: tuple[Term, ...] = ()
    left_out: tuple[str, ...] = ()
    draft_score: int | None = None
    draft_summary: str | None = None
    emphasis: str | None = None
    profile_empty: bool = False
    job_id: int | None = None
    job_title: str = field(default="")

    def as_json(self) -> dict:
        """The CLI's ``--json`` contract: exactly score, matched and missing."""
        return {"score": self.score, "matched": list(self.matched), "missing": list(self.missing)}


# ------------------------------------------------------------------ finding terms in text


@lru_cache(maxsize=2048)
def _raw_pattern(name: str) -> re.Pattern[str]:
    """A name outside the taxonomy, matched as whole words (spaces and hyphens alike)."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", name.strip()) if w]
    return re.compile(r"(?<![\w+#])" + r"[\s\-]+".join(words) + r"(?![\w+#])", re.I)


def _stem(word: str) -> str:
    w = word.lower().strip(".'’-")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


@dataclass(frozen=True)
class _Index:
    """What a text contains: canonical skills, word stems, and the text for other names."""

    text: str
    skills: frozenset[str]
    stems: frozenset[str]

    def has(self, term: _JobTerm) -> bool:
        if term.keyword:
            return term.key in self.stems
        if term.canonical:
            return term.canonical in self.skills
        return bool(_raw_pattern(term.name).search(self.text))


@lru_cache(maxsize=64)
def _index(text: str, skills: tuple[str, ...] = ()) -> _Index:
    found = set(find_skills(text, limit=_ALL))
    for entry in skills:
        canonical = canonical_skill(entry)
        found.update([canonical] if canonical else find_skills(entry, limit=_ALL))
    return _Index(text, frozenset(found), frozenset(_stem(w) for w in _WORD.findall(text)))


def profile_text(profile: Profile) -> str:
    """Everything in a profile a skill can be named in (not contact details or employers)."""
    parts = [profile.headline or "", profile.summary or "", ", ".join(profile.skills)]
    for job in profile.experience:
        parts.append(job.role)
        parts.extend(job.bullets)
    for school in profile.education:
        parts.extend([school.degree, school.details or ""])
    parts.append(", ".join(profile.languages))
    return "\n".join(p for p in parts if p and p.strip())


# ------------------------------------------------------------------ the posting's terms


@dataclass(frozen=True)
class _JobTerm:
    name: str
    key: str  # canonical name, normalised raw name, or word stem
    canonical: str | None = None
    keyword: bool = False
    marked_nice: bool = False


def _scopes(lines: list[str]) -> tuple[list[str], list[str]]:
    """Requirement text split into (required, nice-to-have) clauses."""
    required: list[str] = []
    nice: list[str] = []
    in_nice_block = False
    for line in lines:
        line = (line or "").strip()
        if not line:
            continue
        if _NICE_HEADING.match(line):
            in_nice_block = True
            continue
        if _REQUIRED_HEADING.match(line):
            in_nice_block = False
            continue
        if in_nice_block or _NICE_PREFIX.match(line):
            nice.append(line)
            continue
        for segment in _SEGMENTS.split(line):
            _split_segment(segment, required, nice)
    return required, nice


def _split_segment(segment: str, required: list[str], nice: list[str]) -> None:
    lead = _LEADING.search(segment)
    trail = _TRAILING.search(segment)
    if lead and (not trail or lead.start() <= trail.start()):
        cut = lead.start()
    elif trail:
        comma = segment.rfind(",", 0, trail.start())
        cut = 0 if trail.group("plural") or comma < 0 else comma + 1
    else:
        required.append(segment)
        return
    if segment[:cut].strip():
        required.append(segment[:cut])
    nice.append(segment[cut:])


def _skill_terms(posting: JobPosting) -> list[_JobTerm]:
    """The posting's skills in its order, one term per skill (aliases merged)."""
    names = list(posting.skills)
    if not names:  # an emptied skills list: the skills its text names
        names = find_skills("\n".join([posting.title, *posting.requirements, *posting.responsibilities]),
                            limit=MAX_TERMS)
    terms: dict[str, _JobTerm] = {}
    for raw in names:
        raw = (raw or "").strip()
        if not raw:
            continue
        marked = bool(_TRAILING.search(raw) or _LEADING.search(raw) or _NICE_PREFIX.match(raw))
        canonical = canonical_skill(raw)
        found = [canonical] if canonical else find_skills(raw, limit=_ALL)
        if found:
            for name in found:
                terms.setdefault(name.lower(), _JobTerm(name, name.lower(), name, marked_nice=marked))
        else:
            clean = re.sub(r"\s*\([^()]*\)\s*$", "", raw).strip() or raw
            key = re.sub(r"[\s\-]+", " ", clean.lower())
            terms.setdefault(key, _JobTerm(clean, key, marked_nice=marked))
    return list(terms.values())[:MAX_TERMS]


def _keyword_terms(posting: JobPosting, required: list[str], nice: list[str]) -> list[tuple[_JobTerm, float]]:
    """Key words with their weights: title and required lines 3, responsibilities 2, nice 1."""
    scored: dict[str, list] = {}  # stem -> [surface, score, best weight, first position]
    sources = [(posting.title, W_NAMED), *((t, W_NAMED) for t in required),
               *((t, W_LISTED) for t in posting.responsibilities), *((t, W_NICE) for t in nice)]
    pos = 0
    for text, weight in sources:
        for word in _WORD.findall(text or ""):
            pos += 1
            low = word.lower()
            if len(low) < 3 or low in _STOP or _stem(low) in _STOP:
                continue
            surface = low if word[:1].isupper() and word[1:].islower() else word  # "Warehouse", not "SQL"
            entry = scored.setdefault(_stem(low), [surface, 0.0, 0.0, pos])
            entry[1] += weight
            entry[2] = max(entry[2], weight)
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1][1], kv[1][3]))[:MAX_KEYWORDS]
    return [(_JobTerm(v[0], stem, keyword=True, marked_nice=v[2] <= W_NICE), v[2]) for stem, v in ranked]


def _rank(i: int, n: int) -> float:
    return 1.0 - RANK_SPREAD * (i / (n - 1) if n > 1 else 0.0)


def _weighted_terms(posting: JobPosting) -> tuple[str, list[tuple[_JobTerm, str, float]]]:
    """(basis, [(term, tier, weight)]) in the posting's order of importance."""
    required, nice = _scopes(posting.requirements)
    skills = _skill_terms(posting)
    if skills:
        req = _index("\n".join(required))
        opt = _index("\n".join(nice))
        out = []
        for i, term in enumerate(skills):
            if term.marked_nice:
                tier, base = NICE, W_NICE
            elif req.has(term):
                tier, base = REQUIRED, W_NAMED
            elif opt.has(term):
                tier, base = NICE, W_NICE
            else:
                tier, base = REQUIRED, W_LISTED
            out.append((term, tier, base * _rank(i, len(skills))))
        return "skills", out
    keywords = _keyword_terms(posting, required, nice)
    return ("keywords" if keywords else "none"), [
        (term, NICE if term.marked_nice else REQUIRED, base * _rank(i, len(keywords)))
        for i, (term, base) in enumerate(keywords)]


# ------------------------------------------------------------------ the report


def _names(items, limit: int = NAMES_SHOWN) -> str:
    items = list(items)
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(who: str, basis: str, have: list[str], lack: list[str], nice_have: list[str],
              nice_lack: list[str]) -> str:
    if basis != "skills":  # keywords: one count, their ranking is in the score
        have, lack = have + nice_have, lack + nice_lack
        head = f"{who} has {len(have)} of the posting's {len(have) + len(lack)} keywords"
        return head + (f"; missing: {_names(lack)}." if lack else ".")
    noun = "skills"
    total = len(have) + len(lack)
    if total:
        head = (f"{who} covers all {total} required {noun}" if not lack
                else f"{who} covers {len(have)} of {total} required {noun}; missing: {_names(lack)}")
    else:
        head = f"{who} covers {len(nice_have)} of {len(nice_have) + len(nice_lack)} {noun} the posting asks for"
        return head + (f"; missing: {_names(nice_lack)}." if nice_lack else ".")
    if nice_have or nice_lack:
        head += (f". Nice to have: {len(nice_have)} of {len(nice_have) + len(nice_lack)}"
                 + (f" (missing: {_names(nice_lack)})" if nice_lack else ""))
    return head + "."


def _score(terms: list[tuple[float, bool]]) -> int:
    total = sum(w for w, _ in terms)
    return int(round(100 * sum(w for w, ok in terms if ok) / total)) if total else 0


def _explain(basis: str, profile: Profile, n_terms: int, n_matched: int, empty: bool) -> str:
    if empty:
        return ("Your profile is empty, so nothing in the posting can be matched yet: add your skills and "
                "experience to your profile and the score follows.")
    if basis == "none":
        return "The posting names no skills or keywords to compare with, so there is nothing to score."
    if basis == "skills":
        text = (f"Scored on the {n_terms} skills the posting names, aliases included (Postgres counts as "
                f"PostgreSQL): skills its requirements name count three times as much as nice-to-have ones, the "
                f"rest of its skills list twice, and skills listed first more than later ones. Your profile has "
                f"{n_matched} of them.")
    else:
        text = (f"The posting names no skills, so it is scored on its {n_terms} keywords (from the title, "
                f"requirements and responsibilities; nice-to-have ones count less). Your profile has "
                f"{n_matched} of them.")
    if not profile.skills:
        text += (" Your profile lists no skills, so they were looked for in your headline, summary and "
                 "experience only: add a skills list for a fuller match.")
    return text


def match(posting: JobPosting, profile: Profile, draft_text: str | None = None, *,
          draft_noun: str = "draft") -> MatchReport:
    """Score ``profile`` against ``posting``; with ``draft_text``, also what the draft left out."""
    basis, weighted = _weighted_terms(posting)
    text = profile_text(profile)
    empty = not text.strip()
    prof = _index(text, tuple(profile.skills))
    draft = _index(draft_text) if draft_text is not None else None
    terms = [Term(term.name, tier, round(weight, 4), prof.has(term), None if draft is None else draft.has(term))
             for term, tier, weight in weighted]

    def pick(tier: str | None, ok: bool, attr: str = "in_profile") -> list[str]:
        return [t.name for t in terms if (tier is None or t.tier == tier) and bool(getattr(t, attr)) == ok]

    req_have, req_lack = pick(REQUIRED, True), pick(REQUIRED, False)
    nice_have, nice_lack = pick(NICE, True), pick(NICE, False)
    score = _score([(t.weight, t.in_profile) for t in terms])
    if empty:
        summary = "Your profile is empty: add your skills and experience to see how you match this job."
    elif basis == "none":
        summary = "The posting names no skills or keywords to match."
    else:
        summary = _sentence("Your profile", basis, req_have, req_lack, nice_have, nice_lack)
    left_out: tuple[str, ...] = ()
    draft_score = draft_summary = emphasis = None
    if draft is not None:
        left_out = tuple(t.name for t in terms if t.in_profile and not t.in_draft)
        draft_score = _score([(t.weight, bool(t.in_draft)) for t in terms])
        if basis != "none":
            draft_summary = _sentence(f"Your {draft_noun}", basis, pick(REQUIRED, True, "in_draft"),
                                      pick(REQUIRED, False, "in_draft"), pick(NICE, True, "in_draft"),
                                      pick(NICE, False, "in_draft"))
        if left_out:
            emphasis = _emphasis(left_out, basis)
    return MatchReport(
        score=score, basis=basis, matched=tuple(req_have + nice_have), missing=tuple(req_lack + nice_lack),
        required_matched=tuple(req_have), required_missing=tuple(req_lack), nice_matched=tuple(nice_have),
        nice_missing=tuple(nice_lack), explanation=_explain(basis, profile, len(terms), len(req_have) + len(nice_have),
                                                            empty),
        summary=summary, terms=tuple(terms), left_out=left_out, draft_score=draft_score,
        draft_summary=draft_summary, emphasis=emphasis, profile_empty=empty, job_title=posting.title)


def _emphasis(names: tuple[str, ...], basis: str) -> str:
    """The drafting page's emphasis text naming what the draft should bring out (at most 500 chars)."""
    what = "skills" if basis == "skills" else "points"
    head = f"Bring out these {what} from my profile, which the posting asks for: "
    kept: list[str] = []
    for name in names:
        if len(head) + len(", ".join([*kept, name])) + 1 > EMPHASIS_CHARS:
            break
        kept.append(name)
    return head + ", ".join(kept) + "."


__all__ = ["MatchReport", "Term", "match", "profile_text"]
