"""Routing: the live policy's chain for (plan, task), filtered to what can serve now.

The policy is data: ``routing_policies`` holds versions of the whole plan x
task matrix and the highest version is live. It is read on every request,
so a change made through the CLI, the admin page or SQL applies to the next
call without a restart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import CatalogModel, Provider, RoutingPolicy, RoutingRule
from orchestrator.pricing import PriceCard

OFFLINE_KIND = "offline"
KEYLESS_KINDS = {"offline", "openai_compatible"}


@dataclass(frozen=True)
class RouteStep:
    """One cell entry of the policy: provider name, model and params."""

    provider: str
    model: str
    temperature: float | None = None
    max_tokens: int | None = None

    def label(self) -> str:
        return f"{self.provider}:{self.model}"


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


def chain_for(session: Session, plan_code: str, task: str, version: int | None = None) -> list[RouteStep]:
    """The ordered chain of the live (or given) policy version for one cell."""
    version = version if version is not None else live_version(session)
    if version is None:
        return []
    rows = session.scalars(
        select(RoutingRule)
        .join(RoutingPolicy)
        .where(RoutingPolicy.version == version, RoutingRule.plan_code == plan_code, RoutingRule.task == task)
        .order_by(RoutingRule.position)
    ).all()
    return [RouteStep(r.provider_name, r.model, r.temperature, r.max_tokens) for r in rows]


def price_card(row: CatalogModel | None) -> PriceCard | None:
    if row is None:
        return None
    return PriceCard(
        input=row.input_usd_per_mtok,
        output=row.output_usd_per_mtok,
        cached_input=row.cached_input_usd_per_mtok,
        cache_write=row.cache_write_usd_per_mtok,
        tiers=row.price_tiers or {},
    )


def has_usable_key(provider: Provider) -> bool:
    if provider.kind in KEYLESS_KINDS:
        return True
    if provider.api_key_ciphertext:
        return True
    return bool(provider.api_key_env and os.environ.get(provider.api_key_env))


def resolve(
    session: Session,
    plan_code: str,
    task: str,
    *,
    needs_vision: bool = False,
    open_circuits: set[int] | frozenset[int] = frozenset(),
    offline_fallback: bool = True,
) -> Route:
    """Candidates in policy order, skipping inactive, keyless, open-circuit and
    incapable ones. When nothing in the chain can serve and the offline engine
    is active, it ends the route as graceful degradation (text input only)."""
    version = live_version(session)
    steps = chain_for(session, plan_code, task, version)
    providers = {p.name: p for p in session.scalars(select(Provider)).all()}
    catalog = {(m.kind, m.model): m for m in session.scalars(select(CatalogModel)).all()}
    candidates: list[Candidate] = []
    skipped: list[tuple[str, str]] = []
    for step in steps:
        why = None
        provider = providers.get(step.provider)
        row = catalog.get((provider.kind, step.model)) if provider else None
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
        elif needs_vision and not (row.supports_vision if row is not None else False):
            why = "model cannot read images"
        if why:
            skipped.append((step.label(), why))
            continue
        candidates.append(_candidate(step, provider, row))
    if not candidates and not needs_vision and offline_fallback:
        offline = next((p for p in providers.values() if p.kind == OFFLINE_KIND and p.is_active), None)
        if offline is not None:
            from orchestrator.offline import ENGINE_MODEL

            step = RouteStep(offline.name, ENGINE_MODEL)
            candidates.append(_candidate(step, offline, catalog.get((OFFLINE_KIND, ENGINE_MODEL))))
    return Route(candidates, skipped, version)


def _candidate(step: RouteStep, provider: Provider, row: CatalogModel | None) -> Candidate:
    return Candidate(
        step=step,
        provider_id=provider.id,
        provider_name=provider.name,
        kind=provider.kind,
        base_url=provider.base_url,
        api_key_ciphertext=provider.api_key_ciphertext,
        api_key_env=provider.api_key_env,
        timeout_s=provider.timeout_s,
        price=price_card(row),
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
