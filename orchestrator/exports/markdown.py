"""A small Markdown reader for generated documents: just enough for CVs and letters.

Models write headings, bullet and numbered lists, bold, italics, links and the
odd rule; that is what is read here, into blocks of styled spans that the
DOCX and PDF writers render. Lines inside a paragraph keep their line breaks
(a CV's contact block is line-oriented), unlike strict CommonMark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Block:
    """``kind`` is heading, paragraph, bullet, number or rule. A paragraph's
    ``lines`` each hold spans; lists and headings use ``lines[0]``."""

    kind: str
    lines: list[list[Span]] = field(default_factory=list)
    level: int = 0  # heading level 1-6, or list nesting depth from 0
    number: int = 0  # for numbered items

    @property
    def spans(self) -> list[Span]:
        return self.lines[0] if self.lines else []

    @property
    def text(self) -> str:
        return "\n".join("".join(s.text for s in line) for line in self.lines)


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+•]\s+(.*)$")
_NUMBER = re.compile(r"^(\s*)(\d{1,3})[.)]\s+(.*)$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
# Inline tokens, in priority order: links, bold, italics, code.
_INLINE = re.compile(
    r"\[(?P<label>[^\[\]]+)\]\((?P<url>[^)\s]+)\)"
    r"|\*\*\*(?P<bi>.+?)\*\*\*"
    r"|\*\*(?P<b1>.+?)\*\*|(?<![\w])__(?P<b2>.+?)__(?![\w])"
    r"|(?<![\w*])\*(?P<i1>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])"
    r"|(?<![\w])_(?P<i2>[^_\s](?:[^_]*[^_\s])?)_(?![\w])"
    r"|`(?P<code>[^`]+)`"
)


# A backslash before ASCII punctuation makes it literal (CommonMark): the character is swapped for
# a private-use stand-in while the line is read, so it never counts as syntax, then swapped back.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_STAND_IN = 0xF0000  # Supplementary Private Use Area-A: not something a document contains


def _protect(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(_STAND_IN + ord(m.group(1))), text)


def _restore(text: str) -> str:
    return re.sub("[\U000F0021-\U000F007E]", lambda m: chr(ord(m.group(0)) - _STAND_IN), text)


def inline(text: str, *, bold: bool = False, italic: bool = False) -> list[Span]:
    """Split one line into spans; nested emphasis (bold inside italics) is kept, and
    backslash-escaped characters are literal text."""
    return [Span(_restore(s.text), s.bold, s.italic) for s in _inline(_protect(text), bold, italic)]


def _inline(text: str, bold: bool, italic: bool) -> list[Span]:
    spans: list[Span] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            spans.append(Span(text[pos:m.start()], bold, italic))
        if m.group("label") is not None:
            label, url = m.group("label"), m.group("url")
            spans.extend(_inline(label, bold, italic))
            if url.rstrip("/") != label.rstrip("/") and not url.startswith("mailto:"):
                spans.append(Span(f" ({url})", bold, italic))
        elif m.group("bi") is not None:
            spans.extend(_inline(m.group("bi"), True, True))
        elif m.group("b1") is not None or m.group("b2") is not None:
            spans.extend(_inline(m.group("b1") or m.group("b2"), True, italic))
        elif m.group("i1") is not None or m.group("i2") is not None:
            spans.extend(_inline(m.group("i1") or m.group("i2"), bold, True))
        else:
            spans.append(Span(m.group("code"), bold, italic))
        pos = m.end()
    if pos < len(text):
        spans.append(Span(text[pos:], bold, italic))
    return _merge([s for s in spans if s.text])


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in spans:
        if out and (out[-1].bold, out[-1].italic) == (s.bold, s.italic):
            out[-1] = Span(out[-1].text + s.text, s.bold, s.italic)
        else:
            out.append(s)
    return out


def _clean(line: str) -> str:
    """Drop Markdown's hard-break markers (two trailing spaces or a backslash)."""
    line = line.rstrip()
    return line[:-1].rstrip() if line.endswith("\\") else line


def parse(markdown: str) -> list[Block]:
    """Markdown text -> blocks. Code fences are read as plain paragraphs."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("paragraph", [inline(_clean(x).strip()) for x in para]))
            para.clear()

    lines = (markdown or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for raw in lines:
        line = raw.expandtabs(4)
        if not line.strip() or line.strip().startswith("```"):
            flush()
            continue
        if para and len(para) == 1 and _SETEXT.match(line) and not _BULLET.match(para[0]):
            level = 1 if line.strip().startswith("=") else 2
            blocks.append(Block("heading", [inline(_clean(para.pop()).strip())], level=level))
            continue
        if _RULE.match(line):
            flush()
            blocks.append(Block("rule"))
            continue
        if m := _HEADING.match(line):
            flush()
            blocks.append(Block("heading", [inline(m.group(2))], level=len(m.group(1))))
            continue
        if m := _BULLET.match(line):
            flush()
            blocks.append(Block("bullet", [inline(_clean(m.group(2)))], level=min(len(m.group(1)) // 2, 3)))
            continue
        if m := _NUMBER.match(line):
            flush()
            blocks.append(Block("number", [inline(_clean(m.group(3)))], level=min(len(m.group(1)) // 2, 3),
                                number=int(m.group(2))))
            continue
        if line.startswith("    ") and blocks and blocks[-1].kind in ("bullet", "number") and not para:
            blocks[-1].lines[0].extend(inline(" " + _clean(line).strip()))  # a wrapped list item
            continue
        para.append(line)
    flush()
    return blocks


def plain_text(markdown: str) -> str:
    """The document's text without Markdown marks (for search and previews)."""
    out = []
    for b in parse(markdown):
        if b.kind == "rule":
            continue
        prefix = "• " if b.kind == "bullet" else f"{b.number}. " if b.kind == "number" else ""
        out.append(prefix + b.text)
    return "\n".join(out)
