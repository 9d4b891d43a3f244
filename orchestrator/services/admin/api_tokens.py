"""Personal API tokens of any user, for admins and the CLI (``tokens create|list|revoke``).

Same rules as a user's own (``services/user/api_tokens.py``), plus the admin check
and the audit trail. The audit entry names the token's id and hint, never the token.
"""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import User
from orchestrator.errors import NotFound
from orchestrator.ids import parse_id
from orchestrator.services.actor import Actor, require
from orchestrator.services.admin import audit
from orchestrator.services.user import api_tokens as own
from orchestrator.services.user.api_tokens import NewToken, TokenInfo


def _user_id(s, email: str) -> int:
    uid = s.scalar(select(User.id).where(func.lower(User.email) == (email or "").strip().lower()))
    if uid is None:
        raise NotFound(f"No user '{email}'.")
    return uid


def create_for(orch, *, email: str, name: str | None = None, expires_days: int | None = None,
               actor: Actor) -> NewToken:
    """A token for ``email``, created by an admin (audited)."""
    require(orch, actor)
    with orch.db.write() as s:
        new = own.create_token(orch, user_id=_user_id(s, email), name=name, expires_days=expires_days, session=s)
        audit.record(s, actor=actor, action="token.create", target_type="user", target_id=new.info.user_email,
                     after={"token_id": new.info.id, "name": new.info.name, "hint": new.info.hint,
                            "expires_at": new.info.expires_at.isoformat() if new.info.expires_at else None})
    return new


def list_for(orch, *, email: str | None = None, actor: Actor) -> list[TokenInfo]:
    """Every user's tokens, or one user's (admins)."""
    require(orch, actor)
    if email is None:
        return own.list_tokens(orch)
    with orch.db.read() as s:
        uid = _user_id(s, email)
    return own.list_tokens(orch, user_id=uid)


def revoke(orch, *, token_id: int | str, actor: Actor) -> TokenInfo:
    """Revoke any user's token (audited)."""
    require(orch, actor)
    tid = parse_id(token_id, what="token")
    with orch.db.write() as s:
        info = own.revoke_row(s, tid, owner_id=None)
        audit.record(s, actor=actor, action="token.revoke", target_type="user", target_id=info.user_email,
                     after={"token_id": info.id, "hint": info.hint})
    return info
