"""The parts of a Markdown document a user can rewrite on their own: sections, bullets, paragraphs.

A CV is ``# Name``, then ``##`` sections of paragraphs and bullets; a cover letter is paragraphs.
``parts`` lists, in document order, every section (its body: the heading itself is kept), every
bullet (its text: the marker is kept) and every paragraph outside a list, each with the offsets of
its text. ``splice`` puts a rewritten part back in its place and nothing else changes: the rest of
the document stays byte for byte as it was. Parsing is deterministic, so a part's index in one
(immutable) version of a document names the same text every time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_BULLET = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])[ \t]+(?=\S)")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_RULE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE = re.compile(r"^[ \t]*\|")
_EMPHASIS = re.compile(r"(?<!\\)(?:\*\*|__|\*|`)")
_CONTACT = re.compile(r"\S@\S|://")
LABEL_CHARS = 70
MIN_WORDS = 4  # shorter paragraphs (a date line, a sign-off) are not worth rewriting alone
KINDS = ("section", "bullet", "paragraph")


@dataclass(frozen=True)
class Part:
    """One rewritable part: ``text`` is ``document[start:end]``."""

    index: int
    kind: str  # section | bullet | paragraph
    start: int
    end: int
    text: str
    heading: str | None  # the section it belongs to (a section: its own heading)

    @property
    def label(self) -> str:
        """What a picker shows: 'Section · Experience', 'Bullet · Led a team of five…'."""
        if self.kind == "section":
            return f"Section · {self.heading}"
        words = " ".join(_EMPHASIS.sub("", self.text).split())
        short = words if len(words) <= LABEL_CHARS else words[:LABEL_CHARS].rsplit(" ", 1)[0] + "…"
        return f"{self.kind.capitalize()} · {short}"


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line without its newline) for every line."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` without leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def parts(text: str) -> list[Part]:
    """Every section, bullet and paragraph of ``text``, in document order."""
    text = text or ""
    lines = _lines(text)
    found: list[tuple[str, int, int, str | None]] = []
    headings: list[tuple[int, int, str]] = []  # (line index, level, title)
    fenced, block = False, []  # block: the line indexes of the paragraph or bullet being read
    block_kind, heading = "", None

    def close() -> None:
        nonlocal block
        if block:
            start = lines[block[0]][0] + (_BULLET.match(lines[block[0]][1]).end() if block_kind == "bullet" else 0)
            last = lines[block[-1]]
            s, e = _trimmed(text, start, last[0] + len(last[1]))
            if e > s:
                found.append((block_kind, s, e, heading))
        block = []

    for i, (_pos, line) in enumerate(lines):
        if _FENCE.match(line):
            close()
            fenced = not fenced
            continue
        if fenced:
            continue
        h = _HEADING.match(line)
        if h:
            close()
            heading = h.group(2).strip() or None
            headings.append((i, len(h.group(1)), heading or ""))
            continue
        if not line.strip() or _RULE.match(line) or _TABLE.match(line):
            close()
            continue
        if _BULLET.match(line):
            close()
            block, block_kind = [i], "bullet"
            continue
        if block and (block_kind == "paragraph" or line[:1] in " \t"):
            block.append(i)  # a paragraph's next line, or a bullet's continuation
            continue
        close()
        block, block_kind = [i], "paragraph"
    close()
    sections = _sections(text, lines, headings)
    spans = {(s, e) for _k, s, e, _h in sections}
    found = [f for f in found if f[0] == "bullet" or ((f[1], f[2]) not in spans and _worth_it(text[f[1]:f[2]]))]
    found += sections
    found.sort(key=lambda f: (f[1], KINDS.index(f[0])))
    return [Part(n, kind, s, e, text[s:e], head) for n, (kind, s, e, head) in enumerate(found)]


def _worth_it(paragraph: str) -> bool:
    """A paragraph worth rewriting on its own: a few words, not a contact line (e-mail, link)."""
    return len(paragraph.split()) >= MIN_WORDS and not _CONTACT.search(paragraph)


def _sections(text: str, lines, headings) -> list[tuple[str, int, int, str | None]]:
    """Each heading of level 2 or deeper with a body: up to the next heading of its level or above."""
    out = []
    for n, (i, level, title) in enumerate(headings):
        if level < 2 or not title:
            continue
        nxt = next((j for j, lv, _t in headings[n + 1:] if lv <= level), None)
        body_start = lines[i + 1][0] if i + 1 < len(lines) else len(text)
        body_end = lines[nxt][0] if nxt is not None else len(text)
        s, e = _trimmed(text, body_start, body_end)
        if e > s:
            out.append(("section", s, e, title))
    return out


def find(text: str, index: int) -> Part | None:
    found = parts(text)
    return found[index] if 0 <= index < len(found) else None


_LEADING_MARKER = re.compile(r"^\s*(?:[-*+•]|\d{1,9}[.)])\s+")


def fit(part: Part, replacement: str) -> str:
    """A rewritten part in the shape of the original: a bullet or a paragraph stays one (one line,
    no marker: the document keeps its own), a section's body loses a repeated heading."""
    text = (replacement or "").strip().strip("`").strip()
    if part.kind in ("bullet", "paragraph"):
        text = _LEADING_MARKER.sub("", " ".join(text.split()))
        return text
    lines = text.split("\n")
    if lines and (h := _HEADING.match(lines[0])) and h.group(2).strip().lower() == (part.heading or "").lower():
        text = "\n".join(lines[1:]).strip()
    return text


def splice(text: str, part: Part, replacement: str) -> str:
    """``text`` with ``part`` replaced by ``replacement`` (fitted to its shape); nothing else changes."""
    return text[:part.start] + fit(part, replacement) + text[part.end:]
