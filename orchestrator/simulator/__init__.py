"""A loopback server that speaks the OpenAI, Anthropic and Gemini wire formats.

The official SDKs work against it unmodified (pass ``base_url``), so adapters
are tested end to end without the network: text, streaming with usage,
structured output, images, auth errors, and scripted faults (HTTP errors with
Retry-After, latency, timeouts, malformed JSON, cut streams, schema-invalid
answers, connection resets). Answers come from the offline engine.

    with Simulator(valid_keys={"openai": "sk-test"}) as sim:
        sim.add_fault("openai", kind="status", status=503, times=2)
        client = openai.OpenAI(base_url=sim.openai_base_url, api_key="sk-test", max_retries=0)

Modules: ``server`` (Simulator), ``handler`` (HTTP, faults on the wire),
``openai_wire`` / ``anthropic_wire`` / ``gemini_wire`` (formats), ``engine``
(content and usage), ``faults``, ``control`` (``/_sim/*``), ``cli`` (main).
"""

from __future__ import annotations

from orchestrator.simulator.cli import main
from orchestrator.simulator.faults import KINDS, VENDORS, Fault, parse_fault_spec
from orchestrator.simulator.server import Simulator

__all__ = ["KINDS", "VENDORS", "Fault", "Simulator", "main", "parse_fault_spec"]
