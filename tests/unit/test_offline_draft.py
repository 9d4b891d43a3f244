"""Offline engine: template CVs and cover letters."""

from __future__ import annotations

import re
import time

import pytest

from orchestrator.offline import draft_cover_letter, draft_cv, respond
from orchestrator.offline.draft import matching_skills
from orchestrator.schemas import DraftOptions, Education, Experience, JobPosting, Profile
from orchestrator.tasks import cover_letter, draft_cv as draft_cv_task
from orchestrator.tasks.drafting import parse_text

PROFILE = Profile(
    name="Jane Doe",
    headline="Senior Backend Engineer",
    email="jane@example.com",
    phone="+49 170 1234567",
    location="Berlin, Germany",
    links=["https://github.com/janedoe"],
    summary="Backend engineer with eight years of experience building data-heavy services. "
            "I care about reliable systems. I enjoy mentoring.",
    experience=[
        Experience(
            role="Senior Backend Engineer", company="Acme Analytics GmbH", location="Berlin", start="2020",
            end=None,
            bullets=[
                "Designed the event ingestion service handling 2 billion events a day",
                "Introduced contract tests and cut release rollbacks by 60%",
                "Led the migration of 40 services from VMs to Kubernetes",
                "Built Airflow pipelines loading data into Snowflake",
                "Ran the weekly architecture review",
                "Wrote the on-boarding guide for new engineers",
            ],
        ),
        Experience(
            role="Backend Developer", company="Parcel Pilot", start="2016", end="2019",
            bullets=["Mentored three junior developers", "Built the tracking API in Python and Postgres",
                     "Reduced p99 latency by 35%", "Organised the internal tech talks"],
        ),
    ],
    education=[Education(degree="MSc Computer Science", institution="TU Berlin", start="2014", end="2016")],
    skills=["Java", "Docker", "Python", "Terraform", "Go", "Postgres", "Kafka", "Scrum"],
    languages=["English (fluent)", "German (native)"],
)
JOB = JobPosting(
    title="Senior Data Engineer",
    company="Northwind Logistics",
    location="Amsterdam",
    skills=["Apache Airflow", "Snowflake", "PostgreSQL", "Python", "Kubernetes", "Spark", "Kafka"],
    responsibilities=["Design and operate batch and streaming pipelines"],
)


def _section(markdown: str, heading: str) -> str:
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    assert m, f"no '{heading}' section in:\n{markdown}"
    return m.group(1).strip()


def test_cv_starts_with_name_and_names_role_and_company():
    cv = draft_cv(PROFILE, JOB, DraftOptions())
    assert cv.startswith("# Jane Doe\n")
    assert "Senior Data Engineer" in cv and "Northwind Logistics" in cv
    assert parse_text(cv) == cv.strip()


def test_key_skills_put_matching_skills_first():
    skills = _section(draft_cv(PROFILE, JOB, DraftOptions()), "Key skills").split(" · ")
    matched = matching_skills(PROFILE, JOB)
    # Posting order; listed under the profile's spelling ('Postgres'); Airflow, Snowflake and
    # Kubernetes come from the profile's own experience bullets.
    assert matched == ["Apache Airflow", "Snowflake", "Postgres", "Python", "Kubernetes", "Kafka"]
    assert skills[: len(matched)] == matched
    assert set(skills[len(matched):]) == {"Java", "Docker", "Terraform", "Go", "Scrum"}
    assert "Spark" not in skills  # the profile does not have it: never invented


def test_experience_bullets_mentioning_matching_skills_come_first():
    cv = draft_cv(PROFILE, JOB, DraftOptions(length="detailed"))
    bullets = [ln[2:] for ln in _section(cv, "Experience").splitlines() if ln.startswith("- ")]
    assert bullets[0] == "Built Airflow pipelines loading data into Snowflake"  # two matching skills
    assert bullets[1] == "Led the migration of 40 services from VMs to Kubernetes"  # one
    assert bullets[2] == "Designed the event ingestion service handling 2 billion events a day"  # then profile order
    second_role = bullets[len(PROFILE.experience[0].bullets):]
    assert second_role[0] == "Built the tracking API in Python and Postgres"


def test_length_changes_the_amount():
    counts = {}
    letters = {}
    for length in ("short", "standard", "detailed"):
        cv = draft_cv(PROFILE, JOB, DraftOptions(length=length))
        counts[length] = sum(1 for ln in cv.splitlines() if ln.startswith("- "))
        letters[length] = len(draft_cover_letter(PROFILE, JOB, DraftOptions(length=length)))
    assert counts["short"] < counts["standard"] < counts["detailed"]
    assert letters["short"] < letters["standard"] < letters["detailed"]
    assert "the chance to design and operate batch and streaming pipelines." in draft_cover_letter(
        PROFILE, JOB, DraftOptions(length="detailed"))


def test_tone_changes_the_phrasing():
    cvs = {t: draft_cv(PROFILE, JOB, DraftOptions(tone=t)) for t in ("formal", "friendly", "confident", "enthusiastic")}
    letters = {t: draft_cover_letter(PROFILE, JOB, DraftOptions(tone=t)) for t in cvs}
    assert len(set(cvs.values())) == 4
    assert len(set(letters.values())) == 4
    assert "Yours sincerely," in letters["formal"]
    assert "!" in letters["enthusiastic"]


@pytest.mark.parametrize(
    ("language", "headings", "phrase"),
    [
        ("English", ("Profile", "Key skills", "Experience", "Education", "Languages"), "Dear Hiring Team"),
        ("German", ("Profil", "Kernkompetenzen", "Berufserfahrung", "Ausbildung", "Sprachen"), "Mit freundlichen Grüßen"),
        ("fr", ("Profil", "Compétences clés", "Expérience professionnelle", "Formation", "Langues"), "Madame, Monsieur"),
        ("Español", ("Perfil", "Competencias clave", "Experiencia profesional", "Formación", "Idiomas"), "Atentamente"),
        ("Klingon", ("Profile", "Key skills", "Experience", "Education", "Languages"), "Dear Hiring Team"),
    ],
)
def test_language_changes_fixed_phrases(language: str, headings: tuple, phrase: str):
    cv = draft_cv(PROFILE, JOB, DraftOptions(language=language))
    for heading in headings:
        assert f"\n## {heading}\n" in cv
    letter = draft_cover_letter(PROFILE, JOB, DraftOptions(language=language))
    assert phrase in letter
    assert "Senior Data Engineer" in letter and "Northwind Logistics" in letter


def test_emphasis_steers_the_draft_without_being_pasted_in():
    options = DraftOptions(emphasis="my mentoring, and Kafka; not Rust")
    cv = draft_cv(PROFILE, JOB, options)
    letter = draft_cover_letter(PROFILE, JOB, options)
    assert "mentoring, and Kafka" not in cv + letter and "Rust" not in cv + letter  # an instruction, not text
    # the emphasised skills the profile has come first (it evidences mentoring: "I enjoy mentoring")
    assert _section(cv, "Key skills").startswith("Mentoring · Kafka · ")
    second_role = _section(cv, "Experience").split("### Backend Developer — Parcel Pilot")[1]
    assert second_role.split("\n- ")[1].startswith("Mentored three junior developers")
    assert "I would like to draw particular attention to my experience with mentoring and Kafka." in letter
    assert "At Parcel Pilot, I mentored three junior developers." in letter


def test_letter_has_no_headings_and_ends_with_name():
    letter = draft_cover_letter(PROFILE, JOB, DraftOptions())
    assert not re.search(r"^#", letter, re.M)
    assert letter.rstrip().endswith("Jane Doe")
    assert letter.count("Dear Hiring Team at Northwind Logistics,") == 1


@pytest.mark.parametrize("profile", [Profile(name="Max"), Profile()], ids=["name-only", "empty"])
@pytest.mark.parametrize("length", ["short", "standard", "detailed"])
def test_sparse_profile_does_not_crash(profile: Profile, length: str):
    job = JobPosting(title="Backend Developer")
    options = DraftOptions(length=length, emphasis="reliability")
    cv = draft_cv(profile, job, options)
    letter = draft_cover_letter(profile, job, options)
    assert cv.startswith(f"# {profile.name or 'Curriculum Vitae'}\n")
    assert "Backend Developer" in cv and "Backend Developer" in letter
    assert len(parse_text(cv)) >= 20 and len(parse_text(letter)) >= 20


def test_deterministic_and_fast():
    options = DraftOptions(length="detailed", tone="confident", language="German", emphasis="Kafka")
    start = time.perf_counter()
    first = (draft_cv(PROFILE, JOB, options), draft_cover_letter(PROFILE, JOB, options))
    assert time.perf_counter() - start < 0.05
    assert (draft_cv(PROFILE, JOB, options), draft_cover_letter(PROFILE, JOB, options)) == first


def test_markdown_in_profile_text_does_not_break_structure():
    profile = Profile(name="# Eve", experience=[Experience(role="## Engineer", company="Corp", bullets=["- item"])])
    cv = draft_cv(profile, JOB, DraftOptions())
    assert cv.startswith("# Eve\n")
    assert "### Engineer — Corp" in cv and "\n- item" in cv


@pytest.mark.parametrize("task", [draft_cv_task, cover_letter], ids=["draft_cv", "cover_letter"])
def test_respond_drafts_from_the_task_prompt(task):
    options = DraftOptions(tone="friendly", length="short", language="French")
    answer = respond(task.SYSTEM, task.build_prompt(PROFILE, JOB, options))
    direct = (draft_cv if task is draft_cv_task else draft_cover_letter)(PROFILE, JOB, options)
    assert answer == direct
    assert "Senior Data Engineer" in answer


def test_respond_survives_damaged_tags():
    prompt = (
        "<task>\ndraft_cv\n</task>\n<profile_json>\n{not json\n</profile_json>\n"
        '<job_json>\n{"title": "", "skills": "oops"}\n</job_json>\n'
        '<options_json>\n{"tone": "sarcastic", "length": "short", "unknown": 1}\n</options_json>'
    )
    answer = respond("", prompt)
    assert answer.startswith("# Curriculum Vitae\n")
    assert len(parse_text(answer)) >= 20


def test_skill_aliases_and_annotations_match():
    profile = Profile(name="Ana", skills=["spark", "Python (expert)", "k8s", "Photoshop"])
    job = JobPosting(title="Data Engineer", skills=["Kubernetes", "Apache Spark", "Python"])
    assert matching_skills(profile, job) == ["k8s", "spark", "Python (expert)"]
    skills = _section(draft_cv(profile, job, DraftOptions()), "Key skills").split(" · ")
    assert skills == ["k8s", "spark", "Python (expert)", "Photoshop"]
