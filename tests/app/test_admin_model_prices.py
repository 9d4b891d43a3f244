"""Models & prices page, price book sections: prices in force with every key, the preview
(diff, 30-day cost, margin per plan) before a change is saved, the confirm checkbox for a
large jump, the version history, re-pricing a past period (dry run, then apply) and the
sync with genai-prices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from db.models import PriceVersion, RepricingRun, UsageRecord
from orchestrator import ledger
from orchestrator.providers.base import TokenUsage
from orchestrator.services.admin import catalog
from tests.app.admin_helpers import no_errors, page_as
from tests.support import operator

FORM = "FormSubmitter:price_gemini_gemini-2.5-flash-Preview change"


def _pick(at, label="gemini · gemini-2.5-flash"):
    at.selectbox(key="cat_pick").select(label).run()
    no_errors(at)
    return at


def _table(at, column):
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def _plant(orch, n=2, cost=Decimal("0.001496")):
    with orch.db.write() as s:
        for i in range(n):
            s.add(ledger.attempt_record(request_id=f"p{i}", attempt=1, user_id=None, plan="pro", task="extract_job",
                                        provider="gemini", provider_kind="gemini", model="gemini-2.5-flash",
                                        status="success", cost=cost, priced=True,
                                        usage=TokenUsage(input_tokens=1000, cached_tokens=200, output_tokens=500),
                                        timestamp=datetime.now(UTC) - timedelta(days=2, seconds=i)))


def test_every_key_in_force_and_a_preview_before_saving(app_env):
    _plant(app_env)
    at = _pick(page_as(app_env, "models"))
    keys = list(at.dataframe[1].value["Key"])
    assert keys == ["input_mtok", "output_mtok", "cache_read_mtok", "input_audio_mtok", "cache_audio_read_mtok"]
    at.text_input(key="price_in:gemini:gemini-2.5-flash").input("0.6")
    at.text_input(key="price:output_audio_mtok:gemini:gemini-2.5-flash").input("10")
    at.button(key=FORM).click().run()
    no_errors(at)
    diff = at.dataframe[2].value
    assert list(diff["Price"]) == ["Input", "Audio output"]
    assert list(diff["Ratio"]) == ["×2.00", "—"] and list(diff["Check"]) == ["✔", "✔"]
    metrics = {m.label: m for m in at.metric}
    assert metrics["Cost as recorded"].value == "$0.00299"  # readable; exact in the tooltip
    assert metrics["Cost as recorded"].help == "Exactly $0.002992"
    new = metrics["Cost with the new prices"]  # 2 x (800 x 0.6 + 200 x 0.03 + 500 x 2.5) / 1M
    assert (new.value, new.help) == ("$0.00347", "Exactly $0.003472 (+$0.00048)")
    assert new.delta == "+$0.00048"
    margins = at.dataframe[3].value.set_index("Plan")
    assert margins.loc["pro", "AI cost new"] == "$0.00347"
    assert not [c for c in at.checkbox if c.key == "price_confirm"]
    with app_env.db.read() as s:
        assert len(s.scalars(select(PriceVersion).where(PriceVersion.model == "gemini-2.5-flash")).all()) == 1
    at.button(key="price_save").click().run()
    no_errors(at)
    assert any("version 2" in s.value for s in at.success)
    row = next(r for r in catalog.list_models(app_env) if r.model == "gemini-2.5-flash")
    assert row.prices["input_mtok"] == "0.6" and row.prices["output_audio_mtok"] == "10"


def test_a_large_jump_needs_the_confirm_checkbox(app_env):
    at = _pick(page_as(app_env, "models"))
    at.text_input(key="price_out:gemini:gemini-2.5-flash").input("50")
    at.button(key=FORM).click().run()
    assert list(at.dataframe[2].value["Check"]) == ["⚠ 20.0x higher"]
    at.button(key="price_save").click().run()
    assert any("needs confirmation" in e.value for e in at.error)
    at.checkbox(key="price_confirm").check().run()
    at.button(key="price_save").click().run()
    no_errors(at)
    assert catalog.list_models(app_env, kind="gemini")[1].output_usd_per_mtok == Decimal(50)


def test_history_reprice_and_sync(app_env):
    _plant(app_env)
    catalog.set_price(app_env, kind="gemini", model="gemini-2.5-flash", input_usd="0.6", actor=operator())
    with app_env.db.write() as s:  # gpt-5 made stale on purpose
        s.execute(update(PriceVersion).where(PriceVersion.model == "gpt-5").values(prices={
            "input_mtok": "1", "output_mtok": "10", "cache_read_mtok": "0.125"}))
    at = _pick(page_as(app_env, "models"))
    assert list(_table(at, "Effective from")["Version"]) == [2, 1]
    at.date_input(key="reprice_from").set_value(datetime.now(UTC).date() - timedelta(days=5))
    at.text_input(key="reprice_reason").input("contract price")
    at.button(key="FormSubmitter:reprice_gemini_gemini-2.5-flash-Dry run").click().run()
    no_errors(at)
    assert any("2 of 2 calls would change" in m.value for m in at.markdown)
    at.button(key="reprice_apply").click().run()
    no_errors(at)
    assert any("Re-priced 2 calls" in s.value for s in at.success)
    with app_env.db.read() as s:
        assert s.scalars(select(RepricingRun)).one().actor == "admin@example.com"
        costs = s.scalars(select(UsageRecord.cost_usd).where(UsageRecord.model == "gemini-2.5-flash")).all()
    assert costs == [Decimal("0.001736")] * 2
    at.button(key="sync_check").click().run()
    no_errors(at)
    table = _table(at, "genai-prices")
    assert ("openai · gpt-5", "Input") in set(zip(table["Model"], table["Price"]))
    assert "admin override: reported, never overwritten" in set(table["Status"])
    at.button(key="sync_apply").click().run()
    no_errors(at)
    assert any("Synced 1 model" in s.value for s in at.success)
