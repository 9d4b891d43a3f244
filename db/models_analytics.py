"""Analytics rollup tables: complete UTC days of the usage ledger, summed.

Maintained by ``orchestrator/rollups.py`` (which documents the latency buckets and the
refresh rules) and read by ``orchestrator/services/reports/analytics_queries.py``. Kept out of
``db/models.py`` only for its size; ``db.models`` re-exports these classes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigIntPK, Money, UTCDateTime, utcnow


class RollupState(Base):
    """Days up to ``last_day`` are rolled up; ledger rows above ``max_ledger_id`` are new since."""

    __tablename__ = "rollup_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_day: Mapped[date | None] = mapped_column(Date)
    max_ledger_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class UsageDaily(Base):
    """Per day x plan x task x provider x model x status: ``requests`` (attempt <= 1), ``attempts``, sums."""

    __tablename__ = "usage_daily"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    plan: Mapped[str] = mapped_column(String(32))
    task_type: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    attempts: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_input: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_output: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_cached: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_reasoning: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_cache_write: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # priced rows; unpriced counted apart
    unpriced: Mapped[int] = mapped_column(BigInteger, default=0)
    charged_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    latency_ms_sum: Mapped[int] = mapped_column(BigInteger, default=0)


class UsageLatencyDaily(Base):
    """Provider calls (success/error) per day x plan x task x provider x model x log-spaced latency bucket."""

    __tablename__ = "usage_latency_daily"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    plan: Mapped[str] = mapped_column(String(32))
    task_type: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    bucket: Mapped[int] = mapped_column(Integer)
    calls: Mapped[int] = mapped_column(BigInteger, default=0)


class UsageUserDaily(Base):
    """Per day x user x plan, summed (top users, margin per user).

    Read by day range only (a user filter reads the ledger through its (user_id, timestamp)
    index), so ``day`` is the only index: an index leading with user_id lures SQLite's
    planner into walking the whole table in GROUP BY order. ``user_id`` has no foreign key:
    derived data must not make deleting a user scan it (a deleted user shows as deleted)."""

    __tablename__ = "usage_user_daily"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    plan: Mapped[str] = mapped_column(String(32))
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    attempts: Mapped[int] = mapped_column(BigInteger, default=0)
    errors: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_input: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_output: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    unpriced: Mapped[int] = mapped_column(BigInteger, default=0)
    charged_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
