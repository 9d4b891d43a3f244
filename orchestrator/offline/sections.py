"""Posting sections: which heading starts which list, and the items under it.

A posting is read line by line. A heading ("Requirements", "What you'll do",
"Wir bieten", "Vos missions", "**Perks:**", "## About Acme") switches the
current section; bullets (and, where a section has none, its sentences)
become items of that section. Bullets outside any known section are sorted by
what they say: "5+ years of Go" is a requirement, "Build the payments API" a
responsibility, "30 days of holiday" a benefit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from orchestrator.offline.text import dedupe, heading_text, is_meaningful, split_sentences, strip_bullet, strip_inline_markdown

# Section kinds: requirements, nice, responsibilities, role, benefits, about, other; a formatted
# heading that names none of them is a plain "heading" (often the job title itself).
_HEADINGS: dict[str, tuple[str, ...]] = {
    "nice": (
        "nice to have", "nice to haves", "nice-to-have", "nice-to-haves", "bonus points", "bonus points if",
        "bonus", "preferred qualifications", "preferred skills", "preferred", "desirable", "pluses",
        "desirable skills", "desirable criteria", "desired skills",
        "it's a plus", "it would be great if", "extra credit", "wünschenswert", "von vorteil", "optional",
        "un plus", "atouts", "serait un plus", "les plus", "se valorará", "deseable",
    ),
    "requirements": (
        "requirements", "requirement", "job requirements", "key requirements", "qualifications",
        "minimum requirements", "basic requirements", "you might be a fit if", "you may be a fit if",
        "you might be a good fit if", "you're a good fit if", "you are a good fit if", "you'll thrive if",
        "you will thrive if", "we're looking for someone who", "we are looking for someone who",
        "minimum qualifications", "basic qualifications", "required qualifications", "what you'll need",
        "what you will need", "what you need", "what you'll bring", "what you bring", "what we're looking for",
        "what we are looking for", "what we look for", "who you are", "about you", "your profile", "profile",
        "you have", "you are", "you", "you bring", "you'll have", "you will have", "must have", "must haves", "must-have", "must-haves", "skills",
        "skills and experience", "skills & experience", "experience", "required skills", "key skills",
        "you'll be great if", "you will be great if", "ideal candidate", "the ideal candidate",
        "what we expect", "your skills", "your background", "requirements and qualifications",
        "who we're looking for", "who we are looking for", "you should have", "we'd love to hear from you if",
        "essential skills", "essential", "essential criteria", "essential requirements", "technical skills",
        "key qualifications", "the skills you need", "what you need to succeed", "candidate profile",
        "desired candidate profile", "desired profile", "skills required", "eligibility",
        "dein profil", "ihr profil", "anforderungen", "anforderungsprofil", "was du mitbringst",
        "was sie mitbringen", "das bringst du mit", "das bringen sie mit", "qualifikationen",
        "voraussetzungen", "deine skills", "profil recherché", "profil recherche", "votre profil", "ton profil",
        "compétences", "compétences requises", "ce que nous recherchons", "qualifications requises",
        "requisitos", "perfil", "tu perfil", "lo que buscamos",
    ),
    "responsibilities": (
        "responsibilities", "key responsibilities", "your responsibilities", "main responsibilities",
        "job responsibilities", "roles and responsibilities", "roles & responsibilities",
        "role and responsibilities", "role & responsibilities", "duties and responsibilities", "what you'll do", "what you will do", "what you'll be doing",
        "what you will be doing", "what you'll work on", "what you will work on", "you will", "you'll",
        "you will be", "you'll be", "your role", "role", "duties", "key duties",
        "your mission", "the mission", "in this role you will", "in this role", "day to day", "day-to-day",
        "a day in the life", "your tasks", "tasks", "your impact", "what you'll achieve", "the job",
        "deine aufgaben", "ihre aufgaben", "aufgaben", "aufgabengebiet", "deine rolle", "ihre rolle",
        "das erwartet dich", "vos missions", "tes missions", "missions", "vos responsabilités",
        "responsabilités", "vos principales missions", "descriptif du poste", "description du poste",
        "responsabilidades", "funciones", "tus tareas", "tus funciones",
    ),
    "role": (
        "about the role", "about this role", "the role", "the opportunity", "about the job",
        "about the position", "the position", "job description", "role description", "overview",
        "position overview", "über die rolle", "die stelle", "le poste", "el puesto", "la oferta",
    ),
    "benefits": (
        "benefits", "perks", "perks and benefits", "perks & benefits", "benefits and perks", "benefits & perks",
        "what we offer", "we offer", "what's in it for you", "what’s in it for you", "why join us",
        "why join", "why us", "why you'll love working here", "why work with us", "our offer",
        "compensation and benefits", "compensation & benefits", "what you get", "what you'll get",
        "in return", "wir bieten", "was wir bieten", "das bieten wir", "das bieten wir dir", "unser angebot",
        "deine vorteile", "ihre vorteile", "benefits für dich", "avantages", "nos avantages",
        "ce que nous offrons", "ce que nous proposons", "nous offrons", "nous proposons",
        "pourquoi nous rejoindre", "beneficios", "ofrecemos", "qué ofrecemos",
    ),
    "about": (
        "about us", "about the company", "about the team", "who we are", "our company", "company description",
        "company overview", "our story", "the team", "our team", "über uns", "wer wir sind", "das sind wir",
        "qui sommes-nous", "qui sommes nous", "à propos", "à propos de nous", "l'entreprise",
        "sobre nosotros", "quiénes somos",
    ),
    "other": (
        "how to apply", "application process", "interview process", "hiring process", "our process",
        "equal opportunity", "equal opportunity employer", "diversity", "diversity and inclusion",
        "salary", "compensation", "location", "details", "job details", "bewerbung", "kontakt",
        "candidature", "processus de recrutement", "next steps", "apply",
    ),
}
_LOOKUP: dict[str, str] = {h: kind for kind, heads in _HEADINGS.items() for h in heads}
# The same headings without their spaces: OCR of a screenshot often drops one ("Nice tohave").
_TIGHT: dict[str, str] = {h.replace(" ", ""): kind for h, kind in _LOOKUP.items() if len(h.replace(" ", "")) >= 6}
_PREFIXES = sorted(_LOOKUP, key=len, reverse=True)
_NO_PREFIX = {"you", "you'll", "you will", "role", "the role", "the job", "profile", "perfil", "apply", "details"}
LIST_KINDS = ("requirements", "nice", "responsibilities", "benefits")
_INLINE = re.compile(
    r"^\s*(?:\*\*|__)?(?P<head>[^:\n]{3,45}?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<rest>\S.*)$"
)

_REQ_HINT = re.compile(
    r"\b(?:experience|experienced|years?|yrs|knowledge|proficien|familiar|understanding|degree|bachelor|"
    r"master|phd|background in|ability to|able to|skills?|fluent|fluency|certif|expertise|strong|solid|"
    r"comfortable|track record|must|you have|you are|Erfahrung|Kenntnisse|Studium|Abschluss|"
    r"expérience|maîtrise|connaissance|diplôme|experiencia|conocimientos)\b",
    re.I,
)
_RESP_HINT = re.compile(
    r"^(?:you(?:'ll| will)\s+)?(?:build|design|develop|own|lead|drive|create|maintain|implement|work|"
    r"collaborate|partner|manage|write|ship|deliver|support|help|improve|define|run|mentor|review|"
    r"analy[sz]e|research|plan|coordinate|ensure|monitor|optimi[sz]e|automate|contribute|report|"
    r"entwickeln|gestalten|betreuen|konzipieren|développer|concevoir|participer|gérer|desarrollar)\b",
    re.I,
)
_BENEFIT_HINT = re.compile(
    r"\b(?:vacation|holiday|PTO|paid time off|leave|equity|stock|options|health|dental|vision|insurance|"
    r"pension|401|retirement|bonus|budget|stipend|allowance|gym|wellness|parental|remote|flexible|"
    r"laptop|equipment|learning|training|conference|offsite|team events|lunch|snacks|visa|relocation|"
    r"Urlaub|Urlaubstage|Weiterbildung|Homeoffice|Jobrad|Altersvorsorge|congés|mutuelle|tickets restaurant|"
    r"RTT|vacaciones)\b",
    re.I,
)
_SALARY_ITEM = re.compile(
    r"^(?:salary|salaire|gehalt|compensation|pay|rate|vergütung|rémunération|sueldo|salario|ctc)\b(?:[^:]{0,20}:|.*\d)", re.I
)
_META = re.compile(
    r"^(?:full[- ]time|part[- ]time|contract|permanent|remote|hybrid|on[- ]?site|internship|"
    r"[$€£₹]|\d[\d.,' ]*\s?[kK]?\s?(?:[$€£]|EUR|USD|GBP))",
    re.I,
)


@dataclass
class Sections:
    requirements: list[str] = field(default_factory=list)
    nice: list[str] = field(default_factory=list)
    responsibilities: list[str] = field(default_factory=list)
    benefits: list[str] = field(default_factory=list)
    role_text: list[str] = field(default_factory=list)
    intro_text: list[str] = field(default_factory=list)
    headings: list[tuple[int, str, str]] = field(default_factory=list)  # (line index, kind, text)


def _norm_heading(text: str) -> str:
    text = text.replace("’", "'").lower()
    text = re.sub(r"[^\w\s'&/-]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" -/&")


def classify_heading(line: str) -> str | None:
    """The section kind a line starts, or None if it is not a heading."""
    raw = line.strip()
    if not raw or len(raw) > 70:
        return None
    formatted = heading_text(raw)
    norm = _norm_heading(strip_inline_markdown(formatted if formatted is not None else raw))
    if not norm:
        return None
    if norm in _LOOKUP:
        return _LOOKUP[norm]
    if len(norm.split()) <= 4:
        tight = norm.replace(" ", "")
        if tight in _TIGHT:
            return _TIGHT[tight]
    if formatted is None:
        # "About Acme" on a line of its own heads the company section even without formatting.
        if re.match(r"^(?i:about|über|à propos de)\s+[A-ZÀ-Ý][\w&.'-]*(?:\s+[\w&.'-]+){0,3}$", raw):
            return "about"
        return None
    if norm.startswith("about ") or norm.startswith("über ") or norm.startswith("à propos de "):
        return "about"
    for prefix in _PREFIXES:
        if prefix not in _NO_PREFIX and norm.startswith(prefix + " ") and len(norm.split()) - len(prefix.split()) <= 3:
            return _LOOKUP[prefix]
    return "heading"


def _clean_item(text: str) -> str:
    text = strip_inline_markdown(text).strip()
    text = re.sub(r"\s+", " ", text).strip(" ;,")
    if text.endswith(".") and text.count(".") == 1:
        text = text[:-1]
    return text[:300].strip()


def _guess_kind(item: str) -> str | None:
    """Where an unsectioned bullet belongs, or None for metadata (salary, job type)."""
    if _META.match(item) and len(item) < 40:
        return None
    if _RESP_HINT.match(item):
        return "responsibilities"
    if _BENEFIT_HINT.search(item) and not re.search(r"experience|years", item, re.I):
        return "benefits"
    if _REQ_HINT.search(item) or len(item.split()) <= 6:
        return "requirements"
    return "responsibilities"


def split_sections(lines: list[str], skip: set[int] | None = None) -> Sections:
    """Walk the lines once, filling the lists of a ``Sections``."""
    out = Sections()
    skip = skip or set()
    kind: str | None = None
    bullets_in: dict[str, int] = {}
    paragraphs: dict[str, list[str]] = {}
    last_list: list[str] | None = None

    def target(k: str | None, item: str) -> list[str] | None:
        k = k or _guess_kind(item)
        if k in LIST_KINDS:
            return getattr(out, k)
        if k == "role":
            return out.responsibilities
        return None

    for i, line in enumerate(lines):
        if i in skip or not line.strip():
            if not line.strip():
                last_list = None
            continue
        head = classify_heading(line)
        if head is not None:
            kind = head
            out.headings.append((i, head, line.strip()))
            last_list = None
            continue
        inline = _INLINE.match(line)
        if inline and not strip_bullet(line)[0]:
            head = classify_heading(inline.group("head") + ":")
            if head in LIST_KINDS:
                kind = head
                out.headings.append((i, head, inline.group("head")))
                rest = inline.group("rest")
                if len(rest.split()) <= 4:  # "Experience: 2-5 years" reads better whole
                    getattr(out, head).append(_clean_item(line))
                    continue
                for part in re.split(r";\s*|\s+•\s+", rest):
                    if is_meaningful(part):
                        getattr(out, head).append(_clean_item(part))
                continue
        is_bullet, body = strip_bullet(line)
        if is_bullet:
            item = _clean_item(body)
            if not is_meaningful(item):
                continue
            # Under an unknown heading (often the title itself) bullets are sorted by what they say.
            dest = None if kind in ("about", "other") else target(None if kind == "heading" else kind, item)
            if dest is not None:
                dest.append(item)
                bullets_in[kind or "?"] = bullets_in.get(kind or "?", 0) + 1
            last_list = dest
            continue
        # A wrapped bullet continues in lower case on the next line.
        if last_list and line[:1].islower() and last_list[-1:]:
            last_list[-1] = _clean_item(last_list[-1] + " " + line)
            continue
        last_list = None
        if kind in (None, "heading"):
            out.intro_text.append(line)
        elif kind == "role":
            out.role_text.append(line)
        elif kind in LIST_KINDS:
            paragraphs.setdefault(kind, []).append(line)

    # Sections written as prose instead of bullets: one item per sentence.
    for k, paras in paragraphs.items():
        if not bullets_in.get(k):
            for sentence in split_sentences(" ".join(paras)):
                if is_meaningful(sentence) and len(sentence) >= 8:
                    getattr(out, k).append(_clean_item(sentence))
    out.benefits = [b for b in out.benefits if not _SALARY_ITEM.match(b)]
    for name in LIST_KINDS:
        setattr(out, name, dedupe([x for x in getattr(out, name) if x])[:25])
    return out
