"""Offline engine: posting extraction, salary parsing, skills, ``respond`` round trips."""

from __future__ import annotations

import json
import random
import time
from decimal import Decimal
from pathlib import Path

import pytest

from orchestrator.errors import InputRejected, ProviderError
from orchestrator.offline import ENGINE_LABEL, ENGINE_MODEL, extract_posting, respond
from orchestrator.offline.salary import find_salary
from orchestrator.offline.taxonomy import CANONICALS, canonical_skill, find_skills
from orchestrator.schemas import JobPosting
from orchestrator.tasks.extract_job import JSON_SCHEMA, SYSTEM, build_prompt, parse_output

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "postings"
POSTINGS = sorted(FIXTURES.glob("*.txt"))


def _expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


def test_fixture_set_is_varied():
    assert len(POSTINGS) >= 8
    for path in POSTINGS:
        assert path.with_suffix(".expected.json").exists(), path.name


def test_engine_identity():
    assert ENGINE_MODEL == "offline-engine-v1"
    assert ENGINE_LABEL == "Offline engine (built-in, no AI model)"


@pytest.mark.parametrize("path", POSTINGS, ids=lambda p: p.stem)
def test_fixture_extraction(path: Path):
    expected = _expected(path)
    posting = extract_posting(path.read_text(encoding="utf-8"))
    for field in ("title", "company", "location", "remote_mode", "employment_type", "seniority"):
        assert getattr(posting, field) == expected[field], field
    if expected["salary"] is None:
        assert posting.salary is None
    else:
        assert posting.salary is not None
        for key in ("min", "max"):
            want = expected["salary"][key]
            got = getattr(posting.salary, key)
            assert (got is None and want is None) or got == Decimal(str(want)), key
        assert posting.salary.currency == expected["salary"]["currency"]
        assert posting.salary.period == expected["salary"]["period"]
    missing = [s for s in expected["skills_include"] if s not in posting.skills]
    assert not missing, f"missing skills {missing} in {posting.skills}"
    assert len(posting.requirements) >= expected["min_requirements"]
    assert len(posting.responsibilities) >= expected["min_responsibilities"]
    assert len(posting.benefits) >= expected["min_benefits"]
    assert posting.summary and posting.title in posting.summary
    assert len(posting.skills) == len(set(posting.skills))


@pytest.mark.parametrize("path", POSTINGS, ids=lambda p: p.stem)
def test_fixture_extraction_is_fast_and_deterministic(path: Path):
    text = path.read_text(encoding="utf-8")
    extract_posting(text)  # warm up regex caches
    start = time.perf_counter()
    first = extract_posting(text)
    assert time.perf_counter() - start < 0.05
    assert extract_posting(text) == first


@pytest.mark.parametrize("text", ["", "   \n\t  ", "\x00\x01\x02", "!!!! ---- ****", "<div></div><br/>", "&nbsp;&amp;"])
def test_empty_input_is_rejected(text: str):
    with pytest.raises(InputRejected, match="empty"):
        extract_posting(text)


def test_huge_input_within_time():
    base = (FIXTURES / "linkedin_data_engineer.txt").read_text(encoding="utf-8")
    huge = (base * 200)[:200_000]
    start = time.perf_counter()
    posting = extract_posting(huge)
    assert time.perf_counter() - start < 2.0
    assert posting.title == "Senior Data Engineer"


@pytest.mark.parametrize(
    "huge",
    [
        "Engineer\n" + "1,000 2.000 $3 €4 " * 12_000,
        "Engineer\n" + "C, Go and R, " * 15_000,
        "a" * 200_000,
        "<div>" * 40_000,
        "- " * 100_000 + "Python developer",
    ],
    ids=["amounts", "contextual-skills", "one-word", "tags", "bullets"],
)
def test_pathological_input_is_bounded(huge: str):
    start = time.perf_counter()
    try:
        extract_posting(huge)
    except InputRejected:
        pass
    assert time.perf_counter() - start < 2.0


def test_binary_garbage_never_crashes():
    rng = random.Random(7)
    for _ in range(20):
        blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4000)))
        text = blob.decode("latin-1") if rng.random() < 0.5 else blob.decode("utf-8", "replace")
        try:
            posting = extract_posting(text)
        except InputRejected:
            continue
        assert posting.title.strip()


def test_html_input_is_stripped():
    html = (
        "<html><head><style>p{color:red}</style></head><body><h1>Backend Engineer</h1>"
        "<p>Acme &amp; Co GmbH &middot; Berlin, Germany</p><h2>Requirements</h2><ul><li>3+ years of "
        "<b>Python</b></li><li>Experience with Django &amp; PostgreSQL</li></ul><h2>Benefits</h2>"
        "<ul><li>30 days of holiday</li></ul><script>alert('x')</script></body></html>"
    )
    posting = extract_posting(html)
    assert posting.title == "Backend Engineer"
    assert posting.location == "Berlin, Germany"
    assert posting.requirements == ["3+ years of Python", "Experience with Django & PostgreSQL"]
    assert posting.benefits == ["30 days of holiday"]
    assert {"Python", "Django", "PostgreSQL"} <= set(posting.skills)
    dumped = posting.model_dump_json()
    assert "<" not in dumped and "&amp;" not in dumped and "alert" not in dumped


def test_title_falls_back_to_first_meaningful_line():
    posting = extract_posting("***\nPlease send us your documents\nThanks")
    assert posting.title == "Please send us your documents"


def test_title_from_hiring_sentence_and_labels():
    posting = extract_posting("We are looking for a Senior QA Engineer to join our team in Lisbon. Hybrid.")
    assert posting.title == "Senior QA Engineer"
    assert posting.location == "Lisbon"
    assert posting.seniority == "senior"
    labelled = extract_posting("Position: Account Executive (m/w/d)\nCompany: Nordlicht AG\nType: Part-time")
    assert (labelled.title, labelled.company, labelled.employment_type) == ("Account Executive", "Nordlicht AG", "part_time")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Salary: €55.000–€65.000", (55000, 65000, "EUR", "year")),
        ("£40k-£50k", (40000, 50000, "GBP", "year")),
        ("$45–$60/hr", (45, 60, "USD", "hour")),
        ("Pay: $45 to $60 per hour", (45, 60, "USD", "hour")),
        ("CHF 120'000 to 140'000", (120000, 140000, "CHF", "year")),
        ("Rémunération : 45 000 € - 55 000 € brut annuel", (45000, 55000, "EUR", "year")),
        ("₹18,00,000 - ₹24,00,000 per annum", (1800000, 2400000, "INR", "year")),
        ("Compensation: 90,000 - 110,000 CAD", (90000, 110000, "CAD", "year")),
        ("A$120k – A$140k", (120000, 140000, "AUD", "year")),
        ("Day rate: £550–£650 (outside IR35)", (550, 650, "GBP", "day")),
        ("Salary: $6,000 - $7,500 per month", (6000, 7500, "USD", "month")),
        ("Gehalt: 55.000 - 65.000 EUR brutto/Jahr", (55000, 65000, "EUR", "year")),
        ("Salary: £40-50k", (40000, 50000, "GBP", "year")),
        ("salary 12-18 LPA", (1200000, 1800000, "INR", "year")),
        ("Rate: $45.50/hour", (Decimal("45.50"), Decimal("45.50"), "USD", "hour")),
        ("Up to £60,000", (None, 60000, "GBP", "year")),
        ("Base salary from $150k", (150000, None, "USD", "year")),
    ],
)
def test_salary_parsing(text: str, expected: tuple):
    salary = find_salary(text)
    assert salary is not None, text
    low, high, currency, period = expected
    assert salary.min == (None if low is None else Decimal(str(low)))
    assert salary.max == (None if high is None else Decimal(str(high)))
    assert (salary.currency, salary.period) == (currency, period)


@pytest.mark.parametrize(
    "text",
    [
        "3-5 years of experience",
        "$1,000 learning budget",
        "We raised $20M in our Series A",
        "401(k) matching and a competitive salary",
        "Compensation reviewed 2019-2023",
        "Perks: €500 per month gym allowance",
    ],
)
def test_not_a_salary(text: str):
    assert find_salary(text) is None


def test_taxonomy_is_large_and_canonical():
    assert len(CANONICALS) >= 300
    text = "We use JS, node.js, Postgres, k8s, C#, C++ and .NET with CI / CD; golang a plus."
    assert find_skills(text) == ["JavaScript", "Node.js", "PostgreSQL", "Kubernetes", "C#", "C++", ".NET", "CI/CD", "Go"]
    assert canonical_skill("postgres") == "PostgreSQL"
    assert canonical_skill("unknown thing") is None


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Experience with Python, Go and Rust", {"Go", "Rust"}, set()),
        ("Go live with the new release. Let's go!", set(), {"Go"}),
        ("Languages: C, C++ and R", {"C", "C++", "R"}, set()),
        ("We closed our Series C last year", set(), {"C"}),
        ("Java developer, not JavaScript", {"Java", "JavaScript"}, set()),
        ("Spring 2025 internship; you excel at the rest", set(), {"Spring Framework", "Excel", "REST APIs"}),
        ("Strong Excel and REST skills", {"Excel", "REST APIs"}, set()),
    ],
)
def test_skill_matching_boundaries(text: str, present: set, absent: set):
    found = set(find_skills(text))
    assert present <= found
    assert not (absent & found)


def test_respond_extraction_round_trip():
    for path in POSTINGS:
        answer = respond(SYSTEM, build_prompt(path.read_text(encoding="utf-8")))
        data = json.loads(answer)
        assert set(data) == set(JSON_SCHEMA["properties"])
        assert set(JSON_SCHEMA["required"]) <= set(data)
        if data["salary"] is not None:
            assert set(data["salary"]) == set(JSON_SCHEMA["properties"]["salary"]["anyOf"][0]["properties"])
            for key in ("min", "max"):
                assert data["salary"][key] is None or isinstance(data["salary"][key], (int, float))
        posting = JobPosting.model_validate_json(answer)
        assert posting == parse_output(answer)
        assert posting == extract_posting(path.read_text(encoding="utf-8"))


def test_respond_empty_posting_is_rejected():
    with pytest.raises(InputRejected):
        respond(SYSTEM, build_prompt("   "))


def test_screenshot_prompt_without_its_image_gets_an_empty_posting_that_is_never_saved():
    """The simulator passes only the prompt's text: the engine answers an empty posting, which
    extract_job refuses as invalid output (the request falls back instead of charging)."""
    answer = respond(SYSTEM, build_prompt(None, has_image=True))
    with pytest.raises(ProviderError, match="no job posting") as info:
        parse_output(answer)
    assert info.value.kind == "invalid_output" and info.value.retryable


def test_respond_untagged_text():
    assert respond("", "Say hello") == "Hello from the offline engine."
    assert "offline engine" in respond("You are helpful.", "What is the capital of France?")
    posting_text = (FIXTURES / "gbp_product_designer_london.txt").read_text(encoding="utf-8")
    assert JobPosting.model_validate_json(respond("", posting_text)).title == "Product Designer"
    assert respond("x", "Say hello") == respond("x", "Say hello")


def test_unsectioned_bullets_are_sorted_by_what_they_say():
    posting = extract_posting(
        "# Backend Dev\n- 5+ yrs Go\n- Postgres, Kafka\n- Build our payments API\n- 30 days vacation\n"
        "- €70-90k\n- Full-time"
    )
    assert posting.title == "Backend Dev"
    assert posting.requirements == ["5+ yrs Go", "Postgres, Kafka"]
    assert posting.responsibilities == ["Build our payments API"]
    assert posting.benefits == ["30 days vacation"]  # salary and job type are fields, not list items
    assert (posting.seniority, posting.employment_type) == ("senior", "full_time")
    assert posting.salary is not None and posting.salary.max == Decimal(90000)
