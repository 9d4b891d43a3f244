"""The Anthropic adapter driving the real ``anthropic`` SDK against the loopback simulator."""

from __future__ import annotations

import logging
import socket
import time
import traceback
from types import SimpleNamespace

import pytest

from orchestrator.errors import ProviderError
from orchestrator.providers.anthropic import AnthropicAdapter, _usage
from orchestrator.providers.base import ChatRequest, Completion, ImageInput, ProviderConfig
from orchestrator.simulator import Simulator
from orchestrator.tasks import extract_job

KEY = "sk-ant-api03-GoodKey0123456789abcdefghijklmnopqrstuv"
BAD_KEY = "sk-ant-api03-BadKey9876543210zyxwvutsrqponmlkjihgfe"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def sim():
    s = Simulator().start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _clean(sim):
    sim.clear_faults()
    yield
    sim.clear_faults()


@pytest.fixture(scope="module")
def adapter():
    return AnthropicAdapter()


def cfg(sim, key=KEY, timeout=5.0):
    return ProviderConfig(name="claude", kind="anthropic", base_url=sim.anthropic_base_url, api_key=key,
                          timeout_s=timeout)


def text_request(model="claude-haiku-4-5", **kw):
    base = dict(task="draft_cv", model=model, system="You write short answers.",
                prompt="Say hello to the tester in one sentence.", max_tokens=400)
    base.update(kw)
    return ChatRequest(**base)


def extract_request(model="claude-haiku-4-5"):
    return ChatRequest(task="extract_job", model=model, system=extract_job.SYSTEM,
                       prompt=extract_job.build_prompt("Data Engineer at Nordwind AG, Hamburg, remote. "
                                                       "Spark, Airflow, SQL. 65-80k EUR."),
                       json_schema=extract_job.JSON_SCHEMA, schema_name="extract_job", max_tokens=2000)


def drain(events):
    events = list(events)
    assert events and isinstance(events[-1], Completion)
    assert all(isinstance(e, str) for e in events[:-1])
    return events[:-1], events[-1]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------- happy paths


def test_text(sim, adapter):
    done = adapter.complete(cfg(sim), text_request())
    assert done.text.strip()
    assert done.finish_reason == "stop"
    assert done.usage.input_tokens > 0 and done.usage.output_tokens > 0
    assert done.model == "claude-haiku-4-5"


def test_image_sent_as_base64_block(sim, adapter):
    done = adapter.complete(cfg(sim), text_request(images=(ImageInput(PNG, "image/png"),)))
    assert done.finish_reason == "stop"
    assert sim.requests[-1]["images"] == 1
    assert done.usage.input_tokens > 1000


def test_stream_yields_deltas_then_one_completion_with_same_usage(sim, adapter):
    request = text_request()
    plain = adapter.complete(cfg(sim), request)
    deltas, final = drain(adapter.stream(cfg(sim), request))
    assert len(deltas) >= 2
    assert "".join(deltas) == final.text == plain.text
    assert final.finish_reason == "stop"
    assert final.usage == plain.usage


def test_structured_extraction_via_forced_tool(sim, adapter):
    params = adapter._params(extract_request())
    assert params["tool_choice"] == {"type": "tool", "name": "extract_job"}
    assert params["tools"][0]["input_schema"] == extract_job.JSON_SCHEMA
    done = adapter.complete(cfg(sim), extract_request())
    assert done.finish_reason == "stop"
    assert extract_job.parse_output(done.text).title
    deltas, final = drain(adapter.stream(cfg(sim), extract_request()))
    assert "".join(deltas) == final.text  # the tool input's partial JSON, accumulated
    assert final.finish_reason == "stop"
    assert extract_job.parse_output(final.text).title
    assert final.usage == done.usage


def test_schema_invalid_output_is_returned_and_rejected_by_parse(sim, adapter):
    sim.add_fault("anthropic", kind="schema_invalid")
    done = adapter.complete(cfg(sim), extract_request())
    with pytest.raises(ProviderError) as info:
        extract_job.parse_output(done.text)
    assert info.value.kind == "invalid_output"


def test_usage_adds_cache_reads_and_writes_to_input():
    start = SimpleNamespace(input_tokens=10, cache_read_input_tokens=300, cache_creation_input_tokens=50,
                            output_tokens=1)
    assert _usage(start).as_dict() == {"input_tokens": 360, "output_tokens": 1, "cached_tokens": 300,
                                       "cache_write_tokens": 50, "reasoning_tokens": 0}
    delta = SimpleNamespace(input_tokens=None, cache_read_input_tokens=None, cache_creation_input_tokens=None,
                            output_tokens=42)
    assert _usage(delta, start=start).as_dict() == {"input_tokens": 360, "output_tokens": 42,
                                                    "cached_tokens": 300, "cache_write_tokens": 50,
                                                    "reasoning_tokens": 0}


# -------------------------------------------------------------------- errors

ERROR_CASES = [
    (dict(kind="status", status=429, retry_after=4), "rate_limited", True, 4.0, 429),
    (dict(kind="status", status=500), "server_error", True, None, 500),
    (dict(kind="status", status=503), "server_error", True, None, 503),
    (dict(kind="status", status=529), "server_error", True, None, 529),
    (dict(kind="status", status=408), "timeout", True, None, 408),
    (dict(kind="status", status=400), "bad_request", False, None, 400),
    (dict(kind="status", status=401), "auth", False, None, 401),
    (dict(kind="status", status=403), "auth", False, None, 403),
    (dict(kind="status", status=404), "not_found", False, None, 404),
    (dict(kind="malformed_json"), "server_error", True, None, None),
    (dict(kind="reset"), "unreachable", True, None, None),
    (dict(kind="timeout", seconds=3), "timeout", True, None, None),
]


@pytest.mark.parametrize("fault,kind,retryable,retry_after,status", ERROR_CASES,
                         ids=[f"{c[0]['kind']}-{c[0].get('status', '')}" for c in ERROR_CASES])
def test_error_mapping(sim, adapter, fault, kind, retryable, retry_after, status):
    sim.add_fault("anthropic", **fault)
    before = len(sim.requests)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, timeout=0.5), text_request())
    err = info.value
    assert (err.kind, err.retryable, err.retry_after, err.status_code) == (kind, retryable, retry_after, status)
    assert err.provider == "claude" and err.model == "claude-haiku-4-5"
    assert err.__cause__ is None and err.__context__ is None
    assert len(sim.requests) - before == 1  # SDK retries are off
    assert time.monotonic() - started < 3


def test_connection_refused_is_unreachable(adapter):
    config = ProviderConfig("claude", "anthropic", f"http://127.0.0.1:{closed_port()}", KEY, 2)
    with pytest.raises(ProviderError) as info:
        adapter.complete(config, text_request())
    assert info.value.kind == "unreachable" and info.value.retryable


def test_invalid_key_is_auth(sim, adapter):
    sim.set_valid_keys("anthropic", KEY)
    try:
        with pytest.raises(ProviderError) as info:
            adapter.complete(cfg(sim, key=BAD_KEY), text_request())
    finally:
        sim.set_valid_keys("anthropic", None)
    assert (info.value.kind, info.value.retryable, info.value.status_code) == ("auth", False, 401)


def test_missing_key_is_auth_without_reading_env(sim, adapter, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, key=None), text_request())
    assert info.value.kind == "auth"


# ------------------------------------------------------------------- streams


def test_stream_cut_clean_ends_without_finish_reason(sim, adapter):
    sim.add_fault("anthropic", kind="stream_cut", after=2)
    deltas, final = drain(adapter.stream(cfg(sim), text_request()))
    assert len(deltas) == 2
    assert final.finish_reason is None


def test_stream_cut_abrupt_is_stream_broken(sim, adapter):
    sim.add_fault("anthropic", kind="stream_cut", after=2, mode="abrupt")
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim), text_request()))
    assert info.value.kind == "stream_broken" and info.value.retryable


def test_stream_malformed_event_is_stream_broken(sim, adapter):
    sim.add_fault("anthropic", kind="malformed_json", after=1)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim), text_request()))
    assert info.value.kind == "stream_broken"


def test_stream_overloaded_event_mid_stream(sim, adapter):
    sim.add_fault("anthropic", kind="status", status=529, after=2)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim), text_request()))
    assert info.value.kind == "server_error" and info.value.retryable


def test_stream_stall_times_out(sim, adapter):
    sim.add_fault("anthropic", kind="timeout", after=1, seconds=3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim, timeout=0.5), text_request()))
    assert info.value.kind == "timeout"
    assert time.monotonic() - started < 3


# ------------------------------------------------------------ clients, keys


def test_client_reused_per_config_and_key(sim, adapter):
    req = text_request()
    one = adapter._client(cfg(sim), req)
    assert adapter._client(cfg(sim), req) is one
    assert adapter._client(cfg(sim, key=BAD_KEY), req) is not one
    assert one.max_retries == 0
    assert str(one.base_url).rstrip("/") == sim.anthropic_base_url


def test_env_base_url_cannot_redirect(sim, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{closed_port()}")
    assert AnthropicAdapter().complete(cfg(sim), text_request()).finish_reason == "stop"


def test_key_never_leaks(sim, adapter, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("anthropic", "httpx", "httpx2", "httpcore", "httpcore2"):
        caplog.set_level(logging.DEBUG, logger=name)
    sim.add_fault("anthropic", kind="status", status=400, message=f"x-api-key {BAD_KEY} is malformed")
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, key=BAD_KEY), text_request())
    err = info.value
    assert err.kind == "bad_request" and "[redacted]" in str(err)
    sim.add_fault("anthropic", kind="reset")
    with pytest.raises(ProviderError) as info2:
        adapter.complete(cfg(sim, key=BAD_KEY), text_request())
    for e in (err, info2.value):
        for text in (str(e), repr(e), "".join(traceback.format_exception(e))):
            assert BAD_KEY not in text
    assert BAD_KEY not in caplog.text
