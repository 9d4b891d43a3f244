"""Where alerts are sent: webhooks and e-mail addresses, for the Alerts page and the CLI
(``alerts webhook|email add|list|remove``), plus a test message and the delivery log.

Who may do what: adding or removing a *webhook* is for super admins only (it decides where
the server sends requests, and its URL and secret are credentials, like a provider's base
URL and key); e-mail channels, test messages and the log are for any admin. Every change
is audited in the same transaction; the audit entry names the channel's shown target and
the secret's hint, never the URL's path or the secret.
"""

from __future__ import annotations

from sqlalchemy import select

from db.base import utcnow
from db.models import AlertChannel
from orchestrator.alerting import channels, delivery, messages
from orchestrator.alerting.channels import NO_SMTP, ChannelInfo
from orchestrator.alerting.delivery import DeliveryInfo
from orchestrator.errors import InputRejected
from orchestrator.services.actor import SUPER_ADMIN, Actor, require
from orchestrator.services.admin import audit

WEBHOOKS_NEED = "Only a super admin may add or remove webhooks (they decide where the server sends requests)."


def smtp_warning(orch) -> str | None:
    """Why e-mail channels cannot send right now, if they cannot."""
    return None if orch.settings.smtp_host else NO_SMTP


def list_channels(orch, *, kind: str | None = None, actor: Actor) -> list[ChannelInfo]:
    """Active channels (``kind``: webhook | email | None for both)."""
    require(orch, actor)
    if kind is not None and kind not in channels.KINDS:
        raise InputRejected(f"The channel kind must be one of: {', '.join(channels.KINDS)}.")
    with orch.db.read() as s:
        return [channels.info(row) for row in channels.active(s, kind)]


def _audit_after(row: AlertChannel) -> dict:
    return {"channel_id": row.id, "kind": row.kind, "target": row.target, "format": row.format,
            "hint": row.secret_hint}


def add_webhook(orch, *, url: str, secret: str, format: str = "json", actor: Actor) -> ChannelInfo:  # noqa: A002
    """A webhook channel; the URL and secret are stored encrypted (super admins)."""
    require(orch, actor, SUPER_ADMIN, message=WEBHOOKS_NEED)
    row = channels.new_webhook(orch.vault, url=url, secret=secret, fmt=format, created_by=actor.label)
    with orch.db.write() as s:
        s.add(row)
        s.flush()
        audit.record(s, actor=actor, action="alerts.channel_add", target_type="alert_channel",
                     target_id=str(row.id), after=_audit_after(row))
    return channels.info(row)


def add_email(orch, *, to: str, actor: Actor) -> ChannelInfo:
    """An e-mail channel; ``warning`` says so when SMTP_HOST is not set (the channel is kept anyway)."""
    require(orch, actor)
    row = channels.new_email(to=to, created_by=actor.label)
    with orch.db.write() as s:
        if any(c.target.lower() == row.target.lower() for c in channels.active(s, "email")):
            raise InputRejected(f"{row.target} already receives alerts.")
        s.add(row)
        s.flush()
        audit.record(s, actor=actor, action="alerts.channel_add", target_type="alert_channel",
                     target_id=str(row.id), after=_audit_after(row))
    return channels.info(row, warning=smtp_warning(orch))


def remove_channel(orch, *, channel_id: int | str, kind: str | None = None, actor: Actor) -> ChannelInfo:
    """Stop sending to a channel (its past deliveries stay in the log; pending ones are dropped)."""
    require(orch, actor)
    with orch.db.read() as s:
        is_webhook = channels.get_active(s, channel_id, kind).kind == "webhook"
    if is_webhook:
        require(orch, actor, SUPER_ADMIN, message=WEBHOOKS_NEED)
    with orch.db.write() as s:
        row = channels.get_active(s, channel_id, kind)
        row.removed_at = utcnow()
        audit.record(s, actor=actor, action="alerts.channel_remove", target_type="alert_channel",
                     target_id=str(row.id), before=_audit_after(row))
    return channels.info(row)


def send_test(orch, *, channel_id: int | str, actor: Actor) -> DeliveryInfo:
    """Send a test message to one channel now (one attempt); the result is in the log too."""
    require(orch, actor)
    now = utcnow()
    with orch.db.write() as s:
        row = channels.get_active(s, channel_id)
        delivery_id = delivery.add_test(s, channel_id=row.id, now=now,
                                        payload=messages.test_payload(public_url=orch.settings.public_url, now=now))
        audit.record(s, actor=actor, action="alerts.channel_test", target_type="alert_channel",
                     target_id=str(row.id), after={"delivery_id": delivery_id})
    delivery.deliver_due(orch, now=now, ids=[delivery_id])
    return delivery.recent(orch.db, ids=[delivery_id])[0]


def recent_deliveries(orch, *, limit: int = 50, actor: Actor) -> list[DeliveryInfo]:
    """The newest deliveries first."""
    require(orch, actor)
    return delivery.recent(orch.db, limit=max(1, min(int(limit), 1000)))


def rotate_secrets(orch, *, actor: Actor) -> int:
    """Re-encrypt every webhook URL and secret under the first master key (``keys rotate``)."""
    require(orch, actor, SUPER_ADMIN)
    with orch.db.write() as s:
        rows = s.scalars(select(AlertChannel).where(AlertChannel.kind == "webhook")).all()
        for row in rows:
            row.url_ciphertext = orch.vault.rotate(row.url_ciphertext)
            row.secret_ciphertext = orch.vault.rotate(row.secret_ciphertext)
        audit.record(s, actor=actor, action="alerts.rotate_secrets", target_type="vault",
                     after={"rotated": len(rows)})
        return len(rows)
