"""What ``Orchestrator.run()`` returns and ``stream()`` yields."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orchestrator.money import usd_str
from orchestrator.providers.base import TokenUsage
from orchestrator.schemas import JobPosting


@dataclass(frozen=True)
class Attempt:
    """One provider call (or cache lookup) made for a request, as the ledger has it."""

    attempt: int
    provider: str
    provider_kind: str
    model: str
    status: str  # success | error | cached | quota_denied
    latency_ms: int
    usage: TokenUsage
    cost_usd: Decimal | None
    error_type: str | None = None
    error_message: str | None = None
    finish_reason: str | None = None  # stop | length | content_filter | ...; None without an answer

    def as_dict(self) -> dict[str, Any]:
        return {
            "attempt": self.attempt,
            "provider": self.provider,
            "provider_kind": self.provider_kind,
            "model": self.model,
            "status": self.status,
            "latency_ms": self.latency_ms,
            "usage": self.usage.as_dict(),
            "cost_usd": usd_str(self.cost_usd),
            "error_type": self.error_type,
            "error_message": self.error_message,
            "finish_reason": self.finish_reason,
        }


@dataclass(frozen=True)
class StreamRestart:
    """Yielded by ``stream()`` when a stream broke after text was shown: discard that text.

    ``action`` says what happens next, truthfully: ``retry`` starts the same provider
    over (``provider`` is the one that broke), ``fallback`` switches to the next one
    (``provider`` names it)."""

    reason: str
    action: str  # "retry" | "fallback"
    provider: str

    @property
    def retrying(self) -> bool:
        return self.action == "retry"

    def describe(self) -> str:
        """One sentence for people: what broke and what happens now."""
        if self.retrying:
            return f"The answer broke off ({self.reason}); trying {self.provider} again."
        return f"The answer broke off ({self.reason}); continuing with {self.provider}."


@dataclass
class Result:
    """The outcome of one request.

    ``text`` holds the answer (Markdown for documents, JSON for extraction);
    ``data`` the parsed ``JobPosting`` for extraction. ``usage`` and
    ``cost_usd`` are those of the attempt that served the answer;
    ``total_cost_usd`` adds failed attempts, which were paid for too.
    ``cost_usd`` is None when the serving model is unpriced.
    """

    request_id: str
    task: str
    text: str
    data: JobPosting | None
    provider: str
    provider_kind: str
    model: str
    usage: TokenUsage
    cost_usd: Decimal | None
    total_cost_usd: Decimal | None
    charged_usd: Decimal
    latency_ms: int
    attempts: list[Attempt] = field(default_factory=list)
    cached: bool = False
    job_id: int | None = None
    document_id: int | None = None
    label: str = ""
    finish_reason: str | None = "stop"  # how the serving answer ended (a cache hit: "stop")

    @property
    def offline(self) -> bool:
        """Served by the built-in engine (no AI model), not a provider."""
        from orchestrator.providers.registry import local_engine_kinds

        return self.provider_kind in local_engine_kinds()

    def as_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "task": self.task,
            "provider": self.provider,
            "provider_kind": self.provider_kind,
            "model": self.model,
            "label": self.label,
            "offline": self.offline,
            "cached": self.cached,
            "usage": self.usage.as_dict(),
            "cost_usd": usd_str(self.cost_usd),
            "total_cost_usd": usd_str(self.total_cost_usd),
            "charged_usd": usd_str(self.charged_usd),
            "latency_ms": self.latency_ms,
            "finish_reason": self.finish_reason,
            "job_id": self.job_id,
            "document_id": self.document_id,
            "data": self.data.model_dump(mode="json") if self.data is not None else None,
            "text": None if self.data is not None else self.text,
            "attempts": [a.as_dict() for a in self.attempts],
        }
