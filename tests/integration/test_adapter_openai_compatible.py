"""The OpenAI-compatible adapter (Ollama, vLLM, llama.cpp, LM Studio) against the
simulator playing a local server that needs no key."""

from __future__ import annotations

import socket

import pytest

from orchestrator.errors import ConfigError, ProviderError
from orchestrator.providers.base import ChatRequest, Completion, ProviderConfig
from orchestrator.providers.openai import NO_KEY_PLACEHOLDER, OpenAICompatibleAdapter
from orchestrator.providers.registry import get_adapter
from orchestrator.simulator import Simulator
from orchestrator.tasks import extract_job


@pytest.fixture(scope="module")
def sim():
    s = Simulator(prompt_cache=False).start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _clean(sim):
    sim.clear_faults()
    yield
    sim.clear_faults()


@pytest.fixture(scope="module")
def adapter():
    return OpenAICompatibleAdapter()


def ollama(sim, timeout=5.0, key=None):
    return ProviderConfig(name="Local Ollama", kind="openai_compatible", base_url=sim.openai_base_url,
                          api_key=key, timeout_s=timeout)


def request(**kw):
    base = dict(task="cover_letter", model="llama3.1:8b", system="You write short answers.",
                prompt="Say hello in one sentence.", max_tokens=300)
    base.update(kw)
    return ChatRequest(**base)


def test_registry_maps_kind():
    assert isinstance(get_adapter("openai_compatible"), OpenAICompatibleAdapter)


def test_ollama_like_server_without_key(sim, adapter):
    done = adapter.complete(ollama(sim), request())
    assert done.text.strip() and done.finish_reason == "stop"
    assert done.usage.input_tokens > 0
    events = list(adapter.stream(ollama(sim), request()))
    final = events[-1]
    assert isinstance(final, Completion) and final.finish_reason == "stop"
    assert "".join(events[:-1]) == final.text == done.text
    assert final.usage == done.usage


def test_placeholder_key_and_max_tokens_param(sim, adapter):
    client = adapter._client(ollama(sim), request())
    assert client.api_key == NO_KEY_PLACEHOLDER
    params = adapter._params(request())
    assert params["max_tokens"] == 300 and "max_completion_tokens" not in params


def test_structured_output(sim, adapter):
    req = ChatRequest(task="extract_job", model="qwen2.5:7b", system=extract_job.SYSTEM,
                      prompt=extract_job.build_prompt("Nurse at City Hospital, Leeds. Full-time."),
                      json_schema=extract_job.JSON_SCHEMA, schema_name="extract_job", max_tokens=2000)
    assert extract_job.parse_output(adapter.complete(ollama(sim), req).text)


def test_base_url_is_required(adapter):
    with pytest.raises(ConfigError):
        adapter.complete(ProviderConfig("Local", "openai_compatible", None, None, 5), request())


def test_errors_name_the_server(sim, adapter):
    sim.add_fault("openai", kind="status", status=503)
    with pytest.raises(ProviderError) as info:
        adapter.complete(ollama(sim), request())
    assert info.value.kind == "server_error" and "Local Ollama" in str(info.value)


def test_server_down_is_unreachable(adapter):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = ProviderConfig("Local", "openai_compatible", f"http://127.0.0.1:{port}/v1", None, 2)
    with pytest.raises(ProviderError) as info:
        adapter.complete(config, request())
    assert info.value.kind == "unreachable"
    assert f"http://127.0.0.1:{port}" in str(info.value)


def test_stream_cut_is_not_success(sim, adapter):
    sim.add_fault("openai", kind="stream_cut", after=1)
    final = list(adapter.stream(ollama(sim), request()))[-1]
    assert final.finish_reason is None


def test_capabilities_guess_vision_from_the_name(adapter):
    assert adapter.capabilities("llava:13b").vision
    assert adapter.capabilities("Qwen2.5-VL-7B-Instruct").vision
    assert adapter.capabilities("llama3.2-vision").vision
    assert not adapter.capabilities("llama3.1:8b").vision
    assert adapter.capabilities("llama3.1:8b").json_schema and adapter.capabilities("x").streaming
