"""What the fact check (``orchestrator.fact_check``) looks for in a draft: degrees,
certifications, organisations, schools, section headings and the skills worth checking.

Every pattern is linear: alternations of literals and bounded runs of words, each word
followed by a separator, so nothing backtracks over the same text twice.
"""

from __future__ import annotations

import re
from functools import lru_cache

from orchestrator.fact_evidence import fold

# ------------------------------------------------------------------- degree families
# Capitalised forms, the lower-case English phrases ("a master's degree"), and the usual
# abbreviations; the master family also covers an MBA in the profile.
DEGREES: dict[str, re.Pattern[str]] = {
    "bachelor": re.compile(
        r"\bBachelor\w*|\b[Bb]achelor(?:'s|’s)?\s+(?:degree|of|in)\b|\bB\.\s?Sc\b\.?|\bBSc\b|\bB\.\s?S\.(?=\s)|"
        r"\bB\.\s?A\.(?=[\s,;)]|$)|\bBA\b(?=\s+(?:\(?Hons|in\b|of\b|[A-Z]))|\bB\.\s?Eng\b\.?|\bBEng\b|\bB\.?\s?Tech\b|"
        r"\bBBA\b|\bB\.\s?Com\b|\bLicenciatur\w*|\bLaurea [Tt]riennale|\bLicencjat\w*|\bBacharel\w*|\bBachiller\w*"),
    "master": re.compile(
        r"(?<!Scrum )(?<!Scrum-)\bMaster(?:'s|’s|s)?\b(?=\s+(?:of|in|en|em|di|de|degree|programme|program|\(|[A-Z0-9])"
        r"(?!\w*\s+(?:Data|Class|Plan|Record|Card|File|Key|Node|Branch|Suite|Chef)\b))|"
        r"\bmaster(?:'s|’s)\s+(?:degree|in|of)\b|\bMaster(?:studium|abschluss|arbeit)\w*|\bMaster-(?:Abschluss|Studium)|"
        r"\bM\.\s?Sc\b\.?|\bMSc\b|\bM\.\s?S\.(?=\s)|\bM\.\s?A\.(?=[\s,;)]|$)|\bMA\b(?=\s+(?:\(?Hons|in\b|of\b))|"
        r"\bM\.\s?Eng\b\.?|\bMEng\b|\bM\.?\s?Tech\b|\bMPhil\b|\bMáster\b|\bMaestr[ií]a\b|\bMestrado\b|"
        r"\bLaurea [Mm]agistrale|\bMagister\b"),
    "mba": re.compile(r"\bMBA\b|\bMaster of Business Administration\b"),
    "doctorate": re.compile(
        r"\bPh\.\s?D\b\.?|\bPhD\b|\b[Dd]octorate\b|\bDoctor of\b|\bD\.?Phil\b|\bDoktor(?:at|arbeit|and\w*)?\b|"
        r"\bDr\.\s?(?:rer|phil|med|ing|-Ing)\b|\bDoctorat\b|\bDoctorado\b|\bDottorato\b|\bDoutorado\b|"
        r"\b[Dd]oktorat\w*|\b[Dd]octoral\b"),
}
# what backs a family in the profile (searched case-insensitively there)
DEGREE_BACKING = {"bachelor": ("bachelor",), "master": ("master", "mba"), "mba": ("mba",),
                  "doctorate": ("doctorate",)}

# ------------------------------------------------------------------- certifications
CERT_ACRONYMS = frozenset("""
PMP CAPM CISSP CISM CISA CEH OSCP OSCE CCNA CCNP CCIE CKA CKAD CKS CSM PSM PSPO CSPO ITIL TOGAF PRINCE2
CPA ACCA CFA CIMA CIPD CompTIA RHCSA RHCE LPIC ISTQB MCSE MCSA GIAC CCSP CGEIT CRISC SSCP CySA
""".split())
CERT_ACRONYM_RE = re.compile(r"(?<![\w-])(" + "|".join(sorted(CERT_ACRONYMS, key=len, reverse=True)) + r")(?![\w-])")
EXAM_CODE_RE = re.compile(r"\b(?:AZ|DP|AI|SC|MS|PL|MB)-\d{3}\b|\b(?:SAA|SAP|DVA|SOA|DOP|CLF|ANS|SCS|MLS|DAS)-C0\d\b")
_NAME_WORD = r"[A-Z][\w+&'’-]*(?:\.[\w+&'’-]+)*"
_WORD_START = r"(?<![\w+&'’.-])"  # a run of names starts only at a word's start: linear on "AAAA…"
CERT_MARKER = r"(?i:certified|certificate|certification|zertifikat|zertifizierung|zertifiziert\w*|certifi[ée]e?s?|" \
              r"certificado|certificaci[óo]n|certificazione|certificato|certyfikat\w*)"
CERTIFIED_RE = re.compile(
    rf"{_WORD_START}((?:{_NAME_WORD}[ \t]+){{0,3}}){CERT_MARKER}((?:(?:[ \t]*:)?[ \t]+(?:{_NAME_WORD}|in|of|de|en|di|für)){{0,6}})")
CERT_WORDS = re.compile(r"\b(?:certif\w*|zertifi\w*|certyfik\w*)\b", re.I)
# marker words are not part of what must be backed
_CERT_NOISE = re.compile(CERT_MARKER + r"|\b(?:in|of|de|en|di|für)[ \t]*$")

# ------------------------------------------------------------------- organisations, schools
_ORG_SUFFIX = (r"GmbH|AG|Inc\.?|Ltd\.?|LLC|plc|PLC|S\.A\.|SAS|SARL|S\.L\.|B\.V\.|BV|N\.V\.|Corp\.?|Corporation|"
               r"Co\.|KG|S\.p\.A\.|S\.r\.l\.|Pty|Limited|LLP|UG|SE")
ORG_RE = re.compile(rf"{_WORD_START}((?:{_NAME_WORD}[ \t]+(?:&[ \t]+)?){{1,4}})(?:{_ORG_SUFFIX})(?![\w])")
_SCHOOL_WORD = (r"University|Universit[äa]t|Universit[ée]|Universidad|Universidade|Universit[àa]|Universiteit|"
                r"Uniwersytet|College|Hochschule|Fachhochschule|Polytechnic|Politecnico|Polit[ée]cnica|Institute|"
                r"Institut|Instituto|Istituto|[ÉE]cole|Escuela|Escola|Academy|Akademie|Academia|School")
SCHOOL_RE = re.compile(
    rf"{_WORD_START}((?:{_NAME_WORD}[ \t]+){{0,3}})({_SCHOOL_WORD})\b"
    rf"((?:[ \t]+(?:of|de|di|do|da|del|der|für|van|des|du|la)(?:[ \t]+{_NAME_WORD}){{1,3}})|(?:[ \t]+{_NAME_WORD}){{0,2}})")
AT_RE = re.compile(
    rf"(?:\b[Aa]t|@)(?=\s)[ \t]*(?:\n[ \t]*)?(?:the[ \t]+)?({_NAME_WORD}(?:[ \t]+(?:{_NAME_WORD}|&|of|for|de|für)){{0,5}})")
# "as <title> at <org>" and its translations: the title may not climb a rank
AS_TITLE_AT_RE = re.compile(
    r"\b(?:as|als|en tant que|comme|como|come|jako)[ \t]+(?:an?[ \t]+|ein(?:e|er)?[ \t]+|une?[ \t]+|una?[ \t]+)?"
    r"((?:[\w'’-]+[ \t]+){0,5}?[\w'’-]+)[ \t]+(?:at|bei|chez|en|presso|na|em|bij|w|@)(?=\s)[ \t]*(?:\n[ \t]*)?"
    r"(" + _NAME_WORD + ")")
NOT_ORGS = frozenset(fold(w) for w in """
present the least first times once home work scale night christmas university school college
monday tuesday wednesday thursday friday saturday sunday
""".split())

# ------------------------------------------------------------------- sections
_SECTION_WORDS = {
    "experience": r"experience|employment|work history|career|berufserfahrung|erfahrung|werdegang|"
                  r"experiences?|parcours|experiencia|esperienz\w*|ervaring|werkervaring|doswiadczenie",
    "education": r"education|academic|ausbildung|bildung|studium|formation|etudes|formacion|educacion|"
                 r"estudios|istruzione|formazione|formacao|educacao|opleiding|wyksztalcenie|edukacja",
    "certifications": r"certifications?|certificates|licen[cs]es|zertifikate|zertifizierungen|weiterbildung|"
                      r"certificats|certificaciones|certificazioni|certificacoes|certificaten|certyfikaty",
    "other": r"skills|kompetenz\w*|competences|competencias|competenze|competencias|vaardigheden|"
             r"umiejetnosci|profile?|profil|perfil|profilo|summary|languages|sprachen|langues|idiomas|"
             r"lingue|talen|jezyki|projects?|projekte|projets|proyectos|interests|hobbies|references",
}
_SECTION_RES = {k: re.compile(rf"\b(?:{v})\b") for k, v in _SECTION_WORDS.items()}


def section_of(heading: str) -> str | None:
    """'experience', 'education', 'certifications', 'other', or None when the heading names no section."""
    folded = fold(heading)
    if len(folded) > 60:
        return None
    for name, pattern in _SECTION_RES.items():
        if pattern.search(folded):
            return name
    return None


# ------------------------------------------------------------------- titles and skills
# words of job titles, in the drafting languages: how an unnamed part of an entry is reported
TITLE_WORDS = re.compile(
    r"engineer|develop|analyst|manager|designer|consultant|intern|assistant|scientist|specialist|architect|"
    r"administrator|officer|coordinator|advisor|associate|accountant|editor|writer|researcher|technician|"
    r"teacher|tutor|trainee|ingenieur|entwickler|berater|praktikant|werkstudent|referent|developpeur|stagiaire|"
    r"desarrollador|ingeniero|analista|consultor|becario|sviluppatore|ingegnere|stagista|programador|"
    r"ontwikkelaar|stagiair|programista|inzynier|stazysta|\blead\b|\bhead\b|director|founder")

# A profile skill implies these (a PostgreSQL user knows SQL): taxonomy names (a unit test checks each is known).
_IMPLIES_SOURCE = {
    "SQL": "PostgreSQL MySQL MariaDB SQLite Microsoft_SQL_Server Oracle BigQuery Snowflake Amazon_Redshift "
           "Databricks dbt ClickHouse CockroachDB",
    "Python": "Django Flask FastAPI pandas NumPy SciPy scikit-learn PyTorch TensorFlow Keras Celery pytest "
              "Apache_Airflow Jupyter",
    "JavaScript": "TypeScript React Vue.js Angular Node.js Next.js Nuxt Svelte Express.js jQuery Redux",
    "React": "Next.js React_Native Redux", "Java": "Spring_Boot Spring_Framework Hibernate Kotlin",
    "CSS": "Sass Tailwind_CSS Bootstrap", "HTML": "CSS React Angular Vue.js",
    "AWS": "AWS_Lambda Amazon_S3 Amazon_EC2 Amazon_ECS Amazon_EKS Amazon_Redshift DynamoDB CloudFormation",
    "Azure": "Azure_DevOps", "Git": "GitHub_Actions GitLab_CI", "Docker": "Kubernetes Amazon_ECS",
    "Kubernetes": "Amazon_EKS OpenShift Helm", "Apache Spark": "Databricks",
}


@lru_cache(maxsize=1)
def implied_skills() -> dict[str, set[str]]:
    """skill key -> the keys of the skills it implies."""
    from orchestrator.offline.taxonomy import skill_key

    out: dict[str, set[str]] = {}
    for implied, sources in _IMPLIES_SOURCE.items():
        for source in sources.split():
            key = skill_key(source.replace("_", " "))
            out.setdefault(key, set()).add(skill_key(implied))
    return out


# Named technologies and tools are checked. Practices and concepts ("Data analysis", "ETL",
# "Agile") and soft skills are not: a tailored CV rightly names the practice behind a
# profile's bullet, and "a team player" is no fact.
_CONCEPTS = frozenset(fold(s) for s in """
ETL CRM ERP QA TDD BDD OKRs SEO SEM B2C IaC CI/CD DevOps MLOps LLMs GDPR IAM SIEM OWASP
Agile Kanban Scrum Lean Serverless Microservices Payroll Cybersecurity Cryptography Typography
""".split()) | {"rest apis"}
_CONCEPT_SUFFIX = re.compile(r"(?:ing|ity|ics|ion|phy|ism|ment|ness)$")


@lru_cache(maxsize=1)
def soft_skills() -> frozenset[str]:
    """Canonical names under the taxonomy's '# Soft skills' heading."""
    from orchestrator.offline.taxonomy_data import SKILLS

    out: set[str] = set()
    inside = False
    for raw in SKILLS.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            inside = "soft" in line.lower()
        elif inside and line:
            out.add(fold(line.split("|")[0].strip().lstrip("=~")))
    return frozenset(out)


@lru_cache(maxsize=4096)
def is_named_skill(canonical: str) -> bool:
    """Whether a canonical skill is a named technology or tool (checked), not a practice."""
    folded = fold(canonical)
    if folded in _CONCEPTS or folded in soft_skills():
        return False
    parts = canonical.split()
    if len(parts) > 1 and all(p == p.lower() for p in parts[1:]):
        return False  # "Data analysis", "Machine learning", "API design"
    if len(parts) == 1 and canonical[1:] == canonical[1:].lower() and canonical.isalpha() \
            and _CONCEPT_SUFFIX.search(folded):
        return False  # "Forecasting", "Accessibility", "Statistics"
    return True


def cert_phrase(match: re.Match[str]) -> str:
    """The words of a 'Certified …' mention that must be backed (without the marker words)."""
    text = (match.group(1) + " " + match.group(2)).strip()
    return _CERT_NOISE.sub(" ", text).strip(" :")
