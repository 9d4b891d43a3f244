"""Credential test: one tiny real request through the provider's adapter.

The admin page's "Test" button calls ``probe``. It goes through the same
adapter (same client, same error mapping) as real traffic, with a few-token
prompt, and turns the outcome into a ``ProbeResult`` with a sentence an admin
can act on. It never raises for a provider failure and never shows the key.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from orchestrator.errors import ConfigError, ProviderError
from orchestrator.providers import _common as common
from orchestrator.providers.base import ChatRequest, ProviderConfig
from orchestrator.redact import scrub

PROBE_TIMEOUT_S = 20.0
PROBE_PROMPT = "Reply with the single word OK."
# Enough for a reasoning model to return a valid (possibly empty, finish "length") answer
# without paying for a long hidden chain of thought; others stop after a word.
PROBE_MAX_TOKENS = 16

ERROR_CLASSES = ("invalid_key", "no_model_access", "unreachable", "rate_limited", "timeout",
                 "server_error", "bad_request", "error")


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    latency_ms: int
    error_class: str | None
    message: str


def probe(config: ProviderConfig, model: str) -> ProbeResult:
    """Make one minimal call to ``model`` with ``config``'s key; say whether it worked and why not."""
    from orchestrator.providers.registry import find_kind, get_adapter

    kind = find_kind(config.kind)
    if kind is not None and kind.local_engine:
        return ProbeResult(True, 0, None, f"The {kind.label.lower()} is built in and always available.")
    started = time.monotonic()
    try:
        adapter = get_adapter(config.kind)
        call_config = ProviderConfig(name=config.name, kind=config.kind, base_url=config.base_url,
                                     api_key=config.api_key, timeout_s=min(config.timeout_s, PROBE_TIMEOUT_S))
        request = ChatRequest(task="probe", model=model, system="", prompt=PROBE_PROMPT,
                              max_tokens=PROBE_MAX_TOKENS)
        adapter.complete(call_config, request)
    except ProviderError as exc:
        cls, message = _explain(exc, config, model)
        return ProbeResult(False, _ms(started), cls, scrub(message, [config.api_key]))
    except ConfigError as exc:
        return ProbeResult(False, _ms(started), "error", scrub(str(exc), [config.api_key]))
    except Exception as exc:  # noqa: BLE001 - a probe reports, it does not crash the admin page
        return ProbeResult(False, _ms(started), "error", f"The test failed unexpectedly ({type(exc).__name__}).")
    latency = _ms(started)
    lead = "The key works" if config.api_key else "The server answers without a key"
    return ProbeResult(True, latency, None, f"{lead}: {model} answered in {latency} ms.")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _explain(exc: ProviderError, config: ProviderConfig, model: str) -> tuple[str, str]:
    """(error_class, sentence) for a failed probe."""
    kind, status = exc.kind, exc.status_code
    code = f" ({status})" if status else ""
    if kind == "auth":
        if status == 403:
            return "invalid_key", f"The API key was refused access (403): it is not allowed to use {model}."
        if status == 402:
            return "invalid_key", "The account behind this key needs billing attention (402)."
        if status is None:
            return "invalid_key", "No API key is configured for this provider."
        return "invalid_key", f"The API key was rejected{code}."
    if kind == "not_found":
        return "no_model_access", f"The key has no access to model {model}, or the model does not exist{code}."
    if kind == "unreachable":
        return "unreachable", f"Could not connect to {common.origin(_base(config))}."
    if kind == "rate_limited":
        if exc.retry_after is not None:
            return "rate_limited", f"Rate limited — try again in {max(1, round(exc.retry_after))} s."
        return "rate_limited", "Rate limited — try again in a minute."
    if kind == "timeout":
        return "timeout", f"The provider did not answer within {min(config.timeout_s, PROBE_TIMEOUT_S):g} s."
    if kind in ("server_error", "stream_broken"):
        return "server_error", f"The provider had a server error{code}; try again later."
    if kind == "bad_request":
        return "bad_request", f"The provider rejected the test request. {exc.message}"
    return "error", exc.message or "The test failed."


def _base(config: ProviderConfig) -> str | None:
    if config.base_url:
        return config.base_url
    from orchestrator.providers.registry import find_kind

    kind = find_kind(config.kind)
    return kind.default_base_url if kind is not None else None
