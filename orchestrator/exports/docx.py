"""Markdown -> DOCX with python-docx: real headings, list styles and bold/italic runs,
so the file reads as a Word document rather than as Markdown source."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from orchestrator.exports.markdown import Block, Span, parse

_LIST_STYLES = {"bullet": "List Bullet", "number": "List Number"}


def _runs(paragraph, spans: list[Span]) -> None:
    for span in spans:
        run = paragraph.add_run(span.text)
        run.bold = span.bold or None
        run.italic = span.italic or None


def _set_base_style(document) -> None:
    from docx.shared import Pt

    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)


def _add_block(document, block: Block) -> None:
    from docx.shared import Pt

    if block.kind == "heading":
        heading = document.add_heading(level=min(block.level, 4) if block.level > 1 else 1)
        _runs(heading, block.spans)
    elif block.kind in _LIST_STYLES:
        style = _LIST_STYLES[block.kind] + (f" {block.level + 1}" if block.level else "")
        try:
            para = document.add_paragraph(style=style)
        except KeyError:
            para = document.add_paragraph(style=_LIST_STYLES[block.kind])
        para.paragraph_format.space_after = Pt(2)
        _runs(para, block.spans)
    elif block.kind == "rule":
        document.add_paragraph("―" * 30).paragraph_format.space_after = Pt(6)
    else:
        para = document.add_paragraph()
        for index, line in enumerate(block.lines):
            if index:
                para.add_run().add_break()
            _runs(para, line)


def to_docx(markdown: str, title: str = "") -> bytes:
    """A Word document from a generated Markdown text; ``title`` goes to the file's properties."""
    import docx

    document = docx.Document()
    _set_base_style(document)
    props = document.core_properties
    props.title = (title or "")[:255]
    props.author = "AI Orchestrator"
    props.created = datetime.now(UTC).replace(tzinfo=None)
    for block in parse(markdown):
        _add_block(document, block)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
