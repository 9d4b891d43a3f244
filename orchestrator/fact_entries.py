"""The entries of a drafted CV (``orchestrator.fact_check``): which lines say "this role, at this
employer, these years", whatever shape the model chose.

Real drafts come as ``### Role — Company (2019–2023)``, ``**Company** | Role | 2019 – Present``,
tables, bullets (``- Role, Company, 2019–2023``) or a heading followed by an italic date line.
A *block* is one entry: a heading, a bold lead line, a table row or a dated line, plus the
plain lines right after it (up to the first bullet or paragraph). Achievement bullets and
paragraphs are not blocks: their dates, skills, degrees and organisations are checked on the
whole text instead. Sections ("Experience", "Berufserfahrung", "Formation"...) say whether a
dateless heading is an entry. Each line is looked at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from orchestrator.fact_evidence import PRESENT, fold, years
from orchestrator.fact_terms import section_of

MAX_ENTRY_CHARS = 200  # a longer line is prose, never an entry

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_BULLET = re.compile(r"^[ \t]*(?:[-*+•·▪◦]|\d{1,2}[.)])[ \t]+(.*)$")
_TABLE_SEP = re.compile(r"^\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?$")
_LINK = re.compile(r"!?\[([^\]\n]{0,200})\]\([^)\n]{0,500}\)")
_MARKUP = re.compile(r"\*\*|__|`|(?<!\w)[*_]|[*_](?!\w)")
_DATE = r"(?:(?:[a-z]{3,10}\.?[ \t]+)?(?:19|20)\d\d(?:[-/.](?:0[1-9]|1[0-2]))?|(?:0?[1-9]|1[0-2])[/.](?:19|20)\d\d)"
_RANGE = re.compile(
    rf"{_DATE}[ \t]*(?:-|–|—|to|bis|a|au|al|till|until|through|hasta|fino a|ate|tot|do)[ \t]*(?:{_DATE}|"
    + PRESENT.pattern.replace(r"\b(?:", "(?:", 1) + ")")
_SEP = re.compile(r"[ \t]+[—–-][ \t]+|[ \t]*[|·•,;:()\[\]/—–][ \t]*|[ \t]+(?:at|@|bei|chez|en|presso|bij|w|na|em)[ \t]+")
_LABEL_WORDS = frozenset("""
role company position employer title dates date period location duration team department
firma unternehmen zeitraum ort poste entreprise periode lieu puesto empresa periodo lugar
""".split())


@dataclass
class Line:
    text: str  # without Markdown markup
    entry: bool  # says "role / employer / dates" by itself
    pos: int  # where the line starts in the draft


@dataclass
class Block:
    section: str | None
    lines: list[Line] = field(default_factory=list)

    @property
    def is_entry(self) -> bool:
        return any(line.entry for line in self.lines)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def has_present(self) -> bool:
        return any(_RANGE.search(fold(line.text)) and PRESENT.search(line.text) for line in self.lines)


@dataclass
class Shape:
    """What the structure of a draft says: its entries, certification items and headline."""

    blocks: list[Block] = field(default_factory=list)
    cert_items: list[tuple[int, str]] = field(default_factory=list)  # (where, text)
    headline: str | None = None


def clean(text: str) -> str:
    """Markdown markup off: links become their text, emphasis marks go."""
    return _MARKUP.sub("", _LINK.sub(r"\1", text)).strip()


def has_range(text: str) -> bool:
    return bool(_RANGE.search(fold(text)))


def _sentence(text: str) -> bool:
    n = len(text.split())
    return n > 20 or (n > 8 and text.rstrip().endswith((".", "!", "?")))


def _short(text: str) -> bool:
    return len(text) <= MAX_ENTRY_CHARS and not _sentence(text)


def parse(markdown: str) -> Shape:
    shape = Shape()
    section: str | None = None
    block: Block | None = None
    lines = markdown.splitlines(keepends=True)
    seen_name = False
    offset = 0
    for i, raw in enumerate(lines):
        pos, offset = offset, offset + len(raw)
        raw = raw.rstrip("\r\n")
        stripped = raw.strip()
        if not stripped:
            continue
        heading = _HEADING.match(stripped)
        bullet = _BULLET.match(raw) if not heading else None
        body = clean(heading.group(2) if heading else bullet.group(1) if bullet else stripped)
        if not body:
            continue
        if heading and heading.group(1) == "#" and not seen_name:
            seen_name = True
            shape.headline = _headline(lines, i + 1)
            block = None
            continue
        named = section_of(body) if (heading or _section_line(stripped, body)) and _title_like(body) else None
        if named is not None:
            section, block = named, None
            continue
        dated = bool(years(body))
        if stripped.startswith("|"):
            block = _table_row(shape, lines, i, pos, stripped, section, dated)
            continue
        if section == "certifications" and (bullet or not heading) and _short(body):
            shape.cert_items.append((pos, body))
            block = None
            continue
        work = section in ("experience", "education")
        if heading or (stripped.startswith(("**", "__")) and _short(body)):
            block = Block(section, [Line(body, work or dated, pos)])
            shape.blocks.append(block)
            continue
        if bullet:
            lead = raw.lstrip()[2:].lstrip().startswith(("**", "__"))
            if _short(body) and ((work and lead) or (section == "education" and dated) or has_range(body)):
                shape.blocks.append(Block(section, [Line(body, True, pos)]))
            block = None
            continue
        if not _short(body):
            block = None
            continue
        entry = has_range(body) or (work and dated)
        if block is not None:
            block.lines.append(Line(body, entry, pos))
        elif entry:
            block = Block(section, [Line(body, True, pos)])
            shape.blocks.append(block)
    return shape


def _section_line(stripped: str, body: str) -> bool:
    """A line standing alone as a section title: all bold, or all capitals."""
    whole_bold = stripped.startswith(("**", "__")) and stripped.endswith(("**", "__", "**:", "__:"))
    return len(body) <= 60 and (whole_bold or (body.isupper() and len(body) > 3))


def _title_like(body: str) -> bool:
    """A section title is a few words: no dates and no separators ("Customer Experience Lead — Acme" is an entry)."""
    return len(body.split()) <= 4 and not years(body) and not any(ch in body for ch in "—–|·•(")


def _headline(lines: list[str], start: int) -> str | None:
    """The line under the name, if it reads as a title (not contact details or a heading)."""
    for raw in lines[start: start + 3]:
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith(("#", "|", "-", "*" + " ")) or "@" in stripped or "http" in stripped:
            return None
        body = clean(stripped)
        if len(body) > 100 or any(ch.isdigit() for ch in body):
            return None
        return body
    return None


def _table_row(shape: Shape, lines: list[str], i: int, pos: int, stripped: str, section: str | None,
               dated: bool) -> Block | None:
    if _TABLE_SEP.match(stripped):
        return None
    following = lines[i + 1].strip() if i + 1 < len(lines) else ""
    if _TABLE_SEP.match(following):  # the header row
        return None
    cells = [clean(c) for c in stripped.strip("|").split("|")]
    body = " | ".join(c for c in cells if c)
    if body and len(body) <= 2 * MAX_ENTRY_CHARS and (section in ("experience", "education") or dated):
        shape.blocks.append(Block(section, [Line(body, True, pos)]))
    return None


def segments(text: str) -> list[str]:
    """The name-like parts of an entry line: no dates, labels, or sentence fragments."""
    out: list[str] = []
    for part in _SEP.split(re.sub(r"[ \t]+", " ", text[: 2 * MAX_ENTRY_CHARS])):
        part = PRESENT.sub(" ", re.sub(r"\d", " ", part)).strip(" .*_-'’\"")
        if not part or not any(ch.isalpha() for ch in part):
            continue
        first = next(ch for ch in part if ch.isalpha())
        ws = part.split()
        if not first.isupper() or len(ws) > 8:
            continue
        if all(fold(w) in _LABEL_WORDS for w in ws):
            continue
        out.append(" ".join(ws))
    return out
