"""``make bench``: analytics at a million ledger rows, on SQLite and PostgreSQL, plus the
request path's overhead over a direct SDK call and its throughput under load.

For each backend: a fresh database (a temp SQLite file; a throwaway PostgreSQL database
at ``BENCH_PG_URL``, default ``postgresql://postgres@127.0.0.1:5432/postgres``, skipped with
a note when unreachable), migrated and seeded, 5,000 users and ``--rows`` ledger rows over
90 days bulk-inserted, rollups built, then every analytics query timed cold and warm
(see ``bench.queries``). Then the request path on fresh databases of both kinds (see
``bench.request_path``). Exit status 1 if a query takes 1 s or more cold on SQLite.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bench import ledger
from bench.queries import Timing, baseline, heaviest_user, queries, time_queries

LIMIT_MS = 1000.0
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def log(msg: str) -> None:
    print(msg, flush=True)


def build(url: str, rows: int, users: int, now: datetime) -> int:
    """Migrate, seed, generate and insert the ledger, build the rollups; returns the row count.
    PostgreSQL gets ANALYZE (autovacuum would do it too); SQLite does not (the app never runs it)."""
    from db.migrate import upgrade
    from db.models import Provider
    from orchestrator.seeding.seed import seed_base
    from db.session import Database
    from orchestrator import rollups

    db = Database(url)
    try:
        upgrade(db)
        seed_base(db)
        today = now.date()
        t = time.perf_counter()
        pool = ledger.make_users(db, users, today - timedelta(days=89), 90)
        with db.read() as s:
            kinds = {p.name: p.kind for p in s.scalars(select(Provider))}
        gen = ledger.generate(rows, pool, ledger.price_table(db), kinds, today=today,
                              now=now.replace(tzinfo=None))
        n = ledger.insert_rows(db, gen)
        insert_s = time.perf_counter() - t
        if db.dialect == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        t = time.perf_counter()
        rollups.refresh_rollups(db, now=now)
        rollup_s = time.perf_counter() - t
        with db.engine.connect() as conn:
            sizes = {name: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {name}").scalar()
                     for name in ("usage_daily", "usage_latency_daily", "usage_user_daily")}
        t = time.perf_counter()
        rollups.refresh_rollups(db, now=now)
        noop_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        rollups.refresh_rollups(db, now=now, since=today - timedelta(days=1))
        one_day_ms = (time.perf_counter() - t) * 1000
    finally:
        db.dispose()
    log(f"  {n:,} ledger rows and {users:,} users inserted in {insert_s:.1f} s; rollups built in {rollup_s:.1f} s "
        f"({', '.join(f'{k} {v:,}' for k, v in sizes.items())} rows)")
    log(f"  rollup refresh: {noop_ms:.1f} ms when up to date, {one_day_ms:.0f} ms to redo one day")
    return n


def run_backend(name: str, url: str, args, now: datetime) -> tuple[list[Timing], tuple[float, float]]:
    from bench import metrics_scrape

    log(f"\n== {name}: building the ledger ==")
    build(url, args.rows, args.users, now)
    log(f"== {name}: timing queries ==")
    named = queries(now.date(), heaviest_user(url), now)
    base = baseline(url)
    timings = time_queries(url, named)
    SCRAPES[name] = metrics_scrape.measure(url)
    return timings, base


SCRAPES: dict[str, dict] = {}


def print_scrapes(results) -> None:
    """/metrics at the same ledger: cold, warm and cached scrape, against the same-run COUNT(*) baseline."""
    if not SCRAPES:
        return
    log("\n== GET /metrics at the same ledger: ms (x baseline), median of 5 ==")
    log("  cold: a new process (new connection, caches empty); warm: the cache window passed, complete days "
        "remembered; cached: inside ORCHESTRATOR_METRICS_CACHE_S")
    for name, m in SCRAPES.items():
        base = results[name][1][0]
        verdict = "met" if m["target_met"] else "MISSED"
        log(f"  {name:10} cold {m['cold_ms']:.1f} ms ({m['cold_ms'] / base:.1f}x; max {m['cold_max_ms']:.0f}), "
            f"warm {m['warm_ms']:.1f} ms ({m['warm_ms'] / base:.1f}x), cached {m['cached_ms']:.3f} ms; "
            f"{m['series']:,} series, {m['bytes']:,} bytes; target <= 100 ms cold: {verdict}")


def _pg_database(admin_url: str):
    """Create a throwaway database; returns (url, drop) or (None, reason)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from db.session import normalize_url

    base = make_url(normalize_url(admin_url))
    name = f"orch_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"

    def drop():
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def print_table(results: dict[str, tuple[list[Timing], tuple[float, float]]]) -> bool:
    names = list(results)
    log("\n== Analytics queries: ms (x baseline) ==")
    log("  cold: new connection, analytics caches cleared (the OS page cache and PostgreSQL's shared buffers "
        "cannot be dropped without root); warm: median of 5 on one connection, caches cleared each time")
    for name, (_, (count_ms, naive_ms)) in results.items():
        log(f"  {name} baseline: SELECT COUNT(*) FROM usage_log = {count_ms:.1f} ms (median of 5); "
            f"naive daily cost by provider from the raw ledger, 30 days = {naive_ms:.0f} ms "
            f"({naive_ms / count_ms:.1f}x)")
    header = f"{'query':36}" + "".join(f"{n + ' cold':>22}{n + ' warm':>22}" for n in names) + "   < 1 s cold (SQLite)"
    log(header)
    ok = True
    rows = zip(*(results[n][0] for n in names), strict=True)
    for group in rows:
        line = f"{group[0].name:36}"
        for n, t in zip(names, group, strict=True):
            base = results[n][1][0]
            line += f"{t.cold_ms:>12.1f} ({t.cold_ms / base:5.1f}x){t.warm_ms:>12.1f} ({t.warm_ms / base:5.1f}x)"
        sqlite_cold = group[0].cold_ms if names[0] == "SQLite" else None
        if sqlite_cold is not None:
            passed = sqlite_cold < LIMIT_MS
            ok &= passed
            line += "   ok" if passed else "   SLOW"
        log(line)
    for n in names:
        ts = results[n][0]
        log(f"  {n}: slowest cold {max(t.cold_ms for t in ts):.0f} ms, median cold "
            f"{sorted(t.cold_ms for t in ts)[len(ts) // 2]:.0f} ms, median warm "
            f"{sorted(t.warm_ms for t in ts)[len(ts) // 2]:.0f} ms; whole Analytics page (cold sum of the first 11) "
            f"{sum(t.cold_ms for t in ts[:11]):.0f} ms")
    return ok


def _databases(args, tmp: Path, tag: str):
    """(name, url, drop) for a fresh SQLite file and, unless skipped, a throwaway PostgreSQL database."""
    out = [("SQLite", f"sqlite:///{tmp / f'{tag}.db'}", lambda: None)]
    if not args.skip_pg:
        url, drop = _pg_database(args.pg_url or os.environ.get("BENCH_PG_URL") or DEFAULT_PG)
        if url is None:
            log(f"  PostgreSQL skipped: cannot create a database ({drop}).")
        else:
            out.append(("PostgreSQL", url, drop))
    return out


def request_path(args, tmp: Path) -> None:
    from bench import request_path as rp

    targets = {"SQLite": 1.0, "PostgreSQL": 2.5}
    log("\n== Request path: run() and stream() over a direct openai SDK call with the same body ==")
    log("  (loopback simulator in its own process, answering at once; a cover letter: snapshot, job and "
        "profile read, reservation, durable ledger row, settlement, saved document; interleaved pairs)")
    for name, url, drop in _databases(args, tmp, "overhead"):
        try:
            r = rp.measure_overhead(url, tmp / f"overhead_{name}")
        finally:
            drop()
        for mode in ("run", "stream"):
            m = r[mode]
            verdict = ""
            if mode == "run":
                met = m["overhead_p50"] <= targets[name]
                verdict = f"   target <= {targets[name]:g} ms: {'met' if met else 'MISSED'}"
            log(f"  {name:10} {mode + '()':9} direct p50 {m['direct_p50']:.2f} ms; orchestrated p50 "
                f"{m['run_p50']:.2f} ms, p95 {m['run_p95']:.2f} ms; overhead p50 {m['overhead_p50']:.2f} ms "
                f"(p95 {m['overhead_p95']:.2f}); direct : orchestrated = 1 : "
                f"{m['run_p50'] / m['direct_p50']:.2f}{verdict}")
        c = r["counts"]
        log(f"  {name:10} per request: {c['statements']} SQL statements (BEGIN/COMMIT not counted) in "
            f"{c['transactions']} write transactions; {c['orm_statements']} through the ORM")
    from bench import tracing_overhead

    log("\n== OpenTelemetry tracing: the same request path with tracing off and on (a batching exporter that "
        "drops the spans), interleaved ==")
    for name, url, drop in _databases(args, tmp, "tracing"):
        try:
            r = tracing_overhead.measure(url, tmp / f"tracing_{name}")
        finally:
            drop()
        for line in tracing_overhead.report(name, r):
            log(line)
    log(f"\n== Request path under load: one process, 16 threads for 16 users, provider answering in 50 ms, "
        f"{args.load_seconds:g} s ==")
    for name, url, drop in _databases(args, tmp, "load"):
        try:
            r = rp.measure_load(url, tmp / f"load_{name}", seconds=args.load_seconds)
        finally:
            drop()
        log(f"  {name:10} {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms; "
            f"{r['ok']} served, {r['errors']} errors{' ' + str(r['error_types']) if r['errors'] else ''}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--users", type=int, default=5_000)
    p.add_argument("--pg-url", default=None, help=f"PostgreSQL admin URL (default $BENCH_PG_URL or {DEFAULT_PG})")
    p.add_argument("--skip-pg", action="store_true")
    p.add_argument("--skip-pipeline", action="store_true", help="skip the request-path benchmarks")
    p.add_argument("--only-pipeline", action="store_true", help="only the request-path benchmarks")
    p.add_argument("--only-match", action="store_true", help="only the match score's time (bench.matching)")
    p.add_argument("--only-ocr", action="store_true", help="only the offline OCR's time per screenshot (bench.ocr)")
    p.add_argument("--only-pages", action="store_true",
                   help="only the server-side render time per page on the demo data (bench.page_render)")
    p.add_argument("--load-seconds", type=float, default=10.0)
    args = p.parse_args(argv)
    if args.only_match:
        from bench import matching

        return 0 if matching.report(log) else 1
    if args.only_ocr:
        from bench import ocr

        return 0 if ocr.report(log) else 1
    if args.only_pages:
        from bench import page_render

        return 0 if page_render.report(log) else 1

    now = datetime.now(UTC)
    started = time.perf_counter()
    results = {}
    ok = True
    with tempfile.TemporaryDirectory(prefix="orch_bench_") as tmp:
        if not args.only_pipeline:
            sqlite_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            results["SQLite"] = run_backend("SQLite", sqlite_url, args, now)
            if args.skip_pg:
                log("\nPostgreSQL skipped (--skip-pg).")
            else:
                url, drop = _pg_database(args.pg_url or os.environ.get("BENCH_PG_URL") or DEFAULT_PG)
                if url is None:
                    log(f"\nPostgreSQL skipped: cannot create a database ({drop}).")
                else:
                    try:
                        results["PostgreSQL"] = run_backend("PostgreSQL", url, args, now)
                    finally:
                        drop()
            ok = print_table(results)
            print_scrapes(results)
        if not args.skip_pipeline:
            request_path(args, Path(tmp))
        from bench import matching

        matching.report(log)
        from bench import ocr

        ocr.report(log)
        from bench import page_render

        page_render.report(log)
    verdict = "" if args.only_pipeline else "Every analytics query is under 1 s cold on SQLite." if ok else \
        "SOME QUERIES TOOK 1 s OR MORE COLD ON SQLITE."
    log(f"\nTotal bench time {time.perf_counter() - started:.0f} s. {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
