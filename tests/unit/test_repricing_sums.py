"""The price-change preview prices sums of rows per plan and tier bucket instead of every row:
that is only right if a sum costs exactly what its rows cost one by one, under genai-prices'
own arithmetic, tiers included. These tests hold it to that, and to falling back to row by
row when a rate is too fine for the ledger's picodollars."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from orchestrator.pricing import PriceCard, lookup_genai_price, price
from orchestrator.providers.base import TokenUsage
from orchestrator.repricing import flat_cards

TIERED = [("gemini", "gemini-2.5-pro"), ("anthropic", "claude-sonnet-4-5")]
FLAT = [("openai", "gpt-4o-mini"), ("gemini", "gemini-2.5-flash"), ("anthropic", "claude-haiku-4-5")]


def _rows(rng: random.Random, n: int, kind: str) -> list[TokenUsage]:
    rows = []
    for _ in range(n):
        total = rng.choice([rng.randint(0, 8000), rng.randint(150_000, 260_000), 200_000, 200_001])
        cached = rng.randint(0, total)
        written = rng.randint(0, total - cached) if kind == "anthropic" else 0
        out = rng.randint(0, 9000)
        rows.append(TokenUsage(input_tokens=total, output_tokens=out, cached_tokens=cached,
                               cache_write_tokens=written, reasoning_tokens=rng.randint(0, out)))
    return rows


def _bucket(cards, row: TokenUsage) -> int:
    return max(i for i, (start, _) in enumerate(cards) if row.input_tokens > start)


@pytest.mark.parametrize("kind,model", TIERED + FLAT)
def test_a_bucket_sum_costs_what_its_rows_cost(kind, model):
    card = lookup_genai_price(kind, model).card
    cards = flat_cards(card)
    assert cards is not None and cards[0][0] == -1
    if (kind, model) in TIERED:
        assert [start for start, _ in cards] == [-1, 200_000]
    rows = _rows(random.Random(model), 400, kind)
    by_bucket: dict[int, list[TokenUsage]] = {}
    for row in rows:
        by_bucket.setdefault(_bucket(cards, row), []).append(row)
    for index, members in by_bucket.items():
        one_by_one = sum((price(card, r).cost for r in members), Decimal(0))
        summed = TokenUsage(input_tokens=sum(r.input_tokens for r in members),
                            output_tokens=sum(r.output_tokens for r in members),
                            cached_tokens=sum(r.cached_tokens for r in members),
                            cache_write_tokens=sum(r.cache_write_tokens for r in members),
                            reasoning_tokens=sum(r.reasoning_tokens for r in members))
        assert price(cards[index][1], summed).cost == one_by_one


def test_the_tier_boundary_is_a_strict_greater_than_as_in_genai_prices():
    card = lookup_genai_price("gemini", "gemini-2.5-pro").card
    cards = flat_cards(card)
    at, above = TokenUsage(input_tokens=200_000, output_tokens=10), TokenUsage(input_tokens=200_001, output_tokens=10)
    assert _bucket(cards, at) == 0 and _bucket(cards, above) == 1
    assert price(cards[0][1], at).cost == price(card, at).cost
    assert price(cards[1][1], above).cost == price(card, above).cost


def test_a_rate_finer_than_picodollars_per_token_prices_row_by_row():
    assert flat_cards(PriceCard(input=Decimal("0.1234567"), output=Decimal("1"))) is None
    assert flat_cards(PriceCard(input=Decimal("0.123456"), output=Decimal("1"))) is not None
