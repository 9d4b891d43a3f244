"""Stakeholder demo mode: the built-in provider simulator inside the app server, demo providers
of all three wire formats pointing at it, outages on demand, and sample posting pages.

The state lives in the settings store (``app_settings``, key ``demo_mode``), so every process
and replica agrees on it: on or off, the simulator's address, the outage of each demo provider,
and which routing steps the switch replaced. The switch itself (super admin, audited) is
``orchestrator.services.admin.demo``; this package holds what it drives:

- ``runtime``: the one simulator per process (loopback, free port, daemon thread).
- ``sync(orch)``: makes this process match the stored state. Pages call it on every run and the
  server on start: a process that finds demo mode on without a reachable simulator starts its
  own and points the demo providers at it; one that finds it off stops its simulator.
- ``demo_chains`` / ``restored_chains``: the routing the switch publishes (each step of a kind
  the simulator speaks goes to that kind's demo provider, same model, same order) and takes back.
- ``postings``: sample job postings served as pages by the app itself (``/demo/postings/...``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from orchestrator import settings_store
from orchestrator.demo_mode import runtime
from orchestrator.seeding.demo_providers import BY_KIND, BY_NAME, DEMO_PROVIDERS, TIMEOUT_S
from orchestrator.simulator.faults import Fault

log = logging.getLogger(__name__)
KEY = "demo_mode"

# outage name -> (label, the simulator fault it sets on the provider's vendor)
OUTAGES: dict[str, tuple[str, Fault]] = {
    "server_error": ("503 Service Unavailable", Fault(kind="status", status=503)),
    "timeout": ("Timeouts (no answer)", Fault(kind="timeout", seconds=TIMEOUT_S * 3)),
    "stream_cut": ("Cut streams", Fault(kind="stream_cut", after=3, mode="abrupt")),
}

# the test request the demo page sends, and the simulator's answer to it (the offline engine, which
# answers everything else, declines free-form questions)
TEST_PROMPT = "In two sentences: what makes a cover letter stand out?"
TEST_ANSWER = ("A cover letter stands out when it speaks to this employer's needs with two or three concrete "
               "results from your own work, not a summary of your CV. Keep it short, specific and in your own "
               "voice, and close by saying what you would do in the first months.")


def respond(system: str, prompt: str) -> str:
    """The demo simulator's answers: the test request's, else the offline engine's."""
    if prompt.strip() == TEST_PROMPT:
        return TEST_ANSWER
    from orchestrator.simulator.engine import default_respond

    return default_respond(system, prompt)


@dataclass
class DemoState:
    enabled: bool = False
    sim_url: str | None = None
    outages: dict[str, str] = field(default_factory=dict)  # demo provider name -> outage name
    replaced: list[list[Any]] = field(default_factory=list)  # [plan, task, position, provider it replaced]

    def as_value(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "sim_url": self.sim_url, "outages": dict(self.outages),
                "replaced": [list(r) for r in self.replaced]}


def state_of(value: dict[str, Any] | None) -> DemoState:
    value = value or {}
    return DemoState(enabled=bool(value.get("enabled")), sim_url=value.get("sim_url"),
                     outages={k: v for k, v in (value.get("outages") or {}).items() if k in BY_NAME and v in OUTAGES},
                     replaced=[list(r) for r in value.get("replaced") or []])


def load(db) -> DemoState:
    return state_of(settings_store.get(db, KEY))


def valid_keys() -> dict[str, str]:
    return {p.kind: p.key for p in DEMO_PROVIDERS}


def faults_for(state: DemoState) -> dict[str, Fault | None]:
    """Each demo vendor's sticky fault under ``state``."""
    out: dict[str, Fault | None] = {}
    for spec in DEMO_PROVIDERS:
        name = state.outages.get(spec.name) if state.enabled else None
        out[spec.kind] = OUTAGES[name][1] if name else None
    return out


def demo_chains(matrix: dict, kinds: dict[str, str]) -> tuple[dict, list[list[Any]]]:
    """``matrix`` with every step of a simulated kind moved to that kind's demo provider (same model,
    same position; a step already on a demo provider stays), and what was replaced."""
    from orchestrator.routing import RouteStep

    out, replaced = {}, []
    for (plan, task), steps in matrix.items():
        new = []
        for pos, step in enumerate(steps):
            spec = BY_KIND.get(kinds.get(step.provider, ""))
            if spec is not None and step.provider not in BY_NAME:
                replaced.append([plan, task, pos, step.provider])
                step = RouteStep(spec.name, step.model, step.temperature, step.max_tokens)
            new.append(step)
        out[(plan, task)] = new
    return out, replaced


def restored_chains(matrix: dict, replaced: list[list[Any]]) -> dict:
    """``matrix`` with the replaced steps given back to their providers; any other demo step is dropped."""
    from orchestrator.routing import RouteStep

    back = {(plan, task, pos): provider for plan, task, pos, provider in replaced}
    out = {}
    for (plan, task), steps in matrix.items():
        new = []
        for pos, step in enumerate(steps):
            if step.provider in BY_NAME:
                original = back.get((plan, task, pos))
                if original is None:
                    continue
                step = RouteStep(original, step.model, step.temperature, step.max_tokens)
            new.append(step)
        out[(plan, task)] = new
    return out


def sync(orch) -> DemoState:
    """Make this process match the stored demo state (cheap when nothing changed): host the
    simulator if demo mode is on and none answers at the stored address, stop it if off, and set
    each demo provider's outage on it."""
    state = load(orch.db)
    if not state.enabled:
        if runtime.current() is not None:
            runtime.stop()
        return state
    if not runtime.healthy(state.sim_url):
        sim = runtime.start(valid_keys(), respond)
        if state.sim_url != sim.url:
            state = _repoint(orch, sim.url)
    try:
        runtime.apply_outages(state.sim_url, faults_for(state))
    except OSError as exc:  # another replica's simulator went away mid-call: the next run re-hosts it
        log.warning("demo mode: could not set outages on %s: %s", state.sim_url, exc)
    return state


def _repoint(orch, url: str) -> DemoState:
    """Point the demo providers at this process's simulator (recorded as the system's change)."""
    from db.models import AppSetting
    from orchestrator.seeding import demo_providers
    from orchestrator.services.admin import audit

    with orch.db.write() as s:
        row = s.get(AppSetting, KEY)
        state = state_of(row.value if row is not None else None)
        if state.sim_url == url:
            return state
        before = state.sim_url
        demo_providers.ensure(s, orch.vault, root=url)
        state.sim_url = url
        row.value = state.as_value()
        audit.record(s, actor="system:demo-mode", action="demo_mode.rehost", target_type="setting", target_id=KEY,
                     before={"sim_url": before}, after={"sim_url": url})
    return state


def resume(orch) -> None:
    """On server start: host the simulator if demo mode is on (never fails the start)."""
    try:
        sync(orch)
    except Exception as exc:  # noqa: BLE001 - a demo must not keep the app from starting
        log.warning("demo mode: could not resume: %s", exc)
