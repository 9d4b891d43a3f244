"""Signing in and changing one's password, with a throttle against password guessing.

Failed sign-ins are counted per account (``account:<email>``) and per client
address (``client:<address>``) in the database, so every app process enforces
the same limits:

- after ``sign_in_max_failures`` (10) failures for one account within
  ``sign_in_window_s`` (15 min), that account's sign-ins are refused for
  ``sign_in_lock_s`` (15 min), even with the right password; the message says
  how long to wait;
- one client address may fail ``sign_in_client_max_failures`` (50, at least 5x
  more) times in the window, so an attacker cannot try many accounts from one
  address, nor lock everybody behind a shared address out by using its allowance;
- a successful sign-in resets the account's count (not the client's: signing in
  to one's own account must not buy more guesses at others'). Every lock is audited.

The argon2 check (tens of milliseconds of CPU by design) runs outside any
transaction: a read, the check, then one short write. Attempts are no longer
serialised behind each other, and a concurrent writer never waits for a hash.
Unknown e-mails are verified against a dummy hash and counted like real ones, so
neither the answer nor its timing tells whether an account exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update

from db.models import AuthSession, SignInThrottle, User
from db.session import insert_ignore
from orchestrator import passwords
from orchestrator.errors import CredentialError
from orchestrator.services.admin import audit
from orchestrator.services.admin.users import UserInfo, _info

AUDIT_ACTOR = "system:sign-in"


class SignInLocked(CredentialError):
    """Sign-in is refused for a while after too many failures; ``retry_after_s`` says how long."""

    def __init__(self, message: str, *, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class _Key:
    key: str
    scope: str  # account | client
    subject: str
    limit: int


def _keys(orch, email: str, client: str | None) -> list[_Key]:
    s = orch.settings
    email = (email or "").strip().lower()[:250]
    keys = [_Key(f"account:{email}", "account", email, s.sign_in_max_failures)]
    if client:
        keys.append(_Key(f"client:{client[:200]}", "client", client[:200], s.sign_in_client_max_failures))
    return keys


def _wait(until: datetime, now: datetime) -> tuple[str, int]:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    minutes = math.ceil(seconds / 60)
    return (f"{minutes} minute{'s' if minutes != 1 else ''}", seconds)


def _refuse_if_locked(s, keys: list[_Key], now: datetime) -> None:
    rows = s.scalars(select(SignInThrottle).where(SignInThrottle.key.in_([k.key for k in keys]))).all()
    locked = [r for r in rows if r.locked_until is not None and r.locked_until > now]
    if not locked:
        return
    row = max(locked, key=lambda r: r.locked_until)
    text, seconds = _wait(row.locked_until, now)
    if row.key.startswith("account:"):
        message = (f"Too many failed sign-ins for this account. Sign-in is locked for {text}; "
                   "try again then, or ask an administrator to reset your password.")
    else:
        message = f"Too many failed sign-ins from your network. Try again in {text}."
    raise SignInLocked(message, retry_after_s=seconds)


def _count_failure(orch, keys: list[_Key], now: datetime) -> tuple[int, _Key | None, datetime | None]:
    """Add one failure to each key (one transaction, row-locked); lock keys at their limit.
    Returns the account's failures in the window, and the key this failure locked and until when."""
    settings = orch.settings
    window_cut = now - timedelta(seconds=settings.sign_in_window_s)
    account_failures, locked, locked_until = 0, None, None
    with orch.db.write() as s:
        for k in keys:
            insert_ignore(s, SignInThrottle, {"key": k.key, "window_start": now, "failures": 0,
                                              "updated_at": now})
            row = s.get(SignInThrottle, k.key, with_for_update=True, populate_existing=True)
            if row.window_start < window_cut:
                row.window_start, row.failures = now, 0
            row.failures += 1
            row.updated_at = now
            if row.failures >= k.limit:
                row.locked_until = now + timedelta(seconds=settings.sign_in_lock_s)
                audit.record(s, actor=AUDIT_ACTOR, action="sign_in.locked", target_type=k.scope,
                             target_id=k.subject, after={"failures": row.failures,
                                                         "locked_until": row.locked_until.isoformat()})
                row.window_start, row.failures = now, 0  # a fresh window once the lock ends
                if locked is None or k.scope == "account":
                    locked, locked_until = k, row.locked_until
            if k.scope == "account":
                account_failures = row.failures
    return account_failures, locked, locked_until


def authenticate(orch, *, email: str, password: str, client: str | None = None) -> UserInfo:
    """The user whose e-mail and password these are; ``CredentialError`` otherwise (the same
    message for an unknown e-mail and a wrong password), ``SignInLocked`` while throttled.
    ``client`` is the caller's address, as the app sees it."""
    now = datetime.now(UTC)
    keys = _keys(orch, email, client)
    with orch.db.read() as s:
        _refuse_if_locked(s, keys, now)
        user = s.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
        user_id, stored = (user.id, user.password_hash) if user is not None else (None, None)
    if not passwords.verify(stored, password):
        failures, locked, locked_until = _count_failure(orch, keys, now)
        if locked is not None:
            text, seconds = _wait(locked_until, now)
            why = "for this account: sign-in is locked" if locked.scope == "account" else "from your network: wait"
            raise SignInLocked(f"Wrong email or password. Too many failed sign-ins {why} for {text}.",
                               retry_after_s=seconds)
        left = orch.settings.sign_in_max_failures - failures
        hint = (f" {left} more failed attempt{'s' if left != 1 else ''} will lock sign-in for this account for "
                f"{_wait(now + timedelta(seconds=orch.settings.sign_in_lock_s), now)[0]}." if left <= 3 else "")
        raise CredentialError("Wrong email or password." + hint)
    new_hash = passwords.hash_password(password) if passwords.needs_rehash(stored) else None
    with orch.db.write() as s:
        user = s.get(User, user_id)
        if user is None or not user.is_active:
            raise CredentialError("This account is deactivated. Contact your administrator.")
        s.execute(delete(SignInThrottle).where(SignInThrottle.key == keys[0].key))
        if new_hash and user.password_hash == stored:
            user.password_hash = new_hash
        user.last_login_at = now
        s.flush()
        return _info(user)


def change_password(orch, *, user_id: int, current_password: str, new_password: str,
                    keep_session: str | None = None, client: str | None = None) -> int:
    """Change one's own password after checking the current one (throttled like a sign-in).
    Every other session of the account is revoked; ``keep_session`` (the caller's own
    session token) stays valid. Returns the number of sessions revoked."""
    from orchestrator.services.user.sessions import row_id_of

    passwords.check_new(new_password)
    with orch.db.read() as s:
        user = s.get(User, user_id)
        if user is None:
            raise CredentialError("Sign in again to change your password.")
        email = user.email
    authenticate(orch, email=email, password=current_password, client=client)
    new_hash = passwords.hash_password(new_password)
    keep = row_id_of(keep_session) if keep_session else None
    with orch.db.write() as s:
        user = s.get(User, user_id)
        user.password_hash = new_hash
        stmt = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        if keep:
            stmt = stmt.where(AuthSession.id != keep)
        revoked = s.execute(stmt.values(revoked_at=datetime.now(UTC))).rowcount
        audit.record(s, actor=email, action="user.change_password", target_type="user", target_id=email,
                     after={"other_sessions_revoked": revoked})
        return revoked
