"""Streamed drafts over the REST API (``"stream": true``): server-sent events as a client
reads them, a provider breaking mid-stream, failures before and after the first byte, and
a client that leaves (against a real server on loopback)."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest
from sqlalchemy import select

from db.models import Reservation
from orchestrator import ledger, settings_store
from orchestrator.services.admin import plans
from tests.api.conftest import bearer
from tests.sim_support import set_chain
from tests.support import POSTING, operator

DRAFT, LETTER = "/cv-drafter/draft", "/cover-letter/generate"


def events_of(body: str) -> list[dict]:
    """The JSON of every ``data:`` event, in order; anything else in the stream fails the test."""
    out = []
    for block in body.split("\n\n"):
        if not block.strip():
            continue
        assert block.startswith("data: ") and "\n" not in block, block
        out.append(json.loads(block[len("data: "):]))
    return out


def _job(api, headers) -> int:
    r = api.post("/job-extractor/extract", json={"text": POSTING}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["job_id"]


def _held(orch) -> list:
    with orch.db.read() as s:
        return s.scalars(select(Reservation).where(Reservation.status == "held")).all()


@pytest.mark.parametrize("path", [DRAFT, LETTER])
def test_stream_sends_chunks_then_the_result(api, api_orch, token_for, path):
    headers = bearer(token_for())
    job_id = _job(api, headers)
    r = api.post(path, json={"job_id": job_id, "stream": True, "language": "English"}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["cache-control"] == "no-cache" and r.headers["x-accel-buffering"] == "no"
    events = events_of(r.text)
    chunks, result = events[:-1], events[-1]
    assert len(chunks) > 1 and all(e["type"] == "chunk" for e in chunks)
    assert result["type"] == "result" and result["document_id"] > 0 and result["provider"] == "offline"
    assert "".join(e["text"] for e in chunks).strip() == result["text"].strip()
    assert set(result) >= {"text", "provider", "model", "usage", "cost_usd", "cached", "request_id"}
    saved = api.get(f"/documents/{result['document_id']}", headers=headers).json()
    assert saved["text"] == result["text"]
    rows = ledger.recent(api_orch.db, request_id=result["request_id"])
    assert [(x["status"], x["origin"]) for x in rows] == [("success", "api")] and rows[0]["token_id"]


def test_a_provider_breaking_mid_stream_is_told_and_the_next_one_finishes(api, sim_orch, fresh_sim, token_for):
    headers = bearer(token_for())
    job_id = _job(api, headers)
    set_chain(sim_orch, "freemium", "draft_cv", "sim-gemini:gemini-2.5-flash-lite,sim-openai:gpt-4o-mini")
    fresh_sim.set_sticky_fault("gemini", kind="stream_cut", after=3)
    r = api.post(DRAFT, json={"job_id": job_id, "stream": True}, headers=headers)
    assert r.status_code == 200, r.text
    events = events_of(r.text)
    kinds = [e["type"] for e in events]
    at = kinds.index("restart")
    assert kinds[:at] == ["chunk"] * at and at >= 1  # text was shown before the break
    restart, result = events[at], events[-1]
    assert (restart["action"], restart["provider"]) == ("fallback", "sim-openai")
    assert restart["reason"] and restart["message"].endswith("continuing with sim-openai.")
    after = events[at + 1:-1]
    assert after and all(e["type"] == "chunk" for e in after)
    assert result["type"] == "result" and result["provider"] == "sim-openai"
    assert "".join(e["text"] for e in after).strip() == result["text"].strip()
    rows = ledger.recent(sim_orch.db, request_id=result["request_id"])
    assert [(x["provider"], x["status"], x["error_type"], x["origin"]) for x in rows] == [
        ("sim-gemini", "error", "stream_broken", "api"), ("sim-openai", "success", None, "api")]
    assert len({x["token_id"] for x in rows}) == 1 and rows[0]["token_id"]


def test_failing_after_the_first_byte_is_an_error_event(api, sim_orch, fresh_sim, token_for):
    headers = bearer(token_for())
    job_id = _job(api, headers)
    set_chain(sim_orch, "freemium", "cover_letter", "sim-gemini:gemini-2.5-flash-lite")
    settings_store.put(sim_orch.db, "offline_fallback", False)
    fresh_sim.set_sticky_fault("gemini", kind="stream_cut", after=2)
    r = api.post(LETTER, json={"job_id": job_id, "stream": True}, headers=headers)
    assert r.status_code == 200
    events = events_of(r.text)
    assert events[0]["type"] == "chunk" and {e["type"] for e in events[:-1]} <= {"chunk", "restart"}
    error = events[-1]
    assert error["type"] == "error" and error["error_type"] == "AllProvidersFailed" and error["status"] == 502
    assert "Traceback" not in r.text and "result" not in [e["type"] for e in events]
    assert _held(sim_orch) == []


def test_failures_before_the_first_byte_are_plain_json_errors(api, api_orch, token_for):
    headers = bearer(token_for())
    job_id = _job(api, headers)
    cases = [({}, {"job_id": job_id, "stream": True}, 401),
             (headers, {"job_id": 999_999, "stream": True}, 404),
             (headers, {"job_id": job_id, "stream": True, "tone": "sarcastic"}, 422)]
    for hdrs, body, status in cases:
        r = api.post(DRAFT, json=body, headers=hdrs)
        assert r.status_code == status and r.headers["content-type"] == "application/json", (body, r.text)
        assert r.json()["error"]
    plans.set_limits(api_orch, code="freemium", requests_per_day=1, actor=operator())
    r = api.post(LETTER, json={"job_id": job_id, "stream": True}, headers=headers)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert r.json()["error_type"] == "QuotaExceeded"


# ----------------------------------------------- a client that leaves mid-stream


@pytest.fixture
def server(api_orch):
    """The API mounted at /api/v1 on a real uvicorn server on a loopback port."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from orchestrator.http.api import create_api

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = Starlette(routes=[Mount("/api/v1", app=create_api())])
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1"
    srv.should_exit = True
    thread.join(10)
    sock.close()


def test_a_client_that_leaves_cancels_the_request_and_frees_its_holds(server, sim_orch, fresh_sim, token_for):
    headers = bearer(token_for())
    with httpx.Client(base_url=server, headers=headers, timeout=10) as client:
        job_id = client.post("/job-extractor/extract", json={"text": POSTING}).json()["job_id"]
        set_chain(sim_orch, "freemium", "draft_cv", "sim-openai:gpt-4o-mini")
        fresh_sim.chunk_delay = 0.05
        try:
            with client.stream("POST", DRAFT, json={"job_id": job_id, "stream": True}) as r:
                assert r.status_code == 200
                first = next(r.iter_lines())
                assert json.loads(first[len("data: "):])["type"] == "chunk"
            deadline, rows = time.monotonic() + 15, []
            while time.monotonic() < deadline:
                rows = [x for x in ledger.recent(sim_orch.db, user_id=None) if x["task_type"] == "draft_cv"]
                if rows and not _held(sim_orch):
                    break
                time.sleep(0.1)
        finally:
            fresh_sim.chunk_delay = 0.0
    assert [(x["status"], x["error_type"], x["origin"]) for x in rows] == [("error", "cancelled", "api")]
    assert _held(sim_orch) == []
    assert client.is_closed
