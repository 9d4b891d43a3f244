"""A cap on request bodies, enforced before anything parses them.

The largest legitimate body is a screenshot in base64 (4/3 of ``max_image_bytes``) in a
small JSON object; a body above ``BODY_FACTOR`` x ``max_image_bytes`` is refused with 413
without being read: at once from its ``Content-Length``, or, for a chunked body that
declares no length, as soon as the bytes received pass the cap. Without it a client could
make the server buffer and JSON-parse any amount of memory before a route checks a size.
The cap is read from the running orchestrator's settings on each request, so it follows
``ORCHESTRATOR_MAX_IMAGE_BYTES``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BODY_FACTOR = 3


async def read_bounded(request, limit: int) -> bytes | None:
    """A route's whole body, or None as soon as it is known to pass ``limit`` bytes (from its
    ``Content-Length``, or while a chunked body arrives): never more than ``limit`` in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limit:
            return None
    return bytes(body)


def default_limit() -> int:
    from orchestrator.http import shared

    return BODY_FACTOR * shared.orchestrator().settings.max_image_bytes


def _message(limit: int) -> str:
    return (f"The request body is larger than the server accepts ({limit / 1_000_000:g} MB). "
            "Send a smaller screenshot, or a link to the posting.")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_message(limit))


class BodyLimitMiddleware:
    """ASGI middleware: 413 for a body over ``limit()`` bytes (``limit`` is called per request)."""

    def __init__(self, app: ASGIApp, limit: Callable[[], int] = default_limit) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit()
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        received = 0
        started = False

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)  # FastAPI re-raises HTTPExceptions met while reading a body
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, capped_receive, tracked_send)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, limit)


def install(app, limit: Callable[[], int] = default_limit) -> None:
    """Cap ``app``'s request bodies; a body found too large while a route reads it is answered
    as the same 413 as one refused from its ``Content-Length``."""
    from fastapi.responses import JSONResponse

    async def too_large(_request, exc: BodyTooLarge):
        return JSONResponse({"error": exc.detail, "error_type": "InputTooLarge"}, status_code=413,
                            headers={"Connection": "close"})

    app.add_exception_handler(BodyTooLarge, too_large)
    app.add_middleware(BodyLimitMiddleware, limit=limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"error": _message(limit), "error_type": "InputTooLarge"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
