"""AI Orchestrator: every AI call of the app goes through this package.

Public API::

    from orchestrator import Orchestrator
    orch = Orchestrator(database_url=None)
    result = orch.run("extract_job", user="free@example.com", text="...")

Nothing here imports Streamlit; the CLI, the tests and the app share it.
Names are resolved lazily (PEP 562) so that ``import orchestrator.errors``
from the data layer does not pull in the whole pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "Orchestrator": "orchestrator.client",
    "AllProvidersFailed": "orchestrator.errors",
    "AttemptFailure": "orchestrator.errors",
    "ConfigError": "orchestrator.errors",
    "Conflict": "orchestrator.errors",
    "CredentialError": "orchestrator.errors",
    "InputRejected": "orchestrator.errors",
    "InputTooLarge": "orchestrator.errors",
    "NoRouteAvailable": "orchestrator.errors",
    "NotFound": "orchestrator.errors",
    "OrchestratorError": "orchestrator.errors",
    "PermissionDenied": "orchestrator.errors",
    "ProviderError": "orchestrator.errors",
    "QuotaExceeded": "orchestrator.errors",
    "SaveFailed": "orchestrator.errors",
    "TokenUsage": "orchestrator.providers.base",
    "Attempt": "orchestrator.result",
    "Result": "orchestrator.result",
    "StreamRestart": "orchestrator.result",
    "DraftOptions": "orchestrator.schemas",
    "JobPosting": "orchestrator.schemas",
    "Profile": "orchestrator.schemas",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'orchestrator' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__


if TYPE_CHECKING:
    from orchestrator.client import Orchestrator
    from orchestrator.errors import (
        AllProvidersFailed,
        AttemptFailure,
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
    from orchestrator.providers.base import TokenUsage
    from orchestrator.result import Attempt, Result, StreamRestart
    from orchestrator.schemas import DraftOptions, JobPosting, Profile
