"""Markdown -> PDF with fpdf2 and the bundled DejaVu Sans (Unicode: €, ä, ł, ß, – …).

The font ships in ``assets/fonts`` (Bitstream Vera licence, redistributable),
so PDFs look the same on a fresh machine with nothing but Python installed.
"""

from __future__ import annotations

from pathlib import Path

from orchestrator.exports.markdown import Block, Span, parse
from orchestrator.safe_markdown import safe_markdown

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
FAMILY = "DejaVu"
_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_HEADING_SIZES = {1: 18, 2: 13.5, 3: 11.5}
_BODY = 10.5
_LINE = 5.4  # mm per body line
_ACCENT = (31, 78, 121)
_MARKERS = ("**", "__", "~~", "--")


def _escape(text: str) -> str:
    """Neutralise fpdf2's own Markdown markers inside literal text. fpdf2's escape only
    covers its emphasis markers, not links, see ``_fpdf_markdown``."""
    text = text.replace("\\", "\\\\")
    for marker in _MARKERS:
        text = text.replace(marker, "\\" + marker)
    return text


def _fpdf_markdown(spans: list[Span]) -> str:
    """Spans as fpdf2 markup: ``**bold**``, ``__italic__`` (bold+italic renders bold:
    no bold-oblique face is bundled)."""
    out = []
    for s in spans:
        text = _escape(s.text)
        if s.bold:
            text = f"**{text}**"
        elif s.italic:
            text = f"__{text}__"
        out.append(text)
    # fpdf2 turns ``[text](target)`` into a link annotation (any URI, even javascript:), and a
    # backslash does not stop it. Links were already turned into "label (url)" text by the
    # reader, so a "](" left here is literal text: a space keeps fpdf2 from linking it.
    return "".join(out).replace("](", "] (")


def _new_pdf(title: str, author: str):
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    for style, name in _FONTS.items():
        pdf.add_font(FAMILY, style, str(FONT_DIR / name))
    # Bold italics fall back to bold; fpdf2 needs the face registered under that style.
    pdf.add_font(FAMILY, "BI", str(FONT_DIR / _FONTS["B"]))
    pdf.set_title(title or "Document")
    if author.strip():
        pdf.set_author(author.strip())
    pdf.add_page()
    return pdf


def _heading(pdf, block: Block) -> None:
    size = _HEADING_SIZES.get(block.level, _BODY + 0.5)
    pdf.ln(2.5 if block.level > 1 else 0)
    pdf.set_font(FAMILY, "B", size)
    if block.level <= 2:
        pdf.set_text_color(*_ACCENT)
    pdf.multi_cell(0, size * 0.5, _fpdf_markdown([Span(s.text) for s in block.spans]), markdown=True,
                   align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    if block.level == 2:
        y = pdf.get_y() + 0.6
        pdf.set_draw_color(*_ACCENT)
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
        pdf.ln(1.8)
    else:
        pdf.ln(1)


def _list_item(pdf, block: Block) -> None:
    indent = 4 + 5 * block.level
    marker = "•" if block.kind == "bullet" else f"{block.number}."
    pdf.set_font(FAMILY, "", _BODY)
    pdf.set_x(pdf.l_margin + indent)
    pdf.cell(5 if block.kind == "bullet" else 7, _LINE, marker)
    pdf.multi_cell(0, _LINE, _fpdf_markdown(block.spans), markdown=True, align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.6)


def _paragraph(pdf, block: Block) -> None:
    pdf.set_font(FAMILY, "", _BODY)
    text = "\n".join(_fpdf_markdown(line) for line in block.lines)
    pdf.multi_cell(0, _LINE, text, markdown=True, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2.2)


def _rule(pdf) -> None:
    y = pdf.get_y() + 1.5
    pdf.set_draw_color(180, 180, 180)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.ln(4)


def to_pdf(markdown: str, title: str = "", author: str = "") -> bytes:
    """An A4 PDF from a generated Markdown text (sanitised by ``safe_markdown``); ``title`` and
    ``author`` (the candidate) go to its metadata; no /Creator or /Producer names a tool.
    Text only: no images and no link annotations."""
    pdf = _new_pdf(title, author or "")
    blocks = parse(safe_markdown(markdown, streamlit=False))
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            _heading(pdf, block)
        elif block.kind in ("bullet", "number"):
            _list_item(pdf, block)
            nxt = blocks[index + 1] if index + 1 < len(blocks) else None
            if nxt is None or nxt.kind not in ("bullet", "number"):
                pdf.ln(1.6)
        elif block.kind == "rule":
            _rule(pdf)
        else:
            _paragraph(pdf, block)
    return bytes(pdf.output())
