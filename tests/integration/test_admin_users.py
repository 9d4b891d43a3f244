"""User administration: search and paging, overrides feeding the quota limits, the
credit ledger, and the role rules (server-side, whatever the page shows)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Plan, User
from orchestrator.errors import InputRejected, NotFound, PermissionDenied
from orchestrator.quota import limits_for
from orchestrator.services.admin import admin_users, users
from orchestrator.services.reports import logs
from tests.support import acting, operator


def test_search_and_paging(demo_users):
    orch = demo_users
    for i in range(12):
        users.add_user(orch, email=f"p{i:02d}@corp.test", name=f"Person {i}", plan="paygo", actor=operator())
    page = admin_users.search_users(orch, query="corp.test", page=2, page_size=5)
    assert page.total == 12 and page.pages == 3 and [u.email for u in page.rows][0] == "p05@corp.test"
    assert admin_users.search_users(orch, query="PERSON 1", page_size=50).total == 3  # 1, 10, 11
    assert admin_users.search_users(orch, plan="paygo").total == 13
    assert [u.email for u in admin_users.search_users(orch, role="super_admin").rows] == ["admin@example.com"]
    users.set_active(orch, email="p03@corp.test", active=False, actor=operator())
    assert [u.email for u in admin_users.search_users(orch, active=False).rows] == ["p03@corp.test"]
    assert admin_users.search_users(orch, query="100%_").total == 0  # LIKE wildcards are literal


def test_overrides_apply_to_quota_limits(demo_users):
    orch = demo_users
    row = admin_users.set_overrides(orch, email="free@example.com", requests_per_day="1,000", cost_cap_usd="$4.5",
                                    actor=acting(orch, "admin@example.com"))
    assert row.has_overrides and row.requests_per_day_override == 1000
    with orch.db.read() as s:
        u = s.scalar(select(User).where(User.email == "free@example.com"))
        limits = limits_for(u, s.get(Plan, u.plan_id))
    assert (limits.requests_per_day, limits.tokens_per_month, limits.cost_cap_usd_month) == (
        1000, 300_000, Decimal("4.5"))
    detail = admin_users.user_detail(orch, email="free@example.com")
    assert [(line.plan_value, line.override, line.effective) for line in detail.limits][0] == (20, 1000, 1000)
    assert admin_users.search_users(orch, with_overrides=True).total == 1
    admin_users.clear_overrides(orch, email="free@example.com", actor=acting(orch, "admin@example.com"))
    assert not admin_users.user_detail(orch, email="free@example.com").user.has_overrides
    entry = logs.audit_entries(orch, action="user.set_overrides").rows
    assert entry[0].before["cost_cap_usd_month_override"] == "4.5" and entry[0].after[
        "cost_cap_usd_month_override"] is None
    with pytest.raises(InputRejected):
        admin_users.set_overrides(orch, email="free@example.com", tokens_per_month="-5", actor=operator())


def test_credit_ledger(demo_users):
    orch = demo_users
    admin_users.top_up(orch, email="paygo@example.com", amount_usd="2.50", note="promo",
                       actor=acting(orch, "admin@example.com"))
    entries = admin_users.credit_ledger(orch, email="paygo@example.com")
    assert [(e.amount_usd, e.kind, e.actor) for e in entries] == [
        (Decimal("2.5"), "topup", "admin@example.com"), (Decimal("10"), "topup", "seed")]
    assert users.get_user(orch, email="paygo@example.com").credit_usd == Decimal("12.5")
    with pytest.raises(NotFound):
        admin_users.credit_ledger(orch, email="ghost@example.com")


def test_role_rules(demo_users):
    orch = demo_users
    users.add_user(orch, email="ops@example.com", plan="pro", role="admin", actor=operator())
    with pytest.raises(PermissionDenied, match="super admin"):
        admin_users.change_role(orch, email="pro@example.com", role="super_admin",
                                actor=acting(orch, "ops@example.com"))
    with pytest.raises(PermissionDenied, match="super admin"):
        admin_users.change_role(orch, email="admin@example.com", role="user", actor=acting(orch, "ops@example.com"))
    with pytest.raises(PermissionDenied):
        admin_users.change_active(orch, email="admin@example.com", active=False, actor=acting(orch, "ops@example.com"))
    with pytest.raises(PermissionDenied):
        admin_users.create_user(orch, email="boss@example.com", plan="pro", role="super_admin",
                                actor=acting(orch, "ops@example.com"))
    with pytest.raises(InputRejected, match="own role"):
        admin_users.change_role(orch, email="admin@example.com", role="admin", actor=acting(orch, "admin@example.com"))
    with pytest.raises(InputRejected, match="own account"):
        admin_users.change_active(orch, email="ops@example.com", active=False, actor=acting(orch, "ops@example.com"))
    with pytest.raises(PermissionDenied, match="Only an admin"):
        admin_users.top_up(orch, email="paygo@example.com", amount_usd="5", actor=acting(orch, "free@example.com"))
    assert admin_users.change_role(orch, email="pro@example.com", role="admin",
                                   actor=acting(orch, "ops@example.com")).role == "admin"
    assert admin_users.change_role(orch, email="ops@example.com", role="super_admin",
                                   actor=acting(orch, "admin@example.com")).role == "super_admin"
    users.set_active(orch, email="ops@example.com", active=False, actor=operator())
    with pytest.raises(PermissionDenied):  # a deactivated admin has no powers left
        admin_users.change_plan(orch, email="free@example.com", plan="pro", actor=acting(orch, "ops@example.com"))
