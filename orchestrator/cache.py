"""The response cache: exact match on everything that shapes an answer.

Key = task + prompt version + provider kind + model + params + the exact
system prompt, user prompt and image bytes + the user. Scoping by user means
one user's cached answer is never served to another. A hit costs nothing and
is logged with status ``cached``. "Regenerate" bypasses the cache.
For URL extractions the prompt holds the fetched page, so the key covers
the URL and the content hash: a changed page is a miss.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from db.models import CacheEntry
from db.session import Database
from orchestrator.providers.base import ChatRequest, TokenUsage


def cache_key(request: ChatRequest, *, kind: str, prompt_version: str, user_id: int,
              source: str = "") -> str:
    h = hashlib.sha256()
    header = json.dumps(
        [request.task, prompt_version, kind, request.model, request.temperature, request.max_tokens,
         user_id, source],
        sort_keys=True,
    )
    turns = json.dumps(request.history) if request.history else ""
    for part in (header, request.system, turns, request.prompt):
        h.update(part.encode())
        h.update(b"\x00")
    for img in request.images:
        h.update(hashlib.sha256(img.data).digest())
    return h.hexdigest()


def lookup(db: Database, key: str, now: datetime | None = None) -> str | None:
    """The cached answer for ``key``, or None (missing or expired). One indexed read."""
    from orchestrator.quota import books_for

    now = now or datetime.now(UTC)
    row = books_for(db).read_one("SELECT output FROM cache_entries WHERE key = :key AND expires_at > :now",
                                 key=key, now=now)
    return row[0] if row else None


def entry_row(key: str, *, request: ChatRequest, provider: str, user_id: int, text: str, usage: TokenUsage,
              ttl_s: int, now: datetime) -> dict:
    """A cache entry's columns, upserted by the request's completion transaction (two
    identical concurrent requests both write it: the later one wins, neither fails)."""
    return dict(key=key, task=request.task, model=request.model, user_id=user_id, created_at=now,
                expires_at=now + timedelta(seconds=ttl_s), output=text, usage=usage.as_dict(), provider=provider)
