"""``python -m orchestrator alerts ...``: alert channels, a run now, the delivery log.

- ``alerts run``: evaluate every rule once, enqueue what fired, repeated or resolved, and send
  what is due (the app server does the same every ``ORCHESTRATOR_ALERTS_INTERVAL_S``);
- ``alerts webhook add|list|remove`` and ``alerts email add|list|remove``; ``alerts channels``
  lists both; ``alerts test ID`` sends a test message; ``alerts deliveries`` shows the log.

A webhook's signing secret comes from ``--secret-stdin`` or ``--secret-env VAR`` (or
``--secret``, which leaves it in the shell history and the process list); lists show its
hint, never the secret, and never the URL's path (a Slack webhook's path is a credential).
"""

from __future__ import annotations

import os
import sys

from orchestrator.cli.commands import _actor, _orch, _stdin_secret
from orchestrator.cli.output import emit, table
from orchestrator.errors import InputRejected

CHANNEL_COLUMNS = ["id", "kind", "target", "format", "secret_hint", "created_by", "created"]
DELIVERY_COLUMNS = ["id", "created", "channel", "alert_key", "event", "status", "attempts", "last_error"]


def register(group, cmd) -> None:
    """Add the ``alerts`` commands to the CLI's parser (``group``/``cmd`` from ``cli._parser``)."""
    al = group("alerts", "alerts that reach people: webhooks, e-mail, the delivery log")
    cmd(al, "run", alerts_run, "evaluate every rule once and deliver what fired or resolved (and due retries)")
    cmd(al, "channels", channels_list, "list every alert channel (webhooks and e-mail)")
    sp = cmd(al, "test", channel_test, "send a test message to one channel now")
    sp.add_argument("id", help="the channel's id, from `alerts channels`")
    sp = cmd(al, "deliveries", deliveries_list, "the delivery log, newest first")
    sp.add_argument("--limit", type=int, default=50)

    wh = al.add_parser("webhook", help="webhook channels (JSON or Slack-compatible, HMAC-signed)",
                       description="webhook channels (JSON or Slack-compatible, HMAC-signed)")
    wh = wh.add_subparsers(dest="alerts_webhook_command", required=True, metavar="ACTION")
    sp = cmd(wh, "add", webhook_add, "add a webhook; its URL and secret are stored encrypted")
    sp.add_argument("--url", required=True, help="http(s) URL the alerts are POSTed to")
    src = sp.add_mutually_exclusive_group(required=True)
    src.add_argument("--secret", help="the signing secret (visible in shell history: prefer --secret-stdin)")
    src.add_argument("--secret-stdin", action="store_true", help="read the signing secret from stdin")
    src.add_argument("--secret-env", metavar="VAR", help="read the signing secret from this environment variable")
    sp.add_argument("--format", choices=["json", "slack"], default="json",
                    help="json (default): the documented payload; slack: {\"text\": ...} for Slack-style webhooks")
    cmd(wh, "list", lambda args: channels_list(args, kind="webhook"), "list webhooks (hints only)")
    sp = cmd(wh, "remove", lambda args: channel_remove(args, kind="webhook"), "stop sending to a webhook")
    sp.add_argument("id")

    em = al.add_parser("email", help="e-mail channels (sent through SMTP_HOST)",
                       description="e-mail channels (sent through SMTP_HOST)")
    em = em.add_subparsers(dest="alerts_email_command", required=True, metavar="ACTION")
    sp = cmd(em, "add", email_add, "send alerts to an e-mail address")
    sp.add_argument("--to", required=True, metavar="ADDRESS")
    cmd(em, "list", lambda args: channels_list(args, kind="email"), "list e-mail channels")
    sp = cmd(em, "remove", lambda args: channel_remove(args, kind="email"), "stop sending to an address")
    sp.add_argument("id")


def _when(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""


def _secret(args) -> str:
    if args.secret_stdin:
        return _stdin_secret("signing secret")
    if args.secret_env:
        value = os.environ.get(args.secret_env, "")
        if not value:
            raise InputRejected(f"The environment variable {args.secret_env} is not set.")
        return value
    return args.secret


def _channel_human(verb: str):
    def human(d: dict) -> None:
        hint = f", secret {d['secret_hint']}" if d.get("secret_hint") else ""
        print(f"{verb} {d['kind']} channel {d['id']}: {d['target']} ({d['format']}{hint}).")
        if d.get("warning"):
            print(f"warning: {d['warning']}", file=sys.stderr)
    return human


def webhook_add(args) -> int:
    from orchestrator.services.admin import alert_channels

    info = alert_channels.add_webhook(_orch(args), url=args.url, secret=_secret(args), format=args.format,
                                      actor=_actor())
    emit(args, info.as_dict(), human=_channel_human("Added"))
    return 0


def email_add(args) -> int:
    from orchestrator.services.admin import alert_channels

    info = alert_channels.add_email(_orch(args), to=args.to, actor=_actor())
    if info.warning and args.json:
        print(f"warning: {info.warning}", file=sys.stderr)
    emit(args, info.as_dict(), human=_channel_human("Added"))
    return 0


def channels_list(args, kind: str | None = None) -> int:
    from orchestrator.services.admin import alert_channels

    rows = [c.as_dict() for c in alert_channels.list_channels(_orch(args), kind=kind, actor=_actor())]
    emit(args, rows, human=lambda d: table([{**r, "created": _when(r["created_at"])} for r in d], CHANNEL_COLUMNS))
    return 0


def channel_remove(args, kind: str) -> int:
    from orchestrator.services.admin import alert_channels

    info = alert_channels.remove_channel(_orch(args), channel_id=args.id, kind=kind, actor=_actor())
    emit(args, info.as_dict(), human=_channel_human("Removed"))
    return 0


def channel_test(args) -> int:
    from orchestrator.services.admin import alert_channels

    d = alert_channels.send_test(_orch(args), channel_id=args.id, actor=_actor()).as_dict()

    def human(d: dict) -> None:
        if d["status"] == "sent":
            print(f"Test message sent to {d['channel']}.")
        else:
            print(f"Test message to {d['channel']} failed: {d['last_error']}", file=sys.stderr)

    emit(args, d, human=human)
    return 0 if d["status"] == "sent" else 1


def deliveries_list(args) -> int:
    from orchestrator.services.admin import alert_channels

    rows = [d.as_dict() for d in alert_channels.recent_deliveries(_orch(args), limit=args.limit, actor=_actor())]
    emit(args, rows, human=lambda d: table([{**r, "created": _when(r["created_at"]),
                                             "attempts": f"{r['attempts']}/{r['max_attempts']}"} for r in d],
                                           DELIVERY_COLUMNS))
    return 0


def alerts_run(args) -> int:
    from orchestrator.alerting import runner

    report = runner.run(_orch(args)).as_dict()

    def human(d: dict) -> None:
        for c in d["changes"]:
            label = {"firing": "FIRING", "repeat": "STILL FIRING", "resolved": "RESOLVED"}[c["event"]]
            print(f"{label}: {c['message']} ({c['enqueued']} message(s))")
        print(f"{d['firing']} alert(s) firing: {d['new']} new, {d['repeated']} repeated, {d['resolved']} resolved; "
              f"deliveries: {d['sent']} sent, {d['retrying']} to retry, {d['failed']} failed.")
        for x in d["deliveries"]:
            if x["status"] != "sent":
                print(f"  delivery {x['id']} to {x['channel']}: {x['status']} ({x['last_error']})", file=sys.stderr)

    emit(args, report, human=human)
    return 0
