"""Who is acting: every admin command takes an ``Actor`` and checks it itself.

Pages, the CLI and tests all call the same service functions, so the role check
cannot live in a page. Each admin mutation takes ``actor`` as a required keyword
and starts with ``require(orch, actor, ...)``, which re-reads the actor's role and
active flag from the database: a role taken away, or an account deactivated, a
second ago is refused now, whatever the caller believed.

- ``Actor.of(user)`` is a signed-in user (pages build it from the session's user).
- ``Actor.operator()`` is the CLI: it runs with the operator's shell access (the
  database and the master key are already theirs), so it counts as a super admin.
  Pages never build one (a layout test checks).

``Actor.label`` is what the audit trail records as "who".
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from sqlalchemy import func, select

from db.models import ROLES, User
from orchestrator.errors import PermissionDenied

ADMIN, SUPER_ADMIN = "admin", "super_admin"
_RANK = {role: rank for rank, role in enumerate(ROLES)}  # user < admin < super_admin
_REFUSED = {ADMIN: "Only an admin may do this.", SUPER_ADMIN: "Only a super admin may do this."}


@dataclass(frozen=True)
class Actor:
    """Someone asking for an admin change: a user (by id, re-checked on every call) or the operator."""

    label: str
    user_id: int | None = None
    email: str | None = None
    role: str = "user"  # as the caller saw it; ``require`` trusts only the database
    is_operator: bool = False

    @classmethod
    def of(cls, user) -> Actor:
        """The actor for a signed-in user (any object with ``id``, ``email`` and ``role``, e.g. ``UserInfo``)."""
        return cls(label=user.email, user_id=user.id, email=user.email, role=user.role)

    @classmethod
    def operator(cls, name: str | None = None) -> Actor:
        """The CLI operator, recorded as ``cli:<login>``."""
        if name is None:
            try:
                name = getpass.getuser()
            except Exception:  # no login name in some containers
                name = ""
        return cls(label=f"cli:{name}" if name else "cli", role=SUPER_ADMIN, is_operator=True)

    def __str__(self) -> str:
        return self.label


def current_role(orch, actor: Actor) -> str | None:
    """The actor's role as the database has it now; None if unknown or deactivated."""
    if not isinstance(actor, Actor):
        raise TypeError(f"actor must be an Actor (Actor.of(user) or Actor.operator()), not {type(actor).__name__}")
    if actor.is_operator:
        return SUPER_ADMIN
    with orch.db.read() as s:
        if actor.user_id is not None:
            row = s.execute(select(User.role, User.is_active).where(User.id == actor.user_id)).first()
        else:
            row = s.execute(select(User.role, User.is_active)
                            .where(func.lower(User.email) == (actor.email or "").strip().lower())).first()
    return row.role if row is not None and row.is_active else None


def require(orch, actor: Actor, role: str = ADMIN, *, message: str | None = None) -> str:
    """The actor's current role if it is ``role`` or higher; else ``PermissionDenied``."""
    if role not in (ADMIN, SUPER_ADMIN):
        raise ValueError(f"require() checks admin roles, not '{role}'")
    have = current_role(orch, actor)
    if have is None or _RANK.get(have, -1) < _RANK[role]:
        raise PermissionDenied(message or _REFUSED[role])
    return have


def is_self(actor: Actor, email: str) -> bool:
    """Whether ``email`` is the actor's own account (nobody demotes or deactivates themselves)."""
    return not actor.is_operator and (actor.email or "").strip().lower() == (email or "").strip().lower()
