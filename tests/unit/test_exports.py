"""Exports: Markdown read into blocks, written as DOCX (python-docx), PDF (fpdf2 with the
bundled Unicode font) and Markdown; each file opens and keeps the text and its styling."""

from __future__ import annotations

import io

import pytest

from orchestrator import exports
from orchestrator.exports.markdown import Span, inline, parse
from orchestrator.exports.pdf import FONT_DIR

CV = """# Frida Früh
**Junior Data Analyst**  
Berlin · frida@example.com

## Profile
Applying for the **Senior Python Engineer** role at Acme — salary €70,000–€90,000, Zürich/Łódź ok.

## Experience
### Data Analyst — Stadtwerke
*2024-03 – 2025-02*
- Built dashboards with *Power BI* for 40 managers
- Cut report time by 6 h/week using [pandas](https://pandas.pydata.org)
  - nested detail
1. first numbered
2. second numbered

---
Snake_case_names and 2 * 3 = 6 stay literal; so does a -- double dash.
"""


def test_parse_reads_headings_lists_rules_and_line_breaks():
    blocks = parse(CV)
    kinds = [(b.kind, b.level) for b in blocks]
    assert kinds[:3] == [("heading", 1), ("paragraph", 0), ("heading", 2)]
    assert blocks[1].lines == [[Span("Junior Data Analyst", bold=True)], [Span("Berlin · frida@example.com")]]
    assert ("bullet", 1) in kinds and ("number", 0) in kinds and ("rule", 0) in kinds
    numbers = [b.number for b in blocks if b.kind == "number"]
    assert numbers == [1, 2]
    assert blocks[-1].text == "Snake_case_names and 2 * 3 = 6 stay literal; so does a -- double dash."


def test_inline_emphasis_links_and_code():
    assert inline("a **b** *c* `d` [e](https://x.org)") == [
        Span("a "), Span("b", bold=True), Span(" "), Span("c", italic=True), Span(" d e (https://x.org)")]
    assert inline("***both***") == [Span("both", bold=True, italic=True)]
    assert inline("[https://x.org](https://x.org)") == [Span("https://x.org")]
    assert inline("snake_case_word") == [Span("snake_case_word")]


def test_backslash_escapes_are_literal_text():
    assert inline(r"\*not italic\* \[x\](y) \<b> a\\b") == [Span("*not italic* [x](y) <b> a\\b")]
    assert [b.kind for b in parse("\\# not a heading\n\\- not a bullet")] == ["paragraph"]


def test_setext_headings_and_crlf():
    blocks = parse("Title\r\n=====\r\nText\r\n\r\nSub\r\n---\r\n")
    assert [(b.kind, b.level, b.text) for b in blocks] == [
        ("heading", 1, "Title"), ("paragraph", 0, "Text"), ("heading", 2, "Sub")]


def test_docx_has_real_headings_lists_and_bold_runs():
    import docx

    data = exports.to_docx(CV, "CV — Senior Python Engineer")
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == "CV — Senior Python Engineer"
    paras = document.paragraphs
    styles = {p.text: p.style.name for p in paras}
    assert styles["Frida Früh"] == "Heading 1"
    assert styles["Profile"] == "Heading 2"
    assert styles["Data Analyst — Stadtwerke"] == "Heading 3"
    assert styles["Built dashboards with Power BI for 40 managers"] == "List Bullet"
    assert styles["nested detail"] == "List Bullet 2"
    assert styles["first numbered"] == "List Number"
    profile = next(p for p in paras if p.text.startswith("Applying"))
    assert [r.text for r in profile.runs if r.bold] == ["Senior Python Engineer"]
    assert "€70,000–€90,000, Zürich/Łódź" in profile.text
    header = next(p for p in paras if p.text.startswith("Junior"))
    assert header.text == "Junior Data Analyst\nBerlin · frida@example.com"


def test_pdf_opens_and_keeps_unicode_text():
    from pypdf import PdfReader

    data = exports.to_pdf(CV, "CV — Senior Python Engineer")
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "CV — Senior Python Engineer"
    text = " ".join(page.extract_text() for page in reader.pages)
    for needle in ("Frida Früh", "Senior Python Engineer", "€70,000–€90,000", "Zürich/Łódź", "•",
                   "first numbered", "2 * 3 = 6", "-- double dash", "Snake_case_names"):
        assert needle in text, needle
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # embedded, not a core font


def test_long_documents_span_pages():
    from pypdf import PdfReader

    body = "\n".join(f"- Achievement number {i} with enough words to wrap a line or two, perhaps."
                     for i in range(200))
    reader = PdfReader(io.BytesIO(exports.to_pdf(f"# Long\n{body}", "Long")))
    assert len(reader.pages) > 3


def test_markdown_export_is_utf8_with_one_final_newline():
    assert exports.to_markdown("# Tïtle\r\n\r\ntext\n\n\n", "x") == "# Tïtle\n\ntext\n".encode()


@pytest.mark.parametrize("fmt", ["docx", "pdf", "md"])
def test_export_dispatch_and_empty_text(fmt):
    assert exports.export("", fmt=fmt, title="Empty")
    assert exports.export(CV, fmt=fmt, title="CV")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        exports.export("x", fmt="rtf")


def test_file_names_are_safe_and_readable():
    assert exports.file_name("CV — Senior Python Engineer at Acme GmbH", "pdf") == \
        "cv-senior-python-engineer-at-acme-gmbh.pdf"
    assert exports.file_name("Lettre à Zoë / Paris", "docx") == "lettre-a-zoe-paris.docx"
    assert exports.file_name("", "md") == "document.md"
    assert exports.file_name("日本語", "md") == "document.md"


def test_the_font_ships_with_its_licence():
    assert (FONT_DIR / "DejaVuSans.ttf").stat().st_size > 100_000
    assert "Bitstream" in (FONT_DIR / "LICENSE-DejaVu.txt").read_text()


def test_the_candidate_is_the_author_of_the_docx_and_the_pdf():
    import docx
    from pypdf import PdfReader

    word = docx.Document(io.BytesIO(exports.export(CV, fmt="docx", title="CV — Data Analyst", author="Frida Früh")))
    props = word.core_properties
    assert (props.author, props.last_modified_by, props.title) == ("Frida Früh", "Frida Früh", "CV — Data Analyst")
    assert props.revision == 1 and props.created == props.modified and props.created.year >= 2025
    raw = exports.export(CV, fmt="pdf", title="CV — Data Analyst", author="Frida Früh")
    meta = PdfReader(io.BytesIO(raw)).metadata
    assert meta["/Author"] == "Frida Früh" and meta["/Title"] == "CV — Data Analyst"
    # nothing in either file names the tool that wrote it
    import zipfile

    parts = zipfile.ZipFile(io.BytesIO(exports.export(CV, fmt="docx", author="Frida Früh")))
    for data in [raw, *(parts.read(n) for n in parts.namelist() if n.endswith(".xml"))]:
        assert b"AI Orchestrator" not in data and b"python-docx" not in data.lower() and b"fpdf" not in data.lower()
    assert "/Creator" not in meta and "/Producer" not in meta


def test_without_an_author_the_files_name_nobody():
    import docx
    from pypdf import PdfReader

    props = docx.Document(io.BytesIO(exports.export(CV, fmt="docx"))).core_properties
    assert props.author == "" and props.last_modified_by == ""
    assert "/Author" not in PdfReader(io.BytesIO(exports.export(CV, fmt="pdf"))).metadata
