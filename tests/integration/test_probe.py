"""Credential probes against the simulator: ok, invalid key, no model access,
unreachable, rate limited, timeout."""

from __future__ import annotations

import socket

import pytest

from orchestrator.providers.base import ProviderConfig
from orchestrator.providers.probe import ERROR_CLASSES, probe
from orchestrator.simulator import Simulator

KEYS = {"openai": "sk-proj-ProbeKey0123456789abcdefghijklmn",
        "gemini": "AIzaSyProbeKey0123456789abcdefghijklm"}
ANTHROPIC_KEY = "sk-ant-api03-ProbeKey0123456789abcdefghij"
WRONG = "sk-proj-WrongKey9876543210zyxwvutsrqpon"


@pytest.fixture(scope="module")
def sim():
    s = Simulator(valid_keys=KEYS, models={"openai": ["gpt-4o-mini", "gpt-5-mini"]}).start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _clean(sim):
    sim.clear_faults()
    yield
    sim.clear_faults()


def openai(sim, key=KEYS["openai"], timeout=5.0):
    return ProviderConfig("openai-main", "openai", sim.openai_base_url, key, timeout)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("kind,model", [("openai", "gpt-4o-mini"), ("openai", "gpt-5-mini"),
                                        ("anthropic", "claude-haiku-4-5"), ("gemini", "gemini-2.5-flash")])
def test_ok(sim, kind, model):
    base = {"openai": sim.openai_base_url, "anthropic": sim.anthropic_base_url, "gemini": sim.gemini_base_url}
    key = KEYS.get(kind, ANTHROPIC_KEY)
    result = probe(ProviderConfig(f"{kind}-main", kind, base[kind], key, 5), model)
    assert result.ok, result.message
    assert result.error_class is None and result.latency_ms >= 0
    assert key not in result.message


def test_probe_is_tiny(sim):
    probe(openai(sim), "gpt-4o-mini")
    assert sim.requests[-1]["output_tokens"] <= 16


def test_offline_is_always_ok():
    result = probe(ProviderConfig("Offline", "offline"), "offline-engine")
    assert result.ok and result.error_class is None


def test_invalid_key(sim):
    result = probe(openai(sim, key=WRONG), "gpt-4o-mini")
    assert (result.ok, result.error_class) == (False, "invalid_key")
    assert result.message == "The API key was rejected (401)."
    assert WRONG not in result.message


def test_gemini_invalid_key(sim):
    result = probe(ProviderConfig("g", "gemini", sim.gemini_base_url, "AIzaSyWrong0123456789abcdefghijklmnop", 5),
                   "gemini-2.5-flash")
    assert result.error_class == "invalid_key"


def test_unknown_model_is_no_model_access(sim):
    result = probe(openai(sim), "gpt-unknown")
    assert (result.ok, result.error_class) == (False, "no_model_access")
    assert "gpt-unknown" in result.message


def test_unreachable(sim):
    port = closed_port()
    result = probe(ProviderConfig("local", "openai_compatible", f"http://127.0.0.1:{port}/v1", None, 2), "llama3")
    assert result.error_class == "unreachable"
    assert result.message == f"Could not connect to http://127.0.0.1:{port}."


def test_rate_limited(sim):
    sim.add_fault("openai", kind="status", status=429, retry_after=20)
    result = probe(openai(sim), "gpt-4o-mini")
    assert result.error_class == "rate_limited"
    assert result.message == "Rate limited — try again in 20 s."


def test_timeout(sim):
    sim.add_fault("openai", kind="timeout", seconds=3)
    result = probe(openai(sim, timeout=0.5), "gpt-4o-mini")
    assert result.error_class == "timeout" and not result.ok


def test_server_error(sim):
    sim.add_fault("openai", kind="status", status=503)
    assert probe(openai(sim), "gpt-4o-mini").error_class == "server_error"


def test_missing_base_url_for_compatible_server():
    result = probe(ProviderConfig("local", "openai_compatible", None, None, 2), "llama3")
    assert not result.ok and result.error_class == "error" and "base URL" in result.message


def test_error_classes_are_the_documented_set():
    assert set(ERROR_CLASSES) == {"invalid_key", "no_model_access", "unreachable", "rate_limited", "timeout",
                                  "server_error", "bad_request", "error"}
