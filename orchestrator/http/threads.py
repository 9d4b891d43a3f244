"""Running the (blocking) pipeline and services from async routes.

Streamlit's server gives AnyIO's default thread pool 28 tokens for static files; API
calls that wait seconds on a provider must not starve it, so they run on a limiter
of their own. A streamed answer runs its generator on one worker thread and hands
events to the event loop through a queue; if the client goes away, the generator is
closed in its thread, so the pipeline records the attempt as cancelled and gives its
quota holds back.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

API_THREADS = 32
_limiter: anyio.CapacityLimiter | None = None
_DONE = object()


def limiter() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(API_THREADS)
    return _limiter


async def run_blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs), limiter=limiter())


async def iterate_in_thread(make: Callable[[], Iterator[Any]]) -> AsyncIterator[Any]:
    """Yield what the generator ``make()`` yields, running it on a worker thread. An exception
    it raises is re-raised here; closing this iterator closes the generator (in its thread)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    stop = threading.Event()

    def post(kind: str, value: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, value))
        except RuntimeError:  # the event loop is gone (server shutting down): nobody is listening
            stop.set()

    def pump() -> None:
        gen = make()
        try:
            for item in gen:
                post("item", item)
                if stop.is_set():
                    break
        except BaseException as exc:  # noqa: BLE001 - handed to the async side
            post("error", exc)
            return
        finally:
            gen.close()  # a client that left: GeneratorExit in the pipeline records the cancellation
        post("done", _DONE)

    # The token is held on behalf of this iterator, not of a task: a streamed response pulls its
    # first event in the route (so early errors are plain JSON) and the rest in its body's task.
    borrower = object()
    await limiter().acquire_on_behalf_of(borrower)
    try:
        thread = threading.Thread(target=pump, name="api-stream", daemon=True)
        thread.start()
        while True:
            kind, value = await queue.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        limiter().release_on_behalf_of(borrower)
