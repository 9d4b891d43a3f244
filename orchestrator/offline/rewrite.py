"""The offline engine's rewrite of one part of a document, in one of three styles.

Deterministic and conservative: it only removes, reorders and respells what is already there,
so it never invents a fact.

- ``concise``: filler phrases go ("responsible for", "in order to"), asides in parentheses that
  hold no number or skill go, and of several sentences the ones with numbers or skills stay.
- ``quantified``: the clause with a number leads ("Saved 6 hours a week — automated weekly
  reports"); a part without a number borrows the profile bullet it was written from, if that
  one has a number. Nothing is quantified that the profile does not quantify.
- ``posting_wording``: skills named the profile's way are respelled the posting's way
  ("Postgres" -> "PostgreSQL"), and a list of skills puts the posting's first, for skills the
  profile has.

A section is rewritten line by line (headings, dates and blank lines are kept as they are).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from orchestrator.offline.taxonomy import canonical_skill, find_skills, skill_key
from orchestrator.schemas import JobPosting, Profile

_FILLER: list[tuple[re.Pattern, str]] = [(re.compile(p, re.I), r) for p, r in [
    (r"\b(?:was|were) responsible for\s+", ""), (r"\bresponsible for\s+", ""), (r"\bin charge of\s+", ""),
    (r"\bin order to\b", "to"), (r"\bwith the goal of\s+", "to "), (r"\bfor the purpose of\b", "for"),
    (r"\b(?:was|were) able to\s+", ""), (r"\bsuccessfully\s+", ""), (r"\beffectively\s+", ""),
    (r"\bvarious\s+", ""), (r"\ba (?:wide )?(?:number|variety|range) of\b", "many"), (r"\bvery\s+", ""),
    (r"\breally\s+", ""), (r"\bon a (daily|weekly|monthly|yearly) basis\b", r"\1"), (r"\butili[sz]ed\b", "used"),
    (r"\butili[sz]e\b", "use"), (r"\bassisted in\s+", "helped with "), (r"\bduties included\s+", ""),
    (r"\bI am writing to\b", "I"), (r"\bI would like to\b", "I"), (r"\bplease do not hesitate to\b", "please"),
]]
_ASIDE = re.compile(r"\s*\(([^()]{1,200})\)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")
_NUMBER = re.compile(r"\d")
_CLAUSE = re.compile(r",\s+|;\s+|\s+[—–]\s+")
_MARKER = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])\s+)")
_KEEP_LINE = re.compile(r"^\s*(?:#|\*[^*].*\*\s*$|_.*_\s*$|$)")  # headings, *dates*, blank lines
_LIST_SEP = re.compile(r"\s+·\s+|,\s+")
_TOKEN = re.compile(r"[\w+#./-]+")
_WORD = re.compile(r"[a-z]{3,}")
# outcome verbs a clause may start with as a gerund ("…, saving 6 hours") -> as they lead a bullet
_GERUND = {"saving": "Saved", "cutting": "Cut", "reducing": "Reduced", "lifting": "Lifted",
           "increasing": "Increased", "improving": "Improved", "raising": "Raised", "growing": "Grew",
           "lowering": "Lowered", "boosting": "Boosted", "doubling": "Doubled", "halving": "Halved",
           "shrinking": "Shrank", "speeding": "Sped", "serving": "Served", "reaching": "Reached",
           "delivering": "Delivered", "generating": "Generated", "winning": "Won", "driving": "Drove"}
_STOP = {"the", "and", "for", "with", "from", "into", "our", "their", "that", "this", "over", "across", "used"}


# ----------------------------------------------------------------- concise


def _has_substance(text: str) -> bool:
    return bool(_NUMBER.search(text) or find_skills(text))


def concise(text: str, _profile: Profile, _job: JobPosting) -> str:
    out = text
    for pattern, repl in _FILLER:
        out = pattern.sub(repl, out)
    out = _ASIDE.sub(lambda m: m.group(0) if _has_substance(m.group(1)) else "", out)
    sentences = [s for s in _SENTENCE.split(out) if s.strip()]
    if len(sentences) > 1:
        kept = [sentences[0]] + [s for s in sentences[1:] if _has_substance(s)]
        out = " ".join(kept)
    out = re.sub(r"\s{2,}", " ", out).strip()
    return _capitalised(out) if out else text


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# -------------------------------------------------------------- quantified


def _lowered(clause: str) -> str:
    """A clause's first word in lower case, unless it is a name (a skill, an acronym, 'I')."""
    first = clause.split(" ", 1)[0]
    if not first or first == "I" or canonical_skill(first) or any(c.isupper() for c in first[1:]):
        return clause
    return first[:1].lower() + clause[len(first[:1]):]


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def _source_bullet(text: str, profile: Profile) -> str | None:
    """The profile bullet this text was written from (most words in common, at least half), if it
    has a number."""
    mine = _words(text)
    best, score = None, 0.0
    for exp in profile.experience:
        for bullet in exp.bullets:
            theirs = _words(bullet)
            overlap = len(mine & theirs) / max(1, len(mine | theirs))
            if overlap > score:
                best, score = bullet, overlap
    return best if best and score >= 0.5 and _NUMBER.search(best) else None


def quantified(text: str, profile: Profile, _job: JobPosting) -> str:
    if not _NUMBER.search(text):
        source = _source_bullet(text, profile)
        if source is None:
            return text  # nothing in the profile quantifies it: inventing a number is not an option
        text = source.strip().rstrip(".")
    clauses = [c for c in _CLAUSE.split(text.strip()) if c]
    lead = next((i for i, c in enumerate(clauses) if _NUMBER.search(c)), 0)
    if lead == 0:
        return _capitalised(text.strip())
    first, _, rest = clauses[lead].partition(" ")
    led = (_GERUND.get(first.lower(), first) + (" " + rest if rest else "")).rstrip(".")
    others = ", ".join(_lowered(c) for i, c in enumerate(clauses) if i != lead).rstrip(".")
    end = "." if text.rstrip().endswith(".") else ""
    return f"{_capitalised(led)} — {others}{end}"


# --------------------------------------------------------- posting wording


def _profile_has(profile: Profile) -> set[str]:
    text = "\n".join([profile.headline or "", profile.summary or "",
                      *(f"{e.role}\n" + "\n".join(e.bullets) for e in profile.experience)])
    return {skill_key(s) for s in [*profile.skills, *find_skills(text)] if s}


def _posting_terms(profile: Profile, job: JobPosting) -> dict[str, str]:
    """skill key -> the posting's spelling, for the posting's skills the profile has."""
    has = _profile_has(profile)
    return {skill_key(s): s.strip() for s in job.skills if s.strip() and skill_key(s) in has}


def _respelled(text: str, terms: dict[str, str]) -> str:
    """Skill names in ``text`` written the posting's way (longest name first, whole words)."""
    tokens = list(_TOKEN.finditer(text))
    out, pos, i = [], 0, 0
    while i < len(tokens):
        for n in (3, 2, 1):
            group = tokens[i:i + n]
            if len(group) < n:
                continue
            start, end = group[0].start(), group[-1].end()
            phrase = text[start:end]
            canonical = canonical_skill(phrase)
            wanted = terms.get(skill_key(canonical)) if canonical else None
            if wanted and wanted != phrase and not wanted.lower().startswith(phrase.lower() + " "):
                out += [text[pos:start], wanted]
                pos, i = end, i + n
                break
            if canonical:
                i += n
                break
        else:
            i += 1
    return "".join(out) + text[pos:]


def posting_wording(text: str, profile: Profile, job: JobPosting) -> str:
    terms = _posting_terms(profile, job)
    items = _LIST_SEP.split(text.strip())
    if len(items) >= 3 and sum(1 for it in items if canonical_skill(it)) * 2 >= len(items):
        sep = " · " if "·" in text else ", "
        order = list(terms)
        ranked = sorted(items, key=lambda it: order.index(skill_key(it)) if skill_key(it) in terms else len(order))
        return sep.join(terms.get(skill_key(it), it) for it in ranked)
    return _respelled(text, terms)


# ---------------------------------------------------------------- dispatch

STYLES: dict[str, Callable[[str, Profile, JobPosting], str]] = {
    "concise": concise, "quantified": quantified, "posting_wording": posting_wording}


def _rewrite_line(line: str, style: Callable, profile: Profile, job: JobPosting) -> str:
    if _KEEP_LINE.match(line):
        return line
    marker = _MARKER.match(line)
    head = marker.group(1) if marker else line[:len(line) - len(line.lstrip())]
    return head + style(line[len(head):], profile, job)


def rewrite(text: str, *, kind: str, style: str, profile: Profile, job: JobPosting) -> str:
    """``text`` (a section's body, a bullet or a paragraph) rewritten in ``style``."""
    from orchestrator.errors import InputRejected

    fn = STYLES.get(style)
    if fn is None:
        raise InputRejected(f"Unknown rewrite style '{style}'. Choose one of: {', '.join(STYLES)}.")
    if kind == "section":
        return "\n".join(_rewrite_line(line, fn, profile, job) for line in text.split("\n"))
    return fn(" ".join(text.split()), profile, job)


def _load(body: str | None, model, **fallback):
    try:
        return model.model_validate(json.loads(body or "{}"))
    except Exception:  # noqa: BLE001 - a damaged input rewrites against an empty one
        return model(**fallback)


def answer_rewrite(tags: dict[str, str]) -> str:
    """The engine's answer to a rewrite_part prompt's tags."""
    profile = _load(tags.get("profile_json"), Profile)
    job = _load(tags.get("job_json"), JobPosting, title="the advertised position")
    return rewrite(tags.get("part", ""), kind=tags.get("part_kind", "paragraph").strip(),
                   style=tags.get("style", "").strip(), profile=profile, job=job)
