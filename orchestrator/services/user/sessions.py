"""Browser sessions: signed, expiring, revocable tokens.

A token is ``<id>.<expires>.<signature>``: a random id, a Unix expiry and an
HMAC-SHA256 over both with a secret derived from the master key. The
database keeps only the SHA-256 of the id, with the expiry and a revocation
time, so a token is valid only while it verifies, has not expired and its row
is neither revoked nor gone. Signing out revokes the row on the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from db.models import AuthSession, User
from orchestrator.services.admin.users import UserInfo, _info

PURPOSE = "session-token"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def _row_id(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def row_id_of(token: str) -> str:
    """The database id of a session token (the hash of its random part)."""
    return _row_id((token or "").split(".")[0])


def create_session(orch, *, user_id: int) -> tuple[str, datetime]:
    """Start a session for a signed-in user; returns (token, expiry)."""
    sid = secrets.token_urlsafe(24)
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=orch.settings.session_ttl_hours)
    payload = f"{sid}.{int(expires.timestamp())}"
    token = f"{payload}.{_sign(orch.vault.secrets_for(PURPOSE)[0], payload)}"
    with orch.db.write() as s:
        s.add(AuthSession(id=_row_id(sid), user_id=user_id, expires_at=expires))
    return token, expires


def resume_session(orch, token: str | None) -> UserInfo | None:
    """The user a token belongs to, or None if it is forged, expired, revoked or the user is inactive."""
    parts = (token or "").split(".")
    if len(parts) != 3:
        return None
    sid, exp, sig = parts
    payload = f"{sid}.{exp}"
    if not any(hmac.compare_digest(sig, _sign(k, payload)) for k in orch.vault.secrets_for(PURPOSE)):
        return None
    try:
        if datetime.fromtimestamp(int(exp), UTC) <= datetime.now(UTC):
            return None
    except (ValueError, OverflowError):
        return None
    with orch.db.read() as s:
        row = s.get(AuthSession, _row_id(sid))
        if row is None or row.revoked_at is not None or row.expires_at <= datetime.now(UTC):
            return None
        user = s.get(User, row.user_id)
        if user is None or not user.is_active:
            return None
        return _info(user)


def revoke_session(orch, token: str | None) -> None:
    sid = (token or "").split(".")[0]
    if not sid:
        return
    with orch.db.write() as s:
        s.execute(update(AuthSession).where(AuthSession.id == _row_id(sid), AuthSession.revoked_at.is_(None))
                  .values(revoked_at=datetime.now(UTC)))


def revoke_all(orch, *, user_id: int) -> int:
    """End every session of a user (deactivation, password change)."""
    with orch.db.write() as s:
        return s.execute(update(AuthSession).where(AuthSession.user_id == user_id,
                                                   AuthSession.revoked_at.is_(None))
                         .values(revoked_at=datetime.now(UTC))).rowcount
