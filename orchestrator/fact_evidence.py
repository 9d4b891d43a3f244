"""Word-level evidence for the fact check (``orchestrator.fact_check``): what the profile says.

Text is compared as *stems*: case-folded, accent-free word prefixes (five letters), so that
"University of Lisbon" is found in "Universidade de Lisboa", "Analytics" in "Analyst" and
"Internship" in "Intern", while "Google" is never found in "Gogoro". Acronyms count for the
words they abbreviate ("TU Berlin" = "Technische Universität Berlin"). Small words in the
languages the app drafts in and words that say nothing about a fact (legal forms, employment
types, "present") are ignored. Everything here is a few linear passes over the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

STEM = 5
_WORD = re.compile(r"[^\W_]+")

# Small words of English, German, French, Spanish, Italian, Portuguese, Dutch and Polish.
STOP = frozenset("""
a an the of and or for in at on to with by from as via per
der die das den dem des und oder fur im am an bei von vom zu zum zur mit als ein eine
le la les l d du des et ou en au aux chez pour par avec un une
el los las del y o al para por con
il lo gli di della dei e presso
os as do da dos das no na em com um uma
het een van bij voor met op
i w z dla oraz
s
""".split())

# Words that name no employer, school or title: legal forms, employment types, "present".
GENERIC = frozenset("""
gmbh ag inc ltd llc plc se sa sas sarl sl bv nv corp co kg ohg limited llp pty spa srl ug mbh
full part time fulltime parttime contract remote hybrid onsite site based
present current now today ongoing date heute aktuell jetzt bis seit since until
aujourd hui actuel actuelle depuis actualidad actual presente hoy desde oggi attuale atual hoje
heden nu obecnie teraz
""".split())

PRESENT = re.compile(
    r"\b(?:present|current(?:ly)?|now|today|ongoing|to date|heute|aktuell|jetzt|aujourd['’]hui|actuel(?:le)?|"
    r"actualidad|actual|presente|hoy|oggi|attuale|atual|hoje|heden|nu|obecnie|teraz)\b", re.I)

_MONTHS: dict[str, int] = {}
for _n, _names in enumerate((
        "jan january januar janvier enero ene gennaio gen janeiro januari styczen sty",
        "feb february februar fevrier fev febrero febbraio fevereiro fev februari luty lut",
        "mar march marz mars marzo marco maart mrt marzec",
        "apr april avril abril aprile kwiecien kwi",
        "may mai mayo maggio mag maio mei maj",
        "jun june juni juin junio giugno giu junho czerwiec cze",
        "jul july juli juillet juil julio luglio lug julho lipiec lip",
        "aug august aout agosto ago augustus sierpien sie",
        "sep sept september septembre septiembre settembre set setembro wrzesien wrz",
        "oct october oktober okt octobre octubre ottobre ott outubro out pazdziernik paz",
        "nov november novembre noviembre novembro listopad lis",
        "dec december dezember dez decembre diciembre dic dicembre dezembro grudzien gru"), start=1):
    for _m in _names.split():
        _MONTHS.setdefault(_m, _n)

_YEAR = r"(?:19[5-9]\d|20\d\d)"
YEAR_RE = re.compile(rf"(?<![\w$€£¥.,/+])({_YEAR})(?![\w%+]|[.,]\d)")
_MONTH_NAME_YEAR = re.compile(rf"\b([a-z]{{3,10}})\.?\s+(?:de\s+|del\s+)?({_YEAR})\b")
_NUM_MONTH_YEAR = re.compile(rf"(?<![\d.])(0?[1-9]|1[0-2])\s?[/.]\s?({_YEAR})(?!\d)")
_YEAR_NUM_MONTH = re.compile(rf"(?<!\d)({_YEAR})[-/.](0[1-9]|1[0-2])(?![\d])")

# Seniority words by family, in the drafting languages: a title may not climb a rank the
# profile's roles do not have ("Senior", "Head of", "Director"...). Lead and head are one family.
RANKS = {
    "senior": re.compile(r"\b(?:senior|sr|snr|starsz[yae])\b"),
    "lead": re.compile(r"lead\b|\bleitend\w*|leiter(?:in)?\b|\bleitung\b|\bhead\b|\bhoofd\b|\bkierownik\w*"),
    "principal": re.compile(r"\bprincipal\b"),
    "chief": re.compile(r"\bchief\b|\bc[teofimp]o\b"),
    "director": re.compile(r"\bdirect(?:or|eur|rice|ora)\b|\bdirektor\w*|\bdirett(?:ore|rice)\b|\bdiretor\w*|"
                           r"\bdyrektor\w*|gesch\w*fuhrer\w*"),
    "vp": re.compile(r"\bvp\b|\bvice[- ]?president\w*"),
    "founder": re.compile(r"founder|grunder\w*|\bfondat\w*|\bfundador\w*|oprichter|zalozyciel\w*|\bowner\b|"
                          r"\binhaber\w*"),
}


_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})


def fold(text: str) -> str:
    """Lower case without accents: 'Universität' -> 'universitat'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_LETTERS)


def stem(word: str) -> str:
    return word[:STEM]


def words(text: str) -> list[tuple[str, str]]:
    """(original, folded) words of ``text``."""
    return [(w, fold(w)) for w in _WORD.findall(text)]


def significant(text: str) -> list[tuple[str, str]]:
    """The words that carry a fact: no small words, generic words, numbers or single letters."""
    return [(w, f) for w, f in words(text)
            if f not in STOP and f not in GENERIC and not f.isdigit() and len(f) > 1 and f not in _MONTHS]


def _acronym(word: str) -> bool:
    return 2 <= len(word) <= 5 and word.isupper() and word.isalpha()


class Evidence:
    """Texts (profile values, bullets, posting fields) indexed by stem: is a phrase in one of them?"""

    def __init__(self, texts: Iterable[str]) -> None:
        self._stems: list[set[str]] = []
        self._initials: list[str] = []
        self._acronyms: list[set[str]] = []
        self._index: dict[str, set[int]] = {}
        for text in texts:
            if text and text.strip():
                self.add(text)

    def add(self, text: str) -> None:
        i = len(self._stems)
        ws = words(text)
        stems = {stem(f) for _w, f in ws}
        self._stems.append(stems)
        self._initials.append("".join(f[0] for _w, f in ws if f not in STOP))
        self._acronyms.append({f for w, f in ws if _acronym(w)})
        for s in stems:
            self._index.setdefault(s, set()).add(i)

    def covers(self, phrase: str) -> bool:
        """Whether one text holds every significant word of ``phrase`` (as a stem, or as an
        acronym of its words, or spelled out where it has the acronym)."""
        sig = significant(phrase)
        if not sig:
            return True
        candidates: set[int] | None = None
        for _w, f in sig:
            found = self._index.get(stem(f), set())
            candidates = set(found) if candidates is None else candidates & found
            if not candidates:
                break
        if candidates:
            return True
        return self._covers_with_acronyms(sig)

    def _covers_with_acronyms(self, sig: list[tuple[str, str]]) -> bool:
        folded = [f for _w, f in sig]
        pool: set[int] = set()
        for f in folded:
            pool |= self._index.get(stem(f), set())
        for w, f in sig:  # an acronym in the phrase, spelled out in a text
            if _acronym(w):
                pool |= {i for i, initials in enumerate(self._initials) if f in initials}
        for i in pool:
            stems, acronyms, initials = self._stems[i], self._acronyms[i], self._initials[i]
            if all(stem(f) in stems or (_acronym(w) and f in initials) for w, f in sig if not _spelled(f, folded, acronyms)):
                return True
        return False

    def __len__(self) -> int:
        return len(self._stems)


def _spelled(word: str, phrase: list[str], acronyms: set[str]) -> bool:
    """Whether ``word`` is part of a run of phrase words whose initials are one of ``acronyms``."""
    if not acronyms:
        return False
    initials = "".join(f[0] for f in phrase)
    pos = phrase.index(word)
    for acro in acronyms:
        start = initials.find(acro)
        while start != -1:
            if start <= pos < start + len(acro):
                return True
            start = initials.find(acro, start + 1)
    return False


# ------------------------------------------------------------------------------ dates


def years(text: str) -> list[tuple[int, str]]:
    """(year, as written) for each year in ``text``."""
    return [(int(m.group(1)), m.group(1)) for m in YEAR_RE.finditer(text)]


def month_years(text: str) -> list[tuple[tuple[int, int], str, int]]:
    """((year, month), as written, where) for 'March 2021', 'Mär. 2021', '03/2021', '2021-03'."""
    found: list[tuple[tuple[int, int], str, int]] = []
    folded = fold(text)
    source = text if len(folded) == len(text) else folded  # report the original spelling where folding kept places
    for m in _MONTH_NAME_YEAR.finditer(folded):
        month = _MONTHS.get(m.group(1))
        if month:
            found.append(((int(m.group(2)), month), source[m.start():m.end()], m.start()))
    for m in _NUM_MONTH_YEAR.finditer(folded):
        found.append(((int(m.group(2)), int(m.group(1))), source[m.start():m.end()], m.start()))
    for m in _YEAR_NUM_MONTH.finditer(folded):
        found.append(((int(m.group(1)), int(m.group(2))), source[m.start():m.end()], m.start()))
    return found


def ranks(text: str) -> set[str]:
    """The seniority families a title names."""
    folded = fold(text)
    return {family for family, pattern in RANKS.items() if pattern.search(folded)}
