"""A user's own personal API tokens: create, list, revoke, and check one on a request.

Tokens authenticate the HTTP API and the OpenAI-compatible gateway
(``Authorization: Bearer aio_pat_...``). The plaintext is returned once, at
creation, and never stored; lists show a hint. A token acts as its user with
the user's plan, quotas and credit; it stops working when it is revoked, when
it expires, or when the user is deactivated. ``services/admin/api_tokens.py``
lets an admin (and the CLI) do the same for any user, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from db.models import ApiToken, User
from orchestrator import api_tokens as fmt
from orchestrator.errors import CredentialError, InputRejected, NotFound
from orchestrator.ids import parse_id
from orchestrator.limits import NAME_CHARS
from orchestrator.services.admin.users import UserInfo, _info

MAX_ACTIVE_TOKENS = 20
MAX_EXPIRY_DAYS = 3650
LAST_USED_EVERY = timedelta(minutes=1)  # how often "last used" is written (not on every request)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user_id: int
    user_email: str
    name: str
    hint: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > datetime.now(UTC))

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.active else "expired"

    def as_dict(self) -> dict:
        def iso(d):
            return d.isoformat() if d else None

        return {"id": self.id, "user": self.user_email, "name": self.name, "hint": self.hint,
                "status": self.status, "created_at": iso(self.created_at), "expires_at": iso(self.expires_at),
                "last_used_at": iso(self.last_used_at), "revoked_at": iso(self.revoked_at)}


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``token`` is the only time the plaintext exists outside the caller."""

    token: str
    info: TokenInfo

    def as_dict(self) -> dict:
        return {"token": self.token, **self.info.as_dict()}


@dataclass(frozen=True)
class TokenUser:
    """Who a request's token belongs to."""

    user: UserInfo
    token_id: int


def _info_of(row: ApiToken, email: str) -> TokenInfo:
    return TokenInfo(id=row.id, user_id=row.user_id, user_email=email, name=row.name, hint=row.hint,
                     created_at=row.created_at, expires_at=row.expires_at, last_used_at=row.last_used_at,
                     revoked_at=row.revoked_at)


def _clean_name(name: str | None) -> str:
    name = (name or "").strip() or "API token"
    if len(name) > NAME_CHARS:
        raise InputRejected(f"A token name may be at most {NAME_CHARS} characters (got {len(name)}).")
    return name


def _expiry(expires_days: int | None, now: datetime) -> datetime | None:
    if expires_days is None:
        return None
    if isinstance(expires_days, bool) or not isinstance(expires_days, int) or not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise InputRejected(f"A token expires after 1 to {MAX_EXPIRY_DAYS} days (or never).")
    return now.replace(microsecond=0) + timedelta(days=expires_days)


def create_token(orch, *, user_id: int, name: str | None = None, expires_days: int | None = None,
                 session=None) -> NewToken:
    """A new token for ``user_id``; the plaintext is in the result and nowhere else."""
    now = datetime.now(UTC)
    clean, expires = _clean_name(name), _expiry(expires_days, now)
    token = fmt.new_token()

    def write(s) -> NewToken:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"No user {user_id}.")
        active = s.scalar(select(func.count()).select_from(ApiToken).where(
            ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now)))
        if active >= MAX_ACTIVE_TOKENS:
            raise InputRejected(f"You have {active} active tokens, the most allowed. Revoke one first.")
        row = ApiToken(user_id=user_id, name=clean, token_hash=fmt.token_hash(token), hint=fmt.hint(token),
                       created_at=now, expires_at=expires)
        s.add(row)
        s.flush()
        return NewToken(token=token, info=_info_of(row, user.email))

    if session is not None:
        return write(session)
    with orch.db.write() as s:
        return write(s)


def list_tokens(orch, *, user_id: int | None = None) -> list[TokenInfo]:
    """Tokens of one user (or everyone's), newest first, revoked and expired included."""
    q = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id)
    if user_id is not None:
        q = q.where(ApiToken.user_id == user_id)
    with orch.db.read() as s:
        rows = s.execute(q.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
    return [_info_of(r, email) for r, email in rows]


def revoke_token(orch, *, user_id: int, token_id: int | str) -> TokenInfo:
    """Revoke one of the user's own tokens; someone else's is "not found"."""
    tid = parse_id(token_id, what="token")
    with orch.db.write() as s:
        return revoke_row(s, tid, owner_id=user_id)


def revoke_row(s, token_id: int, *, owner_id: int | None) -> TokenInfo:
    row = s.get(ApiToken, token_id)
    if row is None or (owner_id is not None and row.user_id != owner_id):
        raise NotFound(f"No token {token_id}.")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    return _info_of(row, s.get(User, row.user_id).email)


_INVALID = "The API token is missing, malformed, expired or revoked."


def authenticate(orch, token: str | None) -> TokenUser:
    """The active user a bearer token belongs to, or ``CredentialError`` (one message for
    every reason, so a caller learns nothing about which tokens exist)."""
    if not token or not fmt.well_formed(token):
        raise CredentialError(_INVALID)
    now = datetime.now(UTC)
    with orch.db.read() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == fmt.token_hash(token)))
        if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
            raise CredentialError(_INVALID)
        user = s.get(User, row.user_id)
        if user is None or not user.is_active:
            raise CredentialError(_INVALID)
        info, token_id, last_used = _info(user), row.id, row.last_used_at
    if last_used is None or now - last_used >= LAST_USED_EVERY:
        with orch.db.write() as s:  # at most one write a minute per token, whatever the traffic
            s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    return TokenUser(user=info, token_id=token_id)
