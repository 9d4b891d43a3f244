"""What an alert says: one canonical payload, rendered as a JSON webhook body, a Slack
message or a plain-text e-mail.

The payload is stored with each delivery and rendered the same way on every attempt
(sorted keys, no whitespace), so a retried POST carries the same bytes and the same
signature; its ``id`` lets a receiver drop a retry it already processed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

APP_NAME = "AI Orchestrator"
ALERTS_PATH = "/alerts"  # st.Page("pages/admin/alerts.py") in ui/nav_analytics.py
SIGNATURE_HEADER = "X-Orchestrator-Signature"
UNITS = {"error_rate": "ratio", "latency": "ms", "daily_cost": "x", "quota": "ratio", "provider_account": "calls"}
SUBJECT_MAX = 180


def link(public_url: str) -> str:
    """The Alerts page on the app people open (``ORCHESTRATOR_PUBLIC_URL``)."""
    return public_url.rstrip("/") + ALERTS_PATH


def window_of(kind: str, window_hours: int) -> str:
    """The span a rule looks at, in words."""
    return {"error_rate": f"last {window_hours} h", "latency": f"last {window_hours} h",
            "daily_cost": "today so far (UTC) vs the trailing 7-day average",
            "quota": "the quota's current period",
            "provider_account": f"last {window_hours} h"}.get(kind, "")


def _iso(when: datetime | None) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


def payload(*, event: str, key: str, kind: str, subject: str, value: float, threshold: float, window: str,
            message: str, fired_at: datetime | None, resolved_at: datetime | None, public_url: str) -> dict[str, Any]:
    """The canonical message of one delivery (``event``: firing | resolved | test)."""
    return {
        "id": uuid.uuid4().hex,
        "source": "ai-orchestrator",
        "event": event,
        "state": "resolved" if event == "resolved" else "firing" if event == "firing" else "test",
        "key": key,
        "kind": kind,
        "subject": subject,
        "value": value,
        "threshold": threshold,
        "unit": UNITS.get(kind, ""),
        "window": window,
        "message": message,
        "fired_at": _iso(fired_at),
        "resolved_at": _iso(resolved_at),
        "link": link(public_url),
    }


def test_payload(*, public_url: str, now: datetime) -> dict[str, Any]:
    return payload(event="test", key="test", kind="test", subject="this channel", value=0.0, threshold=0.0,
                   window="", message=f"Test message from {APP_NAME}: this channel works.", fired_at=now,
                   resolved_at=None, public_url=public_url)


def headline(p: dict[str, Any]) -> str:
    """``FIRING: <message>`` on one line (also the e-mail subject after the app's name)."""
    label = {"firing": "FIRING", "resolved": "RESOLVED"}.get(p["event"], "TEST")
    text = " ".join(str(p["message"]).split())
    if p["event"] == "resolved":
        text = f"{p['kind'].replace('_', ' ')} for {p['subject']} is back within its threshold (was: {text})"
    return f"{label}: {text}"


def json_body(p: dict[str, Any]) -> bytes:
    return json.dumps(p, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(p: dict[str, Any]) -> bytes:
    """A Slack incoming-webhook message (``text`` is all Slack needs; Mattermost and
    Rocket.Chat read the same shape)."""
    icon = {"firing": ":rotating_light:", "resolved": ":white_check_mark:"}.get(p["event"], ":wave:")
    label, _, rest = headline(p).partition(": ")
    text = f"{icon} *{label}* {_slack_escape(rest)}\n<{p['link']}|Open the Alerts page>"
    return json.dumps({"text": text}, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_body(p: dict[str, Any], fmt: str) -> bytes:
    return slack_body(p) if fmt == "slack" else json_body(p)


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the exact body bytes>``, the value of ``X-Orchestrator-Signature``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def email(p: dict[str, Any], *, to: str, sender: str, now: datetime) -> EmailMessage:
    """A plain-text e-mail: the subject says what happened, the body gives the numbers and the link."""
    msg = EmailMessage()
    subject = f"[{APP_NAME}] {headline(p)}"
    msg["Subject"] = subject if len(subject) <= SUBJECT_MAX else subject[:SUBJECT_MAX - 1] + "…"
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(idstring=p["id"][:16], domain="ai-orchestrator.local")
    lines = [headline(p), ""]
    if p["event"] != "test":
        lines += [f"Alert:      {p['kind']} / {p['subject']}",
                  f"Value:      {p['value']:g} {p['unit']}".rstrip(),
                  f"Threshold:  {p['threshold']:g} {p['unit']}".rstrip(),
                  f"Window:     {p['window']}",
                  f"Fired at:   {p['fired_at']}"]
        if p["resolved_at"]:
            lines.append(f"Resolved:   {p['resolved_at']}")
        lines.append("")
    lines += [f"Open the Alerts page: {p['link']}", "",
              f"-- {APP_NAME}. Still-firing alerts are repeated after their cool-down; "
              "a resolved alert is sent once."]
    msg.set_content("\n".join(lines))
    return msg
