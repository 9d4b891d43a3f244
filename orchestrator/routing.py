"""Routing: the live policy's chain for (plan, task), filtered to what can serve now.

The policy is data: ``routing_policies`` holds versions of the whole plan x
task matrix and the highest version is live. Requests resolve it from the
in-process snapshot (``orchestrator.snapshot``): a change made in this process
applies to the next call, one made elsewhere (CLI, another replica) within 1 s.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import CatalogModel, Provider, RoutingPolicy
from orchestrator.pricing import PriceCard
from orchestrator.snapshot import Config, ModelRow, ProviderRow, RouteStep
from orchestrator.snapshot import price_card as _card


@dataclass(frozen=True)
class Candidate:
    """A route step joined with its provider and catalog row, ready to call."""

    step: RouteStep
    provider_id: int
    provider_name: str
    kind: str
    base_url: str | None
    api_key_ciphertext: str | None = field(repr=False)
    api_key_env: str | None
    timeout_s: float
    price: PriceCard | None
    supports_vision: bool

    @property
    def model(self) -> str:
        return self.step.model


@dataclass
class Route:
    candidates: list[Candidate]
    skipped: list[tuple[str, str]]  # (provider:model, why)
    policy_version: int | None


def live_version(session: Session) -> int | None:
    return session.scalar(select(func.max(RoutingPolicy.version)))


def price_card(row: CatalogModel | None) -> PriceCard | None:
    return None if row is None else _card(row)


def has_usable_key(provider: Provider) -> bool:
    """Keyless kinds (``ProviderKind.needs_key`` false) always have one."""
    from orchestrator.providers.registry import find_kind

    kind = find_kind(provider.kind)
    if kind is not None and not kind.needs_key:
        return True
    if provider.api_key_ciphertext:
        return True
    return bool(provider.api_key_env and os.environ.get(provider.api_key_env))


def resolve(
    cfg: Config,
    plan_code: str,
    task: str,
    *,
    needs_vision: bool = False,
    open_circuits: set[int] | frozenset[int] = frozenset(),
    offline_fallback: bool = True,
    steps: tuple[RouteStep, ...] | None = None,
) -> Route:
    """Candidates in policy order, skipping inactive, keyless, open-circuit and
    incapable ones (``steps`` replaces the policy's chain). When nothing in the
    chain can serve and the offline engine is active, it ends the route as graceful degradation (images too,
    when its catalog row says it reads them: it has OCR).
    Reads only the in-process snapshot: no database access."""
    candidates: list[Candidate] = []
    skipped: list[tuple[str, str]] = []
    for step in cfg.chains.get((plan_code, task), ()) if steps is None else steps:
        why = None
        provider = cfg.providers.get(step.provider)
        row = cfg.catalog.get((provider.kind, step.model)) if provider else None
        if provider is None:
            why = "provider not registered"
        elif not provider.is_active:
            why = "provider inactive"
        elif not has_usable_key(provider):
            why = "no API key"
        elif provider.id in open_circuits:
            why = "circuit open"
        elif row is not None and not row.is_active:
            why = "model inactive"
        elif needs_vision and not _sees_images(provider, step.model, row):
            why = "model cannot read images"
        if why:
            skipped.append((step.label(), why))
            continue
        candidates.append(_candidate(step, provider, row))
    if not candidates and offline_fallback:
        from orchestrator.offline import ENGINE_MODEL

        offline = next((p for p in cfg.providers.values() if _is_local_engine(p.kind) and p.is_active and (
            not needs_vision or _sees_images(p, ENGINE_MODEL, cfg.catalog.get((p.kind, ENGINE_MODEL))))), None)
        if offline is not None:
            step = RouteStep(offline.name, ENGINE_MODEL)
            candidates.append(_candidate(step, offline, cfg.catalog.get((offline.kind, ENGINE_MODEL))))
    return Route(candidates, skipped, cfg.policy_version)


def plan_models(cfg: Config, plan_code: str) -> list[tuple[str, str]]:
    """Every (provider, model) the live policy lets a plan use, in any task's chain,
    in first-seen order: what the gateway's ``/v1/models`` lists and accepts by name."""
    seen: dict[tuple[str, str], None] = {}
    for (plan, _task), steps in sorted(cfg.chains.items()):
        if plan == plan_code:
            for step in steps:
                seen.setdefault((step.provider, step.model), None)
    return list(seen)


def resolve_named(cfg: Config, plan, name: str, *, needs_vision: bool = False,
                  open_circuits: set[int] | frozenset[int] = frozenset()) -> Route:
    """A route of exactly the model the caller named as ``provider/model`` (the gateway's
    explicit model), allowed only if the plan's live policy uses it somewhere. No fallback
    to other models: the caller asked for this one."""
    from orchestrator.errors import NotFound, PermissionDenied

    provider, sep, model = (name or "").partition("/")
    if not sep or not provider or not model:
        raise NotFound(f"Unknown model {name[:200]!r}: name one as provider/model, or use 'auto'.")
    step = next((s for (p, _t), steps in sorted(cfg.chains.items()) if p == plan.code
                 for s in steps if (s.provider, s.model) == (provider, model)), None)
    if step is None:  # the plan's live policy uses it nowhere
        raise PermissionDenied(f"The model {name[:200]!r} is not available on the {plan.name} plan.")
    return resolve(cfg, plan.code, "", needs_vision=needs_vision, open_circuits=open_circuits,
                   offline_fallback=False, steps=(step,))


def _sees_images(provider: ProviderRow, model: str, row: ModelRow | None) -> bool:
    """The catalog says whether a model reads images; an uncatalogued model asks its kind."""
    if row is not None:
        return row.supports_vision
    from orchestrator.providers.registry import get_kind

    return get_kind(provider.kind).capabilities(model).vision


def _is_local_engine(kind: str) -> bool:
    from orchestrator.providers.registry import local_engine_kinds

    return kind in local_engine_kinds()


def _candidate(step: RouteStep, provider: ProviderRow, row: ModelRow | None) -> Candidate:
    return Candidate(
        step=step,
        provider_id=provider.id,
        provider_name=provider.name,
        kind=provider.kind,
        base_url=provider.base_url,
        api_key_ciphertext=provider.api_key_ciphertext,
        api_key_env=provider.api_key_env,
        timeout_s=provider.timeout_s,
        price=row.price if row is not None else None,
        supports_vision=bool(row and row.supports_vision),
    )


def parse_chain(spec: str) -> list[RouteStep]:
    """``NAME:MODEL[,NAME:MODEL...]`` (the CLI's --chain) -> steps.

    A model may itself contain ':' (Ollama tags such as ``llama3.1:8b``), so
    only the first ':' splits provider from model.
    """
    from orchestrator.errors import InputRejected

    steps: list[RouteStep] = []
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        name, sep, model = part.partition(":")
        if not sep or not name.strip() or not model.strip():
            raise InputRejected(f"Chain entry '{part}' must look like PROVIDER:MODEL.")
        steps.append(RouteStep(name.strip(), model.strip()))
    if not steps:
        raise InputRejected("A chain needs at least one PROVIDER:MODEL entry.")
    return steps
