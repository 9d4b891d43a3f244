"""Helpers for the job-seeker page tests (tests/app/test_user_*.py)."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.app.conftest import signed_in
from tests.support import POSTING

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "pages" / "user"


def page(name: str) -> str:
    return str(PAGES / f"{name}.py")


def open_page(email: str, name: str):
    """Sign in as ``email`` and open one of the user pages."""
    at = signed_in(email)
    at.switch_page(page(name)).run()
    assert not at.exception, at.exception
    return at


def messages(at) -> list[str]:
    """Every error and warning shown, errors first."""
    return [e.value for e in at.error] + [w.value for w in at.warning]


def by_label(widgets, label: str):
    found = [w for w in widgets if w.label == label]
    assert found, f"no widget labelled {label!r}; have {[w.label for w in widgets]}"
    return found[0]


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def fast_retries(monkeypatch) -> None:
    """The app builds its Orchestrator from the environment: keep backoff short."""
    monkeypatch.setenv("ORCHESTRATOR_BACKOFF_BASE_S", "0.01")
    monkeypatch.setenv("ORCHESTRATOR_BACKOFF_MAX_S", "0.05")
    monkeypatch.setenv("ORCHESTRATOR_ATTEMPT_TIMEOUT_S", "10")


def saved_job(orch, email: str = "free@example.com") -> int:
    return orch.run("extract_job", user=email, text=POSTING).job_id


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def providers_down(orch, sim, *, plan: str, task: str) -> None:
    """Route ``task`` to two simulated providers that both answer 500, every time."""
    from tests.sim_support import add_sim_providers, set_chain

    add_sim_providers(orch, sim)
    set_chain(orch, plan, task, "sim-openai:gpt-4o-mini,sim-anthropic:claude-haiku-4-5")
    sim.set_sticky_fault("openai", kind="status", status=500)
    sim.set_sticky_fault("anthropic", kind="status", status=500)
