"""The OpenAI-compatible gateway (``/v1``) driven by the official ``openai`` SDK, on both
databases: plain and streamed answers, usage, the ledger row with its origin and token,
``auto`` and ``provider/model``, ``/v1/models``, every error an OpenAI client would act
on, fallback, a stream that breaks mid-way, the SSE wire format, and one real server."""

from __future__ import annotations

import json
import socket
import threading
import time
from types import SimpleNamespace

import httpx
import openai
import pytest

from orchestrator import ledger
from orchestrator.http.gateway import CHAT_TASK
from orchestrator.tasks.chat import OFFLINE_REPLY
from tests.api.conftest import bearer
from tests.sim_support import set_chain
from tests.support import operator

HELLO = [{"role": "user", "content": "Say hello"}]
OFFLINE = "offline/offline-engine-v1"


@pytest.fixture
def free(api_orch):
    """The free demo user with a fresh personal token (and its id, which the ledger records)."""
    from orchestrator.services.admin.users import get_user
    from orchestrator.services.user import api_tokens

    user = get_user(api_orch, email="free@example.com")
    new = api_tokens.create_token(api_orch, user_id=user.id, name="gateway test")
    return SimpleNamespace(token=new.token, token_id=new.info.id, user_id=user.id)


def sdk(http_client: httpx.Client, token: str, base_url: str = "http://testserver/v1") -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=token, http_client=http_client, max_retries=0)


@pytest.fixture
def client(gateway, free) -> openai.OpenAI:
    return sdk(gateway, free.token)


@pytest.fixture
def sims(sim_orch, fresh_sim):
    """The simulated providers on the free plan's chat chain: OpenAI first, Anthropic second."""
    set_chain(sim_orch, "freemium", CHAT_TASK, "sim-openai:gpt-4o-mini,sim-anthropic:claude-haiku-4-5")
    return fresh_sim


def rows_of(orch, request_id: str) -> list[dict]:
    return ledger.recent(orch.db, request_id=request_id)


# ------------------------------------------------------------------- answers


def test_auto_is_answered_by_the_offline_engine_and_lands_in_the_ledger(api_orch, client, free):
    r = client.chat.completions.create(model="auto", messages=[{"role": "system", "content": "Be brief."}, *HELLO])
    assert r.object == "chat.completion" and r.id.startswith("chatcmpl-")
    assert r.model == OFFLINE  # the model that really served, not "auto"
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].message.content == OFFLINE_REPLY and r.choices[0].finish_reason == "stop"
    u = r.usage
    assert u.prompt_tokens > 0 and u.completion_tokens > 0 and u.total_tokens == u.prompt_tokens + u.completion_tokens
    assert u.prompt_tokens_details.cached_tokens == 0 and u.completion_tokens_details.reasoning_tokens == 0
    extra = r.model_extra["orchestrator"]
    assert extra["provider_kind"] == "offline" and extra["cached"] is False and extra["cost_usd"] == "0"
    assert "no AI model" in extra["label"]
    assert r.id == f"chatcmpl-{extra['request_id']}"
    [row] = [x for x in ledger.recent(api_orch.db, user_id=free.user_id) if x["request_id"] == extra["request_id"]]
    assert (row["task_type"], row["status"], row["origin"], row["token_id"]) == (CHAT_TASK, "success", "api",
                                                                                  free.token_id)
    assert (row["tokens_input"], row["tokens_output"]) == (u.prompt_tokens, u.completion_tokens)


def test_streamed_answer_with_usage_in_the_last_chunk(client):
    chunks = list(client.chat.completions.create(model="auto", messages=HELLO, stream=True,
                                                 stream_options={"include_usage": True}))
    assert all(c.object == "chat.completion.chunk" for c in chunks) and len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == OFFLINE_REPLY
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finish] == ["stop"] and finish[0].model == OFFLINE
    last = chunks[-1]
    assert last.choices == [] and last.usage.completion_tokens > 0 and last.model == OFFLINE
    assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens
    without = list(client.chat.completions.create(model="auto", messages=HELLO, stream=True))
    assert all(c.usage is None for c in without) and without[-1].choices[0].finish_reason == "stop"


def test_a_named_model_is_routed_to_it_and_listed(sims, client, api_orch, free):
    listed = {m.id: m.owned_by for m in client.models.list()}
    assert listed["auto"] == "ai-orchestrator"
    assert listed["sim-openai/gpt-4o-mini"] == "openai" and listed["sim-anthropic/claude-haiku-4-5"] == "anthropic"
    assert listed[OFFLINE] == "offline"  # the rest of the plan's routing is listed too
    assert "anthropic/claude-opus-4-1" not in listed  # a pro model
    assert client.models.retrieve("sim-anthropic/claude-haiku-4-5").owned_by == "anthropic"

    r = client.chat.completions.create(model="sim-anthropic/claude-haiku-4-5", messages=HELLO, max_tokens=200,
                                       temperature=0.2)
    assert r.model == "sim-anthropic/claude-haiku-4-5" and r.choices[0].message.content
    assert [(q["vendor"], q["model"]) for q in sims.requests if q["action"] != "models"] == [
        ("anthropic", "claude-haiku-4-5")]
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
    assert r.model_extra["orchestrator"]["cost_usd"] not in (None, "0")  # priced from the catalog
    [row] = rows_of(api_orch, r.model_extra["orchestrator"]["request_id"])
    assert (row["provider"], row["status"], row["origin"], row["token_id"]) == (
        "sim-anthropic", "success", "api", free.token_id)


def test_auto_follows_the_plan_and_falls_back_when_the_first_provider_fails(sims, client, api_orch):
    assert client.chat.completions.create(model="auto", messages=HELLO).model == "sim-openai/gpt-4o-mini"
    sims.set_sticky_fault("openai", "status", status=401)  # a bad key: not retried, falls back
    r = client.chat.completions.create(model="auto", messages=HELLO)
    assert r.model == "sim-anthropic/claude-haiku-4-5" and r.choices[0].message.content
    rows = rows_of(api_orch, r.model_extra["orchestrator"]["request_id"])
    assert [(x["provider"], x["status"]) for x in rows] == [("sim-openai", "error"), ("sim-anthropic", "success")]


# -------------------------------------------------------------------- errors


def test_a_model_outside_the_plan_is_403_and_a_malformed_one_404(client):
    with pytest.raises(openai.PermissionDeniedError) as denied:
        client.chat.completions.create(model="anthropic/claude-opus-4-1", messages=HELLO)
    assert denied.value.code == "model_not_allowed" and denied.value.param == "model"
    assert "not available on the Freemium plan" in denied.value.message
    with pytest.raises(openai.PermissionDeniedError):  # before the first byte of a stream, too
        client.chat.completions.create(model="anthropic/claude-opus-4-1", messages=HELLO, stream=True)
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-4o", messages=HELLO)
    assert missing.value.code == "model_not_found"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("anthropic/claude-opus-4-1")


def test_a_bad_or_missing_token_is_401_without_echoing_it(gateway):
    wrong = "aio_pat_" + "x" * 38
    with pytest.raises(openai.AuthenticationError) as bad:
        sdk(gateway, wrong).chat.completions.create(model="auto", messages=HELLO)
    assert bad.value.code == "invalid_api_key" and bad.value.type == "invalid_request_error"
    assert wrong not in bad.value.response.text
    with pytest.raises(openai.AuthenticationError):
        sdk(gateway, wrong).models.list()
    r = gateway.post("/chat/completions", json={"model": "auto", "messages": HELLO})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working_at_once(api_orch, client, free):
    from orchestrator.services.user import api_tokens

    assert client.models.list().data
    api_tokens.revoke_token(api_orch, user_id=free.user_id, token_id=free.token_id)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="auto", messages=HELLO)


def test_a_named_model_nobody_can_serve_is_503_not_a_silent_substitute(client):
    # on the plan, but the demo's providers have no keys; "auto" would fall back to the offline engine
    with pytest.raises(openai.InternalServerError) as unavailable:
        client.chat.completions.create(model="openai/gpt-5-nano", messages=HELLO)
    assert unavailable.value.status_code == 503 and unavailable.value.code == "service_unavailable"
    assert "no API key" in unavailable.value.message


def test_quota_exhausted_is_429_with_retry_after(api_orch, client, free):
    from orchestrator.services.admin.plans import set_limits

    set_limits(api_orch, code="freemium", requests_per_day=0, actor=operator())
    with pytest.raises(openai.RateLimitError) as limited:
        client.chat.completions.create(model="auto", messages=HELLO)
    err = limited.value
    assert err.code == "insufficient_quota" and err.type == "insufficient_quota"
    retry_after = int(err.response.headers["retry-after"])
    assert retry_after >= 1
    if retry_after > 60:  # the SDKs' own quick retries would only fail again
        assert err.response.headers["x-should-retry"] == "false"
    assert "daily" in err.message.lower() or "limit" in err.message.lower()
    with pytest.raises(openai.RateLimitError):  # a stream is refused before it starts
        client.chat.completions.create(model="auto", messages=HELLO, stream=True)
    denied = [x for x in ledger.recent(api_orch.db, user_id=free.user_id) if x["status"] == "quota_denied"]
    assert denied and all((x["origin"], x["token_id"]) == ("api", free.token_id) for x in denied)


@pytest.mark.parametrize("extra,param", [
    ({"n": 2}, "n"),
    ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]}, "tools"),
    ({"response_format": {"type": "json_object"}}, "response_format"),
    ({"stop": ["\n"]}, "stop"),
    ({"top_p": 0.5}, "top_p"),
    ({"logprobs": True}, "logprobs"),
    ({"temperature": 3}, "temperature"),
    ({"max_tokens": 0}, "max_tokens"),
    ({"frobnicate": 1}, "frobnicate"),
])
def test_what_the_gateway_cannot_honour_is_refused_not_ignored(client, extra, param):
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model="auto", messages=HELLO, extra_body=extra)
    assert refused.value.param == param and refused.value.type == "invalid_request_error"


def test_neutral_values_and_harmless_extras_are_accepted(client):
    r = client.chat.completions.create(model="auto", messages=HELLO, n=1, user="u-42", seed=7, top_p=1,
                                       max_completion_tokens=300, tools=[], response_format={"type": "text"})
    assert r.choices[0].message.content == OFFLINE_REPLY


def test_images_and_oversized_conversations_are_refused(client, api_orch):
    image = [{"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                          {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}]}]
    with pytest.raises(openai.BadRequestError, match="only text content"):
        client.chat.completions.create(model="auto", messages=image)
    with pytest.raises(openai.BadRequestError, match="last message must be the user's"):
        client.chat.completions.create(model="auto", messages=[{"role": "assistant", "content": "Hi"}])
    huge = [{"role": "user", "content": "x" * (api_orch.settings.max_chat_chars + 1)}]
    with pytest.raises(openai.APIStatusError) as too_big:
        client.chat.completions.create(model="auto", messages=huge)
    assert too_big.value.status_code == 413 and too_big.value.code == "request_too_large"


def test_unknown_routes_and_bad_json_answer_in_openai_shape(gateway, free):
    r = gateway.get("/embeddings", headers=bearer(free.token))
    assert r.status_code == 404 and r.json()["error"]["type"] == "invalid_request_error"
    r = gateway.post("/chat/completions", content=b"{not json", headers=bearer(free.token))
    assert r.status_code == 400 and set(r.json()["error"]) == {"message", "type", "param", "code"}


# ------------------------------------------------------------------ streaming


def test_a_provider_failing_before_any_text_falls_back_invisibly(sims, client, api_orch):
    sims.set_sticky_fault("openai", "stream_cut", after=0)
    chunks = list(client.chat.completions.create(model="auto", messages=HELLO, stream=True,
                                                 stream_options={"include_usage": True}))
    assert chunks[-1].model == "sim-anthropic/claude-haiku-4-5" and chunks[-1].usage.completion_tokens > 0
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    plain = client.chat.completions.create(model="sim-anthropic/claude-haiku-4-5", messages=HELLO)
    assert text == plain.choices[0].message.content


def wait_for_stream_threads(timeout: float = 10) -> None:
    """The pipeline of an abandoned stream finishes closing in its worker thread (``threads.py``)."""
    deadline = time.monotonic() + timeout
    while any(t.name == "api-stream" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "a stream's worker thread did not finish"
        time.sleep(0.01)


def test_a_stream_that_breaks_after_text_ends_with_an_error_not_a_spliced_answer(sims, client, api_orch, free):
    from orchestrator.services.admin.plans import set_limits

    set_limits(api_orch, code="freemium", requests_per_day=1, actor=operator())
    sims.set_sticky_fault("openai", "stream_cut", after=2)
    stream = client.chat.completions.create(model="auto", messages=HELLO, stream=True)
    seen = []
    with pytest.raises(openai.APIError) as broke:
        for c in stream:
            seen.append(c.choices[0].delta.content or "")
    assert "".join(seen)  # part of the answer had been sent
    assert broke.value.code == "stream_interrupted" and "cannot be taken back" in broke.value.message
    rows = ledger.recent(api_orch.db, user_id=free.user_id)
    assert [(x["provider"], x["status"], x["error_type"], x["charged_usd"]) for x in rows] == [
        ("sim-openai", "error", "stream_broken", "0")]
    assert [q["vendor"] for q in sims.requests] == ["openai"]  # no fallback started for an unreceivable answer
    wait_for_stream_threads()
    sims.clear_faults()
    # the broken stream did not use up the day's only request
    assert client.chat.completions.create(model="auto", messages=HELLO).model == "sim-openai/gpt-4o-mini"
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="auto", messages=HELLO)


def test_the_last_provider_breaking_mid_stream_is_an_error_event(sims, client):
    sims.set_sticky_fault("anthropic", "stream_cut", after=2)
    with pytest.raises(openai.APIError) as broke:
        list(client.chat.completions.create(model="sim-anthropic/claude-haiku-4-5", messages=HELLO, stream=True))
    assert broke.value.code == "provider_error" and broke.value.type == "server_error"
    assert "Nothing was charged" in broke.value.message


def test_sse_wire_format(gateway, free):
    r = gateway.post("/chat/completions", headers=bearer(free.token),
                     json={"model": "auto", "messages": HELLO, "stream": True,
                           "stream_options": {"include_usage": True}})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    assert r.text.endswith("data: [DONE]\n\n")
    events = [e for e in r.text.split("\n\n") if e]
    assert all(e.startswith("data: ") and "\n" not in e for e in events)
    bodies = [json.loads(e.removeprefix("data: ")) for e in events[:-1]]
    assert bodies[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    assert bodies[-2]["choices"][0]["finish_reason"] == "stop" and bodies[-2]["choices"][0]["delta"] == {}
    assert bodies[-1]["choices"] == [] and bodies[-1]["usage"]["total_tokens"] > 0
    assert "".join(b["choices"][0]["delta"].get("content", "") for b in bodies if b["choices"]) == OFFLINE_REPLY


# --------------------------------------------------------------- real server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(api_orch):
    """The gateway mounted at /v1 (as app.py mounts it) behind a real uvicorn on loopback."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from orchestrator.http.gateway import create_gateway

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Mount("/v1", app=create_gateway())]),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(10)


def test_real_http_server_plain_and_streamed(served, free):
    with httpx.Client(timeout=30) as http:
        client = sdk(http, free.token, base_url=served)
        assert client.chat.completions.create(model="auto", messages=HELLO).choices[0].message.content \
            == OFFLINE_REPLY
        chunks = list(client.chat.completions.create(model="auto", messages=HELLO, stream=True,
                                                     stream_options={"include_usage": True}))
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == OFFLINE_REPLY
        assert chunks[-1].usage.total_tokens > 0
        assert "auto" in {m.id for m in client.models.list()}
        with pytest.raises(openai.PermissionDeniedError):
            client.chat.completions.create(model="anthropic/claude-opus-4-1", messages=HELLO, stream=True)
