"""Provider administration with the credential rule enforced on the server:
only a super admin touches credentials.

"Credentials" here means anything that decides which key is sent where:
the stored key, the environment variable a key is read from, and the base
URL of a provider that has a key (pointing a keyed provider at another host
would send the key there). Testing credentials uses the key, so it is a
super-admin action too. Plain admins may still create keyless providers,
(de)activate, reprioritise, change timeouts and delete.

The acting admin's role is read from the database on every call
(``admin_users.require_role``), never taken from the page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from db.models import Provider
from orchestrator.errors import InputRejected, PermissionDenied
from orchestrator.services import providers
from orchestrator.services.admin_users import require_role
from orchestrator.services.providers import CredentialCheck, ProviderInfo

_UNSET: Any = object()
_KEY_RULE = "Only a super admin can set keys, key variables or the base URL of a provider with a key."


def _has_key(orch, name: str) -> bool:
    with orch.db.read() as s:
        row = s.execute(select(Provider.api_key_ciphertext, Provider.api_key_env)
                        .where(Provider.name == name)).first()
    return bool(row and (row[0] or row[1]))


def create_provider(orch, *, actor: str, name: str, kind: str, base_url: str | None = None,
                    api_key: str | None = None, api_key_env: str | None = None, priority: int = 100,
                    timeout_s: float = 60.0, is_active: bool = True) -> ProviderInfo:
    role = require_role(orch, actor)
    if (api_key or api_key_env) and role != "super_admin":
        raise PermissionDenied(_KEY_RULE)
    return providers.add_provider(orch, name=name, kind=kind, base_url=(base_url or "").strip() or None,
                                  api_key=api_key or None, api_key_env=(api_key_env or "").strip() or None,
                                  priority=priority, timeout_s=timeout_s, is_active=is_active, actor=actor)


def edit_provider(orch, *, actor: str, name: str, base_url: str | None = _UNSET, api_key_env: str | None = _UNSET,
                  priority: int | None = None, timeout_s: float | None = None, is_active: bool | None = None,
                  new_name: str | None = None) -> ProviderInfo:
    """Change a provider's settings (not its key: see ``set_key``)."""
    role = require_role(orch, actor)
    current = providers.get_provider(orch, name)
    changes: dict[str, Any] = {}
    if base_url is not _UNSET and (base_url or None) != current.base_url:
        if role != "super_admin" and _has_key(orch, name):
            raise PermissionDenied(_KEY_RULE)
        changes["base_url"] = (base_url or "").strip() or None
    if api_key_env is not _UNSET and (api_key_env or None) != _env_of(current):
        if role != "super_admin":
            raise PermissionDenied(_KEY_RULE)
        changes["api_key_env"] = (api_key_env or "").strip() or None
    return providers.update_provider(orch, name, priority=priority, timeout_s=timeout_s, is_active=is_active,
                                     new_name=(new_name or "").strip() or None, actor=actor, **changes)


def _env_of(info: ProviderInfo) -> str | None:
    src = info.key_source
    return src.split(":", 1)[1].split(" ")[0] if src.startswith("env:") else None


def set_active(orch, *, actor: str, name: str, active: bool) -> ProviderInfo:
    require_role(orch, actor)
    return providers.update_provider(orch, name, is_active=active, actor=actor)


def set_key(orch, *, actor: str, name: str, api_key: str) -> ProviderInfo:
    """Store (or replace) a provider's key, encrypted; only its hint is ever shown again."""
    require_role(orch, actor, super_admin=True)
    key = (api_key or "").strip()
    if len(key) < 8 or len(key) > 4096 or any(c.isspace() for c in key):
        raise InputRejected("That does not look like an API key (8 or more characters, no spaces).")
    return providers.update_provider(orch, name, api_key=key, actor=actor)


def clear_key(orch, *, actor: str, name: str) -> ProviderInfo:
    require_role(orch, actor, super_admin=True)
    return providers.update_provider(orch, name, api_key=None, actor=actor)


def test_credentials(orch, *, actor: str, name: str, model: str | None = None) -> CredentialCheck:
    """One tiny real request with the provider's key: latency and a clear result."""
    require_role(orch, actor, super_admin=True)
    return providers.check_credentials(orch, name, model=(model or "").strip() or None, actor=actor)


test_credentials.__test__ = False  # a service, not a pytest test


def delete_provider(orch, *, actor: str, name: str) -> None:
    """Delete; refused, with the cells, while the live routing policy uses it."""
    require_role(orch, actor)
    providers.remove_provider(orch, name, actor=actor)
