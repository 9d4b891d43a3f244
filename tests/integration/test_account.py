"""Plan and usage figures on both databases: quota left and reset times, credit,
usage per day (aggregated in SQL) and what each document cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from db.models import UsageRecord
from orchestrator.services.user import account
from orchestrator.services.admin import plans, users
from tests.sim_support import add_sim_providers, set_chain
from tests.support import POSTING, operator


def test_fresh_account_has_everything_left(demo_users):
    now = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    st = account.account_status(demo_users, user="free@example.com", now=now)
    assert (st.plan_code, st.uses_credit, st.credit_usd) == ("freemium", False, None)
    assert st.requests_today.used == 0 and st.requests_today.remaining == 20
    assert st.requests_today.resets_at == datetime(2026, 4, 1, tzinfo=UTC)
    assert st.tokens_month.remaining == 300_000 and st.tokens_month.resets_at == datetime(2026, 4, 1, tzinfo=UTC)
    assert st.cost_month.limit == Decimal("1.00") and st.cost_month.used == Decimal(0)
    assert st.requests_today.fraction_used == 0.0


def test_usage_moves_the_counters(demo_users):
    orch = demo_users
    job = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
    orch.run("draft_cv", user="free@example.com", job_id=job)
    st = account.account_status(orch, user="free@example.com")
    assert st.requests_today.used == 2 and st.requests_today.remaining == 18
    assert st.tokens_month.used > 0
    assert abs(st.requests_today.fraction_used - 0.1) < 1e-9


def test_limits_follow_plan_edits_and_overrides(demo_users):
    orch = demo_users
    plans.set_limits(orch, code="freemium", requests_per_day=0, tokens_per_month="none", actor=operator())
    st = account.account_status(orch, user="free@example.com")
    assert st.requests_today.remaining == 0 and st.requests_today.fraction_used == 1.0
    assert st.tokens_month.unlimited and st.tokens_month.remaining is None


def test_paygo_credit_and_charges(demo_users, fresh_sim):
    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    set_chain(orch, "paygo", "extract_job", "sim-openai:gpt-4o-mini")
    st = account.account_status(orch, user="paygo@example.com")
    assert st.uses_credit and st.credit_usd == Decimal("10") and st.credit_available_usd == Decimal("10")
    r = orch.run("extract_job", user="paygo@example.com", text=POSTING)
    assert r.charged_usd > 0
    after = account.account_status(orch, user="paygo@example.com")
    assert after.credit_usd == Decimal("10") - r.charged_usd and after.credit_held_usd == 0
    [cost] = account.document_costs(orch, user="paygo@example.com")
    assert (cost.kind, cost.cost_usd, cost.charged_usd) == ("job", r.cost_usd, r.charged_usd)
    assert cost.kind_label == "Job extraction" and cost.model == "gpt-4o-mini"
    users.top_up(orch, email="paygo@example.com", amount_usd="5", actor=operator())
    assert account.account_status(orch, user="paygo@example.com").credit_usd == Decimal("15") - r.charged_usd


def _ledger(orch, *, user_id, when, status="success", cost="0.001", charged="0", tokens=(100, 50), rid):
    with orch.db.write() as s:
        s.add(UsageRecord(timestamp=when, request_id=rid, attempt=1, user_id=user_id, plan="freemium",
                          task_type="draft_cv", provider="sim", provider_kind="openai", model="m", status=status,
                          tokens_input=tokens[0], tokens_output=tokens[1],
                          cost_usd=None if cost is None else Decimal(cost), priced=cost is not None,
                          charged_usd=Decimal(charged), latency_ms=5))


def test_usage_by_day_aggregates_served_requests_per_utc_day(demo_users):
    orch = demo_users
    uid = users.get_user(orch, email="free@example.com").id
    other = users.get_user(orch, email="pro@example.com").id
    now = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    day = now.replace(hour=0)
    _ledger(orch, user_id=uid, when=day + timedelta(hours=1), rid="a", cost="0.0015")
    _ledger(orch, user_id=uid, when=day + timedelta(hours=23, minutes=59), rid="b", cost="0.0025")
    _ledger(orch, user_id=uid, when=day + timedelta(hours=2), rid="c", status="error", cost="0.5")
    _ledger(orch, user_id=uid, when=day - timedelta(days=1), rid="d", cost=None)  # unpriced
    _ledger(orch, user_id=uid, when=day - timedelta(days=40), rid="e")  # too old
    _ledger(orch, user_id=other, when=day + timedelta(hours=3), rid="f")  # someone else
    days = account.usage_by_day(orch, user="free@example.com", days=30, now=now)
    assert len(days) == 30 and days[-1].day == now.date() and days[0].day == (now - timedelta(days=29)).date()
    today, yesterday = days[-1], days[-2]
    assert (today.requests, today.tokens, today.cost_usd, today.unpriced) == (2, 300, Decimal("0.004"), 0)
    assert (yesterday.requests, yesterday.cost_usd, yesterday.unpriced) == (1, Decimal(0), 1)
    assert sum(d.requests for d in days) == 3
    assert all(isinstance(d.cost_usd, Decimal) for d in days)


def test_document_costs_lists_jobs_and_documents_newest_first(demo_users):
    orch = demo_users
    job = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
    orch.run("draft_cv", user="free@example.com", job_id=job)
    orch.run("cover_letter", user="free@example.com", job_id=job)
    costs = account.document_costs(orch, user="free@example.com")
    assert [c.kind for c in costs] == ["cover_letter", "cv", "job"]
    assert all(c.cost_usd == Decimal(0) and c.charged_usd == Decimal(0) for c in costs)
    assert account.document_costs(orch, user="pro@example.com") == []
