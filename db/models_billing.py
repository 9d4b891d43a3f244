"""Self-service billing: invoices (what a payment provider charged or refunded) and the history
of each user's plan (``plan_changes``), which plan economics bills each day by. Kept out of
``db/models.py`` only for its size; ``db.models`` re-exports the classes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Money, UTCDateTime, utcnow

INVOICE_KINDS = ("plan", "credit")
INVOICE_STATUSES = ("pending", "succeeded", "failed")


class Invoice(Base):
    """One payment (positive amount) or refund (negative amount) through the payment provider.

    ``idempotency_key`` is unique per user: the same request sent twice (a double click)
    finds the first invoice instead of charging again."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key", name="uq_invoices_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # plan | credit
    plan_code: Mapped[str | None] = mapped_column(String(32))  # the plan a plan invoice pays for
    amount_usd: Mapped[Decimal] = mapped_column(Money)  # negative: a refund
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | succeeded | failed
    provider: Mapped[str] = mapped_column(String(32))
    provider_ref: Mapped[str | None] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanChange(Base):
    """A user's plan from ``effective_at`` on (until their next change). The first row of a
    user has no ``from_plan``: the plan they signed up on."""

    __tablename__ = "plan_changes"
    __table_args__ = (Index("ix_plan_changes_user_when", "user_id", "effective_at"),
                      UniqueConstraint("user_id", "idempotency_key", name="uq_plan_changes_user_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    from_plan: Mapped[str | None] = mapped_column(String(32))
    to_plan: Mapped[str] = mapped_column(String(32))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(200), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
