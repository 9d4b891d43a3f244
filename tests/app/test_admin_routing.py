"""Routing page: edit a cell, validate (warnings for unpriced models and inactive
providers), save as a new version (who, when, note), revert, and the dry run."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from orchestrator.routing import RouteStep
from orchestrator.services.admin import catalog, policy, providers
from orchestrator.services.reports import dryrun, logs
from tests.app.admin_helpers import no_errors, page_as, plant_traffic
from tests.support import operator
from ui.admin_common import signed_exact_usd, signed_usd, usd

M = Decimal(1_000_000)

CELL = "freemium/extract_job"


def _edit(at, edits: dict):
    """Apply data_editor edits (as the browser would send them) to the open cell, then rerun."""
    editor = at.data_editor[0]
    at.session_state[editor.key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **edits}
    return at.run()


def _use_gpt5_nano_first(at):
    return _edit(at, {"edited_rows": {0: {"provider": "openai", "model": "gpt-5-nano"}}, "deleted_rows": [1]})


def test_matrix_shows_every_cell(app_env):
    at = page_as(app_env, "routing")
    no_errors(at)
    text_ = "\n".join(m.value for m in at.markdown)
    for plan in ("freemium", "paygo", "pro"):
        assert f"**{plan}**" in text_
    assert "1. **anthropic** · claude-opus-4-1 · _max 2,500_" in text_
    assert at.data_editor[0].value["provider"].tolist() == ["gemini", "openai", "anthropic", "offline"]
    assert [m.value for m in at.metric][0] == "v1"


def test_edit_validate_and_save_a_new_version(app_env):
    at = page_as(app_env, "routing")
    at = _use_gpt5_nano_first(at)
    no_errors(at)
    assert [m.value for m in at.metric][2] == "1"
    assert any(m.value.startswith(":material/edit: _edited_") and "1. **openai** · gpt-5-nano" in m.value
               for m in at.markdown)
    at.button(key="validate").click().run()
    assert any(s.value.startswith("Valid") for s in at.success)
    at.text_input(key="route_note").input("cheaper extraction")
    at.button(key="FormSubmitter:save_policy-Save as new version").click().run()
    no_errors(at)
    assert any("Saved version v2" in s.value for s in at.success)
    live = policy.current(app_env)
    assert (live.version, live.created_by, live.note) == (2, "admin@example.com", "cheaper extraction")
    assert [s.label() for s in live.matrix[("freemium", "extract_job")]] == [
        "openai:gpt-5-nano", "anthropic:claude-haiku-4-5", "offline:offline-engine-v1"]
    assert live.matrix[("pro", "draft_cv")] == policy.get_version(app_env, 1).matrix[("pro", "draft_cv")]
    assert [m.value for m in at.metric][0] == "v2" and [m.value for m in at.metric][2] == "0"
    history = at.dataframe[-1].value
    assert history.iloc[0]["Version"] == "v2 (live)" and history.iloc[0]["By"] == "admin@example.com"
    entry = logs.audit_entries(app_env, action="routing.save").rows[0]
    assert entry.actor == "admin@example.com" and set(entry.after) == {CELL, "note"}
    assert entry.before[CELL][0] == "gemini:gemini-2.5-flash-lite (max 2000)"  # params are audited too
    assert entry.after[CELL][0].startswith("openai:gpt-5-nano")


def test_nothing_to_save(app_env):
    at = page_as(app_env, "routing")
    at.button(key="FormSubmitter:save_policy-Save as new version").click().run()
    assert any(i.value.startswith("Nothing to save") for i in at.info)
    assert policy.current(app_env).version == 1


def test_unpriced_model_warns_and_needs_confirmation(app_env):
    catalog.add_model(app_env, kind="openai_compatible", model="llama3.1:8b", actor=operator())
    providers.add_provider(app_env, name="local", kind="openai_compatible", base_url="http://127.0.0.1:9/v1",
                           actor=operator())
    providers.update_provider(app_env, "anthropic", is_active=False, actor=operator())
    at = page_as(app_env, "routing")
    at = _edit(at, {"edited_rows": {0: {"provider": "local", "model": "llama3.1:8b"}}})
    at.button(key="validate").click().run()
    warning = "\n".join(w.value for w in at.warning)
    assert f"{CELL} local:llama3.1:8b: model is unpriced" in warning
    assert f"{CELL} anthropic:claude-haiku-4-5: provider is inactive" in warning
    at.button(key="FormSubmitter:save_policy-Save as new version").click().run()
    assert policy.current(app_env).version == 1
    assert any(w.value.startswith("Not saved: the draft has warnings") for w in at.warning)
    at.checkbox(key="route_force").check()
    at.button(key="FormSubmitter:save_policy-Save as new version").click().run()
    no_errors(at)
    assert policy.current(app_env).matrix[("freemium", "extract_job")][0].label() == "local:llama3.1:8b"


def test_params_are_saved(app_env):
    at = page_as(app_env, "routing")
    at = _edit(at, {"edited_rows": {0: {"temperature": 0.3, "max_tokens": 900}}})
    at.checkbox(key="route_force").check()
    at.button(key="FormSubmitter:save_policy-Save as new version").click().run()
    no_errors(at)
    first = policy.current(app_env).matrix[("freemium", "extract_job")][0]
    assert (first.temperature, first.max_tokens) == (0.3, 900)


def test_revert_creates_a_new_version(app_env):
    at = page_as(app_env, "routing")
    at = _use_gpt5_nano_first(at)
    at.button(key="FormSubmitter:save_policy-Save as new version").click().run()
    assert policy.current(app_env).version == 2
    at.selectbox(key="history_version").select(1).run()
    at.button(key="revert").click().run()
    no_errors(at)
    assert any("Reverted to v1: saved as v3" in s.value for s in at.success)
    live = policy.current(app_env)
    assert live.version == 3 and live.note == "revert to v1" and live.created_by == "admin@example.com"
    assert live.matrix == policy.get_version(app_env, 1).matrix
    assert at.data_editor[0].value["provider"].tolist() == ["gemini", "openai", "anthropic", "offline"]


def _dry_run(at, a=None, b=None, days=None):
    if a is not None:
        at.selectbox(key="dry_a").select(a)
    if b is not None:
        at.selectbox(key="dry_b").select(b)
    if days is not None:
        at.selectbox(key="dry_days").select(days)
    at.button(key="dry_run").click().run()
    no_errors(at)
    return at


def test_dry_run_draft_against_live(app_env):
    now = datetime.now(UTC)
    plant_traffic(app_env, now)
    at = page_as(app_env, "routing")
    at = _dry_run(_use_gpt5_nano_first(at))
    live = policy.current(app_env).matrix
    draft = {**live, ("freemium", "extract_job"): [RouteStep("openai", "gpt-5-nano"), *live[
        ("freemium", "extract_job")][2:]]}
    expected = dryrun.compare(app_env, live, draft, now=now)
    cell = expected.changed[0]
    # 4 answered requests (3,903 in incl. 300 cached, 780 out), by hand at both sides' prices
    flash_lite = ((3_903 - 300) * Decimal("0.1") + 300 * Decimal("0.01") + 780 * Decimal("0.4")) / M
    nano = ((3_903 - 300) * Decimal("0.05") + 300 * Decimal("0.005") + 780 * Decimal("0.4")) / M
    assert (cell.requests, cell.a.cost_usd, cell.b.cost_usd) == (4, flash_lite, nano)
    assert expected.delta_usd == nano - flash_lite  # the headline is the one changed cell
    metrics = {m.label: m for m in at.metric}
    change = metrics["Change (draft vs v1 (live))"]
    pct = (nano - flash_lite) / expected.total_a_usd * 100
    assert change.value == f"{signed_usd(nano - flash_lite)} ({pct:+.1f} %)"
    assert f"Exactly {signed_exact_usd(nano - flash_lite)}" in change.help
    assert metrics["Predicted cost: v1 (live)"].value == usd(expected.total_a_usd)
    assert metrics["Predicted cost: draft"].value == usd(expected.total_b_usd)
    assert "**Changed cells (1)**" in [m.value for m in at.markdown]
    table = next(d.value for d in at.dataframe if "Δ" in d.value.columns)
    first = table.iloc[0]
    assert (first["Cell"], first["Requests"], first["draft: model"]) == (
        "✎ freemium / extract_job", "4", "openai:gpt-5-nano")
    texts = [m.value for m in at.markdown]
    assert any(t.startswith("_draft_: openai:gpt-5-nano → anthropic:claude-haiku-4-5") for t in texts)
    assert first["Δ"] == signed_usd(nano - flash_lite)
    assert set(table.iloc[1:]["Δ"]) == {"$0.00"}  # unchanged cells: exactly nothing
    assert any("same requests" in c.value for c in at.caption)


def test_unpriced_cell_is_left_out_of_both_totals(app_env):
    plant_traffic(app_env)
    catalog.add_model(app_env, kind="openai_compatible", model="llama3.1:8b", actor=operator())
    providers.add_provider(app_env, name="local", kind="openai_compatible", base_url="http://127.0.0.1:9/v1",
                           actor=operator())
    at = page_as(app_env, "routing")
    at = _dry_run(_edit(at, {"edited_rows": {0: {"provider": "local", "model": "llama3.1:8b"}}}))
    warning = "\n".join(w.value for w in at.warning)
    assert "Left out of both totals: 1 cells, 4 requests" in warning
    assert ("**freemium / extract_job** (4 requests): draft: local:llama3.1:8b has no input and output price "
            "in the catalog") in warning
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Change (draft vs v1 (live))"].startswith("$0.00")  # nothing priced differs
    row = next(d.value for d in at.dataframe if "Δ" in d.value.columns).iloc[0]
    assert (row["Cell"], row["draft: cost"], row["Δ"]) == ("✎ freemium / extract_job", "⚠ unpriced", "— left out")
    assert row["v1 (live): cost"] != "⚠ unpriced"  # priced on the live side, yet out of both totals


def test_compare_two_saved_versions_and_stale_notice(app_env):
    plant_traffic(app_env)
    at = page_as(app_env, "routing")
    at = _use_gpt5_nano_first(at)
    at.button(key="FormSubmitter:save_policy-Save as new version").click().run()
    assert policy.current(app_env).version == 2
    at = _dry_run(at, a=1, b=2)
    metrics = {m.label: m for m in at.metric}
    assert "Change (v2 (live) vs v1)" in metrics
    v1, v2 = policy.get_version(app_env, 1).matrix, policy.get_version(app_env, 2).matrix
    expected = dryrun.compare(app_env, v1, v2)
    assert metrics["Change (v2 (live) vs v1)"].value.startswith(signed_usd(expected.delta_usd))
    table = next(d.value for d in at.dataframe if "Δ" in d.value.columns)
    assert table.iloc[0]["Cell"] == "✎ freemium / extract_job"
    assert (table.iloc[0]["v1: model"], table.iloc[0]["v2 (live): model"]) == (
        "gemini:gemini-2.5-flash-lite", "openai:gpt-5-nano")
    texts = [m.value for m in at.markdown]
    assert any(t.startswith("_v1_: gemini:gemini-2.5-flash-lite → openai:gpt-5-nano") for t in texts)
    assert any(t.startswith("_v2 (live)_: openai:gpt-5-nano → anthropic:claude-haiku-4-5") for t in texts)
    at.selectbox(key="dry_days").select(7).run()
    assert any(i.value.startswith("The versions, the window or the draft changed") for i in at.info)


def test_discard_draft(app_env):
    at = page_as(app_env, "routing")
    at = _use_gpt5_nano_first(at)
    assert [m.value for m in at.metric][2] == "1"
    at.button(key="discard_draft").click().run()
    assert [m.value for m in at.metric][2] == "0"
