"""The Gemini adapter driving the real ``google-genai`` SDK against the loopback simulator."""

from __future__ import annotations

import logging
import socket
import time
import traceback

import pytest

from orchestrator.errors import ProviderError
from orchestrator.providers.base import ChatRequest, Completion, ImageInput, ProviderConfig
from orchestrator.providers.gemini import GeminiAdapter
from orchestrator.simulator import Simulator
from orchestrator.tasks import extract_job

KEY = "AIzaSyGoodKey0123456789abcdefghijklmnop"
BAD_KEY = "AIzaSyBadKey9876543210zyxwvutsrqponmlk"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def sim():
    s = Simulator(valid_keys={"gemini": KEY}).start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _clean(sim):
    sim.clear_faults()
    yield
    sim.clear_faults()


@pytest.fixture(scope="module")
def adapter():
    return GeminiAdapter()


def cfg(sim, key=KEY, timeout=5.0):
    return ProviderConfig(name="gemini-main", kind="gemini", base_url=sim.gemini_base_url, api_key=key,
                          timeout_s=timeout)


def text_request(model="gemini-2.0-flash", **kw):
    base = dict(task="draft_cv", model=model, system="You write short answers.",
                prompt="Say hello to the tester in one sentence.", max_tokens=400)
    base.update(kw)
    return ChatRequest(**base)


def extract_request(model="gemini-2.0-flash"):
    return ChatRequest(task="extract_job", model=model, system=extract_job.SYSTEM,
                       prompt=extract_job.build_prompt("Frontend Developer at Pixel SARL, Lyon. React, "
                                                       "TypeScript. 45-55k EUR. Full-time, onsite."),
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


def test_text_on_v1beta(sim, adapter):
    done = adapter.complete(cfg(sim), text_request())
    assert done.text.strip()
    assert done.finish_reason == "stop"
    assert done.usage.input_tokens > 0 and done.usage.output_tokens > 0
    assert sim.requests[-1]["path"] == "/v1beta/models/gemini-2.0-flash:generateContent"


def test_image_sent_as_inline_data(sim, adapter):
    done = adapter.complete(cfg(sim), text_request(images=(ImageInput(PNG, "image/png"),)))
    assert done.finish_reason == "stop"
    assert sim.requests[-1]["images"] == 1
    assert done.usage.input_tokens > 1000


def test_stream_yields_deltas_then_one_completion_with_same_usage(sim, adapter):
    request = text_request()
    adapter.complete(cfg(sim), request)  # warm the implicit prompt cache: both calls below see it
    plain = adapter.complete(cfg(sim), request)
    deltas, final = drain(adapter.stream(cfg(sim), request))
    assert len(deltas) >= 2
    assert "".join(deltas) == final.text == plain.text
    assert final.finish_reason == "stop"
    assert final.usage == plain.usage
    assert final.usage.cached_tokens > 0  # prompt_token_count already includes cached content
    assert final.usage.input_tokens >= final.usage.cached_tokens


def test_thinking_tokens_bill_as_output(sim, adapter):
    done = adapter.complete(cfg(sim), text_request(model="gemini-2.5-flash"))
    entry = sim.requests[-1]
    assert done.usage.reasoning_tokens > 0
    assert done.usage.output_tokens == entry["output_tokens"] + done.usage.reasoning_tokens
    _, final = drain(adapter.stream(cfg(sim), text_request(model="gemini-2.5-flash")))
    assert final.usage.output_tokens == done.usage.output_tokens
    assert final.usage.reasoning_tokens == done.usage.reasoning_tokens


def test_structured_extraction(sim, adapter):
    done = adapter.complete(cfg(sim), extract_request())
    assert sim.requests[-1]["structured"] is True
    assert extract_job.parse_output(done.text).title
    deltas, final = drain(adapter.stream(cfg(sim), extract_request()))
    assert "".join(deltas) == final.text
    assert extract_job.parse_output(final.text).title


def test_schema_invalid_output_is_returned_and_rejected_by_parse(sim, adapter):
    sim.add_fault("gemini", kind="schema_invalid")
    done = adapter.complete(cfg(sim), extract_request())
    with pytest.raises(ProviderError) as info:
        extract_job.parse_output(done.text)
    assert info.value.kind == "invalid_output"


# -------------------------------------------------------------------- errors

ERROR_CASES = [
    (dict(kind="status", status=429, retry_after=5), "rate_limited", True, 5.0, 429),
    (dict(kind="status", status=500), "server_error", True, None, 500),
    (dict(kind="status", status=503), "server_error", True, None, 503),
    (dict(kind="status", status=504), "server_error", True, None, 504),
    (dict(kind="status", status=400), "bad_request", False, None, 400),
    (dict(kind="status", status=403), "auth", False, None, 403),
    (dict(kind="status", status=404), "not_found", False, None, 404),
    (dict(kind="malformed_json"), "server_error", True, None, None),
    (dict(kind="reset"), "unreachable", True, None, None),
    (dict(kind="timeout", seconds=3), "timeout", True, None, None),
]


@pytest.mark.parametrize("fault,kind,retryable,retry_after,status", ERROR_CASES,
                         ids=[f"{c[0]['kind']}-{c[0].get('status', '')}" for c in ERROR_CASES])
def test_error_mapping(sim, adapter, fault, kind, retryable, retry_after, status):
    sim.add_fault("gemini", **fault)
    before = len(sim.requests)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, timeout=0.5), text_request())
    err = info.value
    assert (err.kind, err.retryable, err.retry_after, err.status_code) == (kind, retryable, retry_after, status)
    assert err.provider == "gemini-main" and err.model == "gemini-2.0-flash"
    assert err.__cause__ is None and err.__context__ is None
    assert len(sim.requests) - before == 1  # no SDK retry
    assert time.monotonic() - started < 3


def test_connection_refused_is_unreachable(adapter):
    config = ProviderConfig("gemini-main", "gemini", f"http://127.0.0.1:{closed_port()}", KEY, 2)
    with pytest.raises(ProviderError) as info:
        adapter.complete(config, text_request())
    assert info.value.kind == "unreachable" and info.value.retryable
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(config, text_request()))
    assert info.value.kind == "unreachable"  # nothing was streamed yet: not a broken stream


def test_api_key_invalid_400_is_auth(sim, adapter):
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, key=BAD_KEY), text_request())
    assert (info.value.kind, info.value.retryable, info.value.status_code) == ("auth", False, 400)


def test_missing_key_is_auth_without_reading_env(sim, adapter, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, key=None), text_request())
    assert info.value.kind == "auth"


# ------------------------------------------------------------------- streams


def test_stream_cut_clean_ends_without_finish_reason(sim, adapter):
    sim.add_fault("gemini", kind="stream_cut", after=2)
    before = len(sim.requests)
    deltas, final = drain(adapter.stream(cfg(sim), text_request()))
    assert len(deltas) == 2
    assert final.finish_reason is None
    assert len(sim.requests) - before == 1  # automatic continuation is off: no silent re-request


def test_stream_cut_abrupt_is_stream_broken(sim, adapter):
    sim.add_fault("gemini", kind="stream_cut", after=2, mode="abrupt")
    before = len(sim.requests)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim), text_request()))
    assert info.value.kind == "stream_broken" and info.value.retryable
    assert len(sim.requests) - before == 1


def test_stream_malformed_event_is_stream_broken(sim, adapter):
    sim.add_fault("gemini", kind="malformed_json", after=1)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim), text_request()))
    assert info.value.kind == "stream_broken"


def test_stream_error_event_mid_stream(sim, adapter):
    sim.add_fault("gemini", kind="status", status=503, after=2)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim), text_request()))
    assert info.value.kind == "server_error" and info.value.retryable


def test_stream_rate_limited_before_first_chunk(sim, adapter):
    sim.add_fault("gemini", kind="status", status=429, retry_after=2)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim), text_request()))
    assert (info.value.kind, info.value.retry_after) == ("rate_limited", 2.0)


def test_stream_stall_times_out(sim, adapter):
    sim.add_fault("gemini", kind="timeout", after=1, seconds=3)
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
    assert adapter._client(cfg(sim, timeout=7), req) is not one
    assert adapter._client(cfg(sim, timeout=4.5), req) is one  # timeouts are keyed in whole seconds


def test_per_call_timeout_is_exact(sim, adapter):
    adapter.complete(cfg(sim, timeout=2.0), text_request())
    sim.add_fault("gemini", kind="timeout", seconds=3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, timeout=1.2), text_request())
    assert info.value.kind == "timeout"
    assert 1.1 < time.monotonic() - started < 1.8


def test_env_cannot_redirect_or_change_version(sim, monkeypatch):
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("GOOGLE_GENAI_API_VERSION", "v1alpha")
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    done = GeminiAdapter().complete(cfg(sim), text_request())
    assert done.finish_reason == "stop"
    assert sim.requests[-1]["path"].startswith("/v1beta/")


def test_key_never_leaks(sim, adapter, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("google_genai", "httpx", "httpx2", "httpcore", "httpcore2"):
        caplog.set_level(logging.DEBUG, logger=name)
    sim.set_valid_keys("gemini", None)  # let the bad key through; the fault below echoes it
    try:
        sim.add_fault("gemini", kind="status", status=400, message=f"API key {BAD_KEY} is malformed")
        with pytest.raises(ProviderError) as info:
            adapter.complete(cfg(sim, key=BAD_KEY), text_request())
    finally:
        sim.set_valid_keys("gemini", KEY)
    err = info.value
    assert err.kind == "bad_request" and "[redacted]" in str(err)
    with pytest.raises(ProviderError) as info2:  # the real API_KEY_INVALID answer
        adapter.complete(cfg(sim, key=BAD_KEY), text_request())
    sim.add_fault("gemini", kind="reset")
    with pytest.raises(ProviderError) as info3:
        list(adapter.stream(cfg(sim, key=BAD_KEY), text_request()))
    for e in (err, info2.value, info3.value):
        for text in (str(e), repr(e), "".join(traceback.format_exception(e))):
            assert BAD_KEY not in text
    assert BAD_KEY not in caplog.text
