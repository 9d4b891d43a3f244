"""Dry run: two routing versions priced on the same recorded requests by the same method.

Every expectation below is computed by hand from the seeded catalog prices (USD per million
tokens): gemini-2.5-flash-lite 0.1 in / 0.4 out / 0.01 cached; gpt-5-nano 0.05 / 0.4 / 0.005;
claude-sonnet-4-5 3 / 15 / 0.3, and above 200,000 input tokens 6 / 22.5 / 0.6;
claude-haiku-4-5 1 / 5 / 0.1.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from orchestrator import ledger
from orchestrator.errors import InputRejected
from orchestrator.providers.base import TokenUsage
from orchestrator.routing import RouteStep
from orchestrator.services.admin import catalog, policy, providers
from orchestrator.services.reports import dryrun
from tests.support import operator
from ui.admin_dryrun import to_csv

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
M = Decimal(1_000_000)

# freemium/extract_job: 3 answered requests (3,500 in, 700 out, 100 cached) + noise that counts nowhere
FLASH_LITE = ((3_500 - 100) * Decimal("0.1") + 100 * Decimal("0.01") + 700 * Decimal("0.4")) / M   # 0.000621
NANO = ((3_500 - 100) * Decimal("0.05") + 100 * Decimal("0.005") + 700 * Decimal("0.4")) / M       # 0.0004505
# paygo/draft_cv: (2,500 in incl. 500 cached, 1,200 out) at base rates + (250,000 in, 1,000 out) on the tier
SONNET = ((2_000 * 3 + 500 * Decimal("0.3") + 1_200 * 15) + (250_000 * 6 + 1_000 * Decimal("22.5"))) / M  # 1.54665
HAIKU = ((2_000 * 1 + 500 * Decimal("0.1") + 1_200 * 5) + (250_000 * 1 + 1_000 * 5)) / M             # 0.26305


def _row(orch, n, plan, task, provider, model, status, tin, tout, cached=0, days=1):
    ledger.write(orch.db, ledger.attempt_record(
        request_id=f"dry{n:04d}", attempt=1, user_id=None, plan=plan, task=task, provider=provider,
        provider_kind=provider, model=model, status=status,
        usage=TokenUsage(input_tokens=tin, output_tokens=tout, cached_tokens=cached),
        cost=Decimal("123.45") if status in ("success", "error") else None, priced=True, latency_ms=900,
        error_type="server_error" if status == "error" else None, timestamp=NOW - timedelta(days=days, minutes=n)))


def _traffic(orch):
    rows = [
        ("freemium", "extract_job", "gemini", "gemini-2.5-flash-lite", "success", 1_000, 200, 100),
        ("freemium", "extract_job", "gemini", "gemini-2.5-flash-lite", "success", 2_000, 400, 0),
        ("freemium", "extract_job", "openai", "gpt-5-nano", "success", 500, 100, 0),  # a fallback's answer
        ("freemium", "extract_job", "openai", "gpt-5-nano", "error", 9_000, 0, 0),  # failed: neither side
        ("freemium", "extract_job", "cache", "gemini-2.5-flash-lite", "cached", 7_000, 70, 0),
        ("paygo", "draft_cv", "anthropic", "claude-sonnet-4-5", "success", 2_500, 1_200, 500),
        ("paygo", "draft_cv", "anthropic", "claude-sonnet-4-5", "success", 250_000, 1_000, 0),
        ("paygo", "cover_letter", "anthropic", "claude-sonnet-4-5", "success", 1_000, 100, 0),
        ("paygo", "cover_letter", "anthropic", "claude-sonnet-4-5", "success", 1_000, 100, 0),
        ("pro", "draft_cv", "anthropic", "claude-opus-4-1", "success", 100, 10, 0),
    ]
    for n, (plan, task, provider, model, status, tin, tout, cached) in enumerate(rows):
        _row(orch, n, plan, task, provider, model, status, tin, tout, cached)
    _row(orch, 99, "freemium", "extract_job", "gemini", "gemini-2.5-flash-lite", "success", 50_000, 9_000, days=45)


def _draft(orch):
    catalog.add_model(orch, kind="openai_compatible", model="llama3.1:8b", actor=operator())  # no price
    providers.add_provider(orch, name="local", kind="openai_compatible", base_url="http://127.0.0.1:9/v1",
                           actor=operator())
    providers.add_provider(orch, name="parked", kind="openai", api_key="sk-parked-000000000000", is_active=False,
                           actor=operator())
    live = policy.current(orch).matrix
    return live, {**live,
                  ("freemium", "extract_job"): [RouteStep("openai", "gpt-5-nano"),
                                                RouteStep("gemini", "gemini-2.5-flash-lite")],
                  ("paygo", "cover_letter"): [RouteStep("local", "llama3.1:8b")],
                  ("pro", "draft_cv"): [RouteStep("parked", "gpt-5")]}


def test_draft_against_live_on_the_same_requests(orch):
    _traffic(orch)
    live, draft = _draft(orch)
    result = dryrun.dry_run(orch, draft=draft, now=NOW)
    cells = {(c.plan, c.task): c for c in result.cells}
    assert (result.label_a, result.label_b) == ("live v1", "draft")

    # the changed cell: both sides re-priced on the same 3 answered requests (not the recorded $123.45s)
    changed = cells[("freemium", "extract_job")]
    assert changed.requests == 3 and changed.tokens_input == 3_500 and changed.tokens_output == 700
    assert (changed.a.model, changed.b.model) == ("gemini:gemini-2.5-flash-lite", "openai:gpt-5-nano")
    assert (changed.a.cost_usd, changed.b.cost_usd) == (FLASH_LITE, NANO) == (Decimal("0.000621"), Decimal("0.0004505"))
    assert changed.delta_usd == Decimal("-0.0001705")

    # unchanged cells: exactly $0 apart, tiers applied per request
    same = cells[("paygo", "draft_cv")]
    assert not same.changed and same.a.cost_usd == same.b.cost_usd == SONNET == Decimal("1.54665")
    assert all(c.delta_usd == 0 for c in result.cells if not c.changed)

    # cells that cannot be priced: the reason, and out of both totals
    local = cells[("paygo", "cover_letter")]
    assert local.a.cost_usd == Decimal("0.009") and local.b.cost_usd is None and local.delta_usd is None
    assert local.reason("live", "draft") == "draft: local:llama3.1:8b has no input and output price in the catalog"
    parked = cells[("pro", "draft_cv")]
    assert parked.reason("live", "draft") == "draft: no usable model (provider 'parked' is inactive)"
    assert {(c.plan, c.task) for c in result.excluded} == {("paygo", "cover_letter"), ("pro", "draft_cv")}
    assert result.excluded_requests == 3 and result.requests == 8

    assert result.total_a_usd == FLASH_LITE + SONNET == Decimal("1.547271")
    assert result.total_b_usd == NANO + SONNET == Decimal("1.5471005")
    assert result.delta_usd == changed.delta_usd  # the headline is the changed cell's delta
    assert result.delta_pct == Decimal("-0.0001705") / Decimal("1.547271") * 100

    # changed cells first
    assert [(c.plan, c.task) for c in result.cells[:3]] == [
        ("freemium", "extract_job"), ("paygo", "cover_letter"), ("pro", "draft_cv")]
    assert not any(c.changed for c in result.cells[3:])

    # the export has the exact amounts (the page shows them rounded for reading)
    rows = list(csv.reader(io.StringIO(to_csv(result))))
    assert rows[1][:3] == ["freemium", "extract_job", "yes"] and rows[1][8] == "$0.000621"
    assert (rows[1][11], rows[1][12]) == ("$0.0004505", "-$0.0001705")
    assert rows[2][11] == "" and rows[2][13] == "draft: local:llama3.1:8b has no input and output price in the catalog"
    assert rows[-1] == ["total (priced cells)", "", "", "5", "", "", "", "", "$1.547271", "", "", "$1.5471005",
                        "-$0.0001705", "2 cells left out"]


def test_two_saved_versions_side_by_side(orch):
    _traffic(orch)
    policy.save(orch, {("freemium", "extract_job"): [RouteStep("openai", "gpt-5-nano")]}, actor=operator(), note="v2")
    policy.save(orch, {("paygo", "draft_cv"): [RouteStep("anthropic", "claude-haiku-4-5")]}, actor=operator(),
                note="v3")
    v1, v2, v3 = (policy.get_version(orch, n).matrix for n in (1, 2, 3))

    older = dryrun.compare(orch, v2, v3, label_a="v2", label_b="v3", now=NOW)
    assert [(c.plan, c.task) for c in older.changed] == [("paygo", "draft_cv")]
    cell = older.cells[0]
    assert cell.a.chain_text.startswith("anthropic:claude-sonnet-4-5 → openai:gpt-5-mini")
    assert cell.b.chain_text == "anthropic:claude-haiku-4-5"
    assert (cell.a.cost_usd, cell.b.cost_usd) == (SONNET, HAIKU)
    assert older.delta_usd == HAIKU - SONNET == Decimal("-1.2836")

    both = dryrun.compare(orch, v1, v3, label_a="v1", label_b="v3", now=NOW)
    assert [(c.plan, c.task) for c in both.changed] == [("freemium", "extract_job"), ("paygo", "draft_cv")]
    assert both.delta_usd == (NANO - FLASH_LITE) + (HAIKU - SONNET)
    # the same version on both sides: nothing changes, to the last digit
    same = dryrun.compare(orch, v3, v3, now=NOW)
    assert same.changed == [] and same.delta_usd == 0 and same.total_a_usd == NANO + HAIKU + Decimal("0.009") + (
        100 * 15 + 10 * 75) / M


def test_window_and_empty_history(orch):
    live = policy.current(orch).matrix
    empty = dryrun.compare(orch, live, live, days=7, now=NOW)
    assert empty.requests == 0 and empty.total_a_usd == 0 and empty.excluded == []
    assert empty.since == NOW - timedelta(days=7)
    with pytest.raises(InputRejected, match="1 to 366 days"):
        dryrun.compare(orch, live, live, days=0)
