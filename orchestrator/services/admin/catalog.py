"""The model catalog and its prices, as admins see and edit it.

One row per (provider kind, model): two providers of the same kind share a
row, so an ``openai`` price applies to every OpenAI-speaking provider.
Prices come from genai-prices' bundled snapshot; an admin may override them
(``price_source = "admin"``) and clear the override, which re-prices the row
from genai-prices, or leaves it *unpriced* when genai-prices does not know
the model. Unpriced is never $0: the ledger records such costs as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from db.models import CatalogModel, Provider
from orchestrator.errors import InputRejected, NotFound
from orchestrator.money import usd_str
from orchestrator.pricing import lookup_genai_price
from orchestrator.providers.registry import all_kinds, find_kind
from orchestrator.services.admin import audit
from orchestrator.services.actor import Actor, require
from orchestrator.services.admin.users import parse_usd

TIERS = ("fast", "quality", "best", "offline", "custom")


@dataclass(frozen=True)
class CatalogRow:
    id: int
    kind: str
    model: str
    display_name: str
    tier: str
    providers: tuple[str, ...]  # provider names of this kind, which all use this row
    input_usd_per_mtok: Decimal | None
    output_usd_per_mtok: Decimal | None
    cached_input_usd_per_mtok: Decimal | None
    cache_write_usd_per_mtok: Decimal | None
    has_price_tiers: bool
    price_source: str | None  # genai-prices | admin | builtin | None (unpriced)
    genai_prices_ref: str | None
    context_window: int | None
    supports_vision: bool
    is_active: bool
    updated_at: datetime

    @property
    def priced(self) -> bool:
        return self.input_usd_per_mtok is not None and self.output_usd_per_mtok is not None

    @property
    def is_override(self) -> bool:
        return self.price_source == "admin"

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        for k in ("input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok",
                  "cache_write_usd_per_mtok"):
            d[k] = usd_str(d[k])
        d["updated_at"] = self.updated_at.isoformat()
        d["providers"] = list(self.providers)
        d["priced"], d["is_override"] = self.priced, self.is_override
        return d


def _row(m: CatalogModel, providers: dict[str, list[str]]) -> CatalogRow:
    return CatalogRow(
        id=m.id, kind=m.kind, model=m.model, display_name=m.display_name or m.model, tier=m.tier,
        providers=tuple(providers.get(m.kind, ())),
        input_usd_per_mtok=m.input_usd_per_mtok, output_usd_per_mtok=m.output_usd_per_mtok,
        cached_input_usd_per_mtok=m.cached_input_usd_per_mtok, cache_write_usd_per_mtok=m.cache_write_usd_per_mtok,
        has_price_tiers=bool(m.price_tiers), price_source=m.price_source, genai_prices_ref=m.genai_prices_ref,
        context_window=m.context_window, supports_vision=m.supports_vision, is_active=m.is_active,
        updated_at=m.updated_at,
    )


def _providers_by_kind(s) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, kind in s.execute(select(Provider.name, Provider.kind).order_by(Provider.name)).all():
        out.setdefault(kind, []).append(name)
    return out


def list_models(orch, *, kind: str | None = None, active_only: bool = False) -> list[CatalogRow]:
    """The catalog, by kind then tier order then model."""
    order = {t: i for i, t in enumerate(TIERS)}
    q = select(CatalogModel)
    if kind:
        q = q.where(CatalogModel.kind == kind)
    if active_only:
        q = q.where(CatalogModel.is_active)
    with orch.db.read() as s:
        providers = _providers_by_kind(s)
        rows = [_row(m, providers) for m in s.scalars(q).all()]
    return sorted(rows, key=lambda r: (r.kind, order.get(r.tier, 99), r.model))


def models_for_provider(orch, *, provider: str) -> list[str]:
    """Active model names a provider can be routed to (its kind's catalog rows)."""
    with orch.db.read() as s:
        kind = s.scalar(select(Provider.kind).where(Provider.name == provider))
        if kind is None:
            return []
        return list(s.scalars(select(CatalogModel.model).where(CatalogModel.kind == kind, CatalogModel.is_active)
                              .order_by(CatalogModel.model)).all())


def _get(s, kind: str, model: str) -> CatalogModel:
    row = s.scalar(select(CatalogModel).where(CatalogModel.kind == kind, CatalogModel.model == model))
    if row is None:
        raise NotFound(f"No model '{model}' of kind '{kind}' in the catalog.")
    return row


def _prices(m: CatalogModel) -> dict[str, Any]:
    return {"input_usd_per_mtok": usd_str(m.input_usd_per_mtok), "output_usd_per_mtok": usd_str(m.output_usd_per_mtok),
            "cached_input_usd_per_mtok": usd_str(m.cached_input_usd_per_mtok),
            "cache_write_usd_per_mtok": usd_str(m.cache_write_usd_per_mtok),
            "price_source": m.price_source, "tiers": bool(m.price_tiers)}


def _details(m: CatalogModel) -> dict[str, Any]:
    return {"tier": m.tier, "display_name": m.display_name, "context_window": m.context_window,
            "supports_vision": m.supports_vision, "is_active": m.is_active}


def _price(name: str, value, *, required: bool) -> Decimal | None:
    if value is None or str(value).strip() == "":
        if required:
            raise InputRejected(f"The {name} price is required (dollars per million tokens).")
        return None
    amount = parse_usd(value)
    if amount < 0 or amount > Decimal("10000"):
        raise InputRejected(f"The {name} price must be between $0 and $10,000 per million tokens.")
    if amount != amount.quantize(Decimal("0.00001")):
        raise InputRejected(f"The {name} price can have at most 5 decimals per million tokens.")
    return amount


def set_price(orch, *, kind: str, model: str, input_usd: str | Decimal, output_usd: str | Decimal,
              cached_input_usd: str | Decimal | None = None, cache_write_usd: str | Decimal | None = None,
              actor: Actor) -> CatalogRow:
    """Override a model's prices (flat, per million tokens); marks the row as an admin override."""
    require(orch, actor)
    prices = (_price("input", input_usd, required=True), _price("output", output_usd, required=True),
              _price("cached input", cached_input_usd, required=False),
              _price("cache write", cache_write_usd, required=False))
    with orch.db.write() as s:
        m = _get(s, kind, model)
        before = _prices(m)
        (m.input_usd_per_mtok, m.output_usd_per_mtok, m.cached_input_usd_per_mtok,
         m.cache_write_usd_per_mtok) = prices
        m.price_tiers, m.price_source = None, "admin"
        audit.record(s, actor=actor, action="catalog.set_price", target_type="model", target_id=f"{kind}:{model}",
                     before=before, after=_prices(m))
        s.flush()
        return _row(m, _providers_by_kind(s))


def _apply_genai(m: CatalogModel) -> bool:
    """Price ``m`` from genai-prices; unpriced when it does not know the model. True if priced."""
    kind = find_kind(m.kind)
    if kind is not None and kind.local_engine:  # built in and free
        m.input_usd_per_mtok = m.output_usd_per_mtok = Decimal(0)
        m.cached_input_usd_per_mtok = m.cache_write_usd_per_mtok = None
        m.price_tiers, m.price_source, m.genai_prices_ref = None, "builtin", None
        return True
    found = lookup_genai_price(m.kind, m.model)
    if found is None:
        m.input_usd_per_mtok = m.output_usd_per_mtok = None
        m.cached_input_usd_per_mtok = m.cache_write_usd_per_mtok = None
        m.price_tiers, m.price_source, m.genai_prices_ref = None, None, None
        return False
    card = found.card
    m.input_usd_per_mtok, m.output_usd_per_mtok = card.input, card.output
    m.cached_input_usd_per_mtok, m.cache_write_usd_per_mtok = card.cached_input, card.cache_write
    m.price_tiers = card.tiers or None
    m.price_source, m.genai_prices_ref = "genai-prices", found.ref
    if m.context_window is None:
        m.context_window = found.context_window
    return True


def clear_override(orch, *, kind: str, model: str, actor: Actor) -> CatalogRow:
    """Drop an admin price: re-price from genai-prices, or leave the model unpriced."""
    require(orch, actor)
    with orch.db.write() as s:
        m = _get(s, kind, model)
        before = _prices(m)
        _apply_genai(m)
        audit.record(s, actor=actor, action="catalog.clear_override", target_type="model",
                     target_id=f"{kind}:{model}", before=before, after=_prices(m))
        s.flush()
        return _row(m, _providers_by_kind(s))


def add_model(orch, *, kind: str, model: str, tier: str = "custom", display_name: str = "",
              context_window: int | None = None, supports_vision: bool | None = None, actor: Actor) -> CatalogRow:
    """Add a model to the catalog, priced from genai-prices when it knows it (else unpriced).

    ``supports_vision=None`` asks the kind (``ProviderKind.capabilities``), which guesses
    from the model's name; routing sends images only to models marked as reading them."""
    require(orch, actor)
    model = (model or "").strip()
    descriptor = find_kind(kind)
    if descriptor is None:
        raise InputRejected(f"Kind must be one of: {', '.join(k.name for k in all_kinds())}.")
    if not model or len(model) > 128 or "," in model:
        raise InputRejected("A model name must be 1-128 characters without ','.")
    if tier not in TIERS:
        raise InputRejected(f"Tier must be one of: {', '.join(TIERS)}.")
    if context_window is not None and context_window <= 0:
        raise InputRejected("The context window must be a positive number of tokens.")
    with orch.db.write() as s:
        if s.scalar(select(CatalogModel.id).where(CatalogModel.kind == kind, CatalogModel.model == model)):
            raise InputRejected(f"'{model}' is already in the catalog for {kind}.")
        caps = descriptor.capabilities(model)
        m = CatalogModel(kind=kind, model=model, tier=tier, display_name=display_name.strip() or model,
                         context_window=context_window,
                         supports_vision=caps.vision if supports_vision is None else supports_vision,
                         supports_json_schema=caps.json_schema, is_active=True)
        _apply_genai(m)
        if display_name.strip():
            m.display_name = display_name.strip()
        s.add(m)
        s.flush()
        audit.record(s, actor=actor, action="catalog.add", target_type="model", target_id=f"{kind}:{model}",
                     after={**_details(m), **_prices(m)})
        return _row(m, _providers_by_kind(s))


_UNSET: Any = object()


def update_model(orch, *, kind: str, model: str, tier: str = _UNSET, display_name: str = _UNSET,
                 context_window: int | None = _UNSET, supports_vision: bool = _UNSET,
                 is_active: bool = _UNSET, actor: Actor) -> CatalogRow:
    """Change a model's details or (de)activate it; only what is given changes."""
    require(orch, actor)
    if tier is not _UNSET and tier not in TIERS:
        raise InputRejected(f"Tier must be one of: {', '.join(TIERS)}.")
    if context_window not in (_UNSET, None) and context_window <= 0:
        raise InputRejected("The context window must be a positive number of tokens.")
    with orch.db.write() as s:
        m = _get(s, kind, model)
        before = _details(m)
        for name, value in (("tier", tier), ("display_name", display_name), ("context_window", context_window),
                            ("supports_vision", supports_vision), ("is_active", is_active)):
            if value is not _UNSET:
                setattr(m, name, value)
        after = _details(m)
        if after != before:
            action = "catalog.set_active" if set(_diff(before, after)) == {"is_active"} else "catalog.update"
            audit.record(s, actor=actor, action=action, target_type="model", target_id=f"{kind}:{model}",
                         before=_diff(before, after, side=0), after=_diff(before, after, side=1))
        s.flush()
        return _row(m, _providers_by_kind(s))


def set_active(orch, *, kind: str, model: str, active: bool, actor: Actor) -> CatalogRow:
    return update_model(orch, kind=kind, model=model, is_active=active, actor=actor)


def _diff(before: dict[str, Any], after: dict[str, Any], side: int | None = None) -> dict[str, Any]:
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    if side is None:
        return changed
    return {k: pair[side] for k, pair in changed.items()}
