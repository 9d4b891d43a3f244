"""The OpenAI-compatible gateway under ``/v1``: ``POST /chat/completions``, ``GET /models``.

Any OpenAI client (the ``openai`` SDKs, LangChain's ``ChatOpenAI``, curl) talks to the
orchestrator with its personal API token as the API key. ``model`` is ``auto`` (the
plan's routing chain for the registered conversation task, with fallback and the
offline engine as a last resort) or ``provider/model`` (exactly that model, if the
plan's routing policy uses it anywhere: ``GET /models`` lists them). Every request goes
through the same pipeline as the app: quotas, credit, fallback, cache and the ledger
(origin ``api`` with the token's id).

Requests and answers are OpenAI's shapes (``gateway_schemas.py``); streams are
``chat.completion.chunk`` events (``gateway_stream.py``); errors are OpenAI error
objects with the statuses of ``http/errors.py``, never a stack trace or a key.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from orchestrator.errors import InputTooLarge, NotFound, OrchestratorError
from orchestrator.http import shared
from orchestrator.http.auth import Caller, caller_of
from orchestrator.http.gateway_schemas import (
    AUTO,
    BadParameter,
    completion_of,
    error_object,
    model_entry,
    openai_error,
    parse_chat_request,
)
from orchestrator.http.gateway_stream import chat_stream
from orchestrator.http.limits import read_bounded
from orchestrator.http.threads import run_blocking
from orchestrator.routing import plan_models

# The registered conversation task that answers every gateway request (its name's one literal here).
CHAT_TASK = "chat"
OWNER = "ai-orchestrator"  # owned_by of the "auto" model
# JSON escapes a character in at most 6 bytes (\uXXXX); the slack covers the message envelopes
_BODY_SLACK_BYTES = 1 << 20


async def _orchestrator_and_caller(request: Request):
    orch = await run_blocking(shared.orchestrator)
    caller: Caller = await run_blocking(caller_of, orch, request.headers.get("authorization"))
    return orch, caller


async def read_json(request: Request, limit: int) -> Any:
    """The body as JSON, refused (413) as soon as it passes ``limit`` bytes: the conversation's
    own limit (``max_chat_chars``, checked by the pipeline) is in characters, this one keeps an
    oversized body from being read into memory at all."""
    body = await read_bounded(request, limit)
    if body is None:
        raise InputTooLarge(f"The request body is larger than {limit:,} bytes.")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadParameter("The request body is not valid JSON.") from None


def _models(orch, caller: Caller) -> list[dict[str, Any]]:
    cfg = orch.snapshot.config()
    entries = [model_entry(AUTO, OWNER)]
    for provider, model in plan_models(cfg, caller.user.plan):
        row = cfg.providers.get(provider)
        entries.append(model_entry(f"{provider}/{model}", row.kind if row else "unknown"))
    return entries


def _error_response(request: Request, exc: Exception) -> JSONResponse:
    status, body, headers = openai_error(exc, model_named=getattr(request.state, "model_named", False))
    return JSONResponse(body, status_code=status, headers=headers)


def create_gateway() -> FastAPI:
    app = FastAPI(title="AI Orchestrator OpenAI-compatible gateway", openapi_url=None, docs_url=None,
                  redoc_url=None)

    @app.exception_handler(OrchestratorError)
    async def _orchestrator_error(request: Request, exc: OrchestratorError):
        return _error_response(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # logged by errors.body_of, never shown
        return _error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        message = f"Invalid URL ({request.method} {request.url.path})" if exc.status_code in (404, 405) \
            else (exc.detail if isinstance(exc.detail, str) else "Request failed.")
        return JSONResponse(error_object(message, type_="invalid_request_error"), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return _error_response(request, BadParameter("Invalid request."))

    @app.post("/chat/completions")
    async def chat_completions(request: Request):
        """OpenAI Chat Completions: ``model`` ``auto`` or ``provider/model``, plain or streamed."""
        orch, caller = await _orchestrator_and_caller(request)
        body = await read_json(request, limit=6 * orch.settings.max_chat_chars + _BODY_SLACK_BYTES)
        call = parse_chat_request(body)
        request.state.model_named = call.model is not None
        run_kwargs = dict(user=caller.user.id, messages=call.messages, model=call.model, origin=caller.origin,
                          **call.options)
        if call.stream:
            return await chat_stream(lambda: orch.stream(CHAT_TASK, **run_kwargs), call)
        result = await run_blocking(orch.run, CHAT_TASK, **run_kwargs)
        return JSONResponse(completion_of(result))

    @app.get("/models")
    async def list_models(request: Request):
        """``auto`` and every ``provider/model`` the caller's plan may name."""
        orch, caller = await _orchestrator_and_caller(request)
        return {"object": "list", "data": await run_blocking(_models, orch, caller)}

    @app.get("/models/{model_id:path}")
    async def get_model(request: Request, model_id: str):
        orch, caller = await _orchestrator_and_caller(request)
        request.state.model_named = True
        for entry in await run_blocking(_models, orch, caller):
            if entry["id"] == model_id:
                return entry
        raise NotFound(f"The model {model_id[:200]!r} does not exist or is not available on your plan.")

    return app


__all__ = ["create_gateway", "CHAT_TASK"]
