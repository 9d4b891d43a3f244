"""The model catalog service: listing, overrides marked and cleared (re-priced from
genai-prices), new models priced or unpriced, and the effect on the price book."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orchestrator.errors import InputRejected, NotFound
from orchestrator.pricing import lookup_genai_price
from orchestrator.services.admin import catalog
from orchestrator.services.reports import logs
from tests.support import operator


def test_list_is_one_row_per_model_with_its_providers(orch):
    rows = catalog.list_models(orch)
    assert len({(r.kind, r.model) for r in rows}) == len(rows)
    sonnet = next(r for r in rows if r.model == "claude-sonnet-4-5")
    assert sonnet.providers == ("anthropic",) and sonnet.priced and not sonnet.is_override
    assert sonnet.price_source == "genai-prices" and sonnet.context_window and sonnet.supports_vision
    assert all(r.priced for r in rows)
    assert catalog.models_for_provider(orch, provider="openai") == ["gpt-4o-mini", "gpt-5", "gpt-5-mini",
                                                                     "gpt-5-nano"]


def test_override_then_clear_restores_genai_prices(orch):
    genai = lookup_genai_price("openai", "gpt-5-mini").card
    row = catalog.set_price(orch, kind="openai", model="gpt-5-mini", input_usd="$0.3", output_usd="2.1",
                            cached_input_usd="0.03", actor=operator())
    assert row.is_override and row.input_usd_per_mtok == Decimal("0.3") and not row.has_price_tiers
    row = catalog.clear_override(orch, kind="openai", model="gpt-5-mini", actor=operator())
    assert row.price_source == "genai-prices"
    assert (row.input_usd_per_mtok, row.output_usd_per_mtok) == (genai.input, genai.output)
    audit = logs.audit_entries(orch, action="catalog.").rows
    assert [a.action for a in audit] == ["catalog.clear_override", "catalog.set_price"]
    assert audit[1].before["input_usd_per_mtok"] == "0.25" and audit[1].after["price_source"] == "admin"


def test_override_feeds_the_price_book(orch):
    from sqlalchemy import select

    from db.models import CatalogModel
    from orchestrator.pricing import cost
    from orchestrator.providers.base import TokenUsage
    from orchestrator.routing import price_card

    catalog.set_price(orch, kind="gemini", model="gemini-2.5-flash", input_usd="1", output_usd="2", actor=operator())
    with orch.db.read() as s:
        card = price_card(s.scalar(select(CatalogModel).where(CatalogModel.model == "gemini-2.5-flash")))
    assert cost(card, TokenUsage(input_tokens=1_000_000, output_tokens=500_000)) == Decimal(2)


def test_add_models(orch):
    known = catalog.add_model(orch, kind="anthropic", model="claude-3-5-haiku-latest", tier="fast", actor=operator())
    assert known.priced and known.price_source == "genai-prices"
    local = catalog.add_model(orch, kind="openai_compatible", model="qwen2.5:7b", context_window=32_768,
                              actor=operator())
    assert not local.priced and local.price_source is None and local.context_window == 32_768
    with pytest.raises(InputRejected, match="already in the catalog"):
        catalog.add_model(orch, kind="openai_compatible", model="qwen2.5:7b", actor=operator())
    with pytest.raises(InputRejected, match="Kind must be one of"):
        catalog.add_model(orch, kind="mystery", model="m", actor=operator())


@pytest.mark.parametrize("bad, message", [
    ("-1", r"between \$0 and \$10,000"), ("abc", "not an amount"), ("0.123456", "at most 5 decimals"),
])
def test_bad_prices_are_refused(orch, bad, message):
    with pytest.raises(InputRejected, match=message):
        catalog.set_price(orch, kind="openai", model="gpt-5", input_usd=bad, output_usd="1", actor=operator())


def test_update_and_activate(orch):
    row = catalog.update_model(orch, kind="openai", model="gpt-5", tier="quality", supports_vision=False,
                               actor=operator())
    assert row.tier == "quality" and not row.supports_vision
    row = catalog.set_active(orch, kind="openai", model="gpt-5", active=False, actor=operator())
    assert not row.is_active and "gpt-5" not in catalog.models_for_provider(orch, provider="openai")
    entries = logs.audit_entries(orch, action="catalog.").rows
    assert entries[0].action == "catalog.set_active" and entries[0].after == {"is_active": False}
    assert entries[1].before == {"tier": "best", "supports_vision": True}
    with pytest.raises(NotFound):
        catalog.set_active(orch, kind="openai", model="nope", active=True, actor=operator())


def test_offline_clears_to_builtin_zero(orch):
    catalog.set_price(orch, kind="offline", model="offline-engine-v1", input_usd="1", output_usd="1",
                      confirm=True, actor=operator())
    row = catalog.clear_override(orch, kind="offline", model="offline-engine-v1", actor=operator())
    assert row.price_source == "builtin" and row.input_usd_per_mtok == 0 and row.priced


def test_vision_defaults_from_the_kind_unless_the_admin_says(orch):
    """Routing sends images only to models marked as reading them: a new model asks its kind."""
    sees = catalog.add_model(orch, kind="openai_compatible", model="llava:13b", actor=operator())
    blind = catalog.add_model(orch, kind="openai_compatible", model="llama3.1:8b", actor=operator())
    told = catalog.add_model(orch, kind="openai", model="gpt-4.1-mini", supports_vision=False, actor=operator())
    assert (sees.supports_vision, blind.supports_vision, told.supports_vision) == (True, False, False)
