"""The words of offline CVs and cover letters: which language, which phrase, which greeting.

The phrase tables live in ``orchestrator.offline.phrasebook`` (one module per language the
drafting page offers: English, German, French, Spanish, Italian, Portuguese, Dutch, Polish);
any other language falls back to English. This module picks the table, detects the language
a profile or a posting is written in (so a draft never mixes them), greets the contact a
posting names in each language's manners, and translates the common language names and
levels of the profile's "Languages" list.
"""

from __future__ import annotations

import re
from functools import lru_cache

from orchestrator.offline.phrasebook import NAMES, TABLES

TONES = ("formal", "friendly", "confident", "enthusiastic")
CODES = tuple(TABLES)


def language_code(language: str | None) -> str:
    """'German', 'de-DE', 'Deutsch', 'pt-BR' -> 'de' / 'pt'; anything unknown -> 'en'."""
    first = re.split(r"[\s\-_(,/]+", (language or "").strip().lower())[0] if language else ""
    for code, names in NAMES.items():
        if first in names:
            return code
    return "en"


def phrases(language: str | None) -> dict:
    """The phrase table for a language, English for anything unknown."""
    return TABLES[language_code(language)]


def join_words(items: list[str], conjunction: str) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return items[0] if items else ""
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


# ---- which language a text is written in -----------------------------------------------------

@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    return {code: frozenset(table["stopwords"].split()) for code, table in TABLES.items()}


def detect_language(text: str, *, min_words: int = 8) -> str | None:
    """The language code of a text by its function words, or None when it is too short or too
    mixed to tell (a clear winner needs 3 hits and half again as many as the runner-up)."""
    words = re.findall(r"[^\W\d_]+", (text or "").lower())
    if len(words) < min_words:
        return None
    counts = {code: sum(1 for w in words if w in stop) for code, stop in _stopwords().items()}
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    (best, hits), (_, second) = ranked[0], ranked[1]
    return best if hits >= 3 and hits >= 1.5 * second else None


# ---- greeting the contact a posting names ------------------------------------------------------

_FEMALE = {"ms", "mrs", "miss", "frau", "fr", "mme", "madame", "mlle", "mademoiselle", "sra", "señora", "senora",
           "senhora", "sig.ra", "sigra", "signora", "mevrouw", "mevr", "mw", "pani", "dott.ssa", "dottssa", "dra"}
_MALE = {"mr", "herr", "herrn", "hr", "m", "monsieur", "sr", "señor", "senor", "senhor", "sig", "signor", "signore", "heer",
         "dhr", "meneer", "pan"}
_DOCTOR = {"dr", "dott", "doktor", "prof"}
_PARTICLES = {"van", "von", "de", "der", "den", "da", "das", "do", "dos", "di", "del", "della", "le", "la", "ten",
              "ter", "zu", "y", "e"}
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*$")


def parse_contact(contact: str | None) -> tuple[str, bool, str, str] | None:
    """(gender 'f'/'m'/'', doctor, full name, surname) of a contact such as 'Ms Jane Smith',
    'Frau Dr. Anna Müller', 'Mme Claire Dubois (RH)' or 'Jan de Vries'; None when it does not
    read as a person's name."""
    text = (contact or "").strip()
    text = text.rsplit(":", 1)[-1] if re.match(r"^[^:]{2,40}:\s*\S", text) else text  # "Contact: Ms Jane Smith"
    text = re.split(r"\s*(?:[(,;|–—]|\s-\s|@|\d)", text.strip())[0].strip()
    gender, doctor, words = "", False, []
    for raw in text.split():
        key = raw.lower().strip(":")
        bare = key.rstrip(".")
        if not words and (key in _FEMALE or bare in _FEMALE):
            gender = gender or "f"
        elif not words and (key in _MALE or bare in _MALE):
            gender = gender or "m"
        elif not words and bare in _DOCTOR:
            doctor = True
        else:
            words.append(raw.strip(":"))
    if not 1 <= len(words) <= 5 or not any(_NAME_WORD.match(w) for w in words):
        return None
    if any(not (_NAME_WORD.match(w) or w.lower() in _PARTICLES) for w in words):
        return None
    if len(words) == 1 and not (gender or doctor):
        return None  # "Recruiting" or a first name alone is not someone to address by name
    last = [words[-1]]
    for w in reversed(words[:-1]):
        if w.lower() not in _PARTICLES:
            break
        last.insert(0, w)
    surname = " ".join(last)
    if surname[:1].islower():
        surname = surname[0].upper() + surname[1:]  # "de Vries" alone starts with a capital
    return gender, doctor, " ".join(words), surname


def named_greeting(contact: str | None, p: dict, tone: str) -> tuple[str, str] | None:
    """(greeting line, gender) for a contact in the table's language, or None to use the team's."""
    parsed = parse_contact(contact)
    if parsed is None:
        return None
    gender, doctor, name, last = parsed
    table = p["dear_warm"] if tone in ("friendly", "enthusiastic") else p["dear"]
    keys = [f"{gender}_dr" if gender and doctor else "", gender, "dr" if doctor else "", "name"]
    key = next(k for k in keys if k and k in table)
    return table[key].format(last=last, name=name), gender


# ---- the profile's "Languages" list ----------------------------------------------------------

_LEVEL_WORDS = {
    "native": ("native", "native speaker", "mother tongue", "first language", "bilingual", "muttersprache",
               "muttersprachlich", "langue maternelle", "natif", "native", "nativo", "nativa", "madrelingua",
               "moedertaal", "ojczysty", "język ojczysty"),
    "fluent": ("fluent", "fließend", "fliessend", "courant", "fluido", "fluida", "fluente", "vloeiend", "biegły",
               "biegle", "proficient"),
    "business": ("business", "business fluent", "professional", "professional working proficiency",
                 "verhandlungssicher", "niveau professionnel"),
    "advanced": ("advanced", "very good", "sehr gut", "avancé", "avanzado", "avanzato", "avançado", "gevorderd",
                 "zaawansowany"),
    "intermediate": ("intermediate", "good", "conversational", "gut", "intermédiaire", "intermedio",
                     "intermediário", "gemiddeld", "średniozaawansowany"),
    "basic": ("basic", "basics", "beginner", "elementary", "grundkenntnisse", "notions", "básico", "base",
              "basiskennis", "podstawowy"),
}
_CEFR = re.compile(r"^(?:[ABC][12]|[ABC][12][+]?)$", re.I)


@lru_cache(maxsize=1)
def _language_lookup() -> tuple[dict[str, str], dict[str, str]]:
    names = {key: key for key in TABLES["en"]["languages"]}
    for table in TABLES.values():
        names.update({local.lower(): key for key, local in table["languages"].items()})
    levels = {word: key for key, words in _LEVEL_WORDS.items() for word in words}
    return names, levels


def localise_language(entry: str, p: dict) -> str:
    """'German (native)' -> 'Deutsch (Muttersprache)' in a German table; an entry it does not
    fully recognise is kept exactly as the profile has it."""
    m = re.match(r"^\s*(?P<name>[^\W\d_][^\W\d_ ]*)\s*(?:[(:,–—-]\s*(?P<level>[^()]*?)\s*\)?)?\s*$", entry or "")
    if not m:
        return entry
    names, levels = _language_lookup()
    key = names.get(m.group("name").lower())
    if key is None or key not in p["languages"]:
        return entry
    level = (m.group("level") or "").strip()
    if not level:
        return p["languages"][key]
    if _CEFR.match(level):
        return f"{p['languages'][key]} ({level.upper()})"
    level_key = levels.get(level.lower())
    return f"{p['languages'][key]} ({p['levels'][level_key]})" if level_key else entry
