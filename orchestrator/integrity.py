"""Ledger integrity: the books must balance.

Checks, per user, that the usage ledger, the reservations, the quota
counters and the credit ledger tell the same story to the picodollar:

- every settled attempt hold matches its ledger row (cost and charge);
- charges in the ledger = charges in the credit ledger = settled charges;
- the credit balance is the sum of the credit ledger, and the credit held
  is the sum of live holds;
- quota counters = settled usage + live holds (requests per UTC day, tokens
  and cost per UTC month);
- re-priced rows: a hold was settled at the cost the row had *before* re-pricing
  (``cost_before_repricing_usd``), so that is what it must match; every re-pricing
  run equals the sum of its batches, and the rows a batch marked still cost, in
  total, what the batch says (unless a later run re-priced them again).

``python -m orchestrator ledger check`` runs it; the reliability suite runs it
after every test. Demo history (written straight to the ledger) is excluded.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from db.models import CreditTransaction, QuotaCounter, RepricingBatch, RepricingRun, Reservation, UsageRecord, User
from db.session import Database


def check(db: Database) -> list[str]:
    """Every inconsistency found, as sentences; an empty list means the books balance."""
    problems: list[str] = []
    with db.read() as s:
        users = {u.id: u for u in s.scalars(select(User)).all()}
        rows = s.scalars(select(UsageRecord).where(UsageRecord.is_demo.is_(False))).all()
        holds = s.scalars(select(Reservation)).all()
        credit = dict(s.execute(select(CreditTransaction.user_id, func.sum(CreditTransaction.amount_usd))
                                .group_by(CreditTransaction.user_id)).all())
        charges_tx = dict(s.execute(
            select(CreditTransaction.user_id, func.sum(CreditTransaction.amount_usd))
            .where(CreditTransaction.kind == "charge").group_by(CreditTransaction.user_id)).all())
        counters = s.scalars(select(QuotaCounter)).all()
    by_attempt = {(r.request_id, r.attempt): r for r in rows if r.status == "success"}
    settled_charge: dict[int, Decimal] = defaultdict(Decimal)
    held_credit: dict[int, Decimal] = defaultdict(Decimal)
    expect_day: dict[tuple, int] = defaultdict(int)
    expect_month: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for h in holds:
        if h.status == "held":
            held_credit[h.user_id] += h.credit_usd
            expect_day[(h.user_id, h.day)] += h.requests
            expect_month[(h.user_id, h.month)][0] += h.tokens
            expect_month[(h.user_id, h.month)][1] += h.cost_usd
        elif h.status == "settled":
            settled_charge[h.user_id] += h.actual_charge_usd or Decimal(0)
            expect_day[(h.user_id, h.day)] += h.requests
            expect_month[(h.user_id, h.month)][0] += h.actual_tokens or 0
            expect_month[(h.user_id, h.month)][1] += h.actual_cost_usd or Decimal(0)
            if h.attempt > 0:
                row = by_attempt.get((h.request_id, h.attempt))
                if row is None:
                    problems.append(f"settled hold {h.request_id}#{h.attempt} has no successful ledger row")
                elif (settled_cost(row) or Decimal(0)) != (h.actual_cost_usd or Decimal(0)) or \
                        row.charged_usd != (h.actual_charge_usd or Decimal(0)):
                    problems.append(f"hold {h.request_id}#{h.attempt} settled at {h.actual_cost_usd} / "
                                    f"{h.actual_charge_usd}, ledger says {settled_cost(row)} / {row.charged_usd}")
    ledger_charge: dict[int, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r.user_id is not None:
            ledger_charge[r.user_id] += r.charged_usd
    for uid, user in users.items():
        if user.is_demo:
            continue
        lc, sc, tc = ledger_charge[uid], settled_charge[uid], -(charges_tx.get(uid) or Decimal(0))
        if not lc == sc == tc:
            problems.append(f"{user.email}: ledger charges {lc}, settled charges {sc}, credit-ledger charges {tc}")
        if user.credit_usd != (credit.get(uid) or Decimal(0)):
            problems.append(f"{user.email}: credit {user.credit_usd} but the credit ledger sums to {credit.get(uid)}")
        if user.credit_held_usd != held_credit[uid]:
            problems.append(f"{user.email}: credit held {user.credit_held_usd} but live holds sum to "
                            f"{held_credit[uid]}")
    for c in counters:
        if users.get(c.user_id) is not None and users[c.user_id].is_demo:
            continue
        if c.period == "day" and c.requests != expect_day[(c.user_id, c.period_start)]:
            problems.append(f"user {c.user_id} day {c.period_start}: counter {c.requests} requests, "
                            f"expected {expect_day[(c.user_id, c.period_start)]}")
        if c.period == "month":
            tokens, cost = expect_month[(c.user_id, c.period_start)]
            if c.tokens != tokens or c.cost_usd != cost:
                problems.append(f"user {c.user_id} month {c.period_start}: counter {c.tokens} tokens / "
                                f"${c.cost_usd}, expected {tokens} / ${cost}")
    problems.extend(check_repricing(db))
    return problems


def settled_cost(row: UsageRecord) -> Decimal | None:
    """The cost a row's hold was settled at: the original one when it was re-priced since."""
    return row.cost_before_repricing_usd if row.repriced_run_id is not None else row.cost_usd


def check_repricing(db: Database) -> list[str]:
    """Each re-pricing run equals the sum of its batches, and each batch's rows (those still
    marked by its run) cost what the batch recorded. Reads only re-priced rows."""
    problems: list[str] = []
    r = UsageRecord
    with db.read() as s:
        runs = {run.id: run for run in s.scalars(select(RepricingRun)).all()}
        if not runs:
            return problems
        batches = s.scalars(select(RepricingBatch).order_by(RepricingBatch.id)).all()
        marked = s.execute(select(r.id, r.repriced_run_id, r.cost_usd).where(r.repriced_run_id.is_not(None))).all()
    sums: dict[int, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for b in batches:
        t = sums[b.run_id]
        t[0] += b.rows
        t[1] += b.old_total_usd
        t[2] += b.new_total_usd
    for run_id, run in runs.items():
        rows, old, new = sums[run_id]
        if (run.rows, run.old_total_usd, run.new_total_usd) != (rows, old, new):
            problems.append(f"re-pricing run {run_id}: {run.rows} rows ${run.old_total_usd} -> ${run.new_total_usd}, "
                            f"its batches sum to {rows} rows ${old} -> ${new}")
    by_run: dict[int, list] = defaultdict(list)  # run id -> [(row id, cost)] sorted by row id
    for row_id, run_id, cost in sorted(marked):
        if run_id not in runs:
            problems.append(f"ledger row {row_id} names re-pricing run {run_id}, which does not exist")
            continue
        by_run[run_id].append((row_id, cost or Decimal(0)))
    ids = {run_id: [row_id for row_id, _ in rows] for run_id, rows in by_run.items()}
    for b in batches:
        rows, keys = by_run.get(b.run_id, []), ids.get(b.run_id, [])
        own = rows[bisect_left(keys, b.first_row_id):bisect_right(keys, b.last_row_id)]
        total = sum((cost for _, cost in own), Decimal(0))
        if len(own) == b.rows and total == b.new_total_usd:
            continue
        taken = sum(bisect_right(ids[run], b.last_row_id) - bisect_left(ids[run], b.first_row_id)
                    for run in ids if run > b.run_id)
        if len(own) < b.rows <= len(own) + taken:
            continue  # some of its rows were re-priced again by a later run
        problems.append(f"re-pricing run {b.run_id} batch {b.first_row_id}..{b.last_row_id}: {b.rows} rows at "
                        f"${b.new_total_usd}, the ledger has {len(own)} rows at ${total}")
    return problems
