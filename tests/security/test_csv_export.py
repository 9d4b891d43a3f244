"""CSV exports never hand a spreadsheet a formula (OWASP "CSV injection").

Emails, plan codes, provider and model names reach the analytics CSV; a cell that begins with
``=``, ``+``, ``-`` or ``@`` (after leading blanks), a tab or a carriage return is prefixed with
``'``. Plain decimal numbers, such as a negative margin, stay numbers.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from orchestrator.safe_markdown import spreadsheet_cell
from orchestrator.services.reports import analytics_finance as fin
from orchestrator.services.reports.analytics_queries import AnalyticsFilter, clear_cache
from tests.support import operator

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "  =1", "\t=1", "\r=1", "＝1+1", "-",
            "=1@ex.com"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_like_text_is_quoted(cell):
    assert spreadsheet_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-0.50", "-1", "+3", "10.5", "0", ".5", "0.0004425", "a=b", "x@y.z", "", " ok"])
def test_numbers_and_ordinary_text_are_left_alone(cell):
    assert spreadsheet_cell(cell) == cell


@pytest.mark.parametrize("value", [5, -5, Decimal("-0.12"), None, 1.5])
def test_non_text_values_pass_through(value):
    assert spreadsheet_cell(value) == value


def _rows(csv_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text)))


@pytest.fixture
def hostile_ledger(orch):
    """A plan, a user and ledger rows whose text columns are formulas; today, so read live."""
    from db.models import Plan, UsageRecord
    from orchestrator.services.admin.users import add_user

    with orch.db.write() as s:
        s.add(Plan(code="@SUM(A1)", name="Formula plan", monthly_fee_usd=Decimal(0), sort_order=99))
    user = add_user(orch, email='=HYPERLINK("http://x")@ex.com', plan="@SUM(A1)", actor=operator())
    now = datetime.now(UTC) - timedelta(seconds=5)
    base = dict(user_id=user.id, plan="@SUM(A1)", task_type="+1+1", provider="-2+3", provider_kind="openai",
                model="  =1", timestamp=now, attempt=1, status="success", tokens_input=10, tokens_output=5,
                cost_usd=Decimal("0.5"), charged_usd=Decimal(0), latency_ms=100)
    with orch.db.write() as s:
        s.add_all(UsageRecord(request_id=uuid.uuid4().hex, **base) for _ in range(2))
    clear_cache()
    yield AnalyticsFilter(start=now.date(), end=now.date())
    clear_cache()


def test_daily_export_quotes_formula_dimensions(orch, hostile_ledger):
    rows = [r for r in _rows(fin.export_csv(orch, filt=hostile_ledger, dataset="daily")) if r["model"] != "model"]
    mine = [r for r in rows if r["plan"].startswith("'")]
    assert mine, rows
    row = mine[0]
    assert (row["plan"], row["task_type"], row["provider"], row["model"]) == ("'@SUM(A1)", "'+1+1", "'-2+3", "'  =1")
    assert Decimal(row["cost_usd"]) == Decimal("1")  # money stays a number
    for r in rows:
        for value in r.values():
            assert not value.lstrip().startswith(("=", "+", "@")) or value.startswith("'"), r


def test_users_export_quotes_emails_and_keeps_negative_margins_numeric(orch, hostile_ledger):
    rows = _rows(fin.export_csv(orch, filt=hostile_ledger, dataset="users"))
    mine = [r for r in rows if "hyperlink" in r["email"]]  # emails are stored lower-case
    assert len(mine) == 1
    row = mine[0]
    assert row["email"] == "'=hyperlink(\"http://x\")@ex.com" and row["plan"] == "'@SUM(A1)"
    assert row["margin_usd"].startswith("-") and Decimal(row["margin_usd"]) < 0  # not quoted: still a number
    assert Decimal(row["ai_cost_usd"]) == Decimal("1")


def test_plans_export_quotes_plan_codes(orch, hostile_ledger):
    rows = _rows(fin.export_csv(orch, filt=hostile_ledger, dataset="plans"))
    codes = [r["plan"] for r in rows]
    assert "'@SUM(A1)" in codes and "freemium" in codes
    formula = next(r for r in rows if r["plan"] == "'@SUM(A1)")
    assert Decimal(formula["margin_usd"]) == Decimal("-1")
