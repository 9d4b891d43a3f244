"""Run Alembic migrations from code (the CLI, the app on start, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import BigInteger, DateTime

from db.base import Money, UTCDateTime
from db.session import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def render_item(type_, obj, autogen_context):
    """Render our TypeDecorators as their plain SQL types, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, Money):
        return "sa.BigInteger()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def compare_type(ctx, inspected_column, metadata_column, inspected_type, metadata_type):
    if isinstance(metadata_type, Money):
        return not isinstance(inspected_type, BigInteger)
    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, DateTime)
    return None


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision``. Safe to call on every start: a no-op when current.

    On PostgreSQL an advisory lock serialises replicas that start together.
    """
    cfg = alembic_config(database.url)
    with database.engine.connect() as conn:
        if database.dialect == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_lock(727274)")
        try:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
        finally:
            if database.dialect == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_unlock(727274)")
                conn.commit()
