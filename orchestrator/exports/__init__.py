"""Downloads of generated documents: DOCX (python-docx), PDF (fpdf2, bundled Unicode font)
and Markdown. Pure functions from Markdown text to bytes; no Streamlit, no database.

Every writer passes the text through ``safe_markdown`` first: a generated document is model
output, so no format ever embeds or fetches an image or carries a javascript:/data: link.
DOCX and PDF hold text runs only (no pictures, no hyperlinks); links show as "label (url)".
Their properties name the candidate as the author (``author``: the profile's name, else the
account's name or e-mail, from ``services.user.profiles.document_author``), never this app."""

from __future__ import annotations

import re
import unicodedata

from orchestrator.exports.docx import to_docx
from orchestrator.exports.markdown import parse, plain_text
from orchestrator.exports.pdf import to_pdf
from orchestrator.safe_markdown import safe_markdown

FORMATS = {
    "docx": ("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("PDF", "application/pdf"),
    "md": ("Markdown", "text/markdown"),
}


def to_markdown(markdown: str, title: str = "", author: str = "") -> bytes:
    """The Markdown as a UTF-8 file with Unix line endings and one final newline, made safe by
    ``safe_markdown`` (no remote images, raw HTML or unsafe links for whatever viewer opens it).
    ``title`` and ``author`` are accepted for symmetry with the other formats: a Markdown file has
    no properties, and the text already has its heading (front matter would show in most viewers)."""
    text = safe_markdown(markdown, streamlit=False).strip("\n")
    return (text + "\n").encode("utf-8")


def export(markdown: str, *, fmt: str, title: str = "", author: str = "") -> bytes:
    """One of FORMATS (docx, pdf, md) as bytes; ``author`` goes to the DOCX and PDF properties."""
    writers = {"docx": to_docx, "pdf": to_pdf, "md": to_markdown}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}")
    return writers[fmt](markdown, title, author)


def file_name(title: str, fmt: str) -> str:
    """A safe, readable file name: 'CV — Data Engineer at Acme' -> 'cv-data-engineer-at-acme.pdf'."""
    ascii_title = unicodedata.normalize("NFKD", title or "document").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", ascii_title).strip("-").lower()[:80] or "document"
    return f"{slug}.{fmt}"


__all__ = ["FORMATS", "export", "file_name", "parse", "plain_text", "to_docx", "to_markdown", "to_pdf"]
