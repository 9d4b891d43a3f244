"""Models & prices page: the catalog table, unpriced highlighted, overrides marked and
cleared, new models priced from genai-prices or left unpriced, (de)activation."""

from __future__ import annotations

from decimal import Decimal

from orchestrator.services.admin import catalog
from orchestrator.services.reports import logs
from tests.app.admin_helpers import no_errors, page_as
from tests.support import operator


def _row(at, model):
    return at.dataframe[0].value.set_index("Model").loc[model]


def test_catalog_lists_every_model_with_prices(app_env):
    at = page_as(app_env, "models")
    no_errors(at)
    table = at.dataframe[0].value
    assert {"Kind", "Providers", "Model", "Tier", "Input / 1M", "Output / 1M", "Cached input / 1M", "Context",
            "Vision", "Active", "Price source", "Version"} == set(table.columns)
    assert len(table) == len(catalog.list_models(app_env))
    row = _row(at, "claude-sonnet-4-5")
    assert (row["Input / 1M"], row["Output / 1M"], row["Price source"]) == ("$3.00", "$15.00", "genai-prices · tiered")
    assert _row(at, "offline-engine-v1")["Price source"] == "built in"
    assert [m.value for m in at.metric][2] == "0"  # nothing unpriced in the seed


def test_add_unknown_model_is_unpriced_and_highlighted(app_env):
    at = page_as(app_env, "models")
    at.selectbox(key="new_model_kind").select("openai_compatible")
    at.text_input(key="new_model_name").input("llama3.1:8b")
    at.button(key="FormSubmitter:add_model-Add model").click().run()
    no_errors(at)
    assert any("unpriced —" in s.value for s in at.success)
    row = _row(at, "llama3.1:8b")
    assert row["Input / 1M"] == "⚠ unpriced" and row["Price source"] == "⚠ unpriced"
    assert [m.value for m in at.metric][2] == "1"
    at.toggle(key="cat_unpriced").set_value(True).run()
    assert list(at.dataframe[0].value["Model"]) == ["llama3.1:8b"]


def test_add_known_model_is_priced_from_genai_prices(app_env):
    at = page_as(app_env, "models")
    at.selectbox(key="new_model_kind").select("openai")
    at.text_input(key="new_model_name").input("gpt-4o")
    at.button(key="FormSubmitter:add_model-Add model").click().run()
    no_errors(at)
    assert _row(at, "gpt-4o")["Price source"] == "genai-prices"


def test_override_marked_then_cleared(app_env):
    at = page_as(app_env, "models")
    at.selectbox(key="cat_pick").select("openai · gpt-5-nano").run()
    at.text_input(key="price_in:openai:gpt-5-nano").input("0.07")
    at.text_input(key="price_out:openai:gpt-5-nano").input("0.5")
    at.button(key="FormSubmitter:price_openai_gpt-5-nano-Preview change").click().run()
    no_errors(at)
    at.button(key="price_save").click().run()
    no_errors(at)
    row = _row(at, "gpt-5-nano")
    assert (row["Input / 1M"], row["Output / 1M"], row["Price source"]) == ("$0.07", "$0.50", "✎ admin override")
    assert [m.value for m in at.metric][3] == "1"
    at.button(key="clear_override").click().run()
    no_errors(at)
    row = _row(at, "gpt-5-nano")
    assert (row["Input / 1M"], row["Price source"]) == ("$0.05", "genai-prices")
    entries = [e for e in logs.audit_entries(app_env).rows if e.target_id == "openai:gpt-5-nano"]
    assert [e.action for e in entries] == ["catalog.clear_override", "catalog.set_price"]
    assert entries[1].after["input_usd_per_mtok"] == "0.07" and entries[1].actor == "admin@example.com"


def test_bad_price_is_refused(app_env):
    at = page_as(app_env, "models")
    at.selectbox(key="cat_pick").select("openai · gpt-5-nano").run()
    at.text_input(key="price_in:openai:gpt-5-nano").input("cheap")
    at.button(key="FormSubmitter:price_openai_gpt-5-nano-Preview change").click().run()
    assert [e.value for e in at.error] == ["'cheap' is not an amount in dollars."]
    assert catalog.list_models(app_env, kind="openai")[0].price_source == "genai-prices"


def test_deactivate_and_activate(app_env):
    at = page_as(app_env, "models")
    at.selectbox(key="cat_pick").select("gemini · gemini-2.5-pro").run()
    at.button(key="model_deactivate").click().run()
    no_errors(at)
    assert _row(at, "gemini-2.5-pro")["Active"] == "○ inactive"
    at.button(key="model_activate").click().run()
    assert _row(at, "gemini-2.5-pro")["Active"] == "● active"


def test_clear_override_of_unknown_model_leaves_it_unpriced(app_env):
    catalog.add_model(app_env, kind="openai_compatible", model="local-x", actor=operator())
    row = catalog.set_price(app_env, kind="openai_compatible", model="local-x", input_usd="0.1", output_usd="0.2",
                            actor=operator())
    assert row.is_override and row.input_usd_per_mtok == Decimal("0.1")
    row = catalog.clear_override(app_env, kind="openai_compatible", model="local-x", actor=operator())
    assert not row.priced and row.price_source is None
