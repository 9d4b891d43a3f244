"""The request path's cost, measured against its own baseline in the same run.

- **Overhead**: ``run()`` (and ``stream()``) of a cover letter routed to an OpenAI-wire
  provider against the loopback simulator (a separate process, answering at once),
  interleaved with a direct ``openai`` SDK call sending the very same request body.
  The direct call is the baseline; the difference is what the orchestrator adds: the
  snapshot, the job and profile read, the reservation, the durable ledger row, the
  settlement and the saved document.
- **Statements and transactions** per request, counted at the DBAPI level.
- **Load**: one process, 16 threads for 16 users, against the simulator answering
  every call in 50 ms: requests per second, p50 and p95, errors.

Fresh databases (a temporary SQLite file; a throwaway PostgreSQL database), so the
figures do not depend on the analytics ledger built before.
"""

from __future__ import annotations

import dataclasses
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-proj-BenchKey0123456789abcdefghijklmnop"
MODEL = "gpt-4o-mini"
PROFILE = {"name": "Ada Lovelace", "headline": "Data engineer", "email": "ada@example.com",
           "skills": ["Python", "SQL", "dbt", "Airflow"], "summary": "Builds data pipelines that stay up."}
POSTING = ("Senior Data Engineer at Acme Analytics, Berlin (hybrid). Full-time, EUR 70,000-90,000.\n"
           "Requirements: Python, SQL, dbt, Airflow, BigQuery. Responsibilities: build and run pipelines.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def simulator(*faults: str):
    """The loopback simulator in its own process (it must not share our GIL)."""
    port = _free_port()
    args = [sys.executable, "-m", "orchestrator", "simulate", "--port", str(port)]
    for f in faults:
        args += ["--fault", f]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/_sim/health", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _setup(url: str, data_dir: Path, sim_url: str, users: int):
    """An orchestrator with the simulated provider on every plan's cover-letter cell, and
    ``users`` pro users (limits lifted: the bench measures speed, not quotas) with a job each."""
    from orchestrator import Orchestrator
    from orchestrator.config import Settings
    from orchestrator.routing import RouteStep
    from orchestrator.services.admin import plans, policy, providers
    from orchestrator.services.user import profiles
    from orchestrator.services.admin import users as users_svc
    from orchestrator.services.actor import Actor

    op = Actor.operator("bench")
    settings = Settings.load(data_dir=data_dir, master_keys=(Fernet.generate_key().decode(),))
    # the bench regenerates one letter thousands of times: each is a version, so lift the per-document cap
    settings = dataclasses.replace(settings, max_document_versions=10**9)
    orch = Orchestrator(database_url=url, settings=settings)
    providers.add_provider(orch, name="bench-openai", kind="openai", base_url=sim_url + "/v1", api_key=KEY,
                           timeout_s=10, actor=op)
    policy.set_chain(orch, plan="pro", task="cover_letter", steps=[RouteStep("bench-openai", MODEL)], actor=op)
    plans.set_limits(orch, code="pro", actor=op, requests_per_day=None, tokens_per_month=None,
                     cost_cap_usd_month=None)
    jobs = []
    for i in range(users):
        email = f"bench{i}@bench.example.com"
        users_svc.add_user(orch, email=email, plan="pro", actor=op)
        profiles.save_profile(orch, user=email, profile=PROFILE)
        jobs.append((email, orch.run("extract_job", user=email, text=POSTING).job_id))
    return orch, jobs


def _direct_call(orch, email: str, job_id: int, base_url: str, stream: bool) -> Callable[[], None]:
    """The same request body the adapter sends, through a plain ``openai`` client."""
    import openai

    from orchestrator.prepare import prepare
    from orchestrator.providers.base import ChatRequest
    from orchestrator.providers.registry import get_adapter
    from orchestrator.tasks import get_task

    spec = get_task("cover_letter")
    view = orch.snapshot.user(email)
    prepared = prepare(orch.db, orch.settings, spec, user=view.user, plan=view.plan, text=None, image=None,
                       url=None, job_id=job_id, options={})
    request = ChatRequest(task=spec.name, model=MODEL, system=spec.system, prompt=prepared.prompt,
                          max_tokens=spec.default_max_tokens, schema_name=spec.name)
    params = get_adapter("openai")._params(request)
    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0, timeout=10)
    if stream:
        return lambda: [None for _ in client.chat.completions.create(
            **params, stream=True, stream_options={"include_usage": True})]
    return lambda: client.chat.completions.create(**params)


def _orchestrated_call(orch, email: str, job_id: int, stream: bool) -> Callable[[], None]:
    """The same cover letter through the orchestrator (regenerated: never a cache hit)."""
    if stream:
        return lambda: [None for _ in orch.stream("cover_letter", user=email, job_id=job_id, regenerate=True)]
    return lambda: orch.run("cover_letter", user=email, job_id=job_id, regenerate=True)


def _q(values: list[float], p: float) -> float:
    xs = sorted(values)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def measure_overhead(url: str, data_dir: Path, runs: int = 300) -> dict:
    with simulator() as sim_url:
        orch, jobs = _setup(url, data_dir, sim_url, users=1)
        try:
            email, job = jobs[0]
            out = {}
            for mode in ("run", "stream"):
                streaming = mode == "stream"
                direct = _direct_call(orch, email, job, sim_url + "/v1", streaming)
                orchestrated = _orchestrated_call(orch, email, job, streaming)
                for _ in range(30):  # warm-up: clients, snapshot, pools, caches
                    direct()
                    orchestrated()
                d, o = [], []
                for _ in range(runs):
                    t = time.perf_counter()
                    direct()
                    d.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    orchestrated()
                    o.append((time.perf_counter() - t) * 1000)
                over = [b - a for a, b in zip(d, o, strict=True)]
                out[mode] = dict(direct_p50=_q(d, .5), run_p50=_q(o, .5), run_p95=_q(o, .95),
                                 overhead_p50=statistics.median(over), overhead_p95=_q(over, .95))
            out["counts"] = count_statements(orch, email, job)
            return out
        finally:
            orch.close()


def count_statements(orch, email: str, job_id: int) -> dict:
    """SQL statements and transactions of one warm ``run()``, at the DBAPI level."""
    from sqlalchemy import event

    from orchestrator.rawsql import Cursor, RawSQL

    counts = {"statements": 0, "transactions": 0, "orm_statements": 0}
    real_run, real_batch, real_txn = Cursor.run, Cursor.batch, RawSQL.transaction
    real_read = RawSQL.read_one

    def run(self, sql, **params):
        counts["statements"] += 1
        return real_run(self, sql, **params)

    def batch(self, stmts):
        counts["statements"] += len(stmts)
        return real_batch(self, stmts)

    def txn(self):
        counts["transactions"] += 1
        return real_txn(self)

    def read_one(self, sql, **params):
        counts["statements"] += 1
        return real_read(self, sql, **params)

    def orm(*_args):
        counts["orm_statements"] += 1

    # Reload the 1 s configuration snapshot now, so its periodic reload (a few ORM reads, once a
    # second) does not fall inside the one request counted.
    orch.snapshot.invalidate()
    orch.snapshot.config(), orch.snapshot.user(email)
    Cursor.run, Cursor.batch, RawSQL.transaction, RawSQL.read_one = run, batch, txn, read_one
    event.listen(orch.db.engine, "before_cursor_execute", orm)
    try:
        orch.run("cover_letter", user=email, job_id=job_id, regenerate=True)
    finally:
        Cursor.run, Cursor.batch, RawSQL.transaction, RawSQL.read_one = real_run, real_batch, real_txn, real_read
        event.remove(orch.db.engine, "before_cursor_execute", orm)
    return counts


def measure_load(url: str, data_dir: Path, threads: int = 16, seconds: float = 10.0,
                 latency_s: float = 0.05) -> dict:
    with simulator(f"openai:latency:{latency_s}") as sim_url:
        orch, jobs = _setup(url, data_dir, sim_url, users=threads)
        try:
            for email, job in jobs:  # warm: one call per user
                orch.run("cover_letter", user=email, job_id=job, regenerate=True)
            lat: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            stop = time.monotonic() + seconds

            def worker(email: str, job: int) -> None:
                while time.monotonic() < stop:
                    t = time.perf_counter()
                    try:
                        orch.run("cover_letter", user=email, job_id=job, regenerate=True)
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        with lock:
                            errors.append(type(exc).__name__)
                        continue
                    with lock:
                        lat.append((time.perf_counter() - t) * 1000)

            started = time.monotonic()
            pool = [threading.Thread(target=worker, args=j) for j in jobs]
            for th in pool:
                th.start()
            for th in pool:
                th.join()
            elapsed = time.monotonic() - started
            return dict(rps=len(lat) / elapsed, p50=_q(lat, .5) if lat else 0.0, p95=_q(lat, .95) if lat else 0.0,
                        ok=len(lat), errors=len(errors), error_types=sorted(set(errors)), threads=threads,
                        latency_ms=latency_s * 1000)
        finally:
            orch.close()
