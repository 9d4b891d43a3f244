"""Watching requests as they run: the hook that traces and the request inspector's payloads use.

The pipeline tells every observer of a request about each attempt as it is recorded (with
the ledger row, the model call it made and the answer it got) and about the request's end.
Observers come from factories registered here (``register``); a factory returns None for
a request it does not want to watch, and with no observer the pipeline does no extra work,
so a feature that is off costs nothing per request.

An observer must never fail or slow down the request it watches: every call is guarded,
and a failing observer is logged and dropped for the rest of that request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from orchestrator.origin import Origin
    from orchestrator.prepare import Prepared
    from orchestrator.providers.base import ChatRequest, Completion
    from orchestrator.result import Result

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestInfo:
    """What an observer factory knows about a request when it starts (after routing)."""

    request_id: str
    prepared: Prepared  # the user, the plan (``prepared.plan``), the task (``prepared.task``), the inputs
    origin: Origin
    started_ns: int     # time.time_ns() when the request started


@dataclass(frozen=True)
class AttemptInfo:
    """One recorded attempt. ``row`` is the ledger row exactly as written (``ledger.attempt_row``:
    status, provider, provider_kind, model, tokens, cost_usd, latency_ms, error_type, finish_reason,
    attempt, timestamp). ``request`` is the model call that was made (None for a quota denial);
    ``completion`` the answer received (None when the call failed before one came back).
    ``cached_text`` is the answer a cache hit served."""

    row: dict[str, Any]
    request: ChatRequest | None = None
    completion: Completion | None = None
    cached_text: str | None = None


class Observer(Protocol):
    def attempt(self, info: AttemptInfo) -> None: ...

    def finish(self, result: Result | None, error: BaseException | None) -> None:
        """The request ended: with ``result``, or with ``error`` (typed error, cancellation)."""
        ...


Factory = Callable[[Any, RequestInfo], "Observer | None"]
_FACTORIES: dict[str, Factory] = {}


def register(name: str, factory: Factory) -> None:
    """Add (or replace) a factory ``factory(orch, info) -> Observer | None``."""
    _FACTORIES[name] = factory


def unregister(name: str) -> None:
    _FACTORIES.pop(name, None)


def start(orch, info: RequestInfo) -> list[Observer]:
    """The observers watching this request (usually none)."""
    if not _FACTORIES:
        return []
    found: list[Observer] = []
    for name, factory in list(_FACTORIES.items()):
        try:
            observer = factory(orch, info)
        except Exception:  # noqa: BLE001 - observing must never fail a request
            log.exception("the %s observer could not start; the request goes on without it", name)
            continue
        if observer is not None:
            found.append(observer)
    return found


def attempt(observers: list[Observer], info: AttemptInfo) -> None:
    for observer in list(observers):
        try:
            observer.attempt(info)
        except Exception:  # noqa: BLE001
            log.exception("an observer failed on an attempt; it is dropped for this request")
            observers.remove(observer)


def finish(observers: list[Observer], result: Result | None, error: BaseException | None) -> None:
    for observer in observers:
        try:
            observer.finish(result, error)
        except Exception:  # noqa: BLE001
            log.exception("an observer failed at the end of a request")
