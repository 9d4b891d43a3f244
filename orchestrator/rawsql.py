"""Plain SQL on a pooled DBAPI connection, for the few statements every request runs.

No ORM and no statement building per call: SQL is written once with ``:name``
parameters (converted once for psycopg), values are encoded the way the ORM column
types store them (``Money`` as integer picodollars, naive-UTC timestamps, JSON), and a
batch of statements goes to PostgreSQL in one pipeline (one round trip). The same SQL
runs on SQLite 3.35+ and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from db.base import usd_to_pico
from db.session import Database

_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
_SQL_CACHE: dict[tuple[bool, str], str] = {}


class RawSQL:
    """Raw-SQL transactions on one ``Database`` (thread-safe: a pooled connection each)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pg = db.dialect == "postgresql"
        if self.pg:
            from psycopg.types.json import Json

            self._json = Json
        else:
            self._json = lambda obj: json.dumps(obj, separators=(",", ":"))

    # ------------------------------------------------------------- plumbing

    def sql(self, text: str) -> str:
        key = (self.pg, text)
        out = _SQL_CACHE.get(key)
        if out is None:
            out = _PARAM.sub(r"%(\1)s", text.replace("%", "%%")) if self.pg else text
            _SQL_CACHE[key] = out
        return out

    def value(self, v: Any) -> Any:
        """A Python value as its column type stores it."""
        if isinstance(v, Decimal):
            return usd_to_pico(v)
        if isinstance(v, datetime):
            naive = v.astimezone(UTC).replace(tzinfo=None)
            return naive if self.pg else f"{naive:%Y-%m-%d %H:%M:%S.%f}"
        if isinstance(v, date):
            return v if self.pg else v.isoformat()
        if isinstance(v, (dict, list)):
            return self._json(v)
        if isinstance(v, float):
            raise TypeError("money and counters are never float here")
        return v

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """One write transaction (SQLite: ``BEGIN IMMEDIATE``, so it never fails half-way
        on a lock upgrade). Commits on success, rolls back on any exception."""
        conn = self.db.engine.raw_connection()
        try:
            cur = Cursor(self, conn)
            if not self.pg:
                cur.raw.execute("BEGIN IMMEDIATE")
            try:
                yield cur
                conn.commit()
            except BaseException:
                self._discard_if_broken(conn)
                raise
        finally:
            conn.close()

    def _discard_if_broken(self, conn) -> None:
        """Roll back; a connection the server dropped leaves the pool instead of going back."""
        if self.pg and getattr(conn.dbapi_connection, "broken", False):
            conn.invalidate()
            return
        try:
            conn.rollback()
        except Exception:  # noqa: BLE001 - a connection that cannot roll back cannot be reused
            conn.invalidate()

    def read_one(self, sql: str, **params: Any) -> tuple | None:
        """One row of one read, outside any transaction (no BEGIN/ROLLBACK round trips)."""
        conn = self.db.engine.raw_connection()
        try:
            if self.pg:
                raw = conn.dbapi_connection
                raw.autocommit = True
                try:
                    return raw.execute(self.sql(sql), {k: self.value(v) for k, v in params.items()}).fetchone()
                finally:
                    raw.autocommit = False
            cur = conn.cursor()
            cur.execute(sql, {k: self.value(v) for k, v in params.items()})
            return cur.fetchone()
        finally:
            conn.close()


class Cursor:
    """A DBAPI connection's cursor that takes ``:name`` SQL and Python values."""

    def __init__(self, books: RawSQL, conn) -> None:
        self.books, self.conn, self.raw = books, conn, conn.cursor()

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        v = self.books.value
        return {k: v(x) for k, x in params.items()}

    def run(self, sql: str, **params: Any) -> int:
        self.raw.execute(self.books.sql(sql), self._params(params))
        return self.raw.rowcount

    def fetch(self, sql: str, **params: Any) -> list[tuple]:
        self.raw.execute(self.books.sql(sql), self._params(params))
        return self.raw.fetchall()

    def batch(self, stmts: list[tuple[str, dict[str, Any], bool]]) -> list[Any]:
        """Run statements in order; each gives its rows (``fetch``) or its row count.
        On PostgreSQL they go out in one pipeline: one round trip for all of them."""
        sql, params = self.books.sql, self._params
        if not self.books.pg:
            out: list[Any] = []
            for text, p, fetch in stmts:
                self.raw.execute(sql(text), params(p))
                out.append(self.raw.fetchall() if fetch else self.raw.rowcount)
            return out
        conn = self.conn.dbapi_connection
        with conn.pipeline() as pipe:
            cursors = []
            for text, p, _fetch in stmts:
                c = conn.cursor()
                c.execute(sql(text), params(p))
                cursors.append(c)
            pipe.sync()
            return [c.fetchall() if fetch else c.rowcount for c, (_t, _p, fetch) in zip(cursors, stmts)]

    def rollback(self) -> None:
        self.conn.rollback()
        if not self.books.pg:
            self.raw.execute("BEGIN IMMEDIATE")

    def insert(self, table: str, row: dict[str, Any], returning: str | None = None) -> Any:
        *before, (sql, params, _fetch) = insert_statements(table, row, returning, pg=self.books.pg)
        for text, p, _f in before:
            self.run(text, **p)
        self.raw.execute(self.books.sql(sql), self._params(params))
        return self.raw.fetchone()[0] if returning else None

    def upsert(self, table: str, row: dict[str, Any], key: str) -> None:
        self.raw.execute(self.books.sql(upsert_sql(table, tuple(row), key)), self._params(row))


def upsert_sql(table: str, cols: tuple[str, ...], key: str) -> str:
    sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c != key)
    return insert_sql(table, cols, None) + f" ON CONFLICT ({key}) DO UPDATE SET {sets}"


def insert_sql(table: str, cols: tuple[str, ...], returning: str | None) -> str:
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
    return sql + (f" RETURNING {returning}" if returning else "")


@dataclass(frozen=True)
class Computed:
    """A column value that SQL computes as the row is inserted, from the row's other values:
    ``sql`` is a scalar subquery over their ``:names`` (e.g. a document's next version number).
    ``lock`` is a statement run just before the insert in the same transaction, on PostgreSQL
    only: concurrent inserts computing over the same rows then wait for one another, and each
    statement reads what the one before it committed (SQLite's write transactions are serial)."""

    sql: str
    lock: str | None = None


def insert_statements(table: str, row: dict[str, Any], returning: str | None, *,
                      pg: bool) -> list[tuple[str, dict[str, Any], bool]]:
    """``(sql, params, fetch)`` to insert ``row``: the locks its ``Computed`` values need, then
    the INSERT itself (last)."""
    computed = {c: v for c, v in row.items() if isinstance(v, Computed)}
    if not computed:
        return [(insert_sql(table, tuple(row), returning), row, returning is not None)]
    plain = {c: v for c, v in row.items() if c not in computed}
    stmts = [(v.lock, plain, False) for v in computed.values() if pg and v.lock]
    values = ", ".join(computed[c].sql if c in computed else ":" + c for c in row)
    sql = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({values})" + (f" RETURNING {returning}" if returning
                                                                         else "")
    return [*stmts, (sql, plain, returning is not None)]
