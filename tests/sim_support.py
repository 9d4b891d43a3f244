"""Helpers for tests that drive simulated providers (keys, registration, routing)."""

from __future__ import annotations

from orchestrator.routing import RouteStep
from orchestrator.services.admin import policy, providers
from tests.support import operator

SIM_KEYS = {
    "openai": "sk-proj-SimOpenAIKey0123456789abcdefghij",
    "anthropic": "sk-ant-SimAnthropicKey0123456789abcdef",
    "gemini": "AIzaSimGeminiKey0123456789abcdefghijklm",
}


def add_sim_providers(orch, sim) -> None:
    """sim-openai, sim-anthropic, sim-gemini (keys in the vault) and sim-local (keyless, OpenAI-compatible)."""
    providers.add_provider(orch, name="sim-openai", kind="openai", base_url=sim.openai_base_url,
                           api_key=SIM_KEYS["openai"], timeout_s=5, actor=operator())
    providers.add_provider(orch, name="sim-anthropic", kind="anthropic", base_url=sim.anthropic_base_url,
                           api_key=SIM_KEYS["anthropic"], timeout_s=5, actor=operator())
    providers.add_provider(orch, name="sim-gemini", kind="gemini", base_url=sim.gemini_base_url,
                           api_key=SIM_KEYS["gemini"], timeout_s=5, actor=operator())
    providers.add_provider(orch, name="sim-local", kind="openai_compatible", base_url=sim.local.openai_base_url,
                           timeout_s=5, actor=operator())


def set_chain(orch, plan: str, task: str, chain: str) -> None:
    steps = [RouteStep(*part.split(":", 1)) for part in chain.split(",")]
    policy.set_chain(orch, plan=plan, task=task, steps=steps, actor=operator())
