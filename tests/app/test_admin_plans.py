"""Plans & quotas page: plan limits (blank = unlimited) and per-user overrides."""

from __future__ import annotations

from decimal import Decimal

from orchestrator.services.admin import admin_users, plans
from orchestrator.services.reports import logs
from tests.app.admin_helpers import no_errors, page_as


def _plan(orch, code):
    return next(p for p in plans.list_plans(orch) if p.code == code)


def test_plans_table(app_env):
    at = page_as(app_env, "plans")
    no_errors(at)
    table = at.dataframe[0].value.set_index("Code")
    assert table.loc["freemium", "Requests / day"] == "20"
    assert table.loc["paygo", "Cost cap / month"] == "unlimited"
    assert table.loc["paygo", "Paygo markup"] == "50%"


def test_edit_plan_limits(app_env):
    at = page_as(app_env, "plans")
    at.text_input(key="rpd:freemium").input("35")
    at.text_input(key="tpm:freemium").input("")  # unlimited
    at.text_input(key="cap:freemium").input("2.50")
    at.button(key="FormSubmitter:limits_freemium-Save limits").click().run()
    no_errors(at)
    p = _plan(app_env, "freemium")
    assert (p.requests_per_day, p.tokens_per_month, p.cost_cap_usd_month) == (35, None, Decimal("2.5"))
    assert at.dataframe[0].value.set_index("Code").loc["freemium", "Tokens / month"] == "unlimited"
    entry = logs.audit_entries(app_env, action="plan.set_limits").rows[0]
    assert entry.before["requests_per_day"] == 20 and entry.after["requests_per_day"] == 35


def test_bad_limit_is_refused(app_env):
    at = page_as(app_env, "plans")
    at.text_input(key="rpd:freemium").input("lots")
    at.button(key="FormSubmitter:limits_freemium-Save limits").click().run()
    assert [e.value for e in at.error] == ["requests_per_day must be a whole number or 'none'."]
    assert _plan(app_env, "freemium").requests_per_day == 20


def test_markup_of_credit_plan(app_env):
    at = page_as(app_env, "plans")
    at.selectbox(key="plan_pick").select("paygo").run()
    at.text_input(key="markup:paygo").input("30")
    at.button(key="FormSubmitter:limits_paygo-Save limits").click().run()
    no_errors(at)
    assert _plan(app_env, "paygo").markup_pct == 30


def test_per_user_overrides(app_env):
    at = page_as(app_env, "plans")
    assert any("No user has an override yet" in c.value for c in at.caption)
    at.text_input(key="ovr_query").input("free@").run()
    at.text_input(key="ovr_rpd:free@example.com").input("100")
    at.text_input(key="ovr_cap:free@example.com").input("3")
    at.button(key="FormSubmitter:overrides_free@example.com-Save overrides").click().run()
    no_errors(at)
    u = admin_users.user_detail(app_env, email="free@example.com").user
    assert (u.requests_per_day_override, u.tokens_per_month_override, u.cost_cap_usd_month_override) == (
        100, None, Decimal("3"))
    limits = at.dataframe[-1].value.set_index("Limit")
    assert limits.loc["Requests per day", "Plan"] == "20" and limits.loc["Requests per day", "Applies"] == "100"
    assert limits.loc["Tokens per month", "Override"] == "—"
    overridden = at.dataframe[1].value
    assert list(overridden["User"]) == ["free@example.com"]
    at.button(key="clear_overrides").click().run()
    no_errors(at)
    assert not admin_users.user_detail(app_env, email="free@example.com").user.has_overrides
    actions = [e.action for e in logs.audit_entries(app_env, action="user.set_overrides").rows]
    assert len(actions) == 2
