"""The price book: versioned model prices and audited re-pricing runs.

Kept out of ``db/models.py`` only for its size; ``db.models`` re-exports the classes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigIntPK, Money, UTCDateTime, utcnow


class PriceVersion(Base):
    """One version of one model's prices, in force from ``effective_from`` until the next
    version's start. ``prices`` maps genai-prices price keys (``input_mtok``,
    ``cache_write_1h_mtok``, ``input_audio_mtok``...) to a decimal string, or to
    ``{"base": "1.25", "tiers": [{"start": 200000, "price": "2.5"}]}`` for cliff tiers.
    An empty mapping (or one without input and output) means unpriced. Versions are never
    edited or deleted: each ledger row names the version it was priced with."""

    __tablename__ = "price_versions"
    __table_args__ = (
        UniqueConstraint("kind", "model", "version"),
        Index("ix_price_versions_model_from", "kind", "model", "effective_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)
    prices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(16))  # genai-prices | admin | builtin | sync | migration
    note: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RepricingRun(Base):
    """One explicit, audited re-pricing of a model's ledger rows over a past period with a
    given price version. Totals are exact sums of the rows' cost before and after."""

    __tablename__ = "repricing_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    price_version_id: Mapped[int] = mapped_column(ForeignKey("price_versions.id"))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    old_total_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    new_total_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    actor: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RepricingBatch(Base):
    """The rows one batch of a re-pricing run changed (ids ``first_row_id``..``last_row_id``
    of that model), with their exact old and new cost totals."""

    __tablename__ = "repricing_batches"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("repricing_runs.id", ondelete="CASCADE"), index=True)
    first_row_id: Mapped[int] = mapped_column(BigInteger)
    last_row_id: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    old_total_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    new_total_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
