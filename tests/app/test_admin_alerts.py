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


# ------------------------------------------------------------------ notifications


@pytest.fixture
def receiver():
    from tests.alert_support import Receiver

    r = Receiver()
    yield r
    r.close()


def test_notifications_add_test_and_remove_channels(env, receiver, monkeypatch):
    from tests.app.admin_helpers import rendered_text, state_text
    from tests.alert_support import SECRET

    monkeypatch.delenv("SMTP_HOST", raising=False)
    at = open_page()
    assert "Notifications" in [s.value for s in at.subheader]
    assert "No channel yet: alerts are only shown on this page." in [c.value for c in at.caption]
    at.text_input(key="wh_url").input(receiver.url)
    at.text_input(key="wh_secret").input(SECRET)
    at.selectbox(key="wh_format").select("slack")
    at.button(key="add_webhook").click().run()
    assert not at.exception
    port = receiver.server.server_address[1]
    assert [s.value for s in at.success][0] == f"Webhook 1 added: http://127.0.0.1:{port}/…Z987 (slack, secret …4242)."
    channels = {tuple(df.value.columns): df.value for df in at.dataframe}[
        ("ID", "Kind", "Target", "Format", "Secret", "Added by", "Added")]
    assert channels.iloc[0][["Kind", "Format", "Secret", "Added by"]].tolist() == [
        "webhook", "slack", "…4242", "admin@example.com"]
    seen = rendered_text(at) + state_text(at)
    assert SECRET not in seen and "pathTokenXYZ987" not in seen
    assert at.text_input(key="wh_secret").value == ""

    at.button(key="test_1").click().run()
    assert [s.value for s in at.success][0] == f"Test message sent to webhook http://127.0.0.1:{port}/…Z987 (HTTP 200)."
    (post,) = receiver.posts
    assert post.json()["text"].startswith(":wave: *TEST* Test message from AI Orchestrator")
    log = {tuple(df.value.columns): df.value for df in at.dataframe}[
        ("Time", "Channel", "Alert", "Event", "Status", "Attempts", "Last error")]
    assert log.iloc[0][["Event", "Status", "Attempts", "Last error"]].tolist() == ["test", "sent", "1/1", ""]

    at.text_input(key="em_to").input("oncall@example.com")
    at.button(key="add_email").click().run()
    added = at.warning[0].value
    assert added.startswith("E-mail channel 2 added: oncall@example.com. SMTP_HOST is not set")
    assert any(w.value.startswith("SMTP_HOST is not set") for w in at.warning)  # beside the channel list
    at.button(key="remove_2").click().run()
    assert [s.value for s in at.success][0] == "Removed email channel 2 (oncall@example.com)."
    assert not any(b.key == "remove_2" for b in at.button)


def test_failed_deliveries_are_shown_with_their_error(env):
    from datetime import datetime as dt

    from orchestrator.alerting import runner
    from orchestrator.services.admin import alert_channels
    from tests.alert_support import SECRET, Receiver, closed_url, fire_error_rate
    from tests.support import operator

    orch, _ = env
    failing = Receiver(statuses=[500])
    try:
        alert_channels.add_webhook(orch, url=failing.url, secret=SECRET, actor=operator())
        dead = alert_channels.add_webhook(orch, url=closed_url(), secret=SECRET, actor=operator())
        fire_error_rate(orch)
        runner.run(orch, now=dt.now(UTC))
    finally:
        failing.close()
    at = open_page()
    log = {tuple(df.value.columns): df.value for df in at.dataframe}[
        ("Time", "Channel", "Alert", "Event", "Status", "Attempts", "Last error")]
    rows = {r["Channel"].split("/")[2]: r for r in log.to_dict("records")}
    assert len(rows) == 2
    for r in rows.values():
        assert (r["Alert"], r["Event"], r["Attempts"]) == ("error_rate:gemini", "firing", "1/6")
        assert r["Status"].startswith("retrying at ")
    assert sorted(r["Last error"][:17] for r in rows.values()) == ["HTTP 500 from the", "could not connect"]
    at.button(key=f"test_{dead.id}").click().run()
    flash = at.error[0].value
    assert flash.startswith("Test message to webhook http://127.0.0.1:") and "failed: could not connect" in flash


def test_a_plain_admin_adds_e_mail_but_not_webhooks(env, receiver):
    from orchestrator.services.admin import alert_channels
    from tests.app.admin_helpers import add_plain_admin
    from tests.alert_support import SECRET
    from tests.support import operator

    orch, _ = env
    add_plain_admin(orch)
    wid = alert_channels.add_webhook(orch, url=receiver.url, secret=SECRET, actor=operator()).id
    at = signed_in("ops@example.com")
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "Webhooks are added by a super admin." in [c.value for c in at.caption]
    assert at.button(key="add_webhook").disabled and at.button(key=f"remove_{wid}").disabled
    assert not at.text_input(key="em_to").disabled
    at.button(key=f"test_{wid}").click().run()  # a test to a webhook a super admin set up is fine
    assert len(receiver.posts) == 1
