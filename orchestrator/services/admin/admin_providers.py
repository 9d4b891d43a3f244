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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from db.models import CatalogModel, Provider, RoutingPolicy, RoutingRule
from orchestrator import routing
from orchestrator.errors import InputRejected
from orchestrator.services.admin import catalog, providers
from orchestrator.services.actor import SUPER_ADMIN, Actor, require
from orchestrator.services.admin.providers import KEY_RULE, CredentialCheck, ProviderInfo

_UNSET: Any = object()
_SEPARATORS = re.compile(r"[,\n]+")
MAX_MODELS = 200  # names in one form


def parse_models(text: str | Iterable[str] | None) -> list[str]:
    """Model names from a form field (comma or newline separated) or a list: stripped, without
    duplicates, in the order given. A name that cannot be a model is refused, named."""
    parts = _SEPARATORS.split(text) if isinstance(text, str) else list(text or [])
    names = list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
    for name in names:
        if len(name) > 128 or any(c.isspace() for c in name):
            raise InputRejected(f"'{name[:40]}' is not a model name (at most 128 characters, no spaces); "
                                "separate names with commas or new lines.")
    if len(names) > MAX_MODELS:
        raise InputRejected(f"Name at most {MAX_MODELS} models at once.")
    return names


def create_provider(orch, *, actor: Actor, name: str, kind: str, base_url: str | None = None,
                    api_key: str | None = None, api_key_env: str | None = None, priority: int = 100,
                    timeout_s: float = 60.0, is_active: bool = True,
                    models: str | Iterable[str] | None = None) -> ProviderInfo:
    """Create a provider and register the models it serves (``models``: see ``parse_models``)
    in the catalog of its kind, so it can be tested and routed to at once."""
    names = parse_models(models)  # refused before anything is created
    info = providers.add_provider(orch, name=name, kind=kind, base_url=(base_url or "").strip() or None,
                                  api_key=api_key or None, api_key_env=(api_key_env or "").strip() or None,
                                  priority=priority, timeout_s=timeout_s, is_active=is_active, actor=actor)
    if names:
        add_models(orch, actor=actor, name=info.name, models=names)
    return info


@dataclass(frozen=True)
class ModelsAdded:
    added: list[str]  # new catalog rows (priced from genai-prices when it knows them, else unpriced)
    present: list[str]  # already in the catalog (inactive ones made active again)
    unpriced: list[str]  # of the added, those without a price: their cost is recorded as unknown


def add_models(orch, *, actor: Actor, name: str, models: str | Iterable[str]) -> ModelsAdded:
    """Register models a provider serves in the catalog of its kind (shared by every provider of
    that kind); each new row is priced from genai-prices or left unpriced, never $0."""
    require(orch, actor)
    names = parse_models(models)
    if not names:
        raise InputRejected("Name at least one model.")
    kind = providers.get_provider(orch, name).kind
    rows = {r.model: r for r in catalog.list_models(orch, kind=kind)}
    added, present, unpriced = [], [], []
    for model in names:
        row = rows.get(model)
        if row is None:
            new = catalog.add_model(orch, kind=kind, model=model, actor=actor)
            added.append(model)
            if not new.priced:
                unpriced.append(model)
        else:
            if not row.is_active:
                catalog.set_active(orch, kind=kind, model=model, active=True, actor=actor)
            present.append(model)
    return ModelsAdded(added, present, unpriced)


def server_models(orch, *, actor: Actor, name: str) -> list[str]:
    """The models the provider's server lists (``GET /v1/models``, Anthropic's and Gemini's
    ``models.list``); a provider with a key is listed by a super admin only."""
    return providers.list_server_models(orch, name, actor=actor)


def test_models(orch, *, name: str) -> list[str]:
    """The models "Test credentials" offers for a provider: its kind's active catalog models,
    the one the live routing policy sends to it first."""
    with orch.db.read() as s:
        kind = s.scalar(select(Provider.kind).where(Provider.name == name))
        if kind is None:
            return []
        models = list(s.scalars(select(CatalogModel.model).where(CatalogModel.kind == kind, CatalogModel.is_active)
                                .order_by(CatalogModel.model)).all())
        version = routing.live_version(s)
        routed = s.scalar(select(RoutingRule.model).join(RoutingPolicy)
                          .where(RoutingPolicy.version == version, RoutingRule.provider_name == name)
                          .order_by(RoutingRule.position).limit(1)) if version is not None else None
    if routed in models:
        models.remove(routed)
        models.insert(0, routed)
    return models


test_models.__test__ = False  # a service, not a pytest test


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
