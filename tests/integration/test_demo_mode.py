"""The stakeholder demo switch, end to end through the real SDKs: on, the simulator runs in this
process and demo providers of all three wire formats answer job seekers' requests; an outage on
one makes the next answer (the ledger records the fallback) and opens its circuit; off, they are
gone from the routing and the simulator stops. Super admin only, audited."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from db.models import AuditEntry, Provider, UsageRecord
from orchestrator import demo_mode
from orchestrator.demo_mode import postings, runtime
from orchestrator.errors import Conflict, InputRejected, PermissionDenied
from orchestrator.health import BreakerPolicy
from orchestrator.seeding.demo_providers import BY_NAME, DEMO_PROVIDERS
from orchestrator.services.admin import demo, policy, providers
from tests.support import acting

FAST_BREAKER = BreakerPolicy(failure_threshold=3, cooldown_s=3.0)


@pytest.fixture
def world(demo_users):
    orch = demo_users
    orch.breaker = FAST_BREAKER
    runtime.stop()  # one simulator per process: none left over from another test
    yield orch
    demo.set_enabled(orch, enabled=False, actor=acting(orch))
    runtime.stop()


def _audit(orch, action: str) -> list[AuditEntry]:
    with orch.db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _first_of_chain(orch, plan: str = "pro") -> str:
    from orchestrator.tasks.chat import SPEC

    return policy.current(orch).matrix[(plan, SPEC.name)][0].provider


def test_off_by_default_and_refused_to_anyone_but_a_super_admin(world):
    assert demo.status(world).enabled is False and runtime.current() is None
    from orchestrator.services.admin import users

    users.add_user(world, email="ops@example.com", plan="pro", role="admin", actor=acting(world))
    for who in ("free@example.com", "ops@example.com"):
        with pytest.raises(PermissionDenied, match="super admin"):
            demo.set_enabled(world, enabled=True, actor=acting(world, who))
        with pytest.raises(PermissionDenied):
            demo.send_test_request(world, email="pro@example.com", actor=acting(world, who))
    assert demo.status(world).enabled is False and runtime.current() is None
    assert _audit(world, "demo_mode.on") == []
    with pytest.raises(Conflict, match="Turn the demo on"):
        demo.set_outage(world, provider="demo-openai", outage="server_error", actor=acting(world))


def test_on_registers_three_wire_formats_that_answer_through_the_real_sdks(world):
    status = demo.set_enabled(world, enabled=True, actor=acting(world))
    sim = runtime.current()
    assert status.enabled and status.simulator_here and sim is not None and sim.url.startswith("http://127.0.0.1:")
    assert {p.kind for p in status.providers} == {"openai", "anthropic", "gemini"}
    assert all(p.is_active and p.base_url.startswith(sim.url) for p in status.providers)
    # idempotent across reruns: the same simulator, no second audit row
    assert demo.set_enabled(world, enabled=True, actor=acting(world)).simulator_url == sim.url
    assert runtime.start(demo_mode.valid_keys()) is sim and len(_audit(world, "demo_mode.on")) == 1
    # keys stored encrypted like any key, only the hint shown
    with world.db.read() as s:
        rows = s.scalars(select(Provider).where(Provider.name.in_(list(BY_NAME)))).all()
    assert all(r.api_key_ciphertext and "sk-demo" not in r.api_key_ciphertext and r.key_hint for r in rows)
    # every provider answers a credential test: a real request through its own SDK
    for spec in DEMO_PROVIDERS:
        check = providers.check_credentials(world, spec.name, actor=acting(world))
        assert check.ok, (spec.name, check.message)
    assert {r["vendor"] for r in sim.requests} == {"openai", "anthropic", "gemini"}
    # the routing now sends job seekers' requests to the demo providers
    run = demo.send_test_request(world, email="pro@example.com", actor=acting(world))
    assert run.error is None and run.answered_by == _first_of_chain(world) and run.answered_by in BY_NAME
    assert run.text == demo_mode.TEST_ANSWER and [a.status for a in run.attempts] == ["success"]
    entry = _audit(world, "demo_mode.on")[0]
    assert entry.actor == "admin@example.com" and entry.after["enabled"] is True


def test_an_outage_falls_back_to_the_next_provider_and_opens_the_circuit(world):
    demo.set_enabled(world, enabled=True, actor=acting(world))
    first = _first_of_chain(world)
    demo.set_outage(world, provider=first, outage="server_error", actor=acting(world))
    assert runtime.sticky_faults(runtime.current().url)[BY_NAME[first].kind] == "status"

    run = demo.send_test_request(world, email="pro@example.com", actor=acting(world))
    assert run.error is None and run.answered_by not in (None, first) and run.answered_by in BY_NAME
    assert [a.provider for a in run.attempts if a.status == "error"][0] == first
    assert run.attempts[-1].status == "success" and run.attempts[-1].provider == run.answered_by
    assert run.text == demo_mode.TEST_ANSWER
    with world.db.read() as s:  # the ledger has the failed attempts and the fallback
        rows = s.scalars(select(UsageRecord).where(UsageRecord.request_id == run.request_id)).all()
    assert {(r.provider, r.status) for r in rows} >= {(first, "error"), (run.answered_by, "success")}
    assert {r.error_type for r in rows if r.status == "error"} == {"server_error"}

    circuit = {p.name: p.circuit_state for p in demo.status(world).providers}
    assert circuit[first] == "open"  # three 503s in a row (the request and its retries)
    info = {p.name: p for p in providers.list_providers(world)}
    assert info[first].circuit_state == "open" and info[first].requests_24h >= 3
    # while it is open the next request skips it at once
    again = demo.send_test_request(world, email="pro@example.com", actor=acting(world))
    assert first not in {a.provider for a in again.attempts} and again.answered_by != first

    # the outage ends: after the cooldown one probe closes the circuit
    demo.set_outage(world, provider=first, outage=None, actor=acting(world))
    import time

    time.sleep(FAST_BREAKER.cooldown_s + 0.1)
    healed = demo.send_test_request(world, email="pro@example.com", actor=acting(world))
    assert healed.answered_by == first
    assert {p.name: p.circuit_state for p in demo.status(world).providers}[first] == "closed"
    outages = _audit(world, "demo_mode.outage")
    assert [(e.target_id, e.after["outage"]) for e in outages] == [(first, "server_error"), (first, None)]


def test_a_cut_stream_restarts_on_the_next_provider(world):
    demo.set_enabled(world, enabled=True, actor=acting(world))
    first = _first_of_chain(world)
    demo.set_outage(world, provider=first, outage="stream_cut", actor=acting(world))
    run = demo.send_test_request(world, email="pro@example.com", actor=acting(world))
    assert run.answered_by not in (None, first)
    assert any(a.provider == first and a.error_type == "stream_broken" for a in run.attempts)
    assert run.restarts  # the reader was told the text so far is discarded


def test_off_removes_them_from_the_routing_and_stops_the_simulator(world):
    before = policy.current(world).matrix
    demo.set_enabled(world, enabled=True, actor=acting(world))
    on = policy.current(world)
    assert all(st.provider in BY_NAME or st.provider == "offline" for steps in on.matrix.values() for st in steps)
    url = runtime.current().url
    demo.set_enabled(world, enabled=False, actor=acting(world))
    assert runtime.current() is None
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/_sim/health", timeout=2)
    after = policy.current(world)
    assert after.matrix == before and after.note.startswith("Demo mode off")
    assert all(not p.is_active for p in demo.status(world).providers)
    off = _audit(world, "demo_mode.off")
    assert len(off) == 1 and off[0].before["enabled"] is True
    with pytest.raises(Conflict):
        demo.send_test_request(world, email="pro@example.com", actor=acting(world))


def test_a_process_that_finds_demo_mode_on_hosts_the_simulator_again(world):
    demo.set_enabled(world, enabled=True, actor=acting(world))
    old = runtime.current().url
    runtime.stop()  # the server restarted
    state = demo_mode.sync(world)
    assert state.enabled and runtime.current() is not None and state.sim_url == runtime.current().url != old
    assert all(p.base_url.startswith(state.sim_url) for p in demo.status(world).providers)
    run = demo.send_test_request(world, email="pro@example.com", actor=acting(world))
    assert run.answered_by in BY_NAME
    assert _audit(world, "demo_mode.rehost")[-1].after == {"sim_url": state.sim_url}


def test_test_requests_run_only_as_demo_job_seekers_and_outages_are_validated(world):
    demo.set_enabled(world, enabled=True, actor=acting(world))
    with pytest.raises(InputRejected, match="demo job seeker"):
        demo.send_test_request(world, email="admin@example.com", actor=acting(world))
    with pytest.raises(InputRejected, match="not a demo provider"):
        demo.set_outage(world, provider="openai", outage="timeout", actor=acting(world))
    with pytest.raises(InputRejected, match="Unknown outage"):
        demo.set_outage(world, provider="demo-openai", outage="fire", actor=acting(world))
    assert set(demo.demo_job_seekers(world)) == {"free@example.com", "paygo@example.com", "pro@example.com"}


def test_sample_postings_are_pages_with_their_content():
    found = postings.samples()
    assert len(found) >= 3
    html = postings.page(found[0])
    assert f"<h1>{found[0].title}</h1>" in html and "<script" not in html and "<li>" in html
    assert found[0].url("http://127.0.0.1:8501/") == f"http://127.0.0.1:8501/demo/postings/{found[0].slug}"


def test_the_demo_history_is_the_demo_providers_traffic(orch):
    """``seed --demo``: every provider with traffic has a key (the demo providers' are stored
    encrypted); the seeded providers whose keys come from unset variables show none."""
    from orchestrator.seeding.demo import purge_demo, seed_demo

    seed_demo(orch, users=12, days=30)
    with orch.db.read() as s:
        served = set(s.scalars(select(UsageRecord.provider).distinct()))
    info = {p.name: p for p in providers.list_providers(orch)}
    assert served - {"offline"} == set(BY_NAME)  # all three formats carry the story, nothing else
    for name in served:
        assert info[name].has_usable_key and "(unset)" not in info[name].key_source, name
    assert all(not info[name].is_active for name in BY_NAME)  # off until the demo switch
    busy = [p.name for p in info.values() if p.requests_24h and "(unset)" in p.key_source]
    assert busy == []
    assert purge_demo(orch)["providers"] == len(BY_NAME)
