"""The model catalog and its prices, as admins see and edit it.

One row per (provider kind, model): two providers of the same kind share a
row, so an ``openai`` price applies to every OpenAI-speaking provider.
Prices come from genai-prices' bundled snapshot; an admin may override them
(``price_source = "admin"``) and clear the override, which re-prices the row
from genai-prices, or leaves it *unpriced* when genai-prices does not know
the model. Unpriced is never $0: the ledger records such costs as unknown.

Every price change appends a version to the price book (``orchestrator.price_book``;
diffs, previews, confirmation and re-pricing in ``price_changes``): listings show the
version in force now, and whether a later one is scheduled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from db.models import CatalogModel, PriceVersion, Provider
from orchestrator import price_book
from orchestrator.errors import InputRejected
from orchestrator.money import usd_str
from orchestrator.pricing import PriceCard, lookup_genai_price
from orchestrator.providers.registry import all_kinds, find_kind
from orchestrator.services.admin import audit, price_changes
from orchestrator.services.actor import Actor, require

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
    prices: dict[str, Any] = field(default_factory=dict)  # every price key in force -> decimal text
    price_version: int | None = None  # the version in force now
    scheduled_version: int | None = None  # a later version waiting for its start
    scheduled_from: datetime | None = None

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
        d["scheduled_from"] = self.scheduled_from.isoformat() if self.scheduled_from else None
        d["providers"] = list(self.providers)
        d["priced"], d["is_override"] = self.priced, self.is_override
        return d


_SOURCE_SHOWN = {"admin": "admin", "builtin": "builtin", "genai-prices": "genai-prices", "sync": "genai-prices"}


def _versions(s, now: datetime) -> dict[tuple[str, str], tuple[PriceVersion | None, PriceVersion | None]]:
    """Per model: (the version in force now, the next scheduled version)."""
    out: dict[tuple[str, str], list] = {}
    for v in s.scalars(select(PriceVersion).order_by(PriceVersion.effective_from, PriceVersion.version)).all():
        pair = out.setdefault((v.kind, v.model), [None, None])
        if v.effective_from <= now:
            pair[0] = v
        elif pair[1] is None:
            pair[1] = v
    return {k: (a, b) for k, (a, b) in out.items()}


def _row(m: CatalogModel, providers: dict[str, list[str]], versions: dict | None = None) -> CatalogRow:
    current, scheduled = (versions or {}).get((m.kind, m.model), (None, None))
    card = price_book.card_of_version(current) if current is not None else price_book.card_of_row(m)
    source = m.price_source
    if current is not None:
        source = _SOURCE_SHOWN.get(current.source, m.price_source) if card.priced else None
    return CatalogRow(
        id=m.id, kind=m.kind, model=m.model, display_name=m.display_name or m.model, tier=m.tier,
        providers=tuple(providers.get(m.kind, ())),
        input_usd_per_mtok=card.input, output_usd_per_mtok=card.output,
        cached_input_usd_per_mtok=card.cached_input, cache_write_usd_per_mtok=card.cache_write,
        has_price_tiers=bool(card.tiers) or any(isinstance(v, Mapping) for v in card.extra.values()),
        price_source=source, genai_prices_ref=m.genai_prices_ref,
        context_window=m.context_window, supports_vision=m.supports_vision, is_active=m.is_active,
        updated_at=m.updated_at, prices=price_book.describe(card),
        price_version=current.version if current is not None else None,
        scheduled_version=scheduled.version if scheduled is not None else None,
        scheduled_from=scheduled.effective_from if scheduled is not None else None,
    )


def _one(s, m: CatalogModel) -> CatalogRow:
    return _row(m, _providers_by_kind(s), _versions(s, datetime.now(UTC)))


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
        providers, versions = _providers_by_kind(s), _versions(s, datetime.now(UTC))
        rows = [_row(m, providers, versions) for m in s.scalars(q).all()]
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
    return price_changes.catalog_row(s, kind, model)


def _prices(m: CatalogModel, card: PriceCard | None = None, source: str | None = None) -> dict[str, Any]:
    """A model's prices for the audit trail (the catalog columns, or ``card``), every key included."""
    card = card if card is not None else price_book.card_of_row(m)
    return {"input_usd_per_mtok": usd_str(card.input), "output_usd_per_mtok": usd_str(card.output),
            "cached_input_usd_per_mtok": usd_str(card.cached_input),
            "cache_write_usd_per_mtok": usd_str(card.cache_write),
            "price_source": source or m.price_source, "tiers": bool(card.tiers),
            "prices": price_book.describe(card)}


def _details(m: CatalogModel) -> dict[str, Any]:
    return {"tier": m.tier, "display_name": m.display_name, "context_window": m.context_window,
            "supports_vision": m.supports_vision, "is_active": m.is_active}


def set_price(orch, *, kind: str, model: str, input_usd: str | Decimal | None = None,
              output_usd: str | Decimal | None = None, cached_input_usd: str | Decimal | None = None,
              cache_write_usd: str | Decimal | None = None, prices: Mapping[str, Any] | None = None,
              effective_from: datetime | str | None = None, note: str | None = None, confirm: bool = False,
              actor: Actor) -> CatalogRow:
    """Override a model's prices as a new price book version (marked as an admin override).

    ``prices`` maps genai-prices price keys (``input_mtok``, ``cache_write_1h_mtok``,
    ``input_audio_mtok``...) to a price per million tokens, or to '' to remove that price;
    the four keyword prices are shortcuts (None: unchanged). Every price not named is
    carried over from the version in force. ``effective_from`` schedules the change (a
    past time is refused); a jump above 10x or below 0.1x, a price removed or set to or
    from zero raises ``ConfirmationRequired`` unless ``confirm``."""
    require(orch, actor)
    changes = {k: v for k, v in (("input", input_usd), ("output", output_usd), ("cached_input", cached_input_usd),
                                 ("cache_write", cache_write_usd)) if v is not None}
    changes = price_changes.normalise({**changes, **(prices or {})})
    start = price_changes.parse_when(effective_from)
    if not changes:
        raise InputRejected("Name at least one price to change.")
    with orch.db.write() as s:
        m = _get(s, kind, model)
        old = price_changes.card_in_force(s, kind, model, start)
        card = price_changes.apply_changes(old, changes)
        if not card.priced:
            raise InputRejected("The input and output prices are required (dollars per million tokens).")
        price_changes.validate(card)
        diff = price_changes.diff(old, card)
        price_changes.check_jumps(diff, confirm)
        version = price_book.record(s, m, card, source="admin", actor=actor.label, note=note,
                                    effective_from=start)
        if version is not None:
            if start is None:
                m.price_source = "admin"
            audit.record(s, actor=actor, action="catalog.set_price", target_type="model",
                         target_id=f"{kind}:{model}", before=_prices(m, old),
                         after={**_prices(m, card, "admin"), "version": version.version,
                                "effective_from": version.effective_from.isoformat(),
                                "confirmed_jumps": [c.key for c in diff if c.jump]})
        s.flush()
        return _one(s, m)


def _apply_genai(m: CatalogModel) -> PriceCard | None:
    """Price ``m`` from genai-prices; unpriced when it does not know the model. The card, if priced."""
    kind = find_kind(m.kind)
    if kind is not None and kind.local_engine:  # built in and free
        m.price_source, m.genai_prices_ref = "builtin", None
        return PriceCard(input=Decimal(0), output=Decimal(0))
    found = lookup_genai_price(m.kind, m.model)
    if found is None:
        m.price_source, m.genai_prices_ref = None, None
        return None
    m.price_source, m.genai_prices_ref = "genai-prices", found.ref
    if m.context_window is None:
        m.context_window = found.context_window
    return found.card


def _record_genai(s, m: CatalogModel, actor: Actor) -> PriceCard | None:
    """Price ``m`` from genai-prices (or leave it unpriced) as a new version effective now."""
    card = _apply_genai(m)
    source = m.price_source or "genai-prices"
    note = ("genai-prices does not know this model: unpriced" if card is None
            else f"genai-prices {m.genai_prices_ref}" if m.genai_prices_ref else "built in and free")
    price_book.record(s, m, card or PriceCard(None, None), source=source, actor=actor.label, note=note)
    return card


def clear_override(orch, *, kind: str, model: str, actor: Actor) -> CatalogRow:
    """Drop an admin price: re-price from genai-prices, or leave the model unpriced (a new version)."""
    require(orch, actor)
    with orch.db.write() as s:
        m = _get(s, kind, model)
        before = _prices(m, price_changes.card_in_force(s, kind, model))
        card = _record_genai(s, m, actor)
        audit.record(s, actor=actor, action="catalog.clear_override", target_type="model",
                     target_id=f"{kind}:{model}", before=before,
                     after=_prices(m, card or PriceCard(None, None), m.price_source))
        s.flush()
        return _one(s, m)


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
        s.add(m)
        s.flush()
        card = _record_genai(s, m, actor)
        if display_name.strip():
            m.display_name = display_name.strip()
        audit.record(s, actor=actor, action="catalog.add", target_type="model", target_id=f"{kind}:{model}",
                     after={**_details(m), **_prices(m, card or PriceCard(None, None), m.price_source)})
        return _one(s, m)


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
        return _one(s, m)


def set_active(orch, *, kind: str, model: str, active: bool, actor: Actor) -> CatalogRow:
    return update_model(orch, kind=kind, model=model, is_active=active, actor=actor)


def _diff(before: dict[str, Any], after: dict[str, Any], side: int | None = None) -> dict[str, Any]:
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    if side is None:
        return changed
    return {k: pair[side] for k, pair in changed.items()}
