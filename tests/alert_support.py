"""Loopback receivers for alert deliveries: a webhook endpoint (http.server in a thread) and
an SMTP server (aiosmtpd), plus a quick way to make an alert fire."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WEBHOOK_PATH = "/hooks/T0001/B0002/pathTokenXYZ987"  # a Slack-style URL: the path is a credential
SECRET = "whsec-test-Signing-Secret-4242"


@dataclass
class Posted:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """Records every POST; answers with ``statuses`` in turn (then 200)."""

    def __init__(self, statuses: list[int] | None = None):
        self.posts: list[Posted] = []
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts.append(Posted(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{WEBHOOK_PATH}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_url() -> str:
    """A loopback URL nobody listens on (connection refused)."""
    return f"http://127.0.0.1:{free_port()}{WEBHOOK_PATH}"


@dataclass
class Mailbox:
    """What the SMTP server received: (mail_from, rcpt_tos, raw content, the login it authenticated)."""

    messages: list[tuple[str, list[str], bytes, str | None]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
        login = session.auth_data.login.decode() if session.authenticated and session.auth_data else None
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content, login))
        return "250 Message accepted for delivery"

    def parsed(self, i: int = -1):
        from email import message_from_bytes
        from email.policy import default

        return message_from_bytes(self.messages[i][2], policy=default)


def smtp_server(user: str | None = None, password: str | None = None):
    """An aiosmtpd server on a free loopback port; with ``user`` it requires AUTH (without TLS)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    box = Mailbox()
    kwargs: dict = {}
    if user:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                  and auth_data.password == (password or "").encode())
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        kwargs = {"authenticator": authenticator, "auth_require_tls": False, "auth_required": True}
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    controller.box = box
    return controller


def fire_error_rate(orch, *, provider: str = "gemini", failed: int = 3) -> None:
    """Make the error-rate rule fire for ``provider``: any call counts, and these all failed."""
    from orchestrator.services.admin import alerts
    from orchestrator.services.admin.users import add_user
    from tests.integration.test_alerts import calls
    from tests.support import operator

    alerts.set_thresholds(orch, actor=operator(), error_rate_pct=10, min_calls=1)
    try:
        uid = add_user(orch, email="alerts-user@example.com", plan="freemium", actor=operator()).id
    except Exception:  # noqa: BLE001 - made by an earlier call
        from orchestrator.services.admin.users import get_user

        uid = get_user(orch, email="alerts-user@example.com").id
    calls(orch, uid, provider=provider, failed=failed)


def clear_error_rate(orch) -> None:
    """The condition clears: no error rate is above 100 %."""
    from orchestrator.services.admin import alerts
    from tests.support import operator

    alerts.set_thresholds(orch, actor=operator(), error_rate_pct=100)


def plant_channel(orch, kind: str = "email", target: str = "ops@example.com") -> int:
    """A channel written straight to the database (no audit entry), for tests that need one to exist."""
    from db.models import AlertChannel

    with orch.db.write() as s:
        row = AlertChannel(kind=kind, target=target, format="text", created_by="test")
        s.add(row)
        s.flush()
        return row.id
