"""Where a request came from, as each of its ledger rows records it.

``app`` (the Streamlit pages), ``cli`` (``python -m orchestrator``), ``api`` (the HTTP
API and the OpenAI-compatible gateway, always with the personal token's id, never the
token) or ``python`` (in-process use of ``Orchestrator``, the default).
"""

from __future__ import annotations

from dataclasses import dataclass

ORIGINS = ("app", "cli", "api", "python")


@dataclass(frozen=True)
class Origin:
    kind: str = "python"
    token_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ORIGINS:
            raise ValueError(f"Unknown origin {self.kind!r}")

    @classmethod
    def token(cls, token_id: int) -> Origin:
        return cls("api", token_id)


APP = Origin("app")
CLI = Origin("cli")
PYTHON = Origin("python")
