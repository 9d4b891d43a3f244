"""Security settings and state an admin looks after: private-address URL fetching,
locked sign-ins, and the housekeeping job.

Allowing job-posting links to private and loopback addresses exists for demos
against local pages; it turns off the server-side request forgery guard, so only
a super admin may switch it, every switch is audited, and the console warns
while it is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from db.models import AppSetting, ScheduledJob, SignInThrottle
from orchestrator import settings_store
from orchestrator.maintenance import PRUNE
from orchestrator.services.actor import SUPER_ADMIN, Actor, require
from orchestrator.services.admin import audit

PRIVATE_URLS = "url_fetch_allow_private"


def private_urls_allowed(orch) -> bool:
    return bool(settings_store.get(orch.db, PRIVATE_URLS))


def set_private_urls(orch, *, allowed: bool, actor: Actor) -> bool:
    """Allow or refuse job-posting links to private, loopback and link-local addresses
    (super admin only, audited). Returns the new value."""
    require(orch, actor, SUPER_ADMIN, message="Only a super admin may change the URL fetching policy.")
    allowed = bool(allowed)
    with orch.db.write() as s:
        row = s.get(AppSetting, PRIVATE_URLS)
        before = bool(row.value) if row is not None else False
        if before == allowed:
            return allowed
        if row is None:
            s.add(AppSetting(key=PRIVATE_URLS, value=allowed))
        else:
            row.value = allowed
        audit.record(s, actor=actor, action="settings.url_fetch_allow_private", target_type="setting",
                     target_id=PRIVATE_URLS, before={"allowed": before}, after={"allowed": allowed})
    return allowed


@dataclass(frozen=True)
class LockedSignIn:
    scope: str  # account | client
    subject: str
    locked_until: datetime


def sign_in_locks(orch, *, actor: Actor, now: datetime | None = None) -> list[LockedSignIn]:
    """Accounts and client addresses whose sign-ins are refused right now (admins)."""
    require(orch, actor)
    now = now or datetime.now(UTC)
    with orch.db.read() as s:
        rows = s.scalars(select(SignInThrottle).where(SignInThrottle.locked_until > now)
                         .order_by(SignInThrottle.locked_until.desc())).all()
    return [LockedSignIn(*r.key.split(":", 1), r.locked_until) for r in rows]


def unlock_sign_in(orch, *, scope: str, subject: str, actor: Actor) -> bool:
    """Lift a sign-in lock before it runs out (audited). True if there was one."""
    require(orch, actor)
    with orch.db.write() as s:
        gone = s.execute(delete(SignInThrottle).where(SignInThrottle.key == f"{scope}:{subject}")).rowcount
        if gone:
            audit.record(s, actor=actor, action="sign_in.unlock", target_type=scope, target_id=subject)
    return bool(gone)


def last_prune(orch) -> dict[str, Any] | None:
    """When the housekeeping job last ran, what it removed, and when it runs next."""
    with orch.db.read() as s:
        job = s.get(ScheduledJob, PRUNE)
    if job is None:
        return None
    return {"started": job.last_started_at, "finished": job.last_finished_at, "next": job.next_run_at,
            "result": job.last_result or {}}
