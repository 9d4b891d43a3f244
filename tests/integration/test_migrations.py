"""Alembic migrations create exactly the schema the models describe (no drift), on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.base import Base
from db.migrate import compare_type, upgrade
from db.session import Database


def test_autogenerate_finds_no_drift(database_url):
    db = Database(database_url)
    try:
        upgrade(db)  # already at head: a no-op that must not fail
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": compare_type})
            assert compare_metadata(ctx, Base.metadata) == []
            assert ctx.get_current_revision() is not None
    finally:
        db.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        upgrade(db)
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()
