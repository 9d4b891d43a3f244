"""Recorded responses through the whole pipeline: the ledger row's cost is genai-prices'
figure for the same recorded body, to the last digit (on both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import UsageRecord
from orchestrator.services.admin import catalog, providers
from tests.recorded.replay import ReplayServer, load, CASSETTES
from tests.recorded.support import KEY, KIND, genai_price
from tests.sim_support import set_chain
from tests.support import operator

E2E = [
    "openai/plain_gpt4o_stop",
    "openai/cache_write_gpt56",
    "anthropic/cache_write_5m_and_read_sonnet45",
    "gemini/plain_25_flash_thoughts",
    "gemini/audio_input_25_flash",
]


@pytest.fixture(scope="module")
def server():
    with ReplayServer() as srv:
        yield srv


@pytest.mark.parametrize("name", E2E)
def test_ledger_cost_is_genai_prices_figure_for_the_recorded_body(name, demo_users, server):
    cassette = load(CASSETTES / f"{name}.json")
    orch = demo_users
    kind = KIND[cassette.vendor]
    provider = f"rec-{cassette.vendor}"
    providers.add_provider(orch, name=provider, kind=kind, base_url=server.base_url(kind),
                           api_key=KEY[cassette.vendor], timeout_s=5, actor=operator())
    model = cassette.request["model"]
    if all(row.model != model for row in catalog.list_models(orch, kind=kind)):
        catalog.add_model(orch, kind=kind, model=model, actor=operator())  # priced from genai-prices
    set_chain(orch, "freemium", "chat", f"{provider}:{model}")
    server.play(cassette)
    r = orch.run("chat", user="free@example.com", text="Hello", regenerate=True)
    assert r.provider == provider and r.model == model
    with orch.db.read() as s:
        rows = s.scalars(select(UsageRecord).where(UsageRecord.request_id == r.request_id)).all()
    assert [row.status for row in rows] == ["success"]
    (row,) = rows
    expected = genai_price(cassette)
    assert row.priced and row.cost_usd == expected == r.cost_usd
    assert expected > 0
    usage = cassette.expect["usage"]
    assert (row.tokens_input, row.tokens_output) == (usage["input_tokens"], usage["output_tokens"])
