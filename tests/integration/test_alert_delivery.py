"""Alerts reach people, on both databases: a loopback webhook receiver and an aiosmtpd server
get what fired (signed, once), nothing more within the cool-down, a reminder after it, one
"resolved" message; failures are retried with backoff and logged without secrets; two
overlapping evaluations deliver once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import AlertChannel, AlertDelivery, AlertState, AuditEntry, ScheduledJob
from orchestrator import Orchestrator, maintenance
from orchestrator.alerting import runner
from orchestrator.alerting.channels import NO_SMTP
from orchestrator.errors import InputRejected, NotFound, PermissionDenied
from orchestrator.services.admin import alert_channels
from orchestrator.services.admin.users import add_user
from orchestrator.services.reports.analytics_queries import clear_cache
from tests.alert_support import (SECRET, WEBHOOK_PATH, Receiver, clear_error_rate, closed_url, fire_error_rate,
                                 smtp_server)
from tests.support import acting, operator

KEYS = {"id", "source", "event", "state", "key", "kind", "subject", "value", "threshold", "unit", "window",
        "message", "fired_at", "resolved_at", "link"}


@pytest.fixture(autouse=True)
def _fresh_caches():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def t0() -> datetime:
    return datetime.now(UTC)


def webhook(orch, url: str, fmt: str = "json") -> int:
    return alert_channels.add_webhook(orch, url=url, secret=SECRET, format=fmt, actor=operator()).id


def deliveries(orch) -> list[AlertDelivery]:
    with orch.db.read() as s:
        return list(s.scalars(select(AlertDelivery).order_by(AlertDelivery.id)).all())


def signed(post) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), post.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(post.headers["x-orchestrator-signature"], expected)


def test_a_firing_alert_reaches_the_webhook_once_signed(orch, receiver, t0):
    webhook(orch, receiver.url)
    fire_error_rate(orch, failed=3)
    report = runner.run(orch, now=t0)
    assert [(c.key, c.event, c.enqueued) for c in report.changes] == [("error_rate:gemini", "firing", 1)]
    assert len(receiver.posts) == 1
    post = receiver.posts[0]
    assert post.path == WEBHOOK_PATH and post.headers["content-type"] == "application/json"
    assert signed(post)
    body = post.json()
    assert set(body) == KEYS
    assert (body["kind"], body["subject"], body["state"], body["event"]) == ("error_rate", "gemini", "firing", "firing")
    assert body["value"] == 1.0 and body["threshold"] == pytest.approx(0.10) and body["unit"] == "ratio"
    assert body["window"] == "last 24 h" and "100.0% of 3 calls failed" in body["message"]
    assert body["fired_at"].startswith(t0.strftime("%Y-%m-%dT%H:%M")) and body["resolved_at"] is None
    assert body["link"] == orch.settings.public_url.rstrip("/") + "/alerts"
    (d,) = deliveries(orch)
    assert (d.status, d.attempts, d.http_status, d.last_error, d.event) == ("sent", 1, 200, None, "firing")
    # a second evaluation within the cool-down: nothing new
    again = runner.run(orch, now=t0 + timedelta(minutes=10))
    assert again.changes == [] and again.firing == 1 and len(receiver.posts) == 1
    with orch.db.read() as s:
        state = s.get(AlertState, "error_rate:gemini")
    assert state.state == "firing" and state.checked_at == t0 + timedelta(minutes=10)


def test_cool_down_reminder_then_one_resolved_message(orch, receiver, t0):
    webhook(orch, receiver.url)
    fire_error_rate(orch)
    cooldown = timedelta(seconds=orch.settings.alert_cooldown_s)
    assert cooldown == timedelta(hours=1)  # the default
    runner.run(orch, now=t0)
    runner.run(orch, now=t0 + cooldown - timedelta(seconds=1))
    assert len(receiver.posts) == 1
    report = runner.run(orch, now=t0 + cooldown + timedelta(seconds=1))
    assert [c.event for c in report.changes] == ["repeat"]
    assert len(receiver.posts) == 2
    first, repeat = (p.json() for p in receiver.posts)
    assert repeat["state"] == "firing" and repeat["fired_at"] == first["fired_at"] and repeat["id"] != first["id"]
    clear_error_rate(orch)
    later = t0 + cooldown + timedelta(minutes=5)
    report = runner.run(orch, now=later)
    assert [(c.key, c.event) for c in report.changes] == [("error_rate:gemini", "resolved")]
    assert len(receiver.posts) == 3
    resolved = receiver.posts[2].json()
    assert (resolved["state"], resolved["event"]) == ("resolved", "resolved") and signed(receiver.posts[2])
    assert resolved["resolved_at"].startswith(later.strftime("%Y-%m-%dT%H:%M"))
    assert resolved["fired_at"] == first["fired_at"] and resolved["subject"] == "gemini"
    for minutes in (6, 70, 200):  # resolved stays quiet
        assert runner.run(orch, now=t0 + cooldown + timedelta(minutes=minutes)).changes == []
    assert len(receiver.posts) == 3
    # it fires again: a new episode, a new first-fired time
    fire_error_rate(orch)
    refire = t0 + cooldown + timedelta(minutes=201)
    assert [c.event for c in runner.run(orch, now=refire).changes] == ["firing"]
    assert receiver.posts[3].json()["fired_at"].startswith(refire.strftime("%Y-%m-%dT%H:%M"))
    assert [d.status for d in deliveries(orch)] == ["sent"] * 4


def test_slack_format_has_text_and_is_still_signed(orch, receiver, t0):
    webhook(orch, receiver.url, fmt="slack")
    fire_error_rate(orch)
    runner.run(orch, now=t0)
    (post,) = receiver.posts
    body = post.json()
    assert set(body) == {"text"} and signed(post)
    assert body["text"].startswith(":rotating_light: *FIRING* gemini: 100.0% of 3 calls failed")
    assert "<http://localhost:8501/alerts|Open the Alerts page>" in body["text"]


def test_a_failed_delivery_is_retried_after_backoff(orch, t0):
    receiver = Receiver(statuses=[500, 503])
    try:
        webhook(orch, receiver.url)
        fire_error_rate(orch)
        runner.run(orch, now=t0)
        (d,) = deliveries(orch)
        assert (d.status, d.attempts, d.http_status, d.last_error) == ("retrying", 1, 500, "HTTP 500 from the webhook")
        assert d.next_attempt_at == t0 + timedelta(minutes=1)
        runner.run(orch, now=t0 + timedelta(seconds=30))  # not yet
        assert len(receiver.posts) == 1
        runner.run(orch, now=t0 + timedelta(seconds=61))
        (d,) = deliveries(orch)
        assert (d.status, d.attempts, d.http_status) == ("retrying", 2, 503)
        assert d.next_attempt_at == t0 + timedelta(seconds=61 + 120)  # backoff doubles
        runner.run(orch, now=t0 + timedelta(seconds=61 + 120))
        (d,) = deliveries(orch)
        assert (d.status, d.attempts, d.http_status, d.last_error) == ("sent", 3, 200, None)
        assert len(receiver.posts) == 3
        assert receiver.posts[0].body == receiver.posts[2].body and all(signed(p) for p in receiver.posts)
        log = alert_channels.recent_deliveries(orch, actor=operator())
        assert [(x.status, x.attempts) for x in log] == [("sent", 3)]
    finally:
        receiver.close()


def test_a_dead_url_is_logged_as_failed_and_given_up(orch, t0, database_url, settings):
    few = Orchestrator(database_url=database_url, settings=replace(settings, alert_delivery_max_attempts=2))
    try:
        url = closed_url()
        webhook(few, url)
        fire_error_rate(few)
        report = runner.run(few, now=t0)  # never raises
        (d,) = report.deliveries
        assert d.status == "retrying" and d.attempts == 1
        assert d.last_error.startswith("could not connect (ConnectError") and "refused" in d.last_error.lower()
        assert WEBHOOK_PATH not in d.last_error and url not in d.last_error and SECRET not in d.last_error
        (d,) = runner.run(few, now=t0 + timedelta(minutes=1)).deliveries
        assert (d.status, d.attempts) == ("failed", 2)
        assert runner.run(few, now=t0 + timedelta(minutes=30)).deliveries == []  # given up for good
    finally:
        few.close()


def test_two_overlapping_evaluations_deliver_once(orch, receiver, t0, database_url):
    webhook(orch, receiver.url)
    fire_error_rate(orch)
    others = [Orchestrator(database_url=database_url, settings=orch.settings) for _ in range(3)]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def evaluate(o) -> None:
        try:
            barrier.wait(10)
            runner.run(o, now=t0)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=evaluate, args=(o,)) for o in (orch, *others)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert len(receiver.posts) == 1 and [d.status for d in deliveries(orch)] == ["sent"]
        # the server's job and the CLI overlap too: the job runs where it wins the claim
        later = t0 + timedelta(minutes=2)
        assert maintenance.run_alerts_due(orch, now=later) is not None
        assert maintenance.run_alerts_due(others[0], now=later) is None
        runner.run(others[1], now=later)  # `alerts run` at the same moment: nothing to send
        assert len(receiver.posts) == 1
    finally:
        for o in others:
            o.close()


def test_the_alerts_job_runs_once_per_interval(orch, receiver, t0):
    webhook(orch, receiver.url)
    fire_error_rate(orch)
    first = maintenance.run_alerts_due(orch, now=t0)
    assert first is not None and (first["new"], first["sent"]) == (1, 1)
    assert maintenance.run_alerts_due(orch, now=t0 + timedelta(seconds=30)) is None
    assert maintenance.run_alerts_due(orch, now=t0 + timedelta(seconds=orch.settings.alerts_interval_s)) is not None
    assert len(receiver.posts) == 1


def test_the_app_servers_housekeeping_thread_delivers_on_its_own(orch, receiver):
    webhook(orch, receiver.url)
    fire_error_rate(orch)
    thread = maintenance.start_background(orch, every_s=0.05)
    try:
        deadline = time.monotonic() + 20
        while not receiver.posts and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # more ticks: the job is claimed for the next interval, nothing more is sent
    finally:
        thread.stop.set()
        thread.join(10)
    assert len(receiver.posts) == 1 and receiver.posts[0].json()["kind"] == "error_rate"
    with orch.db.read() as s:
        job = s.get(ScheduledJob, maintenance.ALERTS)
    assert job.last_result["sent"] == 1 and job.next_run_at > datetime.now(UTC) + timedelta(seconds=30)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only
def test_email_arrives_through_smtp_with_auth_and_no_password_in_the_log(orch, t0, database_url, settings):
    password = "smtp-Pa55word-never-logged"
    server = smtp_server(user="mailer", password=password)
    mail = replace(settings, smtp_host="127.0.0.1", smtp_port=server.port, smtp_user="mailer",
                   smtp_password=password, smtp_from="alerts@example.com")
    o = Orchestrator(database_url=database_url, settings=mail)
    wrong = Orchestrator(database_url=database_url, settings=replace(mail, smtp_password="wrong-" + password))
    try:
        info = alert_channels.add_email(o, to="oncall@example.com", actor=operator())
        assert info.warning is None
        fire_error_rate(o)
        (d,) = runner.run(o, now=t0).deliveries
        assert (d.status, d.attempts) == ("sent", 1)
        ((mail_from, rcpt, _, login),) = server.box.messages
        assert (mail_from, rcpt, login) == ("alerts@example.com", ["oncall@example.com"], "mailer")
        msg = server.box.parsed()
        assert msg["Subject"].startswith("[AI Orchestrator] FIRING: gemini: 100.0% of 3 calls failed")
        text = msg.get_content()
        assert "Alert:      error_rate / gemini" in text and "Window:     last 24 h" in text
        assert "Open the Alerts page: http://localhost:8501/alerts" in text
        # the wrong password: refused, retried later, and the log never holds either password
        clear_error_rate(o)
        (d,) = runner.run(wrong, now=t0 + timedelta(minutes=5)).deliveries
        assert d.event == "resolved" and d.status == "retrying"
        assert d.last_error == "SMTP login as SMTP_USER refused (535)"
        assert len(server.box.messages) == 1
        (d,) = runner.run(o, now=t0 + timedelta(minutes=7)).deliveries
        assert d.status == "sent" and server.box.parsed()["Subject"].startswith("[AI Orchestrator] RESOLVED:")
        with o.db.read() as s:
            rows = [json.dumps({c.name: str(getattr(r, c.name)) for c in AlertDelivery.__table__.columns})
                    for r in s.scalars(select(AlertDelivery)).all()]
        assert rows and not any(password in r for r in rows)
    finally:
        o.close()
        wrong.close()
        server.stop()


def test_email_without_smtp_host_fails_with_a_clear_reason(orch, t0):
    assert orch.settings.smtp_host is None
    info = alert_channels.add_email(orch, to="ops@example.com", actor=operator())
    assert info.warning == NO_SMTP
    fire_error_rate(orch)
    (d,) = runner.run(orch, now=t0).deliveries
    assert (d.status, d.attempts, d.last_error) == ("failed", 1, NO_SMTP)


def test_webhook_secrets_and_url_paths_are_stored_encrypted_and_never_listed(orch, receiver):
    info = alert_channels.add_webhook(orch, url=receiver.url, secret=SECRET, actor=operator())
    assert info.secret_hint == "…4242" and info.target.endswith("/…Z987") and WEBHOOK_PATH not in info.target
    with orch.db.read() as s:
        row = s.get(AlertChannel, info.id)
        audit_rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "alerts.channel_add")).all()
    stored = json.dumps({c.name: str(getattr(row, c.name)) for c in AlertChannel.__table__.columns})
    assert SECRET not in stored and WEBHOOK_PATH not in stored and "pathTokenXYZ987" not in stored
    assert orch.vault.decrypt(row.secret_ciphertext) == SECRET
    assert orch.vault.decrypt(row.url_ciphertext) == receiver.url
    listed = json.dumps([c.as_dict() for c in alert_channels.list_channels(orch, actor=operator())])
    assert SECRET not in listed and "pathTokenXYZ987" not in listed
    assert audit_rows and all(SECRET not in json.dumps(a.after) and "XYZ987" not in json.dumps(a.after)
                              for a in audit_rows)
    # keys rotate re-encrypts them too
    assert alert_channels.rotate_secrets(orch, actor=operator()) == 1


def test_send_test_and_removal(orch, receiver):
    cid = webhook(orch, receiver.url)
    d = alert_channels.send_test(orch, channel_id=cid, actor=operator())
    assert (d.status, d.event, d.attempts, d.max_attempts) == ("sent", "test", 1, 1)
    body = receiver.posts[0].json()
    assert (body["event"], body["state"]) == ("test", "test") and signed(receiver.posts[0])
    dead = webhook(orch, closed_url())
    d = alert_channels.send_test(orch, channel_id=dead, actor=operator())
    assert d.status == "failed" and d.last_error.startswith("could not connect")  # a test is tried once
    alert_channels.remove_channel(orch, channel_id=cid, kind="webhook", actor=operator())
    assert [c.id for c in alert_channels.list_channels(orch, actor=operator())] == [dead]
    with pytest.raises(NotFound):
        alert_channels.send_test(orch, channel_id=cid, actor=operator())
    with pytest.raises(NotFound):
        alert_channels.remove_channel(orch, channel_id=dead, kind="email", actor=operator())


def test_a_removed_channel_gets_no_retry(orch, t0):
    receiver = Receiver(statuses=[500])
    try:
        cid = webhook(orch, receiver.url)
        fire_error_rate(orch)
        runner.run(orch, now=t0)
        alert_channels.remove_channel(orch, channel_id=cid, actor=operator())
        (d,) = runner.run(orch, now=t0 + timedelta(minutes=2)).deliveries
        assert (d.status, d.last_error) == ("failed", "the channel was removed before this could be sent")
        assert len(receiver.posts) == 1
    finally:
        receiver.close()


def test_validation_and_who_may_add_what(demo_users, receiver):
    orch = demo_users
    for url in ("ftp://example.com/x", "javascript:alert(1)", "http:///nohost", "https://exa mple.com/",
                "http://example.com:99999/", "https://x.example/" + "a" * 2100):
        with pytest.raises(InputRejected):
            alert_channels.add_webhook(orch, url=url, secret=SECRET, actor=operator())
    for secret in ("", "   ", "short", "x" * 600):
        with pytest.raises(InputRejected):
            alert_channels.add_webhook(orch, url=receiver.url, secret=secret, actor=operator())
    with pytest.raises(InputRejected):
        alert_channels.add_webhook(orch, url=receiver.url, secret=SECRET, format="xml", actor=operator())
    for address in ("not-an-address", "a@b@c", "ops@example.com\nBcc: all@example.com", "x@", "a, b@example.com"):
        with pytest.raises(InputRejected):
            alert_channels.add_email(orch, to=address, actor=operator())
    alert_channels.add_email(orch, to="ops@example.com", actor=operator())
    with pytest.raises(InputRejected, match="already receives"):
        alert_channels.add_email(orch, to="OPS@example.com", actor=operator())
    add_user(orch, email="ops2@example.com", plan="pro", role="admin", actor=operator())
    plain_admin = acting(orch, "ops2@example.com")
    with pytest.raises(PermissionDenied, match="super admin"):
        alert_channels.add_webhook(orch, url=receiver.url, secret=SECRET, actor=plain_admin)
    wid = webhook(orch, receiver.url)
    with pytest.raises(PermissionDenied, match="super admin"):
        alert_channels.remove_channel(orch, channel_id=wid, actor=plain_admin)
    eid = alert_channels.add_email(orch, to="team@example.com", actor=plain_admin).id
    assert alert_channels.send_test(orch, channel_id=wid, actor=plain_admin).status == "sent"
    alert_channels.remove_channel(orch, channel_id=eid, actor=plain_admin)
    with pytest.raises(PermissionDenied):
        alert_channels.list_channels(orch, actor=acting(orch, "free@example.com"))
