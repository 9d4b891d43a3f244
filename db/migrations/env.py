"""Alembic environment: runs against the URL the caller put in the config
(``sqlalchemy.url``) or an open connection (``attributes['connection']``)."""

from __future__ import annotations

from alembic import context
from db import models  # noqa: F401  (registers every table on Base.metadata)
from db.base import Base
from db.migrate import compare_type, render_item
from db.session import make_engine

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=render_item,
        compare_type=compare_type,
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations_online()
