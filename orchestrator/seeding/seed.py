"""Base seed: plans, providers, the model catalog with prices, routing policy v1.

Idempotent: rows that exist are left alone (an admin's edits survive a
re-seed), except catalog rows priced from genai-prices, which are refreshed
from its bundled snapshot. Demo accounts and history are in ``orchestrator.seeding.demo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from db.models import CatalogModel, Plan, Provider, RoutingPolicy, RoutingRule
from db.session import Database
from orchestrator import price_book
from orchestrator.pricing import PriceCard

OFFLINE_MODEL = "offline-engine-v1"
# the first seeded prices are in force for all history (the demo history included)
FIRST_PRICES = datetime(2000, 1, 1, tzinfo=UTC)

PLANS = [
    dict(code="freemium", name="Freemium", sort_order=1, monthly_fee_usd=Decimal("0"),
         requests_per_day=20, tokens_per_month=300_000, cost_cap_usd_month=Decimal("1.00"),
         uses_credit=False, markup_pct=0,
         description="Fast models, small daily and monthly limits. Free."),
    dict(code="paygo", name="Pay as you go", sort_order=2, monthly_fee_usd=Decimal("0"),
         requests_per_day=200, tokens_per_month=5_000_000, cost_cap_usd_month=None,
         uses_credit=True, markup_pct=50,
         description="Quality models for CVs and letters, charged per use (AI cost + 50%) from prepaid credit."),
    dict(code="pro", name="Pro", sort_order=3, monthly_fee_usd=Decimal("19.00"),
         requests_per_day=500, tokens_per_month=20_000_000, cost_cap_usd_month=Decimal("10.00"),
         uses_credit=False, markup_pct=0,
         description="Best models, monthly fee, fair-use cap on AI cost."),
]

PROVIDERS = [
    dict(name="gemini", kind="gemini", api_key_env="GEMINI_API_KEY", priority=10),
    dict(name="openai", kind="openai", api_key_env="OPENAI_API_KEY", priority=20),
    dict(name="anthropic", kind="anthropic", api_key_env="ANTHROPIC_API_KEY", priority=30),
    dict(name="offline", kind="offline", api_key_env=None, priority=1000),
]


@dataclass(frozen=True)
class SeedModel:
    kind: str
    model: str
    tier: str
    vision: bool = True


CATALOG = [
    SeedModel("gemini", "gemini-2.5-flash-lite", "fast"),
    SeedModel("gemini", "gemini-2.5-flash", "quality"),
    SeedModel("gemini", "gemini-2.5-pro", "best"),
    SeedModel("openai", "gpt-5-nano", "fast"),
    SeedModel("openai", "gpt-4o-mini", "fast"),
    SeedModel("openai", "gpt-5-mini", "quality"),
    SeedModel("openai", "gpt-5", "best"),
    SeedModel("anthropic", "claude-haiku-4-5", "fast"),
    SeedModel("anthropic", "claude-sonnet-4-5", "quality"),
    SeedModel("anthropic", "claude-opus-4-1", "best"),
]

_OFF = ("offline", OFFLINE_MODEL)
_FAST = [("gemini", "gemini-2.5-flash-lite"), ("openai", "gpt-5-nano"), ("anthropic", "claude-haiku-4-5"), _OFF]

# The seeded routing chains, as data: one chain per (plan, route tier) for every registered
# task of that tier (``TaskSpec.route_tier``), and exceptions per (plan, task) that win over it.
TIER_CHAINS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("freemium", "fast"): _FAST,
    ("paygo", "fast"): _FAST,
    ("pro", "fast"): _FAST,
    ("freemium", "quality"): [("gemini", "gemini-2.5-flash-lite"), ("openai", "gpt-5-nano"), _OFF],
    ("paygo", "quality"): [("anthropic", "claude-sonnet-4-5"), ("openai", "gpt-5-mini"),
                           ("gemini", "gemini-2.5-flash"), _OFF],
    ("pro", "quality"): [("anthropic", "claude-sonnet-4-5"), ("openai", "gpt-5"), ("gemini", "gemini-2.5-pro"),
                         _OFF],
}
CELL_CHAINS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("pro", "draft_cv"): [("anthropic", "claude-opus-4-1"), ("openai", "gpt-5"), ("gemini", "gemini-2.5-pro"),
                          _OFF],
}


def seeded_policy() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(plan, task) -> chain for every seeded plan and every task in the registry (a tier
    without chains of its own gets the fast ones)."""
    from orchestrator.tasks import TASKS

    def chain(plan: str, task: str, tier: str) -> list[tuple[str, str]]:
        return CELL_CHAINS.get((plan, task)) or TIER_CHAINS.get((plan, tier)) or TIER_CHAINS[(plan, "fast")]

    return {(plan["code"], name): chain(plan["code"], name, spec.route_tier)
            for plan in PLANS for name, spec in TASKS.items()}


POLICY = seeded_policy()


def seed_base(db: Database) -> dict[str, int]:
    """Create what is missing; return counts of rows created."""
    created = {"plans": 0, "providers": 0, "models": 0, "policies": 0}
    with db.write() as s:
        have = set(s.scalars(select(Plan.code)).all())
        for spec in PLANS:
            if spec["code"] not in have:
                s.add(Plan(**spec))
                created["plans"] += 1
        have = set(s.scalars(select(Provider.name)).all())
        for spec in PROVIDERS:
            if spec["name"] not in have:
                s.add(Provider(**spec))
                created["providers"] += 1
        created["models"] = _seed_catalog(s)
        if s.scalar(select(func.count()).select_from(RoutingPolicy)) == 0:
            s.add(_policy_v1())
            created["policies"] = 1
        else:
            created["policies"] = _add_new_tasks(s)
    return created


def _add_new_tasks(s) -> int:
    """A task registered after the policy was first written (a plugin, an upgrade) gets its
    seeded chains in a new policy version, the rest copied unchanged; 1 if one was written.
    A task that any version ever routed is left alone (an admin may have removed it)."""
    from orchestrator.tasks import TASKS

    live = s.scalar(select(RoutingPolicy).order_by(RoutingPolicy.version.desc()).limit(1))
    have = set(s.scalars(select(RoutingRule.task).distinct()).all())
    plans = {r.plan_code for r in live.rules}
    missing = [t for t in TASKS if t not in have]
    if not missing or not plans:
        return 0
    policy = RoutingPolicy(version=live.version + 1, created_by="seed",
                           note=f"Routes for new task{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    for r in live.rules:
        policy.rules.append(RoutingRule(plan_code=r.plan_code, task=r.task, position=r.position,
                                        provider_name=r.provider_name, model=r.model, max_tokens=r.max_tokens,
                                        temperature=r.temperature))
    seeded = seeded_policy()
    for (plan, task), chain in seeded.items():
        if task in missing and plan in plans:
            for pos, (provider, model) in enumerate(chain):
                policy.rules.append(RoutingRule(plan_code=plan, task=task, position=pos, provider_name=provider,
                                                model=model, max_tokens=TASKS[task].default_max_tokens))
    s.add(policy)
    return 1


def _seed_catalog(s) -> int:
    from orchestrator.pricing import lookup_genai_price

    rows = {(m.kind, m.model): m for m in s.scalars(select(CatalogModel)).all()}
    created = 0
    for spec in CATALOG:
        row = rows.get((spec.kind, spec.model))
        if row is not None and row.price_source != "genai-prices":
            continue  # admin override or builtin: leave it
        found = lookup_genai_price(spec.kind, spec.model)
        if row is None:
            row = CatalogModel(kind=spec.kind, model=spec.model, tier=spec.tier, supports_vision=spec.vision,
                               supports_json_schema=True, is_active=True)
            s.add(row)
            created += 1
        row.display_name = (found.name if found and found.name else spec.model)
        if found is None:
            row.price_source = None
            continue
        s.flush()
        price_book.record(s, row, found.card, source="genai-prices", note=f"genai-prices {found.ref}",
                          effective_from=None if price_book.latest(s, row.kind, row.model) else FIRST_PRICES)
        row.price_source, row.genai_prices_ref = "genai-prices", found.ref
        row.context_window = found.context_window
    if _OFF not in rows:
        row = CatalogModel(kind="offline", model=OFFLINE_MODEL, display_name="Offline engine", tier="offline",
                           price_source="builtin", supports_vision=True, supports_json_schema=True,
                           context_window=None, is_active=True)
        s.add(row)
        s.flush()
        price_book.record(s, row, PriceCard(input=Decimal(0), output=Decimal(0)), source="builtin",
                          note="The offline engine is free.", effective_from=FIRST_PRICES)
        created += 1
    elif not rows[_OFF].supports_vision:  # seeded before the engine read screenshots (OCR)
        rows[_OFF].supports_vision = True
    return created


def _policy_v1() -> RoutingPolicy:
    """Version 1 of the routing policy; each step's max_tokens is its task's default."""
    from orchestrator.tasks import TASKS

    policy = RoutingPolicy(version=1, created_by="seed", note="Default policy")
    for (plan, task), chain in seeded_policy().items():
        max_tokens = TASKS[task].default_max_tokens
        for pos, (provider, model) in enumerate(chain):
            policy.rules.append(RoutingRule(plan_code=plan, task=task, position=pos, provider_name=provider,
                                            model=model, max_tokens=max_tokens))
    return policy


def seed_base_if_empty(db: Database) -> None:
    """Seed on first use of an empty database (cheap check afterwards)."""
    with db.read() as s:
        empty = s.scalar(select(func.count()).select_from(Plan)) == 0
    if empty:
        seed_base(db)
