"""Dry run: the draft's cost over the last 30 days equals an independent SQL computation
(raw SQL aggregates, priced by hand at the first usable candidate's catalog prices)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from orchestrator.routing import RouteStep
from orchestrator.services.reports import dryrun
from orchestrator.services.admin import policy, providers
from tests.app.admin_helpers import plant_traffic
from tests.support import operator

MTOK = Decimal(1_000_000)
PICO = Decimal("1e-12")


def _independent(orch, since: datetime, prices: dict[tuple[str, str], tuple[Decimal, Decimal, Decimal]]):
    """Per cell: (draft cost at the given (input, output, cached) prices, actual cost)."""
    naive = since.astimezone(UTC).replace(tzinfo=None)
    with orch.db.engine.connect() as c:
        ok = c.execute(text(
            "SELECT plan, task_type, SUM(tokens_input), SUM(tokens_output), SUM(tokens_cached) FROM usage_log "
            "WHERE status = 'success' AND timestamp >= :since GROUP BY plan, task_type"), {"since": naive}).all()
        actual = c.execute(text(
            "SELECT plan, task_type, SUM(cost_usd) FROM usage_log WHERE status IN ('success', 'error') "
            "AND timestamp >= :since GROUP BY plan, task_type"), {"since": naive}).all()
    out = {}
    for plan, task, tin, tout, tcached in ok:
        pin, pout, pcached = prices[(plan, task)]
        draft = ((int(tin) - int(tcached)) * pin + int(tcached) * pcached + int(tout) * pout) / MTOK
        out[(plan, task)] = [draft, Decimal(0)]
    for plan, task, pico in actual:
        out.setdefault((plan, task), [None, Decimal(0)])[1] = Decimal(int(pico or 0)) * PICO
    return out


def test_dry_run_equals_independent_sql(orch, demo_users):
    now = datetime.now(UTC)
    plant_traffic(orch, now)
    live = policy.current(orch).matrix
    # draft: freemium extraction on gpt-5-nano, paygo CVs on claude-haiku-4-5 (first is inactive: skipped)
    providers.add_provider(orch, name="parked", kind="openai", api_key="sk-parked-000000000000", is_active=False,
                           actor=operator())
    draft = {**live,
             ("freemium", "extract_job"): [RouteStep("openai", "gpt-5-nano")],
             ("paygo", "draft_cv"): [RouteStep("parked", "gpt-5"), RouteStep("anthropic", "claude-haiku-4-5")]}
    result = dryrun.dry_run(orch, draft=draft, now=now)

    prices = {("freemium", "extract_job"): (Decimal("0.05"), Decimal("0.4"), Decimal("0.005")),
              ("paygo", "draft_cv"): (Decimal("1"), Decimal("5"), Decimal("0.1"))}
    expected = _independent(orch, now - timedelta(days=30), prices)
    cells = {(c.plan, c.task): c for c in result.cells}
    for cell, (draft_cost, actual_cost) in expected.items():
        assert cells[cell].draft_cost_usd == draft_cost, cell
        assert cells[cell].actual_cost_usd == actual_cost, cell
    assert cells[("paygo", "draft_cv")].draft_step == "anthropic:claude-haiku-4-5"
    assert cells[("freemium", "extract_job")].requests == 4  # the 45-day-old and cached rows are out
    assert cells[("paygo", "draft_cv")].actual_unpriced_attempts == 1
    assert result.actual_total_usd == sum(a for _d, a in expected.values())
    assert result.draft_total_usd == sum(d for d, _a in expected.values())
    assert result.by_plan["freemium"][1] == expected[("freemium", "extract_job")][0]
    # cells without traffic are listed at $0
    assert cells[("pro", "draft_cv")].requests == 0 and cells[("pro", "draft_cv")].draft_cost_usd == 0


def test_unpriced_or_missing_candidates_are_flagged(orch, demo_users):
    from orchestrator.services.admin import catalog

    plant_traffic(orch)
    catalog.add_model(orch, kind="openai_compatible", model="llama3.1:8b", actor=operator())
    providers.add_provider(orch, name="local", kind="openai_compatible", base_url="http://127.0.0.1:9/v1",
                           actor=operator())
    draft = {("freemium", "extract_job"): [RouteStep("local", "llama3.1:8b")],
             ("paygo", "draft_cv"): [RouteStep("ghost", "gpt-5")]}
    result = dryrun.dry_run(orch, draft=draft)
    cells = {(c.plan, c.task): c for c in result.cells}
    assert cells[("freemium", "extract_job")].draft_cost_usd is None
    assert "unpriced" in cells[("freemium", "extract_job")].note
    assert cells[("paygo", "draft_cv")].draft_step is None
    assert "no usable candidate" in cells[("paygo", "draft_cv")].note
    assert set(result.unpriced_cells) == {"freemium/extract_job", "paygo/draft_cv"}
    assert result.draft_total_usd == 0
