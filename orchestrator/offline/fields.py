"""Single-value posting fields: work mode, employment type, seniority, labels.

Each reader looks in the most trustworthy place first: an explicit label line
("Employment type: Contract"), then the title, then the header (the first few
lines, where LinkedIn-style pastes put "Hybrid · Full-time"), then the body.
"""

from __future__ import annotations

import re

# ---- label lines ("Location: Berlin") -------------------------------------------------------

_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("job title", "title", "position", "role", "job", "vacancy", "stelle", "stellenbezeichnung",
              "position title", "poste", "intitulé du poste", "intitulé", "puesto"),
    "company": ("company", "employer", "organisation", "organization", "hiring company", "unternehmen",
                "firma", "arbeitgeber", "entreprise", "société", "empresa", "client"),
    "location": ("location", "locations", "job location", "based in", "office", "office location", "city",
                 "standort", "arbeitsort", "einsatzort", "ort", "lieu", "localisation", "lieu de travail",
                 "ubicación", "ciudad"),
    "employment": ("employment type", "job type", "type", "contract type", "contract", "employment",
                   "schedule", "anstellungsart", "beschäftigungsart", "vertragsart", "arbeitszeit",
                   "type de contrat", "contrat", "tipo de contrato", "jornada"),
    "remote": ("workplace type", "workplace", "work model", "working model", "work mode", "remote",
               "remote policy", "work arrangement", "arbeitsmodell", "homeoffice", "mode de travail",
               "télétravail", "modalidad", "work setup"),
    "seniority": ("seniority level", "seniority", "experience level", "level", "career level",
                  "erfahrungslevel", "karrierestufe", "niveau", "niveau d'expérience", "nivel"),
    "contact": ("contact", "contact person", "your contact", "contact name", "hiring manager", "recruiter",
                "ansprechpartner", "ansprechpartnerin", "ihr ansprechpartner", "ihre ansprechpartnerin",
                "dein ansprechpartner", "deine ansprechpartnerin", "ansprechperson", "kontaktperson", "kontakt",
                "interlocuteur", "interlocutrice", "votre interlocuteur", "votre interlocutrice", "contact rh",
                "persona de contacto", "contacto", "referente", "persona di riferimento", "contatto",
                "pessoa de contato", "contato", "contactpersoon", "osoba kontaktowa"),
}
_LABEL_KEYS = {k: field for field, keys in _LABELS.items() for k in keys}
_LABEL_RE = re.compile(r"^\s*(?:[-*•]\s*)?(?:\*\*|__)?(?P<key>[A-Za-zÀ-ÿ' ]{2,30}?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?(?P<value>[^\n]{1,160}?)(?:\*\*|__)?\s*$")


def read_labels(lines: list[str]) -> tuple[dict[str, str], set[int]]:
    """{field: value} from 'Key: value' lines, and the indexes of the lines used."""
    found: dict[str, str] = {}
    used: set[int] = set()
    for i, line in enumerate(lines[:400]):
        m = _LABEL_RE.match(line)
        if not m:
            continue
        key = re.sub(r"\s+", " ", m.group("key").strip().lower())
        field = _LABEL_KEYS.get(key)
        value = m.group("value").strip(" *_")
        if field and value and field not in found:
            found[field] = value
            used.add(i)
    return found, used


# ---- remote mode -----------------------------------------------------------------------------

_HYBRID = re.compile(
    r"\bhybrid\b(?![- ](?:cloud|apps?|mobile|infrastructure|architecture|environment|model of|cars?|vehicles?|search))|"
    r"\b\d\s*(?:-\s*\d\s*)?(?:days?|Tage?n?|jours?)\s*(?:a week\s*|per week\s*|/\s*week\s*|pro Woche\s*|par semaine\s*)?"
    r"(?:in|im|at|au|on)\s+(?:the\s+|our\s+)?(?:office|Büro|bureau|site)\b(?!.{0,20}\b5\b)|"
    r"t[ée]l[ée]travail partiel|teilweise (?:im )?home-?office|mobiles arbeiten|"
    r"\b(?:up to|bis zu|jusqu'à)\s+\d{1,2}\s?%\s*(?:home[- ]?office|remote|mobile|t[ée]l[ée]travail)|"
    r"\b[1-9]\d?\s?%\s*(?:home[- ]?office|remote work|t[ée]l[ée]travail)|"
    r"\b(?:\d|two|three|zwei|drei|deux|trois)\s*(?:days?|Tage?|jours?)\s*(?:per week\s*|pro Woche\s*|par semaine\s*)?"
    r"(?:de\s+)?(?:remote|home-?office|t[ée]l[ée]travail|mobil)",
    re.I,
)
_REMOTE = re.compile(
    r"\bremote[- ]first\b|\bfully[- ]remote\b|\b100\s?%\s*remote\b|\bremote[- ]only\b|\bremote (?:position|role|job|"
    r"opportunity|team|company)\b|\bwork(?:ing)? (?:fully )?remotely\b|\bwork from anywhere\b|\bwork from home\b|\bWFH\b|"
    r"\bremote\s*\((?:[^)]{0,30})\)|\(remote\)|^\s*remote\s*(?:$|[(\-–|·,:])|\bremote[- ]friendly\b|\bfull remote\b|"
    r"\b100\s?%\s*(?:home-?office|t[ée]l[ée]travail)\b|\bvollst[äa]ndig remote\b|\bt[ée]l[ée]travail (?:complet|total|[àa] 100)|"
    r"\bteletrabajo\b|\bremoto\b|\bremote\s+(?:EU|US|UK|EMEA|APAC|LATAM|Europe|worldwide|anywhere|only)\b|\bremote\s*[-–|·,]\s*(?:[A-Z]|worldwide|anywhere)|\bremote$",
    re.I | re.M,
)
_ONSITE = re.compile(
    r"\bon[- ]?site\b(?! (?:gym|canteen|parking|childcare|cafeteria))|\bin[- ]office\b|\boffice[- ]based\b|"
    r"\bin[- ]person\b|\bwork from (?:the )?office\b|\bWFO\b|\bvor ort\b|\bpr[äa]senz|\bsur site\b|\bpr[ée]sentiel\b|\bpresencial\b|"
    r"\b(?:not|no|non)[- ]remote\b|\b5 days (?:a week )?in (?:the )?office\b",
    re.I,
)


def remote_mode(label: str | None, header: str, body: str) -> str:
    """onsite / hybrid / remote / unknown."""
    for text in (label or "", header, body):
        if not text:
            continue
        if _HYBRID.search(text):
            return "hybrid"
        if re.search(r"\b(?:not|no|non)[- ]remote\b", text, re.I):
            return "onsite"
        if _REMOTE.search(text) or (text is label and re.search(r"\bremote\b", text, re.I)):
            return "remote"
        if _ONSITE.search(text):
            return "onsite"
    return "unknown"


# ---- employment type ---------------------------------------------------------------------------

_EMPLOYMENT: list[tuple[str, re.Pattern[str]]] = [
    ("internship", re.compile(
        r"\bintern(?:ship)?s?\b|\bPraktikum\b|\bPraktikant|\bWerkstudent|working student|\bstagiaire\b|"
        r"\bstage de fin d'études|\boffre de stage|\balternance\b|\bpasant[ií]a\b|\bbecari[oa]\b|\bco-?op\b|"
        r"placement year", re.I)),
    ("contract", re.compile(
        r"\bcontract(?:or)?\b(?!\s+(?:negotiation|management|law|manufactur|review|terms))|\bfreelance[r]?\b|"
        r"\bday rate\b|\bIR35\b|\bcontract[- ]to[- ]hire\b|\b1099\b|\bFreiberuf|\bfreiberuflich|"
        r"\bauto-entrepreneur|\bmission freelance|\bTJM\b|\bB2B\b(?= contract| agreement)", re.I)),
    ("temporary", re.compile(
        r"\btemporary\b|\btemp\b|\bfixed[- ]term\b|\bbefristet|\bCDD\b|\bmaternity cover\b|"
        r"\bparental leave cover\b|\bseasonal\b", re.I)),
    ("part_time", re.compile(r"\bpart[- ]time\b|\bTeilzeit\b|\btemps partiel\b|\bmedia jornada\b", re.I)),
    ("full_time", re.compile(
        r"\bfull[- ]time\b|\bpermanent\b|\bVollzeit\b|\bunbefristet|\bFestanstellung\b|\bCDI\b|"
        r"\btemps plein\b|\bjornada completa\b|\btiempo completo\b", re.I)),
]


def _employment_by_priority(text: str) -> str | None:
    for kind, pattern in _EMPLOYMENT:
        if pattern.search(text):
            return kind
    return None


def employment_type(label: str | None, title: str, header: str, body: str) -> str:
    """The first type named by the label, the title or the header; else the earliest in the body."""
    for text in (label or "", title, header):
        kind = _employment_by_priority(text) if text else None
        if kind:
            return kind
    best: tuple[int, str] | None = None
    for kind, pattern in _EMPLOYMENT:
        m = pattern.search(body)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind)
    return best[1] if best else "unknown"


# ---- seniority ------------------------------------------------------------------------------------

_SENIORITY: list[tuple[str, re.Pattern[str]]] = [
    ("intern", re.compile(r"\bintern(?:ship)?\b|\bPraktikant|\bWerkstudent|\bstagiaire\b|\btrainee\b|"
                          r"\bapprentice|\bAzubi\b|\balternante?\b|\bbecari[oa]\b|working student", re.I)),
    ("executive", re.compile(r"\bchief\b|\bC[ETFOMIPR]O\b|\bVP\b|\bvice president\b|\bhead of\b|\bdirector\b|"
                             r"\bdirecteur|\bdirectrice\b|\bGeschäftsführer|\bmanaging director\b", re.I)),
    ("principal", re.compile(r"\bprincipal\b|\bdistinguished\b", re.I)),
    ("lead", re.compile(r"\blead\b|\bstaff\b|\bteam\s?lead|\btech\s?lead|\bTeamleit|\bLeiter\b|\bLeiterin\b|"
                        r"\bengineering manager\b|\bchef d'équipe\b|\blead dev", re.I)),
    ("senior", re.compile(r"\bsenior\b|\bsr\.?(?!\w)|\bsnr\b|\bIII\b|\bconfirm[ée]e?\b|\bexp[ée]riment[ée]e?\b|\bs[ée]nior\b", re.I)),
    ("mid", re.compile(r"\bmid(?:[- ]?level)?\b|\bintermediate\b|\bII\b|\bm[ée]dior\b", re.I)),
    ("junior", re.compile(r"\bjunior\b|\bjr\.?(?!\w)|\bentry[- ]level\b|\bgraduate\b|\bgrad\b|\bassociate\b|"
                          r"\bd[ée]butante?\b|\bBerufseinsteiger", re.I)),
]
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "ein": 1, "einem": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "zehn": 10,
    "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "dix": 10, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
}
_NUM = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
_YEARS = re.compile(
    _NUM + r"\s*\+?\s*(?:(?:-|–|to|bis|à|a)\s*" + _NUM + r"\s*\+?\s*)?(?:years?|yrs?|Jahre[n]?|ans|años)\b",
    re.I,
)
_EXPERIENCE_WORD = re.compile(r"experience|Erfahrung|expérience|experiencia|background|professional|industry|"
                              r"hands-on|commercial|working|in a similar|track record", re.I)


def _as_int(token: str | None) -> int | None:
    if not token:
        return None
    return int(token) if token.isdigit() else _NUMBER_WORDS.get(token.lower())


def years_required(text: str) -> int | None:
    """The largest minimum 'X+ years' of experience a posting asks for."""
    best: int | None = None
    for m in _YEARS.finditer(text):
        lo = max(0, m.start() - 200)
        line_start = text.rfind("\n", lo, m.start()) + 1 or lo
        line_end = text.find("\n", m.end(), m.end() + 200)
        line = text[line_start: line_end if line_end != -1 else m.end() + 200]
        if not _EXPERIENCE_WORD.search(line) and not re.match(r"\s*(?:[-*•·]|\d{1,2}[.)])\s", line):
            continue
        low = _as_int(m.group(1))
        if low is not None and low <= 25:
            best = low if best is None else max(best, low)
    return best


def _from_years(years: int) -> str:
    if years <= 1:
        return "junior"
    if years <= 4:
        return "mid"
    if years <= 11:
        return "senior"
    return "lead"


def seniority(title: str, label: str | None, body: str, employment: str) -> str:
    """From the title, then a seniority label, then 'X+ years', then the employment type."""
    for kind, pattern in _SENIORITY:
        if pattern.search(title):
            return kind
    years = years_required(body)
    if label:
        low = label.lower()
        if "mid-senior" in low or "mid senior" in low:
            return _from_years(years) if years and years >= 5 else "mid"
        for kind, pattern in _SENIORITY:
            if pattern.search(label):
                return kind
        if re.search(r"\bexecutive\b", low):
            return "executive"
    if employment == "internship":
        return "intern"
    if years is not None:
        return _from_years(years)
    return "unknown"


# ---- contact person ------------------------------------------------------------------------------

_TITLE = r"(?:Ms|Mrs|Miss|Mr|Dr|Frau|Herrn?|Mme|M|Madame|Monsieur|Sra|Sr|mevrouw|de heer|Pani|Panem)\.?\s+"
_NAME = r"[A-ZÀ-Ý][\w'’-]+(?:\s+(?:(?:van|von|de|der|den|da|di|del|le|la)\s+)*[A-ZÀ-Ý][\w'’-]+){0,3}"
# "Reach out to Jan de Vries", "Wende dich an Herrn Weber"; a bare "contact" only before a title
# ("contact Ms Smith"): "Contact Acme Labs for details" names no one.
_CONTACT_PROSE = re.compile(
    r"(?i:reach out to|get in touch with|send (?:your |an |the )?(?:application|cv|resume|résumé)s? to|"
    r"write to|wende dich (?:bitte )?an|wenden Sie sich (?:bitte )?an|richte deine Bewerbung an|"
    r"richten Sie Ihre Bewerbung an|écrivez à|adressez votre candidature à|dirigirse a|neem contact op met)\s+"
    rf"(?P<name>(?:{_TITLE})*{_NAME})"
    r"|(?i:contact|contactez|contacta con|contattare|kontakt z)\s+"
    rf"(?P<titled>(?:{_TITLE})+{_NAME})"
)
_NOT_A_PERSON = re.compile(
    r"\b(?:team|teams|recruiting|recruitment|talent|careers?|jobs?|people|hiring|hr|human resources|department|"
    r"office|support|gmbh|inc|ltd|llc|group|services|personalabteilung|rh|us|uns|nous)\b", re.I)


def contact(label: str | None, text: str, company: str | None) -> str | None:
    """The person a posting says to address or apply to ('Ms Jane Smith', 'Frau Dr. Müller'),
    as written, without role, e-mail or phone; None when it names nobody."""
    from orchestrator.offline.phrases import parse_contact

    candidates = [label] if label else []
    candidates += [m.group("name") or m.group("titled") for m in _CONTACT_PROSE.finditer(text[:20_000])]
    for raw in candidates:
        value = re.split(r"\s*(?:[(,;|–—]|\s-\s|@|\d|\bat\b|\bunter\b|\bà\b)", raw.strip())[0].strip(" .:")
        if not value or len(value) > 80 or _NOT_A_PERSON.search(value):
            continue
        if company and company.lower() in value.lower():
            continue
        if parse_contact(value) is not None:
            return re.sub(r"^Herrn\b", "Herr", value)  # "an Herrn Weber" addresses Herr Weber
    return None
