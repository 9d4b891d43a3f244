"""Error classes that match what a retry can do, and truncation, through the REAL SDKs and our
adapters against the simulator's copies of the vendors' own bodies: an exhausted quota or
credit and a request too large are final (``quota_exhausted`` / ``too_large``, not retryable);
Gemini's RetryInfo and Anthropic's retry-after header set ``retry_after``; an answer cut at the
token limit finishes with "length". Plain and streamed, before the headers and in-stream."""

from __future__ import annotations

import json

import httpx
import pytest

from orchestrator.errors import ProviderError
from orchestrator.providers.base import ChatRequest, Completion, ProviderConfig
from orchestrator.providers.registry import get_adapter
from orchestrator.simulator import Simulator, parse_fault_spec
from orchestrator.tasks import extract_job
from orchestrator.tokens import estimate_tokens

MODELS = {"openai": "gpt-4o", "anthropic": "claude-haiku-4-5", "gemini": "gemini-2.0-flash"}
VENDORS = list(MODELS)
REPLY = ("Dear hiring team, I am writing to apply for the role of data engineer at your company, "
         "where my years of building pipelines would help you ship reliable analytics.")


@pytest.fixture(scope="module")
def sim():
    with Simulator(respond=lambda system, prompt: REPLY) as s:
        yield s


@pytest.fixture(autouse=True)
def _clean(sim):
    sim.reset()
    yield
    sim.reset()


def cfg(sim, vendor: str) -> ProviderConfig:
    return ProviderConfig(name=f"{vendor}-errors", kind=vendor, base_url=getattr(sim, f"{vendor}_base_url"),
                          api_key="sk-errors-test-key-0123456789", timeout_s=5)


def text_request(vendor: str, max_tokens: int = 400) -> ChatRequest:
    return ChatRequest(task="cover_letter", model=MODELS[vendor], system="You write letters.",
                       prompt="Write the letter.", max_tokens=max_tokens)


def run(sim, vendor: str, streamed: bool, req: ChatRequest | None = None) -> Completion:
    req = req or text_request(vendor)
    adapter = get_adapter(vendor)
    if not streamed:
        return adapter.complete(cfg(sim, vendor), req)
    events = list(adapter.stream(cfg(sim, vendor), req))
    assert isinstance(events[-1], Completion)
    return events[-1]


def failure(sim, vendor: str, streamed: bool) -> ProviderError:
    before = len(sim.requests)
    with pytest.raises(ProviderError) as info:
        run(sim, vendor, streamed)
    assert len(sim.requests) - before == 1  # SDK retries stay off
    err = info.value
    assert err.__cause__ is None and err.__context__ is None
    return err


STREAMS = [("plain", False, None), ("streamed", True, None), ("in-stream", True, 1)]

# (vendor, fault, status the SDK sees)
QUOTA = [("openai", {}, 429), ("anthropic", {}, 400), ("anthropic", {"status": 402}, 402), ("gemini", {}, 429)]
TOO_LARGE = [("openai", {}, 429), ("anthropic", {}, 413), ("gemini", {}, 400), ("gemini", {"status": 413}, 413)]


def _ids(cases):
    return [f"{v}-{s}" for v, _, s in cases]


@pytest.mark.parametrize("mode,streamed,after", STREAMS, ids=[s[0] for s in STREAMS])
@pytest.mark.parametrize("vendor,extra,status", QUOTA, ids=_ids(QUOTA))
def test_quota_is_final(sim, vendor, extra, status, mode, streamed, after):
    sim.add_fault(vendor, kind="quota", after=after, **extra)
    err = failure(sim, vendor, streamed)
    assert (err.kind, err.retryable, err.retry_after) == ("quota_exhausted", False, None)
    if after is None:
        assert err.status_code == status


@pytest.mark.parametrize("mode,streamed,after", STREAMS, ids=[s[0] for s in STREAMS])
@pytest.mark.parametrize("vendor,extra,status", TOO_LARGE, ids=_ids(TOO_LARGE))
def test_too_large_is_final(sim, vendor, extra, status, mode, streamed, after):
    sim.add_fault(vendor, kind="too_large", after=after, **extra)
    err = failure(sim, vendor, streamed)
    assert (err.kind, err.retryable, err.retry_after) == ("too_large", False, None)
    if after is None:
        assert err.status_code == status


@pytest.mark.parametrize("mode,streamed,after", STREAMS, ids=[s[0] for s in STREAMS])
def test_gemini_retry_info_sets_retry_after(sim, mode, streamed, after):
    sim.add_fault("gemini", kind="status", status=429, retry_after=7, after=after)
    err = failure(sim, "gemini", streamed)
    assert (err.kind, err.retryable, err.retry_after) == ("rate_limited", True, 7.0)


@pytest.mark.parametrize("mode,streamed,after", STREAMS, ids=[s[0] for s in STREAMS])
def test_gemini_per_day_quota_is_final_despite_retry_info(sim, mode, streamed, after):
    sim.add_fault("gemini", kind="quota", retry_after=5, after=after)
    err = failure(sim, "gemini", streamed)
    assert (err.kind, err.retryable, err.retry_after) == ("quota_exhausted", False, None)


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("status,kind", [(429, "rate_limited"), (529, "server_error")])
def test_anthropic_retry_after_header_is_honoured(sim, status, kind, streamed):
    sim.add_fault("anthropic", kind="status", status=status, retry_after=6)
    err = failure(sim, "anthropic", streamed)
    assert (err.kind, err.retryable, err.retry_after) == (kind, True, 6.0)


# ------------------------------------------------------------------ truncation


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("vendor", VENDORS)
def test_truncate_finishes_with_length(sim, vendor, streamed):
    full = run(sim, vendor, streamed)
    assert full.finish_reason == "stop" and full.text == REPLY
    sim.add_fault(vendor, kind="truncate", after=6)
    cut = run(sim, vendor, streamed)
    assert cut.finish_reason == "length"
    assert cut.text == " ".join(REPLY.split()[:6])
    assert cut.usage.output_tokens == estimate_tokens(cut.text) < full.usage.output_tokens  # usage fits the text
    assert cut.usage.input_tokens == full.usage.input_tokens
    assert sim.requests[-1]["finish"] == "length"


@pytest.mark.parametrize("vendor", VENDORS)
def test_truncate_without_after_stops_at_half_or_max_tokens(sim, vendor):
    sim.add_fault(vendor, kind="truncate")
    half = run(sim, vendor, False)
    assert half.finish_reason == "length" and REPLY.startswith(half.text)
    assert half.usage.output_tokens == estimate_tokens(REPLY) // 2
    sim.add_fault(vendor, kind="truncate", after=20)
    capped = run(sim, vendor, True, text_request(vendor, max_tokens=3))
    assert capped.finish_reason == "length" and capped.usage.output_tokens <= 3
    assert sim.requests[-1]["max_tokens"] == 3


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("vendor", VENDORS)
def test_truncated_json_does_not_parse(vendor, streamed):
    with Simulator() as default_sim:  # the offline engine's real extraction JSON
        default_sim.add_fault(vendor, kind="truncate", after=8)
        req = ChatRequest(task="extract_job", model=MODELS[vendor], system=extract_job.SYSTEM,
                          prompt=extract_job.build_prompt("Data Engineer at Nordwind AG, Hamburg. Spark, SQL."),
                          json_schema=extract_job.JSON_SCHEMA, schema_name="extract_job", max_tokens=2000)
        done = run(default_sim, vendor, streamed, req)
    assert done.finish_reason == "length"
    with pytest.raises(ProviderError) as info:
        extract_job.parse_output(done.text)
    assert info.value.kind == "invalid_output"


# ------------------------------------------------------------ the wire itself


def test_quota_and_too_large_bodies_are_the_vendors_own(sim):
    url = sim.url
    chat = {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}
    sim.add_fault("openai", kind="quota")
    r = httpx.post(f"{url}/v1/chat/completions", json=chat)
    assert r.status_code == 429 and "retry-after" not in r.headers
    assert r.json()["error"]["type"] == r.json()["error"]["code"] == "insufficient_quota"
    assert r.json()["error"]["message"].startswith("You exceeded your current quota, please check your plan")
    sim.add_fault("openai", kind="too_large")
    e = httpx.post(f"{url}/v1/chat/completions", json=chat).json()["error"]
    assert (e["type"], e["code"], e["param"]) == ("tokens", "rate_limit_exceeded", None)
    assert e["message"].startswith("Request too large for gpt-4o in organization org-sim on tokens per min (TPM)")

    msg = {"model": "claude-haiku-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "x"}]}
    sim.add_fault("anthropic", kind="too_large")
    r = httpx.post(f"{url}/v1/messages", json=msg)
    assert r.status_code == 413 and r.json()["error"] == {
        "type": "request_too_large", "message": "Request exceeds the maximum allowed number of bytes."}
    sim.add_fault("anthropic", kind="quota")
    r = httpx.post(f"{url}/v1/messages", json=msg)
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    assert r.json()["error"]["message"].startswith("Your credit balance is too low to access the Anthropic API.")
    sim.add_fault("anthropic", kind="status", status=429, retry_after=6)
    r = httpx.post(f"{url}/v1/messages", json=msg)
    assert r.headers["retry-after"] == "6" and "retry-after-ms" not in r.headers  # what Anthropic sends

    gem = f"{url}/v1beta/models/gemini-2.5-flash:generateContent"
    body = {"contents": [{"parts": [{"text": "x"}]}]}
    sim.add_fault("gemini", kind="quota")
    r = httpx.post(gem, json=body)
    err = r.json()["error"]
    assert r.status_code == 429 and err["status"] == "RESOURCE_EXHAUSTED" and "retry-after" not in r.headers
    types = [d["@type"].rsplit(".", 1)[-1] for d in err["details"]]
    assert types == ["QuotaFailure", "Help", "RetryInfo"]
    assert "PerDay" in err["details"][0]["violations"][0]["quotaId"] and err["details"][2]["retryDelay"] == "23s"
    sim.add_fault("gemini", kind="too_large")
    err = httpx.post(gem, json=body).json()["error"]
    assert (err["code"], err["status"]) == (400, "INVALID_ARGUMENT") and "payload size exceeds" in err["message"]


def test_in_stream_error_events_are_the_vendors_own(sim):
    url = sim.url
    sim.add_fault("openai", kind="quota", after=1)
    with httpx.stream("POST", f"{url}/v1/chat/completions", json={
            "model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "x"}]}) as r:
        frames = [line for line in r.iter_lines() if line.startswith("data: ")]
    assert json.loads(frames[-1][6:])["error"]["code"] == "insufficient_quota"
    sim.add_fault("anthropic", kind="too_large", after=1)
    with httpx.stream("POST", f"{url}/v1/messages", json={
            "model": "claude-haiku-4-5", "max_tokens": 50, "stream": True,
            "messages": [{"role": "user", "content": "x"}]}) as r:
        lines = list(r.iter_lines())
    assert "event: error" in lines
    last = json.loads([x for x in lines if x.startswith("data: ")][-1][6:])
    assert last == {"type": "error", "error": {"type": "request_too_large",
                                               "message": "Request exceeds the maximum allowed number of bytes."}}


def test_truncate_on_the_wire_uses_each_vendors_finish_reason(sim):
    url = sim.url
    for vendor in VENDORS:
        sim.add_fault(vendor, kind="truncate", after=2)
    r = httpx.post(f"{url}/v1/chat/completions", json={"model": "gpt-4o", "messages": [
        {"role": "user", "content": "x"}]}).json()
    assert r["choices"][0]["finish_reason"] == "length" and r["choices"][0]["message"]["content"] == "Dear hiring"
    r = httpx.post(f"{url}/v1/messages", json={"model": "claude-haiku-4-5", "max_tokens": 50,
                                                "messages": [{"role": "user", "content": "x"}]}).json()
    assert r["stop_reason"] == "max_tokens" and r["usage"]["output_tokens"] == estimate_tokens("Dear hiring")
    r = httpx.post(f"{url}/v1beta/models/gemini-2.0-flash:generateContent",
                   json={"contents": [{"parts": [{"text": "x"}]}]}).json()
    assert r["candidates"][0]["finishReason"] == "MAX_TOKENS"


def test_fault_specs_and_control_endpoint_know_the_new_kinds(sim):
    assert parse_fault_spec("openai:quota")[1].kind == "quota"
    vendor, fault, times = parse_fault_spec("anthropic:quota:402:times=2")
    assert (vendor, fault.status, times) == ("anthropic", 402, 2)
    assert parse_fault_spec("gemini:too_large:413")[1].status == 413
    assert parse_fault_spec("openai:truncate:5")[1].after == 5
    assert parse_fault_spec("gemini:quota:after=1:retry_after=3")[1].retry_after == 3.0
    r = httpx.post(f"{sim.url}/_sim/faults", json=[{"vendor": "openai", "kind": "truncate", "after": 3},
                                                   {"vendor": "gemini", "kind": "too_large", "sticky": True}])
    assert r.status_code == 200
    assert r.json()["openai"]["queue"][0] == {"kind": "truncate", "after": 3, "mode": "clean", "times": 1}
    assert r.json()["gemini"]["sticky"]["kind"] == "too_large"


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("structured", [False, True], ids=["text", "structured"])
@pytest.mark.parametrize("vendor", VENDORS)
def test_a_refusal_is_a_content_filter_error_that_is_not_retried(sim, vendor, structured, streamed):
    # OpenAI: finish_reason content_filter, or a structured-output refusal message; Anthropic:
    # stop_reason "refusal"; Gemini: a SAFETY-blocked candidate without content
    sim.add_fault(vendor, kind="refuse")
    req = text_request(vendor)
    if structured:
        req = ChatRequest(**{**req.__dict__, "task": "extract_job", "json_schema": extract_job.SPEC.json_schema,
                             "schema_name": "extract_job"})
    adapter = get_adapter(vendor)
    with pytest.raises(ProviderError) as info:
        if streamed:
            list(adapter.stream(cfg(sim, vendor), req))
        else:
            adapter.complete(cfg(sim, vendor), req)
    err = info.value
    assert (err.kind, err.retryable) == ("content_filter", False)
    assert "declined" in err.message or "content filter" in err.message
    assert sim.requests[-1]["finish"] == "refusal"
