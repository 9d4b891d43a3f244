"""The price book: exact cost of an attempt from the model catalog.

Prices are per million tokens, in ``Decimal``, seeded from genai-prices'
bundled snapshot (never its network updater) and overridable by admins.
The arithmetic follows genai-prices exactly, so a catalog seeded from it
gives the same figure to the last digit:

- ``input_tokens`` includes cache reads and writes; each of those is billed
  at its own price when the model has one, else at the input price;
- ``output_tokens`` includes reasoning tokens (Gemini adapters add thoughts);
- threshold tiers are cliffs: once total input passes a tier's start, that
  tier's price applies to every token of that kind.

A model without input and output prices is *unpriced*: ``cost`` returns
``None`` and the ledger says so, never $0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from orchestrator.providers.base import TokenUsage

MTOK = Decimal(1_000_000)

_FIELDS = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cached_input": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
}


@dataclass(frozen=True)
class PriceCard:
    """One model's prices per million tokens (None: no separate price)."""

    input: Decimal | None
    output: Decimal | None
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    tiers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def priced(self) -> bool:
        return self.input is not None and self.output is not None

    def rate(self, name: str, total_input: int) -> Decimal | None:
        """The price of one kind of token given the request's total input (cliff tiers)."""
        base: Decimal | None = getattr(self, name)
        if base is None:
            return None
        for tier in sorted(self.tiers.get(name, ()), key=lambda t: t["start"], reverse=True):
            if total_input > int(tier["start"]):
                return Decimal(str(tier["price"]))
        return base


def cost(card: PriceCard | None, usage: TokenUsage) -> Decimal | None:
    """Exact USD cost of ``usage`` under ``card``; None when the model is unpriced."""
    if card is None or not card.priced:
        return None
    total_in = usage.input_tokens
    in_rate = card.rate("input", total_in)
    out_rate = card.rate("output", total_in)
    cached_rate = card.rate("cached_input", total_in)
    write_rate = card.rate("cache_write", total_in)
    uncached = total_in
    amount = Decimal(0)
    if cached_rate is not None and usage.cached_tokens:
        uncached -= usage.cached_tokens
        amount += usage.cached_tokens * cached_rate
    if write_rate is not None and usage.cache_write_tokens:
        uncached -= usage.cache_write_tokens
        amount += usage.cache_write_tokens * write_rate
    amount += max(uncached, 0) * in_rate + usage.output_tokens * out_rate
    return amount / MTOK


def upper_bound(card: PriceCard | None, input_tokens: int, max_output_tokens: int) -> Decimal:
    """The most an attempt can cost (no cache discount): used for reservations."""
    if card is None or not card.priced:
        return Decimal(0)
    usage = TokenUsage(input_tokens=input_tokens, output_tokens=max_output_tokens)
    return cost(card, usage) or Decimal(0)


# ---------------------------------------------------------------- genai-prices


@dataclass(frozen=True)
class CatalogPrice:
    """What genai-prices knows of a model, ready for a catalog row."""

    ref: str
    name: str | None
    context_window: int | None
    card: PriceCard


def lookup_genai_price(kind: str, model: str, when: datetime | None = None) -> CatalogPrice | None:
    """Prices for (kind, model) from genai-prices' bundled data; None if it does not know it.

    genai-prices raises LookupError for an unknown model: that is shown as
    unpriced in the catalog, never guessed.
    """
    from orchestrator.providers.registry import find_kind

    descriptor = find_kind(kind)
    provider_id = descriptor.genai_prices_id if descriptor is not None else None  # ProviderKind.genai_prices_id
    if provider_id is None:
        return None
    from genai_prices import data_snapshot  # lazy: ~0.2 s import
    from genai_prices.types import TieredPrices

    try:
        _provider, info = data_snapshot.get_snapshot().find_provider_model(model, None, provider_id, None)
    except LookupError:
        return None
    prices = info.get_prices(when or datetime.now(UTC))
    base: dict[str, Decimal | None] = {}
    tiers: dict[str, list[dict[str, Any]]] = {}
    for ours, theirs in _FIELDS.items():
        value = getattr(prices, theirs, None)
        if isinstance(value, TieredPrices):
            base[ours] = value.base
            tiers[ours] = [{"start": t.start, "price": str(t.price)} for t in value.tiers]
        else:
            base[ours] = value
    card = PriceCard(tiers=tiers, **base)
    return CatalogPrice(ref=info.id, name=info.name, context_window=info.context_window, card=card)
