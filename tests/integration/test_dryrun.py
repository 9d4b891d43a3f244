"""Dry run: both sides equal an independent SQL computation (raw SQL sums of the answered
requests, priced by hand at each side's first usable model's catalog prices)."""

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


def _independent(orch, since: datetime, prices: dict[tuple[str, str], tuple[Decimal, Decimal, Decimal]]):
    """Per cell: the answered requests' tokens (raw SQL) priced by hand at (input, output, cached)."""
    naive = since.astimezone(UTC).replace(tzinfo=None)
    with orch.db.engine.connect() as c:
        ok = c.execute(text(
            "SELECT plan, task_type, SUM(tokens_input), SUM(tokens_output), SUM(tokens_cached) FROM usage_log "
            "WHERE status = 'success' AND timestamp >= :since GROUP BY plan, task_type"), {"since": naive}).all()
    out = {}
    for plan, task, tin, tout, tcached in ok:
        pin, pout, pcached = prices[(plan, task)]
        out[(plan, task)] = ((int(tin) - int(tcached)) * pin + int(tcached) * pcached + int(tout) * pout) / MTOK
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

    live_prices = {("freemium", "extract_job"): (Decimal("0.1"), Decimal("0.4"), Decimal("0.01")),
                   ("paygo", "draft_cv"): (Decimal("3"), Decimal("15"), Decimal("0.3"))}
    draft_prices = {("freemium", "extract_job"): (Decimal("0.05"), Decimal("0.4"), Decimal("0.005")),
                    ("paygo", "draft_cv"): (Decimal("1"), Decimal("5"), Decimal("0.1"))}
    expected_a = _independent(orch, now - timedelta(days=30), live_prices)
    expected_b = _independent(orch, now - timedelta(days=30), draft_prices)
    cells = {(c.plan, c.task): c for c in result.cells}
    for cell in expected_a:
        assert (cells[cell].a.cost_usd, cells[cell].b.cost_usd) == (expected_a[cell], expected_b[cell]), cell
    assert cells[("paygo", "draft_cv")].b.model == "anthropic:claude-haiku-4-5"
    assert cells[("freemium", "extract_job")].requests == 4  # the 45-day-old and cached rows are out
    assert result.total_a_usd == sum(expected_a.values()) and result.total_b_usd == sum(expected_b.values())
    # cells without traffic are listed at $0 on both sides
    assert cells[("pro", "draft_cv")].requests == 0 and cells[("pro", "draft_cv")].b.cost_usd == 0


def test_unpriced_or_missing_candidates_are_flagged(orch, demo_users):
    from orchestrator.services.admin import catalog

    plant_traffic(orch)
    catalog.add_model(orch, kind="openai_compatible", model="llama3.1:8b", actor=operator())
    providers.add_provider(orch, name="local", kind="openai_compatible", base_url="http://127.0.0.1:9/v1",
                           actor=operator())
    live = policy.current(orch).matrix
    draft = {**live, ("freemium", "extract_job"): [RouteStep("local", "llama3.1:8b")],
             ("paygo", "draft_cv"): [RouteStep("ghost", "gpt-5")]}
    result = dryrun.dry_run(orch, draft=draft)
    cells = {(c.plan, c.task): c for c in result.cells}
    assert cells[("freemium", "extract_job")].b.cost_usd is None
    assert "no input and output price" in cells[("freemium", "extract_job")].b.reason
    assert cells[("paygo", "draft_cv")].b.model is None
    assert cells[("paygo", "draft_cv")].b.reason == "no usable model (provider 'ghost' does not exist)"
    assert {f"{c.plan}/{c.task}" for c in result.excluded} == {"freemium/extract_job", "paygo/draft_cv"}
    assert result.total_a_usd == result.total_b_usd == 0  # the only traffic is in the excluded cells
