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
