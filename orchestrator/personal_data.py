"""Redacting personal data from text that is kept (the request inspector's prompts and answers).

Two kinds of redaction, in one pass over the text:

- *What we know about the user*: their name (the account's and the profile's), e-mail
  addresses, phone number, address (the profile's ``location``) and profile links, taken
  from the user row and the profile. These are replaced wherever they appear, whatever the
  task put them in (a CV prompt's profile JSON, a cover letter's signature, a chat turn).
- *What looks like contact data*: any e-mail address, any phone number in the usual
  international and national formats, and links to personal profiles (LinkedIn, GitHub,
  GitLab, X/Twitter, Behance, Dribbble, Medium, Stack Overflow, XING, Kaggle...).

Each is replaced by a labelled placeholder (``[email]``, ``[phone]``, ``[name]``,
``[address]``, ``[link]``), the same one every time, so a redacted prompt still reads.
A ``Redactor`` given a ``replace`` callback calls it with the label and the matched text
instead and puts in what it returns: ``orchestrator.placeholders`` numbers each value
(``[[NAME_1]]``) so it can be put back in a provider's answer.

Phone-shaped numbers are checked before they are replaced: years, year ranges, dates,
thousands-grouped amounts (salaries, counts), IP-like groups and plain numbers stay as
they are, because a prompt full of ``[phone]`` where the posting said "2019-2023" or
"70.000 €" would be useless to the admin reading it.

Every pattern runs in linear time on hostile text (no nested or unbounded quantifier that
can backtrack across a long run; ``tests/unit/test_personal_data.py`` times 100,000
characters of the shapes that used to make such patterns quadratic).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

LABELS = ("email", "phone", "name", "address", "link")  # what a replacement callback is told it replaces
EMAIL, PHONE, NAME, ADDRESS, LINK = (f"[{label}]" for label in LABELS)
_PLACEHOLDER_WORDS = set(LABELS)

Replace = Callable[[str, str], str]  # (label, matched text) -> what goes in its place


def _labelled(label: str, _text: str) -> str:
    return f"[{label}]"

# ---------------------------------------------------------------- generic patterns

# the local part may only start where no address character precedes it, so a long run of
# word characters is tried once, not once per position (that was quadratic)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![\w-])")

_URL_TAIL = r"[^\s<>()\[\]{}\"'`,;|]{0,300}(?<![.:!?])"  # a sentence's full stop is not part of a link
_PROFILE_SITES = (
    r"linkedin\.com/(?:in|pub|profile)/", r"github\.com/", r"gitlab\.com/", r"bitbucket\.org/",
    r"twitter\.com/", r"x\.com/", r"instagram\.com/", r"facebook\.com/", r"behance\.net/", r"dribbble\.com/",
    r"medium\.com/@", r"stackoverflow\.com/users/", r"xing\.com/profile/", r"kaggle\.com/", r"about\.me/",
)
# what each of them contains as written, lower-cased: a text without any of them has no such link,
# so the pattern (the slowest here) need not run
_PROFILE_HOSTS = tuple(site.split("(?:")[0].replace("\\", "") for site in _PROFILE_SITES)
# the host must start a word ("netflix.com/..." is not x.com); an optional scheme and a short
# subdomain (www., de.) belong to the link
_PROFILE_URL_RE = re.compile(
    r"(?:https?://)?(?:www\.|[a-z]{2}\.)?(?<![\w-])(?:" + "|".join(_PROFILE_SITES) + r")" + _URL_TAIL, re.I)

# phone candidates: an optional + or 00, then digits with the separators phone numbers use
# (space, dot, dash, slash, brackets), bounded in length; ``_is_phone`` decides
_PHONE_RE = re.compile(r"(?<![\w+/.,:])(?:\+|00)?\(?\d[\d \t\u00a0().\-/]{5,24}\d(?![\w/])")
_YEAR = r"(?:19|20)\d\d"
_DATEISH_RE = re.compile(
    rf"(?:\d{{1,2}}[./-]){{0,2}}{_YEAR}(?:\s*[-/]\s*(?:\d{{1,2}}[./-]){{0,2}}{_YEAR})?"  # 2020, 03/2020, 2018-2021
    rf"|{_YEAR}[./-]\d{{1,2}}[./-]\d{{1,2}}"  # 2024-03-15
    r"|\d{1,2}[./-]\d{1,2}[./-]\d{2}"  # 15.03.24
)
_THOUSANDS = r"[1-9]\d{0,2}(?:(?P<sep>[. \u00a0'])\d{3})(?:(?P=sep)\d{3})*"
_AMOUNT_RE = re.compile(rf"(?:{_THOUSANDS}|\d{{1,6}})(?:\s*[-/]\s*(?:{_THOUSANDS.replace('sep', 'sep2')}|\d{{1,6}}))?")
_DIGIT_GROUPS = re.compile(r"\d+")


def _is_phone(candidate: str) -> bool:
    """Whether a phone-shaped run of digits is a phone number (not a year, date or amount)."""
    text = candidate.strip()
    groups = _DIGIT_GROUPS.findall(text)
    digits = sum(len(g) for g in groups)
    if not 7 <= digits <= 15 or len(groups) > 7:
        return False
    if text.startswith(("+", "00")):
        return True
    bare = text.strip("()")
    if _DATEISH_RE.fullmatch(bare) or _AMOUNT_RE.fullmatch(bare):
        return False
    if len(groups) == 1:  # a plain number: only a national number with its trunk 0 is a phone
        return text.startswith(("0", "(0")) and digits >= 9
    if sum(1 for g in groups if len(g) == 1) > 2:  # 1-2-3-4-5-6-7 is no phone number
        return False
    if all(len(g) == 3 for g in groups) and not groups[0].startswith("0"):
        return False  # 192.168.100.200, 123 456 789: grouped like a count
    return True


# ---------------------------------------------------------------- what we know about the user


@dataclass(frozen=True)
class Identity:
    """The user's own personal data, as the user row and the profile hold it."""

    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    links: tuple[str, ...] = ()

    @classmethod
    def of(cls, *, name: str | None = None, email: str | None = None,
           profile: Any = None) -> Identity:
        """From the account's name and e-mail and a profile (``Profile`` or its stored dict)."""
        data = profile.model_dump() if hasattr(profile, "model_dump") else dict(profile or {})

        def strings(*values: Any) -> tuple[str, ...]:
            out: list[str] = []
            for v in values:
                for item in (v if isinstance(v, (list, tuple)) else [v]):
                    if isinstance(item, str) and item.strip() and item.strip() not in out:
                        out.append(item.strip())
            return tuple(out)

        return cls(names=strings(name, data.get("name")), emails=strings(email, data.get("email")),
                   phones=strings(data.get("phone")), addresses=strings(data.get("location")),
                   links=strings(data.get("links")))


_WS = r"[\s,]{1,4}"  # between the words of a name or address, as a prompt may wrap or re-punctuate it
_SEP = r"[\s().\-/\u00a0]{0,3}"


def _flexible(text: str) -> str:
    """``text`` as a pattern that allows other whitespace between its words."""
    return _WS.join(re.escape(w) for w in re.split(r"[\s,]+", text.strip()) if w)


def _phone_forms(phone: str) -> list[str]:
    """The digits of the user's number as written, and for an international number its national
    forms too (without the country code, with or without the trunk 0): +34 612 345 678 is also
    written 612 345 678, +49 30 1234 5678 also 030 1234 5678."""
    digits = re.sub(r"\D", "", phone)
    if not 7 <= len(digits) <= 15:
        return []
    forms = [digits]
    if phone.strip().startswith(("+", "00")):
        digits = digits[2:] if phone.strip().startswith("00") else digits
        for cut in (1, 2, 3):
            national = digits[cut:]
            if len(national) >= 7:
                forms += [national, "0" + national]
    return forms


def _alternation(patterns: Iterable[str]) -> str | None:
    unique = sorted(set(p for p in patterns if p), key=len, reverse=True)
    return "|".join(f"(?:{p})" for p in unique) if unique else None


def _link_core(link: str) -> str | None:
    core = re.sub(r"^(?:https?://)?(?:www\.)?", "", link.strip(), flags=re.I).rstrip("/")
    return core if len(core) >= 4 and "." in core else None


class Redactor:
    """Redacts one user's personal data and anything that looks like contact data."""

    def __init__(self, identity: Identity | None = None, replace: Replace | None = None) -> None:
        self._replace = replace or _labelled
        ident = identity or Identity()
        cores = [c for c in (_link_core(x) for x in ident.links) if c]
        links = _alternation(rf"(?:https?://)?(?:www\.)?{re.escape(c)}{_URL_TAIL}" for c in cores)
        self._links = re.compile(links, re.I) if links else None
        self._link_cores = tuple(c.casefold() for c in cores)
        emails = _alternation(re.escape(e) for e in ident.emails if "@" in e)
        self._emails = re.compile(emails, re.I) if emails else None
        phones = _alternation(_SEP.join(d) for p in ident.phones for d in _phone_forms(p))
        self._phones = re.compile(rf"(?<![\d+])(?:\+|00)?(?:{phones})(?!\d)") if phones else None
        address_parts: list[str] = []
        for a in ident.addresses:
            address_parts.append(_flexible(a))
            # the parts that pin a place down (street and number, postcode) also on their own
            address_parts += [_flexible(part) for part in a.split(",") if re.search(r"\d", part)
                              and len(part.strip()) >= 4]
        addresses = _alternation(address_parts)
        self._addresses = re.compile(rf"(?<!\w)(?:{addresses})(?!\w)", re.I) if addresses else None
        full = _alternation(_flexible(n) for n in ident.names if len(n.strip()) >= 2)
        self._full_names = re.compile(rf"(?<![\w\[])(?:{full})(?![\w\]])", re.I) if full else None
        tokens = {t for n in ident.names for t in re.split(r"[\s,]+", n)
                  if len(t.strip(".")) >= 2 and t.lower() not in _PLACEHOLDER_WORDS}
        words = _alternation(re.escape(t) for t in tokens)
        self._name_words = re.compile(rf"(?<![\w\[])(?:{words})(?![\w\]])") if words else None

    def _sub(self, pattern: re.Pattern, label: str, text: str) -> str:
        replace = self._replace
        return pattern.sub(lambda m: replace(label, m.group(0)), text)

    def _phone(self, m: re.Match) -> str:
        return self._replace("phone", m.group(0)) if _is_phone(m.group(0)) else m.group(0)

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        lower = text.casefold()  # for the cheap checks that let a pattern that cannot match be skipped
        if self._links and any(core in lower for core in self._link_cores):
            text = self._sub(self._links, "link", text)
        if any(host in lower for host in _PROFILE_HOSTS):
            text = self._sub(_PROFILE_URL_RE, "link", text)
        if "@" in text:
            if self._emails:
                text = self._sub(self._emails, "email", text)
            text = self._sub(_EMAIL_RE, "email", text)
        if self._phones:
            text = self._sub(self._phones, "phone", text)
        if self._addresses:
            text = self._sub(self._addresses, "address", text)
        if self._full_names:
            text = self._sub(self._full_names, "name", text)
        if self._name_words:
            text = self._sub(self._name_words, "name", text)
        return _PHONE_RE.sub(self._phone, text)


def redact(text: str | None, identity: Identity | None = None) -> str | None:
    """``text`` with personal data replaced by placeholders (see the module docstring)."""
    return Redactor(identity)(text)
