"""The offline engine passes its own fact check by construction: every fixture posting (as the
offline engine extracts it) x several profiles (the demo accounts', one in German with umlauts and
"heute", one without employers or dates) x every language the drafting page offers x every length
and tone, through the drafting tasks' own ``offline`` handlers (the tagged prompt, as the offline
provider and the simulator see it). Not one invented fact.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from orchestrator.fact_check import check
from orchestrator.offline.extract import extract_posting
from orchestrator.schemas import DraftOptions, Education, Experience, JobPosting, Profile
from orchestrator.seeding.demo import PROFILES
from orchestrator.tasks import document_tasks
from orchestrator.tasks.common import read_tags
from ui.user_drafting import LANGUAGES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "postings"
LENGTHS = ("short", "standard", "detailed")
TONES = ("formal", "friendly", "confident", "enthusiastic")

GERMAN = Profile(
    name="Jürgen Müßig", headline="Leitender Softwareentwickler", email="jm@example.de", phone="+49 89 2019 3344",
    location="München", summary="Entwickler mit zwölf Jahren Erfahrung in Java und Kotlin. Ich mag saubere APIs.",
    experience=[
        Experience(role="Leitender Softwareentwickler", company="Süddeutsche Versicherung AG", start="03/2019",
                   end="heute", bullets=["Führte ein Team von 6 Entwicklern (Spring Boot, Kafka)",
                                         "Migration von 30 Diensten nach Kubernetes"]),
        Experience(role="Softwareentwickler", company="Ärztekammer Bayern", start="2013", end="2019",
                   bullets=["Baute die Mitgliederverwaltung mit Java und PostgreSQL"]),
    ],
    education=[Education(degree="Diplom-Informatiker (FH)", institution="Hochschule München", start="2008",
                         end="2013")],
    skills=["Java", "Kotlin", "Spring Boot", "Kafka", "Kubernetes", "PostgreSQL", "Scrum"],
    languages=["Deutsch (Muttersprache)", "Englisch (C1)"],
)
SPARSE = Profile(name="Sam Sparse", summary="Self-taught web developer who builds small shops for local businesses.",
                 skills=["JavaScript", "HTML", "CSS", "WordPress"])
PROFILES_UNDER_TEST = [Profile.model_validate(p) for p in PROFILES.values()] + [GERMAN, SPARSE]
PROFILE_IDS = [p.name for p in PROFILES_UNDER_TEST]


def _postings() -> list[JobPosting]:
    found = [extract_posting(path.read_text(encoding="utf-8")) for path in sorted(FIXTURES.glob("*.txt"))]
    assert len(found) >= 10, "the fixture postings are missing"
    return found + [JobPosting(title="Werkstudent (m/w/d)")]  # no company, no skills


POSTINGS = _postings()


def _options(i: int, language: str, emphasis: bool) -> list[DraftOptions]:
    """Every length with a tone that moves along, so that the matrix covers every (length, tone) pair."""
    return [DraftOptions(length=length, tone=TONES[(i + n) % len(TONES)], language=language,
                         emphasis="leadership of small teams since 2019" if emphasis and n == 0 else None)
            for n, length in enumerate(LENGTHS)]


@pytest.mark.parametrize("profile", PROFILES_UNDER_TEST, ids=PROFILE_IDS)
def test_offline_drafts_never_invent_a_fact(profile):
    tasks = [t for t in document_tasks() if t.verify is not None and t.input == "saved_job"]
    assert len(tasks) >= 2
    pairs_seen: set[tuple[str, str]] = set()
    failures = []
    for (p, posting), language in itertools.product(enumerate(POSTINGS), LANGUAGES):
        i = p + LANGUAGES.index(language)
        for options in _options(i, language, emphasis=p % 3 == 0):
            pairs_seen.add((options.length, options.tone))
            for task in tasks:
                draft = task.offline(read_tags(task.build_prompt(profile, posting, options)))
                facts = check(draft, profile, posting, letter=task.document_kind != "cv", options=options)
                if facts:
                    failures.append((task.name, posting.title, language, options.length, options.tone, facts))
    assert failures == []
    assert len(pairs_seen) == len(LENGTHS) * len(TONES)
