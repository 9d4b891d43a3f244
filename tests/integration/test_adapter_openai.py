"""The OpenAI adapter driving the real ``openai`` SDK against the loopback simulator."""

from __future__ import annotations

import logging
import socket
import time
import traceback

import pytest

from orchestrator.errors import ProviderError
from orchestrator.providers.base import ChatRequest, Completion, ImageInput, ProviderConfig
from orchestrator.providers.openai import OpenAIAdapter
from orchestrator.simulator import Simulator
from orchestrator.tasks import extract_job

GOOD_KEY = "sk-proj-GoodKey0123456789abcdefghijklmnopqrstuv"
BAD_KEY = "sk-proj-BadKey9876543210zyxwvutsrqponmlkjihgfe"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def sim():
    s = Simulator(valid_keys={"openai": GOOD_KEY}).start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _clean(sim):
    sim.clear_faults()
    yield
    sim.clear_faults()


@pytest.fixture(scope="module")
def adapter():
    return OpenAIAdapter()


def cfg(sim, key=GOOD_KEY, timeout=5.0):
    return ProviderConfig(name="openai-main", kind="openai", base_url=sim.openai_base_url, api_key=key,
                          timeout_s=timeout)


def text_request(model="gpt-4o-mini", **kw):
    base = dict(task="draft_cv", model=model, system="You write short answers.",
                prompt="Say hello to the tester in one sentence.", max_tokens=400)
    base.update(kw)
    return ChatRequest(**base)


def extract_request(model="gpt-4o-mini"):
    return ChatRequest(task="extract_job", model=model, system=extract_job.SYSTEM,
                       prompt=extract_job.build_prompt("Senior Python Engineer at Acme GmbH, Berlin. Hybrid. "
                                                       "70,000-90,000 EUR per year. Python, Django, AWS."),
                       json_schema=extract_job.JSON_SCHEMA, schema_name="extract_job", max_tokens=2000)


def drain(events):
    events = list(events)
    assert events and isinstance(events[-1], Completion)
    assert all(isinstance(e, str) for e in events[:-1])
    return [e for e in events[:-1]], events[-1]


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
    assert done.model == "gpt-4o-mini"


def test_image_sent_as_data_url(sim, adapter):
    done = adapter.complete(cfg(sim), text_request(images=(ImageInput(PNG, "image/png"),)))
    assert done.finish_reason == "stop"
    assert sim.requests[-1]["images"] == 1
    assert done.usage.input_tokens > 1000  # the simulator bills an image as ~1100 tokens


def test_stream_yields_deltas_then_one_completion_with_same_usage(sim, adapter):
    request = text_request()
    adapter.complete(cfg(sim), request)  # warm the simulator's prompt cache: both calls below see it
    plain = adapter.complete(cfg(sim), request)
    deltas, final = drain(adapter.stream(cfg(sim), request))
    assert len(deltas) >= 2
    assert "".join(deltas) == final.text == plain.text
    assert final.finish_reason == "stop"
    assert final.usage == plain.usage
    assert final.usage.cached_tokens > 0  # OpenAI's prompt_tokens include the cached part
    assert final.usage.input_tokens >= final.usage.cached_tokens


def test_reasoning_model_output_includes_reasoning_and_temperature_is_dropped(sim, adapter):
    done = adapter.complete(cfg(sim), text_request(model="gpt-5-mini", temperature=0.2))
    entry = sim.requests[-1]
    assert done.usage.reasoning_tokens > 0
    assert done.usage.output_tokens == entry["output_tokens"] + done.usage.reasoning_tokens
    assert "temperature" not in adapter._params(text_request(model="o4-mini", temperature=0.2))
    assert adapter._params(text_request(temperature=0.2))["temperature"] == 0.2
    assert adapter._params(text_request())["max_completion_tokens"] == 400


def test_structured_extraction(sim, adapter):
    done = adapter.complete(cfg(sim), extract_request())
    assert sim.requests[-1]["structured"] is True
    posting = extract_job.parse_output(done.text)
    assert posting.title
    deltas, final = drain(adapter.stream(cfg(sim), extract_request()))
    assert "".join(deltas) == final.text
    assert extract_job.parse_output(final.text).title


def test_schema_invalid_output_is_returned_and_rejected_by_parse(sim, adapter):
    sim.add_fault("openai", kind="schema_invalid")
    done = adapter.complete(cfg(sim), extract_request())
    with pytest.raises(ProviderError) as info:
        extract_job.parse_output(done.text)
    assert info.value.kind == "invalid_output"


# -------------------------------------------------------------------- errors

ERROR_CASES = [
    (dict(kind="status", status=429, retry_after=3), "rate_limited", True, 3.0, 429),
    (dict(kind="status", status=500), "server_error", True, None, 500),
    (dict(kind="status", status=503), "server_error", True, None, 503),
    (dict(kind="status", status=408), "timeout", True, None, 408),
    (dict(kind="status", status=400), "bad_request", False, None, 400),
    (dict(kind="status", status=422), "bad_request", False, None, 422),
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
    sim.add_fault("openai", **fault)
    before = len(sim.requests)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, timeout=0.5), text_request())
    err = info.value
    assert (err.kind, err.retryable, err.retry_after, err.status_code) == (kind, retryable, retry_after, status)
    assert err.provider == "openai-main" and err.model == "gpt-4o-mini"
    assert err.__cause__ is None and err.__context__ is None
    assert len(sim.requests) - before == 1  # SDK retries are off
    assert time.monotonic() - started < 3


def test_connection_refused_is_unreachable(adapter):
    port = closed_port()
    config = ProviderConfig("openai-main", "openai", f"http://127.0.0.1:{port}/v1", GOOD_KEY, 2)
    with pytest.raises(ProviderError) as info:
        adapter.complete(config, text_request())
    assert info.value.kind == "unreachable" and info.value.retryable
    assert f"127.0.0.1:{port}" in str(info.value)


def test_invalid_key_is_auth(sim, adapter):
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, key=BAD_KEY), text_request())
    assert (info.value.kind, info.value.retryable, info.value.status_code) == ("auth", False, 401)


def test_missing_key_is_auth(sim, adapter):
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, key=None), text_request())
    assert info.value.kind == "auth"


# ------------------------------------------------------------------- streams


def test_stream_cut_clean_ends_without_finish_reason(sim, adapter):
    sim.add_fault("openai", kind="stream_cut", after=2)
    deltas, final = drain(adapter.stream(cfg(sim), text_request()))
    assert len(deltas) == 2
    assert final.finish_reason is None


def test_stream_cut_abrupt_is_stream_broken(sim, adapter):
    sim.add_fault("openai", kind="stream_cut", after=2, mode="abrupt")
    got = []
    with pytest.raises(ProviderError) as info:
        for event in adapter.stream(cfg(sim), text_request()):
            got.append(event)
    assert info.value.kind == "stream_broken" and info.value.retryable
    assert not any(isinstance(e, Completion) for e in got)


def test_stream_malformed_event_is_stream_broken(sim, adapter):
    sim.add_fault("openai", kind="malformed_json", after=1)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim), text_request()))
    assert info.value.kind == "stream_broken"


def test_stream_error_event_mid_stream(sim, adapter):
    sim.add_fault("openai", kind="status", status=500, after=2)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim), text_request()))
    assert info.value.kind == "server_error" and info.value.retryable


def test_stream_stall_times_out(sim, adapter):
    sim.add_fault("openai", kind="timeout", after=1, seconds=3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim, timeout=0.5), text_request()))
    assert info.value.kind == "timeout"
    assert time.monotonic() - started < 3


def test_stream_rate_limited_before_first_chunk(sim, adapter):
    sim.add_fault("openai", kind="status", status=429, retry_after=2)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(sim), text_request()))
    assert (info.value.kind, info.value.retry_after) == ("rate_limited", 2.0)


# ------------------------------------------------------------ clients, keys


def test_client_reused_per_config_and_key(sim, adapter):
    req = text_request()
    one = adapter._client(cfg(sim), req)
    assert adapter._client(cfg(sim), req) is one
    assert adapter._client(cfg(sim, key=BAD_KEY), req) is not one
    assert adapter._client(cfg(sim, timeout=9), req) is not one
    assert one.max_retries == 0
    assert str(one.base_url).rstrip("/") == sim.openai_base_url


def test_one_client_shared_by_concurrent_calls(sim):
    from concurrent.futures import ThreadPoolExecutor

    fresh = OpenAIAdapter()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: fresh.complete(cfg(sim), text_request()), range(16)))
    assert all(r.finish_reason == "stop" for r in results)
    assert len(fresh._clients) == 1


def test_shrinking_timeouts_share_a_client_and_stay_exact(sim, adapter):
    req = text_request()
    assert adapter._client(cfg(sim, timeout=4.2), req) is adapter._client(cfg(sim, timeout=5.0), req)
    adapter.complete(cfg(sim, timeout=2.0), req)  # builds the 2 s client
    sim.add_fault("openai", kind="timeout", seconds=3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(sim, timeout=1.3), req)  # same client, exact 1.3 s on the call
    assert info.value.kind == "timeout" and "1.3 s" in str(info.value)
    assert 1.2 < time.monotonic() - started < 1.9


def test_env_base_url_cannot_redirect(sim, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    done = OpenAIAdapter().complete(cfg(sim), text_request())
    assert done.finish_reason == "stop"


def test_key_never_leaks(sim, adapter, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpx2", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    sim.set_valid_keys("openai", None)  # let the bad key through; the fault below echoes it
    try:
        sim.add_fault("openai", kind="status", status=400,
                      message=f"Invalid value for 'api_key': {BAD_KEY} is not a key you own.")
        with pytest.raises(ProviderError) as info:
            adapter.complete(cfg(sim, key=BAD_KEY), text_request())
        err = info.value
        assert err.kind == "bad_request" and "[redacted]" in str(err)
        texts = [str(err), repr(err), "".join(traceback.format_exception(err)), caplog.text]
        sim.set_valid_keys("openai", GOOD_KEY)
        with pytest.raises(ProviderError) as info2:  # the real 401, echoing a masked key
            adapter.complete(cfg(sim, key=BAD_KEY), text_request())
        err2 = info2.value
        texts += [str(err2), repr(err2), "".join(traceback.format_exception(err2)), caplog.text]
    finally:
        sim.set_valid_keys("openai", GOOD_KEY)
    for text in texts:
        assert BAD_KEY not in text
        assert BAD_KEY[:12] not in text and BAD_KEY[-8:] not in text
