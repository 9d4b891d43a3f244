"""The offline OCR's text assembly, without the engine: boxes into lines and paragraphs,
misreadings repaired, empty answers refused (the engine itself: tests/integration/test_offline_ocr.py)."""

from __future__ import annotations

import pytest

from orchestrator.errors import InputRejected
from orchestrator.offline import ocr
from orchestrator.offline.ocr import Box, layout, repair
from orchestrator.offline.sections import classify_heading
from orchestrator.tasks.extract_job import is_empty


@pytest.mark.parametrize(("raw", "fixed"), [
    ("·Design, build and operate pipelines", "• Design, build and operate pipelines"),
    ("-Du entwickelst neue Features", "• Du entwickelst neue Features"),
    ("Northwind moves 40,oo0 parcels since 2oo9", "Northwind moves 40,000 parcels since 2009"),
    ("Strong Python and SQL;you write code", "Strong Python and SQL; you write code"),
    ("Hands-on experience with AWS(S3, Glue)", "Hands-on experience with AWS (S3, Glue)"),
    ("Erfahrung mit REST APls", "Erfahrung mit REST APIs"),
    ("Northwind Logistics·Amsterdam·2 weeks ago", "Northwind Logistics · Amsterdam · 2 weeks ago"),
    ("Ｐｙｔｈｏｎ（3.12）：ok", "Python (3.12): ok"),  # full-width forms from the Chinese alphabet
    ("Salary: 55.000-65.000 per year", "Salary: 55.000-65.000 per year"),  # digits and Go stay as they are
    ("Go, C and R", "Go, C and R"),
    ("+ 4 + yrs backend, 2 + in Go", "• 4+ yrs backend, 2+ in Go"),
])
def test_repair_undoes_the_usual_misreadings(raw: str, fixed: str):
    assert repair(raw) == fixed


def _box(x0, y0, x1, y1, text):
    return Box(float(x0), float(y0), float(x1), float(y1), text)


def test_layout_reads_lines_paragraphs_and_larger_type():
    boxes = [
        _box(100, 40, 420, 70, "Senior Data Engineer"),  # 30 px: the title
        _box(900, 42, 980, 68, "Apply"),  # same line, far right
        _box(100, 76, 500, 96, "Northwind Logistics · Amsterdam"),
        _box(100, 160, 260, 180, "What you'll do"),  # a paragraph gap above
        _box(100, 184, 700, 204, "·Design and operate pipelines"),
        _box(100, 208, 640, 228, "·Mentor two engineers"),
    ]
    assert layout(boxes) == (
        "## Senior Data Engineer | Apply\nNorthwind Logistics · Amsterdam\n\n"
        "What you'll do\n• Design and operate pipelines\n• Mentor two engineers"
    )


def test_layout_puts_words_of_one_line_together_and_in_order():
    boxes = [_box(300, 100, 400, 120, "and Kafka"), _box(100, 102, 290, 121, "Python, SQL")]
    assert layout(boxes) == "Python, SQL and Kafka"


def test_a_job_board_s_list_beside_the_posting_is_read_after_it():
    left = [_box(20, 100 + 30 * i, 260, 120 + 30 * i, f"Other job {i}") for i in range(6)]
    right = [_box(400, 100 + 30 * i, 1200, 120 + 30 * i, f"Posting line {i} with many more words in it")
             for i in range(8)]
    lines = layout(left + right).split("\n")
    assert lines[0] == "Posting line 0 with many more words in it"
    assert lines.index("Other job 0") > lines.index("Posting line 7 with many more words in it")


def test_headings_without_their_spaces_are_still_headings():
    assert classify_heading("Nice tohave") == "nice"
    assert classify_heading("Whatwe offer") == "benefits"
    assert classify_heading("DeineAufgaben") == "responsibilities"
    assert classify_heading("Senioritylevel") is None


def test_an_image_without_letters_is_refused(monkeypatch):
    monkeypatch.setattr(ocr, "recognise", lambda data, deadline=None: [_box(0, 0, 50, 20, "| 1 ·")])
    with pytest.raises(InputRejected, match="No readable text was found in the screenshot"):
        ocr.read_text(b"not-read-here-1")
    with pytest.raises(InputRejected, match="No readable text"):
        ocr.read_screenshots([b"not-read-here-1", b"not-read-here-2"])


def test_the_same_screenshot_is_read_once(monkeypatch):
    calls = []

    def fake(data, deadline=None):
        calls.append(data)
        return [_box(0, 0, 400, 20, "Backend Engineer at Ledgerly")]

    monkeypatch.setattr(ocr, "recognise", fake)
    assert ocr.read_text(b"shot-a") == ocr.read_text(b"shot-a") == "Backend Engineer at Ledgerly"
    assert calls == [b"shot-a"]


@pytest.mark.parametrize(("data", "empty"), [
    ({"title": "", "skills": []}, True),
    ({"title": "unknown", "summary": "The image is blank."}, True),
    ({"title": "Job posting (from a screenshot)", "summary": "The offline engine cannot read images."}, True),
    ({"title": "No job posting found in the image"}, True),
    ({"title": "N/A", "requirements": ["  "]}, True),
    ({"title": "Barista"}, False),  # a title alone is a (terse) posting
    ({"title": "unknown", "skills": ["Python"]}, False),  # content without a title is kept
    ({"title": "Image Processing Engineer"}, False),
])
def test_an_empty_posting_is_recognised(data: dict, empty: bool):
    assert is_empty(data) is empty


@pytest.mark.parametrize(("raw", "fixed"), [
    ("Rate: f550-f650 per day, outside IR35", "Rate: £550-£650 per day, outside IR35"),  # a UK posting
    ("• f70-90k + equity", "• €70-90k + equity"),
    ("Salaire : 45 000 f - 55 000 brut annuel", "Salaire : 45 000 € - 55 000 brut annuel"),
    ("Gehalt: 55.00065.000 brutto pro Jahr", "Gehalt: 55.000–65.000 brutto pro Jahr"),
    ("fix 2 bugs in Step f2", "fix 2 bugs in Step f2"),
])
def test_currency_signs_the_model_cannot_read_are_put_back(raw: str, fixed: str):
    from orchestrator.offline.ocr import currencies

    assert currencies(raw) == fixed
