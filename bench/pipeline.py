"""Pipeline overhead on the offline engine: ``run()`` wall time against the engine's own
time for the same call (the successful attempt's ``latency_ms``, measured by the
pipeline around the adapter call), which is this bench's baseline."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from cryptography.fernet import Fernet

RUNS = 30
POSTING = (Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "postings" / "linkedin_data_engineer.txt")


def bench_pipeline(url: str, data_dir: Path, runs: int = RUNS) -> dict[str, float]:
    from orchestrator import Orchestrator
    from orchestrator.config import Settings
    from orchestrator.services.users import add_user

    settings = Settings.load(data_dir=data_dir, master_keys=(Fernet.generate_key().decode(),))
    orch = Orchestrator(database_url=url, settings=settings)
    try:
        try:
            add_user(orch, email="pipeline@bench.example.com", plan="pro")
        except Exception:  # noqa: BLE001  (exists from an earlier run)
            pass
        text = POSTING.read_text()
        orch.run("extract_job", user="pipeline@bench.example.com", text=text, regenerate=True)  # warm-up
        wall, engine, hits = [], [], []
        for i in range(runs):
            t = time.perf_counter()
            r = orch.run("extract_job", user="pipeline@bench.example.com", text=f"{text}\n\nRef {i}",
                         regenerate=True)
            wall.append((time.perf_counter() - t) * 1000)
            engine.append(r.attempts[-1].latency_ms)
        for _ in range(10):
            t = time.perf_counter()
            orch.run("extract_job", user="pipeline@bench.example.com", text=text)
            hits.append((time.perf_counter() - t) * 1000)
        return {"run_ms": statistics.median(wall), "engine_ms": statistics.median(engine),
                "cache_hit_ms": statistics.median(hits), "provider": r.provider}
    finally:
        orch.close()
