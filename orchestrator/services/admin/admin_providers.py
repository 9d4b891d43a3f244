"""Provider administration as the console calls it: only a super admin touches credentials.

"Credentials" here means anything that decides which key is sent where:
the stored key, the environment variable a key is read from, and the base
URL of a provider that has a key (pointing a keyed provider at another host
would send the key there). Testing credentials uses the key, so it is a
super-admin action too. Plain admins may still create keyless providers,
(de)activate, reprioritise, change timeouts and delete.

The rule itself is enforced in ``services.providers`` (which the CLI calls too);
this module normalises the console's form values. The actor's role is read from
the database on every call (``services.actor.require``), never taken from the page.
"""

from __future__ import annotations

from typing import Any

from orchestrator.errors import InputRejected
from orchestrator.services.admin import providers
from orchestrator.services.actor import SUPER_ADMIN, Actor, require
from orchestrator.services.admin.providers import KEY_RULE, CredentialCheck, ProviderInfo

_UNSET: Any = object()


def create_provider(orch, *, actor: Actor, name: str, kind: str, base_url: str | None = None,
                    api_key: str | None = None, api_key_env: str | None = None, priority: int = 100,
                    timeout_s: float = 60.0, is_active: bool = True) -> ProviderInfo:
    return providers.add_provider(orch, name=name, kind=kind, base_url=(base_url or "").strip() or None,
                                  api_key=api_key or None, api_key_env=(api_key_env or "").strip() or None,
                                  priority=priority, timeout_s=timeout_s, is_active=is_active, actor=actor)


def edit_provider(orch, *, actor: Actor, name: str, base_url: str | None = _UNSET,
                  api_key_env: str | None = _UNSET, priority: int | None = None, timeout_s: float | None = None,
                  is_active: bool | None = None, new_name: str | None = None) -> ProviderInfo:
    """Change a provider's settings (not its key: see ``set_key``); only what differs is sent."""
    require(orch, actor)
    current = providers.get_provider(orch, name)
    changes: dict[str, Any] = {}
    if base_url is not _UNSET and (base_url or None) != current.base_url:
        changes["base_url"] = (base_url or "").strip() or None
    if api_key_env is not _UNSET and (api_key_env or None) != _env_of(current):
        changes["api_key_env"] = (api_key_env or "").strip() or None
    return providers.update_provider(orch, name, priority=priority, timeout_s=timeout_s, is_active=is_active,
                                     new_name=(new_name or "").strip() or None, actor=actor, **changes)


def _env_of(info: ProviderInfo) -> str | None:
    src = info.key_source
    return src.split(":", 1)[1].split(" ")[0] if src.startswith("env:") else None


def set_active(orch, *, actor: Actor, name: str, active: bool) -> ProviderInfo:
    return providers.update_provider(orch, name, is_active=active, actor=actor)


def checked_key(orch, *, actor: Actor, api_key: str | None) -> str:
    """A key an admin entered, once the actor is known to be a super admin (refused before the
    key is even looked at, so a plain admin learns nothing about it) and it looks like a key."""
    require(orch, actor, SUPER_ADMIN, message=KEY_RULE)
    key = (api_key or "").strip()
    if len(key) < 8 or len(key) > 4096 or any(c.isspace() for c in key):
        raise InputRejected("That does not look like an API key (8 or more characters, no spaces).")
    return key


def set_key(orch, *, actor: Actor, name: str, api_key: str) -> ProviderInfo:
    """Store (or replace) a provider's key, encrypted; only its hint is ever shown again."""
    key = checked_key(orch, actor=actor, api_key=api_key)
    return providers.update_provider(orch, name, api_key=key, actor=actor)


def clear_key(orch, *, actor: Actor, name: str) -> ProviderInfo:
    return providers.update_provider(orch, name, api_key=None, actor=actor)


def test_credentials(orch, *, actor: Actor, name: str, model: str | None = None) -> CredentialCheck:
    """One tiny real request with the provider's key: latency and a clear result."""
    return providers.check_credentials(orch, name, model=(model or "").strip() or None, actor=actor)


test_credentials.__test__ = False  # a service, not a pytest test


def delete_provider(orch, *, actor: Actor, name: str) -> None:
    """Delete; refused, with the cells, while the live routing policy uses it."""
    providers.remove_provider(orch, name, actor=actor)
