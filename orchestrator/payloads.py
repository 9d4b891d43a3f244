"""The request inspector's stored prompts and answers (``request_payloads``).

A request whose plan has ``keep_payloads`` on gets an observer (``observe.register``)
that writes, for every attempt that called a model, the system prompt, the prompt sent
(earlier chat turns included), the number of images and the answer received, with the
user's personal data redacted (``orchestrator.personal_data``) before anything is stored.
Rows expire after ``settings.payload_retention_days`` and the prune job deletes them.

Why it is shaped like this:

- *A separate table, written after the ledger row.* The ledger is the money record and
  stays narrow and fast; payloads are large, optional and short-lived. The observer is
  called once the attempt's ledger row is committed, so a payload never exists without
  its attempt, and a failure here (the observer is guarded by ``observe``) never fails,
  rolls back or delays the request's books.
- *Each attempt as it happens.* One small INSERT per attempt (plain SQL on a pooled
  connection, like the books: no ORM session, and no bump of the snapshot's generation),
  so a process that dies mid-request keeps the attempts already made.
- *Off costs nothing.* The factory returns None unless the plan keeps payloads, and then
  the pipeline does no extra work for the request.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from orchestrator import observe
from orchestrator.personal_data import Identity, Redactor

log = logging.getLogger(__name__)

MAX_CHARS = 200_000  # per stored field; longer text is cut (after redaction) and says so
TRUNCATED = "\n… [truncated]"
_INSERT = ("INSERT INTO request_payloads (request_id, attempt, user_id, created_at, expires_at, system, prompt, "
           "answer, images) VALUES (:request_id, :attempt, :user_id, :created_at, :expires_at, :system, :prompt, "
           ":answer, :images) ON CONFLICT (request_id, attempt) DO NOTHING")
_PROFILE = "SELECT data FROM profiles WHERE user_id = :user_id"


def prompt_text(prompt: str, history: tuple[tuple[str, str], ...] = ()) -> str:
    """The prompt as a person reads it: earlier turns first, each under its role."""
    if not history:
        return prompt
    turns = [f"[{role}]\n{text}" for role, text in history]
    return "\n\n".join([*turns, f"[user]\n{prompt}"])


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_CHARS:
        return text
    return text[:MAX_CHARS] + TRUNCATED


class PayloadKeeper:
    """The observer of one request whose plan keeps payloads."""

    def __init__(self, orch, info: observe.RequestInfo) -> None:
        self.orch = orch
        self.request_id = info.request_id
        self.user = info.prepared.user
        self.user_id = info.prepared.user_id
        self._redactor: Redactor | None = None

    def _books(self):
        from orchestrator.quota import books_for

        return books_for(self.orch.db)

    def redactor(self) -> Redactor:
        """Built once per request, from the user row and the profile as stored now."""
        if self._redactor is None:
            row = self._books().read_one(_PROFILE, user_id=self.user_id)
            data = row[0] if row else None
            if isinstance(data, (str, bytes)):
                data = json.loads(data)
            self._redactor = Redactor(Identity.of(name=getattr(self.user, "name", None),
                                                  email=getattr(self.user, "email", None),
                                                  profile=data if isinstance(data, dict) else None))
        return self._redactor

    def attempt(self, info: observe.AttemptInfo) -> None:
        request = info.request
        if request is None:  # a quota denial: no model was called, nothing was sent
            return
        if info.completion is not None:
            answer = info.completion.text
        else:
            answer = info.cached_text
        clean = self.redactor()
        now = datetime.now(UTC)
        row: dict[str, Any] = {
            "request_id": self.request_id, "attempt": int(info.row["attempt"]), "user_id": self.user_id,
            "created_at": now, "expires_at": now + timedelta(days=self.orch.settings.payload_retention_days),
            "system": _cut(clean(request.system or "")) or "",
            "prompt": _cut(clean(prompt_text(request.prompt or "", tuple(request.history or ())))) or "",
            "answer": _cut(clean(answer)) if answer is not None else None,
            "images": len(request.images or ()),
        }
        with self._books().transaction() as cur:
            cur.run(_INSERT, **row)

    def finish(self, result, error) -> None:  # every attempt is written as it happens
        return None


def factory(orch, info: observe.RequestInfo) -> PayloadKeeper | None:
    """A keeper for requests on plans with ``keep_payloads`` on; None (no cost) otherwise."""
    if not getattr(info.prepared.plan, "keep_payloads", False):
        return None
    return PayloadKeeper(orch, info)


observe.register("payloads", factory)
