"""Personal data kept at home: placeholders out, real values back in.

Before a request goes to any provider but the built-in engine (a ``ProviderKind`` with
``local_engine``), the user's name, e-mail addresses, phone numbers, address and personal
links (from the account and the profile), and anything shaped like an e-mail address, a
phone number or a profile link, are replaced in the system prompt, the prompt and the
earlier turns by numbered placeholders: ``[[NAME_1]]``, ``[[EMAIL_1]]``, ``[[PHONE_1]]``,
``[[ADDRESS_1]]``, ``[[LINK_1]]``. The matching is ``orchestrator.personal_data``'s (the
request inspector's), with a callback that numbers each value instead of labelling it.

- *Stable within a request.* One table per request: a value gets its placeholder the first
  time it is seen (system prompt, then earlier turns, then the prompt) and keeps it on every
  attempt, repair and fallback of that request. Values are kept as written, so restoring
  gives back exactly what the prompt said.
- *Put back before anything reads the answer*: the completion text before ``parse_output`` and
  ``verify``, so the saved job or document, its exports and the response cache hold real
  values. In JSON answers (structured tasks) a value is put back JSON-escaped, since a
  placeholder can only stand inside a JSON string.
- *Streamed chunks* are restored as they pass; a chunk that ends inside what may be the start
  of a placeholder (at most ``MAX_LEN`` - 1 characters) is held back until the next one.
- *An answer that cannot be put back is invalid*: an unknown number, or a placeholder a model
  mangled (``[[NAME_1]``, ``[NAME_1]]``, ``[[name_1]]``, ``\\[\\[NAME\\_1\\]\\]``, ``NAME_1``) is
  ``invalid_output``: one repair attempt naming it, then fallback.
- *If redaction fails, nothing is sent*: the attempt is ``redaction_failed`` (no call, not
  charged) and the request falls back; the built-in engine at the end of a chain still serves.
- *Text that already looks like a placeholder* in the input (a posting quoting ``[[NAME_1]]``)
  is itself treated as a value, so it cannot be confused with the user's data.

Screenshots are sent as they are (an image cannot be searched for text here). The plan's
``redact_personal_data`` switch (default on) turns all of this off for its users.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from orchestrator.errors import ProviderError
from orchestrator.personal_data import LABELS, Identity, Redactor
from orchestrator.providers.base import ChatRequest, Completion

KINDS = tuple(label.upper() for label in LABELS)  # NAME, EMAIL, PHONE, ADDRESS, LINK
_KIND_RE = "|".join(KINDS)
MAX_DIGITS = 6
MAX_LEN = len("[[ADDRESS_]]") + MAX_DIGITS  # the longest placeholder
# a placeholder as written, or as a model may mangle it: one bracket or unbalanced ones, Markdown
# escapes, a space or dash for the underscore, no brackets at all (NAME_1), another case (with two
# brackets or the underscore: a Markdown "[Link 1](...)" is no placeholder). Every part is bounded,
# so a scan is linear on any text.
_OPEN, _NUM, _CLOSE = r"\\?\[", rf"\d{{1,{MAX_DIGITS}}}", r"(?:\\?\]){0,2}"
_NAMED = rf"(?:(?:{_KIND_RE})(?:\\?[ _-])?|(?i:{_KIND_RE})\\?_)"  # NAME, NAME 1, name_1 (not "Name 1")
_ANY_RE = re.compile(
    rf"{_OPEN}{_OPEN}[ ]?(?i:{_KIND_RE})(?:\\?[ _-])?{_NUM}[ ]?{_CLOSE}"  # [[NAME_1]], [[name 1]
    rf"|{_OPEN}[ ]?{_NAMED}{_NUM}[ ]?{_CLOSE}"  # [NAME_1]], [NAME 1]
    rf"|(?<![\w\[\\]){_NAMED}{_NUM}[ ]?(?:\\?\]){{1,2}}"  # NAME_1]]
    rf"|(?<![\w\[\\])(?:{_KIND_RE})_{_NUM}(?![\w\]])"  # NAME_1
)
_KIND_OF = re.compile(_KIND_RE, re.I)
NOTE = ("Text in double square brackets, such as {example}, stands for a personal detail (a name, contact "
        "detail, address or link) that is not shared with you. Copy each such placeholder exactly as it is "
        "wherever that detail belongs; never change, translate, split or invent one.")
_PROFILE = "SELECT data FROM profiles WHERE user_id = :user_id"


def _unrestorable(tokens: list[str]) -> ProviderError:
    shown = ", ".join(list(dict.fromkeys(tokens))[:5])
    return ProviderError(
        f"The answer contains placeholders that cannot be put back: {shown}. Copy each placeholder exactly as it "
        "appears in the input (two square brackets on each side, e.g. [[NAME_1]]) and use no others.",
        kind="invalid_output", retryable=True)


class Placeholders:
    """One request's table of placeholders: hides values, puts them back."""

    def __init__(self, identity: Identity) -> None:
        self._redactor = Redactor(identity, replace=self._allocate)
        self._by_value: dict[tuple[str, str], str] = {}
        self._values: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._values)

    @property
    def first(self) -> str | None:
        return next(iter(self._values), None)

    def _allocate(self, label: str, value: str) -> str:
        kind = label.upper()
        token = self._by_value.get((kind, value))
        if token is None:
            self._counts[kind] = n = self._counts.get(kind, 0) + 1
            token = f"[[{kind}_{n}]]"
            self._by_value[(kind, value)] = token
            self._values[token] = value
        return token

    def _literal(self, m: re.Match) -> str:
        return self._allocate(_KIND_OF.search(m.group(0)).group(0), m.group(0))

    def hide(self, text: str | None, *, literals: bool = True) -> str | None:
        """``text`` with personal data replaced by placeholders. ``literals``: text that already looks
        like a placeholder becomes a value too (for the request's own input, not for our messages)."""
        if not text:
            return text
        if literals:
            text = _ANY_RE.sub(self._literal, text)
        return self._redactor(text)

    def restore(self, text: str, *, json_text: bool = False, strict: bool = True) -> str:
        """``text`` with every placeholder of this table put back (JSON-escaped in JSON text). ``strict``:
        an unknown or mangled placeholder is ``invalid_output``; otherwise it is left as it is."""
        if not text or not ("[" in text or "]" in text or "_" in text):
            return text
        bad: list[str] = []

        def put_back(m: re.Match) -> str:
            token = m.group(0)
            value = self._values.get(token)
            if value is None:
                bad.append(token)
                return token
            return json.dumps(value, ensure_ascii=False)[1:-1] if json_text else value

        out = _ANY_RE.sub(put_back, text)
        if bad and strict:
            raise _unrestorable(bad)
        return out


def _could_start(tail: str) -> bool:
    """Whether ``tail`` (starting with '[') may be the first part of a placeholder."""
    if tail == "[":
        return True
    if not tail.startswith("[["):
        return False
    rest = tail[2:]
    kind, sep, number = rest.partition("_")
    if not sep:
        return any(k.startswith(kind) for k in KINDS)
    if kind not in KINDS:
        return False
    digits = number[:-1] if number.endswith("]") else number
    return len(digits) <= MAX_DIGITS and digits.isdigit() == bool(digits) and number.count("]") <= 1


class StreamRestorer:
    """Restores streamed chunks as they pass, holding back a possible partial placeholder (bounded)."""

    def __init__(self, restore: Callable[[str], str]) -> None:
        self._restore = restore
        self._pending = ""

    def feed(self, chunk: str) -> str:
        text = self._pending + chunk
        cut = len(text)
        for i in range(max(0, len(text) - MAX_LEN + 1), len(text)):
            if text[i] == "[" and _could_start(text[i:]):
                cut = i
                break
        self._pending = text[cut:]
        return self._restore(text[:cut])

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return self._restore(text)


class _Plain:
    """The link to a provider that gets the request as it is (the built-in engine, or the plan's switch off)."""

    def send(self, request: ChatRequest) -> ChatRequest:
        return request

    def restorer(self) -> StreamRestorer:
        return StreamRestorer(lambda text: text)

    def restore(self, completion: Completion) -> Completion:
        return completion

    def repair(self, request: ChatRequest, sent: ChatRequest, raw: str, text: str,
               problem: str) -> tuple[ChatRequest, ChatRequest]:
        from orchestrator.outcomes import repair_request

        again = repair_request(request, text, problem)
        return again, again


PLAIN = _Plain()


class _Guarded(_Plain):
    """The link to an external provider: placeholders out, values back in."""

    def __init__(self, shield: Shield, structured: bool) -> None:
        self.shield = shield
        self.structured = structured

    def send(self, request: ChatRequest) -> ChatRequest:
        """The request as the provider gets it; ``redaction_failed`` if anything goes wrong (nothing is sent)."""
        try:
            table = self.shield.table()
            system = table.hide(request.system) or ""
            history = tuple((role, table.hide(text) or "") for role, text in request.history)
            prompt = table.hide(request.prompt) or ""
            if len(table):
                system = f"{system}\n\n{NOTE.format(example=table.first)}".lstrip()
            return replace(request, system=system, history=history, prompt=prompt)
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, the request must not go out as it is
            raise ProviderError(f"Your personal data could not be replaced by placeholders "
                                f"({type(exc).__name__}), so nothing was sent to this provider.",
                                kind="redaction_failed", retryable=False) from None

    def _put_back(self, text: str, strict: bool) -> str:
        return self.shield.table().restore(text, json_text=self.structured, strict=strict)

    def restorer(self) -> StreamRestorer:
        return StreamRestorer(lambda text: self._put_back(text, False))

    def restore(self, completion: Completion) -> Completion:
        return replace(completion, text=self._put_back(completion.text, True))

    def repair(self, request: ChatRequest, sent: ChatRequest, raw: str, text: str,
               problem: str) -> tuple[ChatRequest, ChatRequest]:
        """The repair request twice: with real values (the request's own record) and as sent (the
        provider's own answer and the problem, any personal data in them hidden; placeholders the
        answer mangled stay as they are, so the model sees what to fix)."""
        from orchestrator.outcomes import repair_request

        try:
            table = self.shield.table()
            raw, told = table.hide(raw, literals=False) or "", table.hide(problem, literals=False) or ""
        except Exception:  # noqa: BLE001 - what we cannot clean is not sent
            raw, told = "", "The answer did not pass the checks."
        return repair_request(request, text, problem), repair_request(sent, raw, told)


class Shield:
    """One request's placeholders, shared by all its attempts (so the numbering is stable)."""

    def __init__(self, db: Any, prepared: Any) -> None:
        self.db = db
        self.prepared = prepared
        self.enabled = bool(getattr(prepared.plan, "redact_personal_data", True))
        self._table: Placeholders | None = None

    def link(self, kind: str, *, structured: bool) -> _Plain:
        """How a request reaches a provider of ``kind``: guarded, unless it is the built-in engine
        or the plan has redaction off."""
        from orchestrator.providers.registry import local_engine_kinds

        if not self.enabled or kind in local_engine_kinds():
            return PLAIN
        return _Guarded(self, structured)

    def table(self) -> Placeholders:
        if self._table is None:
            self._table = Placeholders(identity_of(self.db, self.prepared))
        return self._table


def identity_of(db: Any, prepared: Any) -> Identity:
    """The user's own data: the account's name and e-mail and the profile (read when the task
    did not load it)."""
    profile = prepared.profile
    if profile is None:
        from orchestrator.quota import books_for

        row = books_for(db).read_one(_PROFILE, user_id=prepared.user_id)
        data = row[0] if row else None
        profile = json.loads(data) if isinstance(data, (str, bytes)) else data
        profile = profile if isinstance(profile, dict) else None
    return Identity.of(name=getattr(prepared.user, "name", None), email=prepared.user_email, profile=profile)
