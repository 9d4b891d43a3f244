"""Heuristic import of a pasted CV (plain text or Markdown) into a ``Profile``.

The header (name, headline, contact details) comes before the first section
heading; sections are found by their headings in English, German, French and
Spanish. Experience entries are a header (role, company, dates, place in any
order and separator) followed by bullets. What cannot be read is left empty:
the user reviews the result before saving it.
"""

from __future__ import annotations

import re

from orchestrator.offline.extract import ROLE_NOUN
from orchestrator.offline.places import find_city, is_place, looks_like_place
from orchestrator.offline.taxonomy import find_skills, skill_key
from orchestrator.offline.text import clean_text, dedupe, heading_text, is_meaningful, strip_bullet, strip_inline_markdown
from orchestrator.schemas import Education, Experience, Profile

_SECTIONS: dict[str, tuple[str, ...]] = {
    "summary": ("summary", "profile", "about", "about me", "professional summary", "personal statement",
                "objective", "career objective", "overview", "professional profile", "personal profile",
                "profil", "kurzprofil", "über mich", "zusammenfassung", "résumé", "à propos", "à propos de moi",
                "perfil", "perfil profesional", "sobre mí", "resumen"),
    "experience": ("experience", "work experience", "professional experience", "employment", "employment history",
                   "work history", "career history", "career", "relevant experience", "berufserfahrung",
                   "berufliche erfahrung", "beruflicher werdegang", "werdegang", "praxiserfahrung", "expérience",
                   "expériences", "expérience professionnelle", "expériences professionnelles",
                   "parcours professionnel", "experiencia", "experiencia profesional", "experiencia laboral"),
    "education": ("education", "academic background", "education and training", "studies", "academic history",
                  "ausbildung", "bildung", "studium", "bildungsweg", "akademischer werdegang", "formation",
                  "formations", "éducation", "études", "educación", "formación", "formación académica"),
    "skills": ("skills", "technical skills", "core skills", "key skills", "competencies", "core competencies",
               "technologies", "tech stack", "tools", "tools and technologies", "expertise", "skills and tools",
               "kenntnisse", "fähigkeiten", "kompetenzen", "it-kenntnisse", "fachkenntnisse", "compétences",
               "compétences techniques", "habilidades", "competencias", "conocimientos", "aptitudes"),
    "languages": ("languages", "language skills", "sprachen", "sprachkenntnisse", "langues", "idiomas"),
    "other": ("projects", "certifications", "certificates", "awards", "publications", "interests", "hobbies",
              "volunteering", "references", "courses", "achievements", "projekte", "zertifikate", "interessen",
              "projets", "certifications", "centres d'intérêt", "proyectos", "certificaciones", "intereses"),
}
_SECTION_LOOKUP = {name: kind for kind, names in _SECTIONS.items() for name in names}

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\w/])(?:\+|00)?\d[\d ()./-]{6,18}\d(?![\w/])")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()|,;]+|\b(?:linkedin\.com|github\.com|gitlab\.com|behance\.net|dribbble\.com)/[^\s<>()|,;]+", re.I)
_MONTH = (
    r"(?:Jan(?:uary|uar)?|Feb(?:ruary|ruar)?|Mar(?:ch)?|März|Apr(?:il)?|May|Mai|June?|Juni|July?|Juli|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Okt(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|Dez(?:ember)?|janv(?:ier)?|"
    r"févr(?:ier)?|mars|avr(?:il)?|juin|juil(?:let)?|août|sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|"
    r"déc(?:embre)?|enero|feb(?:rero)?|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\.?"
)
_DATE = rf"(?:{_MONTH}\s+(?:19|20)\d{{2}}|\d{{1,2}}[/.](?:19|20)\d{{2}}|(?:19|20)\d{{2}}(?:[-/]\d{{1,2}})?)"
_NOW = r"(?:present|current|currently|now|today|ongoing|heute|bis heute|aktuell|aujourd'hui|présent|actuel|actualidad|presente|actual|hoy)"
_RANGE = re.compile(
    rf"(?P<start>{_DATE})\s*(?:–|—|-|to|until|bis|à|au|a|hasta)\s*(?P<end>{_DATE}|{_NOW})|"
    rf"(?:since|seit|depuis|desde)\s+(?P<since>{_DATE})|(?P<single>{_DATE})",
    re.I,
)
_DEGREE = re.compile(
    r"\b(?:B\.?\s?Sc|M\.?\s?Sc|B\.?A|M\.?A|BEng|MEng|B\.?\s?Tech|M\.?\s?Tech|B\.?E|Ph\.?\s?D|MBA|Bachelor|Master|Diplom\w*|"
    r"Diploma|Doctor\w*|Licence|Abitur|Ausbildung|BTS|DUT|Associate|High School|A-levels|GCSE|Magister|"
    r"Staatsexamen|Certificate|Grado|Licenciatura|Máster|Doctorado|Ingénieur|MSc|BSc)\b",
    re.I,
)
_NATURAL_LANGUAGES = re.compile(
    r"^(?:English|German|French|Spanish|Italian|Portuguese|Dutch|Polish|Russian|Ukrainian|Turkish|Arabic|"
    r"Chinese|Mandarin|Cantonese|Japanese|Korean|Hindi|Swedish|Norwegian|Danish|Finnish|Greek|Czech|Hungarian|"
    r"Romanian|Hebrew|Persian|Farsi|Vietnamese|Thai|Indonesian|Catalan|Deutsch|Englisch|Französisch|Spanisch|"
    r"Italienisch|Anglais|Allemand|Français|Espagnol|Italien|Inglés|Alemán|Francés|Español|Italiano)\b",
    re.I,
)
_SPLIT_LIST = re.compile(r"\s*(?:[,;•·|]|\s/\s|\s-\s)\s*")


def _section_kind(line: str) -> str | None:
    formatted = heading_text(line)
    raw = strip_inline_markdown(formatted if formatted is not None else line)
    norm = re.sub(r"[^\w\s'&-]", " ", raw.replace("’", "'").lower())
    norm = re.sub(r"\s+", " ", norm).strip()
    if norm in _SECTION_LOOKUP:
        return _SECTION_LOOKUP[norm]
    if formatted is not None and len(norm.split()) <= 4:
        for name, kind in _SECTION_LOOKUP.items():
            if norm.startswith(name + " ") or norm.endswith(" " + name):
                return kind
    return None


def _is_contact(line: str) -> bool:
    return bool(_EMAIL.search(line) or _URL.search(line) or _PHONE.fullmatch(line.strip()))


def _split_sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    header: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        kind = _section_kind(line) if len(line) <= 60 else None
        if kind:
            current = sections.setdefault(kind, [])
            continue
        (current if current is not None else header).append(line)
    return header, sections


def _name_and_headline(header: list[str]) -> tuple[str, str | None, list[str]]:
    """(name, headline, the header lines left over)."""
    h1 = next((i for i, ln in enumerate(header) if re.match(r"^#\s+\S", ln)), None)
    candidates = [i for i, ln in enumerate(header) if ln.strip() and is_meaningful(ln) and not _is_contact(ln)
                  and not re.match(r"^(?:#+\s*)?(?:cv|curriculum vitae|resume|résumé|lebenslauf)\s*$", ln, re.I)]
    name_idx = h1 if h1 is not None else (candidates[0] if candidates else None)
    if name_idx is None:
        return "", None, header
    name = strip_inline_markdown(header[name_idx])
    name = re.sub(r"^(?:name|nom|nombre)\s*:\s*", "", name, flags=re.I).strip()
    if len(name) > 60 or len(name.split()) > 6:
        name = ""
    headline = None
    rest = [i for i in candidates if i > name_idx]
    if rest:
        line = strip_inline_markdown(header[rest[0]])
        if len(line) <= 120 and not (line.endswith(".") and len(line.split()) > 10) and not looks_like_place(line):
            headline = line
            rest = rest[1:]
    leftovers = [header[i] for i in range(len(header)) if i != name_idx and (headline is None or header[i] != headline)]
    return name, headline, leftovers


def _location(header: list[str]) -> str | None:
    for line in header:
        m = re.match(r"^\s*(?:location|address|based in|wohnort|adresse|ubicación)\s*:\s*(.+)$", line, re.I)
        if m:
            return m.group(1).strip()[:80]
    for line in header:
        for part in re.split(r"\s*[|·•]\s*", line):
            if not _EMAIL.search(part) and not _URL.search(part):
                city = find_city(part)
                if city:
                    return city
    return None


def _dates(text: str) -> tuple[str | None, str | None, str]:
    """(start, end, text without the dates). A bare start year means 'to present'."""
    m = _RANGE.search(text)
    if not m:
        return None, None, text
    rest = (text[: m.start()] + " " + text[m.end():]).strip()
    rest = re.sub(r"\(\s*\)|\[\s*\]", "", rest)
    if m.group("start"):
        end = m.group("end")
        return m.group("start"), ("Present" if re.fullmatch(_NOW, end, re.I) else end), rest
    if m.group("since"):
        return m.group("since"), "Present", rest
    return m.group("single"), None, rest


def _parts(text: str) -> list[str]:
    text = strip_inline_markdown(text)
    pieces = re.split(r"\s+(?:at|@|bei|chez|en)\s+|\s*[|·•,]\s*|\s+[–—-]\s+|\s*\n\s*", text)
    return [p.strip(" *_()[]–—-") for p in pieces if p and p.strip(" *_()[]–—-")]


def _entries(lines: list[str]) -> list[tuple[list[str], list[str]]]:
    """Group section lines into (header lines, bullets) entries."""
    entries: list[tuple[list[str], list[str]]] = []
    head: list[str] = []
    bullets: list[str] = []
    blank = False
    for line in lines:
        if not line.strip():
            blank = True
            continue
        is_bullet, body = strip_bullet(line)
        if is_bullet:
            bullets.append(strip_inline_markdown(body))
        elif bullets and line[:1].islower():
            bullets[-1] += " " + line.strip()
        elif len(line) > 100 and head:
            bullets.append(strip_inline_markdown(line))  # a description written as prose
        else:
            head_dated = bool(head) and bool(_RANGE.search("\n".join(head)))
            line_dated = bool(_RANGE.search(line))
            if bullets or re.match(r"^#{1,4}\s", line) or (head_dated and (line_dated or blank)):
                if head or bullets:
                    entries.append((head, bullets))
                head, bullets = [], []
            head.append(line)
        blank = False
    if head or bullets:
        entries.append((head, bullets))
    return entries


def _split_bulleted(entries: list[tuple[list[str], list[str]]]) -> list[tuple[list[str], list[str]]]:
    """A headless list of dated bullets ("- MSc ..., TU Berlin (2014-2016)") is one entry per bullet."""
    out: list[tuple[list[str], list[str]]] = []
    for head, bullets in entries:
        if not head and bullets and sum(bool(_RANGE.search(b)) for b in bullets) * 2 >= len(bullets):
            out.extend(([b], []) for b in bullets)
        else:
            out.append((head, bullets))
    return out


def _experience(lines: list[str]) -> list[Experience]:
    out = []
    for head, bullets in _split_bulleted(_entries(lines))[:20]:
        start, end, rest = _dates("\n".join(head))
        parts = _parts(rest)
        location = next((p for p in parts if is_place(p)), None)
        parts = [p for p in parts if p != location]
        role = next((p for p in parts if ROLE_NOUN.search(p)), parts[0] if parts else "")
        company = next((p for p in parts if p != role), "")
        if not (role or company or bullets):
            continue
        out.append(Experience(role=role[:120], company=company[:120], location=location, start=start, end=end,
                              bullets=[b.strip() for b in bullets if is_meaningful(b)][:20]))
    return out


def _education(lines: list[str]) -> list[Education]:
    out = []
    for head, bullets in _split_bulleted(_entries(lines))[:10]:
        if not head and bullets:
            head, bullets = bullets[:1], bullets[1:]
        start, end, rest = _dates("\n".join(head))
        parts = _parts(rest)
        degree = next((p for p in parts if _DEGREE.search(p)), parts[0] if parts else "")
        institution = next((p for p in parts if p != degree and not is_place(p)), "")
        if not (degree or institution):
            continue
        if start and not end and not re.search(r"since|seit|depuis|desde", rest, re.I):
            start, end = None, start  # a lone year on a degree is when it was completed
        out.append(Education(degree=degree[:160], institution=institution[:160], start=start, end=end,
                             details="; ".join(bullets)[:500] or None))
    return out


def _list_items(lines: list[str]) -> list[str]:
    items = []
    for line in lines:
        body = strip_inline_markdown(strip_bullet(line)[1])
        body = re.sub(r"^[^:]{2,30}:\s*", "", body)  # "Languages: Python, Go" -> "Python, Go"
        for item in _SPLIT_LIST.split(body):
            item = re.sub(r"\s*\((?:[^)]*)\)\s*$", "", item).strip(" .")
            if item and len(item) <= 40 and (is_meaningful(item) or find_skills(item)):
                items.append(item)
    return items


def _language_lines(lines: list[str]) -> list[str]:
    items = []
    for line in lines:
        body = strip_inline_markdown(strip_bullet(line)[1])
        body = re.sub(r"^(?:languages|sprachen|langues|idiomas)\s*:\s*", "", body, flags=re.I)
        items += [i.strip(" .") for i in re.split(r"\s*[,;•·|]\s*", body) if i.strip(" .") and len(i) <= 60]
    return items


def _parse(text: str) -> Profile:
    cleaned = clean_text(text)
    if not cleaned:
        return Profile()
    lines = cleaned.split("\n")
    header, sections = _split_sections(lines)
    name, headline, leftovers = _name_and_headline(header)
    emails = _EMAIL.findall(cleaned[:5000])
    links = dedupe([u.rstrip(".") for u in _URL.findall(cleaned[:20000])])
    phone = None
    for line in header[:15] or lines[:15]:
        stripped = _URL.sub(" ", _EMAIL.sub(" ", line))
        m = _PHONE.search(stripped)
        if m and 7 <= len(re.sub(r"\D", "", m.group(0))) <= 15 and not _RANGE.fullmatch(m.group(0).strip()):
            phone = m.group(0).strip()
            break

    summary_lines = sections.get("summary") or [
        ln for ln in leftovers if len(ln) > 60 and not _is_contact(ln) and not looks_like_place(ln)
    ]
    summary = " ".join(strip_inline_markdown(ln) for ln in summary_lines if ln.strip()).strip() or None

    skills_raw = sections.get("skills", [])
    language_lines = list(sections.get("languages", []))
    skill_lines = []
    for line in skills_raw:
        body = strip_inline_markdown(strip_bullet(line)[1])
        items = _SPLIT_LIST.split(re.sub(r"^[^:]{2,30}:\s*", "", body))
        if items and all(_NATURAL_LANGUAGES.match(i.strip()) for i in items if i.strip()):
            language_lines.append(line)
        else:
            skill_lines.append(line)
    skills = _list_items(skill_lines)
    keys = {skill_key(s) for s in skills}
    for found in find_skills(_URL.sub(" ", _EMAIL.sub(" ", cleaned))):
        if skill_key(found) not in keys:
            keys.add(skill_key(found))
            skills.append(found)

    return Profile(
        name=name,
        headline=headline,
        email=emails[0] if emails else None,
        phone=phone,
        location=_location(leftovers),
        links=links[:8],
        summary=summary[:2000] if summary else None,
        experience=_experience(sections.get("experience", [])),
        education=_education(sections.get("education", [])),
        skills=dedupe(skills)[:60],
        languages=dedupe(_language_lines(language_lines))[:12],
    )


def parse_profile_text(text: str) -> Profile:
    """A ``Profile`` from a pasted CV; fields it cannot read stay empty. Never raises."""
    try:
        return _parse(text)
    except Exception:  # noqa: BLE001 - an import must not fail on odd text; the user reviews the result
        cleaned = clean_text(text) if isinstance(text, str) else ""
        first = next((ln for ln in cleaned.split("\n") if is_meaningful(ln)), "")
        email = _EMAIL.search(cleaned)
        return Profile(name=strip_inline_markdown(first)[:60], email=email.group(0) if email else None)
