"""A separate OS process firing concurrent requests (used by the reliability suite).

Usage: python tests/reliability/worker.py DATABASE_URL USER THREADS START_AT TAG
Prints one JSON line: {"ok": n, "denied": n, "errors": [...]}.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from orchestrator import Orchestrator, QuotaExceeded  # noqa: E402


def main() -> None:
    url, user, threads, start_at, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    orch = Orchestrator(database_url=url, migrate=False, seed=False)
    counts = {"ok": 0, "denied": 0, "errors": []}
    lock = threading.Lock()

    def one(i: int) -> None:
        text = f"Backend Engineer ({tag}-{i})\nAcme Ltd, London\nPython, SQL and Docker. £50,000 per year."
        try:
            orch.run("extract_job", user=user, text=text)
            key = "ok"
        except QuotaExceeded:
            key = "denied"
        except Exception as exc:  # reported, and the test fails on it
            with lock:
                counts["errors"].append(f"{type(exc).__name__}: {exc}")
            return
        with lock:
            counts[key] += 1

    workers = [threading.Thread(target=one, args=(i,)) for i in range(threads)]
    time.sleep(max(0.0, start_at - time.time()))
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
