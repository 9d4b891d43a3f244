"""40 concurrent requests from 2 OS processes for one user with a daily limit of 10:
exactly 10 succeed, 30 are denied, and money and counters match the ledger exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from db.models import CreditTransaction, QuotaCounter, UsageRecord, User
from orchestrator.services.admin import users
from tests.sim_support import add_sim_providers, set_chain
from tests.reliability.conftest import live_holds
from tests.support import operator

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("worker.py")


def test_two_processes_cannot_overspend(books, fresh_sim, settings):
    orch = books
    add_sim_providers(orch, fresh_sim)
    users.add_user(orch, email="racer@example.com", plan="paygo", actor=operator())
    users.top_up(orch, email="racer@example.com", amount_usd="5", actor=operator())
    with orch.db.write() as s:
        s.scalar(select(User).where(User.email == "racer@example.com")).requests_per_day_override = 10
    set_chain(orch, "paygo", "extract_job", "sim-openai:gpt-4o-mini")

    env = dict(os.environ, ORCHESTRATOR_MASTER_KEY=settings.master_keys[0],
               ORCHESTRATOR_DATA_DIR=str(settings.data_dir), PYTHONPATH=str(ROOT))
    start_at = time.time() + 3.0
    procs = [subprocess.Popen([sys.executable, str(WORKER), orch.db.url, "racer@example.com", "20",
                               str(start_at), f"p{n}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for n in range(2)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert [r["errors"] for r in results] == [[], []]
    assert sum(r["ok"] for r in results) == 10
    assert sum(r["denied"] for r in results) == 30
    assert live_holds(orch) == []

    with orch.db.read() as s:
        user = s.scalar(select(User).where(User.email == "racer@example.com"))
        success = s.execute(select(func.count(), func.sum(UsageRecord.cost_usd), func.sum(UsageRecord.charged_usd),
                                   func.sum(UsageRecord.tokens_input + UsageRecord.tokens_output))
                            .where(UsageRecord.user_id == user.id, UsageRecord.status == "success")).one()
        per_row = s.execute(select(UsageRecord.cost_usd, UsageRecord.charged_usd)
                            .where(UsageRecord.user_id == user.id, UsageRecord.status == "success")).all()
        denied = s.scalar(select(func.count()).where(UsageRecord.user_id == user.id,
                                                      UsageRecord.status == "quota_denied"))
        charges = s.scalar(select(func.sum(CreditTransaction.amount_usd))
                           .where(CreditTransaction.user_id == user.id, CreditTransaction.kind == "charge"))
        day = s.scalar(select(QuotaCounter).where(QuotaCounter.user_id == user.id, QuotaCounter.period == "day"))
        month = s.scalar(select(QuotaCounter).where(QuotaCounter.user_id == user.id,
                                                    QuotaCounter.period == "month"))
    count, cost, charged, tokens = success
    assert count == 10 and denied == 30
    assert cost > 0
    assert all(ch == (c * Decimal("1.5")).quantize(Decimal("1e-12")) for c, ch in per_row)  # paygo: cost + 50 %
    assert -charges == charged
    assert user.credit_usd == Decimal(5) - charged and user.credit_held_usd == 0
    assert day.requests == 10
    assert month.tokens == tokens and month.cost_usd == cost
