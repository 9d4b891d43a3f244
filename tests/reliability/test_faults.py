"""Every fault, on every provider kind, through the simulator: the request succeeds by
fallback, every attempt is in the ledger, and no hold is left behind."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from db.models import UsageRecord
from orchestrator.result import Result, StreamRestart
from orchestrator.services.admin import providers
from tests.sim_support import set_chain
from tests.support import POSTING, operator
from tests.reliability.conftest import live_holds

KINDS = {"openai": ("sim-openai", "gpt-4o-mini"), "anthropic": ("sim-anthropic", "claude-haiku-4-5"),
         "gemini": ("sim-gemini", "gemini-2.5-flash-lite")}
FALLBACK = {"openai": "sim-gemini:gemini-2.5-flash-lite", "anthropic": "sim-openai:gpt-4o-mini",
            "gemini": "sim-anthropic:claude-haiku-4-5"}

# fault -> (simulator fault kwargs or a special marker, the error type the ledger must show)
FAULTS = {
    "429_retry_after": (dict(kind="status", status=429, retry_after=0.05), "rate_limited"),
    "500": (dict(kind="status", status=500), "server_error"),
    "503": (dict(kind="status", status=503), "server_error"),
    "timeout": (dict(kind="timeout"), "timeout"),
    "malformed_json": (dict(kind="malformed_json"), "server_error"),
    "schema_invalid": (dict(kind="schema_invalid"), "invalid_output"),
    "stream_cut": (dict(kind="stream_cut"), "stream_broken"),
    "connection_refused": ("refused", "unreachable"),
    "invalid_key": ("bad_key", "auth"),
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ledger(orch, request_id):
    with orch.db.read() as s:
        return s.scalars(select(UsageRecord).where(UsageRecord.request_id == request_id)
                         .order_by(UsageRecord.attempt)).all()


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("kind", list(KINDS))
def test_fault_falls_back_and_balances(books, fresh_sim, kind, fault):
    from tests.sim_support import add_sim_providers

    orch = books
    add_sim_providers(orch, fresh_sim)
    name, model = KINDS[kind]
    providers.update_provider(orch, name, timeout_s=1.0, actor=operator())  # keeps the timeout case quick
    spec, expected_error = FAULTS[fault]
    if spec == "refused":
        base = f"http://127.0.0.1:{_closed_port()}" + ("/v1" if kind == "openai" else "")
        providers.update_provider(orch, name, base_url=base, actor=operator())
    elif spec == "bad_key":
        providers.update_provider(orch, name, api_key="wrong-key-0000000000000000", actor=operator())
    else:
        fresh_sim.set_sticky_fault(kind, **spec)

    task = "cover_letter" if fault == "stream_cut" else "extract_job"
    set_chain(orch, "freemium", task, f"{name}:{model},{FALLBACK[kind]}")
    job_id = None
    if task == "cover_letter":
        set_chain(orch, "freemium", "extract_job", "offline:offline-engine-v1")
        job_id = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
        events = list(orch.stream(task, user="free@example.com", job_id=job_id))
        result = events[-1]
        assert isinstance(result, Result)
        assert any(isinstance(e, StreamRestart) for e in events)
    else:
        result = orch.run(task, user="free@example.com", text=POSTING)

    fallback_name = FALLBACK[kind].split(":")[0]
    assert result.provider == fallback_name
    rows = _ledger(orch, result.request_id)
    failed = [r for r in rows if r.provider == name]
    assert failed and all(r.status == "error" and r.error_type == expected_error for r in failed)
    assert rows[-1].status == "success" and rows[-1].provider == fallback_name
    assert [r.attempt for r in rows] == list(range(1, len(rows) + 1)) == [a.attempt for a in result.attempts]
    assert live_holds(orch) == []


@pytest.fixture(autouse=True)
def _demo_accounts(orch):
    from orchestrator.seeding.demo import _accounts

    _accounts(orch)
