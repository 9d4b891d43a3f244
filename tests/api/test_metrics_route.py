"""``GET /metrics`` as the one server mounts it, on SQLite and PostgreSQL: who may scrape
(a bearer token when one is configured, loopback clients only when none is), the
Prometheus content type, figures that follow the ledger, and a real uvicorn on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from orchestrator import Orchestrator, metrics
from orchestrator.http import shared
from orchestrator.http.browser import BrowserSessionMiddleware
from orchestrator.http.metrics import is_loopback, metrics_endpoint, metrics_routes
from tests.conftest import test_settings
from tests.support import POSTING

TOKEN = "metrics-Token-0123456789abcdefXYZ"
REMOTE = ("203.0.113.5", 50000)
LOOPBACK = ("127.0.0.1", 50000)
ROOT = Path(__file__).resolve().parents[2]
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def serve(database_url, tmp_path):
    """``serve(token=None)`` -> a function making TestClients (``client=(host, port)``) on the
    metrics route as app.py mounts it, with the process's orchestrator on the test database."""
    made: list[Orchestrator] = []

    def start(token: str | None = None):
        orch = Orchestrator(database_url=database_url, settings=test_settings(tmp_path, metrics_token=token))
        made.append(orch)
        shared.install(orch)
        app = Starlette(routes=metrics_routes(), middleware=[Middleware(BrowserSessionMiddleware)])
        return orch, lambda client: TestClient(app, client=client, follow_redirects=False)

    metrics.clear_cache()
    yield start
    shared.install(None)
    metrics.clear_cache()
    for orch in made:
        orch.close()


def families(text: str) -> dict:
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_without_a_token_loopback_clients_scrape(serve):
    orch, client = serve()
    orch.run("extract_job", user=_user(orch), text=POSTING)
    for peer in (LOOPBACK, ("::1", 50000), ("127.0.0.2", 1)):
        r = client(peer).get("/metrics")
        assert r.status_code == 200, peer
        assert r.headers["content-type"] == metrics.CONTENT_TYPE_LATEST
        fams = families(r.text)
        assert {"orchestrator_attempts", "orchestrator_cost_usd", "orchestrator_tokens",
                "orchestrator_request_duration_seconds", "orchestrator_quota_denials",
                "orchestrator_circuit_state"} <= set(fams)
        (sample,) = [s for s in fams["orchestrator_attempts"].samples if s.labels["task"] == "extract_job"]
        assert sample.value == 1 and sample.labels["status"] == "success"


def test_without_a_token_other_clients_are_refused_and_told_what_to_set(serve):
    _orch, client = serve()
    r = client(REMOTE).get("/metrics")
    assert r.status_code == 403
    assert "ORCHESTRATOR_METRICS_TOKEN" in r.text and "orchestrator_" not in r.text
    assert client(("testclient", 1)).get("/metrics").status_code == 403  # not an address: not loopback


def test_with_a_token_every_client_needs_it(serve):
    _orch, client = serve(TOKEN)
    for peer in (REMOTE, LOOPBACK):
        c = client(peer)
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {TOKEN}x"},
                        {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer "}):
            r = c.get("/metrics", headers=headers)
            assert r.status_code == 401, (peer, headers)
            assert r.headers["www-authenticate"].startswith("Bearer") and TOKEN not in r.text
        r = c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and "orchestrator_circuit_state" in r.text


def test_a_browser_opening_metrics_is_not_sent_to_sign_in(serve):
    _orch, client = serve()
    r = client(LOOPBACK).get("/metrics", headers=BROWSER)
    assert r.status_code == 200 and r.text.startswith("# HELP")


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("::ffff:127.0.0.1")
    assert not any(is_loopback(h) for h in ("10.0.0.1", "192.168.1.2", "::ffff:10.0.0.1", "localhost",
                                            "", None, "0.0.0.0", "::"))


def test_the_one_server_mounts_the_route():
    # in a child process: importing app.py sets process-wide Streamlit state (see app.py)
    probe = ("import app; print([f'{r.endpoint.__module__}.{r.endpoint.__name__}' "
             "for r in app.app._user_routes if getattr(r, 'path', None) == '/metrics'])")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == f"['{metrics_endpoint.__module__}.metrics_endpoint']"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_server_on_loopback_answers_a_scrape(serve):
    import uvicorn

    orch, _client = serve()
    app = Starlette(routes=metrics_routes())
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)
        r = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30)
        assert r.status_code == 200 and r.headers["content-type"] == metrics.CONTENT_TYPE_LATEST
        assert "orchestrator_circuit_state" in families(r.text)
    finally:
        server.should_exit = True
        thread.join(10)


def _user(orch) -> str:
    from orchestrator.seeding.demo import _accounts

    _accounts(orch)
    return "free@example.com"
