"""One request's life: plan -> route -> reserve -> cache -> attempt(s) -> ledger -> result.

``execute`` is a generator shared by ``run`` (which drains it) and ``stream``
(which passes text chunks through): one code path, so streamed calls are
retried, fallen back, priced and recorded exactly like the others.

Database work is one unit of work per phase (``orchestrator.books``): the user,
plan, routing, prices, settings and breaker state come from the in-process
snapshot; the first attempt's reservation (request hold and attempt hold) is one
write transaction; a served answer's ledger row, settlement, cache entry and
saved job or document are one more. A failed attempt is one transaction too.

Retry policy (the only one; SDK retries are off): 408/429/5xx, timeouts and
connection errors are retried on the same candidate with exponential backoff
and full jitter, honouring Retry-After (and Gemini's RetryInfo), within the
request deadline. Then the next candidate. An exhausted quota or credit
(``quota_exhausted``) or a request too large for the account (``too_large``)
cannot succeed on a retry: it falls back at once. Output that fails its schema
gets one repair attempt on the same model, then falls back. An answer cut at
its token limit (``truncated``) is retried once on the same model with twice
the limit (up to ``truncation_max_tokens``), then falls back: a cut-off
document is never saved as finished (tasks with ``truncation_fails`` off, the
gateway's chat, pass the "length" finish through). A stream that breaks or
ends without a finish reason falls back. The caller's own bad input never
falls back. The ledger records each attempt as it ended.

Personal data stays at home (``orchestrator.placeholders``): a provider other than the built-in
engine gets the user's name and contact details as numbered placeholders, and the answer gets the
values back before it is parsed, checked, shown, cached or saved. An answer with a placeholder
that cannot be put back is ``invalid_output``; if the placeholders cannot be made, nothing is sent
(``redaction_failed``) and the request falls back.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orchestrator import cache, health, observe, outcomes, placeholders, pricing, quota, routing
from orchestrator.books import Hold
from orchestrator.origin import PYTHON, Origin
from orchestrator.errors import (
    AllProvidersFailed,
    AttemptFailure,
    InputRejected,
    NoRouteAvailable,
    ProviderError,
    QuotaExceeded,
    SaveFailed,
)
from orchestrator.prepare import Prepared, fetch_posting, prepare, saved_row
from orchestrator.providers.base import ChatRequest, Completion, ProviderConfig, TokenUsage
from orchestrator.providers.registry import get_adapter
from orchestrator.redact import scrub
from orchestrator.result import Attempt, Result, StreamRestart
from orchestrator.snapshot import Config
from orchestrator.tasks import get_task

if TYPE_CHECKING:
    from orchestrator.client import Orchestrator




@dataclass
class _State:
    """Everything one request accumulates as it goes."""

    request_id: str
    started: float
    deadline: float
    limits: quota.Limits
    cfg: Config
    request_hold: Hold
    origin: Origin = PYTHON
    request_held: bool = False
    attempt_no: int = 0
    attempts: list[Attempt] = field(default_factory=list)
    failures: list[AttemptFailure] = field(default_factory=list)
    observers: list[observe.Observer] = field(default_factory=list)
    shield: placeholders.Shield | None = None  # the request's placeholders for personal data

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


def execute(orch: Orchestrator, task_name: str, *, user: str | int, text: str | None = None,
            image: bytes | None = None, url: str | None = None, job_id: int | None = None,
            regenerate: bool = False, streaming: bool = False, options: dict[str, Any] | None = None,
            messages: list[dict[str, Any]] | None = None, model: str | None = None,
            origin: Origin | None = None) -> Iterator[str | StreamRestart | Result]:
    settings = orch.settings
    spec = get_task(task_name)
    view = orch.snapshot.user(user)
    cfg = orch.snapshot.config()
    prepared = prepare(orch.db, settings, spec, user=view.user, plan=view.plan, text=text, image=image, url=url,
                       job_id=job_id, options=dict(options or {}), messages=messages)
    blocked = health.blocked_providers(orch.db, orch.breaker, health=cfg.health) if cfg.health else set()
    if model is not None:  # one model the caller named: only it, if the plan may use it
        route = routing.resolve_named(cfg, prepared.plan, model, needs_vision=bool(prepared.images),
                                      open_circuits=blocked)
    else:
        route = routing.resolve(cfg, prepared.plan.code, spec.name, needs_vision=bool(prepared.images),
                                open_circuits=blocked, offline_fallback=bool(cfg.settings["offline_fallback"]))
    if not route.candidates:
        raise outcomes.no_route(prepared, route)
    now = time.monotonic()
    request_id = uuid.uuid4().hex
    limits = quota.limits_for(prepared.user, prepared.plan)
    state = _State(request_id=request_id, started=now, deadline=now + settings.request_deadline_s,
                   limits=limits, cfg=cfg, origin=origin or PYTHON,
                   request_hold=quota.hold_for(user_id=prepared.user_id, request_id=request_id, attempt=0,
                                               limits=limits, now=datetime.now(UTC)))
    state.shield = placeholders.Shield(orch.db, prepared)
    state.observers = observe.start(orch, observe.RequestInfo(request_id, prepared, state.origin, time.time_ns()))
    try:
        if prepared.pending_url:
            prepared = _fetch_after_reserving(orch, prepared, state, route.candidates[0])
        for index, cand in enumerate(route.candidates):
            nxt = route.candidates[index + 1].provider_name if index + 1 < len(route.candidates) else None
            result = yield from _try_candidate(orch, prepared, state, cand, regenerate, streaming, nxt)
            if result is not None:
                if state.observers:
                    observe.finish(state.observers, result, None)
                yield result
                return
            if state.remaining() <= 0:
                state.failures.append(AttemptFailure("-", "-", "timeout", "request deadline reached"))
                break
        failed = outcomes.all_failed(prepared, state)
    except BaseException as exc:
        _release_request(orch, state)
        if state.observers:
            observe.finish(state.observers, None, exc)
        raise
    _release_request(orch, state)
    if state.observers:
        observe.finish(state.observers, None, failed)
    raise failed


def _release_request(orch, state: _State) -> None:
    if state.request_held:
        quota.release(orch.db, state.request_hold)
        state.request_held = False


def _fetch_after_reserving(orch, prepared: Prepared, state: _State, cand) -> Prepared:
    """Fetch a posting's URL only once the request holds its place in the daily quota and the
    month's budget and the credit are not spent: a user at quota makes the server fetch nothing."""
    _reserve(orch, prepared, state, cand, [])
    try:
        quota.refuse_if_spent(orch.db, user_id=prepared.user_id, limits=state.limits, now=datetime.now(UTC))
    except QuotaExceeded as exc:
        _deny(orch, prepared, state, cand, exc, attempt=1)
        raise
    allow_private = bool(state.cfg.settings["url_fetch_allow_private"])
    return fetch_posting(prepared, orch.settings, allow_private=allow_private)


def _deny(orch, prepared: Prepared, state: _State, cand, exc: QuotaExceeded, *, attempt: int) -> None:
    row = outcomes.row(prepared, state, cand, "quota_denied", TokenUsage(), outcomes.FREE, Decimal(0), 0,
                       error_type=exc.limit, error_message=str(exc), attempt=attempt)
    quota.books_for(orch.db).write_ledger(row)
    if state.observers:
        observe.attempt(state.observers, observe.AttemptInfo(row))


def _reserve(orch, prepared: Prepared, state: _State, cand, holds: list[Hold]) -> None:
    """Take this attempt's holds, and the request hold with the first of them: one transaction."""
    if not state.request_held:
        holds = [state.request_hold, *holds]
    now = datetime.now(UTC)
    try:
        quota.reserve_holds(orch.db, holds, limits=state.limits, ttl_s=orch.settings.reservation_ttl_s, now=now)
    except QuotaExceeded as exc:
        _deny(orch, prepared, state, cand, exc, attempt=0 if exc.limit == "requests_per_day" else holds[-1].attempt)
        raise
    state.request_held = True


def _try_candidate(orch, prepared: Prepared, state: _State, cand: routing.Candidate, regenerate: bool,
                   streaming: bool, next_provider: str | None):
    """Attempts on one candidate: cache, then calls with retries and one repair.
    Returns the ``Result`` or None (fall back to the next candidate)."""
    settings, spec = orch.settings, prepared.task
    max_out = cand.step.max_tokens or spec.default_max_tokens
    if prepared.max_tokens is not None:
        max_out = min(max_out, prepared.max_tokens)
    temperature = prepared.temperature if prepared.temperature is not None else cand.step.temperature
    request = ChatRequest(task=spec.name, model=cand.model, system=prepared.system or spec.system,
                          prompt=prepared.prompt, images=prepared.images, history=prepared.history,
                          json_schema=spec.json_schema, schema_name=spec.name, temperature=temperature,
                          max_tokens=max_out)
    ttl = int(state.cfg.settings["cache_ttl_s"].get(spec.name, 0) or 0)
    key = cache.cache_key(request, kind=cand.kind, prompt_version=spec.prompt_version,
                          user_id=prepared.user_id, source=prepared.source_url or "") if ttl else ""
    if ttl and not regenerate:
        hit = yield from _cache_hit(orch, prepared, state, cand, key, streaming, request)
        if hit is not None:
            return hit
    try:
        config = ProviderConfig(name=cand.provider_name, kind=cand.kind, base_url=cand.base_url,
                                api_key=orch.api_key_for(cand), timeout_s=cand.timeout_s)
    except Exception as exc:  # an undecryptable key: skip this candidate, say why
        state.failures.append(AttemptFailure(cand.provider_name, cand.model, "auth", scrub(exc)))
        return None
    adapter = get_adapter(cand.kind)
    retries, repaired, extended = 0, False, False
    # personal data goes out as placeholders and comes back as values (``orchestrator.placeholders``);
    # ``request`` keeps the real values (cache key, observers), ``sent`` is what the provider gets
    link = state.shield.link(cand.kind, structured=spec.structured)
    sent: ChatRequest | None = None
    while True:
        if sent is None:
            try:
                sent = link.send(request)
            except ProviderError as exc:  # nothing was sent: no hold, no call, not the provider's fault
                state.attempt_no += 1
                _record_failure(orch, prepared, state, cand, None, time.monotonic(), None, exc.kind, exc.message)
                return None
        timeout = min(config.timeout_s, settings.attempt_timeout_s, max(state.remaining(), 1.0))
        call_config = ProviderConfig(config.name, config.kind, config.base_url, config.api_key, timeout)
        bound = pricing.upper_bound(cand.price, prepared.input_token_bound, max_out)
        state.attempt_no += 1
        hold = quota.hold_for(user_id=prepared.user_id, request_id=state.request_id, attempt=state.attempt_no,
                              limits=state.limits, tokens=prepared.input_token_bound + max_out, cost=bound,
                              now=datetime.now(UTC))
        _reserve(orch, prepared, state, cand, [hold])
        started = time.monotonic()
        completion: Completion | None = None
        shown, raw = False, ""
        try:
            if streaming:
                restorer = link.restorer()
                for event in adapter.stream(call_config, sent):
                    if isinstance(event, Completion):
                        completion = event
                    elif event and (event := restorer.feed(event)):
                        shown = True
                        yield event
                if completion is None:
                    raise ProviderError("The stream ended without a final message.", kind="stream_broken",
                                        retryable=True)
                if tail := restorer.flush():
                    shown = True
                    yield tail
            else:
                completion = adapter.complete(call_config, sent)
            raw = completion.text
            if completion.finish_reason is None:
                raise ProviderError("The answer ended without a finish reason.", kind="stream_broken",
                                    retryable=True)
            if completion.finish_reason == "length" and spec.truncation_fails:
                raise ProviderError(f"The answer was cut off at its {max_out:,}-token limit.", kind="truncated",
                                    retryable=False)
            completion = link.restore(completion)  # before anything reads it; unknown placeholders fail
            data = spec.parse_output(completion.text)
            if spec.verify is not None:
                spec.verify(data, prepared)
        except InputRejected as exc:
            _record_failure(orch, prepared, state, cand, hold, started, completion, "input_rejected", str(exc),
                            request)
            raise
        except (GeneratorExit, KeyboardInterrupt):
            # the caller stopped listening (closed the stream, rerun, Ctrl-C): record and give the hold back
            _record_failure(orch, prepared, state, cand, hold, started, completion, "cancelled",
                            "The request was cancelled by the caller.", request)
            raise
        except Exception as exc:  # noqa: BLE001 - an adapter bug must not strand a hold or stop fallback
            if not isinstance(exc, ProviderError):
                exc = ProviderError(f"Unexpected {type(exc).__name__} from the {cand.kind} adapter.",
                                    kind="error", retryable=False)
            kind = exc.kind or "error"
            _record_failure(orch, prepared, state, cand, hold, started, completion, kind, exc.message, request)
            health.record_failure(orch.db, cand.provider_id, cand.provider_name, kind, orch.breaker)
            if kind == "invalid_output" and not repaired and completion is not None:
                repaired, delay, again = True, 0.0, True
                request, sent = link.repair(request, sent, raw, completion.text, exc.message)
            elif kind == "truncated" and not extended and \
                    outcomes.raised_limit(max_out, settings.truncation_max_tokens) > max_out:
                # once, with a higher limit (its hold must still fit the plan); cut again, it falls back
                extended, delay, again = True, 0.0, True
                max_out = outcomes.raised_limit(max_out, settings.truncation_max_tokens)
                request, sent = replace(request, max_tokens=max_out), replace(sent, max_tokens=max_out)
            else:
                delay = outcomes.retry_delay(settings, retries, exc.retry_after)
                again = (exc.retryable and kind not in ("invalid_output", "stream_broken")
                         and retries < settings.max_retries and delay < state.remaining())
                retries += again
            if shown:  # tell the reader what really happens next: the same provider again, or the next one
                label = outcomes.ERROR_LABELS.get(kind, kind)
                if again:
                    yield StreamRestart(reason=label, action="retry", provider=cand.provider_name)
                elif next_provider is not None:
                    yield StreamRestart(reason=label, action="fallback", provider=next_provider)
            if not again:
                return None
            if delay:
                time.sleep(delay)
            continue
        return _served(orch, prepared, state, cand, request, key if ttl else None, ttl, hold, completion, data,
                       started)


def _served(orch, prepared: Prepared, state: _State, cand, request: ChatRequest, key: str | None, ttl: int,
            hold: Hold, completion: Completion, data: Any, started: float) -> Result:
    """The completion transaction: ledger row, settlement, cache entry and the saved job or
    document, all or nothing. If saving fails, the attempt is recorded as failed, its hold
    released (the request hold too, by the caller), and nothing is charged."""
    latency = int((time.monotonic() - started) * 1000)
    usage = completion.usage
    priced = pricing.price(cand.price, usage)
    cost = priced.cost
    charged = quota.charge_for(cost, state.limits)
    now = datetime.now(UTC)
    row = outcomes.row(prepared, state, cand, "success", usage, priced, charged, latency, timestamp=now,
                       finish_reason=completion.finish_reason)
    attempt = outcomes.attempt_of(row, usage)
    table, saved = saved_row(prepared, data, request_id=state.request_id, provider=cand.provider_name,
                             model=cand.model, cost=cost, now=now)
    cache_row = cache.entry_row(key, request=request, provider=cand.provider_name, user_id=prepared.user_id,
                                text=completion.text, usage=usage, ttl_s=ttl, now=now) if key else None
    try:
        saved_id = quota.books_for(orch.db).complete(
            ledger_row=row, attempt_hold=hold, request_hold=state.request_hold, count_request=True,
            tokens=usage.input_tokens + usage.output_tokens, cost=cost, charge=charged, now=now,
            cache_row=cache_row, save_table=table, save_row=saved)
    except Exception as exc:  # noqa: BLE001 - the answer is lost, the books must not say otherwise
        _record_failure(orch, prepared, state, cand, hold, started, completion, "save_failed",
                        f"The answer could not be saved ({type(exc).__name__}).", request)
        raise SaveFailed(f"Your {prepared.task.text.noun} was written but could not be saved, so nothing was "
                         "charged. Please try again.") from None
    state.request_held = False  # settled with the rest
    health.record_success(orch.db, cand.provider_id, health=state.cfg.health)
    state.attempts.append(attempt)
    if state.observers:
        observe.attempt(state.observers, observe.AttemptInfo(row, request, completion))
    return outcomes.result(prepared, state, cand, completion.text, data, usage, cost, charged, saved_id, cached=False,
                   finish_reason=completion.finish_reason)


def _cache_hit(orch, prepared, state, cand, key, streaming, request):
    output = cache.lookup(orch.db, key)
    if output is None:
        return None
    try:
        data = prepared.task.parse_output(output)
        if prepared.task.verify is not None:
            prepared.task.verify(data, prepared)
    except ProviderError:
        return None
    if not state.request_held:
        _reserve(orch, prepared, state, cand, [])
    state.attempt_no += 1
    now = datetime.now(UTC)
    row = outcomes.row(prepared, state, cand, "cached", TokenUsage(), outcomes.FREE, Decimal(0), 0, timestamp=now)
    table, saved = saved_row(prepared, data, request_id=state.request_id, provider=cand.provider_name,
                             model=cand.model, cost=Decimal(0), now=now)
    saved_id = quota.books_for(orch.db).complete(
        ledger_row=row, attempt_hold=None, request_hold=state.request_hold,
        count_request=bool(state.cfg.settings["cache_hits_count_quota"]), tokens=0, cost=Decimal(0),
        charge=Decimal(0), now=now, cache_row=None, save_table=table, save_row=saved,
        )
    state.request_held = False
    state.attempts.append(outcomes.attempt_of(row, TokenUsage()))
    if state.observers:
        observe.attempt(state.observers, observe.AttemptInfo(row, request, cached_text=output))
    if streaming:
        yield output
    return outcomes.result(prepared, state, cand, output, data, TokenUsage(), Decimal(0), Decimal(0), saved_id,
                   cached=True)


def _record_failure(orch, prepared, state, cand, hold, started, completion, kind, message, request=None):
    """Ledger row for a failed attempt (its tokens still cost us) and its hold released, in one
    transaction: failed attempts are never charged to the user."""
    latency = int((time.monotonic() - started) * 1000)
    usage = completion.usage if completion is not None else TokenUsage()
    row = outcomes.row(prepared, state, cand, "error", usage, pricing.price(cand.price, usage), Decimal(0),
                       latency, error_type=kind, error_message=message,
                       finish_reason=completion.finish_reason if completion is not None else None)
    quota.books_for(orch.db).fail(ledger_row=row, hold=hold, now=datetime.now(UTC))
    state.attempts.append(outcomes.attempt_of(row, usage))
    if state.observers:
        observe.attempt(state.observers, observe.AttemptInfo(row, request, completion))
    state.failures.append(AttemptFailure(cand.provider_name, cand.model, kind, scrub(message),
                                         state.attempt_no))


