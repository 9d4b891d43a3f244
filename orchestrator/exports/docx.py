"""Markdown -> DOCX with python-docx: real headings, list styles and bold/italic runs,
so the file reads as a Word document rather than as Markdown source. Text runs only: no
pictures and no hyperlink relationships, so opening the file fetches nothing."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from orchestrator.exports.markdown import Block, Span, parse
from orchestrator.safe_markdown import safe_markdown

_LIST_STYLES = {"bullet": "List Bullet", "number": "List Number"}


# Characters XML 1.0 cannot hold (python-docx refuses them): dropped, so odd model output
# cannot make the download fail.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _runs(paragraph, spans: list[Span]) -> None:
    for span in spans:
        run = paragraph.add_run(_NOT_XML.sub("", span.text))
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


def to_docx(markdown: str, title: str = "", author: str = "") -> bytes:
    """A Word document from a generated Markdown text (sanitised by ``safe_markdown``);
    ``title`` and ``author`` (the candidate) go to the file's properties. python-docx's
    template would otherwise say "python-docx" as author and last editor, and carry its own
    2013 dates and revision: every property a reader sees is set here."""
    import docx

    document = docx.Document()
    _set_base_style(document)
    props = document.core_properties
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    name = _NOT_XML.sub("", author or "").strip()[:255]
    props.title = _NOT_XML.sub("", title or "")[:255]
    props.author = name
    props.last_modified_by = name
    props.created = props.modified = now
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""
    for block in parse(safe_markdown(markdown, streamlit=False)):
        _add_block(document, block)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
