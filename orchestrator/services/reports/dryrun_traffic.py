"""The recorded traffic a routing dry run re-prices, and its price at one model.

The ledger's successful attempts (one per request that got an answer) in the window are
summed in SQL per (plan, task) and per *tier bucket*: the input-token ranges cut at every
tier start of the candidate models' price cards (cliff tiers apply per request, so a sum
of requests is priced exactly only within one bucket). Each bucket's sums are then priced
once with the card's rates for that range: the exact total of pricing every request on its
own, without loading the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, literal, select

from db.models import UsageRecord
from orchestrator import pricing
from orchestrator.pricing import PriceCard, Priced
from orchestrator.repricing import flat_cards, usage_of

_R = UsageRecord
SUMMED = (_R.tokens_input, _R.tokens_output, _R.tokens_cached, _R.tokens_cache_write, _R.tokens_reasoning)


@dataclass(frozen=True)
class Bucket:
    """The successful requests of one cell whose input tokens are above ``above`` (and not
    above the next tier start): their count and summed token columns."""

    above: int
    requests: int
    tokens_input: int
    tokens_output: int
    tokens_cached: int
    tokens_cache_write: int
    tokens_reasoning: int


@dataclass(frozen=True)
class CellTraffic:
    buckets: tuple[Bucket, ...] = field(default_factory=tuple)

    def _sum(self, name: str) -> int:
        return sum(getattr(b, name) for b in self.buckets)

    @property
    def requests(self) -> int:
        return self._sum("requests")

    @property
    def tokens_input(self) -> int:
        return self._sum("tokens_input")

    @property
    def tokens_output(self) -> int:
        return self._sum("tokens_output")

    @property
    def tokens_cached(self) -> int:
        return self._sum("tokens_cached")


def tier_starts(cards: list[PriceCard]) -> list[int]:
    """-1 (every request) and every tier start of ``cards``, sorted."""
    starts = {-1}
    for card in cards:
        for steps in card.tiers.values():
            starts |= {int(t["start"]) for t in steps or []}
        for value in card.extra.values():
            if isinstance(value, dict):
                starts |= {int(t["start"]) for t in value.get("tiers") or []}
    return sorted(starts)


def traffic(db, since: datetime, until: datetime, starts: list[int]) -> dict[tuple[str, str], CellTraffic]:
    """Per (plan, task): the successful requests in [since, until), per tier bucket (one GROUP BY)."""
    bucket = case(*[(_R.tokens_input > start, start) for start in reversed(starts[1:])],
                  else_=starts[0]) if len(starts) > 1 else literal(starts[0])
    sums = [func.coalesce(func.sum(c), 0) for c in SUMMED]
    q = (select(_R.plan, _R.task_type, bucket, func.count(), *sums)
         .where(_R.timestamp >= since, _R.timestamp < until, _R.status == "success")
         .group_by(_R.plan, _R.task_type, bucket))
    found: dict[tuple[str, str], list[Bucket]] = {}
    with db.read() as s:
        for plan, task, above, n, *tokens in s.execute(q).all():
            found.setdefault((plan, task), []).append(Bucket(int(above), int(n), *(int(t) for t in tokens)))
    return {cell: CellTraffic(tuple(sorted(b, key=lambda x: x.above))) for cell, b in found.items()}


def price_traffic(card: PriceCard | None, cell: CellTraffic, model: str) -> Priced:
    """The exact cost of ``cell``'s requests at ``card`` (each request on its own tier),
    or why it cannot be priced."""
    if card is None:
        return Priced(None, f"{model} is not in the price catalog")
    if not card.priced:
        return Priced(None, f"{model} has no input and output price in the catalog")
    flats = flat_cards(card, ledger_exact=False) or [(-1, card)]
    total = Decimal(0)
    for b in cell.buckets:
        rates = max(((start, c) for start, c in flats if start <= b.above), key=lambda x: x[0])[1]
        got = pricing.price(rates, usage_of(b.tokens_input, b.tokens_output, b.tokens_cached, b.tokens_cache_write,
                                            b.tokens_reasoning, None))
        if got.cost is None:
            return Priced(None, f"{model}: {got.reason}")
        total += got.cost
    return Priced(total)

