"""Offline engine: importing a pasted CV into a Profile."""

from __future__ import annotations

import random

import pytest

from orchestrator.offline import draft_cv, extract_posting, parse_profile_text
from orchestrator.schemas import DraftOptions, Profile

MARKDOWN_CV = """\
# Jane Doe
Senior Backend Engineer
Berlin, Germany · jane.doe@example.com · +49 170 1234567 · https://github.com/janedoe · linkedin.com/in/janedoe

## Summary
Backend engineer with eight years of experience building data-heavy services in Python and Go. I care about reliable systems.

## Experience

### Senior Backend Engineer — Acme Analytics GmbH
*Jan 2020 – Present · Berlin*
- Designed the event ingestion service handling 2 billion events a day
- Led the migration of 40 services from VMs to Kubernetes on AWS
- Built Airflow pipelines loading data into Snowflake

### Backend Developer — Parcel Pilot
*2016 – 2019 · Hamburg*
- Built the shipment tracking API in Python and PostgreSQL
- Mentored three junior developers

## Education
- MSc Computer Science — TU Berlin (2014 – 2016)
- BSc Computer Science — University of Hamburg (2011 – 2014)

## Skills
Languages: Python, Go, SQL
Infrastructure: Docker, Kubernetes, Terraform, AWS

## Languages
English (fluent), German (native), French (B1)
"""

PLAIN_CV = """\
CURRICULUM VITAE

Priya Sharma
Product Designer | UX Research | Design Systems
London, UK | priya.sharma@mail.co.uk | +44 7700 900123 | https://priya.design

PROFILE
Product designer with six years of experience in health and fintech. I turn messy research into simple, accessible interfaces.

WORK EXPERIENCE

Senior Product Designer at Mediflow Ltd
Jan 2021 - Present, London
• Led the redesign of the patient booking flow, raising completion by 18%
• Built and maintained the Figma design system used by 4 squads

Product Designer, Coinstack
Mar 2018 – Dec 2020
• Designed onboarding for a savings app with 300k users
• Created prototypes and wireframes for A/B tests

EDUCATION
BA (Hons) Graphic Design, University of the Arts London, 2014 – 2017

SKILLS
Figma; Sketch; Prototyping; User research; Usability testing

LANGUAGES
English (native) · Hindi (fluent)
"""

GERMAN_CV = """\
Lukas Becker
Softwareentwickler (Java)
Adresse: Leipzig, Deutschland
E-Mail: lukas.becker@example.de
Telefon: 0341 1234567

Berufserfahrung
Java-Entwickler — Energienetz GmbH (seit 2020)
- Entwicklung von Microservices mit Spring Boot und Kafka
- Einführung von Docker und Kubernetes im Team
Werkstudent Softwareentwicklung — Datenwerk AG (2017 – 2019)
- Tests mit JUnit geschrieben

Ausbildung
M.Sc. Informatik, Universität Leipzig, 2019

Kenntnisse
Java, Spring Boot, Kafka, PostgreSQL, Docker, Git

Sprachen
Deutsch (Muttersprache), Englisch (C1)
"""


def test_markdown_cv():
    p = parse_profile_text(MARKDOWN_CV)
    assert p.name == "Jane Doe"
    assert p.headline == "Senior Backend Engineer"
    assert (p.email, p.phone, p.location) == ("jane.doe@example.com", "+49 170 1234567", "Berlin, Germany")
    assert p.links == ["https://github.com/janedoe", "linkedin.com/in/janedoe"]
    assert p.summary.startswith("Backend engineer with eight years")
    assert [(e.role, e.company, e.start, e.end, e.location) for e in p.experience] == [
        ("Senior Backend Engineer", "Acme Analytics GmbH", "Jan 2020", "Present", "Berlin"),
        ("Backend Developer", "Parcel Pilot", "2016", "2019", "Hamburg"),
    ]
    assert len(p.experience[0].bullets) == 3 and len(p.experience[1].bullets) == 2
    assert [(e.degree, e.institution, e.start, e.end) for e in p.education] == [
        ("MSc Computer Science", "TU Berlin", "2014", "2016"),
        ("BSc Computer Science", "University of Hamburg", "2011", "2014"),
    ]
    assert p.skills[:7] == ["Python", "Go", "SQL", "Docker", "Kubernetes", "Terraform", "AWS"]
    assert {"Apache Airflow", "Snowflake", "PostgreSQL"} <= set(p.skills)  # found in the text
    assert "Git" not in p.skills  # "github.com" in a link is not a skill
    assert p.languages == ["English (fluent)", "German (native)", "French (B1)"]


def test_plain_text_cv():
    p = parse_profile_text(PLAIN_CV)
    assert p.name == "Priya Sharma"
    assert p.headline == "Product Designer | UX Research | Design Systems"
    assert (p.email, p.phone, p.location) == ("priya.sharma@mail.co.uk", "+44 7700 900123", "London, UK")
    assert p.links == ["https://priya.design"]
    assert [(e.role, e.company, e.start, e.end) for e in p.experience] == [
        ("Senior Product Designer", "Mediflow Ltd", "Jan 2021", "Present"),
        ("Product Designer", "Coinstack", "Mar 2018", "Dec 2020"),
    ]
    assert p.experience[0].location == "London"
    assert p.education[0].degree == "BA (Hons) Graphic Design"
    assert p.education[0].institution == "University of the Arts London"
    assert p.skills[:5] == ["Figma", "Sketch", "Prototyping", "User research", "Usability testing"]
    assert p.languages == ["English (native)", "Hindi (fluent)"]


def test_german_cv():
    p = parse_profile_text(GERMAN_CV)
    assert (p.name, p.headline) == ("Lukas Becker", "Softwareentwickler (Java)")
    assert (p.email, p.phone, p.location) == ("lukas.becker@example.de", "0341 1234567", "Leipzig, Deutschland")
    assert [(e.role, e.company, e.start, e.end) for e in p.experience] == [
        ("Java-Entwickler", "Energienetz GmbH", "2020", "Present"),
        ("Werkstudent Softwareentwicklung", "Datenwerk AG", "2017", "2019"),
    ]
    assert [(e.degree, e.institution, e.end) for e in p.education] == [("M.Sc. Informatik", "Universität Leipzig", "2019")]
    assert p.skills[:6] == ["Java", "Spring Boot", "Kafka", "PostgreSQL", "Docker", "Git"]
    assert {"Microservices", "Kubernetes", "JUnit"} <= set(p.skills)
    assert p.languages == ["Deutsch (Muttersprache)", "Englisch (C1)"]


def test_imported_profile_drafts_a_tailored_cv():
    posting = extract_posting("Senior Data Engineer\nNorthwind · Amsterdam\n- Airflow, Snowflake and Kafka")
    cv = draft_cv(parse_profile_text(MARKDOWN_CV), posting, DraftOptions())
    skills_line = cv.split("## Key skills\n", 1)[1].splitlines()[0]
    assert skills_line.startswith("Apache Airflow · Snowflake")


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "<p></p>", "!!!", "just one line"])
def test_degenerate_input_returns_a_profile(text: str):
    p = parse_profile_text(text)
    assert isinstance(p, Profile)


def test_never_crashes_on_garbage():
    rng = random.Random(11)
    for _ in range(20):
        blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 3000)))
        assert isinstance(parse_profile_text(blob.decode("latin-1")), Profile)
    assert isinstance(parse_profile_text(MARKDOWN_CV * 300), Profile)
