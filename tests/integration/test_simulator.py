"""The simulator against the REAL SDKs (openai, anthropic, google-genai) over
loopback: text, streaming with usage, structured output, images, every fault
kind as the SDK exception it produces, auth and model errors, the control
endpoint and the CLI. No SDK is mocked."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anthropic
import httpx
import httpx2
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as gtypes

from orchestrator.simulator import Simulator, parse_fault_spec
from orchestrator.simulator.engine import conforms, split_chunks, synth
from orchestrator.tasks import extract_job

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
                   "level": {"type": "string", "enum": ["junior", "senior"]}},
    "required": ["name", "tags", "level"],
}
USER = [{"role": "user", "content": "Say hello to the team."}]
REPLY = "Hello team, this is a simulated reply with a handful of words in it."

OPENAI_KEY = "sk-proj-simulatortestkey0000000000001234"
ANTHROPIC_KEY = "sk-ant-api03-simulatortestkey00000005678"
GEMINI_KEY = "AIzaSySimulatorTestKey000000000000009abc"


def _respond(system: str, prompt: str) -> str:
    return REPLY


@pytest.fixture(scope="module")
def sim():
    with Simulator(respond=_respond) as s:
        yield s


@pytest.fixture(autouse=True)
def _clean(sim):
    sim.reset()
    for vendor in ("openai", "anthropic", "gemini"):
        sim.set_valid_keys(vendor, None)
        sim.set_models(vendor, None)
    yield


@pytest.fixture(scope="module")
def oai(sim):
    return openai.OpenAI(base_url=sim.openai_base_url, api_key=OPENAI_KEY, max_retries=0, timeout=5)


@pytest.fixture(scope="module")
def ant(sim):
    return anthropic.Anthropic(base_url=sim.anthropic_base_url, api_key=ANTHROPIC_KEY, max_retries=0, timeout=5)


@pytest.fixture(scope="module")
def gem(sim):
    return genai.Client(api_key=GEMINI_KEY, http_options=gtypes.HttpOptions(base_url=sim.gemini_base_url, timeout=5000))


def _gem(sim, timeout_ms: int = 5000, api_version: str | None = None, key: str = GEMINI_KEY) -> genai.Client:
    return genai.Client(api_key=key, http_options=gtypes.HttpOptions(
        base_url=sim.gemini_base_url, timeout=timeout_ms, api_version=api_version))


# ---------------------------------------------------------------- OpenAI


def test_openai_text_and_usage(oai):
    r = oai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "system", "content": "Be kind."}, *USER])
    assert r.choices[0].message.content == REPLY
    assert r.choices[0].finish_reason == "stop"
    assert r.model == "gpt-4o-mini"
    u = r.usage
    assert u.prompt_tokens > 0 and u.completion_tokens > 0
    assert u.total_tokens == u.prompt_tokens + u.completion_tokens
    assert u.prompt_tokens_details.cached_tokens == 0
    assert u.completion_tokens_details.reasoning_tokens == 0


def test_openai_stream_with_usage_and_reasoning(oai):
    chunks = list(oai.chat.completions.create(
        model="o4-mini", messages=USER, stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == REPLY
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert last.usage.completion_tokens_details.reasoning_tokens > 0
    assert last.usage.completion_tokens > last.usage.completion_tokens_details.reasoning_tokens


def _screenshot() -> bytes:
    from tests.fixtures.screenshots.render import screenshot

    return screenshot("terse_go_backend")


def test_openai_structured_output_and_image(oai):
    shot = base64.b64encode(_screenshot()).decode()
    content = [{"type": "text", "text": extract_job.build_prompt(None, has_image=True)},
               {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{shot}"}}]
    r = oai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "system", "content": extract_job.SYSTEM},
                                       {"role": "user", "content": content}],
        response_format={"type": "json_schema", "json_schema": {
            "name": "job_posting", "schema": extract_job.JSON_SCHEMA, "strict": True}})
    assert conforms(json.loads(r.choices[0].message.content), extract_job.JSON_SCHEMA)  # scripted text: shape only
    assert r.usage.prompt_tokens >= 1100


def test_openai_prompt_cache_reports_cached_tokens(oai):
    msgs = [{"role": "system", "content": "You write CVs. " * 20}, *USER]
    first = oai.chat.completions.create(model="gpt-4o", messages=msgs)
    second = oai.chat.completions.create(model="gpt-4o", messages=msgs)
    assert first.usage.prompt_tokens_details.cached_tokens == 0
    assert 0 < second.usage.prompt_tokens_details.cached_tokens <= second.usage.prompt_tokens


def test_openai_status_queue_then_ok_with_retry_after(sim, oai):
    sim.add_fault("openai", kind="status", status=429, times=2, retry_after=2)
    for _ in range(2):
        with pytest.raises(openai.RateLimitError) as exc:
            oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
        assert exc.value.response.headers["retry-after"] == "2"
        assert exc.value.code == "rate_limit_exceeded"
    assert oai.chat.completions.create(model="gpt-4o-mini", messages=USER).choices[0].message.content
    assert [e["status"] for e in sim.requests] == [429, 429, 200]


def test_openai_503_and_model_filter(sim, oai):
    sim.add_fault("openai", kind="status", status=503, model="gpt-4o")
    oai.chat.completions.create(model="gpt-4o-mini", messages=USER)  # not matched
    with pytest.raises(openai.InternalServerError):
        oai.chat.completions.create(model="gpt-4o", messages=USER)


def test_openai_timeout_reset_latency(sim, oai):
    fast = oai.with_options(timeout=0.3)
    sim.add_fault("openai", kind="timeout")
    with pytest.raises(openai.APITimeoutError):
        fast.chat.completions.create(model="gpt-4o-mini", messages=USER)
    sim.add_fault("openai", kind="reset")
    with pytest.raises(openai.APIConnectionError) as exc:
        oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert not isinstance(exc.value, openai.APITimeoutError)
    sim.add_fault("openai", kind="latency", seconds=0.2)
    t0 = time.monotonic()
    oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert time.monotonic() - t0 >= 0.2


def test_openai_malformed_and_schema_invalid(sim, oai):
    sim.add_fault("openai", kind="malformed_json")
    with pytest.raises(json.JSONDecodeError):
        oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    sim.add_fault("openai", kind="malformed_json")
    with pytest.raises(json.JSONDecodeError):
        list(oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True))
    sim.add_fault("openai", kind="schema_invalid")
    r = oai.chat.completions.create(model="gpt-4o-mini", messages=USER, response_format={
        "type": "json_schema", "json_schema": {"name": "x", "schema": SCHEMA}})
    assert json.loads(r.choices[0].message.content) == {"foo": 1}


def test_openai_stream_cut_clean_and_abrupt(sim, oai):
    sim.add_fault("openai", kind="stream_cut", after=2)
    chunks = list(oai.chat.completions.create(
        model="gpt-4o-mini", messages=USER, stream=True, stream_options={"include_usage": True}))
    assert all(c.choices and c.choices[0].finish_reason is None for c in chunks)
    assert all(c.usage is None for c in chunks)
    sim.add_fault("openai", kind="stream_cut", mode="abrupt")
    with pytest.raises(openai.APIConnectionError):
        list(oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True))
    sim.add_fault("openai", kind="status", status=500, after=1)
    with pytest.raises(openai.APIError):
        list(oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True))


def test_openai_auth_and_unknown_model(sim, oai):
    sim.set_valid_keys("openai", ["sk-proj-the-right-one-000000000000"])
    with pytest.raises(openai.AuthenticationError) as exc:
        oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert exc.value.code == "invalid_api_key"
    assert OPENAI_KEY[:8] in str(exc.value) and OPENAI_KEY[-4:] in str(exc.value)  # echoed, like the real API
    sim.set_valid_keys("openai", None)
    sim.set_models("openai", ["gpt-4o-mini"])
    with pytest.raises(openai.NotFoundError) as nf:
        oai.chat.completions.create(model="gpt-9", messages=USER)
    assert nf.value.code == "model_not_found"
    assert [m.id for m in oai.models.list()] == ["gpt-4o-mini"]


# ------------------------------------------------------------- Anthropic


def test_anthropic_text_and_stream_events(ant):
    m = ant.messages.create(model="claude-haiku-4-5", max_tokens=500, system="Be kind.", messages=USER)
    assert m.content[0].text == REPLY and m.stop_reason == "end_turn"
    assert m.usage.input_tokens > 0 and m.usage.output_tokens > 0
    events = list(ant.messages.create(model="claude-haiku-4-5", max_tokens=500, messages=USER, stream=True))
    types = [e.type for e in events]
    assert types[:2] == ["message_start", "content_block_start"]
    assert types[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert events[0].message.usage.input_tokens > 0
    assert events[-2].delta.stop_reason == "end_turn" and events[-2].usage.output_tokens == m.usage.output_tokens
    with ant.messages.stream(model="claude-haiku-4-5", max_tokens=500, messages=USER) as stream:
        assert "".join(stream.text_stream) == REPLY
        assert stream.get_final_message().stop_reason == "end_turn"


def test_anthropic_forced_tool_image_and_cache(ant):
    content = [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
               {"type": "text", "text": "Extract."}]
    system = [{"type": "text", "text": "You extract. " * 20, "cache_control": {"type": "ephemeral"}}]
    kwargs = dict(model="claude-sonnet-4-6", max_tokens=800, system=system,
                  messages=[{"role": "user", "content": content}],
                  tools=[{"name": "record", "description": "Record it.", "input_schema": SCHEMA}],
                  tool_choice={"type": "tool", "name": "record"})
    first = ant.messages.create(**kwargs)
    block = first.content[0]
    assert block.type == "tool_use" and block.name == "record" and first.stop_reason == "tool_use"
    assert conforms(block.input, SCHEMA)
    assert first.usage.input_tokens >= 1100 and first.usage.cache_creation_input_tokens > 0
    with ant.messages.stream(**kwargs) as stream:
        final = stream.get_final_message()
    assert final.content[0].input == block.input
    assert final.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert final.usage.input_tokens == first.usage.input_tokens  # excludes cache reads and writes


def test_anthropic_errors(sim, ant):
    sim.add_fault("anthropic", kind="status", status=529)
    with pytest.raises(anthropic.OverloadedError) as over:
        ant.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=USER)
    assert over.value.type == "overloaded_error"
    sim.add_fault("anthropic", kind="status", status=429, retry_after=3)
    with pytest.raises(anthropic.RateLimitError) as rl:
        ant.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=USER)
    assert rl.value.response.headers["retry-after"] == "3"
    assert rl.value.body["error"]["type"] == "rate_limit_error"
    sim.add_fault("anthropic", kind="timeout")
    with pytest.raises(anthropic.APITimeoutError):
        ant.with_options(timeout=0.3).messages.create(model="claude-haiku-4-5", max_tokens=50, messages=USER)
    sim.add_fault("anthropic", kind="reset")
    with pytest.raises(anthropic.APIConnectionError):
        ant.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=USER)
    sim.set_valid_keys("anthropic", "sk-ant-other")
    with pytest.raises(anthropic.AuthenticationError) as auth:
        ant.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=USER)
    assert auth.value.type == "authentication_error"
    sim.set_valid_keys("anthropic", None)
    sim.set_models("anthropic", ["claude-haiku-4-5"])
    with pytest.raises(anthropic.NotFoundError):
        ant.messages.create(model="claude-nope", max_tokens=50, messages=USER)


def test_anthropic_stream_faults(sim, ant):
    sim.add_fault("anthropic", kind="stream_cut")
    with ant.messages.stream(model="claude-haiku-4-5", max_tokens=500, messages=USER) as stream:
        partial = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert partial and partial != REPLY and final.stop_reason is None
    sim.add_fault("anthropic", kind="stream_cut", mode="abrupt")
    with pytest.raises(httpx2.TransportError):  # the anthropic SDK does not wrap mid-stream transport errors
        list(ant.messages.create(model="claude-haiku-4-5", max_tokens=500, messages=USER, stream=True))
    sim.add_fault("anthropic", kind="malformed_json")
    with pytest.raises(json.JSONDecodeError):
        list(ant.messages.create(model="claude-haiku-4-5", max_tokens=500, messages=USER, stream=True))
    sim.add_fault("anthropic", kind="status", status=529, after=1)
    with pytest.raises(anthropic.APIStatusError) as mid:
        list(ant.messages.create(model="claude-haiku-4-5", max_tokens=500, messages=USER, stream=True))
    assert mid.value.body["error"]["type"] == "overloaded_error"


# ---------------------------------------------------------------- Gemini


def test_gemini_text_stream_and_usage(sim, gem):
    r = gem.models.generate_content(model="gemini-2.5-flash", contents="Hello",
                                    config=gtypes.GenerateContentConfig(system_instruction="Be kind."))
    assert r.text == REPLY and r.candidates[0].finish_reason == gtypes.FinishReason.STOP
    u = r.usage_metadata
    assert u.prompt_token_count > 0 and u.candidates_token_count > 0 and u.thoughts_token_count > 0
    assert u.total_token_count == u.prompt_token_count + u.candidates_token_count + u.thoughts_token_count
    chunks = list(gem.models.generate_content_stream(model="gemini-2.0-flash", contents="Hello"))
    assert "".join(c.text or "" for c in chunks) == REPLY
    assert chunks[-1].candidates[0].finish_reason == gtypes.FinishReason.STOP
    assert chunks[-1].usage_metadata.candidates_token_count > 0
    assert chunks[-1].usage_metadata.thoughts_token_count is None  # not a thinking model
    assert sim.requests[-1]["path"] == "/v1/models/gemini-2.0-flash:streamGenerateContent"


def test_gemini_structured_image_cache_and_v1beta(sim):
    client = _gem(sim, api_version="v1beta")
    config = gtypes.GenerateContentConfig(system_instruction="You extract. " * 20,
                                          response_mime_type="application/json", response_json_schema=SCHEMA)
    contents = [gtypes.Part.from_bytes(data=PNG, mime_type="image/png"), "Extract."]
    first = client.models.generate_content(model="gemini-2.5-pro", contents=contents, config=config)
    assert conforms(json.loads(first.text), SCHEMA) and first.parsed
    assert first.usage_metadata.prompt_token_count >= 1100
    assert first.usage_metadata.cached_content_token_count is None
    second = client.models.generate_content(model="gemini-2.5-pro", contents=contents, config=config)
    assert second.usage_metadata.cached_content_token_count > 0
    assert sim.requests[-1]["path"].startswith("/v1beta/models/")
    typed = client.models.generate_content(model="gemini-2.5-flash", contents="x", config=gtypes.GenerateContentConfig(
        response_mime_type="application/json", response_schema=extract_job.JSON_SCHEMA))
    assert conforms(json.loads(typed.text), extract_job.JSON_SCHEMA)  # "x" holds no posting: only the shape



def test_gemini_errors(sim):
    client = _gem(sim, timeout_ms=300)
    sim.add_fault("gemini", kind="status", status=429, retry_after=7)
    with pytest.raises(genai_errors.ClientError) as rl:
        client.models.generate_content(model="gemini-2.5-flash", contents="x")
    assert rl.value.code == 429 and rl.value.status == "RESOURCE_EXHAUSTED"
    assert "retry-after" not in rl.value.response.headers  # Gemini says when in the body, not a header
    assert rl.value.details["error"]["details"][0]["retryDelay"] == "7s"
    assert "PerMinute" in rl.value.details["error"]["details"][1]["violations"][0]["quotaId"]
    sim.add_fault("gemini", kind="status", status=503)
    with pytest.raises(genai_errors.ServerError):
        client.models.generate_content(model="gemini-2.5-flash", contents="x")
    sim.add_fault("gemini", kind="timeout")
    with pytest.raises(httpx2.TimeoutException):  # google-genai raises raw httpx2 timeouts
        client.models.generate_content(model="gemini-2.5-flash", contents="x")
    sim.add_fault("gemini", kind="reset")
    with pytest.raises(httpx2.TransportError):
        client.models.generate_content(model="gemini-2.5-flash", contents="x")
    sim.add_fault("gemini", kind="malformed_json")
    with pytest.raises(json.JSONDecodeError):
        client.models.generate_content(model="gemini-2.5-flash", contents="x")
    sim.add_fault("gemini", kind="malformed_json")
    with pytest.raises(genai_errors.UnknownApiResponseError):
        list(client.models.generate_content_stream(model="gemini-2.5-flash", contents="x"))
    sim.add_fault("gemini", kind="status", status=503, after=1)
    with pytest.raises(genai_errors.ServerError):
        list(client.models.generate_content_stream(model="gemini-2.5-flash", contents="x"))
    sim.add_fault("gemini", kind="stream_cut")
    chunks = list(client.models.generate_content_stream(model="gemini-2.5-flash", contents="x"))
    assert chunks and all(c.candidates[0].finish_reason is None and c.usage_metadata is None for c in chunks)


def test_gemini_auth_and_unknown_model(sim):
    client = _gem(sim)  # keep a reference: a collected genai.Client closes its HTTP client
    sim.set_valid_keys("gemini", ["AIzaSyTheRightOne"])
    with pytest.raises(genai_errors.ClientError) as bad:
        client.models.generate_content(model="gemini-2.5-flash", contents="x")
    assert bad.value.code == 400 and bad.value.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    url = f"{sim.url}/v1beta/models/gemini-2.5-flash:generateContent"
    body = {"contents": [{"role": "user", "parts": [{"text": "x"}]}]}
    assert httpx.post(url, json=body).status_code == 403  # no key at all
    ok = httpx.post(url + "?key=AIzaSyTheRightOne", json=body)  # key in the query string works too
    assert ok.status_code == 200 and ok.json()["candidates"][0]["finishReason"] == "STOP"
    sim.set_valid_keys("gemini", None)
    sim.set_models("gemini", ["gemini-2.5-flash"])
    with pytest.raises(genai_errors.ClientError) as nf:
        client.models.generate_content(model="gemini-9", contents="x")
    assert nf.value.code == 404 and nf.value.status == "NOT_FOUND"
    assert [m.name for m in client.models.list()] == ["models/gemini-2.5-flash"]


# ------------------------------------------------------ control and misc


def test_control_endpoint_and_log_never_holds_keys(sim, oai, ant, gem):
    faults = [{"vendor": "openai", "kind": "status", "status": 502, "times": 1},
              {"vendor": "gemini", "kind": "latency", "seconds": 0.01, "sticky": True}]
    r = httpx.post(f"{sim.url}/_sim/faults", json=faults)
    assert r.status_code == 200 and r.json()["openai"]["queue"][0]["status"] == 502
    assert httpx.get(f"{sim.url}/_sim/faults").json()["gemini"]["sticky"]["kind"] == "latency"
    with pytest.raises(openai.InternalServerError):
        oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    ant.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=USER)
    gem.models.generate_content(model="gemini-2.5-flash", contents="x")
    httpx.post(f"{sim.url}/v1beta/models/gemini-2.5-flash:generateContent?key={GEMINI_KEY}",
               json={"contents": [{"parts": [{"text": "x"}]}]})
    log = httpx.get(f"{sim.url}/_sim/requests").json()["requests"]
    assert [(e["vendor"], e["status"], e["fault"]) for e in log] == [
        ("openai", 502, "status"), ("anthropic", 200, None), ("gemini", 200, "latency"), ("gemini", 200, "latency")]
    text = json.dumps(log)
    for key in (OPENAI_KEY, ANTHROPIC_KEY, GEMINI_KEY, GEMINI_KEY[-8:], "key="):
        assert key not in text
    assert httpx.post(f"{sim.url}/_sim/reset").json() == {"ok": True}
    assert sim.requests == [] and sim.faults["gemini"]["sticky"] is None
    assert httpx.post(f"{sim.url}/_sim/faults", json={"vendor": "x", "kind": "reset"}).status_code == 400


def test_sticky_fault_until_cleared(sim, oai):
    sim.set_sticky_fault("openai", kind="status", status=500)
    for _ in range(3):
        with pytest.raises(openai.InternalServerError):
            oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    sim.clear_faults("openai")
    assert oai.chat.completions.create(model="gpt-4o-mini", messages=USER).choices


def test_concurrent_requests(sim, oai, ant, gem):
    sim.add_fault("openai", kind="latency", seconds=0.2, times=8)

    def one(i: int) -> str:
        if i % 3 == 0:
            return oai.chat.completions.create(model="gpt-4o-mini", messages=USER).choices[0].message.content
        if i % 3 == 1:
            with ant.messages.stream(model="claude-haiku-4-5", max_tokens=500, messages=USER) as s:
                return "".join(s.text_stream)
        return "".join(c.text or "" for c in gem.models.generate_content_stream(model="gemini-2.5-flash", contents="x"))

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(one, range(24)))
    assert results == [REPLY] * 24
    assert time.monotonic() - t0 < 1.5  # the 0.2 s latencies overlap


def test_max_tokens_truncates_with_each_vendors_finish_reason(sim, oai, ant, gem):
    r = oai.chat.completions.create(model="gpt-4o-mini", messages=USER, max_completion_tokens=3)
    assert r.choices[0].finish_reason == "length" and r.usage.completion_tokens == 3
    m = ant.messages.create(model="claude-haiku-4-5", max_tokens=3, messages=USER)
    assert m.stop_reason == "max_tokens" and m.usage.output_tokens == 3
    g = gem.models.generate_content(model="gemini-2.0-flash", contents="x",
                                    config=gtypes.GenerateContentConfig(max_output_tokens=3))
    assert g.candidates[0].finish_reason == gtypes.FinishReason.MAX_TOKENS


def test_default_content_comes_from_the_offline_engine():
    """Without ``respond`` the simulator asks ``orchestrator.offline.respond``:
    structured requests always get schema-valid JSON, drafts get Markdown."""
    from orchestrator.schemas import DraftOptions
    from orchestrator.tasks import draft_cv

    with Simulator() as default_sim:
        client = openai.OpenAI(base_url=default_sim.openai_base_url, api_key="sk-x", max_retries=0, timeout=10)
        posting = "Senior Python Engineer at Acme GmbH, Berlin (hybrid). 70,000-85,000 EUR per year."
        r = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "system", "content": extract_job.SYSTEM},
                      {"role": "user", "content": extract_job.build_prompt(posting)}],
            response_format={"type": "json_schema", "json_schema": {"name": "job", "schema": extract_job.JSON_SCHEMA}})
        job = extract_job.parse_output(r.choices[0].message.content)
        assert job.title
        prompt = draft_cv.build_prompt(_profile(), job, DraftOptions())
        stream = client.chat.completions.create(
            model="gpt-4o-mini", stream=True,
            messages=[{"role": "system", "content": draft_cv.SYSTEM}, {"role": "user", "content": prompt}])
        assert len("".join(c.choices[0].delta.content or "" for c in stream if c.choices).strip()) >= 20


def _profile():
    from orchestrator.schemas import Profile

    return Profile(name="Ada Lovelace", summary="Python engineer.", skills=["Python", "SQL"])


def test_schema_helpers_and_chunks():
    assert conforms(synth(extract_job.JSON_SCHEMA), extract_job.JSON_SCHEMA)
    assert not conforms({"foo": 1}, SCHEMA)
    assert "".join(split_chunks(REPLY)) == REPLY and len(split_chunks(REPLY)) > 3
    vendor, fault, times = parse_fault_spec("openai:status:429:1.5:times=2:model=gpt-4o*")
    assert (vendor, fault.status, fault.retry_after, fault.model, times) == ("openai", 429, 1.5, "gpt-4o*", 2)
    assert parse_fault_spec("gemini:stream_cut:3:abrupt")[1].mode == "abrupt"
    assert parse_fault_spec("anthropic:latency:0.5")[2] is None  # sticky
    with pytest.raises(ValueError):
        parse_fault_spec("openai:explode")


def test_cli_serves_and_prints_base_urls():
    root = Path(__file__).resolve().parents[2]
    code = ("import sys; from orchestrator.simulator import main; "
            "sys.exit(main(['--port', '0', '--fault', 'openai:status:503', '--valid-key', 'gemini=AIzaX']))")
    with subprocess.Popen([sys.executable, "-c", code], cwd=root, stdout=subprocess.PIPE, text=True) as proc:
        try:
            lines = [proc.stdout.readline() for _ in range(4)]
            url = lines[0].split()[3]
            assert lines[1].split()[-1] == url + "/v1" and "Gemini" in lines[3]
            r = httpx.post(url + "/v1/chat/completions", json={"model": "m", "messages": USER})
            assert r.status_code == 503 and r.json()["error"]["type"] == "server_error"
            g = httpx.post(url + "/v1beta/models/gemini-2.5-flash:generateContent",
                           json={"contents": [{"parts": [{"text": "x"}]}]}, headers={"x-goog-api-key": "wrong"})
            assert g.status_code == 400
        finally:
            proc.terminate()
            proc.wait(timeout=5)


def test_reply_fault_scripts_the_answer_for_each_vendor_plain_and_streamed(sim, oai, ant, gem):
    """``reply`` answers with the scripted text (usage counted, finish "stop"), for ``times`` requests;
    set by the control endpoint or the CLI form, whose text may hold colons."""
    scripted = "# Jane Doe\n\n### Engineer — Initech (2019 – 2020): invented on purpose"
    r = httpx.post(f"{sim.url}/_sim/faults", json={"vendor": "openai", "kind": "reply", "text": scripted, "times": 2})
    assert r.status_code == 200 and r.json()["openai"]["queue"][0] == {
        "kind": "reply", "mode": "clean", "text": scripted, "times": 2}
    plain = oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert plain.choices[0].message.content == scripted and plain.choices[0].finish_reason == "stop"
    assert plain.usage.completion_tokens > 0
    streamed = oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == scripted
    assert oai.chat.completions.create(model="gpt-4o-mini", messages=USER).choices[0].message.content == REPLY
    sim.add_fault("anthropic", kind="reply", text=scripted)
    assert ant.messages.create(model="claude-haiku-4-5", max_tokens=500, messages=USER).content[0].text == scripted
    sim.add_fault("gemini", kind="reply", text=scripted)
    assert gem.models.generate_content(model="gemini-2.5-flash", contents="x").text == scripted
    vendor, fault, times = parse_fault_spec("openai:reply:times=3:text=a: b: c")
    assert (vendor, fault.kind, fault.text, times) == ("openai", "reply", "a: b: c", 3)
    for bad in ({"vendor": "openai", "kind": "reply"}, {"vendor": "openai", "kind": "status", "text": "x"}):
        assert httpx.post(f"{sim.url}/_sim/faults", json=bad).status_code == 400


def test_simulated_vision_models_read_screenshots_in_all_three_wire_formats():
    """With the default responder the simulator reads an image with the offline engine's OCR, as a
    vision model would: the same screenshot gives the same posting through each vendor's format."""
    shot = _screenshot()
    prompt = extract_job.build_prompt(None, has_image=True)
    with Simulator() as vs:
        oai_client = openai.OpenAI(base_url=vs.openai_base_url, api_key=OPENAI_KEY, max_retries=0, timeout=60)
        url = "data:image/png;base64," + base64.b64encode(shot).decode()
        r = oai_client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "system", "content": extract_job.SYSTEM}, {"role": "user", "content": [
                {"type": "text", "text": prompt}, {"type": "image_url", "image_url": {"url": url}}]}],
            response_format={"type": "json_schema", "json_schema": {
                "name": "job_posting", "schema": extract_job.JSON_SCHEMA, "strict": True}})
        via_openai = extract_job.parse_output(r.choices[0].message.content)
        ant_client = anthropic.Anthropic(base_url=vs.anthropic_base_url, api_key=ANTHROPIC_KEY, max_retries=0,
                                         timeout=60)
        m = ant_client.messages.create(model="claude-haiku-4-5", max_tokens=2000, system=extract_job.SYSTEM,
                                       messages=[{"role": "user", "content": [
                                           {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                                        "data": base64.b64encode(shot).decode()}},
                                           {"type": "text", "text": prompt}]}])
        via_anthropic = m.content[0].text
        gem = _gem(vs, timeout_ms=60_000, api_version="v1beta")
        g = gem.models.generate_content(
            model="gemini-2.5-flash", contents=[gtypes.Part.from_bytes(data=shot, mime_type="image/png"), prompt],
            config=gtypes.GenerateContentConfig(system_instruction=extract_job.SYSTEM,
                                                response_mime_type="application/json",
                                                response_json_schema=extract_job.JSON_SCHEMA))
        via_gemini = extract_job.parse_output(g.text)
    assert "Go" in via_openai.title and via_openai.skills
    assert via_gemini.title == via_openai.title and via_gemini.skills == via_openai.skills
    assert via_openai.title in via_anthropic
