"""The Cost analytics page: KPI tiles and Vega-Lite chart data equal totals computed here with
SQL over the ledger; filters change them; exports are offered; non-admins are refused."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from orchestrator.money import readable_usd
from orchestrator.services.reports.analytics_queries import AnalyticsFilter, clear_cache
from tests.app.conftest import signed_in
from tests.integration.test_analytics import day_sql, make_ledger, now_utc, period_where, sql, sql_totals

PAGE = str(Path(__file__).resolve().parents[2] / "pages/admin/analytics.py")


@pytest.fixture
def ledger_app(app_env):
    ids = make_ledger(app_env, days=40, per_day=25)
    clear_cache()
    yield app_env, ids
    clear_cache()


def open_page(tab: str | None = None, **inputs) -> AppTest:
    """The page as the admin, with ``tab`` open (only the open tab is computed and drawn)."""
    at = signed_in("admin@example.com")
    if tab:
        at.session_state["an_tab"] = tab
    at.switch_page(PAGE).run()
    for key, value in inputs.items():
        widget = at.text_input(key=key) if key == "an_user" else at.multiselect(key=key)
        (widget.input if key == "an_user" else widget.set_value)(value)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def last30() -> AnalyticsFilter:
    today = now_utc().date()
    return AnalyticsFilter(start=today - timedelta(days=29), end=today)


def money(v: Decimal) -> str:
    return readable_usd(v)


def compact(n: int) -> str:
    return f"{n / 1e6:.2f} M" if n >= 1_000_000 else f"{n / 1000:.1f} k" if n >= 10_000 else f"{n:,}"


def metrics(at) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def chart_specs(at) -> dict[str, tuple[dict, list[dict]]]:
    """Title -> (Vega-Lite spec, data rows) of every chart drawn."""
    out = {}
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        out[spec["title"]["text"]] = (spec, convert_arrow_bytes_to_pandas_df(el.proto.data.data).to_dict("records"))
    return out


def charts(at) -> dict[str, list[dict]]:
    """Title -> data rows of every chart drawn."""
    return {title: rows for title, (_, rows) in chart_specs(at).items()}


def all_charts() -> dict[str, dict]:
    """The charts of every tab that has some, each tab opened in turn."""
    out = {}
    for tab in ("Spend", "Reliability", "Users & plans"):
        out.update(charts(open_page(tab)))
    return out


def test_kpi_tiles_equal_sql_totals_with_deltas(ledger_app):
    orch, _ = ledger_app
    at = open_page()
    assert at.title[0].value == "Cost analytics"
    cur, prev = sql_totals(orch, last30()), sql_totals(orch, last30().previous())
    m = metrics(at)
    assert m["AI cost"] == (money(cur["cost"]), f"{(cur['cost'] - prev['cost']) * 100 / prev['cost']:+.1f} %")
    assert m["Requests"][0] == compact(cur["requests"])
    assert m["Tokens"][0] == compact(cur["tokens"])
    exact = {x.label: x.proto.help for x in at.metric}
    assert exact["Tokens"].startswith(f"{cur['tokens']:,}:") and exact["Requests"].startswith(f"{cur['requests']:,} ")
    assert m["Error rate"][0] == f"{cur['errors'] / cur['calls'] * 100:.1f} %"
    assert m["Cache hit rate"][0] == f"{cur['hits'] / (cur['requests'] - cur['denied']) * 100:.1f} %"
    assert m["p95 latency"][0].endswith(" s")
    assert any("unpriced" in c.value for c in at.caption)  # the local model is unpriced


def test_chart_data_equals_sql(ledger_app):
    orch, _ = ledger_app
    figs = all_charts()
    f = last30()
    where, p = period_where(f)

    daily = {(r["provider"], r["day"]): r["cost"] for r in figs["Daily AI cost by provider"]}
    want = {(prov, d): float(c) / 1e12 for d, prov, c in sql(orch, f"""
        SELECT {day_sql(orch)}, provider, COALESCE(SUM(cost_usd), 0) FROM usage_log WHERE {where} GROUP BY 1, 2""",
                                                             **p)}
    assert daily == pytest.approx(want)

    by_plan_task = {(r["task"], r["plan"]): r["cost"] for r in figs["AI cost by plan and task"]}
    from orchestrator.tasks import TASKS

    labels = {name: spec.label for name, spec in TASKS.items()}  # one wording per task, everywhere
    want = {(labels[t], pl): float(c) / 1e12 for pl, t, c in sql(
        orch, f"SELECT plan, task_type, COALESCE(SUM(cost_usd), 0) FROM usage_log WHERE {where} GROUP BY 1, 2", **p)}
    assert {k: v for k, v in by_plan_task.items() if v or k in want} == pytest.approx(want)

    tokens = {(r["part"], r["model"]): r["tokens"] for r in figs["Tokens by model"]}
    for prov, model, tin, cached, tout, reasoning in sql(orch, f"""
            SELECT provider, model, SUM(tokens_input), SUM(tokens_cached), SUM(tokens_output), SUM(tokens_reasoning)
            FROM usage_log WHERE {where} GROUP BY 1, 2""", **p):
        label = f"{prov} / {model}"
        assert tokens[("Input (uncached)", label)] == tin - cached
        assert tokens[("Cached input", label)] == cached
        assert tokens[("Output", label)] == tout - reasoning
        assert tokens[("Reasoning", label)] == reasoning

    errors = {(r["provider"], r["day"]): r["pct"] for r in figs["Error rate by provider"]}
    want = {(prov, d): 100 * e / n for d, prov, n, e in sql(orch, f"""
        SELECT {day_sql(orch)}, provider, COUNT(*), SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END)
        FROM usage_log WHERE {where} AND status IN ('success', 'error') GROUP BY 1, 2""", **p)}
    assert errors == pytest.approx(want)

    cost = {r["plan"]: r["usd"] for r in figs["Revenue and AI cost per plan"] if r["part"] == "AI cost"}
    want = defaultdict(float, {pl: float(c) / 1e12 for pl, c in sql(
        orch, f"SELECT plan, COALESCE(SUM(cost_usd), 0) FROM usage_log WHERE {where} GROUP BY 1", **p)})
    assert cost == pytest.approx({pl: want[pl] for pl in cost})

    latency = {r["series"] for r in figs["Latency by provider"]}
    assert {"gemini p95", "gemini p50", "anthropic p95"} <= latency
    forecast = figs[next(k for k in figs if k.startswith("Spend forecast"))]
    assert forecast[0]["series"] == "Month to date"


def test_provider_filter_changes_the_tiles(ledger_app):
    orch, _ = ledger_app
    at = open_page(an_providers=["anthropic"])
    want = sql_totals(orch, last30(), "AND provider = 'anthropic'")
    assert metrics(at)["AI cost"][0] == money(want["cost"])
    assert metrics(at)["Requests"][0] == compact(want["requests"])
    names = {r["provider"] for r in charts(at)["Daily AI cost by provider"]}
    assert names == {"anthropic"}


def test_user_filter(ledger_app):
    orch, ids = ledger_app
    at = open_page(an_user="bo@ex.com")
    want = sql_totals(orch, last30(), "AND user_id = :u", u=ids["bo@ex.com"])
    assert metrics(at)["AI cost"][0] == money(want["cost"])
    assert metrics(at)["Requests"][0] == compact(want["requests"])
    at.text_input(key="an_user").input("nobody@ex.com").run()
    assert [w.value for w in at.warning] == ["There is no user nobody@ex.com: showing all users."]


def test_tables_and_exports(ledger_app):
    orch, _ = ledger_app
    assert len(open_page("Export").get("download_button")) == 3
    at = open_page("Users & plans")
    tables = {tuple(df.value.columns): df.value for df in at.dataframe}
    top = tables[("User", "Plan", "Requests", "Tokens", "AI cost", "Charged")]
    where, p = period_where(last30())
    want = sql(orch, f"""SELECT u.email, COALESCE(SUM(l.cost_usd), 0) AS c FROM usage_log l JOIN users u
                         ON u.id = l.user_id WHERE {where.replace('timestamp', 'l.timestamp')}
                         GROUP BY u.email ORDER BY c DESC""", **p)
    assert list(top["User"]) == [e for e, _ in want]
    assert list(top["AI cost"]) == [readable_usd(Decimal(c) / 10**12) for _, c in want]
    plans = tables[("Plan", "Subscribers", "Revenue", "AI cost", "Margin", "Margin %", "Margin / user")]
    assert list(plans["Plan"]) == ["Freemium", "Pay as you go", "Pro"]
    subs = dict(sql(orch, "SELECT p.code, COUNT(*) FROM users u JOIN plans p ON p.id = u.plan_id GROUP BY 1"))
    assert list(plans["Subscribers"]) == [subs["freemium"], subs["paygo"], subs["pro"]]


def test_empty_ledger_renders(app_env):
    clear_cache()
    at = open_page()
    assert metrics(at)["AI cost"][0] == "$0.00"
    assert metrics(at)["Error rate"][0] == "—"


def test_non_admin_is_refused(app_env):
    from orchestrator.services.admin.users import get_user

    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = get_user(app_env, email="pro@example.com")
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.metric and not at.get("vega_lite_chart")
