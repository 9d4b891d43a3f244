"""Declarative base and the two column types every table relies on.

``Money`` stores US dollars as an integer count of picodollars (1e-12 USD).
Per-token prices have at most 11 decimal places (genai-prices quotes at most
5 decimals per million tokens), so every cost the price book computes is
exact, on SQLite (which has no exact decimal type) and PostgreSQL alike, and
SUM() in SQL stays exact. Python code only ever sees ``Decimal``.

``UTCDateTime`` stores naive UTC and hands back aware UTC datetimes, so
SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import BigInteger, DateTime, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

PICO = 12
_QUANT = Decimal(1)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def usd_to_pico(value: Decimal | int | str) -> int:
    """Exact dollars -> integer picodollars (banker's rounding below 1e-12)."""
    return int(Decimal(value).scaleb(PICO).quantize(_QUANT, rounding=ROUND_HALF_EVEN))


def pico_to_usd(value: int) -> Decimal:
    return Decimal(int(value)).scaleb(-PICO)


class Money(TypeDecorator):
    """Decimal USD in Python, BIGINT picodollars in the database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, never float")
        return usd_to_pico(value)

    def process_result_value(self, value, dialect):
        return None if value is None else pico_to_usd(value)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes stored in the database must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# BIGINT primary keys on PostgreSQL, INTEGER (rowid alias, autoincrementing) on SQLite.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
