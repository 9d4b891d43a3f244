"""``python -m orchestrator tokens create|list|revoke``: personal API tokens of any user.

The operator acts as a super admin (``Actor.operator()``), audited as ``cli:<login>``.
A new token is printed once: in human mode it is the only line on stdout (the notes go
to stderr), so ``TOKEN=$(python -m orchestrator tokens create --user ...)`` captures
exactly the token; lists show its hint, never the token.
"""

from __future__ import annotations

import sys

from orchestrator.cli.commands import _actor, _orch
from orchestrator.cli.output import emit, table

NOT_SHOWN_AGAIN = "Copy it now: it will not be shown again (only its hint is kept)."


def _when(iso: str | None, never: str = "") -> str:
    return iso[:16].replace("T", " ") if iso else never


def tokens_create(args) -> int:
    from orchestrator.services.admin import api_tokens

    new = api_tokens.create_for(_orch(args), email=args.user, name=args.name, expires_days=args.expires_days,
                                actor=_actor())

    def human(d: dict) -> None:
        expiry = f"expires {_when(d['expires_at'])} UTC" if d["expires_at"] else "never expires"
        print(f"Created token {d['id']} '{d['name']}' for {d['user']} ({expiry}):", file=sys.stderr)
        print(d["token"])
        print(NOT_SHOWN_AGAIN, file=sys.stderr)

    emit(args, new.as_dict(), human=human)
    return 0


def tokens_list(args) -> int:
    from orchestrator.services.admin import api_tokens

    rows = [t.as_dict() for t in api_tokens.list_for(_orch(args), email=args.user, actor=_actor())]

    def human(d: list[dict]) -> None:
        table([{**r, "created": _when(r["created_at"]), "last_used": _when(r["last_used_at"], "never"),
                "expires": _when(r["expires_at"], "never")} for r in d],
              ["id", "user", "name", "hint", "status", "created", "last_used", "expires"])

    emit(args, rows, human=human)
    return 0


def tokens_revoke(args) -> int:
    from orchestrator.services.admin import api_tokens

    info = api_tokens.revoke(_orch(args), token_id=args.id, actor=_actor())
    emit(args, info.as_dict(),
         human=lambda d: print(f"Revoked token {d['id']} '{d['name']}' ({d['hint']}) of {d['user']}."))
    return 0
