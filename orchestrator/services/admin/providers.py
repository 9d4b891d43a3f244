"""Providers and their credentials: add, list, update, remove, test.

API keys enter here and leave only as ciphertext plus a four-character hint;
no DTO ever carries a key. Deleting a provider the live routing policy uses
is refused, with the cells that use it.

Every change takes a checked ``Actor`` (admins manage providers) and the
credential rule is enforced here, below every page and the CLI: only a super
admin sets a key or a key variable, changes the base URL of a provider that has
a key (that would send the key elsewhere), tests credentials or rotates keys.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from db.models import CatalogModel, Provider, ProviderHealth, RoutingRule, UsageRecord
from orchestrator import routing
from orchestrator.errors import ConfigError, Conflict, InputRejected, NotFound, PermissionDenied
from orchestrator.providers.base import ProviderConfig
from orchestrator.providers.registry import all_kinds, find_kind
from orchestrator.redact import key_hint, scrub
from orchestrator.services.admin import audit
from orchestrator.services.actor import SUPER_ADMIN, Actor, require
from orchestrator.services.reports.failure_rates import failure_rates_in

LIST_TIMEOUT_S = 15.0  # a model list is small: a server slower than this is not answering
KEY_RULE = "Only a super admin can set keys, key variables or the base URL of a provider with a key."


@dataclass(frozen=True)
class ProviderInfo:
    id: int
    name: str
    kind: str
    base_url: str | None
    key_hint: str | None
    key_source: str  # vault | env:VAR | env:VAR (unset) | none
    has_usable_key: bool
    priority: int
    is_active: bool
    timeout_s: float
    last_test_at: datetime | None
    last_test_ok: bool | None
    last_test_latency_ms: int | None
    last_test_error_class: str | None
    last_test_message: str | None
    circuit_state: str
    requests_24h: int  # provider calls in the failure-rate window (services.reports.failure_rates)
    error_rate_24h: float | None  # failed / requests_24h; None without calls
    # the latest account-level refusal in 24 h (quota or credit used up, request too large), if any
    account_problem: str | None = None
    account_problem_at: datetime | None = None
    failed_24h: int = 0

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["last_test_at"] = self.last_test_at.isoformat() if self.last_test_at else None
        d["account_problem_at"] = self.account_problem_at.isoformat() if self.account_problem_at else None
        return d


@dataclass(frozen=True)
class KindInfo:
    """A provider kind as the admin pages and the CLI show it."""

    name: str
    label: str
    needs_key: bool
    requires_base_url: bool
    local_engine: bool
    default_base_url: str | None
    default_key_env: str | None
    color: str  # hex, for charts


def provider_kinds() -> list[KindInfo]:
    """The registered provider kinds, in display order (hosted, keyless servers, local engine)."""
    return [KindInfo(name=k.name, label=k.label, needs_key=k.needs_key, requires_base_url=k.requires_base_url,
                     local_engine=k.local_engine, default_base_url=k.default_base_url,
                     default_key_env=k.default_key_env, color=k.color) for k in all_kinds()]


@dataclass(frozen=True)
class CredentialCheck:
    provider: str
    model: str
    ok: bool
    latency_ms: int
    error_class: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _key_source(p: Provider) -> str:
    if p.api_key_ciphertext:
        return "vault"
    if p.api_key_env:
        return f"env:{p.api_key_env}" + ("" if os.environ.get(p.api_key_env) else " (unset)")
    return "none"


def list_providers(orch) -> list[ProviderInfo]:
    """Every provider with its health; ``requests_24h`` / ``failed_24h`` / ``error_rate_24h`` are its
    provider calls in the failure-rate window (``services.reports.failure_rates``)."""
    with orch.db.read() as s:
        providers = s.scalars(select(Provider).order_by(Provider.priority, Provider.name)).all()
        health = {h.provider_id: h.state for h in s.scalars(select(ProviderHealth)).all()}
        rates = failure_rates_in(s)  # the one definition, shared with the Overview
        account = _account_problems(s, rates.since)
    out = []
    for p in providers:
        rate = rates.of(p.name)
        out.append(ProviderInfo(
            id=p.id, name=p.name, kind=p.kind, base_url=p.base_url, key_hint=p.key_hint,
            key_source=_key_source(p), has_usable_key=routing.has_usable_key(p), priority=p.priority,
            is_active=p.is_active, timeout_s=p.timeout_s, last_test_at=p.last_test_at,
            last_test_ok=p.last_test_ok, last_test_latency_ms=p.last_test_latency_ms,
            last_test_error_class=p.last_test_error_class, last_test_message=p.last_test_message,
            circuit_state=health.get(p.id, "closed"), requests_24h=rate.calls, error_rate_24h=rate.rate,
            failed_24h=rate.failed,
            account_problem=account.get(p.name, (None, None))[0],
            account_problem_at=account.get(p.name, (None, None))[1],
        ))
    return out


ACCOUNT_PROBLEMS = {
    "quota_exhausted": "the account's quota or credit is used up: calls fall back to other providers "
                       "until it is topped up",
    "too_large": "requests were refused as too large for the account's per-minute token limit",
}


def _account_problems(s, since: datetime) -> dict[str, tuple[str, datetime]]:
    """Per provider, the latest refusal that no retry can fix (through the (provider, time) index)."""
    found: dict[str, tuple[str, datetime]] = {}
    rows = s.execute(select(UsageRecord.provider, UsageRecord.error_type, func.max(UsageRecord.timestamp))
                     .where(UsageRecord.timestamp >= since, UsageRecord.status == "error",
                            UsageRecord.error_type.in_(tuple(ACCOUNT_PROBLEMS)))
                     .group_by(UsageRecord.provider, UsageRecord.error_type)).all()
    for provider, error_type, at in rows:
        if provider not in found or at > found[provider][1]:
            found[provider] = (ACCOUNT_PROBLEMS[error_type], at)
    return found


def _validate(kind: str, base_url: str | None, name: str | None = None) -> None:
    descriptor = find_kind(kind)
    if descriptor is None:
        raise InputRejected(f"Kind must be one of: {', '.join(k.name for k in all_kinds())}.")
    if name is not None and (not name.strip() or len(name) > 64 or ":" in name or "," in name):
        raise InputRejected("A provider name must be 1-64 characters without ':' or ','.")
    if descriptor.requires_base_url and not base_url:
        raise InputRejected(f"A provider of kind {kind} ({descriptor.label}) needs a base URL, "
                            "e.g. http://localhost:11434/v1.")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise InputRejected("The base URL must start with http:// or https://.")


def add_provider(orch, *, name: str, kind: str, base_url: str | None = None, api_key: str | None = None,
                 api_key_env: str | None = None, priority: int = 100, timeout_s: float = 60.0,
                 is_active: bool = True, actor: Actor) -> ProviderInfo:
    role = require(orch, actor)
    if (api_key or api_key_env) and role != SUPER_ADMIN:
        raise PermissionDenied(KEY_RULE)
    name = (name or "").strip()
    _validate(kind, base_url, name)
    with orch.db.write() as s:
        if s.scalar(select(Provider.id).where(Provider.name == name)):
            raise InputRejected(f"A provider named '{name}' already exists.")
        p = Provider(name=name, kind=kind, base_url=base_url or None, api_key_env=api_key_env or None,
                     priority=priority, timeout_s=timeout_s, is_active=is_active)
        if api_key:
            p.api_key_ciphertext, p.key_hint = orch.vault.encrypt(api_key), key_hint(api_key)
        s.add(p)
        s.flush()
        audit.record(s, actor=actor, action="provider.add", target_type="provider", target_id=name,
                     after=_public(p))
    return _one(orch, name)


def _public(p: Provider) -> dict[str, Any]:
    return {"name": p.name, "kind": p.kind, "base_url": p.base_url, "key_hint": p.key_hint,
            "api_key_env": p.api_key_env, "priority": p.priority, "is_active": p.is_active,
            "timeout_s": p.timeout_s}


def _one(orch, name: str) -> ProviderInfo:
    for info in list_providers(orch):
        if info.name == name:
            return info
    raise NotFound(f"No provider '{name}'.")


def get_provider(orch, name: str) -> ProviderInfo:
    return _one(orch, name)


def _get(s, name: str) -> Provider:
    p = s.scalar(select(Provider).where(Provider.name == name))
    if p is None:
        names = ", ".join(s.scalars(select(Provider.name).order_by(Provider.name)).all())
        raise NotFound(f"No provider '{name}'. Providers: {names or 'none'}.")
    return p


_UNSET: Any = object()


def update_provider(orch, name: str, *, base_url: str | None = _UNSET, api_key: str | None = _UNSET,
                    api_key_env: str | None = _UNSET, priority: int | None = None,
                    timeout_s: float | None = None, is_active: bool | None = None,
                    new_name: str | None = None, actor: Actor) -> ProviderInfo:
    """Change what is given; ``api_key=None`` removes the stored key."""
    role = require(orch, actor)
    with orch.db.write() as s:
        p = _get(s, name)
        if role != SUPER_ADMIN and _touches_credentials(p, base_url, api_key, api_key_env):
            raise PermissionDenied(KEY_RULE)
        before = _public(p)
        if base_url is not _UNSET:
            p.base_url = base_url or None
        if api_key is not _UNSET:
            if api_key:
                p.api_key_ciphertext, p.key_hint = orch.vault.encrypt(api_key), key_hint(api_key)
            else:
                p.api_key_ciphertext, p.key_hint = None, None
        if api_key_env is not _UNSET:
            p.api_key_env = api_key_env or None
        if priority is not None:
            p.priority = priority
        if timeout_s is not None:
            if not 1 <= timeout_s <= 600:
                raise InputRejected("The timeout must be between 1 and 600 seconds.")
            p.timeout_s = timeout_s
        if is_active is not None:
            p.is_active = is_active
        if new_name and new_name != name:
            _validate(p.kind, p.base_url, new_name)
            if s.scalar(select(Provider.id).where(Provider.name == new_name)):
                raise InputRejected(f"A provider named '{new_name}' already exists.")
            if _used_by(s, name):
                raise InputRejected(f"'{name}' is used by the routing policy; rename it there first.")
            p.name = new_name
        _validate(p.kind, p.base_url)
        after = _public(p)
        if api_key is not _UNSET:
            after["key_changed"] = True
        audit.record(s, actor=actor, action="provider.update", target_type="provider", target_id=p.name,
                     before=before, after=after)
        final = p.name
    return _one(orch, final)


def _touches_credentials(p: Provider, base_url, api_key, api_key_env) -> bool:
    """Whether a change decides which key is sent where: the key itself, its variable, or
    the base URL of a provider that has a key."""
    keyed = bool(p.api_key_ciphertext or p.api_key_env)
    return (api_key is not _UNSET
            or (api_key_env is not _UNSET and (api_key_env or None) != p.api_key_env)
            or (base_url is not _UNSET and (base_url or None) != p.base_url and keyed))


def _used_by(s, name: str) -> list[str]:
    version = routing.live_version(s)
    if version is None:
        return []
    from db.models import RoutingPolicy

    rows = s.execute(
        select(RoutingRule.plan_code, RoutingRule.task).join(RoutingPolicy)
        .where(RoutingPolicy.version == version, RoutingRule.provider_name == name).distinct()
    ).all()
    return sorted(f"{plan}/{task}" for plan, task in rows)


def remove_provider(orch, name: str, *, actor: Actor) -> None:
    require(orch, actor)
    with orch.db.write() as s:
        p = _get(s, name)
        cells = _used_by(s, name)
        if cells:
            raise Conflict(
                f"Cannot delete '{name}': the live routing policy uses it in {', '.join(cells)}. "
                "Remove it from those chains first, or deactivate it instead."
            )
        audit.record(s, actor=actor, action="provider.remove", target_type="provider", target_id=name,
                     before=_public(p))
        s.delete(p)


def _test_model(s, p: Provider, model: str | None) -> str:
    if model:
        return model
    version = routing.live_version(s)
    from db.models import RoutingPolicy

    used = s.scalar(
        select(RoutingRule.model).join(RoutingPolicy)
        .where(RoutingPolicy.version == version, RoutingRule.provider_name == p.name)
        .order_by(RoutingRule.position).limit(1)
    ) if version is not None else None
    if used:
        return used
    cheapest = s.scalar(select(CatalogModel.model).where(CatalogModel.kind == p.kind, CatalogModel.is_active)
                        .order_by(CatalogModel.input_usd_per_mtok.asc().nulls_last()).limit(1))
    if cheapest:
        return cheapest
    raise InputRejected(f"'{p.name}' has no model to test with yet: add the models it serves "
                        "(or list them from the server), or name one.")


def _key_of(orch, ciphertext: bytes | None, env: str | None, kind: str) -> str | None:
    """The provider's key in plain text, for one call; ConfigError when a keyed kind has none."""
    key = orch.vault.decrypt(ciphertext) if ciphertext else (os.environ.get(env) if env else None)
    descriptor = find_kind(kind)
    if not key and (descriptor is None or descriptor.needs_key):
        raise ConfigError("No API key is stored for this provider" + (f" and {env} is not set." if env else "."))
    return key


def list_server_models(orch, name: str, *, actor: Actor) -> list[str]:
    """The models the provider's server lists, through its adapter (``list_models``) and key.

    Using the key is a credential action: a provider with a key (stored or from a variable)
    is listed by a super admin only; a keyless one by any admin. Raises ``ProviderError``
    (the server's refusal, unreachable...) or ``InputRejected`` for a kind that cannot list."""
    role = require(orch, actor)
    from orchestrator.providers.registry import get_adapter

    with orch.db.read() as s:
        p = _get(s, name)
        ciphertext, env, kind, base_url, timeout = (p.api_key_ciphertext, p.api_key_env, p.kind, p.base_url,
                                                    p.timeout_s)
    if (ciphertext or env) and role != SUPER_ADMIN:
        raise PermissionDenied("Only a super admin can list the models of a provider with a key.")
    adapter = get_adapter(kind)
    lister = getattr(adapter, "list_models", None)
    if lister is None:
        raise InputRejected(f"Providers of kind {kind} cannot list their models: name them instead.")
    key = _key_of(orch, ciphertext, env, kind)
    config = ProviderConfig(name=name, kind=kind, base_url=base_url, api_key=key,
                            timeout_s=min(timeout, LIST_TIMEOUT_S))
    return lister(config)


def check_credentials(orch, name: str, *, model: str | None = None, actor: Actor) -> CredentialCheck:
    """Make a minimal real request and store the outcome as the provider's last test."""
    require(orch, actor, SUPER_ADMIN)
    from orchestrator.providers.probe import probe

    with orch.db.read() as s:
        p = _get(s, name)
        model = _test_model(s, p, model)
        ciphertext, env, kind, base_url, timeout = (p.api_key_ciphertext, p.api_key_env, p.kind, p.base_url,
                                                    p.timeout_s)
    started = time.monotonic()
    try:
        key = _key_of(orch, ciphertext, env, kind)
        result = probe(ProviderConfig(name=name, kind=kind, base_url=base_url, api_key=key,
                                      timeout_s=min(timeout, 30.0)), model)
        outcome = CredentialCheck(name, model, result.ok, result.latency_ms, result.error_class, result.message)
    except Exception as exc:  # a missing or undecryptable key is a failed test, not a crash
        outcome = CredentialCheck(name, model, False, int((time.monotonic() - started) * 1000), "invalid_key",
                             scrub(exc))
    with orch.db.write() as s:
        p = _get(s, name)
        p.last_test_at, p.last_test_ok = datetime.now(UTC), outcome.ok
        p.last_test_latency_ms, p.last_test_error_class = outcome.latency_ms, outcome.error_class
        p.last_test_message = outcome.message[:500]
        audit.record(s, actor=actor, action="provider.test", target_type="provider", target_id=name,
                     after={"ok": outcome.ok, "model": model, "error_class": outcome.error_class})
    return outcome


def rotate_keys(orch, *, actor: Actor) -> int:
    """Re-encrypt every stored key under the first master key; returns how many."""
    require(orch, actor, SUPER_ADMIN)
    with orch.db.write() as s:
        rows = s.scalars(select(Provider).where(Provider.api_key_ciphertext.is_not(None))).all()
        for p in rows:
            p.api_key_ciphertext = orch.vault.rotate(p.api_key_ciphertext)
        audit.record(s, actor=actor, action="keys.rotate", target_type="vault", after={"rotated": len(rows)})
        return len(rows)
