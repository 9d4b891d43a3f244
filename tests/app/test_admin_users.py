"""Users page: search and paging, plan and role changes (with the super-admin rule),
activation, top-ups recorded in the credit ledger, adding accounts."""

from __future__ import annotations

from decimal import Decimal

from orchestrator.services.reports import logs
from orchestrator.services.admin import users
from orchestrator.services.user import sign_in
from tests.app.admin_helpers import add_plain_admin, no_errors, page_as, rendered_text, state_text
from tests.support import operator


def _pick(at, email):
    at.selectbox(key="user_pick").select(email)
    return at.run()


def test_search_filters_and_pages(app_env):
    for i in range(30):
        users.add_user(app_env, email=f"bulk{i:02d}@example.org", plan="freemium", actor=operator())
    at = page_as(app_env, "users")
    no_errors(at)
    assert len(at.dataframe[0].value) == 25 and "34 user(s) · page 1 of 2" in at.caption[1].value
    at.pagination[0].select(2).run()
    assert list(at.dataframe[0].value["Email"])[:1] == ["bulk24@example.org"] and len(at.dataframe[0].value) == 9
    at.text_input(key="user_query").input("paolo").run()
    assert list(at.dataframe[0].value["Email"]) == ["paygo@example.com"]
    at.text_input(key="user_query").input("").run()
    at.selectbox(key="user_role_filter").select("super_admin").run()
    assert list(at.dataframe[0].value["Email"]) == ["admin@example.com"]


def test_change_plan_and_deactivate(app_env):
    at = _pick(page_as(app_env, "users"), "free@example.com")
    at.selectbox(key="set_plan:free@example.com").select("pro").run()
    at.button(key="change_plan").click().run()
    no_errors(at)
    assert any("free@example.com is now on Pro" in s.value for s in at.success)
    assert users.get_user(app_env, email="free@example.com").plan == "pro"
    at.button(key="deactivate_user").click().run()
    assert not users.get_user(app_env, email="free@example.com").is_active
    assert at.dataframe[0].value.set_index("Email").loc["free@example.com", "Status"] == "○ inactive"
    at.button(key="activate_user").click().run()
    assert users.get_user(app_env, email="free@example.com").is_active
    actions = [e.action for e in logs.audit_entries(app_env, actor="admin@example.com").rows]
    assert actions[:3] == ["user.set_active", "user.set_active", "user.set_plan"]


def test_admin_cannot_demote_or_deactivate_themselves(app_env):
    at = _pick(page_as(app_env, "users"), "admin@example.com")
    assert at.button(key="deactivate_user").disabled and at.button(key="change_role").disabled


def test_plain_admin_cannot_grant_super_admin(app_env):
    add_plain_admin(app_env)
    at = _pick(page_as(app_env, "users", email="ops@example.com"), "pro@example.com")
    at.selectbox(key="set_role:pro@example.com").select("super_admin").run()
    at.button(key="change_role").click().run()
    assert [e.value for e in at.error] == ["Only a super admin may grant or revoke the super admin role."]
    at.selectbox(key="set_role:pro@example.com").select("admin").run()
    at.button(key="change_role").click().run()
    no_errors(at)
    assert users.get_user(app_env, email="pro@example.com").role == "admin"


def test_top_up_is_recorded_in_the_credit_ledger(app_env):
    at = _pick(page_as(app_env, "users"), "paygo@example.com")
    at.text_input(key="top_up_amount").input("5.25")
    at.text_input(key="top_up_note").input("invoice 42")
    at.button(key="FormSubmitter:top_up:paygo@example.com-Top up").click().run()
    no_errors(at)
    assert any("balance $15.25" in s.value for s in at.success)
    assert users.get_user(app_env, email="paygo@example.com").credit_usd == Decimal("15.25")
    ledger = at.dataframe[-1].value
    assert list(ledger["Amount"]) == ["+$5.25", "+$10.00"]
    assert list(ledger["Exact"]) == ["$5.25", "$10"]  # the ledger's amount, unrounded
    assert ledger.iloc[0]["Note"] == "invoice 42" and ledger.iloc[0]["By"] == "admin@example.com"


def test_bad_top_up_is_refused(app_env):
    at = _pick(page_as(app_env, "users"), "paygo@example.com")
    at.text_input(key="top_up_amount").input("-3")
    at.button(key="FormSubmitter:top_up:paygo@example.com-Top up").click().run()
    assert [e.value for e in at.error] == ["A top-up must be more than $0 and at most $100,000."]
    assert users.get_user(app_env, email="paygo@example.com").credit_usd == Decimal("10")


def test_add_user_never_keeps_the_password(app_env):
    at = page_as(app_env, "users")
    at.text_input(key="new_user_email").input("New.Person@Example.com")
    at.selectbox(key="new_user_plan").select("paygo")
    at.text_input(key="new_user_password").input("Sup3rSecretPass")
    at.button(key="FormSubmitter:add_user-Add user").click().run()
    no_errors(at)
    assert users.get_user(app_env, email="new.person@example.com").plan == "paygo"
    assert "Sup3rSecretPass" not in rendered_text(at) and "Sup3rSecretPass" not in state_text(at)
    assert sign_in.authenticate(app_env, email="new.person@example.com", password="Sup3rSecretPass")
