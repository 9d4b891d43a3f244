"""Streamed chat completions: the pipeline's events as OpenAI ``chat.completion.chunk`` SSE.

The wire, as OpenAI sends it: ``data: {chunk}\\n\\n`` events, a first chunk with
``delta.role``, content deltas, a chunk with ``finish_reason``, with
``stream_options.include_usage`` one more chunk with empty ``choices`` and the
``usage``, then ``data: [DONE]``.

Errors before the first byte get a real HTTP status: the first event (the first
text, or the error that came instead) is pulled before the response starts. An
error after it is an OpenAI error object sent as a data event (the OpenAI SDKs
raise ``APIError`` on it), and the stream ends without ``[DONE]``.

**A restart ends the stream with an error.** When a provider breaks off after text
was sent, the pipeline yields a ``StreamRestart`` and would carry on with the same
provider or the next one. OpenAI's format has no way to take back text already sent,
so carrying on would hand the client the broken beginning followed by a different
answer, glued together as if it were one. The gateway instead stops the pipeline right
there (``until_restart``, in the worker thread, before any retry or fallback starts) and
ends the stream with an error event that says what happened. The attempt that broke is
in the ledger, nothing is charged, and the client may send the request again (a
non-streamed request falls back transparently, since nothing is shown before the end).

The first event is pulled in the route (``chat_stream``), the rest in the response's
body; if the client goes away, the body is cancelled and the thread's generator closed,
so the pipeline records the attempt as cancelled and gives its holds back (as
``http/sse.py`` does for the REST API's streamed drafts).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from fastapi.responses import StreamingResponse

from orchestrator.http.gateway_schemas import (
    ChatCall,
    chunk,
    error_object,
    extras_of,
    openai_error,
    served_model,
    usage_of,
)
from orchestrator.http.sse import HEADERS, close, encode, start
from orchestrator.result import Result, StreamRestart

DONE = b"data: [DONE]\n\n"


def restart_error(event: StreamRestart) -> dict[str, Any]:
    message = (f"The answer broke off after part of it was sent ({event.reason}). Text already streamed cannot "
               "be taken back, so this stream ends here; nothing was charged for it. Send the request again, "
               "or use stream=false, which falls back to another provider without showing a broken answer.")
    return error_object(message, type_="server_error", code="stream_interrupted")


def until_restart(events: Iterator[Any]) -> Iterator[Any]:
    """The pipeline's events up to and including a ``StreamRestart``, then the pipeline is closed
    at once, in its own thread: no retry or fallback starts for an answer nobody will receive,
    so nothing is charged for it (the attempt that broke stays in the ledger)."""
    try:
        for event in events:
            yield event
            if isinstance(event, StreamRestart):
                return
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()


async def chat_stream(make: Callable[[], Iterator[Any]], call: ChatCall) -> StreamingResponse:
    """``make()`` (``orch.stream(...)``) on a worker thread, as chunk events. Raises what the
    pipeline raises before its first event, so the route answers it with its HTTP status."""
    first, events = await start(lambda: until_restart(make()))
    body = _Chunks(call, first, events)
    return StreamingResponse(body.events(), media_type="text/event-stream", headers=HEADERS)


class _Chunks:
    """One streamed answer's events: the role chunk, content chunks, the finish and usage chunks."""

    def __init__(self, call: ChatCall, first: Any, rest: AsyncIterator[Any]) -> None:
        self.call, self.first, self.rest = call, first, rest
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())

    def _chunk(self, model: str, delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> bytes:
        return encode(chunk(self.id, self.created, model, delta, finish, **extra))

    async def events(self) -> AsyncIterator[bytes]:
        try:
            async for data in self._events():
                yield data
        finally:
            await close(self.rest)

    async def _events(self) -> AsyncIterator[bytes]:
        label = self.call.model_label
        yield self._chunk(label, {"role": "assistant", "content": "", "refusal": None})
        event = self.first
        try:
            while not isinstance(event, Result):
                if isinstance(event, StreamRestart):
                    yield encode(restart_error(event))
                    return
                if event:
                    yield self._chunk(label, {"content": event})
                event = await self.rest.__anext__()
        except StopAsyncIteration:
            yield encode(error_object("The stream ended without an answer.", type_="server_error",
                                      code="internal_error"))
            return
        except Exception as exc:  # noqa: BLE001 - after the first byte: an error event, then the end
            _status, body, _headers = openai_error(exc, model_named=self.call.model is not None)
            yield encode(body)
            return
        model = served_model(event)
        yield self._chunk(model, {}, event.finish_reason or "stop", orchestrator=extras_of(event))
        if self.call.include_usage:
            yield self._chunk(model, None, usage=usage_of(event))
        yield DONE
