"""The routing policy as admins see it: the plan x task matrix, versions, validation.

Every save writes a complete new version (who, when, note); the highest
version is live on the next request. Reverting saves an old version's cells
as a new version, so history is never rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from db.models import CatalogModel, Plan, Provider, RoutingPolicy, RoutingRule
from orchestrator import limits
from orchestrator.errors import InputRejected, NotFound
from orchestrator.routing import RouteStep, live_version
from orchestrator.services.admin import audit
from orchestrator.services.actor import Actor, require
from orchestrator.tasks import TASKS

Matrix = dict[tuple[str, str], list[RouteStep]]


@dataclass(frozen=True)
class PolicyVersion:
    version: int
    created_at: datetime
    created_by: str
    note: str
    matrix: Matrix = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version, "created_at": self.created_at.isoformat(), "created_by": self.created_by,
            "note": self.note,
            "cells": [
                {"plan": plan, "task": task,
                 "chain": [{"provider": st.provider, "model": st.model, "temperature": st.temperature,
                            "max_tokens": st.max_tokens} for st in steps]}
                for (plan, task), steps in sorted(self.matrix.items())
            ],
        }


def _load(s, version: int) -> PolicyVersion:
    pol = s.scalar(select(RoutingPolicy).where(RoutingPolicy.version == version))
    if pol is None:
        raise NotFound(f"No routing policy version {version}.")
    matrix: Matrix = {}
    for r in pol.rules:
        matrix.setdefault((r.plan_code, r.task), []).append(RouteStep(r.provider_name, r.model, r.temperature,
                                                                      r.max_tokens))
    return PolicyVersion(pol.version, pol.created_at, pol.created_by, pol.note, matrix)


def current(orch) -> PolicyVersion | None:
    with orch.db.read() as s:
        v = live_version(s)
        return _load(s, v) if v is not None else None


def get_version(orch, version: int) -> PolicyVersion:
    with orch.db.read() as s:
        return _load(s, version)


def history(orch, limit: int = 50) -> list[PolicyVersion]:
    with orch.db.read() as s:
        versions = s.scalars(select(RoutingPolicy.version).order_by(RoutingPolicy.version.desc())
                             .limit(limit)).all()
        return [_load(s, v) for v in versions]


def validate(orch, matrix: Matrix) -> list[str]:
    """Warnings (not errors) an admin should see before saving: unpriced or inactive
    models, unknown or inactive providers, empty cells."""
    warnings: list[str] = []
    with orch.db.read() as s:
        providers = {p.name: p for p in s.scalars(select(Provider)).all()}
        catalog = {(m.kind, m.model): m for m in s.scalars(select(CatalogModel)).all()}
        plans = set(s.scalars(select(Plan.code)).all())
    for plan in sorted(plans):
        for task in TASKS:
            if not matrix.get((plan, task)):
                warnings.append(f"{plan}/{task}: no chain (requests fail unless the offline engine is active).")
    for (plan, task), steps in sorted(matrix.items()):
        for st in steps:
            where = f"{plan}/{task} {st.provider}:{st.model}"
            p = providers.get(st.provider)
            if p is None:
                warnings.append(f"{where}: provider '{st.provider}' does not exist.")
                continue
            if not p.is_active:
                warnings.append(f"{where}: provider is inactive.")
            row = catalog.get((p.kind, st.model))
            if row is None or row.input_usd_per_mtok is None or row.output_usd_per_mtok is None:
                warnings.append(f"{where}: model is unpriced; its cost will be logged as unknown.")
            elif not row.is_active:
                warnings.append(f"{where}: model is inactive in the catalog.")
    return warnings


def _check(matrix: Matrix, plans: set[str], providers: set[str]) -> None:
    for (plan, task), steps in matrix.items():
        if plan not in plans:
            raise InputRejected(f"No plan '{plan}'. Plans: {', '.join(sorted(plans))}.")
        if task not in TASKS:
            raise InputRejected(f"No task '{task}'. Tasks: {', '.join(TASKS)}.")
        for st in steps:
            if st.provider not in providers:
                raise InputRejected(f"No provider '{st.provider}'. Providers: {', '.join(sorted(providers))}.")
            if st.max_tokens is not None and not 1 <= st.max_tokens <= 200_000:
                raise InputRejected(f"max_tokens for {st.label()} must be between 1 and 200000.")
            if st.temperature is not None and not 0 <= st.temperature <= 2:
                raise InputRejected(f"temperature for {st.label()} must be between 0 and 2.")


def _describe(step: RouteStep) -> str:
    """A chain entry for the audit log, params included: 'openai:gpt-5 (temperature 0.2, max 2000)'."""
    params = [f"temperature {step.temperature}" if step.temperature is not None else "",
              f"max {step.max_tokens}" if step.max_tokens is not None else ""]
    params = [p for p in params if p]
    return step.label() + (f" ({', '.join(params)})" if params else "")


def _write_version(s, matrix: Matrix, *, version: int, actor: Actor, note: str) -> RoutingPolicy:
    pol = RoutingPolicy(version=version, created_by=actor.label, note=note)
    for (plan, task), steps in sorted(matrix.items()):
        for pos, st in enumerate(steps):
            pol.rules.append(RoutingRule(plan_code=plan, task=task, position=pos, provider_name=st.provider,
                                         model=st.model, temperature=st.temperature, max_tokens=st.max_tokens))
    s.add(pol)
    s.flush()
    return pol


def save(orch, matrix: Matrix, *, actor: Actor, note: str = "") -> PolicyVersion:
    """Save ``matrix`` as the new live version (cells not given are copied from the live one)."""
    require(orch, actor)
    limits.check_text(note, limit=limits.DESCRIPTION_CHARS, what="The note")
    with orch.db.write() as s:
        plans = set(s.scalars(select(Plan.code)).all())
        providers = set(s.scalars(select(Provider.name)).all())
        _check(matrix, plans, providers)
        live = live_version(s)
        base = _load(s, live).matrix if live is not None else {}
        pol = _write_version(s, {**base, **matrix}, version=(live or 0) + 1, actor=actor, note=note)
        changed = {f"{p}/{t}": [_describe(st) for st in steps] for (p, t), steps in matrix.items()}
        before = {f"{p}/{t}": [_describe(st) for st in base.get((p, t), [])] for (p, t) in matrix}
        audit.record(s, actor=actor, action="routing.save", target_type="routing_policy",
                     target_id=pol.version, before=before, after={**changed, "note": note})
        return _load(s, pol.version)


def set_chain(orch, *, plan: str, task: str, steps: list[RouteStep], actor: Actor,
              note: str = "") -> PolicyVersion:
    """Replace one cell's chain; keeps the other cells' current params."""
    require(orch, actor)
    base = current(orch)
    old = {st.label(): st for st in (base.matrix.get((plan, task), []) if base else [])}
    merged = [
        st if (st.temperature is not None or st.max_tokens is not None) or st.label() not in old
        else old[st.label()]
        for st in steps
    ]
    return save(orch, {(plan, task): merged}, actor=actor, note=note or f"set {plan}/{task}")


def revert(orch, version: int, *, actor: Actor) -> PolicyVersion:
    require(orch, actor)
    old = get_version(orch, version)
    with orch.db.write() as s:
        live = live_version(s)
        pol = _write_version(s, old.matrix, version=(live or 0) + 1, actor=actor, note=f"revert to v{version}")
        audit.record(s, actor=actor, action="routing.revert", target_type="routing_policy",
                     target_id=pol.version, before={"version": live}, after={"reverted_to": version})
        return _load(s, pol.version)
