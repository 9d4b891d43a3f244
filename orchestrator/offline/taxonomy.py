"""Skill matching against the built-in taxonomy.

Aliases are compiled into trie-shaped regular expressions (one
case-insensitive, one case-sensitive) so that scanning a long posting costs
one pass rather than one pass per alias: a 200 KB text still scans in
milliseconds. Matches honour word boundaries that treat ``+``, ``#`` and ``.``
as part of a name, so "C++", "C#" and ".NET" are whole words and "Java" never
matches inside "JavaScript".
"""

from __future__ import annotations

import re
from functools import lru_cache

from orchestrator.offline.taxonomy_data import SKILLS

# A name is bounded by anything that is not a letter, digit, '+', '#' or '_'.
_BEFORE = r"(?<![\w+#.])"
_AFTER = r"(?![\w+#])"


def _norm(term: str) -> str:
    """Lookup key: lower case, hyphens as spaces, single spaces."""
    return re.sub(r"[\s\-]+", " ", term.strip().lower())


def _parse() -> tuple[list[str], dict[str, str], dict[str, str], dict[str, str]]:
    """(canonicals, insensitive alias map, sensitive alias map, contextual map)."""
    canonicals: list[str] = []
    insensitive: dict[str, str] = {}
    sensitive: dict[str, str] = {}
    contextual: dict[str, str] = {}
    for raw in SKILLS.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        terms = [t.strip() for t in line.split("|") if t.strip()]
        canonical = terms[0].lstrip("=~")
        canonicals.append(canonical)
        for term in terms:
            if term.startswith("~"):
                contextual[term[1:]] = canonical
            elif term.startswith("="):
                sensitive.setdefault(re.sub(r"[\s\-]+", " ", term[1:]), canonical)
            else:
                insensitive.setdefault(_norm(term), canonical)
    return canonicals, insensitive, sensitive, contextual


CANONICALS, _CI, _CS, _CTX = _parse()
_CS_LOWER = {k.lower(): v for k, v in _CS.items()}
_CTX_LOWER = {k.lower(): v for k, v in _CTX.items()}


def _trie_pattern(words: list[str]) -> str:
    """One regex alternation shaped like a trie; greedy, so longest alias wins."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        alts = []
        for ch in sorted(k for k in node if k):
            piece = r"[ \-]" if ch == " " else re.escape(ch)
            alts.append(piece + build(node[ch]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and not end else "(?:" + "|".join(alts) + ")"
        return body + "?" if end else body

    return build(trie)


_CI_RE = re.compile(_BEFORE + "(?:" + _trie_pattern(list(_CI)) + ")" + _AFTER, re.I)
_CS_RE = re.compile(_BEFORE + "(?:" + _trie_pattern(list(_CS)) + ")" + _AFTER)
_CTX_RE = re.compile(r"(?<![\w+#.\-/])(?:" + "|".join(map(re.escape, _CTX)) + r")(?![\w+#\-])")

# Context that makes "Go", "C" or "R" a programming language.
_CTX_BEFORE = re.compile(
    r"(?:[,/(;]\s*|\b(?:in|with|and|or|using|like|e\.g\.|incl\.|including|plus|language[s]?:?|"
    r"mit|und|oder|en|et|ou|y|o)\s+|^\s*(?:[-*•·]\s*)?)$",
    re.I,
)
_CTX_AFTER = re.compile(
    r"^(?:\s*[,/);]|\s*$|\s*\+\+|\s+(?:and|or|&|und|oder|et|ou)\s+[A-Z]|"
    r"\s*\(?(?:programming|language|lang|developer|engineer|services?|microservices|code|"
    r"backend|experience|skills?)\b)",
)


def _contextual_hits(text: str) -> list[tuple[int, str]]:
    hits: list[tuple[int, str]] = []
    for m in _CTX_RE.finditer(text):
        lo = max(0, m.start() - 30)
        line_start = text.rfind("\n", lo, m.start()) + 1 or lo
        before = text[line_start: m.start()]
        line_end = text.find("\n", m.end(), m.end() + 40)
        after = text[m.end(): (line_end if line_end != -1 else m.end() + 40)]
        strong_after = _CTX_AFTER.match(after)
        if not _CTX_BEFORE.search(before) and not strong_after:
            continue
        # At the start of a line or sentence the word alone is not enough ("Go live ...").
        if re.search(r"(?:^\s*(?:[-*•·]\s*)?|[.!?:]\s+)$", before) and not strong_after:
            continue
        hits.append((m.start(), _CTX[m.group(0)]))
    return hits


def find_skills(text: str, limit: int = 60) -> list[str]:
    """Canonical skills named in ``text``, in order of first mention."""
    if not text:
        return []
    hits: list[tuple[int, str]] = []
    for m in _CI_RE.finditer(text):
        canonical = _CI.get(_norm(m.group(0)))
        if canonical:
            hits.append((m.start(), canonical))
    for m in _CS_RE.finditer(text):
        canonical = _CS.get(re.sub(r"[\s\-]+", " ", m.group(0)))
        if canonical:
            hits.append((m.start(), canonical))
    hits.extend(_contextual_hits(text))
    hits.sort(key=lambda h: h[0])
    seen: dict[str, None] = {}
    for _, canonical in hits:
        seen.setdefault(canonical, None)
        if len(seen) >= limit:
            break
    return list(seen)


@lru_cache(maxsize=4096)
def canonical_skill(name: str) -> str | None:
    """The canonical spelling of a skill name, or None if it is not in the taxonomy."""
    name = re.sub(r"\s*\([^()]*\)\s*$", "", (name or "").strip()) or (name or "").strip()
    if not name:
        return None
    if name in _CTX:
        return _CTX[name]
    key = re.sub(r"[\s\-]+", " ", name)
    if key in _CS:
        return _CS[key]
    # A whole string that is a skill name is unambiguous in any case: "spark", "go", "excel".
    return _CI.get(_norm(name)) or _CS_LOWER.get(key.lower()) or _CTX_LOWER.get(name.lower())


def skill_key(name: str) -> str:
    """A comparison key: the canonical name if known, else the normalised text."""
    return _norm(canonical_skill(name) or name)
