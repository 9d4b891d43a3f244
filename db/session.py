"""Engines and sessions for SQLite (embedded default) and PostgreSQL (scale-out).

SQLite runs in WAL mode with foreign keys on and a busy timeout, and write
sessions start with ``BEGIN IMMEDIATE``: a write transaction takes the
write lock up front and waits for it, instead of failing half-way with
"database is locked" when two processes upgrade read locks at once. Read
sessions use a plain deferred ``BEGIN`` so dashboards never block writers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

_WRITE = "orchestrator_write"


class DatabaseURLError(ValueError):
    """The database URL cannot be parsed, or names a database or driver that is not installed.

    ``db`` is storage only and knows nothing of the orchestrator's error tree: whoever
    builds a ``Database`` from settings (``orchestrator.config.open_database``) turns this
    into a ``ConfigError``."""


def normalize_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 here."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except Exception:
        raise DatabaseURLError("DATABASE_URL is not a valid database URL.") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    try:
        engine = create_engine(url, pool_size=5, max_overflow=10)
    except ArgumentError:  # NoSuchModuleError included: an unknown dialect or driver
        raise DatabaseURLError(
            f"DATABASE_URL names a database this app cannot use ('{parsed.drivername}')."
        ) from None
    _ping_idle_connections(engine)
    return engine


IDLE_PING_S = 10.0


def _ping_idle_connections(engine: Engine) -> None:
    """Pessimistic disconnect handling, paid only by connections that sat idle.

    ``pool_pre_ping`` would cost a round trip on every checkout (three per request). A
    connection used within the last ``IDLE_PING_S`` seconds is handed out as is; an older
    one is pinged first, and a dead one (server restarted, idle timeout) is replaced
    before anyone uses it: the pool retries the checkout on ``DisconnectionError``."""
    import time

    from sqlalchemy import exc

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, _proxy):
        last = record.info.get("used_at")
        now = time.monotonic()
        record.info["used_at"] = now
        if last is None or now - last < IDLE_PING_S:
            return
        try:
            dbapi_conn.execute("SELECT 1")
            dbapi_conn.rollback()
        except Exception:  # noqa: BLE001 - any failure means the connection is gone
            raise exc.DisconnectionError() from None


def _owner_only(database: str) -> None:
    """The database file and its WAL, shared-memory and journal files are owner-only
    (0600): they hold accounts, password hashes and encrypted keys. A new file is created
    0600 whatever the umask (SQLite gives its WAL and journal the database file's mode);
    files left 0644 by an older version are tightened."""
    path = Path(database)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for p in (path, *(Path(f"{database}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
        try:
            if p.exists() and p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except OSError:  # another user's file: SQLite will say so if it matters
            pass


def _sqlite_engine(url: str, database: str | None) -> Engine:
    in_memory = database in (None, "", ":memory:")
    if not in_memory:
        Path(database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _owner_only(database)
    kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """One engine and two session factories: ``read()`` and ``write()``.

    Both are context managers; ``write()`` commits on success and rolls back
    on error. Use one session per use case and keep transactions short.
    """

    def __init__(self, url: str):
        self.url = normalize_url(url)
        self.engine = make_engine(self.url)
        self.dialect = self.engine.dialect.name
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )
        # Bumped by every committed write session: in-process caches of configuration
        # (orchestrator.snapshot) reload when it moves, so a change made in this process
        # applies to the next request at once. Other processes' changes are bounded by
        # the caches' TTL instead.
        self.generation = 0

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading. Closing it ends the transaction (the pool rolls the
        connection back) and detaches loaded objects without expiring them."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._write() as session:
            try:
                yield session
                session.commit()
                self.generation += 1
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def insert_ignore(session: Session, model, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL: creating a row that
    concurrent transactions may create too, without a race. True if this row went in
    (told by RETURNING: psycopg reports no rowcount for this statement)."""
    from sqlalchemy import inspect

    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    pk = inspect(model).primary_key[0]
    return session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(pk)).first() is not None
