"""``python -m orchestrator alerts ...`` end to end on both databases: channels are added,
listed (never with their secret or the URL's path) and removed; ``alerts run --json``
delivers what fired, once, and says so."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AlertChannel
from orchestrator.cli import main
from orchestrator.services.reports.analytics_queries import clear_cache
from tests.alert_support import SECRET, WEBHOOK_PATH, Receiver, fire_error_rate

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "pathTokenXYZ987"  # the secret part of the webhook's path


@pytest.fixture
def cli(database_url, settings, monkeypatch, capsys):
    """Run the CLI in-process against the test database; returns (exit code, JSON or text, stderr)."""
    monkeypatch.setenv("ORCHESTRATOR_MASTER_KEY", settings.master_keys[0])
    monkeypatch.setenv("ORCHESTRATOR_DATA_DIR", str(settings.data_dir))
    for var in ("SMTP_HOST", "ORCHESTRATOR_PUBLIC_URL"):
        monkeypatch.delenv(var, raising=False)
    clear_cache()

    def run(*argv: str, stdin: str | None = None, as_json: bool = True):
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--database-url", database_url, *argv] + (["--json"] if as_json else []))
        out, err = capsys.readouterr()
        return code, (json.loads(out) if as_json and out.strip() else out), err

    yield run
    clear_cache()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_webhook_commands_store_and_show_no_secret(cli, orch, receiver, monkeypatch):
    code, added, err = cli("alerts", "webhook", "add", "--url", receiver.url, "--secret-stdin", stdin=SECRET + "\n")
    assert code == 0, err
    assert added["kind"] == "webhook" and added["format"] == "json" and added["secret_hint"] == "…4242"
    assert added["target"] == f"http://127.0.0.1:{receiver.server.server_address[1]}/…Z987"
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    code, slack, _ = cli("alerts", "webhook", "add", "--url", receiver.url, "--secret-env", "HOOK_SECRET",
                         "--format", "slack")
    assert code == 0 and slack["format"] == "slack"
    code, third, _ = cli("alerts", "webhook", "add", "--url", receiver.url, "--secret", SECRET)  # the form
    assert code == 0
    code, rows, _ = cli("alerts", "webhook", "list")
    assert [r["id"] for r in rows] == [added["id"], slack["id"], third["id"]]
    code, text, _ = cli("alerts", "webhook", "list", as_json=False)
    assert code == 0 and "…4242" in text and "SECRET_HINT" in text
    for shown in (json.dumps([added, slack, third, rows]), text):
        assert SECRET not in shown and TOKEN not in shown
    with orch.db.read() as s:
        stored = [json.dumps({c.name: str(getattr(r, c.name)) for c in AlertChannel.__table__.columns})
                  for r in s.scalars(select(AlertChannel)).all()]
    assert len(stored) == 3 and not any(SECRET in r or TOKEN in r for r in stored)
    code, gone, _ = cli("alerts", "webhook", "remove", str(slack["id"]))
    assert code == 0 and gone["removed_at"]
    code, rows, _ = cli("alerts", "channels")
    assert [r["id"] for r in rows] == [added["id"], third["id"]]
    code, err, _ = cli("alerts", "webhook", "add", "--url", "ftp://example.com/x", "--secret", SECRET)
    assert code == 1 and err["error"] == "The webhook URL must start with http:// or https://."
    code, err, _ = cli("alerts", "webhook", "add", "--url", receiver.url, "--secret-stdin", stdin="\n")
    assert code == 1 and err["error"] == "No signing secret on stdin."


def test_email_commands_warn_when_smtp_is_not_set(cli):
    code, out, err = cli("alerts", "email", "add", "--to", "oncall@example.com", as_json=False)
    assert code == 0 and out.startswith("Added email channel 1: oncall@example.com")
    assert "warning: SMTP_HOST is not set" in err
    code, rows, _ = cli("alerts", "email", "list")
    assert [(r["id"], r["target"], r["secret_hint"]) for r in rows] == [(1, "oncall@example.com", None)]
    code, err, _ = cli("alerts", "email", "add", "--to", "not an address")
    assert code == 1 and err["error_type"] == "InputRejected"
    code, _, _ = cli("alerts", "webhook", "add", "--url", "http://127.0.0.1:9/x", "--secret", SECRET)
    code, err, _ = cli("alerts", "email", "remove", "2")  # 2 is the webhook
    assert code == 1 and err == {"error": "No email channel 2.", "error_type": "NotFound"}
    code, gone, _ = cli("alerts", "email", "remove", "1")
    assert code == 0 and gone["target"] == "oncall@example.com"
    assert cli("alerts", "email", "list")[1] == []


def test_alerts_run_json_delivers_what_fired_once(cli, orch, receiver):
    code, added, _ = cli("alerts", "webhook", "add", "--url", receiver.url, "--secret-stdin", stdin=SECRET)
    fire_error_rate(orch)
    code, report, err = cli("alerts", "run")
    assert code == 0, err
    assert (report["firing"], report["new"], report["resolved"], report["sent"]) == (1, 1, 0, 1)
    assert [(c["key"], c["event"], c["enqueued"]) for c in report["changes"]] == [("error_rate:gemini", "firing", 1)]
    (d,) = report["deliveries"]
    assert (d["status"], d["attempts"], d["http_status"], d["channel_id"]) == ("sent", 1, 200, added["id"])
    (post,) = receiver.posts
    assert post.headers["x-orchestrator-signature"] == \
        "sha256=" + hmac.new(SECRET.encode(), post.body, hashlib.sha256).hexdigest()
    code, report, _ = cli("alerts", "run")  # within the cool-down: nothing to say
    assert (report["firing"], report["new"], report["changes"], report["deliveries"]) == (1, 0, [], [])
    code, text, _ = cli("alerts", "run", as_json=False)
    assert "1 alert(s) firing: 0 new, 0 repeated, 0 resolved; deliveries: 0 sent" in text
    code, log, _ = cli("alerts", "deliveries")
    assert [(x["event"], x["status"]) for x in log] == [("firing", "sent")]
    code, test, _ = cli("alerts", "test", str(added["id"]))
    assert code == 0 and (test["event"], test["status"]) == ("test", "sent")
    assert len(receiver.posts) == 2


def test_alerts_run_as_a_process(orch, receiver, database_url, tmp_path):
    """The real entry point: ``python -m orchestrator alerts run --json`` in a subprocess."""
    from orchestrator.services.admin import alert_channels
    from tests.support import operator

    alert_channels.add_webhook(orch, url=receiver.url, secret=SECRET, format="slack", actor=operator())
    fire_error_rate(orch)
    env = {**os.environ, "DATABASE_URL": database_url, "ORCHESTRATOR_MASTER_KEY": orch.settings.master_keys[0],
           "ORCHESTRATOR_DATA_DIR": str(tmp_path), "ORCHESTRATOR_PUBLIC_URL": "https://orchestrator.example.com/"}
    out = subprocess.run([sys.executable, "-m", "orchestrator", "alerts", "run", "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["new"], report["sent"]) == (1, 1)
    (post,) = receiver.posts
    assert post.path == WEBHOOK_PATH
    assert "<https://orchestrator.example.com/alerts|Open the Alerts page>" in post.json()["text"]
    assert SECRET not in out.stdout + out.stderr and TOKEN not in out.stdout + out.stderr
