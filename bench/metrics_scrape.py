"""What one ``/metrics`` scrape costs on a database that already holds the bench's ledger
(``bench.__main__.build``: ~1M rows over 90 days, rollups built).

*Cold*: a new ``Orchestrator`` each time, so a new engine (a new connection, SQLAlchemy's
statement cache empty) and the metrics caches cleared: the first scrape a fresh app
process answers, reading the rollups of every complete day and today's ledger rows. The
OS page cache and PostgreSQL's shared buffers stay warm (dropping them needs root).
*Warm*: the steady state of a process Prometheus scrapes every 15 s: the same connection,
the rendered text's cache expired, the complete days' sums still valid (the rollups did
not change), so the scrape reads the rollup state, today's rows, the quota denials and the
circuits. *Cached*: a scrape inside ``settings.metrics_cache_s`` of the previous one. Each
is the median of 5, in ms, and includes the rollup freshness check every scrape makes.
The target is <= 100 ms cold.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

RUNS = 5
TARGET_MS = 100.0


def _orchestrator(url: str, data_dir: Path):
    from cryptography.fernet import Fernet

    from orchestrator import Orchestrator
    from orchestrator.config import Settings

    settings = Settings.load(data_dir=data_dir, master_keys=(Fernet.generate_key().decode(),),
                             metrics_cache_s=60.0)
    return Orchestrator(database_url=url, settings=settings, migrate=False, seed=False)


def _ms(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def measure(url: str) -> dict:
    """Median cold, warm and cached scrape times in ms, plus the size of the answer."""
    from orchestrator import metrics, rollups

    with tempfile.TemporaryDirectory(prefix="orch_metrics_") as tmp:
        first = _orchestrator(url, Path(tmp))
        try:
            rollups.refresh_rollups(first.db)  # a day that ended since the build is rolled up outside the timing
            body = metrics.render(first, use_cache=False)
        finally:
            first.close()

        cold = []
        for _ in range(RUNS):
            orch = _orchestrator(url, Path(tmp))
            try:
                metrics.clear_cache()
                cold.append(_ms(lambda o=orch: metrics.render(o)))
            finally:
                orch.close()

        orch = _orchestrator(url, Path(tmp))
        try:
            metrics.render(orch, use_cache=False)  # remembers the complete days' sums
            warm = [_ms(lambda: metrics.render(orch, use_cache=False)) for _ in range(RUNS)]
            metrics.clear_cache()
            metrics.render(orch)
            cached = [_ms(lambda: metrics.render(orch)) for _ in range(RUNS)]
        finally:
            metrics.clear_cache()
            orch.close()
    return {
        "cold_ms": statistics.median(cold),
        "warm_ms": statistics.median(warm),
        "cached_ms": statistics.median(cached),
        "cold_max_ms": max(cold),
        "bytes": len(body),
        "series": sum(1 for line in body.decode().splitlines() if line and not line.startswith("#")),
        "target_met": statistics.median(cold) <= TARGET_MS,
    }
