"""Every wire adapter, driving its real SDK against the loopback simulator: one harness.

Each provider kind that speaks a wire format is one ``Case`` row below; every
test runs for every row. A new kind adds a row (and, if its wire format is new,
a simulator module), not a copied suite. What truly belongs to one vendor is
in the short sections at the end.
"""

from __future__ import annotations

import logging
import socket
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from types import SimpleNamespace

import pytest

from orchestrator.errors import ConfigError, InputRejected, ProviderError
from orchestrator.providers.base import ChatRequest, Completion, ImageInput, ProviderConfig
from orchestrator.providers.logging_guard import TRANSPORT_LOGGERS
from orchestrator.providers.registry import get_adapter, get_kind
from orchestrator.simulator import Simulator
from orchestrator.tasks import extract_job

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DEAD = "http://127.0.0.1:{port}"  # a closed loopback port, for environment variables that must not redirect


@dataclass(frozen=True)
class Case:
    kind: str
    wire: str  # the simulator's vendor (wire format), for faults and keys
    name: str  # the provider's name in configs and errors
    label: str  # how its error messages name it
    model: str
    key: str | None  # a key the simulator accepts; None: a keyless local server
    bad_key: str
    base: str  # the simulator's base URL attribute for this wire
    path: str  # where text requests must go, whatever the environment says
    redirect_env: tuple[tuple[str, str], ...]  # variables the SDK honours; must change nothing
    local: bool = False  # served by the keyless, cache-less local simulator (Ollama-like)
    invalid_key_status: int | None = 401  # status of the vendor's answer to a wrong key
    stream_error_status: int = 500  # an in-band error event the wire sends mid-stream
    reasoning_model: str | None = None  # a model whose usage reports reasoning/thinking tokens
    posting: str = "Senior Python Engineer at Acme GmbH, Berlin. Hybrid. 70,000-90,000 EUR. Python, AWS."


CASES = [
    Case("openai", "openai", "openai-main", "OpenAI", "gpt-4o-mini",
         "sk-proj-GoodKey0123456789abcdefghijklmnopqrstuv", "sk-proj-BadKey9876543210zyxwvutsrqponmlkjihgfe",
         "openai_base_url", "/v1/chat/completions", (("OPENAI_BASE_URL", DEAD + "/v1"),),
         reasoning_model="gpt-5-mini"),
    Case("anthropic", "anthropic", "claude", "Anthropic", "claude-haiku-4-5",
         "sk-ant-api03-GoodKey0123456789abcdefghijklmnopqrstuv", "sk-ant-api03-BadKey9876543210zyxwvutsrqponmlkjihgfe",
         "anthropic_base_url", "/v1/messages", (("ANTHROPIC_BASE_URL", DEAD),), stream_error_status=529,
         posting="Data Engineer at Nordwind AG, Hamburg, remote. Spark, Airflow, SQL. 65-80k EUR."),
    Case("gemini", "gemini", "gemini-main", "Gemini", "gemini-2.0-flash",
         "AIzaSyGoodKey0123456789abcdefghijklmnop", "AIzaSyBadKey9876543210zyxwvutsrqponmlk",
         "gemini_base_url", "/v1beta/models/gemini-2.0-flash:generateContent",
         (("GOOGLE_GEMINI_BASE_URL", DEAD), ("GOOGLE_GENAI_API_VERSION", "v1alpha"),
          ("GOOGLE_GENAI_USE_VERTEXAI", "true")),
         invalid_key_status=400, stream_error_status=503, reasoning_model="gemini-2.5-flash",
         posting="Frontend Developer at Pixel SARL, Lyon. React, TypeScript. 45-55k EUR. Full-time, onsite."),
    Case("openai_compatible", "openai", "Local Ollama", "Local Ollama", "llama3.1:8b",
         None, "sk-local-BadKey9876543210zyxwvutsrqponmlkjihgfe",
         "openai_base_url", "/v1/chat/completions", (("OPENAI_BASE_URL", DEAD + "/v1"),), local=True,
         invalid_key_status=None, posting="Nurse at City Hospital, Leeds. Full-time."),
]
BY_KIND = {c.kind: c for c in CASES}

# (fault, error kind, retryable, retry_after, status): every wire maps these the same way
ERROR_CASES = [
    (dict(kind="status", status=429, retry_after=3), "rate_limited", True, 3.0, 429),
    (dict(kind="status", status=500), "server_error", True, None, 500),
    (dict(kind="status", status=503), "server_error", True, None, 503),
    (dict(kind="status", status=504), "server_error", True, None, 504),
    (dict(kind="status", status=529), "server_error", True, None, 529),
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


@pytest.fixture(scope="module")
def sims():
    vendor = Simulator(valid_keys={c.wire: c.key for c in CASES if c.key}).start()
    local = Simulator(prompt_cache=False).start()
    yield SimpleNamespace(vendor=vendor, local=local)
    local.stop()
    vendor.stop()


@pytest.fixture(params=CASES, ids=[c.kind for c in CASES])
def case(request) -> Case:
    return request.param


@pytest.fixture
def sim(case, sims):
    s = sims.local if case.local else sims.vendor
    s.clear_faults()
    yield s
    s.clear_faults()
    s.set_valid_keys(case.wire, case.key)


@pytest.fixture
def adapter(case):
    return get_adapter(case.kind)  # the shared instance the pipeline uses


_CASE_KEY = object()


def cfg(case, sim, key=_CASE_KEY, timeout=5.0) -> ProviderConfig:
    return ProviderConfig(name=case.name, kind=case.kind, base_url=getattr(sim, case.base),
                          api_key=case.key if key is _CASE_KEY else key, timeout_s=timeout)


def text_request(case, model=None, **kw) -> ChatRequest:
    base = dict(task="draft_cv", model=model or case.model, system="You write short answers.",
                prompt="Say hello to the tester in one sentence.", max_tokens=400)
    base.update(kw)
    return ChatRequest(**base)


def extract_request(case) -> ChatRequest:
    return ChatRequest(task="extract_job", model=case.model, system=extract_job.SYSTEM,
                       prompt=extract_job.build_prompt(case.posting), json_schema=extract_job.JSON_SCHEMA,
                       schema_name="extract_job", max_tokens=2000)


def drain(events):
    events = list(events)
    assert events and isinstance(events[-1], Completion)
    assert all(isinstance(e, str) for e in events[:-1])
    return events[:-1], events[-1]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dead_url(config: ProviderConfig, sim) -> str:
    """The same base URL (path included) on a port nobody listens on."""
    return config.base_url.replace(sim.url, DEAD.format(port=closed_port()))


# --------------------------------------------------------------- the registry


def test_registry_shares_one_adapter_per_kind(case):
    adapter = get_adapter(case.kind)
    assert adapter is get_adapter(case.kind) and adapter.kind == case.kind
    assert type(get_kind(case.kind).make_adapter()) is type(adapter)


# --------------------------------------------------------------- happy paths


def test_text(case, sim, adapter):
    done = adapter.complete(cfg(case, sim), text_request(case))
    assert done.text.strip()
    assert done.finish_reason == "stop"
    assert done.usage.input_tokens > 0 and done.usage.output_tokens > 0
    assert done.model == case.model
    assert sim.requests[-1]["path"] == case.path


def test_image(case, sim, adapter):
    done = adapter.complete(cfg(case, sim), text_request(case, images=(ImageInput(PNG, "image/png"),)))
    assert done.finish_reason == "stop"
    assert sim.requests[-1]["images"] == 1
    assert done.usage.input_tokens > 1000  # the simulator bills an image as ~1100 tokens


def test_stream_yields_deltas_then_one_completion_with_same_usage(case, sim, adapter):
    request = text_request(case)
    adapter.complete(cfg(case, sim), request)  # warm any implicit prompt cache: both calls below see it
    plain = adapter.complete(cfg(case, sim), request)
    deltas, final = drain(adapter.stream(cfg(case, sim), request))
    assert len(deltas) >= 2
    assert "".join(deltas) == final.text == plain.text
    assert final.finish_reason == "stop"
    assert final.usage == plain.usage
    assert final.usage.input_tokens >= final.usage.cached_tokens
    if case.wire in ("openai", "gemini") and not case.local:
        assert final.usage.cached_tokens > 0  # input tokens already include the cached part


def test_reasoning_tokens_bill_as_output(case, sim, adapter):
    if case.reasoning_model is None:
        pytest.skip(f"{case.kind} has no reasoning model in the simulator")
    done = adapter.complete(cfg(case, sim), text_request(case, model=case.reasoning_model))
    entry = sim.requests[-1]
    assert done.usage.reasoning_tokens > 0
    assert done.usage.output_tokens == entry["output_tokens"] + done.usage.reasoning_tokens
    _, final = drain(adapter.stream(cfg(case, sim), text_request(case, model=case.reasoning_model)))
    assert final.usage.output_tokens == done.usage.output_tokens
    assert final.usage.reasoning_tokens == done.usage.reasoning_tokens


def test_structured_extraction(case, sim, adapter):
    adapter.complete(cfg(case, sim), extract_request(case))  # warm the prompt cache
    done = adapter.complete(cfg(case, sim), extract_request(case))
    assert sim.requests[-1]["structured"] is True
    assert done.finish_reason == "stop"
    assert extract_job.parse_output(done.text).title
    deltas, final = drain(adapter.stream(cfg(case, sim), extract_request(case)))
    assert "".join(deltas) == final.text
    assert final.finish_reason == "stop"
    assert extract_job.parse_output(final.text).title
    assert final.usage == done.usage


def test_schema_invalid_output_is_returned_and_rejected_by_parse(case, sim, adapter):
    sim.add_fault(case.wire, kind="schema_invalid")
    done = adapter.complete(cfg(case, sim), extract_request(case))
    with pytest.raises(ProviderError) as info:
        extract_job.parse_output(done.text)
    assert info.value.kind == "invalid_output"


# -------------------------------------------------------------------- errors


@pytest.mark.parametrize("fault,kind,retryable,retry_after,status", ERROR_CASES,
                         ids=[f"{c[0]['kind']}-{c[0].get('status', '')}" for c in ERROR_CASES])
def test_error_mapping(case, sim, adapter, fault, kind, retryable, retry_after, status):
    sim.add_fault(case.wire, **fault)
    before = len(sim.requests)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(case, sim, timeout=0.5), text_request(case))
    err = info.value
    assert (err.kind, err.retryable, err.retry_after, err.status_code) == (kind, retryable, retry_after, status)
    assert err.provider == case.name and err.model == case.model
    if status is not None:
        assert case.label in str(err)
    assert err.__cause__ is None and err.__context__ is None
    assert len(sim.requests) - before == 1  # SDK retries are off
    assert time.monotonic() - started < 6  # no SDK backoff (that waits far longer); slack for a loaded machine


def test_connection_refused_is_unreachable(case, sim, adapter):
    config = cfg(case, sim, timeout=2)
    config = replace(config, base_url=dead_url(config, sim))
    with pytest.raises(ProviderError) as info:
        adapter.complete(config, text_request(case))
    assert info.value.kind == "unreachable" and info.value.retryable
    assert config.base_url.split("/v1")[0].rstrip("/") in str(info.value)  # scheme://host:port, no path
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(config, text_request(case)))
    assert info.value.kind == "unreachable"  # nothing was streamed yet: not a broken stream


def test_invalid_key_is_auth(case, sim, adapter):
    if case.invalid_key_status is None:
        pytest.skip("a keyless local server accepts any key")
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(case, sim, key=case.bad_key), text_request(case))
    assert (info.value.kind, info.value.retryable, info.value.status_code) == ("auth", False,
                                                                               case.invalid_key_status)


def test_missing_key_is_auth_without_reading_env(case, sim, adapter, monkeypatch):
    kind = get_kind(case.kind)
    if not kind.needs_key:
        pytest.skip("keyless kind")
    monkeypatch.setenv(kind.default_key_env, case.key)
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(case, sim, key=None), text_request(case))
    assert info.value.kind == "auth"


# ------------------------------------------------------------------- streams


def test_stream_cut_clean_ends_without_finish_reason(case, sim, adapter):
    sim.add_fault(case.wire, kind="stream_cut", after=2)
    before = len(sim.requests)
    deltas, final = drain(adapter.stream(cfg(case, sim), text_request(case)))
    assert len(deltas) == 2
    assert final.finish_reason is None
    assert len(sim.requests) - before == 1  # no silent re-request (Gemini's automatic continuation is off)


def test_stream_cut_abrupt_is_stream_broken(case, sim, adapter):
    sim.add_fault(case.wire, kind="stream_cut", after=2, mode="abrupt")
    before = len(sim.requests)
    got = []
    with pytest.raises(ProviderError) as info:
        for event in adapter.stream(cfg(case, sim), text_request(case)):
            got.append(event)
    assert info.value.kind == "stream_broken" and info.value.retryable
    assert not any(isinstance(e, Completion) for e in got)
    assert len(sim.requests) - before == 1


def test_stream_malformed_event_is_stream_broken(case, sim, adapter):
    sim.add_fault(case.wire, kind="malformed_json", after=1)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(case, sim), text_request(case)))
    assert info.value.kind == "stream_broken"


def test_stream_error_event_mid_stream(case, sim, adapter):
    sim.add_fault(case.wire, kind="status", status=case.stream_error_status, after=2)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(case, sim), text_request(case)))
    assert info.value.kind == "server_error" and info.value.retryable


def test_stream_rate_limited_before_first_chunk(case, sim, adapter):
    sim.add_fault(case.wire, kind="status", status=429, retry_after=2)
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(case, sim), text_request(case)))
    assert (info.value.kind, info.value.retry_after) == ("rate_limited", 2.0)


def test_stream_stall_times_out(case, sim, adapter):
    sim.add_fault(case.wire, kind="timeout", after=1, seconds=3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(case, sim, timeout=0.5), text_request(case)))
    assert info.value.kind == "timeout"
    assert time.monotonic() - started < 6  # no SDK backoff (that waits far longer); slack for a loaded machine


# ------------------------------------------------------------ clients, keys


def test_client_reused_per_config_and_key(case, sim, adapter):
    req = text_request(case)
    one = adapter._client(cfg(case, sim), req)
    assert adapter._client(cfg(case, sim), req) is one
    assert adapter._client(cfg(case, sim, key=case.bad_key), req) is not one
    assert adapter._client(cfg(case, sim, timeout=9), req) is not one
    assert adapter._client(cfg(case, sim, timeout=4.5), req) is one  # timeouts are keyed in whole seconds
    if case.wire != "gemini":  # openai / anthropic SDK clients expose these
        assert one.max_retries == 0
        assert str(one.base_url).rstrip("/") == getattr(sim, case.base)


def test_one_client_shared_by_concurrent_calls(case, sim):
    fresh = get_kind(case.kind).make_adapter()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: fresh.complete(cfg(case, sim), text_request(case)), range(16)))
    assert all(r.finish_reason == "stop" for r in results)
    assert len(fresh._clients) == 1


def test_shrinking_timeouts_share_a_client_and_stay_exact(case, sim, adapter):
    req = text_request(case)
    assert adapter._client(cfg(case, sim, timeout=4.2), req) is adapter._client(cfg(case, sim, timeout=5.0), req)
    adapter.complete(cfg(case, sim, timeout=2.0), req)  # builds the 2 s client
    sim.add_fault(case.wire, kind="timeout", seconds=3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(case, sim, timeout=1.3), req)  # same client, exact 1.3 s on the call
    assert info.value.kind == "timeout" and "1.3 s" in str(info.value)
    assert 1.2 < time.monotonic() - started < 1.9


def test_env_cannot_redirect(case, sim, monkeypatch):
    port = closed_port()
    for var, value in case.redirect_env:
        monkeypatch.setenv(var, value.format(port=port))
    done = get_kind(case.kind).make_adapter().complete(cfg(case, sim), text_request(case))
    assert done.finish_reason == "stop"
    assert sim.requests[-1]["path"] == case.path


def test_key_never_leaks(case, sim, adapter, caplog):
    bad = case.bad_key
    caplog.set_level(logging.DEBUG)
    for name in (*get_kind(case.kind).sdk_loggers, *TRANSPORT_LOGGERS):
        caplog.set_level(logging.DEBUG, logger=name)
    errors = []
    sim.set_valid_keys(case.wire, None)  # let the bad key through; the fault below echoes it
    sim.add_fault(case.wire, kind="status", status=400, message=f"Invalid value for 'api_key': {bad} is not yours.")
    with pytest.raises(ProviderError) as info:
        adapter.complete(cfg(case, sim, key=bad), text_request(case))
    assert info.value.kind == "bad_request" and "[redacted]" in str(info.value)
    errors.append(info.value)
    sim.set_valid_keys(case.wire, case.key)
    if case.invalid_key_status is not None:
        with pytest.raises(ProviderError) as info:  # the vendor's real answer, which may echo a masked key
            adapter.complete(cfg(case, sim, key=bad), text_request(case))
        errors.append(info.value)
    sim.add_fault(case.wire, kind="reset")
    with pytest.raises(ProviderError) as info:
        list(adapter.stream(cfg(case, sim, key=bad), text_request(case)))
    errors.append(info.value)
    texts = [caplog.text] + [t for e in errors for t in (str(e), repr(e), "".join(traceback.format_exception(e)))]
    for text in texts:
        assert bad not in text
        assert bad[:14] not in text and bad[-8:] not in text


# ------------------------------------------------ what each kind's models can do


@pytest.mark.parametrize("kind,model,vision", [
    ("openai", "gpt-4o-mini", True), ("openai", "gpt-5", True), ("openai", "gpt-3.5-turbo", False),
    ("openai", "o3-mini", False), ("anthropic", "claude-haiku-4-5", True), ("anthropic", "claude-3-5-haiku", False),
    ("gemini", "gemini-2.5-flash", True), ("gemini", "models/gemini-1.0-pro", False),
    ("openai_compatible", "llava:13b", True), ("openai_compatible", "Qwen2.5-VL-7B-Instruct", True),
    ("openai_compatible", "llama3.2-vision", True), ("openai_compatible", "llama3.1:8b", False),
    ("offline", "offline-engine-v1", True),  # it reads screenshots with its bundled OCR
])
def test_capabilities(kind, model, vision):
    caps = get_kind(kind).capabilities(model)
    assert caps.vision is vision
    assert caps.streaming and caps.json_schema


# ------------------------------------------------------------ one kind only


def test_openai_reasoning_models_drop_temperature():
    adapter, case = get_adapter("openai"), BY_KIND["openai"]
    assert "temperature" not in adapter._params(text_request(case, model="o4-mini", temperature=0.2))
    assert "temperature" not in adapter._params(text_request(case, model="gpt-5-mini", temperature=0.2))
    assert adapter._params(text_request(case, temperature=0.2))["temperature"] == 0.2
    assert adapter._params(text_request(case))["max_completion_tokens"] == 400


def test_openai_compatible_placeholder_key_and_max_tokens_param(sims):
    from orchestrator.providers.openai import NO_KEY_PLACEHOLDER

    adapter, case = get_adapter("openai_compatible"), BY_KIND["openai_compatible"]
    assert adapter._client(cfg(case, sims.local, key=None), text_request(case)).api_key == NO_KEY_PLACEHOLDER
    params = adapter._params(text_request(case, max_tokens=300))
    assert params["max_tokens"] == 300 and "max_completion_tokens" not in params


def test_openai_compatible_base_url_is_required():
    with pytest.raises(ConfigError):
        get_adapter("openai_compatible").complete(ProviderConfig("Local", "openai_compatible", None, None, 5),
                                                  text_request(BY_KIND["openai_compatible"]))


def test_anthropic_structured_output_is_a_forced_tool():
    params = get_adapter("anthropic")._params(extract_request(BY_KIND["anthropic"]))
    assert params["tool_choice"] == {"type": "tool", "name": "extract_job"}
    assert params["tools"][0]["input_schema"] == extract_job.JSON_SCHEMA


def test_anthropic_usage_adds_cache_reads_and_writes_to_input():
    from orchestrator.providers.anthropic import _usage

    start = SimpleNamespace(input_tokens=10, cache_read_input_tokens=300, cache_creation_input_tokens=50,
                            output_tokens=1)
    assert _usage(start).as_dict() == {"input_tokens": 360, "output_tokens": 1, "cached_tokens": 300,
                                       "cache_write_tokens": 50, "reasoning_tokens": 0}
    delta = SimpleNamespace(input_tokens=None, cache_read_input_tokens=None, cache_creation_input_tokens=None,
                            output_tokens=42)
    assert _usage(delta, start=start).as_dict() == {"input_tokens": 360, "output_tokens": 42,
                                                    "cached_tokens": 300, "cache_write_tokens": 50,
                                                    "reasoning_tokens": 0}


def test_offline_engine_speaks_the_same_contract():
    adapter, case = get_adapter("offline"), BY_KIND["openai"]
    config = ProviderConfig("offline", "offline")
    done = adapter.complete(config, extract_request(case))
    assert done.finish_reason == "stop" and extract_job.parse_output(done.text).title
    deltas, final = drain(adapter.stream(config, extract_request(case)))
    assert "".join(deltas) == final.text == done.text and final.usage == done.usage
    with pytest.raises(InputRejected):
        adapter.complete(config, text_request(case, images=(ImageInput(PNG, "image/png"),)))
