"""Heuristic job-posting extraction: free text in, ``JobPosting`` out.

No model, no network: labels, headings, bullets, a skill taxonomy, a small
gazetteer and salary patterns. It never crashes on odd input; the only error
is ``InputRejected`` when there is no readable text at all.
"""

from __future__ import annotations

import re

from orchestrator.errors import InputRejected
from orchestrator.offline import fields
from orchestrator.offline.places import clean_location, find_city, looks_like_place
from orchestrator.offline.salary import find_salary
from orchestrator.offline.phrases import join_words
from orchestrator.offline.sections import Sections, classify_heading, split_sections
from orchestrator.offline.taxonomy import find_skills
from orchestrator.offline.text import clean_text, is_meaningful, shorten, split_sentences, strip_bullet, strip_inline_markdown
from orchestrator.schemas import JobPosting

EMPTY_MESSAGE = (
    "The posting text is empty or has no readable words. Paste the job posting's text "
    "(title, company, requirements ...) and try again."
)

ROLE_NOUN = re.compile(
    r"\b(?:engineer|developer|dev|programmer|architect|designer|manager|analyst|scientist|"
    r"specialist|consultant|intern|internship|trainee|apprentice|lead|head of|director|officer|coordinator|"
    r"administrator|admin|assistant|associate|representative|executive|accountant|writer|editor|researcher|"
    r"technician|advisor|adviser|recruiter|marketer|strategist|product owner|scrum master|SRE|DevOps|QA|"
    r"tester|agent|nurse|teacher|operator|buyer|planner|controller|auditor|lawyer|counsel|VP|vice president|"
    r"CTO|CEO|CFO|COO|CMO|artist|producer|principal|expert|mechanic|electrician|supervisor|clerk|chef|cook|"
    r"driver|bookkeeper|copywriter|marketing|sales|support|Entwickler\w*|\w*entwickler\w*|Ingenieur\w*|"
    r"Berater\w*|Leiter\w*|Referent\w*|Sachbearbeiter\w*|Praktik\w*|Werkstudent\w*|Mitarbeiter\w*|Fachkraft|"
    r"Informatiker\w*|Kauf(?:mann|frau)|d[ée]veloppeu\w*|ing[ée]nieur\w*|chef de projet|responsable|stagiaire|"
    r"chargée?|alternante?|technicien\w*|directeur|directrice|commercial\w*|desarrollador\w*|ingenier[oa]|"
    r"analista|gerente|becari[oa])\b",
    re.I,
)
# "Senior DevOps Engineer-6 Month Contract", "Backend Dev (Go)-Fintech": a dash read from a
# screenshot without its spaces still ends the title.
_GLUED_DASH = re.compile(r"(?:" + ROLE_NOUN.pattern + r")(?:\s*\([^()]{1,30}\))?-(?=(?-i:[A-Z0-9]))", re.I)
_GENDER = re.compile(
    r"\s*[(\[]\s*(?:[mwfdxhn](?:iv)?\*?\s*/\s*){1,2}[mwfdxhn](?:iv)?\*?\s*[)\]]|\s*\((?:all genders?|alle geschlechter|gn\*?)\)|"
    r"\s+\b[mwf]/[mwf]/[dx]\b|\s+\b[HF]/[HF]\b",
    re.I,
)
_META_PAREN = re.compile(
    r"\s*\((?:[^()]*\b(?:remote|hybrid|on-?site|contract|full[- ]time|part[- ]time|freelance|temporary|"
    r"fixed[- ]term|\d+[- ]months?|befristet|CDI|CDD|Vollzeit|Teilzeit|télétravail|remoto|remota|homeoffice)\b[^()]*|\s*\d{2,3}\s*(?:[–-]\s*\d{2,3}\s*)?%\s*)\)",
    re.I,
)
_TITLE_PREFIX = re.compile(
    r"^(?:job title|title|position|role|we(?:'re| are) hiring|now hiring|hiring|job|vacancy|job opening|"
    r"stellenangebot|offre d'emploi|poste|oferta)\s*[:\-–—!]\s*",
    re.I,
)
_CHROME = re.compile(
    r"^(?:apply|easy apply|apply now|save|saved|share|report|show more|see more|show less|sign in|log in|"
    r"join now|menu|home|jobs?|linkedin|indeed|glassdoor|job description|description|about the job|"
    r"\d+\s+(?:applicants?|days?|weeks?|hours?|months?)\b.*|posted\b.*|reposted\b.*|promoted\b.*)$",
    re.I,
)
_HIRING_PHRASE = re.compile(
    r"(?:looking for|seeking|searching for|hiring|recruiting|wir suchen|suchen wir|nous recherchons|"
    r"recherchons|recrutons|buscamos)\s+(?:(?:an?|one|our|eine?n?|einen|eine\(n\)|un(?:e|\(e\))?|una?)\s+)?"
    r"(?:(?:talented|passionate|experienced|motivated|skilled|driven|new|engagierte[n]?|motivierte[n]?)\s+)*"
    r"(?P<title>[A-ZÀ-Ý][^.,;:!?\n]{2,70}?)(?=\s+(?:to|who|with|that|in|at|for|zur|zum|mit|pour|qui|para|que|"
    r"based|based in|ab|in unserem)\b|[.,;:!?(\n]|$)",
)
_COMPANY_STOP = re.compile(
    r"^(?:the|a|an|our|us|you|we|this|my|your|fintech|healthtech|edtech|proptech|saas|startup|scale-?up|"
    r"series [a-e]|global|international|leading|remote|hybrid|apply)\b",
    re.I,
)
_LEGAL = re.compile(
    r"\b(?P<name>[A-Z][\w&'.-]*(?:[ \t]+(?:[A-Z][\w&'.-]*|&|und|and|de|of)){0,4}[ \t]+(?:GmbH(?:\s?&\s?Co\.\s?KG)?|AG|SE|KG|"
    r"Ltd\.?|Limited|Inc\.?|LLC|LLP|plc|PLC|Corp\.?|Corporation|S\.A\.S?\.?|SAS|SARL|S\.L\.|B\.V\.|BV|N\.V\.|"
    r"Oy|AB|ApS|A/S|AS|Pty Ltd|S\.p\.A\.|SpA))(?![\w])"
)
_GENERIC_ABOUT = re.compile(
    r"^(?:the |this |our |us\b|you\b|me\b|yourself|role|job|team|company|position|opportunity|project|"
    r"client|benefits|perks|nous|uns\b)",
    re.I,
)


def _clean_title(raw: str) -> tuple[str, list[str]]:
    """A clean title and the side parts it was written with ("| Acme", "- Berlin")."""
    text = strip_inline_markdown(strip_bullet(raw)[1])
    text = re.sub(r"^[^\w(]+", "", text)
    text = _TITLE_PREFIX.sub("", text)
    text = _GENDER.sub("", text)
    extras: list[str] = []
    at = re.search(r"\s+(?:at|@|bei|chez)\s+(?=[A-Z0-9])", text)
    if at:
        extras.append("@" + text[at.end():])
        text = text[: at.start()]
    parts = [p.strip() for p in re.split(r"\s+[|–—·-]\s+|\s*[|·]\s*", text) if p.strip()]
    if len(parts) > 1:
        main = next((p for p in parts if ROLE_NOUN.search(p)), parts[0])
        extras.extend(p for p in parts if p is not main)
        text = main
    glued = _GLUED_DASH.search(text)
    if glued:
        extras.extend(re.split(r"(?<=[a-z)])-(?=[A-Z0-9])", text[glued.end():]))
        text = text[: glued.end() - 1]
    text = _META_PAREN.sub("", text)
    text = _GENDER.sub("", text)
    text = re.sub(r"\s+", " ", text).strip(" -–—|,:;!")
    return shorten(text, 120), extras


def _candidate_lines(lines: list[str], used: set[int]) -> list[tuple[int, str]]:
    out = []
    for i, line in enumerate(lines[:40]):
        if i in used or not is_meaningful(line):
            continue
        bare = strip_inline_markdown(line).strip(" :")
        if _CHROME.match(bare) or classify_heading(line) not in (None, "heading") or re.match(r"^(?:https?://|www\.)|@\w+\.", bare):
            continue
        out.append((i, line))
    return out


def _is_sentence(line: str) -> bool:
    words = line.split()
    return len(line) > 90 or len(words) > 12 or (line.rstrip().endswith(".") and len(words) > 6)


def _find_title(lines: list[str], labels: dict[str, str], used: set[int]) -> tuple[str, int | None, list[str], bool]:
    if labels.get("title"):
        title, extras = _clean_title(labels["title"])
        if title:
            return title, None, extras, True
    candidates = _candidate_lines(lines, used)
    for i, line in candidates[:12]:
        if not _is_sentence(line) and ROLE_NOUN.search(line) and not strip_bullet(line)[0]:
            title, extras = _clean_title(line)
            if title:
                return title, i, extras, True
    for _, line in candidates[:20]:
        m = _HIRING_PHRASE.search(line)
        if m and ROLE_NOUN.search(m.group("title")):
            title, extras = _clean_title(m.group("title"))
            if title:
                return title, None, extras, True
    for i, line in candidates[:12]:  # a line set as a heading (larger type in a screenshot)
        if line.lstrip().startswith("#") and not _is_sentence(line):
            title, extras = _clean_title(line)
            if title and is_meaningful(title):
                return title, i, extras, True
    for i, line in candidates:  # no title-like line: the first meaningful one
        title, extras = _clean_title(line)
        title = title.rstrip(".")
        if title and is_meaningful(title):
            return title, i, extras, not _is_sentence(line)  # "Barista" is a title; a sentence is not
    for i, line in enumerate(lines):
        if is_meaningful(line):
            return shorten(strip_inline_markdown(line), 120) or line[:120], i, [], False
    raise InputRejected(EMPTY_MESSAGE)


_SEPARATORS = re.compile(r"\s+[·|–—-]\s+|\s*[·|]\s*")
_FREE_MAIL = re.compile(r"^(?:gmail|googlemail|yahoo|hotmail|outlook|live|icloud|proton|protonmail|gmx|web|aol|mail)$", re.I)


def _company_from_email(text: str) -> str | None:
    """Last resort: 'jobs@ledgerly.io' names Ledgerly."""
    # the look-behind starts a match only where a run of address characters starts: linear time
    m = "@" in text and re.search(r"(?<![\w.+-])[\w.+-]+@(?:[\w-]+\.)*?(?P<name>[\w-]+)\.[a-z]{2,6}\b", text)
    if not m or _FREE_MAIL.match(m.group("name")):
        return None
    return m.group("name").replace("-", " ").title()


def _clean_company(value: str | None) -> str | None:
    if not value:
        return None
    value = strip_inline_markdown(value)
    value = re.split(r"\s+[|·–—-]\s+|[,;!?(]|\s+(?:is|are|was|we|has|ist|est)\s", value)[0]
    value = re.sub(r"['’]s$", "", value.strip(" :-–—"))
    if value.endswith(".") and not re.search(r"\b(?:Inc|Ltd|Co|Corp|Bros|Pty|S\.p\.A|(?:[A-Z]\.){1,3}[A-Z])\.$", value):
        value = value[:-1]
    if not value or len(value) > 60 or len(value.split()) > 6 or _COMPANY_STOP.match(value) or not value[0].isalnum():
        return None
    return value


def _find_company(lines: list[str], text: str, labels: dict[str, str], title_idx: int | None, extras: list[str],
                  sections: Sections) -> str | None:
    """The hiring company, from the most to the least explicit evidence."""
    if labels.get("company"):
        return _clean_company(labels["company"])
    for extra in extras:
        if extra.startswith("@"):
            company = _clean_company(extra[1:])
            if company and not looks_like_place(company):
                return company
    if title_idx is not None:
        following = [ln for ln in lines[title_idx + 1: title_idx + 4] if ln.strip()]
        for line in following[:2]:
            parts = _SEPARATORS.split(strip_inline_markdown(line))
            if len(parts) > 1:
                first = parts[0]
                company = _clean_company(first)
                if company and not looks_like_place(company) and not _CHROME.match(company):
                    return company
        if len(following) >= 2 and looks_like_place(following[1]) and not looks_like_place(following[0]):
            company = _clean_company(following[0])
            if company and not ROLE_NOUN.search(company):
                return company
    m = _LEGAL.search(text[:4000])
    if m:
        return m.group("name").strip()
    for _, kind, heading in sections.headings:
        h = strip_inline_markdown(heading).rstrip(":").strip()
        m = re.match(r"^(?:about|über|à propos de|a propos de|sobre)\s+(?P<name>.+)$", h, re.I)
        if kind == "about" and m and not _GENERIC_ABOUT.match(m.group("name")):
            company = _clean_company(m.group("name"))
            if company:
                return company
    patterns = (
        r"(?:^|[.!]\s+)(?:At|Bei|Chez|En)\s+(?P<name>[A-Z][\w&'.-]*(?:\s+[A-Z][\w&'.-]*){0,3}),?\s+(?:we|wir|nous|our)\b",
        r"(?:^|[.!]\s+)(?P<name>[A-Z][\w&'.-]*(?:\s+[A-Z][\w&'.-]*){0,3})\s+(?:is|are)\s+(?:hiring|looking|seeking|searching|growing)\b",
        r"\b(?:Join|Rejoignez|Werde Teil von)\s+(?P<name>[A-Z][\w&'.-]*(?:\s+[A-Z][\w&'.-]*){0,3})",
    )
    for pattern in patterns:
        m = re.search(pattern, text[:6000], re.M)
        if m:
            company = _clean_company(m.group("name"))
            if company and not looks_like_place(company):
                return company
    for extra in extras:
        company = _clean_company(extra.lstrip("@"))
        if company and not looks_like_place(company) and not ROLE_NOUN.search(company) and company[0].isupper():
            return company
    return _company_from_email(text)


def _find_location(lines: list[str], text: str, labels: dict[str, str], title_idx: int | None,
                   extras: list[str]) -> str | None:
    if labels.get("location"):
        return clean_location(labels["location"])
    if title_idx is not None:
        for line in lines[title_idx + 1: title_idx + 4]:
            for part in _SEPARATORS.split(strip_inline_markdown(line)):
                if looks_like_place(part) or re.match(r"^(?:fully )?remote\b", part, re.I):
                    loc = find_city(part) or clean_location(part)
                    if loc:
                        return loc
    for extra in extras:
        city = find_city(extra.lstrip("@"))
        if city:
            return city
    header = "\n".join(lines[:15])
    found = find_city(header) or find_city(text)
    if found:
        return found
    remote = next((e for e in extras if re.match(r"^(?:fully )?remote\b", e, re.I)), None)
    return clean_location(remote) if remote else None


_ARTICLE_VOWEL = re.compile(r"^[AEIOUaeiou]|^(?:SRE|SEO|ML|MBA|HR|LLM|NLP)\b")
_MODE_WORDS = {"remote": "remote", "hybrid": "hybrid", "onsite": "on-site"}
_TYPE_WORDS = {"full_time": "full-time", "part_time": "part-time", "contract": "contract",
               "internship": "internship", "temporary": "temporary"}


def _summary(posting: JobPosting, role_text: list[str], titled: bool) -> str:
    """Two sentences: who hires whom, where and how; then what the role is about."""
    article = "an" if _ARTICLE_VOWEL.match(posting.title) else "a"
    if not titled:  # no real title was found: do not repeat a random line
        first = f"A job posting from {posting.company}" if posting.company else "A job posting"
    elif posting.company:
        first = f"{posting.company} is hiring {article} {posting.title}"
    else:
        first = f"{article.capitalize()} {posting.title} position"
    location = posting.location or ""
    details = [_MODE_WORDS.get(posting.remote_mode, "")]
    remote_loc = re.match(r"^(?:fully |100% )?remote\b\W*(?P<region>.*?)\W*$", location, re.I)
    if remote_loc:
        details = ["remote", remote_loc.group("region")]
    elif location and location.lower() not in posting.title.lower():
        first += f" in {location}"
    details.append(_TYPE_WORDS.get(posting.employment_type, ""))
    details = [d for d in details if d]
    if details:
        first += f" ({', '.join(details)})"
    first += "."
    second = ""
    if posting.skills:
        second = "Key skills: " + join_words(posting.skills[:5], "and") + "."
    elif posting.responsibilities:
        second = "The role: " + shorten(posting.responsibilities[0].rstrip("."), 160) + "."
    elif role_text:
        prose = [ln for ln in role_text if len(ln.split()) >= 6 and ln.rstrip()[-1:] in ".!?"]
        sentences = split_sentences(" ".join(prose))
        second = shorten(sentences[0], 200) if sentences else ""
    return (first + " " + second).strip()


def extract_posting(text: str) -> JobPosting:
    """A ``JobPosting`` from posting text (plain, Markdown or HTML-ish).

    Raises ``InputRejected`` only when the text has nothing readable in it.
    """
    cleaned = clean_text(text)
    lines = cleaned.split("\n") if cleaned else []
    if not any(is_meaningful(line) for line in lines):
        raise InputRejected(EMPTY_MESSAGE)
    labels, used = fields.read_labels(lines)
    title, title_idx, extras, titled = _find_title(lines, labels, used)
    skip = set(used) | ({title_idx} if title_idx is not None else set())
    sections = split_sections(lines, skip)
    header = "\n".join([title, *extras, *lines[: (title_idx or 0) + 6]])
    company = _find_company(lines, cleaned, labels, title_idx, extras, sections)
    location = _find_location(lines, cleaned, labels, title_idx, extras)
    employment = fields.employment_type(labels.get("employment"), title, header, cleaned)
    remote = fields.remote_mode(labels.get("remote") or (labels.get("location") or None), header, cleaned)
    level = fields.seniority(title, labels.get("seniority"), cleaned, employment)
    requirements = sections.requirements + [n for n in sections.nice if n not in sections.requirements]
    posting = JobPosting(
        title=title,
        company=company,
        location=location,
        remote_mode=remote,
        employment_type=employment,
        seniority=level,
        salary=find_salary(cleaned),
        skills=find_skills(title + "\n" + cleaned),
        requirements=requirements[:25],
        responsibilities=sections.responsibilities,
        benefits=sections.benefits,
        contact=fields.contact(labels.get("contact"), cleaned, company),
    )
    posting.summary = _summary(posting, sections.role_text or sections.intro_text, titled)
    return posting
