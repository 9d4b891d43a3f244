"""Shared pieces of the task definitions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TAG_RE = re.compile(r"<(?P<tag>[a-z_]+)>\n?(?P<body>.*?)\n?</(?P=tag)>", re.S)


def tag(name: str, body: str) -> str:
    """Wrap ``body`` in a tag the offline engine and the simulator can find."""
    return f"<{name}>\n{body}\n</{name}>"


def read_tags(prompt: str) -> dict[str, str]:
    """Every ``<tag>body</tag>`` in a prompt, by tag name (first one wins)."""
    found: dict[str, str] = {}
    for m in TAG_RE.finditer(prompt):
        found.setdefault(m.group("tag"), m.group("body"))
    return found


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str)


@dataclass(frozen=True)
class TaskSpec:
    """How one task is asked and checked.

    ``structured`` tasks send ``json_schema`` and validate the answer with
    ``parse_output``; text tasks stream and return Markdown.
    """

    name: str
    label: str
    prompt_version: str
    system: str
    structured: bool
    default_max_tokens: int
    json_schema: dict[str, Any] | None
    parse_output: Callable[[str], Any]
