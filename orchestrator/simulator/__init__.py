"""A loopback server that speaks the OpenAI, Anthropic and Gemini wire formats.

The official SDKs work against it unmodified (pass ``base_url``), so adapters
are tested end to end without the network: text, streaming with usage,
structured output, images, auth errors, and scripted faults (HTTP errors with
Retry-After, latency, timeouts, malformed JSON, cut streams, schema-invalid
answers, connection resets, an exhausted quota or credit, a request too large,
an answer cut at the token limit), and scripted answers (``reply``: the text a test wants, e.g. a CV
that invents an employer). Answers otherwise come from the offline engine.

    with Simulator(valid_keys={"openai": "sk-test"}) as sim:
        sim.add_fault("openai", kind="status", status=503, times=2)
        sim.add_fault("anthropic", kind="quota")             # 400 "credit balance is too low"
        sim.add_fault("gemini", kind="truncate", after=20)   # finishReason MAX_TOKENS
        sim.add_usage("anthropic", cache_write=200, cache_write_1h=100)  # usage detail
        sim.add_fault("openai", kind="reply", text="# Jane\n...", times=2)  # a scripted answer
        client = openai.OpenAI(base_url=sim.openai_base_url, api_key="sk-test", max_retries=0)

Usage detail (cache reads and writes, Anthropic's 5-minute / 1-hour writes,
reasoning, audio and image tokens) is reported in each vendor's own fields;
``sim.requests[-1]["usage_body"]`` holds the usage block sent, ready for
genai-prices' ``extract_usage``.

Modules: ``server`` (Simulator), ``handler`` (HTTP, faults on the wire),
``openai_wire`` / ``anthropic_wire`` / ``gemini_wire`` (formats and error
bodies), ``engine`` (content and usage), ``faults``, ``usage`` (usage plans),
``control`` (``/_sim/*``), ``cli`` (main).
"""

from __future__ import annotations

from orchestrator.simulator.cli import main
from orchestrator.simulator.faults import KINDS, VENDORS, Fault, parse_fault_spec
from orchestrator.simulator.server import Simulator
from orchestrator.simulator.usage import UsagePlan, parse_usage_spec

__all__ = ["KINDS", "VENDORS", "Fault", "Simulator", "UsagePlan", "main", "parse_fault_spec", "parse_usage_spec"]
