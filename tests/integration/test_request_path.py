"""Request path v2 on both databases: one unit of work per phase, a save failure that
charges nothing, streams that say truthfully what happens next, and configuration read
from an in-process snapshot whose staleness is bounded."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from db.models import Document, QuotaCounter, UsageRecord, User
from orchestrator import Orchestrator, SaveFailed, StreamRestart
from orchestrator.integrity import check
from orchestrator.result import Result
from orchestrator.services.admin import users
from tests.sim_support import set_chain
from tests.support import POSTING, operator


def _books(orch, email):
    with orch.db.read() as s:
        u = s.scalar(select(User).where(User.email == email))
        counters = {c.period: (c.requests, c.tokens, c.cost_usd)
                    for c in s.scalars(select(QuotaCounter).where(QuotaCounter.user_id == u.id))}
        docs = s.scalars(select(Document.id).where(Document.user_id == u.id)).all()
        return u.credit_usd, u.credit_held_usd, counters, len(docs)


def test_a_document_that_cannot_be_saved_is_not_charged(sim_orch, demo_users, monkeypatch):
    orch = sim_orch
    users.top_up(orch, email="paygo@example.com", amount_usd="5", actor=operator())
    job = orch.run("extract_job", user="paygo@example.com", text=POSTING).job_id
    set_chain(orch, "paygo", "cover_letter", "sim-openai:gpt-4o-mini")
    before = _books(orch, "paygo@example.com")

    import orchestrator.pipeline as pipeline

    real = pipeline.saved_row

    def broken(*args, **kwargs):  # the document row violates NOT NULL: the insert fails in the database
        table, row = real(*args, **kwargs)
        return table, {**row, "title": None}

    monkeypatch.setattr(pipeline, "saved_row", broken)
    with pytest.raises(SaveFailed, match="nothing was charged"):
        orch.run("cover_letter", user="paygo@example.com", job_id=job)
    monkeypatch.undo()

    assert _books(orch, "paygo@example.com") == before  # credit, holds, counters and documents untouched
    with orch.db.read() as s:
        rows = s.scalars(select(UsageRecord).where(UsageRecord.task_type == "cover_letter")).all()
    assert [(r.status, r.error_type, r.charged_usd) for r in rows] == [("error", "save_failed", Decimal(0))]
    assert rows[0].cost_usd > 0  # what the provider call cost us is still on the books
    assert check(orch.db) == []
    # and the next request goes through and is charged once
    r = orch.run("cover_letter", user="paygo@example.com", job_id=job)
    assert r.document_id and r.charged_usd > 0
    credit, held, _c, docs = _books(orch, "paygo@example.com")
    assert credit == before[0] - r.charged_usd and held == 0 and docs == before[3] + 1


def test_a_retried_stream_is_announced_as_a_retry(sim_orch, demo_users, fresh_sim):
    orch = sim_orch
    job = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
    set_chain(orch, "freemium", "draft_cv", "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite")
    fresh_sim.add_fault("openai", "status", status=503, after=3, times=1)  # a 503 event mid-stream: retryable
    events = list(orch.stream("draft_cv", user="free@example.com", job_id=job))
    restarts = [e for e in events if isinstance(e, StreamRestart)]
    result = events[-1]
    assert isinstance(result, Result) and result.provider == "sim-openai"
    assert [(e.action, e.provider) for e in restarts] == [("retry", "sim-openai")]
    assert restarts[0].describe() == "The answer broke off (server error); trying sim-openai again."
    after = events[events.index(restarts[0]) + 1:-1]
    assert "".join(after).strip() == result.text.strip()


def test_a_task_runs_in_one_reservation_and_one_completion_transaction(sim_orch, demo_users):
    orch = sim_orch
    job = orch.run("extract_job", user="pro@example.com", text=POSTING).job_id
    set_chain(orch, "pro", "cover_letter", "sim-openai:gpt-4o-mini")
    orch.run("cover_letter", user="pro@example.com", job_id=job, regenerate=True)  # warm the snapshot
    statements: list[str] = []  # SQL sent through the raw unit of work
    orm_statements: list[str] = []  # SQL sent through SQLAlchemy (sessions, Core)

    def on_execute(conn, cursor, statement, *args):
        orm_statements.append(statement)

    from orchestrator import books
    from orchestrator.books import Cursor

    real_run, real_batch, real_txn = Cursor.run, Cursor.batch, books.Books.transaction
    transactions = []

    def run(self, sql, **params):
        statements.append(sql)
        return real_run(self, sql, **params)

    def batch(self, stmts):
        statements.extend(s for s, _p, _f in stmts)
        return real_batch(self, stmts)

    def txn(self):
        transactions.append(1)
        return real_txn(self)

    Cursor.run, Cursor.batch, books.Books.transaction = run, batch, txn
    event.listen(orch.db.engine, "before_cursor_execute", on_execute)
    try:
        r = orch.run("cover_letter", user="pro@example.com", job_id=job, regenerate=True)
    finally:
        Cursor.run, Cursor.batch, books.Books.transaction = real_run, real_batch, real_txn
        event.remove(orch.db.engine, "before_cursor_execute", on_execute)
    assert r.document_id
    assert orm_statements == []  # user, plan, routing, prices, settings, health: all from the snapshot
    assert len(transactions) == 2  # the reservation, and the completion
    assert len(statements) <= 12, statements


def test_an_admin_change_in_another_process_applies_within_the_snapshot_ttl(sim_orch, demo_users, settings):
    orch = sim_orch
    other = Orchestrator(database_url=orch.db.url, settings=settings, migrate=False, seed=False)
    try:
        assert other.run("extract_job", user="free@example.com", text=POSTING).provider == "offline"
        set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")  # "another process"
        assert orch.run("extract_job", user="free@example.com", text=POSTING + " ").provider == "sim-openai"
        deadline = time.monotonic() + other.snapshot.ttl_s + 0.5
        while other.run("extract_job", user="free@example.com", text=POSTING,
                        regenerate=True).provider != "sim-openai":
            assert time.monotonic() < deadline, "the change did not reach the other process in time"
            time.sleep(0.25)
    finally:
        other.close()


def test_a_connection_the_server_dropped_is_replaced_before_use(demo_users, monkeypatch):
    """No per-checkout ping on the hot path, yet a pooled connection that died while idle
    (server restart, idle timeout) never fails a request: it is pinged and replaced."""
    orch = demo_users
    if orch.db.is_sqlite:
        pytest.skip("SQLite has no server connections to lose")
    import db.session

    orch.run("extract_job", user="free@example.com", text=POSTING)  # the pool holds live connections
    monkeypatch.setattr(db.session, "IDLE_PING_S", 0.0)  # every pooled connection counts as idle
    from sqlalchemy import create_engine, text

    name = orch.db.engine.url.database
    killer = create_engine(orch.db.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with killer.connect() as c:
        killed = c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name}).rowcount
    killer.dispose()
    assert killed >= 1
    r = orch.run("extract_job", user="free@example.com", text=POSTING + "\nRef 2")
    assert r.job_id
