"""An in-process snapshot of what every request reads but rarely changes.

Users with their plans, providers, the model catalog and prices, the live
routing policy, admin settings and provider health are loaded together and
kept for at most ``ttl_s`` (1 s). A change committed through this process's
``Database.write()`` (every admin command, every breaker update) bumps
``Database.generation`` and the next request reloads at once; a change made
by another process or replica applies within ``ttl_s``. So a request's hot
path reads no configuration from the database at all.

Credit, quota counters and holds are never snapshotted: they are checked by
conditional UPDATEs inside the reservation transaction, exact across processes.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from db.models import (AppSetting, CatalogModel, Plan, PriceVersion, Provider, ProviderHealth, RoutingPolicy,
                       RoutingRule, User)
from db.session import Database
from orchestrator import settings_store
from orchestrator.errors import NotFound, PermissionDenied
from orchestrator.pricing import PriceCard

DEFAULT_TTL_S = 1.0


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
class ProviderRow:
    id: int
    name: str
    kind: str
    base_url: str | None
    api_key_ciphertext: str | None = field(repr=False)
    api_key_env: str | None
    timeout_s: float
    is_active: bool


@dataclass(frozen=True)
class ModelRow:
    kind: str
    model: str
    is_active: bool
    supports_vision: bool
    price: PriceCard


@dataclass(frozen=True)
class HealthRow:
    state: str
    consecutive_failures: int
    opened_at: datetime | None
    probe_started_at: datetime | None


@dataclass
class Config:
    """One consistent view of the configuration (read in one transaction)."""

    loaded_at: float
    generation: int
    providers: dict[str, ProviderRow]
    catalog: dict[tuple[str, str], ModelRow]
    policy_version: int | None
    chains: dict[tuple[str, str], list[RouteStep]]
    settings: dict[str, Any]
    health: dict[int, HealthRow]


@dataclass(frozen=True)
class UserView:
    """A user and their plan as a request needs them (detached, read-only)."""

    user: User
    plan: Plan
    loaded_at: float
    generation: int


def price_card(row: CatalogModel) -> PriceCard:
    """The card the catalog columns describe (rows without a price book version)."""
    from orchestrator.price_book import card_of_row

    return card_of_row(row)


def load_config(db: Database, generation: int) -> Config:
    with db.read() as s:
        version = s.scalar(select(func.max(RoutingPolicy.version)))
        chains: dict[tuple[str, str], list[RouteStep]] = {}
        if version is not None:
            rules = s.scalars(
                select(RoutingRule).join(RoutingPolicy).where(RoutingPolicy.version == version)
                .order_by(RoutingRule.plan_code, RoutingRule.task, RoutingRule.position)
            ).all()
            for r in rules:
                chains.setdefault((r.plan_code, r.task), []).append(
                    RouteStep(r.provider_name, r.model, r.temperature, r.max_tokens))
        providers = {
            p.name: ProviderRow(p.id, p.name, p.kind, p.base_url, p.api_key_ciphertext, p.api_key_env,
                                p.timeout_s, p.is_active)
            for p in s.scalars(select(Provider)).all()
        }
        from orchestrator.price_book import cards_in_force

        # the price book version in force now (a scheduled one takes over within ttl_s of its start)
        cards = cards_in_force(s.scalars(select(PriceVersion)).all(), datetime.now(UTC))
        catalog = {
            (m.kind, m.model): ModelRow(m.kind, m.model, m.is_active, m.supports_vision,
                                        cards.get((m.kind, m.model)) or price_card(m))
            for m in s.scalars(select(CatalogModel)).all()
        }
        stored = {row.key: row.value for row in s.scalars(select(AppSetting)).all()}
        health = {
            h.provider_id: HealthRow(h.state, h.consecutive_failures, h.opened_at, h.probe_started_at)
            for h in s.scalars(select(ProviderHealth)).all()
        }
    return Config(loaded_at=time.monotonic(), generation=generation, providers=providers, catalog=catalog,
                  policy_version=version, chains=chains, settings=settings_store.merge(stored), health=health)


class Snapshot:
    """Thread-safe holder of the current ``Config`` and of recently used users."""

    def __init__(self, db: Database, ttl_s: float = DEFAULT_TTL_S) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self._config: Config | None = None
        self._users: dict[str | int, UserView] = {}
        self._lock = threading.Lock()

    def _fresh(self, loaded_at: float, generation: int) -> bool:
        return generation == self.db.generation and time.monotonic() - loaded_at < self.ttl_s

    def config(self) -> Config:
        cfg = self._config
        if cfg is not None and self._fresh(cfg.loaded_at, cfg.generation):
            return cfg
        generation = self.db.generation  # read before loading: a write during the load reloads again
        cfg = load_config(self.db, generation)
        self._config = cfg
        return cfg

    def user(self, ident: str | int) -> UserView:
        """The active user ``ident`` (id or e-mail) with their plan; NotFound / PermissionDenied."""
        key: str | int = int(ident) if isinstance(ident, int) or str(ident).isdigit() else str(ident).strip().lower()
        view = self._users.get(key)
        if view is None or not self._fresh(view.loaded_at, view.generation):
            generation = self.db.generation
            with self.db.read() as s:
                if isinstance(key, int):
                    row = s.get(User, key)
                else:
                    row = s.scalar(select(User).where(func.lower(User.email) == key))
                if row is None:
                    raise NotFound(f"No user '{ident}'.")
                plan = row.plan
            view = UserView(row, plan, time.monotonic(), generation)
            with self._lock:
                if len(self._users) > 10_000:
                    self._users.clear()
                self._users[key] = view
        if not view.user.is_active:
            raise PermissionDenied(f"The account {view.user.email} is deactivated.")
        return view

    def invalidate(self) -> None:
        self._config = None
        with self._lock:
            self._users.clear()
