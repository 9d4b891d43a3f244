"""Real recorded vendor responses, replayed through our adapters on the real SDKs.

Every fixture in ``cassettes/<vendor>/*.json`` is one test case per check below;
adding a fixture adds the tests. ``expect`` in each fixture was written from
reading the recorded body, never copied from our code's output.
"""

from __future__ import annotations

import pytest

from orchestrator.errors import ProviderError
from orchestrator.pricing import cost, lookup_genai_price
from tests.recorded.replay import ReplayServer, all_cassettes
from tests.recorded.support import KIND, genai_extracted, genai_price, nonzero, replay

CASSETTES = all_cassettes()
SUCCESS = [c for c in CASSETTES if not c.is_error]
ERRORS = [c for c in CASSETTES if c.is_error]


def _ids(cs):
    return [c.id for c in cs]


@pytest.fixture(scope="module")
def server():
    with ReplayServer() as srv:
        yield srv


def test_the_tier_has_enough_real_recordings():
    vendors = {c.vendor for c in CASSETTES}
    assert vendors == {"openai", "anthropic", "gemini"}
    assert len(CASSETTES) >= 30
    for c in CASSETTES:
        assert c.provenance.get("repo") and c.provenance.get("path"), c.id
        assert c.expect, f"{c.id} has no expect block"


@pytest.mark.parametrize("cassette", SUCCESS, ids=_ids(SUCCESS))
def test_text_and_finish_reason(cassette, server):
    deltas, completion = replay(cassette, server)
    assert completion.text == cassette.expect["text"]
    assert completion.finish_reason == cassette.expect["finish_reason"]
    if cassette.is_sse and not cassette.request.get("structured"):
        assert "".join(deltas) == completion.text


@pytest.mark.parametrize("cassette", SUCCESS, ids=_ids(SUCCESS))
def test_token_counts(cassette, server):
    _, completion = replay(cassette, server)
    got = completion.usage.as_dict()
    assert got == cassette.expect["usage"]
    assert completion.usage.problem is None


@pytest.mark.parametrize("cassette", SUCCESS, ids=_ids(SUCCESS))
def test_usage_is_what_genai_prices_reads_from_the_body(cassette, server):
    from genai_prices.types import Usage

    _, completion = replay(cassette, server)
    ours = nonzero(Usage(**completion.usage.genai_usage()))
    theirs = nonzero(genai_extracted(cassette).usage)
    assert ours == theirs


@pytest.mark.parametrize("cassette", SUCCESS, ids=_ids(SUCCESS))
def test_cost_equals_genai_prices_to_the_last_digit(cassette, server):
    _, completion = replay(cassette, server)
    model = cassette.request.get("pricing_model") or cassette.request["model"]
    catalog = lookup_genai_price(KIND[cassette.vendor], model)
    assert catalog is not None, f"genai-prices does not know {model!r}"
    ours = cost(catalog.card, completion.usage)
    expected = genai_price(cassette)
    assert ours is not None
    assert ours == expected, f"{ours} != {expected}"


@pytest.mark.parametrize("cassette", ERRORS, ids=_ids(ERRORS))
def test_error_class(cassette, server):
    want = cassette.expect["error"]
    with pytest.raises(ProviderError) as info:
        replay(cassette, server)
    err = info.value
    assert (err.kind, err.retryable) == (want["kind"], want["retryable"]), str(err)
    if want.get("retry_after") is None:
        assert err.retry_after is None
    else:
        assert err.retry_after == pytest.approx(want["retry_after"])
    if cassette.response["status"] >= 400:
        assert getattr(err, "status_code", cassette.response["status"]) == cassette.response["status"]


@pytest.mark.parametrize("cassette", ERRORS, ids=_ids(ERRORS))
def test_error_message_names_no_secret(cassette, server):
    with pytest.raises(ProviderError) as info:
        replay(cassette, server)
    text = str(info.value)
    for key in ("sk-test-key", "sk-ant-test-key", "AIza-test-key"):
        assert key not in text
