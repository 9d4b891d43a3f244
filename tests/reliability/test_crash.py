"""A process killed with SIGKILL mid-request: the attempts it completed are in the
ledger, and its holds are released once their TTL has passed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from db.models import QuotaCounter, Reservation, UsageRecord
from orchestrator import quota
from orchestrator.services.admin import users
from tests.reliability.conftest import live_holds
from tests.sim_support import add_sim_providers, set_chain
from tests.support import operator

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from orchestrator import Orchestrator
orch = Orchestrator(database_url=sys.argv[1], migrate=False, seed=False)
orch.run("extract_job", user="victim@example.com", text="Data Engineer at Acme, Berlin. Python and SQL.")
"""


def _rows(orch):
    with orch.db.read() as s:
        return s.scalars(select(UsageRecord).order_by(UsageRecord.attempt)).all()


def test_sigkill_mid_request(books, fresh_sim, settings):
    orch = books
    add_sim_providers(orch, fresh_sim)
    users.add_user(orch, email="victim@example.com", plan="paygo", actor=operator())
    users.top_up(orch, email="victim@example.com", amount_usd="1", actor=operator())
    set_chain(orch, "paygo", "extract_job", "sim-openai:gpt-4o-mini,sim-anthropic:claude-haiku-4-5")
    fresh_sim.set_sticky_fault("openai", kind="status", status=500)  # three quick failed attempts...
    fresh_sim.set_sticky_fault("anthropic", kind="latency", seconds=60)  # ...then one that hangs

    env = dict(os.environ, ORCHESTRATOR_MASTER_KEY=settings.master_keys[0], PYTHONPATH=str(ROOT),
               ORCHESTRATOR_DATA_DIR=str(settings.data_dir), ORCHESTRATOR_RESERVATION_TTL_S="30",
               ORCHESTRATOR_BACKOFF_BASE_S="0.01", ORCHESTRATOR_BACKOFF_MAX_S="0.02")
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, orch.db.url], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        if any(req.get("vendor") == "anthropic" for req in fresh_sim.requests):
            break
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        time.sleep(0.05)
    time.sleep(0.3)  # the hanging call is in flight
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)

    rows = _rows(orch)
    assert [(r.provider, r.status, r.error_type) for r in rows] == [("sim-openai", "error", "server_error")] * 3
    held = live_holds(orch)
    assert sorted(h.attempt for h in held) == [0, 4]  # the request hold and the hanging attempt's hold

    assert quota.sweep_expired(orch.db) == 0  # within the TTL nothing is touched
    later = datetime.now(UTC) + timedelta(seconds=31)  # past the 30 s TTL, without waiting for it
    assert quota.sweep_expired(orch.db, now=later) == 2
    assert live_holds(orch) == []
    with orch.db.read() as s:
        counters = {c.period: c for c in s.scalars(select(QuotaCounter)).all()}
        statuses = sorted(r.status for r in s.scalars(select(Reservation)).all())
    assert counters["day"].requests == 0 and counters["month"].tokens == 0 and counters["month"].cost_usd == 0
    assert statuses.count("expired") == 2

    fresh_sim.clear_faults()
    r = orch.run("extract_job", user="victim@example.com", text="Data Engineer at Acme, Berlin. Python.")
    assert r.provider == "sim-openai"


def test_hold_of_a_dead_process_is_swept_by_the_users_next_request(books):
    """No explicit sweep needed: the user's next reservation releases expired holds first."""
    orch = books
    users.add_user(orch, email="ghost@example.com", plan="freemium", actor=operator())
    info = users.get_user(orch, email="ghost@example.com")
    from orchestrator.prepare import resolve_user

    user, plan = resolve_user(orch.db, "ghost@example.com")
    limits = quota.limits_for(user, plan)
    past = datetime.now(UTC) - timedelta(hours=1)
    quota.reserve(orch.db, user_id=info.id, limits=limits, request_id="dead" * 8, attempt=0, ttl_s=60, now=past)
    assert len(live_holds(orch)) == 1
    orch.run("extract_job", user="ghost@example.com", text="QA Engineer at Initech, Austin. Selenium.")
    assert live_holds(orch) == []
