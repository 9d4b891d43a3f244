"""Usage detail prices depend on, end to end: the simulator reports cache reads and writes
(Anthropic's 5-minute and 1-hour writes apart), reasoning, and audio or image tokens in each
vendor's own shape; the REAL SDK and our adapter read them into ``Completion.usage``; and the
ledger's arithmetic equals genai-prices, both on our usage and on the raw usage block the
simulator sent (``extract_usage`` + ``calc_price``), plain and streamed."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import anthropic
import httpx
import pytest
from genai_prices import Usage, calc_price, extract_usage

from orchestrator import pricing
from orchestrator.providers.base import ChatRequest, Completion, ImageInput, ProviderConfig
from orchestrator.providers.registry import get_adapter
from orchestrator.simulator import Simulator
from orchestrator.simulator.usage import UsagePlan, parse_usage_spec

PROVIDER_ID = {"openai": "openai", "anthropic": "anthropic", "gemini": "google"}
FLAVOR = {"openai": "chat", "anthropic": "default", "gemini": "default"}


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    model: str
    plan: dict[str, int]
    expect: dict[str, int]  # genai-prices usage keys the adapter must report with these values


CASES = [
    Case("openai-cache-write-reasoning", "openai", "gpt-5.6-sol",  # prices cache writes above input
         dict(cache_read=300, cache_write=200, reasoning=50),
         {"cache_read_tokens": 300, "cache_write_tokens": 200, "output_reasoning_tokens": 50}),
    Case("openai-audio", "openai", "gpt-audio", dict(input_audio=400, output_audio=120),
         {"input_audio_tokens": 400, "output_audio_tokens": 120}),
    Case("anthropic-5m-1h-writes", "anthropic", "claude-haiku-4-5",
         dict(cache_read=300, cache_write=200, cache_write_1h=100),
         {"cache_read_tokens": 300, "cache_write_tokens": 300, "cache_write_5m_tokens": 200,
          "cache_write_1h_tokens": 100}),
    Case("anthropic-1h-only", "anthropic", "claude-sonnet-4-6", dict(cache_write_1h=640),
         {"cache_write_tokens": 640, "cache_write_1h_tokens": 640}),
    Case("gemini-cached-audio-thoughts", "gemini", "gemini-2.5-flash",
         dict(input_audio=400, cache_read=500, cache_audio_read=150, reasoning=40),
         {"cache_read_tokens": 500, "input_audio_tokens": 400, "cache_audio_read_tokens": 150,
          "cache_text_read_tokens": 350, "output_reasoning_tokens": 40}),
    Case("gemini-image-out", "gemini", "gemini-2.5-flash-image", dict(input_image=258, output_image=1290),
         {"input_image_tokens": 258, "output_image_tokens": 1290}),
]


@pytest.fixture(scope="module")
def sim():
    with Simulator() as s:
        yield s


@pytest.fixture(autouse=True)
def _clean(sim):
    sim.reset()
    yield
    sim.reset()


def cfg(sim, kind: str) -> ProviderConfig:
    return ProviderConfig(name=f"{kind}-detail", kind=kind, base_url=getattr(sim, f"{kind}_base_url"),
                          api_key="sk-detail-test-key-0123456789", timeout_s=5)


def request(model: str, system: str = "You write short answers.") -> ChatRequest:
    return ChatRequest(task="draft_cv", model=model, system=system, prompt="Say hello to the tester.",
                       max_tokens=400)


def call(sim, kind: str, req: ChatRequest, streamed: bool) -> Completion:
    adapter = get_adapter(kind)
    if not streamed:
        return adapter.complete(cfg(sim, kind), req)
    events = list(adapter.stream(cfg(sim, kind), req))
    assert isinstance(events[-1], Completion)
    return events[-1]


def raw_usage(body: dict, kind: str):
    """genai-prices' own reading of the usage block the simulator sent."""
    return extract_usage(body, provider_id=PROVIDER_ID[kind], api_flavor=FLAVOR[kind])


def nonzero(usage: Usage) -> dict[str, int]:
    return {k: v for k, v in vars(usage).items() if v}


def assert_priced_like_genai_prices(kind: str, model: str, done: Completion, body: dict) -> None:
    extracted = raw_usage(body, kind)
    ours = done.usage.genai_usage()
    assert ours == nonzero(extracted.usage)
    card = pricing.lookup_genai_price(kind, model).card
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unknown usage key would be a silent mismatch
        expected = calc_price(Usage(**ours), model, provider_id=PROVIDER_ID[kind]).total_price
    assert pricing.cost(card, done.usage) == expected == extracted.calc_price().total_price
    assert expected > 0


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_usage_detail_arrives_and_prices_like_genai_prices(sim, case, streamed):
    sim.add_usage(case.kind, **case.plan)
    done = call(sim, case.kind, request(case.model), streamed)
    entry = sim.requests[-1]
    assert entry["usage_plan"] and entry["finish"] == "stop" and done.finish_reason == "stop"
    ours = done.usage.genai_usage()
    for key, value in case.expect.items():
        assert ours.get(key) == value, (key, ours)
    assert done.usage.input_tokens >= done.usage.cached_tokens + done.usage.cache_write_tokens
    assert_priced_like_genai_prices(case.kind, case.model, done, entry["usage_body"])


def test_streamed_and_plain_usage_agree(sim):
    for case in CASES:
        sim.add_usage(case.kind, times=2, **case.plan)
        plain = call(sim, case.kind, request(case.model, system=""), False)
        streamed = call(sim, case.kind, request(case.model, system=""), True)
        assert streamed.usage == plain.usage, case.id


def test_vendor_totals_include_their_parts(sim):
    sim.add_usage("openai", cache_read=100, cache_write=50, input_audio=70, output_audio=30, reasoning=20)
    call(sim, "openai", request("gpt-5.6-sol", system=""), False)
    u = sim.requests[-1]["usage_body"]["usage"]
    details = u["prompt_tokens_details"]
    assert details == {"cached_tokens": 100, "audio_tokens": 70, "cache_write_tokens": 50}
    assert u["prompt_tokens"] >= 100 + 50 + 70
    assert u["completion_tokens"] > 20 + 30 and u["completion_tokens_details"]["reasoning_tokens"] == 20
    assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]

    sim.add_usage("anthropic", cache_read=100, cache_write=50, cache_write_1h=25)
    done = call(sim, "anthropic", request("claude-haiku-4-5", system=""), False)
    u = sim.requests[-1]["usage_body"]["usage"]
    assert (u["cache_read_input_tokens"], u["cache_creation_input_tokens"]) == (100, 75)
    assert u["cache_creation"] == {"ephemeral_5m_input_tokens": 50, "ephemeral_1h_input_tokens": 25}
    assert done.usage.input_tokens == u["input_tokens"] + 100 + 75  # Anthropic's input excludes them

    sim.add_usage("gemini", input_audio=300, input_image=200, cache_read=120, cache_audio_read=80)
    call(sim, "gemini", request("gemini-2.0-flash", system=""), False)
    u = sim.requests[-1]["usage_body"]["usageMetadata"]
    by = {d["modality"]: d["tokenCount"] for d in u["promptTokensDetails"]}
    assert by["AUDIO"] == 300 and by["IMAGE"] == 200 and sum(by.values()) == u["promptTokenCount"]
    cached = {d["modality"]: d["tokenCount"] for d in u["cacheTokensDetails"]}
    assert cached == {"TEXT": 40, "AUDIO": 80} and u["cachedContentTokenCount"] == 120
    assert "candidatesTokensDetails" not in u  # text-only output carries no modality list


def test_gpt5_first_call_writes_the_cache_then_reads_it(sim):
    system = "You are a careful CV writer. " * 30
    first = call(sim, "openai", request("gpt-5-mini", system), False)
    second = call(sim, "openai", request("gpt-5-mini", system), True)
    assert first.usage.cache_write_tokens > 0 and first.usage.cached_tokens == 0
    assert second.usage.cached_tokens == first.usage.cache_write_tokens and second.usage.cache_write_tokens == 0
    assert_priced_like_genai_prices("openai", "gpt-5-mini", second, sim.requests[-1]["usage_body"])
    older = call(sim, "openai", request("gpt-4o-mini", system), False)
    assert older.usage.cache_write_tokens == 0  # only the gpt-5 family reports cache writes
    assert "cache_write_tokens" not in sim.requests[-1]["usage_body"]["usage"]["prompt_tokens_details"]


def test_anthropic_cache_control_first_call_is_a_5_minute_write(sim):
    client = anthropic.Anthropic(base_url=sim.anthropic_base_url, api_key="sk-ant-x", max_retries=0, timeout=5)
    system = [{"type": "text", "text": "You extract job postings. " * 30, "cache_control": {"type": "ephemeral"}}]
    kwargs = dict(model="claude-haiku-4-5", max_tokens=300, system=system,
                  messages=[{"role": "user", "content": "Hello."}])
    first = client.messages.create(**kwargs)
    assert first.usage.cache_creation_input_tokens > 0 and first.usage.cache_read_input_tokens == 0
    assert first.usage.cache_creation.ephemeral_5m_input_tokens == first.usage.cache_creation_input_tokens
    assert first.usage.cache_creation.ephemeral_1h_input_tokens == 0
    events = list(client.messages.create(**kwargs, stream=True))
    start, delta = events[0].message.usage, events[-2].usage
    assert start.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    # message_delta's usage is cumulative: the input counts again, with the final output count
    assert (delta.input_tokens, delta.cache_read_input_tokens, delta.cache_creation_input_tokens) == (
        start.input_tokens, start.cache_read_input_tokens, start.cache_creation_input_tokens)
    assert delta.output_tokens > 1


def test_gemini_reports_images_and_cached_text_by_modality(sim):
    req = request("gemini-2.5-flash-lite", "You read screenshots. " * 20)
    png = ImageInput(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    call(sim, "gemini", req, False)
    done = call(sim, "gemini", replace(req, images=(png,)), True)
    assert done.usage.details.get("input_image_tokens", 0) > 1000
    assert done.usage.details.get("cache_text_read_tokens") == done.usage.cached_tokens > 0
    assert_priced_like_genai_prices("gemini", "gemini-2.5-flash-lite", done, sim.requests[-1]["usage_body"])


def test_usage_plans_queue_stick_and_match_models(sim):
    sim.add_usage("openai", times=2, model="gpt-4o*", cache_read=10)
    call(sim, "openai", request("gpt-5-mini", system=""), False)  # not matched, plan kept
    assert sim.requests[-1]["usage_plan"] is None
    assert [call(sim, "openai", request("gpt-4o", system=""), False).usage.cached_tokens for _ in range(3)] == [10, 10, 0]
    sim.set_sticky_usage("gemini", input_audio=5)
    for _ in range(2):
        assert call(sim, "gemini", request("gemini-2.0-flash", system=""), False).usage.details["input_audio_tokens"] == 5
    sim.clear_usage("gemini")
    assert "input_audio_tokens" not in call(sim, "gemini", request("gemini-2.0-flash", system=""), False).usage.details


def test_usage_control_endpoint_and_cli_spec(sim):
    r = httpx.post(f"{sim.url}/_sim/usage", json=[
        {"vendor": "anthropic", "cache_write": 20, "cache_write_1h": 10, "times": 2},
        {"vendor": "gemini", "output_image": 7, "sticky": True}])
    assert r.status_code == 200
    plans = httpx.get(f"{sim.url}/_sim/usage").json()
    assert plans["anthropic"]["queue"] == [{"cache_write": 20, "cache_write_1h": 10, "times": 2}]
    assert plans["gemini"]["sticky"] == {"output_image": 7}
    done = call(sim, "anthropic", request("claude-haiku-4-5", system=""), True)
    assert done.usage.details == {"cache_write_5m_tokens": 20, "cache_write_1h_tokens": 10}
    assert httpx.delete(f"{sim.url}/_sim/usage?vendor=gemini").json()["gemini"]["sticky"] is None
    assert httpx.post(f"{sim.url}/_sim/usage", json={"vendor": "openai", "bogus": 1}).status_code == 400
    assert httpx.post(f"{sim.url}/_sim/usage", json={"vendor": "openai", "input_audio": -1}).status_code == 400
    assert httpx.post(f"{sim.url}/_sim/usage", json={"clear": True}).json()["anthropic"]["queue"] == []

    vendor, plan, times = parse_usage_spec("anthropic:cache_write=200:cache_write_1h=100:times=2:model=claude-*")
    assert (vendor, plan, times) == ("anthropic", UsagePlan(cache_write=200, cache_write_1h=100, model="claude-*"), 2)
    assert parse_usage_spec("gemini:input_audio=3")[2] is None  # sticky
    with pytest.raises(ValueError):
        parse_usage_spec("openai:cache_read")
    with pytest.raises(ValueError):
        parse_usage_spec("mistral:cache_read=1")
