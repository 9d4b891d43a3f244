"""Provider kinds, discovered from the provider modules, and their shared adapters.

Every module in ``orchestrator.providers`` that declares ``KIND`` (one
``ProviderKind``) or ``KINDS`` (several) at module level registers them; so
adding a kind is adding one module. ``register`` adds a kind from elsewhere
(a plugin, a test). Discovery imports the provider modules, which never
import their SDK at module level: adapters (and SDKs) are built on first
use, since ``anthropic`` alone takes about a second to import and a
deployment that only uses Gemini should never pay for it.

``PROVIDER_KINDS`` is computed on access, so it always lists what is
registered right now.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from typing import Any

from orchestrator.errors import ConfigError
from orchestrator.providers.base import Adapter
from orchestrator.providers.kinds import ProviderKind

_NOT_PROVIDERS = {"base", "kinds", "registry"}

_kinds: dict[str, ProviderKind] = {}
_discovered = False
_instances: dict[str, Adapter] = {}
_lock = threading.RLock()


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    with _lock:
        if _discovered:
            return
        import orchestrator.providers as package

        found: dict[str, ProviderKind] = {}
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_") or info.name in _NOT_PROVIDERS:
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            declared = list(getattr(module, "KINDS", ()))
            if getattr(module, "KIND", None) is not None:
                declared.append(module.KIND)
            for kind in declared:
                if not isinstance(kind, ProviderKind):
                    raise TypeError(f"{module.__name__} declares {kind!r}, not a ProviderKind")
                if kind.name in found:
                    raise ConfigError(f"Provider kind '{kind.name}' is declared twice.")
                found[kind.name] = kind
        for name, kind in found.items():
            _kinds.setdefault(name, kind)  # kinds registered before discovery win
        _discovered = True


def _order(kind: ProviderKind) -> tuple[bool, bool, str]:
    """Hosted vendors first (by name), then keyless servers, the local engine last."""
    return kind.local_engine, not kind.needs_key, kind.name


def all_kinds() -> list[ProviderKind]:
    _discover()
    return sorted(_kinds.values(), key=_order)


def find_kind(name: str | None) -> ProviderKind | None:
    """The kind called ``name``, or None (for tolerant callers, e.g. a stale database row)."""
    _discover()
    return _kinds.get(name or "")


def get_kind(name: str) -> ProviderKind:
    kind = find_kind(name)
    if kind is None:
        known = ", ".join(k.name for k in all_kinds())
        raise ConfigError(f"Unknown provider kind '{name}'. Known kinds: {known}.")
    return kind


def local_engine_kinds() -> frozenset[str]:
    return frozenset(k.name for k in all_kinds() if k.local_engine)


def register(kind: ProviderKind, *, replace: bool = False) -> ProviderKind:
    """Add a kind that no provider module declares (plugins, tests)."""
    _discover()
    with _lock:
        if kind.name in _kinds and not replace and _kinds[kind.name] != kind:
            raise ConfigError(f"Provider kind '{kind.name}' is already registered.")
        _kinds[kind.name] = kind
        _instances.pop(kind.name, None)
    return kind


def unregister(name: str) -> None:
    """Forget a kind added with ``register`` (and its adapter)."""
    with _lock:
        _kinds.pop(name, None)
        _instances.pop(name, None)


def get_adapter(kind: str) -> Adapter:
    """The shared adapter for ``kind``; adapters keep their SDK clients across calls."""
    adapter = _instances.get(kind)
    if adapter is not None:
        return adapter
    descriptor = get_kind(kind)
    with _lock:
        if kind not in _instances:
            _instances[kind] = descriptor.make_adapter()
        return _instances[kind]


def __getattr__(name: str) -> Any:
    if name == "PROVIDER_KINDS":
        return tuple(k.name for k in all_kinds())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


PROVIDER_KINDS: tuple[str, ...]  # computed on access (module __getattr__), never stale

__all__ = ["PROVIDER_KINDS", "ProviderKind", "all_kinds", "find_kind", "get_adapter", "get_kind",
           "local_engine_kinds", "register", "unregister"]
