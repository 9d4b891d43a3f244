"""The price book computes exactly what genai-prices computes, for every kind of token."""

import random
from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price

from orchestrator.pricing import PriceCard, cost, lookup_genai_price, upper_bound
from orchestrator.providers.base import TokenUsage

MODELS = [
    ("openai", "gpt-4o-mini", "openai"),
    ("openai", "gpt-5-mini", "openai"),
    ("anthropic", "claude-haiku-4-5", "anthropic"),
    ("anthropic", "claude-sonnet-4-5", "anthropic"),  # tiered above 200k input
    ("gemini", "gemini-2.5-flash-lite", "google"),
    ("gemini", "gemini-2.5-pro", "google"),  # tiered above 200k input
]


@pytest.mark.parametrize("kind,model,provider_id", MODELS)
def test_cost_equals_genai_prices_to_the_last_digit(kind, model, provider_id):
    card = lookup_genai_price(kind, model).card
    rng = random.Random(model)
    for _ in range(300):
        total_in = rng.choice([rng.randint(0, 5000), rng.randint(150_000, 400_000)])
        cached = rng.randint(0, total_in)
        written = rng.randint(0, total_in - cached) if kind == "anthropic" else 0
        out = rng.randint(0, 20_000)
        mine = cost(card, TokenUsage(input_tokens=total_in, output_tokens=out, cached_tokens=cached,
                                     cache_write_tokens=written))
        theirs = calc_price(Usage(input_tokens=total_in, output_tokens=out, cache_read_tokens=cached,
                                  cache_write_tokens=written), model, provider_id=provider_id).total_price
        assert mine == theirs
        assert isinstance(mine, Decimal)


def test_tier_is_a_cliff_on_total_input():
    card = lookup_genai_price("gemini", "gemini-2.5-pro").card
    below = cost(card, TokenUsage(input_tokens=200_000, output_tokens=0))
    above = cost(card, TokenUsage(input_tokens=200_001, output_tokens=0))
    assert below == Decimal("0.25")  # $1.25 / MTok
    assert above == Decimal("200001") * Decimal("2.5") / 1_000_000  # every token at the higher rate


def test_unpriced_model_has_no_cost_not_zero():
    assert lookup_genai_price("openai_compatible", "llama3.1:8b") is None
    assert lookup_genai_price("openai", "no-such-model-xyz") is None
    assert cost(None, TokenUsage(input_tokens=10, output_tokens=10)) is None
    assert cost(PriceCard(input=None, output=None), TokenUsage(input_tokens=10, output_tokens=10)) is None


def test_cached_tokens_fall_back_to_input_price_when_no_cache_price():
    card = PriceCard(input=Decimal("2"), output=Decimal("8"))
    u = TokenUsage(input_tokens=1000, output_tokens=100, cached_tokens=400)
    assert cost(card, u) == (Decimal(1000) * 2 + Decimal(100) * 8) / 1_000_000


def test_upper_bound_covers_any_actual_cost():
    card = lookup_genai_price("openai", "gpt-4o-mini").card
    bound = upper_bound(card, 3000, 1000)
    assert bound == cost(card, TokenUsage(input_tokens=3000, output_tokens=1000))
    assert cost(card, TokenUsage(input_tokens=3000, output_tokens=1000, cached_tokens=2000)) < bound


def test_upper_bound_covers_input_priced_above_text():
    # Gemini 2.5 Flash bills audio input at $1 / 1M, text at $0.30: the hold must cover an all-audio prompt
    card = lookup_genai_price("gemini", "gemini-2.5-flash").card
    bound = upper_bound(card, 3000, 1000)
    all_audio = TokenUsage(input_tokens=3000, output_tokens=1000, details={"input_audio_tokens": 3000})
    assert cost(card, all_audio) <= bound
    tiered = lookup_genai_price("gemini", "gemini-2.5-pro").card  # above 200k input the dearer tier applies
    assert cost(tiered, TokenUsage(input_tokens=250_000, output_tokens=1000)) <= upper_bound(tiered, 250_000, 1000)
