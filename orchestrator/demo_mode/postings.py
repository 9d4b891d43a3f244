"""Sample job postings for the demo, served as web pages by the app itself
(``GET /demo/postings/<slug>``, only while demo mode is on), so Extract → Link can be shown
without the internet once a super admin allows links to local addresses.

The postings ship with the package (``postings/*.txt``); each becomes a plain HTML page (title,
paragraphs, bullet lists), escaped, with no script.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DIR = Path(__file__).with_name("postings")
PATH = "/demo/postings"
_BULLET = re.compile(r"^\s*(?:[•*\-–]|\d+[.)])\s+")
_MARKUP = re.compile(r"^#+\s*|\*\*")


@dataclass(frozen=True)
class Sample:
    slug: str
    title: str
    text: str

    def url(self, base: str) -> str:
        return f"{base.rstrip('/')}{PATH}/{self.slug}"


def _clean(line: str) -> str:
    return _MARKUP.sub("", line).strip()


@cache
def samples() -> tuple[Sample, ...]:
    out = []
    for path in sorted(DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        title = next((_clean(line) for line in text.splitlines() if line.strip()), path.stem)
        out.append(Sample(path.stem, title, text))
    return tuple(out)


def find(slug: str) -> Sample | None:
    return next((s for s in samples() if s.slug == slug), None)


def page(sample: Sample) -> str:
    """The posting as a small, script-free HTML page."""
    lines = sample.text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    parts, items = [], []

    def flush() -> None:
        if items:
            parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in lines[first + 1:]:
        if _BULLET.match(line):
            items.append(_clean(_BULLET.sub("", line)))
            continue
        flush()
        if line.strip():
            parts.append(f"<p>{html.escape(_clean(line))}</p>")
    flush()
    title = html.escape(sample.title)
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            f"<body><main><h1>{title}</h1>{''.join(parts)}</main></body></html>")


def index_page(base: str) -> str:
    links = "".join(f'<li><a href="{html.escape(s.url(base))}">{html.escape(s.title)}</a></li>'
                    for s in samples())
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Demo job postings</title>"
            f"</head><body><main><h1>Demo job postings</h1><ul>{links}</ul></main></body></html>")
