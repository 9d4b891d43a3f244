"""Provider kind -> adapter. Adapters (and their SDKs) are imported on first use:
``anthropic`` alone takes about a second to import, and a deployment that only
uses Gemini should never pay for it."""

from __future__ import annotations

import importlib
import threading

from orchestrator.errors import ConfigError
from orchestrator.providers.base import Adapter

PROVIDER_KINDS = ("openai", "anthropic", "gemini", "openai_compatible", "offline")

_TARGETS = {
    "openai": ("orchestrator.providers.openai", "OpenAIAdapter"),
    "openai_compatible": ("orchestrator.providers.openai", "OpenAICompatibleAdapter"),
    "anthropic": ("orchestrator.providers.anthropic", "AnthropicAdapter"),
    "gemini": ("orchestrator.providers.gemini", "GeminiAdapter"),
    "offline": ("orchestrator.providers.offline", "OfflineAdapter"),
}

_instances: dict[str, Adapter] = {}
_lock = threading.Lock()


def get_adapter(kind: str) -> Adapter:
    """The shared adapter for ``kind``; adapters keep their SDK clients across calls."""
    adapter = _instances.get(kind)
    if adapter is not None:
        return adapter
    if kind not in _TARGETS:
        raise ConfigError(f"Unknown provider kind '{kind}'. Known kinds: {', '.join(PROVIDER_KINDS)}.")
    with _lock:
        if kind not in _instances:
            module, cls = _TARGETS[kind]
            _instances[kind] = getattr(importlib.import_module(module), cls)()
        return _instances[kind]
