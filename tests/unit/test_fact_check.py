"""The fact check on drafts written the way real models write them: honest drafts in many shapes
and languages pass; each kind of invented fact is found and named; a letter may name the posting;
``verify`` raises the pipeline's ``invalid_output``; hostile input costs linear time."""

from __future__ import annotations

import time

import pytest

from orchestrator.errors import ProviderError
from orchestrator.fact_check import Fact, check, describe, verify
from orchestrator.schemas import DraftOptions, JobPosting, Profile
from orchestrator.seeding.demo import PROFILES

PAOLO = Profile.model_validate(PROFILES["paygo@example.com"])  # Farfetch 2021-05..Present, Talkdesk 2018-09..2021-04
FRIDA = Profile.model_validate(PROFILES["free@example.com"])  # Stadtwerke Berlin, TU Berlin (B.Sc.), 2020-2025
PRIYA = Profile.model_validate(PROFILES["pro@example.com"])  # Monzo, Deliveroo, BA Central Saint Martins
JOB = JobPosting(title="Senior Data Engineer", company="Northwind Logistics", location="Amsterdam",
                 skills=["Python", "Apache Airflow", "Looker", "BigQuery", "dbt", "PostgreSQL"],
                 requirements=["5+ years building data pipelines", "Bachelor's degree in Computer Science or similar"],
                 responsibilities=["Design and operate batch pipelines with Airflow and dbt"])
YEAR = 2026

CV = """# Paolo Paygo
**Backend Engineer**
Lisbon, Portugal · paygo@example.com · https://github.com/paolo-paygo

## Summary
Backend engineer with six years of building APIs and data pipelines in Python and Go, applying for the
Senior Data Engineer role at Northwind Logistics.

## Skills
Python · Go · PostgreSQL · SQL · Django · Redis · Kubernetes · Docker · AWS · Terraform · CI/CD · ETL

## Experience
### Senior Backend Engineer — Farfetch (May 2021 – Present)
- Led the move of the order service to Kubernetes, cutting deploy time from 40 to 8 minutes
- Designed REST and gRPC APIs in Go serving 3k requests per second

### Backend Engineer — Talkdesk (Sep 2018 – Apr 2021)
- Built Django services and Celery pipelines on AWS

## Education
**M.Sc. Computer Science**, Universidade de Lisboa, 2016–2018
"""
LETTER = """Dear Hiring Team at Northwind Logistics,

I am excited to apply for the Senior Data Engineer role. I currently work as Senior Backend Engineer at
Farfetch, where I led the move of our order service to Kubernetes. Before that, at Talkdesk, I built Django
services and Celery pipelines on AWS.

You are looking for Airflow, dbt and BigQuery; I have built data pipelines in Python and PostgreSQL since
2018 and I am keen to grow into your stack. I hold an M.Sc. in Computer Science from the University of Lisbon.
Your posting asks for a Bachelor's degree in Computer Science or similar: my master's covers it.

Kind regards,
Paolo Paygo
"""

HONEST_CVS = {
    "heading, em dash, month-years": (PAOLO, CV),
    "bold company | role | years": (PAOLO, """# Paolo Paygo

## Professional Experience
**Farfetch** | Senior Backend Engineer | 2021 – Present
- Kubernetes migration

**Talkdesk** | Backend Engineer | 09/2018 – 04/2021
- Django and Celery on AWS

## Education
- M.Sc. Computer Science — University of Lisbon (2016 – 2018)
"""),
    "table": (PAOLO, """# Paolo Paygo

## Experience
| Role | Company | Dates |
|---|---|---|
| Senior Backend Engineer | Farfetch | 2021–present |
| Backend Engineer | Talkdesk | 2018–2021 |
"""),
    "heading then italic date line": (PAOLO, """# Paolo Paygo
## Work history
### Farfetch, Lisbon
Senior Backend Engineer · 2021-05 – today
- stuff
### Talkdesk
*Backend Engineer, 2018 – 2021*
"""),
    "German, translated titles": (PAOLO, """# Paolo Paygo
**Backend-Entwickler**

## Berufserfahrung
### Senior Backend-Entwickler — Farfetch (05/2021 – heute)
- Umzug des Bestellservice auf Kubernetes
### Backend-Entwickler — Talkdesk (09/2018 – 04/2021)

## Ausbildung
- **M.Sc. Informatik** — Universidade de Lisboa (2016 – 2018)
"""),
    "TU spelled out, Bachelor of Science, skills grouped": (FRIDA, """# Frida Free
Junior Data Analyst | Berlin, Germany | free@example.com

## Professional Summary
Data analyst skilled in Python, SQL (PostgreSQL) and Power BI, with a B.Sc. in Economics from TU Berlin.

## Experience
**Data Analyst Intern**, Stadtwerke Berlin — March 2024 – February 2025
* Built Power BI dashboards on energy usage for 40 managers
* Automated weekly reporting with Python/pandas (saved 6 hours per week)

**Student Assistant**, Technische Universität Berlin — Oct 2022 – Feb 2024
* Taught Excel and statistics tutorials to 60 students

## Education
**Bachelor of Science in Economics** — TU Berlin, 2020 – 2024

## Skills
- **Technical:** Python, pandas, SQL, PostgreSQL, Power BI, Excel
- **Analytical:** Statistics, data visualisation, reporting, forecasting
- **Soft skills:** Communication, teamwork, attention to detail, leadership
"""),
    "level-4 headings, BA (Hons)": (PRIYA, """# Priya Pro
*Product Design Lead — London, UK*

## Experience

#### Lead Product Designer · Monzo
January 2020 – Present · London
- Led a team of 5 designers across payments and savings
- Built the Figma design system used by 40 engineers

#### Product Designer · Deliveroo
June 2016 – December 2019
- Introduced accessibility audits (WCAG 2.1)

## Education
BA (Hons) Interaction Design, Central Saint Martins — 2012–2015
"""),
}


@pytest.mark.parametrize("name", list(HONEST_CVS))
def test_honest_cvs_pass_whatever_their_shape(name):
    profile, text = HONEST_CVS[name]
    assert check(text, profile, JOB, year=YEAR) == []


def test_an_honest_letter_may_name_the_posting():
    """The hiring company, the role, the skills it asks for (Airflow, dbt, BigQuery: the user lacks them)
    and a word-for-word quote of its requirements (a Bachelor's degree)."""
    assert check(LETTER, PAOLO, JOB, letter=True, year=YEAR) == []
    german = ("Sehr geehrte Damen und Herren,\n\nderzeit arbeite ich als Data Analyst Intern bei den Stadtwerken "
              "Berlin. Ihre Anforderungen an SQL und Python decke ich ab. Mein Studium (B.Sc.) an der TU Berlin "
              "habe ich 2024 abgeschlossen.\n\nMit freundlichen Grüßen\nFrida Free\n")
    assert check(german, FRIDA, JOB, letter=True, year=YEAR) == []


def _swap(old: str, new: str, text: str = CV) -> str:
    assert old in text
    return text.replace(old, new)


INVENTED = [
    ("employer in a heading", _swap("— Talkdesk (", "— Google ("), False, [Fact("employer", "Google")]),
    ("an extra entry", _swap("## Education", "### Data Engineer — Spotify (2015 – 2016)\n- Pipelines\n\n## Education"),
     False, [Fact("employer", "Spotify"), Fact("date", "2015")]),
    ("employer in a table", HONEST_CVS["table"][1].replace("| Talkdesk |", "| Zalando SE |"), False,
     [Fact("employer", "Zalando SE")]),
    ("a doctorate", _swap("**M.Sc. Computer Science**", "**PhD Computer Science**"), False,
     [Fact("degree", "PhD Computer Science")]),
    ("an MBA", _swap("## Education", "## Education\n- MBA, INSEAD (2020)"), False,
     [Fact("degree", "MBA"), Fact("school", "INSEAD"), Fact("date", "2020")]),
    ("certifications", _swap("## Education", "## Certifications\n- AWS Certified Solutions Architect\n- CKA\n\n"
                                              "## Education"), False,
     [Fact("certification", "AWS Certified Solutions Architect"), Fact("certification", "CKA")]),
    ("skills the posting wants", _swap("· ETL", "· Looker · BigQuery · ETL"), False,
     [Fact("skill", "Looker"), Fact("skill", "BigQuery")]),
    ("a year", _swap("(Sep 2018 – Apr 2021)", "(Sep 2015 – Apr 2021)"), False, [Fact("date", "2015")]),
    ("a month", _swap("(Sep 2018 – Apr 2021)", "(Jan 2018 – Apr 2021)"), False, [Fact("date", "Jan 2018")]),
    ("another entry's year", _swap("(Sep 2018 – Apr 2021)", "(2016 – 2021)"), False,
     [Fact("date", "2016 (Talkdesk)")]),
    ("a past role still held", _swap("(Sep 2018 – Apr 2021)", "(Sep 2018 – Present)"), False,
     [Fact("date", "present (Talkdesk)")]),
    ("a title a rank up", _swap("### Backend Engineer — Talkdesk", "### Lead Backend Engineer — Talkdesk"), False,
     [Fact("job_title", "Lead Backend Engineer")]),
    ("a headline a rank up", _swap("**Backend Engineer**", "**Head of Data**"), False,
     [Fact("job_title", "Head of Data")]),
    ("a company by its legal form", _swap("on AWS", "on AWS for Acme Payments Ltd"), False,
     [Fact("employer", "Acme Payments Ltd")]),
    ("a company opening a bullet", _swap("- Built Django", "- Joined Initech GmbH; built Django"), False,
     [Fact("employer", "Initech GmbH")]),
    ("an employer in a letter", LETTER.replace("at Talkdesk", "at Stripe"), True, [Fact("employer", "Stripe")]),
    ("a title in a letter", LETTER.replace("work as Senior Backend Engineer", "work as Head of Engineering"), True,
     [Fact("job_title", "Head of Engineering")]),
    ("a skill nobody named", LETTER.replace("on AWS.", "on AWS and Azure."), True, [Fact("skill", "Azure")]),
    ("a school in a letter", LETTER.replace("from the University of Lisbon", "from Stanford University"), True,
     [Fact("school", "Stanford University")]),
    ("a degree in a letter", LETTER.replace("I hold an M.Sc.", "I hold a PhD"), True, [Fact("degree", "PhD in Computer Science")]),
]


@pytest.mark.parametrize(("name", "text", "letter", "expected"), INVENTED, ids=[x[0] for x in INVENTED])
def test_each_kind_of_invented_fact_is_found_and_named(name, text, letter, expected):
    assert check(text, PAOLO, JOB, letter=letter, year=YEAR) == expected


def test_skills_are_matched_by_alias_and_only_named_tools_count():
    profile = Profile(name="A", skills=["Postgres", "Apache Spark (PySpark)", "Excel"],
                      experience=[{"role": "Analyst", "company": "Acme", "bullets": ["Built pipelines in Django"]}])
    honest = ("# A\n## Skills\nPostgreSQL, SQL, Spark, PySpark, Microsoft Excel, Python, data analysis, ETL, "
              "communication, teamwork\n\nI react quickly and excel at explaining results.\n")
    assert check(honest, profile, JOB, year=YEAR) == []  # SQL from PostgreSQL, Python from Django
    assert check("# A\n## Skills\nPostgreSQL, dbt, React\n", profile, JOB, year=YEAR) == [
        Fact("skill", "dbt"), Fact("skill", "React")]


def test_current_year_and_posting_years_are_allowed_and_urls_ignored():
    job = JOB.model_copy(update={"summary": "Founded in 1998, we start the team in March 2027."})
    text = (f"# Paolo Paygo\nLisbon, {YEAR}-05-04 · https://example.com/2011/a · mail2009@x.io\n\n"
            "Since 1998 Northwind has grown; the team starts in March 2027.\n")
    assert check(text, PAOLO, job, letter=True, year=YEAR) == []
    assert check(text.replace("1998", "1997"), PAOLO, job, letter=True, year=YEAR) == [Fact("date", "1997")]


def test_the_emphasis_counts_as_profile_text():
    options = DraftOptions(emphasis="mention my Looker course from 2015")
    text = CV.replace("· ETL", "· Looker (course, 2015) · ETL")
    assert check(text, PAOLO, JOB, options=options, year=YEAR) == []
    assert check(text, PAOLO, JOB, year=YEAR) == [Fact("skill", "Looker"), Fact("date", "2015")]


class _Prepared:
    def __init__(self, kind: str, profile=PAOLO, posting=JOB):
        self.task = type("Task", (), {"document_kind": kind})()
        self.profile, self.posting, self.options = profile, posting, DraftOptions()


def test_verify_raises_invalid_output_naming_the_facts():
    verify(CV, _Prepared("cv"))  # honest: no error
    many = CV + "\n## Experience" + "".join(f"\n### Engineer — Initech {n} ({1990 + n} – {1991 + n})" for n in range(12))
    with pytest.raises(ProviderError) as err:
        verify(many, _Prepared("cv"))
    assert err.value.kind == "invalid_output" and err.value.retryable
    message = err.value.message
    assert message.startswith("Invented facts not in the candidate's profile: employer 'Initech'; date '1990'; ")
    assert "; and 6 more." in message
    assert len(message) <= 500  # the ledger keeps 500 characters: the facts come first
    verify(LETTER, _Prepared("cover_letter"))  # a letter's allowances
    with pytest.raises(ProviderError, match="skill 'Looker'"):
        verify(LETTER.replace("Airflow, dbt and BigQuery", "Airflow, dbt and BigQuery") + "\nI use Looker daily.",
               _Prepared("cv"))  # checked as a CV, the posting's skills are not the user's
    verify(CV, _Prepared("cv", profile=None))  # not a drafting request: nothing to check
    verify({"not": "text"}, _Prepared("cv"))
    assert describe([Fact("date", "2015")]).startswith("Invented facts not in the candidate's profile: date '2015'.")


HOSTILE_UNITS = ["Aaaa ", "at Aaaa ", "Certified Aaaa ", " " * 60 + "x", "University of Aaaa ", "Aaaa GmbH ",
                 "### Aaa — Bbb (2019 – 2020)\n", "| A | B | 2019 |\n", "- **A** 2019 – 2020\n", "as a b c d e ",
                 "A" * 5000, "A.A.", "March 2019 ", "*" * 40 + " ", "-" * 60 + "\n", "Master of Aaaa "]


def test_hostile_input_costs_linear_time():
    """Doubling the input at most about doubles the time, for inputs built to make regexes backtrack."""
    def cost(text: str) -> float:
        best = float("inf")
        for _ in range(2):
            start = time.process_time()
            check(text, PAOLO, JOB, year=YEAR)
            best = min(best, time.process_time() - start)
        return best

    for unit in HOSTILE_UNITS:
        small, large = ((unit * (size // len(unit) + 1))[:size] for size in (20_000, 80_000))
        t_small, t_large = cost(small), cost(large)
        assert t_large < 8 * t_small + 0.05, (unit[:20], t_small, t_large)  # 4x the text, linear: ~4x the time
        assert t_large < 5.0, (unit[:20], t_large)


def test_every_implied_skill_is_a_taxonomy_skill():
    from orchestrator.fact_terms import _IMPLIES_SOURCE
    from orchestrator.offline.taxonomy import canonical_skill

    names = set(_IMPLIES_SOURCE) | {n.replace("_", " ") for v in _IMPLIES_SOURCE.values() for n in v.split()}
    assert sorted(n for n in names if canonical_skill(n) is None) == []
