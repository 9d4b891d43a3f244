"""Audit log page: who, when, what, before and after; never a secret."""

from __future__ import annotations

import json

from orchestrator.services.admin import admin_providers, admin_users
from tests.app.admin_helpers import no_errors, page_as, rendered_text
from tests.support import acting

KEY = "sk-proj-AuditPlantedKey0123456789abcd"


def test_changes_show_before_and_after_and_never_a_key(app_env):
    admin_providers.create_provider(app_env, actor=acting(app_env, "admin@example.com"), name="keyed", kind="openai",
                                    api_key=KEY, base_url="http://127.0.0.1:9/v1")
    admin_providers.set_key(app_env, actor=acting(app_env, "admin@example.com"), name="keyed", api_key=KEY + "2")
    admin_users.change_plan(app_env, email="free@example.com", plan="pro", actor=acting(app_env, "admin@example.com"))
    at = page_as(app_env, "audit_log")
    no_errors(at)
    table = at.dataframe[0].value
    assert list(table["Action"])[:3] == ["user.set_plan", "provider.update", "provider.add"]
    assert table.iloc[0]["Changes"] == "plan: freemium → pro" and table.iloc[0]["Who"] == "admin@example.com"
    assert KEY not in rendered_text(at)

    at.session_state["audit_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    no_errors(at)
    before, after = [json.loads(j.value) for j in at.json]
    assert before["key_hint"] == "…abcd" and after["key_hint"] == "…bcd2"
    assert KEY not in rendered_text(at)


def test_filters(app_env):
    admin_users.change_plan(app_env, email="free@example.com", plan="pro", actor=acting(app_env, "admin@example.com"))
    admin_users.top_up(app_env, email="paygo@example.com", amount_usd="2", actor=acting(app_env, "admin@example.com"))
    at = page_as(app_env, "audit_log")
    at.selectbox(key="audit_action").select("user.top_up").run()
    assert list(at.dataframe[0].value["Action"]) == ["user.top_up"]
    at.selectbox(key="audit_action").select("All")
    at.text_input(key="audit_search").input("free@").run()
    assert list(at.dataframe[0].value["Target"]) == ["user free@example.com"]
    at.text_input(key="audit_search").input("zzz-nothing").run()
    assert any("No changes match" in i.value for i in at.info)


def test_values_read_as_money_and_numbers_and_stay_exact_on_selection(app_env):
    """Money reads as dollars and numbers carry thousands separators and no storage scale,
    also for entries written before values were normalised ("10.000000000000")."""
    from decimal import Decimal

    from orchestrator.services.admin import audit, plans

    plans.set_limits(app_env, code="pro", actor=acting(app_env, "admin@example.com"), monthly_fee_usd="10",
                     tokens_per_month="1000000")
    plans.set_limits(app_env, code="pro", actor=acting(app_env, "admin@example.com"), monthly_fee_usd="15.5",
                     tokens_per_month="2500000")
    with app_env.db.write() as s:  # an older entry, as stored before: Money at its storage scale
        audit.record(s, actor="cli", action="user.top_up", target_type="user", target_id="paygo@example.com",
                     before={"credit_usd": "10.000000000000"}, after={"credit_usd": Decimal("10.000442500000")})
    at = page_as(app_env, "audit_log")
    no_errors(at)
    changes = list(at.dataframe[0].value["Changes"])
    assert changes[0] == "credit: $10 → $10.0004425"  # rounding would hide this change: shown exactly
    assert "monthly_fee: $10.00 → $15.50" in changes[1] and "tokens_per_month: 1,000,000 → 2,500,000" in changes[1]
    assert "0000000" not in rendered_text(at)

    at.session_state["audit_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    no_errors(at)
    before, after = [json.loads(j.value) for j in at.json]
    assert (before, after) == ({"credit_usd": "10"}, {"credit_usd": "10.0004425"})  # exact, without the scale
