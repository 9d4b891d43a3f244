"""Chart tooltips read money like the rest of the console: the one readable format and the exact
amount, never a float rounded to cents ($0.00 for a sub-cent day)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from orchestrator.services.reports.analytics import DailyProvider, PlanTaskCost
from ui import charts


def test_a_sub_cent_day_reads_as_significant_digits_with_the_exact_amount():
    rows, spec = charts.daily_cost([DailyProvider(date(2026, 11, 3), "openai", Decimal("0.001234567"), 3, 3, 0)])
    assert rows[0]["cost_text"] == "$0.00123" and rows[0]["cost_exact"] == "$0.001234567"
    tips = [t["field"] for t in spec["encoding"]["tooltip"]]
    assert "cost_text" in tips and "cost_exact" in tips and "cost" not in tips


def test_an_unpriced_cell_says_so_instead_of_zero():
    rows, _ = charts.cost_by_plan_task([PlanTaskCost("Pro", "cover_letter", None, 1, 10)])
    assert rows[0]["cost_text"] == "unpriced" and rows[0]["cost_exact"] == "unpriced"
