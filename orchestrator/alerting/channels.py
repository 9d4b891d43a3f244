"""Notification channels: validation, encrypted storage and what may be shown of them.

A webhook's URL and signing secret are encrypted with the vault (a Slack incoming-webhook
URL is itself a credential); only ``target`` (the origin and the last characters of the
path) and the secret's hint are ever shown. E-mail channels keep their address in clear.
Admin checks and the audit trail live in ``services/admin/alert_channels.py``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from db.models import AlertChannel
from orchestrator.errors import InputRejected, NotFound
from orchestrator.ids import parse_id
from orchestrator.redact import key_hint

KINDS = ("webhook", "email")
WEBHOOK_FORMATS = ("json", "slack")
URL_MAX = 2048
SECRET_MIN, SECRET_MAX = 8, 512
EMAIL_MAX = 254
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")
NO_SMTP = "SMTP_HOST is not set: e-mail alerts cannot be sent until it is (see the README, 'E-mail')."


@dataclass(frozen=True)
class ChannelInfo:
    id: int
    kind: str
    target: str
    format: str
    secret_hint: str | None
    created_by: str
    created_at: datetime
    removed_at: datetime | None = None
    warning: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat()
        d["removed_at"] = self.removed_at.isoformat() if self.removed_at else None
        return d

    @property
    def label(self) -> str:
        return f"#{self.id} {self.kind} {self.target}"


def info(row: AlertChannel, warning: str | None = None) -> ChannelInfo:
    return ChannelInfo(id=row.id, kind=row.kind, target=row.target, format=row.format, secret_hint=row.secret_hint,
                       created_by=row.created_by, created_at=row.created_at, removed_at=row.removed_at,
                       warning=warning)


def check_url(url: str) -> tuple[str, str]:
    """The URL (stripped) and what may be shown of it; refuses anything but http(s) with a host."""
    url = (url or "").strip()
    if not url:
        raise InputRejected("A webhook needs a URL.")
    if len(url) > URL_MAX:
        raise InputRejected(f"The webhook URL is longer than {URL_MAX} characters.")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise InputRejected("The webhook URL must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise InputRejected("The webhook URL is not a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InputRejected("The webhook URL must start with http:// or https://.")
    if not parts.hostname:
        raise InputRejected("The webhook URL must name a host.")
    host = parts.netloc.rpartition("@")[2]  # never show user:password@
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    shown = f"{parts.scheme.lower()}://{host}" + (f"/…{tail[-4:]}" if len(tail) > 1 else "")
    return url, shown


def check_secret(secret: str | None) -> str:
    secret = (secret or "").strip()
    if not secret:
        raise InputRejected("A webhook needs a signing secret.")
    if not SECRET_MIN <= len(secret) <= SECRET_MAX:
        raise InputRejected(f"The signing secret must be {SECRET_MIN} to {SECRET_MAX} characters long.")
    if any(ord(c) < 32 or ord(c) == 127 for c in secret):
        raise InputRejected("The signing secret must not contain control characters.")
    return secret


def check_address(address: str) -> str:
    """One plain address (no display name, no list: it goes into the To header as is)."""
    address = (address or "").strip()
    if not address:
        raise InputRejected("An e-mail channel needs an address.")
    if len(address) > EMAIL_MAX or not _EMAIL.fullmatch(address):
        raise InputRejected(f"'{address[:60]}' is not an e-mail address (one address like ops@example.com).")
    return address


def check_format(fmt: str | None) -> str:
    fmt = (fmt or "json").strip().lower()
    if fmt not in WEBHOOK_FORMATS:
        raise InputRejected(f"The webhook format must be one of: {', '.join(WEBHOOK_FORMATS)}.")
    return fmt


def new_webhook(vault, *, url: str, secret: str, fmt: str, created_by: str) -> AlertChannel:
    url, shown = check_url(url)
    secret = check_secret(secret)
    return AlertChannel(kind="webhook", target=shown, format=check_format(fmt), url_ciphertext=vault.encrypt(url),
                        secret_ciphertext=vault.encrypt(secret), secret_hint=key_hint(secret), created_by=created_by)


def new_email(*, to: str, created_by: str) -> AlertChannel:
    return AlertChannel(kind="email", target=check_address(to), format="text", created_by=created_by)


def active(s, kind: str | None = None) -> list[AlertChannel]:
    q = select(AlertChannel).where(AlertChannel.removed_at.is_(None)).order_by(AlertChannel.id)
    if kind is not None:
        q = q.where(AlertChannel.kind == kind)
    return list(s.scalars(q).all())


def get_active(s, channel_id: Any, kind: str | None = None) -> AlertChannel:
    cid = parse_id(channel_id, what="channel")
    row = s.get(AlertChannel, cid)
    if row is None or row.removed_at is not None or (kind is not None and row.kind != kind):
        raise NotFound(f"No {kind or 'alert'} channel {cid}.")
    return row


def webhook_target(vault, row: AlertChannel) -> tuple[str, str]:
    """The plaintext URL and secret, for the one call that sends."""
    return vault.decrypt(row.url_ciphertext), vault.decrypt(row.secret_ciphertext)
