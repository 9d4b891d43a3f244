"""Errors as HTTP answers: one JSON shape, the status a client can act on, nothing internal.

``{"error": "<the message the app shows>", "error_type": "<stable name>"}``. Messages
are the ones written for people in ``orchestrator.errors``; an unexpected exception
becomes a 500 with a generic message (the details go to the server log, not the body),
so no stack trace or key ever reaches a client.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from orchestrator.errors import (
    AllProvidersFailed,
    ConfigError,
    Conflict,
    CredentialError,
    InputRejected,
    InputTooLarge,
    NoRouteAvailable,
    NotFound,
    OrchestratorError,
    PermissionDenied,
    ProviderError,
    QuotaExceeded,
    SaveFailed,
)
from orchestrator.redact import scrub

log = logging.getLogger("orchestrator.http")

# a credit balance does not reset by itself: tell clients to come back in an hour
CREDIT_RETRY_AFTER_S = 3600


class Unauthenticated(CredentialError):
    """No valid credentials came with the request: HTTP 401."""


def status_of(exc: Exception) -> int:
    if isinstance(exc, Unauthenticated):
        return 401
    if isinstance(exc, InputTooLarge):
        return 413
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, (InputRejected, ValueError)):
        return 400
    if isinstance(exc, CredentialError):
        return 401
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, QuotaExceeded):
        return 429
    if isinstance(exc, (AllProvidersFailed, ProviderError)):
        return 502
    if isinstance(exc, (NoRouteAvailable, SaveFailed, ConfigError)):
        return 503
    return 500


def retry_after_s(exc: QuotaExceeded, now: datetime | None = None) -> int:
    """Seconds until the limit resets (at least 1); credit, which only a top-up restores, an hour."""
    if exc.resets_at is None:
        return CREDIT_RETRY_AFTER_S
    now = now or datetime.now(UTC)
    resets = exc.resets_at if exc.resets_at.tzinfo else exc.resets_at.replace(tzinfo=UTC)
    return max(1, math.ceil((resets - now).total_seconds()))


def error_type(exc: Exception) -> str:
    if isinstance(exc, OrchestratorError):
        return type(exc).__name__
    return "InternalError"


def body_of(exc: Exception) -> dict:
    if isinstance(exc, OrchestratorError):
        body = {"error": scrub(str(exc)), "error_type": error_type(exc)}
        if isinstance(exc, QuotaExceeded):
            body["limit"] = exc.limit
            body["resets_at"] = exc.resets_at.isoformat() if exc.resets_at else None
        return body
    log.error("unexpected %s in an HTTP route", type(exc).__name__, exc_info=exc)
    return {"error": "Something went wrong on the server. Please try again.", "error_type": "InternalError"}


def headers_of(exc: Exception) -> dict[str, str]:
    if isinstance(exc, QuotaExceeded):
        return {"Retry-After": str(retry_after_s(exc))}
    if isinstance(exc, Unauthenticated):
        return {"WWW-Authenticate": 'Bearer realm="ai-orchestrator"'}
    return {}
