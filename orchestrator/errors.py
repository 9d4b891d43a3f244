"""One exception tree for everything the orchestrator raises.

Callers (pages, CLI, tests) catch ``OrchestratorError`` and show ``str(err)``:
every message is written for the person who will read it, and never carries a
secret. Provider adapters map their SDK's exceptions onto ``ProviderError`` in
one place and scrub keys from any text they keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class OrchestratorError(Exception):
    """Base of every error the orchestrator raises on purpose."""


class ConfigError(OrchestratorError):
    """Settings, master keys or the database are missing or inconsistent."""


class CredentialError(OrchestratorError):
    """A credential is missing, unreadable or rejected (wrong password, bad key)."""


class NotFound(OrchestratorError):
    """A user, job, document, provider or plan that was asked for does not exist."""


class PermissionDenied(OrchestratorError):
    """The signed-in user may not do this (role check on the server side)."""


class InputRejected(OrchestratorError):
    """The caller's own input cannot be processed; retrying elsewhere would not help."""


class Conflict(InputRejected):
    """The change clashes with something that depends on the record (a provider the live
    routing policy uses cannot be deleted): HTTP 409."""


class InputTooLarge(InputRejected):
    """The caller's input is larger than a configured limit (HTTP 413)."""


class QuotaExceeded(OrchestratorError):
    """A plan limit or the credit balance would be exceeded by this request.

    ``limit`` names the limit hit (``requests_per_day``, ``tokens_per_month``,
    ``cost_per_month`` or ``credit``) and ``resets_at`` says when it resets
    (``None`` for credit, which is topped up rather than reset).
    """

    def __init__(self, message: str, *, limit: str, resets_at: datetime | None = None):
        super().__init__(message)
        self.limit = limit
        self.resets_at = resets_at


class SaveFailed(OrchestratorError):
    """A served answer could not be saved; the request was rolled back and nothing charged."""


class NoRouteAvailable(OrchestratorError):
    """The routing policy yields no usable candidate for this plan and task."""


class ProviderError(OrchestratorError):
    """One provider call failed.

    ``kind`` is a stable error class (``rate_limited``, ``timeout``,
    ``unreachable``, ``server_error``, ``auth``, ``bad_request``,
    ``not_found``, ``invalid_output``, ``stream_broken``, ``content_filter``,
    ``input_unsupported``); ``retryable`` says whether the same call may
    succeed if repeated; ``retry_after`` is the server's hint in seconds.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        model: str = "",
        kind: str = "error",
        retryable: bool = False,
        retry_after: float | None = None,
        status_code: int | None = None,
    ):
        super().__init__(message)
        self.provider = provider
        self.model = model
        self.kind = kind
        self.retryable = retryable
        self.retry_after = retry_after
        self.status_code = status_code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class AttemptFailure:
    """Why one attempt of a request failed (carried by AllProvidersFailed)."""

    provider: str
    model: str
    error_type: str
    message: str
    attempt: int = 0


class AllProvidersFailed(ProviderError):
    """Every candidate of the route failed; ``failures`` says why, one per attempt."""

    def __init__(self, message: str, *, failures: list[AttemptFailure]):
        super().__init__(message, kind="all_failed", retryable=False)
        self.failures = failures

