"""Prometheus metrics (``GET /metrics``), read from the database at scrape time.

Every number is a lifetime total of the usage ledger (and the circuit breaker's table),
computed when scraped from the rollups plus the rows not rolled up yet
(``orchestrator/metrics_queries.py``). Nothing is counted in process memory, so the
figures are exact however many app processes and CLI runs share the database, survive
restarts, and are the same whichever process answers the scrape.

The rendered text is cached per process and database for ``settings.metrics_cache_s``
seconds (default 5): scrapes inside that window cost nothing, and one scrape at a time
does the reads (others wait for it and share its answer). The sums of complete days are
kept too, for as long as the rollups do not change, so a scrape after the first reads only
today's rows (see ``metrics_queries``). Money is summed as exact
``Decimal`` and becomes a float only here, at the exposition boundary.

The collector yields metric families into a registry of its own (never the global one,
so nothing else a library registers leaks in, and two databases in one process stay apart).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.utils import floatToGoString

from orchestrator import rollups
from orchestrator.metrics_queries import LE_MS, Totals, clear_rollup_cache, read_totals

__all__ = ["CONTENT_TYPE_LATEST", "LE_MS", "CIRCUIT_VALUES", "clear_cache", "collect", "render"]

CIRCUIT_VALUES = {"closed": 0, "half_open": 1, "open": 2}
LE_LABELS: tuple[str, ...] = tuple(floatToGoString((b - 1) / 1000) for b in LE_MS)

HELP = {
    "attempts": "Ledger rows (one per attempt: provider calls, cache hits, quota denials) by status as "
                "the ledger records it (success, error, cached, quota_denied). Exact across processes: "
                "read from the database at scrape time.",
    "cost": "Cost in US dollars of priced attempts, summed exactly from the ledger (unpriced attempts "
            "are not in it: see orchestrator_unpriced_attempts_total).",
    "unpriced": "Attempts of models without a price (their cost is unknown, not zero).",
    "tokens": "Tokens by kind as the ledger records them: input (includes cached and cache_write), output "
              "(includes reasoning), cached (cache reads), cache_write, reasoning.",
    "duration": "Duration of provider calls (ledger status success or error) in seconds, from the ledger's "
                "integer-millisecond latency. Bounds le=(2^k-1)/1000 s for k=4..17 (15 ms .. 131 s) are "
                "boundaries of the rollups' log-spaced latency buckets, so every count is exact.",
    "denials": "Requests refused by a quota, by plan and by the limit that refused them (reason: "
               "requests_per_day, tokens_per_month, cost_cap_usd_month, credit...).",
    "circuit": "Circuit breaker state of each provider: 0 closed, 1 half_open, 2 open.",
}


class LedgerCollector:
    """A custom collector over one ``Totals`` snapshot (no ``describe``: nothing is read at registration)."""

    def __init__(self, totals: Totals):
        self.totals = totals

    def collect(self):
        t = self.totals
        c = CounterMetricFamily("orchestrator_attempts", HELP["attempts"],
                                labels=("provider", "model", "task", "status"))
        for key, n in sorted(t.attempts.items()):
            c.add_metric(key, n)
        yield c

        c = CounterMetricFamily("orchestrator_cost_usd", HELP["cost"], labels=("provider", "model", "plan"))
        for key, usd in sorted(t.cost.items()):
            c.add_metric(key, float(usd))  # exact Decimal until here
        yield c

        c = CounterMetricFamily("orchestrator_unpriced_attempts", HELP["unpriced"], labels=("provider", "model"))
        for key, n in sorted(t.unpriced.items()):
            c.add_metric(key, n)
        yield c

        c = CounterMetricFamily("orchestrator_tokens", HELP["tokens"], labels=("provider", "model", "kind"))
        for key, n in sorted(t.tokens.items()):
            c.add_metric(key, n)
        yield c

        h = HistogramMetricFamily("orchestrator_request_duration_seconds", HELP["duration"],
                                  labels=("task", "provider"))
        for key, slots in sorted(t.latency.items()):
            cumulative, seen = [], 0
            for le, n in zip((*LE_LABELS, "+Inf"), slots, strict=True):
                seen += n
                cumulative.append((le, seen))
            h.add_metric(key, cumulative, t.latency_sum_ms.get(key, 0) / 1000)
        yield h

        c = CounterMetricFamily("orchestrator_quota_denials", HELP["denials"], labels=("plan", "reason"))
        for key, n in sorted(t.denials.items()):
            c.add_metric(key, n)
        yield c

        g = GaugeMetricFamily("orchestrator_circuit_state", HELP["circuit"], labels=("provider",))
        for name, state in sorted(t.circuits.items()):
            g.add_metric((name,), CIRCUIT_VALUES.get(state, CIRCUIT_VALUES["open"]))
        yield g


def collect(orch, *, now: datetime | None = None) -> Totals:
    """Bring the rollups up to date (cheap when they are) and read every total."""
    rollups.refresh_rollups(orch.db, now=now)
    return read_totals(orch.db)


def exposition(totals: Totals) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LedgerCollector(totals))
    return generate_latest(registry)


# ----------------------------------------------------------------- the per-process cache

_cache: dict[str, tuple[float, bytes]] = {}
_busy: dict[str, threading.Lock] = {}
_lock = threading.Lock()


def render(orch, *, now: datetime | None = None, use_cache: bool = True) -> bytes:
    """The exposition text for ``orch``'s database, at most ``settings.metrics_cache_s`` old."""
    ttl = float(orch.settings.metrics_cache_s)
    if not use_cache or ttl <= 0:
        return exposition(collect(orch, now=now))
    key = orch.db.url
    with _lock:
        busy = _busy.setdefault(key, threading.Lock())
    with busy:  # one scrape reads the database; concurrent ones wait and take its answer
        with _lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        body = exposition(collect(orch, now=now))
        with _lock:
            _cache[key] = (time.monotonic() + ttl, body)
        return body


def clear_cache() -> None:
    """Forget the rendered text and the rollups' sums (the next scrape reads everything)."""
    with _lock:
        _cache.clear()
    clear_rollup_cache()
