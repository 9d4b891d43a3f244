"""Fixtures for pipeline tests: one loopback simulator for the session, and helpers
that register simulated providers of each kind in a test database."""

from __future__ import annotations

import pytest

from orchestrator.routing import RouteStep
from orchestrator.services import policy, providers
from orchestrator.simulator import Simulator

SIM_KEYS = {
    "openai": "sk-proj-SimOpenAIKey0123456789abcdefghij",
    "anthropic": "sk-ant-SimAnthropicKey0123456789abcdef",
    "gemini": "AIzaSimGeminiKey0123456789abcdefghijklm",
}


@pytest.fixture(scope="session")
def sim():
    """The vendors' simulator (checks keys), with ``sim.local``: a keyless
    OpenAI-compatible server standing in for Ollama or vLLM."""
    s = Simulator(valid_keys=dict(SIM_KEYS)).start()
    s.local = Simulator().start()
    yield s
    s.local.stop()
    s.stop()


@pytest.fixture
def fresh_sim(sim):
    sim.reset()
    yield sim
    sim.reset()


def add_sim_providers(orch, sim) -> None:
    """sim-openai, sim-anthropic, sim-gemini (keys in the vault) and sim-local (keyless, OpenAI-compatible)."""
    providers.add_provider(orch, name="sim-openai", kind="openai", base_url=sim.openai_base_url,
                           api_key=SIM_KEYS["openai"], timeout_s=5)
    providers.add_provider(orch, name="sim-anthropic", kind="anthropic", base_url=sim.anthropic_base_url,
                           api_key=SIM_KEYS["anthropic"], timeout_s=5)
    providers.add_provider(orch, name="sim-gemini", kind="gemini", base_url=sim.gemini_base_url,
                           api_key=SIM_KEYS["gemini"], timeout_s=5)
    providers.add_provider(orch, name="sim-local", kind="openai_compatible", base_url=sim.local.openai_base_url,
                           timeout_s=5)


def set_chain(orch, plan: str, task: str, chain: str) -> None:
    steps = [RouteStep(*part.split(":", 1)) for part in chain.split(",")]
    policy.set_chain(orch, plan=plan, task=task, steps=steps, actor="test")


@pytest.fixture
def sim_orch(orch, fresh_sim):
    add_sim_providers(orch, fresh_sim)
    return orch
