"""Self-service plan changes: upgrade, downgrade, cancel; the plan history, invoices, refunds,
audit and idempotency; a user at quota who upgrades can go on; plan economics bills each day
at the plan in effect then (hand-computed Decimal), on SQLite and PostgreSQL."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from sqlalchemy import select

from db.models import AuditEntry, Invoice, PlanChange, User
from orchestrator.errors import InputRejected, QuotaExceeded
from orchestrator.services.admin import plans
from orchestrator.services.reports import analytics_finance as fin
from orchestrator.services.reports.analytics_queries import AnalyticsFilter, clear_cache
from orchestrator.services.user import billing, plan_change
from tests.support import POSTING, operator

FREE, PAYGO, PRO = "free@example.com", "paygo@example.com", "pro@example.com"


def rest_of_month(fee: str) -> Decimal:
    today = datetime.now(UTC).date()
    dim = calendar.monthrange(today.year, today.month)[1]
    return (Decimal(fee) * (dim - today.day + 1) / dim).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def audit_actions(orch, email: str) -> list[tuple[str, dict, dict]]:
    with orch.db.read() as s:
        return [(e.action, e.before, e.after) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.actor == email).order_by(AuditEntry.id))]


def test_quotes_are_pro_rata_for_the_rest_of_the_month(demo_users):
    # 11 Dec 2026: 21 of December's 31 days are left, today included -> 19 x 21/31 = 12.870967.. -> $12.87
    q = plan_change.quote(demo_users, user=FREE, to_plan="pro", now=datetime(2026, 12, 11, 10, tzinfo=UTC))
    assert (q.charge_usd, q.refund_usd, q.through, q.direction) == (Decimal("12.87"), 0, date(2026, 12, 31), "upgrade")
    # 28 Feb 2027 (a 28-day month, last day): 19 x 1/28 = 0.678571.. -> $0.68
    q = plan_change.quote(demo_users, user=FREE, to_plan="pro", now=datetime(2027, 2, 28, tzinfo=UTC))
    assert q.charge_usd == Decimal("0.68")
    # leaving pro refunds at most what was paid for it this month: the seeded pro user paid nothing
    q = plan_change.quote(demo_users, user=PRO, to_plan="freemium")
    assert (q.charge_usd, q.refund_usd, q.direction) == (0, 0, "cancel")
    assert plan_change.quote(demo_users, user=PRO, to_plan="paygo").direction == "downgrade"
    with pytest.raises(InputRejected, match="already on Freemium"):
        plan_change.quote(demo_users, user=FREE, to_plan="freemium")


def test_upgrade_charges_records_history_and_audits(demo_users):
    orch = demo_users
    r = plan_change.change_plan(orch, user=FREE, to_plan="pro", idempotency_key="upgrade-0001")
    charge = rest_of_month("19")
    assert (r.from_plan, r.to_plan, r.charged_usd, r.repeated) == ("freemium", "pro", charge, False)
    with orch.db.read() as s:
        user = s.scalar(select(User).where(User.email == FREE))
        assert user.plan.code == "pro"
        rows = s.scalars(select(PlanChange).where(PlanChange.user_id == user.id).order_by(PlanChange.id)).all()
        [inv] = s.scalars(select(Invoice).where(Invoice.user_id == user.id)).all()
    start, change = rows
    assert (start.from_plan, start.to_plan, start.effective_at, start.actor) == (None, "freemium", user.created_at,
                                                                               "system")
    assert (change.from_plan, change.to_plan, change.actor, change.reason, change.invoice_id) == (
        "freemium", "pro", FREE, "upgrade", inv.id)
    assert (inv.kind, inv.plan_code, inv.amount_usd, inv.status) == ("plan", "pro", charge, "succeeded")
    [(action, before, after)] = audit_actions(orch, FREE)
    assert action == "plan.upgrade" and before == {"plan": "freemium"}
    assert after["plan"] == "pro" and Decimal(after["charged_usd"]) == charge and after["invoice_id"] == inv.id
    hist = plan_change.plan_history(orch, user=FREE)
    assert [(h.from_plan, h.to_plan) for h in hist] == [("freemium", "pro"), (None, "freemium")]


def test_a_double_click_changes_the_plan_and_charges_once(demo_users):
    orch = demo_users
    first = plan_change.change_plan(orch, user=FREE, to_plan="pro", idempotency_key="double-0001")
    again = plan_change.change_plan(orch, user=FREE, to_plan="pro", idempotency_key="double-0001")
    assert again.repeated and again.change_id == first.change_id and again.charged_usd == first.charged_usd
    with orch.db.read() as s:
        assert len(s.scalars(select(Invoice)).all()) == 1
        assert len(s.scalars(select(PlanChange).where(PlanChange.reason == "upgrade")).all()) == 1
    assert [a for a, _, _ in audit_actions(orch, FREE)] == ["plan.upgrade"]


def test_cancel_the_same_month_refunds_the_unused_days_and_downgrade_is_audited(demo_users):
    orch = demo_users
    up = plan_change.change_plan(orch, user=FREE, to_plan="pro", idempotency_key="month-up-01")
    down = plan_change.cancel_plan(orch, user=FREE, idempotency_key="month-cancel-01")
    assert (down.from_plan, down.to_plan, down.charged_usd) == ("pro", "freemium", 0)
    assert down.refunded_usd == up.charged_usd  # cancelled the same day: every paid day comes back
    invoices = billing.invoices(orch, user=FREE)
    assert [(i.amount_usd, i.status, i.plan_code) for i in invoices] == [
        (-up.charged_usd, "succeeded", "pro"), (up.charged_usd, "succeeded", "pro")]
    assert invoices[0].is_refund and invoices[0].provider_ref.startswith("demo_re_")
    assert [a for a, _, _ in audit_actions(orch, FREE)] == ["plan.upgrade", "plan.cancel"]
    assert plan_change.plan_history(orch, user=FREE)[0].reason == "cancel"
    # the seeded pro user moves down to pay as you go: no refund (nothing paid through billing)
    r = plan_change.change_plan(orch, user=PRO, to_plan="paygo", idempotency_key="pro-down-01")
    assert (r.charged_usd, r.refunded_usd) == (0, 0)
    [(action, before, after)] = audit_actions(orch, PRO)
    assert (action, before["plan"], after["plan"]) == ("plan.downgrade", "pro", "paygo")
    with pytest.raises(InputRejected, match="no credit to buy"):
        billing.buy_credit(orch, user=FREE, amount="5", idempotency_key="free-credit-01")


def test_a_user_at_quota_upgrades_and_can_go_on(demo_users):
    orch = demo_users
    plans.set_limits(orch, code="freemium", requests_per_day=0, actor=operator())
    with pytest.raises(QuotaExceeded):
        orch.run("extract_job", user=FREE, text=POSTING)
    plan_change.change_plan(orch, user=FREE, to_plan="pro", idempotency_key="at-quota-01")
    assert orch.run("extract_job", user=FREE, text=POSTING).job_id


def test_plan_economics_bills_each_day_at_the_plan_of_that_day(demo_users):
    """Pro (fee $19) until 10 Mar 2025, freemium 11-19 Mar, pro again from 20 Mar (changes at
    10:00 and 16:30: the day of a change is billed at the new plan)."""
    orch = demo_users
    with orch.db.write() as s:
        user = s.scalar(select(User).where(User.email == PRO))
        user.created_at = datetime(2025, 1, 15, 9, tzinfo=UTC)
        uid = user.id
    plan_change.change_plan(orch, user=PRO, to_plan="freemium", idempotency_key="econ-down-01",
                            now=datetime(2025, 3, 11, 10, tzinfo=UTC))
    plan_change.change_plan(orch, user=PRO, to_plan="pro", idempotency_key="econ-up-0001",
                            now=datetime(2025, 3, 20, 16, 30, tzinfo=UTC))
    clear_cache()

    def econ(start: date, end: date):
        report = fin.plan_economics(orch, filt=AnalyticsFilter(start=start, end=end, user_id=uid))
        return {p.plan: p for p in report.plans}, report.users

    march, [me] = econ(date(2025, 3, 1), date(2025, 3, 31))
    # pro 1-10 and 20-31 March = 22 of 31 days: 19 x 22/31 = 418/31 = 13.48387096774193.. -> 13.483870967742
    assert march["pro"].fee_revenue_usd == Decimal("13.483870967742") == me.fee_revenue_usd
    assert (march["pro"].subscribers, march["freemium"].subscribers) == (1, 1)
    assert march["freemium"].fee_revenue_usd == 0 and me.plan == "pro"
    # 1-15 March: pro for 10 of 31 days: 190/31 = 6.129032258064516.. -> 6.129032258065
    first_half, _ = econ(date(2025, 3, 1), date(2025, 3, 15))
    assert first_half["pro"].fee_revenue_usd == Decimal("6.129032258065")
    # 12-18 March: freemium all along
    mid, [me] = econ(date(2025, 3, 12), date(2025, 3, 18))
    assert (mid["pro"].subscribers, mid["pro"].fee_revenue_usd, me.plan) == (0, 0, "freemium")
    # February: a whole month of pro is exactly one fee; January from sign-up on the 15th: 17/31
    feb, _ = econ(date(2025, 2, 1), date(2025, 2, 28))
    assert feb["pro"].fee_revenue_usd == Decimal("19")
    jan, _ = econ(date(2025, 1, 1), date(2025, 1, 31))
    assert jan["pro"].fee_revenue_usd == Decimal("10.419354838710")  # 323/31 = 10.41935483870967..


def test_the_migration_gives_every_existing_user_a_starting_history_row(tmp_path):
    from sqlalchemy import text

    from db.migrate import upgrade
    from db.session import Database

    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        upgrade(db, "0008")
        with db.engine.begin() as c:
            c.execute(text("INSERT INTO plans (id, code, name, description, monthly_fee_usd, uses_credit, markup_pct, "
                           "sort_order, keep_payloads, redact_personal_data, created_at) VALUES "
                           "(1, 'pro', 'Pro', '', 19000000000000, 0, 0, 1, 0, 1, '2025-01-02 03:04:05')"))
            c.execute(text("INSERT INTO users (id, email, name, role, plan_id, is_active, credit_usd, credit_held_usd, "
                           "is_demo, created_at) VALUES (7, 'a@ex.com', '', 'user', 1, 1, 0, 0, 0, "
                           "'2025-01-02 03:04:05')"))
        upgrade(db)
        with db.read() as s:
            [row] = s.scalars(select(PlanChange)).all()
        assert (row.user_id, row.from_plan, row.to_plan, row.actor) == (7, None, "pro", "migration")
        assert row.effective_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    finally:
        db.dispose()


def test_users_created_after_the_migration_get_their_starting_row(demo_users):
    from orchestrator.plan_history import ensure_history

    orch = demo_users
    with orch.db.read() as s:
        users = {u.id: (u.plan.code, u.created_at) for u in s.scalars(select(User))}
    assert ensure_history(orch.db) == len(users) and ensure_history(orch.db) == 0
    with orch.db.read() as s:
        rows = {r.user_id: (r.to_plan, r.effective_at) for r in s.scalars(select(PlanChange))}
    assert rows == users
