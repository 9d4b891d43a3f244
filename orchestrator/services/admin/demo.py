"""The stakeholder demo switch (super admin only, audited, off by default).

On: the provider simulator starts inside this server process, the demo providers (OpenAI,
Anthropic and Gemini wire formats, demo keys stored encrypted) are activated and pointed at
it, and a new routing version moves every step of those kinds to its demo provider (same
model, same order), so job seekers' requests go through them. Off: a new routing version gives
the steps back, the demo providers are deactivated and the simulator stops.

While it is on, an outage can be set per demo provider (503s, timeouts or cut streams) and a
test request sent as a demo job seeker: its attempts show the failure, the fallback, and the
circuit breaker opening on the Providers page (and closing once the outage ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from db.models import AppSetting, Provider, ProviderHealth, User
from orchestrator import demo_mode
from orchestrator.demo_mode import OUTAGES, postings, runtime
from orchestrator.errors import Conflict, InputRejected, OrchestratorError
from orchestrator.seeding import demo_providers
from orchestrator.services.actor import SUPER_ADMIN, Actor, require
from orchestrator.services.admin import audit, policy

ONLY = "Only a super admin may run the stakeholder demo."


@dataclass(frozen=True)
class DemoProviderState:
    name: str
    kind: str
    is_active: bool
    base_url: str | None
    outage: str | None  # an OUTAGES name
    circuit_state: str
    consecutive_failures: int


@dataclass(frozen=True)
class DemoStatus:
    enabled: bool
    simulator_url: str | None
    simulator_here: bool  # hosted by this process
    providers: list[DemoProviderState]


@dataclass(frozen=True)
class TestAttempt:
    attempt: int
    provider: str
    model: str
    status: str
    error_type: str | None
    latency_ms: int


@dataclass(frozen=True)
class TestRun:
    request_id: str | None
    user_email: str
    answered_by: str | None
    text: str
    attempts: list[TestAttempt]
    restarts: list[str]  # what the stream said when it broke and another try took over
    error: str | None = None


def sample_postings() -> tuple[postings.Sample, ...]:
    """The sample job postings the app serves while demo mode is on (``/demo/postings/<slug>``)."""
    return postings.samples()


def status(orch) -> DemoStatus:
    """The demo's state; first makes this process match it (hosts the simulator again after a restart)."""
    state = demo_mode.sync(orch)
    with orch.db.read() as s:
        rows = {p.name: p for p in s.scalars(select(Provider).where(Provider.name.in_(list(demo_providers.BY_NAME))))}
        health = {h.provider_id: h for h in s.scalars(select(ProviderHealth)).all()}
    out = []
    for spec in demo_providers.DEMO_PROVIDERS:
        p = rows.get(spec.name)
        h = health.get(p.id) if p is not None else None
        out.append(DemoProviderState(name=spec.name, kind=spec.kind, is_active=bool(p and p.is_active),
                                     base_url=p.base_url if p else None, outage=state.outages.get(spec.name),
                                     circuit_state=h.state if h else "closed",
                                     consecutive_failures=h.consecutive_failures if h else 0))
    return DemoStatus(enabled=state.enabled, simulator_url=state.sim_url if state.enabled else None,
                      simulator_here=state.enabled and runtime.owns(state.sim_url), providers=out)


def set_enabled(orch, *, enabled: bool, actor: Actor) -> DemoStatus:
    """Turn the demo on or off (idempotent); audited as ``demo_mode.on`` / ``demo_mode.off``."""
    require(orch, actor, SUPER_ADMIN, message=ONLY)
    if bool(enabled):
        _turn_on(orch, actor)
    else:
        _turn_off(orch, actor)
    demo_mode.sync(orch)
    return status(orch)


def _turn_on(orch, actor: Actor) -> None:
    if demo_mode.load(orch.db).enabled and runtime.healthy(demo_mode.load(orch.db).sim_url):
        return
    sim = runtime.start(demo_mode.valid_keys(), demo_mode.respond)
    with orch.db.write() as s:
        rows = demo_providers.ensure(s, orch.vault, root=sim.url, active=True)
        ids = [p.id for p in rows.values()]
        s.execute(delete(ProviderHealth).where(ProviderHealth.provider_id.in_(ids)))  # a fresh start
        kinds = {p.name: p.kind for p in s.scalars(select(Provider)).all()}
    live = policy.current(orch)
    matrix, replaced = demo_mode.demo_chains(live.matrix if live else {}, kinds)
    if replaced:
        policy.save(orch, matrix, actor=actor, note="Demo mode on: steps moved to the demo providers")
    with orch.db.write() as s:
        before = _put(s, demo_mode.DemoState(enabled=True, sim_url=sim.url, replaced=replaced))
        audit.record(s, actor=actor, action="demo_mode.on", target_type="setting", target_id=demo_mode.KEY,
                     before={"enabled": before.enabled},
                     after={"enabled": True, "simulator": sim.url, "providers": list(demo_providers.BY_NAME),
                            "routing_steps_moved": len(replaced)})


def _turn_off(orch, actor: Actor) -> None:
    state = demo_mode.load(orch.db)
    live = policy.current(orch)
    if live is not None and any(st.provider in demo_providers.BY_NAME for steps in live.matrix.values()
                                for st in steps):
        policy.save(orch, demo_mode.restored_chains(live.matrix, state.replaced), actor=actor,
                    note="Demo mode off: steps given back")
    with orch.db.write() as s:
        demo_providers.ensure(s, orch.vault, active=False)
        if not state.enabled and s.get(AppSetting, demo_mode.KEY) is None:
            return
        before = _put(s, demo_mode.DemoState(enabled=False))
        if before.enabled:
            audit.record(s, actor=actor, action="demo_mode.off", target_type="setting", target_id=demo_mode.KEY,
                         before={"enabled": True, "simulator": before.sim_url, "outages": before.outages},
                         after={"enabled": False})
    runtime.stop()


def _put(s, state: demo_mode.DemoState) -> demo_mode.DemoState:
    """Store ``state``; returns the one it replaced."""
    row = s.get(AppSetting, demo_mode.KEY)
    before = demo_mode.state_of(row.value if row is not None else None)
    if row is None:
        s.add(AppSetting(key=demo_mode.KEY, value=state.as_value()))
    else:
        row.value = state.as_value()
    return before


def set_outage(orch, *, provider: str, outage: str | None, actor: Actor) -> DemoStatus:
    """Start (``outage`` one of ``OUTAGES``) or end (None) an outage of one demo provider; audited."""
    require(orch, actor, SUPER_ADMIN, message=ONLY)
    if provider not in demo_providers.BY_NAME:
        raise InputRejected(f"'{provider}' is not a demo provider. Demo providers: "
                            f"{', '.join(demo_providers.BY_NAME)}.")
    if outage is not None and outage not in OUTAGES:
        raise InputRejected(f"Unknown outage '{outage}'. Choose one of: {', '.join(OUTAGES)}.")
    with orch.db.write() as s:
        row = s.get(AppSetting, demo_mode.KEY)
        state = demo_mode.state_of(row.value if row is not None else None)
        if not state.enabled:
            raise Conflict("Turn the demo on first: outages are simulated by the demo providers.")
        before = state.outages.get(provider)
        if before != outage:
            if outage is None:
                state.outages.pop(provider, None)
            else:
                state.outages[provider] = outage
            row.value = state.as_value()
            audit.record(s, actor=actor, action="demo_mode.outage", target_type="provider", target_id=provider,
                         before={"outage": before}, after={"outage": outage})
    demo_mode.sync(orch)
    return status(orch)


def demo_job_seekers(orch) -> list[str]:
    """The demo accounts a test request may run as (job seekers, never a real user)."""
    with orch.db.read() as s:
        return list(s.scalars(select(User.email).where(User.is_demo, User.role == "user", User.is_active,
                                                       ~User.email.like("%@demo.example.com"))
                              .order_by(User.email)).all())


def send_test_request(orch, *, email: str, actor: Actor) -> TestRun:
    """A streamed chat request as the demo job seeker ``email``, through the plan's live routing:
    what a job seeker's request meets right now (outages, fallbacks, open circuits)."""
    require(orch, actor, SUPER_ADMIN, message=ONLY)
    from orchestrator.origin import APP
    from orchestrator.result import Result, StreamRestart
    from orchestrator.tasks.chat import SPEC

    if not demo_mode.sync(orch).enabled:
        raise Conflict("Turn the demo on first.")
    if email not in demo_job_seekers(orch):
        raise InputRejected(f"'{email}' is not a demo job seeker; test requests run only as demo accounts.")
    started = _latest_request_at(orch, email)
    text, restarts, result, error = [], [], None, None
    try:
        messages = [{"role": "user", "content": demo_mode.TEST_PROMPT}]
        for event in orch.stream(SPEC.name, user=email, messages=messages, origin=APP, regenerate=True):
            if isinstance(event, Result):
                result = event
            elif isinstance(event, StreamRestart):
                restarts.append(event.describe())
                text = []
            else:
                text.append(event)
    except OrchestratorError as exc:
        error = str(exc)
    request_id = result.request_id if result is not None else _request_after(orch, email, started)
    return TestRun(request_id=request_id, user_email=email, answered_by=result.provider if result else None,
                   text="".join(text) if result is None else result.text, attempts=_attempts(orch, request_id),
                   restarts=restarts, error=error)


def _latest_request_at(orch, email: str) -> datetime | None:
    from sqlalchemy import func

    from db.models import UsageRecord

    with orch.db.read() as s:
        return s.scalar(select(func.max(UsageRecord.timestamp)).join(User, User.id == UsageRecord.user_id)
                        .where(User.email == email))


def _request_after(orch, email: str, started: datetime | None) -> str | None:
    from db.models import UsageRecord

    with orch.db.read() as s:
        q = select(UsageRecord.request_id).join(User, User.id == UsageRecord.user_id).where(User.email == email)
        if started is not None:
            q = q.where(UsageRecord.timestamp > started)
        return s.scalar(q.order_by(UsageRecord.timestamp.desc(), UsageRecord.id.desc()).limit(1))


def _attempts(orch, request_id: str | None) -> list[TestAttempt]:
    if request_id is None:
        return []
    from db.models import UsageRecord

    with orch.db.read() as s:
        rows = s.scalars(select(UsageRecord).where(UsageRecord.request_id == request_id)
                         .order_by(UsageRecord.attempt, UsageRecord.id)).all()
        return [TestAttempt(r.attempt, r.provider, r.model, r.status, r.error_type, r.latency_ms) for r in rows]
