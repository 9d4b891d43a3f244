"""Providers page: create with a key (never shown again), test credentials against the
simulator, the deletion refusal, deactivate, and the super-admin rule for keys; creating a
provider opens it, with the models it serves (named, or listed from the server) offered
for the credential test; the failure rate says its window and matches the Overview's."""

from __future__ import annotations

import pytest

from orchestrator.errors import InputRejected, PermissionDenied
from orchestrator.services.admin import admin_providers, catalog, providers
from orchestrator.simulator import Simulator
from tests.app.admin_helpers import add_plain_admin, no_errors, page_as, rendered_text, state_text
from tests.support import acting, operator

KEY = "sk-proj-PlantedSecretKey0123456789wxyz"


@pytest.fixture(scope="module")
def sim():
    s = Simulator(valid_keys={"openai": KEY}).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def local_sim():
    """A keyless OpenAI-compatible server (as Ollama or vLLM on this machine would be)."""
    s = Simulator().start()
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
    assert {"Provider", "Active", "Key", "Last test", "Circuit", "Calls 24 h", "Failure rate 24 h"} <= set(table.columns)
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


def _add_compatible(at, name, base_url, models=""):
    at.text_input(key="add_name").input(name)
    at.selectbox(key="add_kind").select("openai_compatible")
    at.text_input(key="add_base_url").input(base_url)
    at.text_area(key="add_models").input(models)
    at.button(key="FormSubmitter:add_provider-Create provider").click()
    return at.run()


def test_creating_opens_the_provider_with_its_named_models_ready_to_test(app_env, local_sim):
    at = page_as(app_env, "providers")
    at = _add_compatible(at, "sim-local", local_sim.openai_base_url, "llama-local-8b,\n gpt-4o-mini")
    no_errors(at)
    assert any("Provider 'sim-local' created. Models: llama-local-8b, gpt-4o-mini." in s.value for s in at.success)
    # opened: the Manage tab and the new provider are chosen (not the first provider, gemini)
    assert at.session_state["provider_tab"] == "Manage a provider"
    assert at.selectbox(key="manage_provider").value == "sim-local"
    # its models are in the catalog, the unknown one unpriced (never $0), and offered for the test
    rows = {r.model: r for r in catalog.list_models(app_env, kind="openai_compatible")}
    assert set(rows) == {"llama-local-8b", "gpt-4o-mini"} and not rows["llama-local-8b"].priced
    shown = at.dataframe[1].value.set_index("Model")
    assert shown.loc["llama-local-8b", "Input $/M"] == "⚠ unpriced"
    assert at.selectbox(key="test_model").options == ["gpt-4o-mini", "llama-local-8b"]
    at.selectbox(key="test_model").select("llama-local-8b").run()
    at.button(key="test_creds").click().run()
    no_errors(at)
    ok = [s.value for s in at.success if s.value.startswith("OK · ")]
    assert ok and " ms · llama-local-8b" in ok[0]
    assert "--" not in rendered_text(at)


def test_blank_models_are_listed_from_the_server_to_pick(app_env, local_sim):
    local_sim.set_models("openai", ["qwen-3-14b", "mistral-small", "gpt-4o-mini"])
    try:
        at = _add_compatible(page_as(app_env, "providers"), "sim-listed", local_sim.openai_base_url)
        no_errors(at)
        assert at.selectbox(key="manage_provider").value == "sim-listed"
        assert not at.selectbox(key="test_model").options  # nothing to test with until models are chosen
        assert at.button(key="test_creds").disabled
        pick = at.multiselect(key="pick_models")
        assert pick.options == ["qwen-3-14b", "mistral-small", "gpt-4o-mini"] and pick.value == pick.options
        pick.unselect("gpt-4o-mini").run()
        at.button(key="add_listed").click().run()
        no_errors(at)
        assert any("Added qwen-3-14b, mistral-small to the OpenAI-compatible server catalog." in s.value
                   and "Unpriced: qwen-3-14b, mistral-small." in s.value for s in at.success)
        assert at.selectbox(key="test_model").options == ["mistral-small", "qwen-3-14b"]
        at.button(key="test_creds").click().run()
        assert any(s.value.startswith("OK · ") and "mistral-small" in s.value for s in at.success)
    finally:
        local_sim.set_models("openai", None)


def test_a_server_that_cannot_list_says_why_and_models_can_be_named(app_env):
    at = _add_compatible(page_as(app_env, "providers"), "dead-end", "http://127.0.0.1:9/v1")
    assert not at.exception
    assert at.selectbox(key="manage_provider").value == "dead-end"
    assert any("could not be read" in e.value and "Could not connect to http://127.0.0.1:9." in e.value
               for e in at.error)
    at.text_input(key="typed_models").input("my-model")
    at.button(key="FormSubmitter:models_dead-end-Add models").click().run()
    assert any("Added my-model to the OpenAI-compatible server catalog." in s.value for s in at.success)
    assert at.selectbox(key="test_model").options == ["my-model"]


def test_model_names_are_checked_before_anything_is_created(app_env):
    with pytest.raises(InputRejected, match="'two words' is not a model name"):
        admin_providers.create_provider(app_env, actor=operator(), name="nope", kind="openai_compatible",
                                        base_url="http://127.0.0.1:9/v1", models="ok-model, two words")
    assert "nope" not in {p.name for p in providers.list_providers(app_env)}
    with pytest.raises(InputRejected, match="no model to test with yet") as exc:
        providers.add_provider(app_env, name="bare", kind="openai_compatible", base_url="http://127.0.0.1:9/v1",
                               actor=operator())
        providers.check_credentials(app_env, "bare", actor=operator())
    assert "--" not in str(exc.value)


def _plant_calls(orch) -> None:
    """In the last 24 h: 7 answered calls and 1 failed one, plus a cache hit and a quota refusal
    (neither reached a provider); two days ago, failures that are outside the window."""
    from datetime import UTC, datetime, timedelta

    from db.models import UsageRecord

    now = datetime.now(UTC)
    rows = ([("success", 1)] * 7 + [("error", 1), ("cached", 1), ("quota_denied", 1)] + [("error", 48)] * 5)
    with orch.db.write() as s:
        for i, (status, hours) in enumerate(rows):
            s.add(UsageRecord(timestamp=now - timedelta(hours=hours, minutes=i), request_id=f"r{i}", plan="pro",
                              task_type="draft_cv", provider="openai", provider_kind="openai", model="gpt-5",
                              status=status, error_type="server_error" if status == "error" else None))


def test_failure_rate_names_its_window_and_agrees_with_the_overview(app_env):
    from orchestrator.services.reports.failure_rates import failure_rates

    _plant_calls(app_env)
    rates = failure_rates(app_env)
    assert (rates.overall.calls, rates.overall.failed) == (8, 1)  # cached and quota-denied rows left out
    prov = page_as(app_env, "providers")
    over = page_as(app_env, "overview")
    no_errors(prov)
    no_errors(over)
    rate = next(m for m in prov.metric if m.label.startswith("Failure rate"))
    same = next(m for m in over.metric if m.label.startswith("Failure rate"))
    assert rate.label == same.label == "Failure rate · last 24 h"
    assert rate.value == same.value == "12.5%"
    row = prov.dataframe[0].value.set_index("Provider").loc["openai"]
    assert row["Calls 24 h"] == 8 and row["Failure rate 24 h"] == "12.5%"
