"""The plan history (``plan_changes``): which plan each user was on when. Plan economics bills
each day at the plan in effect then (``services/reports/analytics_finance.py``).

Whatever moves a user to another plan records it here, in the same transaction:
``record_change`` (self-service changes in ``services/user/plan_change.py``; an admin's
``users.set_plan`` and ``users.add_user`` call it too). ``ensure_history`` gives every
user without history the row for the plan they are on now, from their sign-up on (migration
0009 did this for the users that existed then; run it after creating users in bulk, e.g. the
demo seed). A user with no rows at all is read as on their current plan since sign-up.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select

from db.models import Plan, PlanChange, User

SIGN_UP = "plan at sign-up"


def record_change(s, *, user: User, from_plan: str | None, to_plan: str, actor: str, reason: str,
                  effective_at: datetime, key: str | None = None, invoice_id: int | None = None) -> PlanChange:
    """Add a ``plan_changes`` row to session ``s``; a user without history first gets the row for
    the plan they were on from sign-up (``from_plan``)."""
    if from_plan is not None and not s.scalar(select(func.count(PlanChange.id)).where(PlanChange.user_id == user.id)):
        s.add(PlanChange(user_id=user.id, from_plan=None, to_plan=from_plan, effective_at=user.created_at,
                         actor="system", reason=SIGN_UP))
    change = PlanChange(user_id=user.id, from_plan=from_plan, to_plan=to_plan, effective_at=effective_at,
                        actor=actor, reason=reason[:200], idempotency_key=key, invoice_id=invoice_id)
    s.add(change)
    return change


def ensure_history(db) -> int:
    """Give each user without history the row for their current plan since sign-up; how many."""
    missing = ~exists().where(PlanChange.user_id == User.id)
    with db.write() as s:
        found = s.execute(select(User.id, Plan.code, User.created_at)
                          .join(Plan, Plan.id == User.plan_id).where(missing)).all()
        s.add_all(PlanChange(user_id=uid, from_plan=None, to_plan=code, effective_at=created, actor="system",
                             reason=SIGN_UP) for uid, code, created in found)
        return len(found)
