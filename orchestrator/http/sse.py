"""Server-sent events for streamed drafts: the pipeline's events as ``data:`` lines.

Every event is one JSON object with a ``type``: ``chunk`` (text as it is written),
``restart`` (the stream broke; discard the text so far, ``action`` says whether the same
provider is tried again or another takes over), ``result`` (the final answer, same fields
as the JSON answer) or ``error`` (the request failed after the stream had begun).

The first event is pulled *before* the response starts, so everything that fails early
(authentication, validation, a job that is not yours, quota, every provider failing
before any text) is still an ordinary JSON error with its HTTP status and headers. Once
the 200 and its headers are out, a failure can only be told in-band.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio
from fastapi.responses import StreamingResponse

from orchestrator.http import errors
from orchestrator.http.threads import iterate_in_thread
from orchestrator.result import Result, StreamRestart

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def encode(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def restart_event(restart: StreamRestart) -> dict[str, Any]:
    return {"type": "restart", "action": restart.action, "provider": restart.provider,
            "reason": restart.reason, "message": restart.describe()}


def error_event(exc: BaseException) -> dict[str, Any]:
    return {"type": "error", **errors.body_of(exc), "status": errors.status_of(exc)}


def event_of(item: Any, result_fields: Callable[[Result], dict[str, Any]]) -> dict[str, Any]:
    if isinstance(item, Result):
        return {"type": "result", **result_fields(item)}
    if isinstance(item, StreamRestart):
        return restart_event(item)
    return {"type": "chunk", "text": str(item)}


async def start(make: Callable[[], Iterator[Any]]) -> tuple[Any, AsyncIterator[Any]]:
    """Run ``make()`` (a blocking generator such as ``orch.stream(...)``) on a worker thread and
    pull its first event (None if there is none), before any response starts: what it raises
    before that is raised here, so the route answers it with its HTTP status. Returns the first
    event and the rest; whoever streams the rest must ``close`` it at the end."""
    events = iterate_in_thread(make)
    try:
        return await events.__anext__(), events
    except StopAsyncIteration:
        return None, events
    except BaseException:
        await close(events)
        raise


async def stream_response(make: Callable[[], Iterator[Any]],
                          result_fields: Callable[[Result], dict[str, Any]]) -> StreamingResponse:
    """``make()`` run on a worker thread (``start``) and sent as events; the generator is
    closed if the client goes away."""
    first, events = await start(make)

    async def body() -> AsyncIterator[bytes]:
        try:
            if first is None:
                return
            yield encode(event_of(first, result_fields))
            async for item in events:
                yield encode(event_of(item, result_fields))
        except Exception as exc:  # noqa: BLE001 - told to the client in-band, details logged by body_of
            yield encode(error_event(exc))
        finally:
            await close(events)

    return StreamingResponse(body(), media_type="text/event-stream", headers=HEADERS)


async def close(events) -> None:
    """Close the thread's generator even when the response was cancelled (client gone)."""
    with anyio.CancelScope(shield=True):
        await events.aclose()
