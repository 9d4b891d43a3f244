"""Driving one cassette through our adapter, and genai-prices' reading of the same body."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orchestrator.providers.base import ChatRequest, Completion, ProviderConfig
from orchestrator.providers.registry import get_adapter

from tests.recorded.replay import Cassette, ReplayServer

KIND = {"openai": "openai", "anthropic": "anthropic", "gemini": "gemini"}
# (genai-prices provider id, extractor flavour) per vendor wire
GENAI = {"openai": ("openai", "chat"), "anthropic": ("anthropic", "default"), "gemini": ("google", "default")}
KEY = {"openai": "sk-test-key", "anthropic": "sk-ant-test-key", "gemini": "AIza-test-key"}


def config(cassette: Cassette, server: ReplayServer) -> ProviderConfig:
    kind = KIND[cassette.vendor]
    return ProviderConfig(name=f"recorded-{cassette.vendor}", kind=kind, base_url=server.base_url(kind),
                          api_key=KEY[cassette.vendor], timeout_s=10)


def chat_request(cassette: Cassette) -> ChatRequest:
    req = cassette.request
    structured = bool(req.get("structured"))
    return ChatRequest(task="chat", model=req["model"], system="You are a helpful assistant.",
                       prompt="(the recorded prompt; the replay server ignores it)",
                       json_schema={"type": "object", "properties": {}} if structured else None,
                       schema_name=req.get("schema_name") or "output",
                       max_tokens=req.get("max_tokens") or 1024)


def replay(cassette: Cassette, server: ReplayServer) -> tuple[list[str], Completion]:
    """Play the cassette and call the adapter the way its recording was made: ``stream``
    for SSE, ``complete`` for a JSON body. Returns (text deltas, completion)."""
    server.play(cassette)
    adapter = get_adapter(KIND[cassette.vendor])
    if cassette.is_sse:
        events = list(adapter.stream(config(cassette, server), chat_request(cassette)))
        assert events and isinstance(events[-1], Completion), events
        assert all(isinstance(e, str) for e in events[:-1])
        return list(events[:-1]), events[-1]
    return [], adapter.complete(config(cassette, server), chat_request(cassette))


def usage_source(cassette: Cassette) -> Any:
    """The JSON genai-prices reads: the body, or for a stream the message rebuilt from its
    final usage event/chunk (stored in the fixture's ``expect.usage_source``)."""
    if cassette.is_sse:
        return cassette.expect["usage_source"]
    return cassette.response["body"]


def genai_extracted(cassette: Cassette) -> Any:
    from genai_prices import extract_usage

    provider_id, flavor = GENAI[cassette.vendor]
    return extract_usage(usage_source(cassette), provider_id=provider_id, api_flavor=flavor)


def nonzero(usage: Any) -> dict[str, int]:
    return {k: v for k, v in usage._reported_values().items() if v}


def genai_price(cassette: Cassette) -> Decimal:
    """genai-prices' own figure for the recorded body, priced as the recorded request's model."""
    from genai_prices import calc_price

    provider_id, _ = GENAI[cassette.vendor]
    model = cassette.request.get("pricing_model") or cassette.request["model"]
    return calc_price(genai_extracted(cassette).usage, model_ref=model, provider_id=provider_id).total_price
