"""The Alerts page: active alerts match the data, past breaches are listed, thresholds are
edited through the form (and audited), non-admins are refused."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import AuditEntry, QuotaCounter
from orchestrator.services.admin import alerts
from orchestrator.services.reports.analytics_queries import clear_cache
from tests.app.conftest import signed_in
from tests.integration.test_alerts import calls

PAGE = str(Path(__file__).resolve().parents[2] / "pages/admin/alerts.py")


@pytest.fixture
def env(app_env):
    from orchestrator.services.admin.users import get_user

    clear_cache()
    yield app_env, get_user(app_env, email="free@example.com").id
    clear_cache()


def open_page() -> AppTest:
    at = signed_in("admin@example.com")
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def counts(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_all_clear(env):
    at = open_page()
    assert at.title[0].value == "Alerts"
    assert [s.value for s in at.success] == ["All clear: no alert is active."]
    assert set(counts(at).values()) == {"0"}


def test_active_alerts_and_history(env):
    orch, uid = env
    calls(orch, uid, provider="gemini", ok=20, failed=10)  # 33 % failed in the last hour
    with orch.db.write() as s:  # freemium: 18 of 20 requests today
        s.add(QuotaCounter(user_id=uid, period="day", period_start=datetime.now(UTC).date(), requests=18,
                           tokens=0, cost_usd=Decimal(0)))
    past = datetime.combine(datetime.now(UTC).date() - timedelta(days=2), time(9), tzinfo=UTC)
    calls(orch, uid, provider="anthropic", ok=25, latency_ms=9000, at=past)
    at = open_page()
    c = counts(at)
    assert (c["Provider error rate"], c["Users near quota"], c["p95 latency"]) == ("1", "1", "0")
    assert [e.value for e in at.error] == [
        "gemini: 33.3% of 30 calls failed over the last 24 h (threshold 10 %)."]
    assert [w.value for w in at.warning] == ["1 user(s) at 80 % or more of a quota."]
    tables = {tuple(df.value.columns): df.value for df in at.dataframe}
    quota = tables[("User", "Share of quota", "Detail")]
    assert list(quota["User"]) == ["free@example.com"] and list(quota["Share of quota"]) == ["90%"]
    history = tables[("Day", "Rule", "Subject", "Detail")]
    assert ("anthropic", "p95 latency") in set(zip(history["Subject"], history["Rule"]))


def test_thresholds_are_edited_in_the_form_and_audited(env):
    orch, uid = env
    with orch.db.write() as s:
        s.add(QuotaCounter(user_id=uid, period="day", period_start=datetime.now(UTC).date(), requests=17,
                           tokens=0, cost_usd=Decimal(0)))  # 85 %
    at = open_page()
    assert counts(at)["Users near quota"] == "1"
    at.number_input(key="th_quota_pct").set_value(90.0)
    at.number_input(key="th_error_rate_pct").set_value(15.0)
    at.button(key="save_thresholds").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Thresholds saved.", "All clear: no alert is active."]
    assert counts(at)["Users near quota"] == "0"
    t = alerts.thresholds(orch)
    assert (t.quota_pct, t.error_rate_pct) == (90.0, 15.0)
    with orch.db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "alerts.set_thresholds")).one()
    assert entry.actor == "admin@example.com" and entry.after["quota_pct"] == 90.0


def test_non_admin_is_refused(app_env):
    from orchestrator.services.admin.users import get_user

    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = get_user(app_env, email="paygo@example.com")
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.metric and not at.number_input
