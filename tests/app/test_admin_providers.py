"""Providers page: create with a key (never shown again), test credentials against the
simulator, the deletion refusal, deactivate, and the super-admin rule for keys."""

from __future__ import annotations

import pytest

from orchestrator.errors import PermissionDenied
from orchestrator.services.admin import admin_providers, providers
from orchestrator.simulator import Simulator
from tests.app.admin_helpers import add_plain_admin, no_errors, page_as, rendered_text, state_text
from tests.support import acting, operator

KEY = "sk-proj-PlantedSecretKey0123456789wxyz"


@pytest.fixture(scope="module")
def sim():
    s = Simulator(valid_keys={"openai": KEY}).start()
    yield s
    s.stop()


def _create(at, name, base_url, key=KEY):
    at.text_input(key="add_name").input(name)
    at.selectbox(key="add_kind").select("openai")
    at.text_input(key="add_base_url").input(base_url)
    at.text_input(key="add_api_key").input(key)
    at.button(key="FormSubmitter:add_provider-Create provider").click()
    return at.run()


def test_list_shows_health_columns(app_env):
    at = page_as(app_env, "providers")
    no_errors(at)
    table = at.dataframe[0].value
    assert {"Provider", "Active", "Key", "Last test", "Circuit", "Errors 24 h"} <= set(table.columns)
    assert list(table["Provider"]) == ["gemini", "openai", "anthropic", "offline"]
    assert set(table["Circuit"]) == {"● closed"}


def test_create_with_key_shows_only_the_hint_and_tests_ok(app_env, sim):
    at = page_as(app_env, "providers")
    at = _create(at, "sim-openai", sim.openai_base_url)
    no_errors(at)
    assert any("created with key …wxyz" in s.value for s in at.success)
    row = at.dataframe[0].value.set_index("Provider").loc["sim-openai"]
    assert row["Key"] == "key …wxyz" and row["Last test"] == "not tested"
    assert KEY not in rendered_text(at) and KEY not in state_text(at)

    at.selectbox(key="manage_provider").select("sim-openai").run()
    at.selectbox(key="test_model").select("gpt-4o-mini").run()
    at.button(key="test_creds").click().run()
    no_errors(at)
    ok = [s.value for s in at.success if s.value.startswith("OK · ")]
    assert ok and " ms · gpt-4o-mini" in ok[0]
    assert at.dataframe[0].value.set_index("Provider").loc["sim-openai", "Last test"].startswith("✔ OK")
    assert KEY not in rendered_text(at) and KEY not in state_text(at)


def test_wrong_key_is_a_clear_failure(app_env, sim):
    providers.add_provider(app_env, name="sim-bad", kind="openai", base_url=sim.openai_base_url,
                           api_key="sk-proj-WrongKey00000000000000", timeout_s=5, actor=operator())
    at = page_as(app_env, "providers")
    at.selectbox(key="manage_provider").select("sim-bad").run()
    at.selectbox(key="test_model").select("gpt-4o-mini").run()
    at.button(key="test_creds").click().run()
    assert not at.exception
    assert any(e.value.startswith("Failed: invalid_key") and "rejected" in e.value for e in at.error)


def test_replace_key_clears_the_field(app_env, sim):
    providers.add_provider(app_env, name="sim-two", kind="openai", base_url=sim.openai_base_url, timeout_s=5,
                           actor=operator())
    at = page_as(app_env, "providers")
    at.selectbox(key="manage_provider").select("sim-two").run()
    at.text_input(key="provider_api_key").input(KEY)
    at.button(key="FormSubmitter:key_sim-two-Save key").click().run()
    no_errors(at)
    assert any("Key saved for 'sim-two': …wxyz" in s.value for s in at.success)
    assert at.text_input(key="provider_api_key").value == ""
    assert KEY not in rendered_text(at) and KEY not in state_text(at)
    assert providers.get_provider(app_env, "sim-two").key_hint == "…wxyz"


def test_delete_refused_while_the_policy_uses_it(app_env):
    at = page_as(app_env, "providers")
    at.selectbox(key="manage_provider").select("gemini").run()
    at.button(key="delete_provider").click().run()
    assert not at.exception
    assert any(e.value.startswith("Cannot delete 'gemini': the live routing policy uses it in") for e in at.error)
    assert "gemini" in list(at.dataframe[0].value["Provider"])


def test_delete_and_deactivate(app_env):
    providers.add_provider(app_env, name="spare", kind="openai_compatible", base_url="http://127.0.0.1:9/v1",
                           actor=operator())
    at = page_as(app_env, "providers")
    at.selectbox(key="manage_provider").select("spare").run()
    at.button(key="deactivate").click().run()
    no_errors(at)
    assert at.dataframe[0].value.set_index("Provider").loc["spare", "Active"] == "○ inactive"
    at.selectbox(key="manage_provider").select("spare").run()
    at.button(key="delete_provider").click().run()
    no_errors(at)
    assert "spare" not in list(at.dataframe[0].value["Provider"])
    assert any("Deleted 'spare'" in s.value for s in at.success)


def test_plain_admin_cannot_touch_keys(app_env, sim):
    add_plain_admin(app_env)
    at = page_as(app_env, "providers", email="ops@example.com")
    no_errors(at)
    labels = {t.label for t in at.text_input}
    assert "Set or replace the API key" not in labels and "API key (optional)" not in labels
    assert not [b for b in at.button if b.label == "Test credentials"]
    assert any("reserved for super admins" in i.value for i in at.info)
    # and the services refuse on their own, whatever a page does
    ops = acting(app_env, "ops@example.com")
    with pytest.raises(PermissionDenied):
        admin_providers.set_key(app_env, actor=ops, name="openai", api_key=KEY)
    with pytest.raises(PermissionDenied):
        admin_providers.test_credentials(app_env, actor=ops, name="openai")
    with pytest.raises(PermissionDenied):
        admin_providers.create_provider(app_env, actor=ops, name="x", kind="openai", api_key=KEY)
    with pytest.raises(PermissionDenied):
        admin_providers.edit_provider(app_env, actor=ops, name="openai", base_url="http://evil.example.com/v1")
    # keyless settings are fine for a plain admin
    info = admin_providers.create_provider(app_env, actor=ops, name="local", kind="openai_compatible",
                                           base_url="http://127.0.0.1:11434/v1")
    assert info.key_source == "none"
