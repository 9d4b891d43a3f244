"""Salary ranges from free text: currency, amounts and period.

Postings write pay in many ways: "€55.000–€65.000", "£40k-£50k", "$45–$60/hr",
"CHF 120'000 to 140'000", "45 000 € - 55 000 € brut annuel", "₹18,00,000 per
annum". Every amount-looking span is found, scored by how salary-like its line
is (salary words, a range, a stated period, a currency; minus "budget",
"stipend", "funding" ...), and the best one wins. A period that is not stated
is inferred from the size of the amount.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from orchestrator.schemas import SalaryRange

_CURRENCY_TOKENS: dict[str, str] = {
    "us$": "USD", "u.s.$": "USD", "usd": "USD", "$": "USD", "dollars": "USD",
    "ca$": "CAD", "cdn$": "CAD", "c$": "CAD", "cad": "CAD",
    "au$": "AUD", "a$": "AUD", "aud": "AUD", "nz$": "NZD", "nzd": "NZD",
    "s$": "SGD", "sgd": "SGD", "hk$": "HKD", "hkd": "HKD", "r$": "BRL", "brl": "BRL",
    "mx$": "MXN", "mxn": "MXN",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "chf": "CHF", "sfr.": "CHF", "fr.": "CHF",
    "₹": "INR", "inr": "INR", "rs.": "INR", "rs": "INR",
    "¥": "JPY", "jpy": "JPY", "cny": "CNY", "rmb": "CNY",
    "sek": "SEK", "nok": "NOK", "dkk": "DKK", "pln": "PLN", "zł": "PLN", "czk": "CZK", "kč": "CZK",
    "zar": "ZAR", "aed": "AED", "krw": "KRW", "₩": "KRW", "try": "TRY", "₺": "TRY",
}
_SYMBOLS = r"US\$|U\.S\.\$|CA\$|CDN\$|C\$|AU\$|A\$|NZ\$|S\$|HK\$|R\$|MX\$|\$|€|£|₹|¥|₩|₺"
_CODES = (
    r"USD|EUR|GBP|CHF|CAD|AUD|NZD|SGD|HKD|INR|JPY|CNY|RMB|SEK|NOK|DKK|PLN|CZK|BRL|MXN|ZAR|AED|KRW|"
    r"SFr\.|Fr\.|Rs\.?|zł|Kč|[Ee]uros?|dollars"
)
_CUR = rf"(?:{_SYMBOLS}|(?<![A-Za-z])(?:{_CODES})(?![A-Za-z]))"
_NUM = r"(?<![\w.,'’])(?:\d{1,3}(?:,\d{2})+,\d{3}|\d{1,3}(?:[.,'’ ]\d{3})+|\d+)(?:[.,]\d{1,2}(?!\d))?"
_MULT = r"(?:\s?(?:[kK](?![a-zA-Z])|LPA\b|[Ll]akhs?\b|[Ll]acs?\b|Tsd\.?|[Mm]io\.?))"


def _amount(i: int) -> str:
    return rf"(?P<ca{i}>{_CUR})?\s?(?P<n{i}>{_NUM})(?P<k{i}>{_MULT})?(?:\s?(?P<cb{i}>{_CUR}))?"


_SALARY_RE = re.compile(
    _amount(1)
    + r"(?:\s*(?:-|–|—|to|bis|à|a|au|and|y|–\s*up\s*to)\s*"
    + _amount(2)
    + r")?(?P<plus>\+)?"
)

_KEYWORDS = re.compile(
    r"salary|salaries|compensation|\bpay\b|pay range|\brate\b|\bbase\b|\bOTE\b|\bTC\b|wage|"
    r"Gehalt|Vergütung|Jahresgehalt|Stundenlohn|Tagessatz|salaire|rémunération|\bTJM\b|"
    r"sueldo|salario|retribución|per year|per annum|per hour|/hr|/h\b|brutto|brut",
    re.I,
)
_PENALTY = re.compile(
    r"budget|stipend|allowance|funding|raised|revenue|\bseed\b|series [a-e]\b|million|billion|"
    r"learning|equipment|home office|valuation|\bARR\b|customers|users|employees|bonus of|"
    r"401\s?\(?k\)?|referral|gym|wellness|per employee|Zuschuss|prime de",
    re.I,
)

_PERIODS: list[tuple[str, re.Pattern[str]]] = [
    ("hour", re.compile(r"/\s?(?:hr|hour|h|Std\.?|Stunde|heure)\b|per hour|an hour|hourly|\bp/?h\b|"
                        r"pro Stunde|Stundenlohn|par heure|de l'heure|por hora|stündlich", re.I)),
    ("day", re.compile(r"/\s?(?:day|d|Tag|jour)\b|per day|a day|\bdaily\b|day rate|\bp/?d\b|pro Tag|"
                       r"Tagessatz|par jour|\bTJM\b|por día", re.I)),
    ("week", re.compile(r"/\s?(?:wk|week|Woche)\b|per week|a week|\bweekly\b|pro Woche|par semaine|"
                        r"por semana", re.I)),
    ("month", re.compile(r"/\s?(?:mo|month|mth|Monat|mois|mes)\b|per month|a month|\bmonthly\b|"
                         r"pro Monat|monatlich|par mois|\bmensuel|al mes|mensual", re.I)),
    ("year", re.compile(r"/\s?(?:yr|year|annum|Jahr|an|año|a)\b|per year|per annum|a year|\bp\.?\s?a\.?(?!\w)|"
                        r"\bannual|\bannually|\byearly|pro Jahr|jährlich|Jahresgehalt|par an\b|\bannuel|"
                        r"al año|\banual|\bLPA\b", re.I)),
]
_WINDOW = 200
_MAX_CANDIDATES = 200  # a real posting has a handful of amounts; junk input has thousands
_SENTENCE_END = re.compile(r"(?<!\d)[.!?;]\s+|\s[|·•]\s")
_UP_TO = re.compile(r"(?:up to|max(?:imum)?\.?|bis zu|jusqu'à|hasta)\s*$", re.I)
_FROM = re.compile(r"(?:from|starting at|starting from|min(?:imum)?\.?|ab|à partir de|desde|at least)\s*$", re.I)


def parse_number(raw: str) -> Decimal | None:
    """'55.000' -> 55000, '45.50' -> 45.50, '1,234.56' -> 1234.56, "100'000" -> 100000."""
    s = re.sub(r"[\s'’]", "", raw)
    m = re.search(r"[.,](\d{1,2})$", s)
    try:
        if m:
            return Decimal(re.sub(r"[.,]", "", s[: m.start()]) + "." + m.group(1))
        return Decimal(re.sub(r"[.,]", "", s))
    except InvalidOperation:
        return None


def _multiplier(raw: str | None) -> int:
    if not raw:
        return 1
    raw = raw.strip().lower().rstrip(".")
    if raw == "k" or raw == "tsd":
        return 1000
    if raw in ("mio",):
        return 1_000_000
    return 100_000  # lakh / LPA


def _currency(token: str | None) -> str | None:
    if not token:
        return None
    return _CURRENCY_TOKENS.get(token.lower().replace(" ", ""))


def _period(before: str, after: str) -> str | None:
    for window in (after, before):
        best: tuple[int, str] | None = None
        for name, pattern in _PERIODS:
            m = pattern.search(window)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), name)
        if best:
            return best[1]
    return None


def _infer_period(value: Decimal) -> str:
    if value >= 15000:
        return "year"
    if value >= 1500:
        return "month"
    if value > 300:
        return "day"
    return "hour"


def _clean(value: Decimal) -> Decimal:
    """Drop a meaningless fraction: 55000.00 -> 55000."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _candidate(text: str, m: re.Match[str]) -> tuple[int, SalaryRange] | None:
    # Windows are bounded so that one enormous line costs linear, not quadratic, time.
    lo = max(0, m.start() - _WINDOW)
    line_start = text.rfind("\n", lo, m.start()) + 1 or lo
    line_end = text.find("\n", m.end(), m.end() + _WINDOW)
    line_end = min(len(text), m.end() + _WINDOW) if line_end == -1 else line_end
    line = text[line_start:line_end]
    prev_lo = max(0, line_start - 1 - _WINDOW)
    prev_start = text.rfind("\n", prev_lo, max(0, line_start - 1)) + 1 or prev_lo
    prev_line = text[prev_start:line_start] if line_start else ""
    before = text[line_start: m.start()][-60:]
    after = text[m.end(): line_end][:40]

    n1 = parse_number(m.group("n1"))
    n2 = parse_number(m.group("n2")) if m.group("n2") else None
    if n1 is None:
        return None
    k1, k2 = _multiplier(m.group("k1")), _multiplier(m.group("k2"))
    if n2 is not None and k1 == 1 and k2 > 1 and n1 < 1000:
        k1 = k2  # "£40-50k": the suffix applies to both ends
    low = n1 * k1
    high = n2 * k2 if n2 is not None else None
    tokens = [m.group(g) for g in ("ca1", "cb1", "ca2", "cb2")]
    currency = next((c for c in map(_currency, tokens) if c), None)
    if currency == "USD" and not any(t and t.upper().startswith(("US", "U.S", "USD")) for t in tokens if t):
        code = re.search(r"\b(CAD|AUD|NZD|SGD|HKD|MXN)\b", line)
        currency = _CURRENCY_TOKENS[code.group(1).lower()] if code else currency
    if re.search(r"\bLPA\b|lakh|lac", m.group(0) or "", re.I) and not currency:
        currency = "INR"

    keyword = bool(_KEYWORDS.search(line) or _KEYWORDS.search(prev_line[-80:]))
    if re.match(r"\s*\(?k\)", after) or (m.group("n1") == "401" and k1 == 1000):
        return None
    if not currency:
        big = max(low, high or low)
        multiplied = bool(m.group("k1") or m.group("k2"))
        if not keyword or not (multiplied or big >= 10000 or (high is not None and big >= 1000)):
            return None
        if high is not None and 1950 <= low <= 2100 and 1950 <= high <= 2100:
            return None  # "2019-2023" is a period of time, not pay
    if high is not None and high < low:
        if high * 1000 >= low and high < 1000:
            high = high * 1000
        else:
            return None
    if low <= 0:
        return None

    stated = _period(before, after) or (_period("", line) if keyword else None)
    score = (3 if keyword else 0) + (2 if high is not None else 0) + (2 if stated else 0) + (1 if currency else 0)
    if currency and max(low, high or low) >= 10000:
        score += 1
    starts = [b.end() for b in _SENTENCE_END.finditer(line, 0, m.start() - line_start)]
    end = _SENTENCE_END.search(line, m.end() - line_start)
    sentence = line[(starts[-1] if starts else 0): (end.start() if end else len(line))]
    if _PENALTY.search(sentence):
        score -= 5
    if score < 2:
        return None

    period = stated or _infer_period(high or low)
    if re.search(r"\bLPA\b", m.group(0), re.I):
        period = "year"
    if high is not None:
        salary = SalaryRange(min=_clean(low), max=_clean(high), currency=currency, period=period)
    elif _UP_TO.search(before):
        salary = SalaryRange(min=None, max=_clean(low), currency=currency, period=period)
    elif _FROM.search(before) or m.group("plus"):
        salary = SalaryRange(min=_clean(low), max=None, currency=currency, period=period)
    else:
        salary = SalaryRange(min=_clean(low), max=_clean(low), currency=currency, period=period)
    return score, salary


def find_salary(text: str) -> SalaryRange | None:
    """The most salary-like amount or range in ``text``, or None."""
    best: tuple[int, int, SalaryRange] | None = None
    looked = 0
    for m in _SALARY_RE.finditer(text):
        if not (m.group("ca1") or m.group("cb1") or m.group("ca2") or m.group("cb2") or m.group("k1")
                or m.group("k2") or len(re.sub(r"\D", "", m.group("n1"))) >= 4):
            continue  # "3-5 years", "2 days": not money, and not worth a closer look
        looked += 1
        if looked > _MAX_CANDIDATES:
            break
        found = _candidate(text, m)
        if found and (best is None or found[0] > best[0]):
            best = (found[0], m.start(), found[1])
    return best[2] if best else None
