"""Pieces every vendor's wire module shares: SSE framing, stream plans, errors."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any


class WireError(Exception):
    """A request the vendor would reject: carries the status and the body in
    the vendor's own error shape."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


@dataclass
class StreamPlan:
    """A streamed answer as frames: ``head`` opens it, each ``body`` frame
    carries content, ``tail`` carries the finish reason, usage and terminator.
    Faults cut the plan after some body frames."""

    head: list[bytes] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)
    tail: list[bytes] = field(default_factory=list)


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def sse(data: Any, event: str | None = None) -> bytes:
    """One server-sent event; ``data`` is JSON-encoded unless already a string."""
    payload = data if isinstance(data, str) else dumps(data)
    lines = [f"event: {event}"] if event else []
    lines += [f"data: {line}" for line in payload.split("\n")]
    return ("\n".join(lines) + "\n\n").encode()


def new_id(prefix: str, n: int = 24) -> str:
    return prefix + uuid.uuid4().hex[:n]


def now() -> int:
    return int(time.time())


def header(headers: Any, name: str) -> str | None:
    """Case-insensitive header lookup on an ``email.message.Message``."""
    value = headers.get(name)
    return value.strip() if isinstance(value, str) else None


def mask_key(key: str) -> str:
    """How OpenAI echoes a wrong key: a few leading and the last four characters."""
    if len(key) <= 12:
        return key[:3] + "*" * max(0, len(key) - 3)
    return key[:8] + "*" * (len(key) - 12) + key[-4:]
