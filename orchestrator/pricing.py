"""The price book's arithmetic: exact cost of an attempt from a model's price card.

Prices are per million tokens, in ``Decimal``, keyed by genai-prices' own price
keys (``input_mtok``, ``cache_read_mtok``, ``cache_write_1h_mtok``,
``input_audio_mtok``...), seeded from genai-prices' bundled snapshot (never its
network updater), versioned in ``price_versions`` and overridable by admins.

The arithmetic *is* genai-prices': a card becomes a ``genai_prices`` ``ModelPrice``
and usage a ``genai_prices`` ``Usage`` (``TokenUsage.genai_usage``), so the
ledger equals genai-prices to the last digit for every kind of token, including
cache writes split by lifetime, per-modality rates and cliff tiers:

- ``input_tokens`` includes cache reads and writes and every modality; each
  finer count is billed at its own rate when the card has one, the rest at the
  input rate;
- ``output_tokens`` includes reasoning and audio/image output;
- threshold tiers are cliffs on total input.

A card without input and output prices, a card lacking a rate that the usage
needs (genai-prices refuses to guess, e.g. cached audio when audio and cache
reads are priced apart) or a usage block with a negative or missing count is
*unpriced*: ``price`` says why, ``cost`` returns ``None`` and the ledger records
the reason, never $0.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from orchestrator.providers.base import TokenUsage

MTOK = Decimal(1_000_000)

# our card's named rates -> genai-prices price keys (the other keys live in ``PriceCard.extra``)
NAMED_KEYS = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cached_input": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
}

# every per-token price key genai-prices knows, with a label for people
PRICE_KEYS: dict[str, str] = {
    "input_mtok": "Input",
    "output_mtok": "Output",
    "cache_read_mtok": "Cache read",
    "cache_write_mtok": "Cache write (5 min)",
    "cache_write_1h_mtok": "Cache write (1 hour)",
    "input_audio_mtok": "Audio input",
    "cache_audio_read_mtok": "Cached audio input",
    "output_audio_mtok": "Audio output",
    "input_image_mtok": "Image input",
    "cache_image_read_mtok": "Cached image input",
    "output_image_mtok": "Image output",
    "input_video_mtok": "Video input",
    "cache_video_read_mtok": "Cached video input",
    "output_video_mtok": "Video output",
    "input_text_mtok": "Text input",
    "output_text_mtok": "Text output",
    "cache_text_read_mtok": "Cached text input",
}


@dataclass(frozen=True)
class Priced:
    """The cost of one usage, or why there is none."""

    cost: Decimal | None
    reason: str | None = None


@dataclass(frozen=True)
class PriceCard:
    """One model's prices per million tokens (None: no separate price).

    ``tiers`` holds cliff tiers per named rate (``{"input": [{"start": 200000,
    "price": "2.5"}]}``); ``extra`` any other genai-prices price key, as a
    Decimal or ``{"base": ..., "tiers": [...]}``. ``version_id`` names the
    ``price_versions`` row the card came from (None for a card built in code).
    """

    input: Decimal | None
    output: Decimal | None
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    tiers: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    version_id: int | None = None

    @property
    def priced(self) -> bool:
        return self.input is not None and self.output is not None

    def rate(self, name: str, total_input: int) -> Decimal | None:
        """The price of one named kind of token given the request's total input (cliff tiers)."""
        base: Decimal | None = getattr(self, name)
        if base is None:
            return None
        for tier in sorted(self.tiers.get(name, ()), key=lambda t: t["start"], reverse=True):
            if total_input > int(tier["start"]):
                return Decimal(str(tier["price"]))
        return base

    # ------------------------------------------------------------ stored form

    def as_prices(self) -> dict[str, Any]:
        """The card as genai-prices price keys -> decimal string or {"base", "tiers"} (stored JSON)."""
        out: dict[str, Any] = {}
        for name, key in NAMED_KEYS.items():
            base = getattr(self, name)
            if base is None:
                continue
            steps = list(self.tiers.get(name) or [])
            out[key] = {"base": _text(base), "tiers": [{"start": int(t["start"]), "price": _text(t["price"])}
                                                       for t in steps]} if steps else _text(base)
        for key, value in self.extra.items():
            if isinstance(value, Mapping):
                out[key] = {"base": _text(value["base"]),
                            "tiers": [{"start": int(t["start"]), "price": _text(t["price"])}
                                      for t in value.get("tiers") or []]}
            elif value is not None:
                out[key] = _text(value)
        return out

    @classmethod
    def from_prices(cls, prices: Mapping[str, Any] | None, version_id: int | None = None) -> PriceCard:
        """The inverse of ``as_prices`` (unknown keys are kept in ``extra``)."""
        named: dict[str, Decimal | None] = {name: None for name in NAMED_KEYS}
        tiers: dict[str, list[dict[str, Any]]] = {}
        extra: dict[str, Any] = {}
        by_key = {key: name for name, key in NAMED_KEYS.items()}
        for key, value in (prices or {}).items():
            if value is None:
                continue
            if isinstance(value, Mapping):
                base = Decimal(str(value["base"]))
                steps = [{"start": int(t["start"]), "price": str(t["price"])} for t in value.get("tiers") or []]
            else:
                base, steps = Decimal(str(value)), []
            if key in by_key:
                named[by_key[key]] = base
                if steps:
                    tiers[by_key[key]] = steps
            else:
                extra[key] = {"base": base, "tiers": steps} if steps else base
        return cls(tiers=tiers, extra=extra, version_id=version_id, **named)

    def model_price(self) -> Any:
        """This card as a genai-prices ``ModelPrice`` (built once per card)."""
        return _memo(self, "model_price", self._build_model_price)

    def _build_model_price(self) -> Any:
        from genai_prices.types import ModelPrice, Tier, TieredPrices

        kwargs: dict[str, Any] = {}
        for key, value in self.as_prices().items():
            if isinstance(value, Mapping):
                kwargs[key] = TieredPrices(base=Decimal(value["base"]),
                                           tiers=[Tier(start=int(t["start"]), price=Decimal(t["price"]))
                                                  for t in value["tiers"]])
            else:
                kwargs[key] = Decimal(value)
        return ModelPrice(**kwargs)


_MEMO: dict[tuple[int, str], tuple[PriceCard, Any]] = {}


def _memo(card: PriceCard, name: str, build: Callable[[], Any]) -> Any:
    """A value derived from ``card``, built once per card (cards are frozen; the snapshot makes
    new ones on reload, so entries are keyed by identity and the table is emptied when large)."""
    hit = _MEMO.get((id(card), name))
    if hit is not None and hit[0] is card:
        return hit[1]
    value = build()
    if len(_MEMO) > 8192:
        _MEMO.clear()
    _MEMO[(id(card), name)] = (card, value)
    return value


def _text(value: Any) -> str:
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return format(d.normalize(), "f") if d == d.to_integral_value() else str(d.normalize())


def price(card: PriceCard | None, usage: TokenUsage) -> Priced:
    """Exact USD cost of ``usage`` under ``card``, or the reason it cannot be priced."""
    if card is None:
        return Priced(None, "the model is not in the price catalog")
    if not card.priced:
        return Priced(None, "the catalog has no input and output price for this model")
    if usage.problem:
        return Priced(None, usage.problem)
    counts = usage.genai_usage()
    bad = sorted(k for k, v in counts.items() if not isinstance(v, int) or v < 0)
    if bad:
        return Priced(None, f"the provider reported an invalid token count ({', '.join(bad)})")
    from genai_prices.types import Usage

    try:
        # (adapters emit only genai-prices' own usage keys, so Usage has nothing to warn about;
        # warnings.catch_warnings would not be thread-safe here)
        total = card.model_price().calc_price(Usage(**counts))["total_price"]
    except (ValueError, KeyError, TypeError, InvalidOperation, ArithmeticError) as exc:
        return Priced(None, _reason(exc))
    return Priced(Decimal(total))


def _reason(exc: Exception) -> str:
    if _MISSING.search(str(exc)):
        return f"the price card lacks a rate this usage needs: {explain(exc)}"
    return f"the usage could not be priced ({type(exc).__name__})"


_MISSING = re.compile(r"Missing (join|ancestor) price for (.+?): (\w+)")


def explain(exc: Exception) -> str:
    """genai-prices' refusal of a card, in people's words: "Missing ancestor price for
    cache_write_1h_tokens: cache_write_tokens" -> "a cache write (1 hour) price needs a cache
    write (5 min) price too"."""
    text = str(exc).strip().rstrip(".")
    found = _MISSING.search(text)
    if found is None:
        return text
    how, subjects, needed = found.groups()
    names = [_label(name.strip()) for name in subjects.split(" and ")]
    if how == "ancestor":
        return f"a {names[0]} price needs a {_label(needed)} price too"
    return f"with {' and '.join(names)} priced apart, {_label(needed)} needs a price too"


def _label(usage_key: str) -> str:
    key = usage_key.removesuffix("_tokens") + "_mtok"
    return PRICE_KEYS.get(key, usage_key.replace("_", " ")).lower()


def cost(card: PriceCard | None, usage: TokenUsage) -> Decimal | None:
    """Exact USD cost of ``usage`` under ``card``; None when it cannot be priced (see ``price``)."""
    return price(card, usage).cost


def upper_bound(card: PriceCard | None, input_tokens: int, max_output_tokens: int) -> Decimal:
    """The most an attempt can cost, for its reservation: every input token at the dearest
    input-side rate (audio or image input may cost more than text) and every output token at
    the dearest output-side rate, tiers included. Plain arithmetic: it runs on every attempt."""
    if card is None or not card.priced:
        return Decimal(0)
    rates = _bound_rates(card)
    return (input_tokens * rates[0] + max_output_tokens * rates[1]) / MTOK


def _bound_rates(card: PriceCard) -> tuple[Decimal, Decimal]:
    """(dearest input-side rate, dearest output-side rate) of a card, computed once per card."""

    def build() -> tuple[Decimal, Decimal]:
        dearest = {"input": Decimal(0), "output": Decimal(0)}
        for key, value in card.as_prices().items():
            side = "output" if key.startswith("output") else "input"  # cache reads and writes bill as input
            steps = [value["base"], *(t["price"] for t in value["tiers"])] if isinstance(value, Mapping) else [value]
            dearest[side] = max(dearest[side], *(Decimal(str(v)) for v in steps))
        return dearest["input"], dearest["output"]

    return _memo(card, "bound_rates", build)


# ---------------------------------------------------------------- genai-prices


@dataclass(frozen=True)
class CatalogPrice:
    """What genai-prices knows of a model, ready for a catalog row."""

    ref: str
    name: str | None
    context_window: int | None
    card: PriceCard


def genai_card(model_price: Any) -> PriceCard:
    """A genai-prices ``ModelPrice`` as our card (per-token keys only)."""
    from genai_prices.types import TieredPrices

    prices: dict[str, Any] = {}
    for key, value in vars(model_price).items():
        if not key.endswith("_mtok"):
            continue  # per-request and per-search prices: no task of ours uses them
        if isinstance(value, TieredPrices):
            prices[key] = {"base": str(value.base),
                           "tiers": [{"start": t.start, "price": str(t.price)} for t in value.tiers]}
        elif value is not None:
            prices[key] = str(value)
    return PriceCard.from_prices(prices)


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

    try:
        _provider, info = data_snapshot.get_snapshot().find_provider_model(model, None, provider_id, None)
    except LookupError:
        return None
    card = genai_card(info.get_prices(when or datetime.now(UTC)))
    return CatalogPrice(ref=info.id, name=info.name, context_window=info.context_window, card=card)
