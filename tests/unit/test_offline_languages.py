"""Offline drafts in every language the drafting page offers, greeting the posting's contact,
with no template left showing: no mixed languages, no blanks, no gendered slash forms."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from orchestrator.offline import draft_cover_letter, draft_cv, extract_posting
from orchestrator.offline.phrasebook import TABLES
from orchestrator.offline.phrases import detect_language, language_code, localise_language, parse_contact
from orchestrator.schemas import DraftOptions, Education, Experience, JobPosting, Profile
from orchestrator.tasks.extract_job import JSON_SCHEMA
from tests.unit.test_offline_draft import JOB, PROFILE


def _offered_languages() -> list[str]:
    """The drafting page's LANGUAGES, read without importing Streamlit."""
    tree = ast.parse((Path(__file__).resolve().parents[2] / "ui" / "user_drafting.py").read_text())
    return next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                and getattr(node.targets[0], "id", "") == "LANGUAGES")


LANGUAGES = _offered_languages()

TONES = ("formal", "friendly", "confident", "enthusiastic")
HEADINGS = {
    "English": ("Profile", "Key skills", "Experience", "Education", "Languages"),
    "German": ("Profil", "Kernkompetenzen", "Berufserfahrung", "Ausbildung", "Sprachen"),
    "French": ("Profil", "Compétences clés", "Expérience professionnelle", "Formation", "Langues"),
    "Spanish": ("Perfil", "Competencias clave", "Experiencia profesional", "Formación", "Idiomas"),
    "Italian": ("Profilo", "Competenze chiave", "Esperienza professionale", "Formazione", "Lingue"),
    "Portuguese": ("Perfil", "Competências-chave", "Experiência profissional", "Formação", "Idiomas"),
    "Dutch": ("Profiel", "Kerncompetenties", "Werkervaring", "Opleiding", "Talen"),
    "Polish": ("Profil", "Kluczowe umiejętności", "Doświadczenie zawodowe", "Wykształcenie", "Języki"),
}
# The names in the drafts (people, employers, roles, degrees, skills) are the profile's and the
# posting's own: taken out before asking which language the engine's words are in.
NAMES = re.compile(r"Jane Doe|Acme Analytics GmbH|Parcel Pilot|Northwind Logistics|Senior (?:Data|Backend) Engineer|"
                   r"Backend Developer|MSc Computer Science|TU Berlin|Berlin, Germany|jane@example\.com|"
                   r"https://\S+|\+49[\d ]+|Apache Airflow|Snowflake|Postgres|Python|Kubernetes|Kafka|Java|Docker|"
                   r"Terraform|Go|Scrum|Smith|Müller")
TELLS = re.compile(r"\[[A-Z][a-z]+\]|…|\.\.\.|\w\(e\)|\w/a\b|\(s\)|\(a\)|\{|\}|:\s*$(?![\s\S]*^- )|  \S")


def _engine_words(text: str) -> str:
    return NAMES.sub(" ", text)


def test_every_language_offered_has_a_complete_table():
    assert {language_code(name) for name in LANGUAGES} == set(TABLES)
    keys = set(TABLES["en"])
    for code, table in TABLES.items():
        assert set(table) - {"company_ref"} == keys, code
        for key in ("summary", "opening", "match", "closing", "signoff", "skills_part", "greeting"):
            assert set(table[key]) == set(TONES), (code, key)


@pytest.mark.parametrize("language", LANGUAGES)
def test_cv_headings_and_words_are_in_the_language_asked_for(language: str):
    cv = draft_cv(PROFILE, JOB, DraftOptions(language=language, length="detailed"))
    for heading in HEADINGS[language]:
        assert f"\n## {heading}\n" in cv
    code = language_code(language)
    assert detect_language(_engine_words(cv), min_words=4) in (code, None)
    if code != "en":  # the English profile's own sentences are not pasted into another language
        for bullet in PROFILE.experience[0].bullets + [PROFILE.summary]:
            assert bullet not in cv
        assert not re.search(r"\b(?:Present|fluent|native)\b", cv)


@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_letters_are_in_one_language_and_show_no_template(language: str, tone: str):
    code = language_code(language)
    for contact in (None, "Ms Jane Smith", "Herr Dr. Thomas Müller"):
        job = JOB.model_copy(update={"contact": contact})
        letter = draft_cover_letter(PROFILE, job, DraftOptions(language=language, tone=tone, length="detailed",
                                                               emphasis="Kafka"))
        assert detect_language(_engine_words(letter)) == code, letter
        assert not TELLS.search(letter), TELLS.search(letter)
        assert "Senior Data Engineer" in letter and letter.rstrip().endswith("Jane Doe")
        if code != "en":
            assert not any(b in letter for b in PROFILE.experience[0].bullets)


GREETINGS = {
    ("English", "Ms Jane Smith"): "Dear Ms Smith,",
    ("English", "Mr. John O'Neil"): "Dear Mr O'Neil,",
    ("English", "Jane Smith"): "Dear Jane Smith,",
    ("English", "Dr Ada Byron (Head of Data)"): "Dear Dr Byron,",
    ("German", "Frau Müller"): "Sehr geehrte Frau Müller,",
    ("German", "Herr Dr. Thomas Weber"): "Sehr geehrter Herr Dr. Weber,",
    ("German", "Ansprechpartnerin: Frau Anna Schmidt"): "Sehr geehrte Frau Schmidt,",
    ("German", "Jane Smith"): "Guten Tag Jane Smith,",
    ("French", "Mme Claire Dubois"): "Madame Dubois,",
    ("French", "M. Paul Martin"): "Monsieur Martin,",
    ("Spanish", "Sra. Ana García"): "Estimada Sra. García:",
    ("Italian", "Sig. Marco Rossi"): "Gentile Sig. Rossi,",
    ("Portuguese", "Sr. João Silva"): "Prezado Sr. Silva,",
    ("Dutch", "mevrouw Anna de Vries"): "Geachte mevrouw De Vries,",
    ("Dutch", "Jan de Vries"): "Geachte Jan de Vries,",
    ("Polish", "Pani Anna Kowalska"): "Szanowna Pani,",
}


@pytest.mark.parametrize(("language", "contact"), list(GREETINGS))
def test_a_named_contact_is_greeted_in_the_language_s_manners(language: str, contact: str):
    letter = draft_cover_letter(PROFILE, JOB.model_copy(update={"contact": contact}),
                                DraftOptions(language=language))
    assert GREETINGS[(language, contact)] in letter.splitlines()


def test_french_formal_letter_closes_to_the_person_it_greets():
    job = JOB.model_copy(update={"contact": "Mme Claire Dubois"})
    letter = draft_cover_letter(PROFILE, job, DraftOptions(language="French"))
    assert "Veuillez agréer, Madame, l'expression de mes salutations distinguées." in letter
    plain = draft_cover_letter(PROFILE, JOB, DraftOptions(language="French"))
    assert "Madame, Monsieur," in plain and "Veuillez agréer, Madame, Monsieur," in plain


@pytest.mark.parametrize("contact", ["Recruiting", "jobs@acme.com", "the hiring team", "", None, "12345"])
def test_no_person_means_the_team_is_greeted(contact):
    assert parse_contact(contact) is None
    letter = draft_cover_letter(PROFILE, JOB.model_copy(update={"contact": contact}), DraftOptions())
    assert "Dear Hiring Team at Northwind Logistics," in letter


def test_a_profile_in_the_draft_s_language_keeps_its_own_sentences():
    profile = Profile(
        name="Lena Vogel", headline="Frontend-Entwicklerin",
        summary="Ich entwickle seit sechs Jahren Webanwendungen mit React und TypeScript.",
        experience=[Experience(role="Frontend-Entwicklerin", company="Bergmann Software GmbH", start="2021",
                               bullets=["Entwicklung eines Kundenportals mit React und TypeScript für 40.000 Nutzer",
                                        "Einführung von Playwright-Tests und Halbierung der Fehlerquote"])],
        education=[Education(degree="B.Sc. Informatik", institution="TU München")],
        skills=["React", "TypeScript", "Playwright"], languages=["Deutsch (Muttersprache)", "Englisch (C1)"])
    job = JobPosting(title="Senior Frontend Developer", company="Kraftwerk Digital", skills=["React", "TypeScript"],
                     contact="Frau Dr. Anna Müller")
    options = DraftOptions(language="German", length="detailed")
    cv, letter = draft_cv(profile, job, options), draft_cover_letter(profile, job, options)
    assert "- Entwicklung eines Kundenportals mit React und TypeScript für 40.000 Nutzer" in cv
    assert "Ich entwickle seit sechs Jahren Webanwendungen mit React und TypeScript." in cv + letter
    assert "Deutsch (Muttersprache) · Englisch (C1)" in cv
    assert "Sehr geehrte Frau Dr. Müller," in letter.splitlines()
    assert "Einige Ergebnisse meiner aktuellen Arbeit bei Bergmann Software GmbH:" in letter
    # ... and the same profile drafted in English does not paste German into it
    english = draft_cv(profile, job, DraftOptions(language="English"))
    assert "Entwicklung eines" not in english and "- Worked with React, TypeScript and Playwright" in english


@pytest.mark.parametrize(("entry", "language", "expected"), [
    ("English (fluent)", "German", "Englisch (fließend)"),
    ("German - native", "French", "Allemand (langue maternelle)"),
    ("Spanish: B2", "Italian", "Spagnolo (B2)"),
    ("Deutsch (Muttersprache)", "English", "German (native)"),
    ("Polish", "Dutch", "Pools"),
    ("Klingon (fluent)", "German", "Klingon (fluent)"),  # unknown: kept as the profile has it
    ("English (IELTS 7.5)", "German", "English (IELTS 7.5)"),
])
def test_language_names_and_levels_are_translated_when_recognised(entry, language, expected):
    from orchestrator.offline.phrases import phrases

    assert localise_language(entry, phrases(language)) == expected


def test_english_results_read_as_sentences():
    letter = draft_cover_letter(PROFILE, JOB, DraftOptions(length="detailed"))
    assert "At Acme Analytics GmbH, I built Airflow pipelines loading data into Snowflake. I also led the " \
           "migration of 40 services from VMs to Kubernetes." in letter
    assert "highlight:" not in letter and "In short:" not in letter


@pytest.mark.parametrize(("text", "contact"), [
    ("Data Engineer\nAcme Ltd\n\nRequirements\n- SQL\n\nContact: Ms Jane Smith, Head of Talent (jane@acme.com)",
     "Ms Jane Smith"),
    ("Frontend Entwickler\nBergmann GmbH\n\nIhre Ansprechpartnerin: Frau Dr. Anna Müller\nTel. 089 12345",
     "Frau Dr. Anna Müller"),
    ("Data Analyst at Foo\n\nQuestions? Reach out to Jan de Vries at jan@foo.nl.\n\nRequirements\n- SQL",
     "Jan de Vries"),
    ("Entwickler (m/w/d)\n\nBitte wende dich an Herrn Thomas Weber.", "Herr Thomas Weber"),
    ("Développeur\n\nInterlocutrice : Mme Claire Dubois", "Mme Claire Dubois"),
    ("Data Analyst at Foo\n\nContact our Recruiting Team at jobs@foo.com\n- SQL", None),
    ("Dev\nContact Acme Labs for details", None),
    ("Backend Engineer\nContact: careers@acme.io", None),
])
def test_the_offline_extractor_finds_the_contact(text: str, contact: str | None):
    assert extract_posting(text).contact == contact


def test_the_extraction_schema_stays_strict_mode_compatible():
    props = JSON_SCHEMA["properties"]
    assert JSON_SCHEMA["additionalProperties"] is False and sorted(JSON_SCHEMA["required"]) == sorted(props)
    assert props["contact"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
