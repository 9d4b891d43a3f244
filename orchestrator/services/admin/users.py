"""Users, sign-in and plans: the use cases the CLI and the pages share.

Every change here is an admin command: it takes a checked ``Actor`` and enforces the
role rules itself, so a page or the CLI cannot skip them:

- admins manage users; only a super admin grants, revokes, deactivates or sets the
  password of a super admin (the role that holds credentials);
- nobody changes their own role or deactivates themselves (no lock-out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select, update

from db.models import ROLES, AuthSession, CreditTransaction, Plan, User
from orchestrator import limits, passwords, plan_history
from orchestrator.ids import parse_id
from orchestrator.errors import InputRejected, NotFound, PermissionDenied
from orchestrator.money import usd_str
from orchestrator.services.admin import audit
from orchestrator.services.actor import SUPER_ADMIN, Actor, is_self, require



@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    name: str
    role: str
    plan: str
    plan_name: str
    is_active: bool
    credit_usd: Decimal
    created_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "super_admin")

    def as_dict(self) -> dict:
        return {"id": self.id, "email": self.email, "name": self.name, "role": self.role, "plan": self.plan,
                "is_active": self.is_active, "credit_usd": usd_str(self.credit_usd),
                "created_at": self.created_at.isoformat()}


def _info(u: User) -> UserInfo:
    return UserInfo(id=u.id, email=u.email, name=u.name, role=u.role, plan=u.plan.code, plan_name=u.plan.name,
                    is_active=u.is_active, credit_usd=u.credit_usd, created_at=u.created_at)


def _normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise InputRejected(f"'{email}' is not a valid email address.")
    return email


def _plan(s, code: str) -> Plan:
    plan = s.scalar(select(Plan).where(Plan.code == code))
    if plan is None:
        codes = ", ".join(s.scalars(select(Plan.code).order_by(Plan.sort_order)).all())
        raise NotFound(f"No plan '{code}'. Plans: {codes}.")
    return plan


def _user(s, email: str) -> User:
    user = s.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user '{email}'.")
    return user


_SUPER_RULE = "Only a super admin may grant or revoke the super admin role."


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InputRejected(f"Role must be one of: {', '.join(ROLES)}.")


def add_user(orch, *, email: str, plan: str, role: str = "user", name: str = "", password: str | None = None,
             actor: Actor, is_demo: bool = False) -> UserInfo:
    actor_role = require(orch, actor)
    email = _normalize_email(email)
    _check_role(role)
    if role == SUPER_ADMIN and actor_role != SUPER_ADMIN:
        raise PermissionDenied(_SUPER_RULE)
    limits.check_text(name, limit=limits.NAME_CHARS, what="The name")
    if password is not None:
        passwords.check_new(password)
    with orch.db.write() as s:
        if s.scalar(select(User.id).where(func.lower(User.email) == email)):
            raise InputRejected(f"A user {email} already exists.")
        user = User(email=email, name=name or email.split("@")[0].replace(".", " ").title(), role=role,
                    plan=_plan(s, plan), password_hash=passwords.hash_password(password) if password else None,
                    is_demo=is_demo)
        s.add(user)
        s.flush()
        plan_history.record_change(s, user=user, from_plan=None, to_plan=plan, actor=actor.label, reason="sign-up",
                                   effective_at=user.created_at or datetime.now(UTC))
        audit.record(s, actor=actor, action="user.add", target_type="user", target_id=email,
                     after={"plan": plan, "role": role})
        return _info(user)


def get_user(orch, *, email: str | None = None, user_id: int | None = None) -> UserInfo:
    with orch.db.read() as s:
        user = s.get(User, parse_id(user_id, what="user")) if user_id is not None else _user(s, email or "")
        if user is None:
            raise NotFound(f"No user {user_id}.")
        return _info(user)


def list_users(orch, *, search: str | None = None, plan: str | None = None, limit: int = 500,
               offset: int = 0) -> list[UserInfo]:
    q = select(User).order_by(User.email)
    if search:
        q = q.where(func.lower(User.email).contains(search.strip().lower())
                    | func.lower(User.name).contains(search.strip().lower()))
    if plan:
        q = q.join(Plan).where(Plan.code == plan)
    with orch.db.read() as s:
        return [_info(u) for u in s.scalars(q.limit(limit).offset(offset)).unique().all()]


def set_plan(orch, *, email: str, plan: str, actor: Actor) -> UserInfo:
    require(orch, actor)
    with orch.db.write() as s:
        user = _user(s, email)
        before = user.plan.code
        user.plan = _plan(s, plan)
        if plan != before:  # historised so plan economics bills each day at the plan then in force
            plan_history.record_change(s, user=user, from_plan=before, to_plan=plan, actor=actor.label,
                                       reason="set by an admin", effective_at=datetime.now(UTC))
        audit.record(s, actor=actor, action="user.set_plan", target_type="user", target_id=user.email,
                     before={"plan": before}, after={"plan": plan})
        s.flush()
        return _info(user)


def set_role(orch, *, email: str, role: str, actor: Actor) -> UserInfo:
    _check_role(role)
    actor_role = require(orch, actor)
    with orch.db.write() as s:
        user = _user(s, email)
        if role != user.role:
            if is_self(actor, user.email):
                raise InputRejected("You cannot change your own role; ask another admin.")
            if SUPER_ADMIN in (role, user.role) and actor_role != SUPER_ADMIN:
                raise PermissionDenied(_SUPER_RULE)
        before, user.role = user.role, role
        audit.record(s, actor=actor, action="user.set_role", target_type="user", target_id=user.email,
                     before={"role": before}, after={"role": role})
        return _info(user)


def set_active(orch, *, email: str, active: bool, actor: Actor) -> UserInfo:
    actor_role = require(orch, actor)
    with orch.db.write() as s:
        user = _user(s, email)
        if not active and is_self(actor, user.email):
            raise InputRejected("You cannot deactivate your own account.")
        if user.role == SUPER_ADMIN and actor_role != SUPER_ADMIN:
            raise PermissionDenied("Only a super admin may deactivate a super admin.")
        before, user.is_active = user.is_active, active
        audit.record(s, actor=actor, action="user.set_active", target_type="user", target_id=user.email,
                     before={"is_active": before}, after={"is_active": active})
        return _info(user)


def set_password(orch, *, email: str, password: str, actor: Actor) -> None:
    actor_role = require(orch, actor)
    passwords.check_new(password)
    with orch.db.write() as s:
        user = _user(s, email)
        if user.role == SUPER_ADMIN and actor_role != SUPER_ADMIN:
            raise PermissionDenied("Only a super admin may set a super admin's password.")
        user.password_hash = passwords.hash_password(password)
        # whoever knew the old password is signed out everywhere
        revoked = s.execute(update(AuthSession).where(AuthSession.user_id == user.id,
                                                      AuthSession.revoked_at.is_(None))
                            .values(revoked_at=datetime.now(UTC))).rowcount
        audit.record(s, actor=actor, action="user.set_password", target_type="user", target_id=user.email,
                     after={"sessions_revoked": revoked})


def parse_usd(value: str | Decimal) -> Decimal:
    try:
        amount = Decimal(str(value).strip().lstrip("$"))
    except InvalidOperation:
        raise InputRejected(f"'{value}' is not an amount in dollars.") from None
    if not amount.is_finite():
        raise InputRejected(f"'{value}' is not an amount in dollars.")
    return amount


def top_up(orch, *, email: str, amount_usd: str | Decimal, actor: Actor, note: str = "") -> UserInfo:
    """Add prepaid credit, recorded in the credit ledger."""
    require(orch, actor)
    amount = parse_usd(amount_usd)
    limits.check_text(note, limit=limits.NOTE_CHARS, what="The note")
    if amount <= 0 or amount > Decimal("100000"):
        raise InputRejected("A top-up must be more than $0 and at most $100,000.")
    with orch.db.write() as s:
        user = _user(s, email)
        before = user.credit_usd
        user.credit_usd = User.credit_usd + amount
        s.add(CreditTransaction(user_id=user.id, amount_usd=amount, kind="topup", note=note or "top-up",
                                actor=actor.label))
        audit.record(s, actor=actor, action="user.top_up", target_type="user", target_id=user.email,
                     before={"credit_usd": str(before)}, after={"credit_usd": str(before + amount)})
        s.flush()
        s.refresh(user)
        return _info(user)
