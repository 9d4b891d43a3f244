"""Shared pieces of the task definitions: prompt tags and the ``TaskSpec`` descriptor."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

TAG_RE = re.compile(r"<(?P<tag>[a-z_]+)>\n?(?P<body>.*?)\n?</(?P=tag)>", re.S)

# What a task reads: a job posting (pasted text, a screenshot or a URL), a saved job
# (plus the user's profile and the drafting options), a conversation (chat messages), or one
# part of a saved document (a version of a CV or letter, plus its job and the user's profile).
InputKind = Literal["posting", "saved_job", "messages", "document_part"]
# What a task saves when it succeeds: a structured job, a Markdown document, or nothing
# (a reply goes back to the caller; only the ledger row is kept).
OutputKind = Literal["job", "document", "reply"]


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
class TaskText:
    """How the app words one task (pages, navigation, analytics, My documents)."""

    title: str  # page title and links to the page: "Draft a CV"
    noun: str  # in sentences: "CV", "cover letter"
    plural: str  # filters and lists: "CVs"
    page: str = ""  # the task's own Streamlit page (st.Page path), if it has one
    nav: str = ""  # its navigation entry: "CV"
    intro: str = ""  # the page's first paragraph
    blurb: str = ""  # one line on the home page's steps
    button: str = "Run"  # the primary button
    again: str = "Run again"  # the link once the user has one
    icon: str = ":material/auto_awesome:"


@dataclass(frozen=True)
class TaskSpec:
    """Everything about one task, in one place; the registry derives the rest.

    - ``input``: ``posting`` tasks take exactly one of text, image or URL and build
      their prompt with ``build_prompt(text_or_None, has_image=bool)``; ``saved_job``
      tasks take a saved job, the user's profile and ``DraftOptions`` and build it with
      ``build_prompt(profile, posting, options)``; ``messages`` tasks take a
      conversation (``[{"role", "content"}]``) and build the prompt from its last
      user message with ``build_prompt(text)``, the earlier turns going as history;
      ``document_part`` tasks take one of the user's documents (``document_id``), the index of one
      of its parts (``part``, see ``orchestrator.document_parts``) and a ``style`` (one of
      ``meta["styles"]``) and build it with ``build_prompt(part, profile, posting, style=...,
      language=...)``; they save a new version of that document with only the part replaced,
      of the document's own kind (so they have no ``document_kind``).
    - ``parse_output`` validates the model's answer (raising ``ProviderError`` with
      kind ``invalid_output``, which the pipeline repairs once and then falls back on);
      ``json_schema`` (None for free text) asks vendors for structured output.
    - ``output``: ``job`` saves the parsed posting as a job; ``document`` saves the
      parsed text as a document of ``document_kind``; ``reply`` saves nothing.
    - ``offline(tags)`` is the built-in engine's answer to this task's tagged prompt.
    - ``route_tier`` picks the seeded chain (``fast`` or ``quality`` models per plan);
      ``default_cache_ttl_s`` the response cache lifetime until an admin changes it.
    """

    name: str
    label: str
    prompt_version: str
    system: str
    input: InputKind
    build_prompt: Callable[..., str]
    parse_output: Callable[[str], Any]
    output: OutputKind
    default_max_tokens: int
    offline: Callable[[dict[str, str]], str]
    text: TaskText
    json_schema: dict[str, Any] | None = None
    document_kind: str | None = None
    default_cache_ttl_s: int = 0
    route_tier: str = "fast"
    color: str = "#888888"
    order: int = 100  # position in lists, menus and charts
    # an answer cut at the token limit is a failed attempt (retried once with a higher limit, then
    # fallen back on); off for tasks whose caller takes a "length" finish as it is (the gateway's chat)
    truncation_fails: bool = True
    # checks a parsed answer against the request (the ``Prepared`` one, with the user's profile and the
    # posting): raises ``ProviderError`` kind ``invalid_output`` naming what is wrong (repaired once, then
    # fallen back on), e.g. a CV that invents an employer. None: the schema check is all there is.
    verify: Callable[[Any, Any], None] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def structured(self) -> bool:
        return self.json_schema is not None

    def __post_init__(self) -> None:
        if self.output == "document" and not self.document_kind and self.input != "document_part":
            raise ValueError(f"Task '{self.name}' saves a document: give it a document_kind.")
