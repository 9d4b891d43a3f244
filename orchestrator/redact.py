"""Scrubbing secrets out of any text that may reach a log, a row or a message.

Keys leak through SDK exception text, request URLs (Gemini puts ``key=`` in
the query string) and headers echoed back by proxies. Adapters call
``scrub`` on every message they keep; the known secrets are replaced, and
anything shaped like a vendor key or a key query parameter is masked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[redacted]"

_PATTERNS = [
    re.compile(r"(?i)([?&](?:key|api_key|apikey|access_token)=)[^&\s'\"]+"),
    re.compile(r"(?i)((?:x-goog-api-key|x-api-key|authorization)[\"']?\s*[:=]\s*[\"']?(?:bearer\s+)?)[^\s'\",}]+"),
    re.compile(r"\b(sk-(?:ant-|proj-)?)[A-Za-z0-9_\-]{8,}"),
    # vendors echo a masked key (first 8 + *** + last 4): even the fragments stay out
    re.compile(r"\b(sk-)[A-Za-z0-9_\-]*\*+[A-Za-z0-9]{0,4}"),
    re.compile(r"\b(AIza)[A-Za-z0-9_\-]{20,}"),
]


def scrub(text: object, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with every known secret and key-shaped token masked."""
    out = str(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, MASK)
    for pat in _PATTERNS:
        out = pat.sub(lambda m: m.group(1) + MASK, out)
    return out


def key_hint(api_key: str) -> str:
    """The last four characters, the only part of a key ever shown again."""
    return "…" + api_key[-4:] if len(api_key) >= 8 else "…"
