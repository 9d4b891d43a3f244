"""A request's books: the write transactions of one request, each one unit of work.

- ``reserve``: one transaction that sweeps the user's expired holds and takes
  every new hold (the request's unit of the daily quota and the attempt's upper
  bound of tokens, cost and credit) with conditional upserts: a hold either fits
  the limit or nothing is held. Exact across any number of processes.
- ``complete``: one transaction holding the attempt's ledger row, the settlement
  of its hold (and of the request hold), the credit charge, the cache entry (an
  upsert) and the saved job or document. If any of it fails, none of it happened:
  a user is never charged for a document that was not saved.
- ``fail``: one transaction holding a failed attempt's ledger row and the release
  of its hold (failed attempts are never charged; their real cost is in the ledger).

These run on every request, so they speak plain SQL (``orchestrator.rawsql``): no
ORM, no statement building per call, about 15 us a statement on SQLite, and one
pipelined round trip per batch on PostgreSQL. The usual case of each transaction is
one batch and a commit; the rare cases (an expired hold to sweep, a hold taken or
settled twice) redo the work statement by statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from orchestrator.rawsql import Cursor, RawSQL, insert_sql, insert_statements, upsert_sql


_NOTHING_SAVED = object()  # the batch went through and saved nothing (a reply): not "redo"


@dataclass(frozen=True)
class Hold:
    """One reservation as taken: what it holds against which periods."""

    request_id: str
    attempt: int
    user_id: int
    day: date
    month: date
    requests: int = 0
    tokens: int = 0
    cost: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)


class Denied(Exception):
    """A conditional hold did not fit; ``limit`` names which."""

    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


class Books(RawSQL):
    """A request's write transactions (thread-safe: a pooled connection each)."""

    # ---------------------------------------------------------- reservation

    def reserve(self, holds: list[Hold], *, limits, ttl_s: int, now: datetime) -> list[Hold]:
        """Take ``holds`` (all for one user) atomically; raises ``Denied`` and holds nothing
        when one does not fit. A hold whose (request_id, attempt) exists is not taken twice.

        The usual case is one batch (a single round trip on PostgreSQL, pipelined) and a
        commit. When the batch finds the user's expired holds to sweep or a hold that
        exists already, it is rolled back and redone statement by statement."""
        if not holds:
            return []
        for h in holds:  # what can never fit needs no database
            _precheck(h, limits)
        expires = now + timedelta(seconds=ttl_s)
        with self.transaction() as cur:
            if self._reserve_batch(cur, holds, limits, expires, now):
                return holds
        with self.transaction() as cur:
            self._sweep_user(cur, holds[0].user_id, now)
            for h in holds:
                if not cur.run(_INSERT_HOLD, **_hold_params(h, now, expires)):
                    continue  # idempotent: this hold exists already
                if h.requests:
                    self._take_requests(cur, h, limits.requests_per_day)
                if h.tokens or h.cost:
                    self._take_month(cur, h, limits)
                if h.credit and not cur.run(_HOLD_CREDIT, user_id=h.user_id, credit=h.credit):
                    raise Denied("credit")
        return holds

    def _reserve_batch(self, cur: Cursor, holds: list[Hold], limits, expires: datetime, now: datetime) -> bool:
        """Everything in one batch; False (after a rollback) when the slow path must redo it."""
        user_id = holds[0].user_id
        stmts: list[tuple[str, dict[str, Any], bool]] = [(_EXPIRE_USER, dict(user_id=user_id, now=now), True)]
        stmts += [(_INSERT_HOLD, _hold_params(h, now, expires), False) for h in holds]
        checks: list[tuple[int, str]] = []
        for h in holds:
            if h.requests:
                checks.append((len(stmts), "requests_per_day"))
                stmts.append(self._requests_stmt(h, limits.requests_per_day))
            if h.tokens or h.cost:
                checks.append((len(stmts), "month"))
                stmts.append(self._month_stmt(h, limits))
            if h.credit:
                checks.append((len(stmts), "credit"))
                stmts.append((_HOLD_CREDIT, dict(user_id=h.user_id, credit=h.credit), False))
        results = cur.batch(stmts)
        if results[0] or any(r != 1 for r in results[1:1 + len(holds)]):
            cur.rollback()
            return False
        for index, limit in checks:
            if not results[index]:
                raise Denied(limit)
        return True

    @staticmethod
    def _requests_stmt(h: Hold, limit: int | None) -> tuple[str, dict[str, Any], bool]:
        sql = _UPSERT_DAY if limit is None else _UPSERT_DAY + " WHERE quota_counters.requests + :n <= :lim"
        return sql, dict(user_id=h.user_id, start=h.day, n=h.requests, lim=limit), False

    @staticmethod
    def _month_stmt(h: Hold, limits) -> tuple[str, dict[str, Any], bool]:
        conds, tl, cl = [], limits.tokens_per_month, limits.cost_cap_usd_month
        if tl is not None:
            conds.append("quota_counters.tokens + :tokens <= :tl")
        if cl is not None:
            conds.append("quota_counters.cost_usd + :cost <= :cl")
        sql = _UPSERT_MONTH + (" WHERE " + " AND ".join(conds) if conds else "")
        return sql, dict(user_id=h.user_id, start=h.month, tokens=h.tokens, cost=h.cost, tl=tl, cl=cl), False

    def _take_requests(self, cur: Cursor, h: Hold, limit: int | None) -> None:
        sql, params, _ = self._requests_stmt(h, limit)
        if not cur.run(sql, **params):
            raise Denied("requests_per_day")

    def _take_month(self, cur: Cursor, h: Hold, limits) -> None:
        sql, params, _ = self._month_stmt(h, limits)
        if not cur.run(sql, **params):
            raise Denied("month")

    def _sweep_user(self, cur: Cursor, user_id: int, now: datetime) -> int:
        """Release the user's holds whose process died (TTL passed); one indexed UPDATE."""
        rows = cur.fetch(_EXPIRE_USER, user_id=user_id, now=now)
        for row in rows:
            _give_back(cur, user_id, *row)
        return len(rows)

    # ----------------------------------------------------------- completion

    def complete(self, *, ledger_row: dict[str, Any], attempt_hold: Hold | None, request_hold: Hold | None,
                 count_request: bool, tokens: int, cost: Decimal | None, charge: Decimal, now: datetime,
                 cache_row: dict[str, Any] | None, save_table: str | None,
                 save_row: dict[str, Any] | None) -> int | None:
        """Record, settle, cache and save in one transaction; returns the saved row's id
        (None when nothing is saved: a reply).

        The usual case (both holds still held) is one batch and a commit; a hold the
        sweeper gave back, or one settled before, takes the statement-by-statement path."""
        cost = cost or Decimal(0)
        with self.transaction() as cur:
            saved = self._complete_batch(cur, ledger_row, attempt_hold, request_hold, count_request, tokens, cost,
                                         charge, now, cache_row, save_table, save_row)
            if saved is not None:
                return None if saved is _NOTHING_SAVED else saved
        with self.transaction() as cur:
            cur.insert("usage_log", ledger_row)
            if attempt_hold is not None:
                self._settle(cur, attempt_hold, tokens=tokens, cost=cost, charge=charge, now=now)
            if request_hold is not None:
                if count_request:
                    self._settle(cur, request_hold, tokens=0, cost=Decimal(0), charge=Decimal(0), now=now)
                else:
                    self._release(cur, request_hold, now)
            if cache_row is not None:
                cur.upsert("cache_entries", cache_row, key="key")
            return cur.insert(save_table, save_row, returning="id") if save_table else None

    def _complete_batch(self, cur: Cursor, ledger_row, attempt_hold, request_hold, count_request, tokens, cost,
                        charge, now, cache_row, save_table, save_row) -> int | None:
        stmts: list[tuple[str, dict[str, Any], bool]] = [(insert_sql("usage_log", tuple(ledger_row), None),
                                                          ledger_row, False)]
        transitions = 0
        if attempt_hold is not None:
            h = attempt_hold
            stmts.append((_SETTLE.format(src="held"), dict(request_id=h.request_id, attempt=h.attempt, now=now,
                                                          tokens=tokens, cost=cost, charge=charge), False))
            transitions += 1
            if tokens - h.tokens or cost - h.cost:
                stmts.append((_ADD_MONTH, dict(user_id=h.user_id, start=h.month, tokens=tokens - h.tokens,
                                               cost=cost - h.cost), False))
            if charge or h.credit:
                stmts.append((_CHARGE, dict(user_id=h.user_id, charge=charge, held=h.credit), False))
            if charge:
                stmts.append((insert_sql("credit_transactions", _CREDIT_COLS, None),
                              _credit_row(h, charge, now), False))
        if request_hold is not None:
            h = request_hold
            args = dict(request_id=h.request_id, attempt=h.attempt, now=now)
            if count_request:
                stmts.append((_SETTLE.format(src="held"), dict(args, tokens=0, cost=Decimal(0),
                                                              charge=Decimal(0)), False))
            else:
                stmts.append((_RELEASE, dict(args, status="released"), False))
                if h.requests:
                    stmts.append((_ADD_DAY, dict(user_id=h.user_id, start=h.day, n=-h.requests), False))
            transitions += 1
        if cache_row is not None:
            stmts.append((upsert_sql("cache_entries", tuple(cache_row), "key"), cache_row, False))
        if save_table:
            stmts += insert_statements(save_table, save_row, "id", pg=self.pg)  # the INSERT comes last
        results = cur.batch(stmts)
        moved = [r for (sql, _p, _f), r in zip(stmts, results) if sql.startswith("UPDATE reservations")]
        if sum(moved) != transitions:
            cur.rollback()
            return None
        return results[-1][0][0] if save_table else _NOTHING_SAVED

    def fail(self, *, ledger_row: dict[str, Any], hold: Hold | None, now: datetime) -> None:
        """A failed attempt: its ledger row, and its hold given back."""
        with self.transaction() as cur:
            cur.insert("usage_log", ledger_row)
            if hold is not None:
                self._release(cur, hold, now)

    def release(self, hold: Hold, now: datetime, *, status: str = "released") -> bool:
        with self.transaction() as cur:
            return self._release(cur, hold, now, status=status)

    def write_ledger(self, ledger_row: dict[str, Any]) -> None:
        with self.transaction() as cur:
            cur.insert("usage_log", ledger_row)

    def _settle(self, cur: Cursor, h: Hold, *, tokens: int, cost: Decimal, charge: Decimal, now: datetime) -> None:
        """Held -> settled: counters move by (actual - held). A hold the sweeper already gave
        back (expired) is settled too, its actual usage added in full, so counters always
        match the ledger. Settled or released before: nothing to do twice."""
        args = dict(request_id=h.request_id, attempt=h.attempt, now=now, tokens=tokens, cost=cost, charge=charge)
        if cur.run(_SETTLE.format(src="held"), **args):
            held = h
        elif cur.run(_SETTLE.format(src="expired"), **args):
            held = Hold(h.request_id, h.attempt, h.user_id, h.day, h.month)  # nothing is held any more
        else:
            return
        d_req = h.requests - held.requests
        d_tok, d_cost = tokens - held.tokens, cost - held.cost
        if d_req:
            cur.run(_ADD_DAY, user_id=h.user_id, start=h.day, n=d_req)
        if d_tok or d_cost:
            cur.run(_ADD_MONTH, user_id=h.user_id, start=h.month, tokens=d_tok, cost=d_cost)
        if charge or held.credit:
            cur.run(_CHARGE, user_id=h.user_id, charge=charge, held=held.credit)
        if charge:
            cur.insert("credit_transactions", _credit_row(h, charge, now))

    def _release(self, cur: Cursor, h: Hold, now: datetime, *, status: str = "released") -> bool:
        if not cur.run(_RELEASE, request_id=h.request_id, attempt=h.attempt, now=now, status=status):
            return False
        _give_back(cur, h.user_id, h.day, h.month, h.requests, h.tokens, h.cost, h.credit)
        return True


def _give_back(cur: Cursor, user_id: int, day, month, requests, tokens, cost, credit) -> None:
    """Undo what a hold moved (values as stored or as Python values)."""
    cost, credit = _usd(cost), _usd(credit)
    if requests:
        cur.run(_ADD_DAY, user_id=user_id, start=day, n=-requests)
    if tokens or cost:
        cur.run(_ADD_MONTH, user_id=user_id, start=month, tokens=-tokens, cost=-cost)
    if credit:
        cur.run(_CHARGE, user_id=user_id, charge=Decimal(0), held=credit)


def _usd(v) -> Decimal:
    if isinstance(v, Decimal):
        return v
    from db.base import pico_to_usd

    return pico_to_usd(v or 0)


def _precheck(h: Hold, limits) -> None:
    if h.requests and limits.requests_per_day is not None and h.requests > limits.requests_per_day:
        raise Denied("requests_per_day")
    if limits.tokens_per_month is not None and h.tokens > limits.tokens_per_month:
        raise Denied("month")
    if limits.cost_cap_usd_month is not None and h.cost > limits.cost_cap_usd_month:
        raise Denied("month")


def _hold_params(h: Hold, now: datetime, expires: datetime) -> dict[str, Any]:
    return dict(request_id=h.request_id, attempt=h.attempt, user_id=h.user_id, day=h.day, month=h.month,
                requests=h.requests, tokens=h.tokens, cost=h.cost, credit=h.credit, created=now, expires=expires)


_CREDIT_COLS = ("user_id", "timestamp", "amount_usd", "kind", "request_id", "note", "actor")


def _credit_row(h: Hold, charge: Decimal, now: datetime) -> dict[str, Any]:
    return dict(user_id=h.user_id, timestamp=now, amount_usd=-charge, kind="charge", request_id=h.request_id,
                note=f"attempt {h.attempt}", actor="system")


_INSERT_HOLD = (
    "INSERT INTO reservations (request_id, attempt, user_id, day, month, requests, tokens, cost_usd, credit_usd, "
    "status, created_at, expires_at) VALUES (:request_id, :attempt, :user_id, :day, :month, :requests, :tokens, "
    ":cost, :credit, 'held', :created, :expires) ON CONFLICT (request_id, attempt) DO NOTHING"
)
_UPSERT_DAY = (
    "INSERT INTO quota_counters (user_id, period, period_start, requests, tokens, cost_usd) "
    "VALUES (:user_id, 'day', :start, :n, 0, 0) ON CONFLICT (user_id, period, period_start) "
    "DO UPDATE SET requests = quota_counters.requests + :n"
)
_UPSERT_MONTH = (
    "INSERT INTO quota_counters (user_id, period, period_start, requests, tokens, cost_usd) "
    "VALUES (:user_id, 'month', :start, 0, :tokens, :cost) ON CONFLICT (user_id, period, period_start) "
    "DO UPDATE SET tokens = quota_counters.tokens + :tokens, cost_usd = quota_counters.cost_usd + :cost"
)
_HOLD_CREDIT = (
    "UPDATE users SET credit_held_usd = credit_held_usd + :credit "
    "WHERE id = :user_id AND credit_usd - credit_held_usd >= :credit"
)
_EXPIRE_USER = (
    "UPDATE reservations SET status = 'expired', settled_at = :now "
    "WHERE user_id = :user_id AND status = 'held' AND expires_at < :now "
    "RETURNING day, month, requests, tokens, cost_usd, credit_usd"
)
_SETTLE = (
    "UPDATE reservations SET status = 'settled', settled_at = :now, actual_tokens = :tokens, "
    "actual_cost_usd = :cost, actual_charge_usd = :charge "
    "WHERE request_id = :request_id AND attempt = :attempt AND status = '{src}'"
)
_RELEASE = (
    "UPDATE reservations SET status = :status, settled_at = :now "
    "WHERE request_id = :request_id AND attempt = :attempt AND status = 'held'"
)
_ADD_DAY = (
    "UPDATE quota_counters SET requests = requests + :n "
    "WHERE user_id = :user_id AND period = 'day' AND period_start = :start"
)
_ADD_MONTH = (
    "UPDATE quota_counters SET tokens = tokens + :tokens, cost_usd = cost_usd + :cost "
    "WHERE user_id = :user_id AND period = 'month' AND period_start = :start"
)
_CHARGE = (
    "UPDATE users SET credit_usd = credit_usd - :charge, credit_held_usd = credit_held_usd - :held "
    "WHERE id = :user_id"
)
