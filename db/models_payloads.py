"""Stored request payloads: the prompt each attempt sent and the answer it got, for the request
inspector. Kept out of ``db/models.py`` only for its size; ``db.models`` re-exports the class."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigIntPK, UTCDateTime, utcnow


class RequestPayload(Base):
    """The prompt one attempt sent and the answer it got, kept only when the request's plan
    has ``keep_payloads`` on, with personal data redacted before it is stored, until
    ``expires_at`` (the prune job deletes it then). Read by the request inspector."""

    __tablename__ = "request_payloads"
    __table_args__ = (UniqueConstraint("request_id", "attempt"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    system: Mapped[str] = mapped_column(Text, default="")
    prompt: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str | None] = mapped_column(Text)
    images: Mapped[int] = mapped_column(Integer, default=0)
