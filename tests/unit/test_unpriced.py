"""Bad usage or a price card without a needed rate: the attempt is unpriced with its reason,
never $0 and never a crash."""

from __future__ import annotations

from decimal import Decimal

from orchestrator.pricing import PriceCard, price
from orchestrator.providers import _common as common
from orchestrator.providers.base import TokenUsage

CARD = PriceCard(input=Decimal("1"), output=Decimal("2"), cached_input=Decimal("0.1"))


def test_a_priced_usage_has_no_reason():
    got = price(CARD, TokenUsage(input_tokens=1000, output_tokens=500, cached_tokens=100))
    assert got.cost == Decimal("0.00191") and got.reason is None  # 900 x 1 + 100 x 0.1 + 500 x 2


def test_no_card_and_a_card_without_rates_are_unpriced_with_a_reason():
    assert price(None, TokenUsage(1, 1)).reason == "the model is not in the price catalog"
    assert "no input and output price" in price(PriceCard(None, None), TokenUsage(1, 1)).reason


def test_a_card_lacking_a_join_rate_is_unpriced_not_guessed():
    # audio and cache reads are priced apart, cached audio is not: genai-prices refuses to guess
    card = PriceCard(input=Decimal("1"), output=Decimal("2"), cached_input=Decimal("0.1"),
                     extra={"input_audio_mtok": Decimal("5")})
    got = price(card, TokenUsage(input_tokens=100, output_tokens=10, cached_tokens=5,
                                 details={"input_audio_tokens": 20}))
    assert got.cost is None
    assert "lacks a rate" in got.reason and "cached audio input needs a price too" in got.reason


def test_negative_or_missing_counts_make_the_usage_unpriced():
    read = common.UsageReader({"prompt_tokens": -5, "completion_tokens": None})
    assert read.get("prompt_tokens", required=True) == 0
    assert read.get("completion_tokens", required=True) == 0
    usage = TokenUsage(problem=read.problem)
    got = price(CARD, usage)
    assert got.cost is None
    assert "prompt_tokens = -5" in got.reason and "completion_tokens missing" in got.reason


def test_a_count_that_is_not_a_number_is_a_problem():
    read = common.UsageReader({"output_tokens": "12"})
    assert read.get("output_tokens") == 0
    assert "output_tokens = '12'" in read.problem


def test_the_card_round_trips_through_its_stored_form():
    card = PriceCard(input=Decimal("1.25"), output=Decimal("10"), cache_write=Decimal("1.5625"),
                     tiers={"input": [{"start": 200000, "price": "2.5"}]},
                     extra={"cache_write_1h_mtok": Decimal("2"), "input_audio_mtok": Decimal("3")})
    stored = card.as_prices()
    assert stored["input_mtok"] == {"base": "1.25", "tiers": [{"start": 200000, "price": "2.5"}]}
    assert stored["cache_write_1h_mtok"] == "2"
    again = PriceCard.from_prices(stored, version_id=7)
    assert again.as_prices() == stored and again.version_id == 7
    usage = TokenUsage(input_tokens=300_000, output_tokens=10, cache_write_tokens=1000,
                       details={"cache_write_1h_tokens": 400})
    assert price(again, usage).cost == price(card, usage).cost
