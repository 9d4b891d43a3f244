"""The two ways out: a signed POST (httpx, redirects not followed) and SMTP (smtplib).

Each returns an ``Outcome`` and never raises: a delivery's failure is data for the log.
Error text is built here from the exception's class and message, then scrubbed of the
URL (a Slack webhook's path is its credential), the signing secret and the SMTP
password (also in the base64 forms AUTH sends), so none of them reaches the database.
"""

from __future__ import annotations

import base64
import ipaddress
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from orchestrator.alerting.messages import SIGNATURE_HEADER, signature
from orchestrator.redact import scrub

ERROR_MAX = 480
USER_AGENT = "ai-orchestrator-alerts/1"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str | None = None
    http_status: int | None = None
    permanent: bool = False  # retrying cannot help (configuration); the delivery fails at once


def _clean(text: str, secrets: list[str | None]) -> str:
    out = " ".join(scrub(text, [s for s in secrets if s]).split())
    return out if len(out) <= ERROR_MAX else out[:ERROR_MAX - 1] + "…"


def _url_secrets(url: str) -> list[str]:
    """The URL and each part of it that may carry a credential (path segments, query, user info)."""
    parts = urlsplit(url)
    pieces = [url, parts.query, parts.password, parts.username, parts.path]
    pieces += [seg for seg in parts.path.split("/") if len(seg) >= 6]
    return sorted({p for p in pieces if p and len(p) >= 4}, key=len, reverse=True)


def post_webhook(url: str, secret: str, body: bytes, *, event: str, delivery_id: int, timeout_s: float) -> Outcome:
    """POST ``body`` with its HMAC signature; 2xx is sent, anything else a failure with its status."""
    import httpx

    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(secret, body),
               "X-Orchestrator-Event": event, "X-Orchestrator-Delivery": str(delivery_id),
               "X-Orchestrator-Timestamp": str(int(time.time())), "User-Agent": USER_AGENT}
    hidden = [*_url_secrets(url), secret]
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=False) as client:
            with client.stream("POST", url, content=body, headers=headers) as response:
                status = response.status_code  # the body is never read: a receiver cannot make us buffer it
    except httpx.TimeoutException:
        return Outcome(False, f"timed out after {timeout_s:g} s")
    except httpx.HTTPError as exc:
        return Outcome(False, _clean(f"could not connect ({type(exc).__name__}: {exc})", hidden))
    except Exception as exc:  # noqa: BLE001 - a delivery never raises out of a run
        return Outcome(False, _clean(f"{type(exc).__name__}: {exc}", hidden))
    if 200 <= status < 300:
        return Outcome(True, http_status=status)
    if 300 <= status < 400:
        return Outcome(False, f"HTTP {status}: the webhook answered with a redirect, which is not followed "
                              "(give the final URL)", http_status=status)
    return Outcome(False, f"HTTP {status} from the webhook", http_status=status)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _password_forms(user: str | None, password: str | None) -> list[str | None]:
    """The password and what AUTH PLAIN / LOGIN put on the wire, should a server echo it."""
    if not password:
        return []
    forms: list[str | None] = [password, base64.b64encode(password.encode()).decode()]
    if user:
        forms.append(base64.b64encode(f"\0{user}\0{password}".encode()).decode())
    return forms


def send_email(settings, msg: EmailMessage, *, timeout_s: float) -> Outcome:
    """Send through ``SMTP_HOST``: implicit TLS on port 465, else STARTTLS when offered; log in
    when ``SMTP_USER`` is set (never over plain text to a host that is not loopback)."""
    host, port = settings.smtp_host, settings.smtp_port
    if not host:
        from orchestrator.alerting.channels import NO_SMTP

        return Outcome(False, NO_SMTP, permanent=True)
    hidden = _password_forms(settings.smtp_user, settings.smtp_password)
    context = ssl.create_default_context()
    try:
        if port == 465:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout_s, context=context,
                                                  local_hostname=socket.gethostname())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout_s, local_hostname=socket.gethostname())
        with smtp:
            smtp.ehlo()
            encrypted = port == 465
            if not encrypted and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
                encrypted = True
            if settings.smtp_user:
                if not encrypted and not _is_loopback(host):
                    return Outcome(False, f"{host} offers no STARTTLS: SMTP_PASSWORD is not sent over an "
                                          "unencrypted connection", permanent=True)
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            refused = smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        return Outcome(False, _clean(f"SMTP login as SMTP_USER refused ({exc.smtp_code})", hidden))
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return Outcome(False, _clean(f"SMTP {exc.smtp_code}: {text}", hidden))
    except smtplib.SMTPRecipientsRefused:
        return Outcome(False, "the SMTP server refused the recipient")
    except (TimeoutError, socket.timeout):
        return Outcome(False, f"SMTP timed out after {timeout_s:g} s")
    except Exception as exc:  # noqa: BLE001 - OSError, SMTPException, ssl errors: data for the log
        return Outcome(False, _clean(f"SMTP {type(exc).__name__}: {exc}", hidden))
    if refused:
        return Outcome(False, "the SMTP server refused the recipient")
    return Outcome(True)
