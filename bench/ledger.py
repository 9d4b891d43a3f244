"""A realistic synthetic ledger, fast: ~1M rows over 90 days, bulk-inserted.

Same shape as the demo history (``orchestrator.seeding.demo_history``) but built for volume: thousands of
users across the plans, growth and a weekly rhythm, a day-time curve, the routing
policy's models, fallbacks (a Gemini outage day and random retryable errors), cache hits
and quota refusals. Costs are exact integer picodollars from the catalog's prices.
Rows are inserted with the driver's bulk path (``executemany`` on SQLite, ``COPY`` on
PostgreSQL), in time order like a real ledger.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from db.base import usd_to_pico
from db.models import CatalogModel, Plan, Provider, User
from orchestrator.seeding.seed import POLICY

COLUMNS = ("timestamp", "request_id", "attempt", "user_id", "plan", "task_type", "provider", "provider_kind",
           "model", "status", "error_type", "error_message", "tokens_input", "tokens_output", "tokens_cached",
           "tokens_reasoning", "tokens_cache_write", "cost_usd", "priced", "charged_usd", "latency_ms", "is_demo")
LATENCY = {"gemini": (900, 0.45), "openai": (1300, 0.45), "anthropic": (1300, 0.35)}
TOKENS = {"extract_job": (900, 2600, 350, 700), "draft_cv": (1800, 3500, 700, 1400),
          "cover_letter": (1600, 3000, 350, 650)}
TASKS, TASK_WEIGHTS = ("extract_job", "draft_cv", "cover_letter"), (50, 28, 22)


def make_users(db, n: int, start: date, days: int, seed: int = 3) -> list[tuple[int, str, float]]:
    """``n`` users spread over the plans, joining over the period: [(id, plan, weight)]."""
    rng = random.Random(seed)
    with db.write() as s:
        plans = {p.code: p.id for p in s.scalars(select(Plan))}
        rows = []
        for i in range(n):
            plan = rng.choices(("freemium", "paygo", "pro"), weights=(60, 25, 15))[0]
            joined = start + timedelta(days=int(days * (1 - math.sqrt(rng.random()))))
            rows.append(dict(email=f"bench{i:05d}@bench.example.com", name=f"Bench {i}", role="user",
                             plan_id=plans[plan], is_active=True, credit_usd=0, credit_held_usd=0, is_demo=False,
                             created_at=datetime.combine(joined, time(8), tzinfo=UTC)))
        s.execute(insert(User), rows)
        code = {v: k for k, v in plans.items()}
        q = select(User.id, User.plan_id, User.created_at).where(User.email.like("bench%@bench.example.com"))
        users = [(uid, code[pid], created.date()) for uid, pid, created in s.execute(q)]
    return [(uid, plan, joined, min(rng.paretovariate(1.3), 12.0)) for uid, plan, joined in users]


def price_table(db) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(provider, model) -> picodollars per token (input, cached input, output)."""
    with db.read() as s:
        kinds = {p.name: p.kind for p in s.scalars(select(Provider))}
        cat = {(m.kind, m.model): m for m in s.scalars(select(CatalogModel))}
    out = {}
    for chain in POLICY.values():
        for prov, model in chain:
            m = cat.get((kinds.get(prov, prov), model))
            if m is None or m.input_usd_per_mtok is None:
                continue
            per_tok = lambda v: usd_to_pico(v or 0) // 1_000_000  # noqa: E731  ($/MTok -> pico/token)
            out[(prov, model)] = (per_tok(m.input_usd_per_mtok),
                                  per_tok(m.cached_input_usd_per_mtok or m.input_usd_per_mtok),
                                  per_tok(m.output_usd_per_mtok))
    return out


def generate(target: int, users, prices, kinds, *, today: date, now: datetime, days: int = 90,
             seed: int = 11):
    """Yield ledger rows (tuples in COLUMNS order) in time order, about ``target`` of them."""
    rng = random.Random(seed)
    start = today - timedelta(days=days - 1)
    outage = today - timedelta(days=23)
    shape = [(0.35 + 0.65 * d / (days - 1)) * (1.0 if (start + timedelta(days=d)).weekday() < 5 else 0.55)
             for d in range(days)]
    per_row = target / sum(shape)
    for d in range(days):
        day = start + timedelta(days=d)
        active = [u for u in users if u[2] <= day]
        if not active:
            continue
        cum, acc = [], 0.0
        for u in active:
            acc += u[3]
            cum.append(acc)
        want, made, out = int(per_row * shape[d]), 0, []
        midnight = datetime.combine(day, time(0))
        while made < want:  # requests after ``now`` count as made, so today ends at ``now``
            for uid, plan, _j, _w in rng.choices(active, cum_weights=cum, k=256):
                ts = midnight + timedelta(seconds=rng.triangular(6 * 3600, 23 * 3600 + 3599, 14 * 3600))
                rows = _request(rng, uid, plan, ts, day == outage, prices, kinds)
                made += len(rows)
                if ts <= now:
                    out.extend(rows)
        out.sort(key=lambda r: r[0])
        yield from out


def _request(rng, uid, plan, ts, outage, prices, kinds) -> list[tuple]:
    task = rng.choices(TASKS, weights=TASK_WEIGHTS)[0]
    chain = [s for s in POLICY[(plan, task)] if s[0] != "offline"]
    rid = f"{rng.getrandbits(128):032x}"
    stamp = ts.isoformat(" ", "microseconds")

    def row(attempt, prov, model, status, error=None, tin=0, tout=0, cached=0, reasoning=0, cost=0, charged=0,
            latency=0):
        return (stamp, rid, attempt, uid, plan, task, prov, kinds.get(prov, prov), model, status, error, None,
                tin, tout, cached, reasoning, 0, cost, True, charged, latency, False)

    prov, model = chain[0]
    if plan == "freemium" and rng.random() < 0.015:
        return [row(0, prov, model, "quota_denied", "requests_per_day")]
    if task == "extract_job" and rng.random() < 0.1:
        return [row(1, prov, model, "cached", latency=rng.randint(2, 12))]
    rows = []
    for attempt, (prov, model) in enumerate(chain, start=1):
        mean, spread = LATENCY.get(prov, (1200, 0.5))
        latency = int(rng.lognormvariate(math.log(mean * (1.6 if task != "extract_job" else 1.0)), spread))
        if ((outage and prov == "gemini") or rng.random() < 0.015) and attempt < len(chain):
            rows.append(row(attempt, prov, model, "error", "server_error", latency=min(latency, 30000)))
            continue
        in_lo, in_hi, out_lo, out_hi = TOKENS[task]
        tin, tout = rng.randint(in_lo, in_hi), rng.randint(out_lo, out_hi)
        cached = int(tin * rng.uniform(0.3, 0.7)) if rng.random() < 0.2 else 0
        reasoning = int(tout * 0.3) if "gpt-5" in model or "2.5" in model else 0
        p_in, p_cached, p_out = prices.get((prov, model), (0, 0, 0))
        cost = (tin - cached) * p_in + cached * p_cached + (tout + reasoning) * p_out
        charged = cost * 3 // 2 if plan == "paygo" else 0
        rows.append(row(attempt, prov, model, "success", None, tin, tout + reasoning, cached, reasoning, cost,
                        charged, latency))
        break
    return rows


def insert_rows(db, rows) -> int:
    """Bulk insert through the raw driver connection; returns the row count."""
    n = 0
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if db.dialect == "postgresql":
            with cur.copy(f"COPY usage_log ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
                    n += 1
        else:
            cur.execute("BEGIN")
            sql = f"INSERT INTO usage_log ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            batch = []
            for r in rows:
                batch.append(r)
                if len(batch) == 20000:
                    cur.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            cur.executemany(sql, batch)
            n += len(batch)
            cur.execute("COMMIT")
        raw.commit()
    finally:
        raw.close()
    return n
