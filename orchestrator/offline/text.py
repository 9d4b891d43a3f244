"""Text clean-up shared by posting extraction and CV import.

Pasted text arrives in every shape: copied web pages with HTML left over,
non-breaking spaces, Windows line ends, control characters, bullets in a dozen
glyphs. Everything downstream works on the clean, line-oriented text these
helpers produce, so the heuristics only ever see one shape.
"""

from __future__ import annotations

import html
import re

MAX_CHARS = 60_000  # postings and CVs are far shorter; this bounds the work on junk input
MAX_RAW_CHARS = 400_000  # raw input looked at before HTML stripping

_HTML_HINT = re.compile(r"<\s*/?\s*(?:p|div|br|li|ul|ol|h[1-6]|span|strong|b|em|i|a|table|tr|td|section|html|body)\b[^>]*>", re.I)
_HTML_DROP = re.compile(r"<(script|style|head|noscript)\b.*?</\1\s*>", re.I | re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_BREAK = re.compile(r"<\s*(?:br|hr)\s*/?\s*>|<\s*/\s*(?:p|div|h[1-6]|tr|section|article|header|footer|ul|ol|table)\s*>", re.I)
_HTML_BLOCK_OPEN = re.compile(r"<\s*(?:p|div|h[1-6]|tr|section|article|ul|ol|table)\b[^>]*>", re.I)
_HTML_HEADING_OPEN = re.compile(r"<\s*h[1-6]\b[^>]*>", re.I)
_HTML_LI = re.compile(r"<\s*li\b[^>]*>", re.I)
_HTML_TAG = re.compile(r"<[^<>]{0,2000}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u202f\u2007\u2009\u3000]+")

BULLET_RE = re.compile(r"^\s*(?:[-*+•·‣▪◦●○■□➢➤►▸✓✔✅→–—]+|\(?\d{1,2}[.)]|\(?[a-h]\))\s*(?=\S)")
_BULLET_NEEDS_SPACE = re.compile(r"^\s*(?:[-*+]|\(?\d{1,2}[.)]|\(?[a-h]\))\S")

LETTERS = re.compile(r"[^\W\d_]", re.U)


def strip_html(text: str) -> str:
    """Turn HTML-ish text into lines: block tags become line breaks, <li> a bullet."""
    text = _HTML_COMMENT.sub(" ", text)
    text = _HTML_DROP.sub(" ", text)
    text = _HTML_HEADING_OPEN.sub("\n\n## ", text)
    text = _HTML_LI.sub("\n- ", text)
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_BLOCK_OPEN.sub("\n", text)
    return _HTML_TAG.sub("", text)


def clean_text(text: str | None, max_chars: int = MAX_CHARS) -> str:
    """Normalised text: no HTML, no control characters, single spaces, \\n line ends."""
    if not text:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = text[:MAX_RAW_CHARS]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _HTML_HINT.search(text):
        text = strip_html(text)
    if "&" in text:
        text = html.unescape(text)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    lines = [ln.strip() for ln in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text[:max_chars]


def is_meaningful(line: str) -> bool:
    """A line a person would read: at least two letters and mostly not punctuation."""
    letters = len(LETTERS.findall(line))
    return letters >= 2 and letters >= len(line.strip()) * 0.3


def strip_bullet(line: str) -> tuple[bool, str]:
    """(was it a bullet, the text without its marker)."""
    m = BULLET_RE.match(line)
    if not m or _BULLET_NEEDS_SPACE.match(line):
        return False, line.strip()
    rest = line[m.end():].strip()
    # "2024 planning" is not a numbered item, nor is "- " alone.
    return (bool(rest), rest or line.strip())


def strip_inline_markdown(text: str) -> str:
    """Drop emphasis markers, heading hashes and link syntax; keep the words."""
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text)
    text = re.sub(r"\[([^\]]+)\]\((?:[^)]+)\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return text.strip()


def heading_text(line: str) -> str | None:
    """The text of a heading-looking line (Markdown #, **bold**, 'Title:' or ALL CAPS), else None."""
    raw = line.strip()
    if not raw or len(raw) > 80:
        return None
    if re.match(r"^#{1,6}\s+\S", raw):
        return strip_inline_markdown(raw).rstrip(":").strip()
    m = re.match(r"^(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?$", raw)
    if m:
        return m.group(1).rstrip(":").strip()
    if raw.endswith(":") and len(raw) <= 60 and not BULLET_RE.match(raw):
        return raw[:-1].strip()
    letters = LETTERS.findall(raw)
    if len(letters) >= 4 and raw.upper() == raw and len(raw.split()) <= 6 and re.fullmatch(r"[^\W\d_][\w\s&'’-]*", raw):
        return raw.strip()
    return None


def split_sentences(text: str) -> list[str]:
    """Sentences, split on ., ! or ? followed by a capital or a line break."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜÉÈÀ0-9\"'(])|\n+", text)
    return [p.strip() for p in parts if p and p.strip()]


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and add an ellipsis when ``text`` is longer than ``limit``."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-–— ")
    return (cut or text[:limit]) + "…"


def dedupe(items: list[str]) -> list[str]:
    """Keep the first of items that differ only in case and spacing."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = re.sub(r"\W+", " ", item.lower()).strip()
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return out
