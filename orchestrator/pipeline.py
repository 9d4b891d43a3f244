"""One request's life: plan -> route -> reserve -> cache -> attempt(s) -> ledger -> result.

``execute`` is a generator shared by ``run`` (which drains it) and ``stream``
(which passes text chunks through): one code path, so streamed calls are
retried, fallen back, priced and recorded exactly like the others.

Retry policy (the only one; SDK retries are off): 408/429/5xx, timeouts and
connection errors are retried on the same candidate with exponential backoff
and full jitter, honouring Retry-After, within the request deadline. Then the
next candidate. Output that fails its schema gets one repair attempt on the
same model, then falls back. A stream that breaks or ends without a finish
reason falls back. The caller's own bad input never falls back.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orchestrator import cache, health, ledger, pricing, quota, routing, settings_store
from orchestrator.errors import (
    AllProvidersFailed,
    AttemptFailure,
    InputRejected,
    NoRouteAvailable,
    ProviderError,
    QuotaExceeded,
)
from orchestrator.prepare import Prepared, prepare, save_document, save_job
from orchestrator.providers.base import ChatRequest, Completion, ProviderConfig, TokenUsage
from orchestrator.providers.registry import get_adapter
from orchestrator.redact import scrub
from orchestrator.result import Attempt, Result, StreamRestart
from orchestrator.tasks import get_task

if TYPE_CHECKING:
    from orchestrator.client import Orchestrator

ERROR_LABELS = {
    "rate_limited": "rate limited",
    "timeout": "timed out",
    "unreachable": "unreachable",
    "server_error": "server error",
    "auth": "invalid API key",
    "bad_request": "rejected the request",
    "not_found": "model not available",
    "invalid_output": "invalid answer",
    "stream_broken": "stream broke off",
    "content_filter": "refused by content filter",
}


@dataclass
class _State:
    """Everything one request accumulates as it goes."""

    request_id: str
    started: float
    deadline: float
    limits: quota.Limits
    conf: dict[str, Any]
    attempt_no: int = 0
    attempts: list[Attempt] = field(default_factory=list)
    failures: list[AttemptFailure] = field(default_factory=list)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


def execute(orch: Orchestrator, task_name: str, *, user: str | int, text: str | None = None,
            image: bytes | None = None, url: str | None = None, job_id: int | None = None,
            regenerate: bool = False, streaming: bool = False,
            options: dict[str, Any] | None = None) -> Iterator[str | StreamRestart | Result]:
    db, settings = orch.db, orch.settings
    spec = get_task(task_name)
    prepared = prepare(db, settings, spec, user=user, text=text, image=image, url=url, job_id=job_id,
                       options=dict(options or {}))
    conf = settings_store.snapshot(db)
    blocked = health.blocked_providers(db, orch.breaker)
    with db.read() as s:
        route = routing.resolve(s, prepared.plan.code, spec.name, needs_vision=bool(prepared.images),
                                open_circuits=blocked,
                                offline_fallback=bool(conf["offline_fallback"]))
    if not route.candidates:
        raise _no_route(prepared, route)
    now = time.monotonic()
    state = _State(request_id=uuid.uuid4().hex, started=now, deadline=now + settings.request_deadline_s,
                   limits=quota.limits_for(prepared.user, prepared.plan), conf=conf)
    first = route.candidates[0]
    request_hold = _reserve(orch, prepared, state, first, attempt=0, tokens=0, cost=Decimal(0))
    try:
        for index, cand in enumerate(route.candidates):
            nxt = route.candidates[index + 1].provider_name if index + 1 < len(route.candidates) else None
            served = yield from _try_candidate(orch, prepared, state, cand, regenerate, streaming, nxt)
            if served is not None:
                counts = not served.cached or state.conf["cache_hits_count_quota"]
                if counts:
                    quota.settle(db, request_hold)
                else:
                    quota.release(db, request_hold)
                yield _finish(orch, prepared, state, served)
                return
            if state.remaining() <= 0:
                state.failures.append(AttemptFailure("-", "-", "timeout", "request deadline reached"))
                break
    except BaseException:
        quota.release(db, request_hold)
        raise
    quota.release(db, request_hold)
    raise _all_failed(prepared, state)


@dataclass
class _Served:
    text: str
    data: Any
    candidate: routing.Candidate
    usage: TokenUsage
    cost: Decimal | None
    charged: Decimal
    latency_ms: int
    cached: bool = False


def _try_candidate(orch, prepared: Prepared, state: _State, cand: routing.Candidate, regenerate: bool,
                   streaming: bool, next_provider: str | None):
    """Attempts on one candidate: cache, then calls with retries and one repair.
    Returns ``_Served`` or None (fall back to the next candidate)."""
    db, settings, spec = orch.db, orch.settings, prepared.task
    max_out = cand.step.max_tokens or spec.default_max_tokens
    request = ChatRequest(task=spec.name, model=cand.model, system=spec.system, prompt=prepared.prompt,
                          images=prepared.images, json_schema=spec.json_schema if spec.structured else None,
                          schema_name=spec.name, temperature=cand.step.temperature, max_tokens=max_out)
    ttl = int(state.conf["cache_ttl_s"].get(spec.name, 0) or 0)
    key = cache.cache_key(request, kind=cand.kind, prompt_version=spec.prompt_version,
                          user_id=prepared.user_id, source=prepared.source_url or "")
    if ttl and not regenerate:
        hit = yield from _cache_hit(orch, prepared, state, cand, key, streaming)
        if hit is not None:
            return hit
    try:
        config = ProviderConfig(name=cand.provider_name, kind=cand.kind, base_url=cand.base_url,
                                api_key=orch.api_key_for(cand), timeout_s=cand.timeout_s)
    except Exception as exc:  # an undecryptable key: skip this candidate, say why
        state.failures.append(AttemptFailure(cand.provider_name, cand.model, "auth", scrub(exc)))
        return None
    adapter = get_adapter(cand.kind)
    retries, repaired = 0, False
    while True:
        timeout = min(config.timeout_s, settings.attempt_timeout_s, max(state.remaining(), 1.0))
        call_config = ProviderConfig(config.name, config.kind, config.base_url, config.api_key, timeout)
        bound = pricing.upper_bound(cand.price, prepared.input_token_bound, max_out)
        state.attempt_no += 1
        hold = _reserve(orch, prepared, state, cand, attempt=state.attempt_no,
                        tokens=prepared.input_token_bound + max_out, cost=bound)
        started = time.monotonic()
        completion: Completion | None = None
        shown = False
        try:
            if streaming:
                for event in adapter.stream(call_config, request):
                    if isinstance(event, Completion):
                        completion = event
                    elif event:
                        shown = True
                        yield event
                if completion is None:
                    raise ProviderError("The stream ended without a final message.", kind="stream_broken",
                                        retryable=True)
            else:
                completion = adapter.complete(call_config, request)
            if completion.finish_reason is None:
                raise ProviderError("The answer ended without a finish reason.", kind="stream_broken",
                                    retryable=True)
            data = spec.parse_output(completion.text)
        except InputRejected as exc:
            _record_failure(orch, prepared, state, cand, hold, started, completion, "input_rejected", str(exc))
            raise
        except (GeneratorExit, KeyboardInterrupt):
            # the caller stopped listening (closed the stream, rerun, Ctrl-C): record and give the hold back
            _record_failure(orch, prepared, state, cand, hold, started, completion, "cancelled",
                            "The request was cancelled by the caller.")
            raise
        except Exception as exc:  # noqa: BLE001 - an adapter bug must not strand a hold or stop fallback
            if not isinstance(exc, ProviderError):
                exc = ProviderError(f"Unexpected {type(exc).__name__} from the {cand.kind} adapter.",
                                    kind="error", retryable=False)
            kind = exc.kind or "error"
            _record_failure(orch, prepared, state, cand, hold, started, completion, kind, exc.message)
            health.record_failure(db, cand.provider_id, cand.provider_name, kind, orch.breaker)
            if shown:
                yield StreamRestart(reason=ERROR_LABELS.get(kind, kind), next_provider=next_provider)
            if kind == "invalid_output" and not repaired and completion is not None:
                repaired = True
                request = _repair_request(request, completion.text, exc.message)
                continue
            delay = _retry_delay(settings, retries, exc.retry_after)
            if exc.retryable and kind not in ("invalid_output", "stream_broken") \
                    and retries < settings.max_retries and delay < state.remaining():
                retries += 1
                time.sleep(delay)
                continue
            return None
        latency = int((time.monotonic() - started) * 1000)
        cost = pricing.cost(cand.price, completion.usage)
        charged = quota.charge_for(cost, state.limits)
        rec = _record(prepared, state, cand, "success", completion.usage, cost, charged, latency)
        quota.settle(db, hold, tokens=completion.usage.input_tokens + completion.usage.output_tokens,
                     cost=cost, charge=charged, record=rec)
        health.record_success(db, cand.provider_id)
        state.attempts.append(_attempt_of(rec, completion.usage))
        if ttl:
            cache.store(db, key, request=request, provider=cand.provider_name, user_id=prepared.user_id,
                        text=completion.text, usage=completion.usage, ttl_s=ttl)
        return _Served(completion.text, data, cand, completion.usage, cost, charged, latency)


def _cache_hit(orch, prepared, state, cand, key, streaming):
    entry = cache.lookup(orch.db, key)
    if entry is None:
        return None
    try:
        data = prepared.task.parse_output(entry.output)
    except ProviderError:
        return None
    state.attempt_no += 1
    rec = _record(prepared, state, cand, "cached", TokenUsage(), Decimal(0), Decimal(0), 0)
    ledger.write(orch.db, rec)
    state.attempts.append(_attempt_of(rec, TokenUsage()))
    if streaming:
        yield entry.output
    return _Served(entry.output, data, cand, TokenUsage(), Decimal(0), Decimal(0), 0, cached=True)


def _repair_request(request: ChatRequest, bad: str, problem: str) -> ChatRequest:
    prompt = (
        f"{request.prompt}\n\nYour previous answer was rejected: {problem}\n"
        f"Previous answer:\n{bad[:4000]}\n\nAnswer again with JSON that matches the schema exactly."
    )
    return ChatRequest(**{**request.__dict__, "prompt": prompt})


def _retry_delay(settings, retries: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter; a server's Retry-After is a floor."""
    ceiling = min(settings.backoff_max_s, settings.backoff_base_s * (2 ** retries))
    delay = random.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


def _reserve(orch, prepared: Prepared, state: _State, cand, *, attempt: int, tokens: int, cost: Decimal):
    try:
        return quota.reserve(orch.db, user_id=prepared.user_id, limits=state.limits,
                             request_id=state.request_id, attempt=attempt, tokens=tokens, cost=cost,
                             ttl_s=orch.settings.reservation_ttl_s)
    except QuotaExceeded as exc:
        rec = _record(prepared, state, cand, "quota_denied", TokenUsage(), Decimal(0), Decimal(0), 0,
                      error_type=exc.limit, error_message=str(exc), attempt=attempt)
        ledger.write(orch.db, rec)
        raise


def _record(prepared, state, cand, status, usage, cost, charged, latency, *, error_type=None,
            error_message=None, attempt=None):
    priced = cand.price is not None and cand.price.priced
    return ledger.attempt_record(
        request_id=state.request_id, attempt=state.attempt_no if attempt is None else attempt,
        user_id=prepared.user_id, plan=prepared.plan.code, task=prepared.task.name,
        provider=cand.provider_name, provider_kind=cand.kind, model=cand.model, status=status,
        usage=usage, cost=cost if priced else None, priced=priced or status in ("cached", "quota_denied"),
        charged=charged, latency_ms=latency, error_type=error_type, error_message=error_message)


def _record_failure(orch, prepared, state, cand, hold, started, completion, kind, message):
    """Ledger row for a failed attempt (its tokens still cost us); the user's hold is released:
    failed attempts are never charged to the user."""
    latency = int((time.monotonic() - started) * 1000)
    usage = completion.usage if completion is not None else TokenUsage()
    cost = pricing.cost(cand.price, usage)
    rec = _record(prepared, state, cand, "error", usage, cost, Decimal(0), latency,
                  error_type=kind, error_message=message)
    quota.release(orch.db, hold, record=rec)
    state.attempts.append(_attempt_of(rec, usage))
    state.failures.append(AttemptFailure(cand.provider_name, cand.model, kind, scrub(message),
                                         state.attempt_no))


def _attempt_of(rec, usage: TokenUsage) -> Attempt:
    return Attempt(attempt=rec.attempt, provider=rec.provider, provider_kind=rec.provider_kind,
                   model=rec.model, status=rec.status, latency_ms=rec.latency_ms, usage=usage,
                   cost_usd=rec.cost_usd, error_type=rec.error_type, error_message=rec.error_message)


def _finish(orch, prepared: Prepared, state: _State, served: _Served) -> Result:
    from orchestrator.offline import ENGINE_LABEL

    cand = served.candidate
    costs = [a.cost_usd for a in state.attempts if a.status in ("success", "error")]
    total = None if any(c is None for c in costs) else sum(costs, Decimal(0))
    result = Result(
        request_id=state.request_id, task=prepared.task.name, text=served.text, data=None,
        provider=cand.provider_name, provider_kind=cand.kind, model=cand.model, usage=served.usage,
        cost_usd=served.cost, total_cost_usd=total, charged_usd=served.charged,
        latency_ms=int((time.monotonic() - state.started) * 1000), attempts=state.attempts,
        cached=served.cached,
        label=ENGINE_LABEL if cand.kind == "offline" else f"{cand.provider_name} · {cand.model}",
    )
    if prepared.task.name == "extract_job":
        result.data = served.data
        result.job_id = save_job(orch.db, prepared, served.data, request_id=state.request_id,
                                 provider=cand.provider_name, model=cand.model, cost=served.cost)
    else:
        result.text = served.data
        result.document_id = save_document(orch.db, prepared, served.data, request_id=state.request_id,
                                           provider=cand.provider_name, model=cand.model, cost=served.cost)
    return result


def _no_route(prepared: Prepared, route: routing.Route) -> Exception:
    if prepared.images:
        return InputRejected(
            "Reading a screenshot needs a vision-capable provider, and none is available on your plan. "
            "Paste the posting's text instead."
        )
    why = "; ".join(f"{label} ({reason})" for label, reason in route.skipped) or "the policy has no entry"
    return NoRouteAvailable(
        f"No provider can serve {prepared.task.label.lower()} on the {prepared.plan.name} plan right now: {why}."
    )


def _all_failed(prepared: Prepared, state: _State) -> AllProvidersFailed:
    tried = "; ".join(
        f"{f.provider}:{f.model} ({ERROR_LABELS.get(f.error_type, f.error_type)})" for f in state.failures
    )
    return AllProvidersFailed(
        f"Every AI provider failed for this {prepared.task.label.lower()}: {tried}. "
        "Nothing was charged. Please try again in a minute.",
        failures=state.failures,
    )
