"""What one request's attempts end as: ledger rows, the ``Result``, the typed errors, and the
retry arithmetic. The pipeline (``orchestrator.pipeline``) decides *when*; this module says
*what* is written and returned, so the two stay small.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orchestrator import ledger, routing
from orchestrator.errors import AllProvidersFailed, InputRejected, NoRouteAvailable
from orchestrator.prepare import Prepared
from orchestrator.pricing import Priced
from orchestrator.providers.base import ChatRequest, TokenUsage
from orchestrator.result import Attempt, Result

if TYPE_CHECKING:
    from orchestrator.pipeline import _State

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
    "save_failed": "could not be saved",
    "truncated": "cut off at the length limit",
    "quota_exhausted": "account out of quota or credit",
    "too_large": "request too large for the account",
    "redaction_failed": "personal data could not be replaced, nothing sent",
}

# a status-only row (cache hit, quota denial) costs nothing and is priced by definition
FREE = Priced(Decimal(0))


def repair_request(request: ChatRequest, bad: str, problem: str) -> ChatRequest:
    prompt = (
        f"{request.prompt}\n\nYour previous answer was rejected: {problem}\n"
        f"Previous answer:\n{bad[:4000]}\n\n"
        + ("Answer again with JSON that matches the schema exactly." if request.json_schema is not None
           else "Answer again in full, correcting exactly these problems.")
    )
    return replace(request, prompt=prompt)


def raised_limit(current: int, cap: int) -> int:
    """The token limit for a retry after an answer was cut at ``current``: twice it, at most
    ``cap`` (equal to ``current`` when there is no room to grow: then it falls back)."""
    return max(current, min(current * 2, cap))


def retry_delay(settings, retries: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter; a server's Retry-After is a floor."""
    ceiling = min(settings.backoff_max_s, settings.backoff_base_s * (2 ** retries))
    delay = random.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


def row(prepared, state, cand, status, usage, priced: Priced, charged, latency, *, error_type=None,
        error_message=None, attempt=None, timestamp=None, finish_reason=None) -> dict[str, Any]:
    """One attempt's ledger row. ``priced`` is the attempt's cost or why it has none."""
    card = cand.price
    return ledger.attempt_row(
        request_id=state.request_id, attempt=state.attempt_no if attempt is None else attempt,
        user_id=prepared.user_id, plan=prepared.plan.code, task=prepared.task.name,
        provider=cand.provider_name, provider_kind=cand.kind, model=cand.model, status=status,
        usage=usage, cost=priced.cost, priced=priced.cost is not None,
        charged=charged, latency_ms=latency, error_type=error_type, error_message=error_message,
        timestamp=timestamp, origin=state.origin.kind, token_id=state.origin.token_id,
        finish_reason=finish_reason, unpriced_reason=priced.reason,
        price_version_id=card.version_id if card is not None and priced is not FREE else None,
        job_id=prepared.job.id if prepared.job is not None else None)


def attempt_of(ledger_row: dict[str, Any], usage: TokenUsage) -> Attempt:
    return Attempt(attempt=ledger_row["attempt"], provider=ledger_row["provider"],
                   provider_kind=ledger_row["provider_kind"], model=ledger_row["model"],
                   status=ledger_row["status"], latency_ms=ledger_row["latency_ms"], usage=usage,
                   cost_usd=ledger_row["cost_usd"], error_type=ledger_row["error_type"],
                   error_message=ledger_row["error_message"], finish_reason=ledger_row["finish_reason"])


def result(prepared: Prepared, state: _State, cand, text: str, data: Any, usage: TokenUsage,
           cost: Decimal | None, charged: Decimal, saved_id: int, *, cached: bool,
           finish_reason: str | None = "stop") -> Result:
    from orchestrator.offline import ENGINE_LABEL
    from orchestrator.providers.registry import local_engine_kinds

    costs = [a.cost_usd for a in state.attempts if a.status in ("success", "error")]
    total = None if any(c is None for c in costs) else sum(costs, Decimal(0))
    spec = prepared.task
    as_job = spec.output == "job"
    return Result(
        request_id=state.request_id, task=spec.name, text=text if as_job else data,
        data=data if as_job else None, provider=cand.provider_name, provider_kind=cand.kind, model=cand.model,
        usage=usage, cost_usd=cost, total_cost_usd=total, charged_usd=charged,
        latency_ms=int((time.monotonic() - state.started) * 1000), attempts=state.attempts, cached=cached,
        label=ENGINE_LABEL if cand.kind in local_engine_kinds() else f"{cand.provider_name} · {cand.model}",
        job_id=saved_id if as_job else None, document_id=saved_id if spec.output == "document" else None,
        finish_reason=finish_reason,
    )


def no_route(prepared: Prepared, route: routing.Route) -> Exception:
    if prepared.images:
        return InputRejected(
            "Reading a screenshot needs a vision-capable provider, and none is available on your plan. "
            "Paste the posting's text instead."
        )
    why = "; ".join(f"{label} ({reason})" for label, reason in route.skipped) or "the policy has no entry"
    return NoRouteAvailable(
        f"No provider can serve {prepared.task.label.lower()} on the {prepared.plan.name} plan right now: {why}."
    )


def all_failed(prepared: Prepared, state: _State) -> AllProvidersFailed:
    tried = "; ".join(
        f"{f.provider}:{f.model} ({ERROR_LABELS.get(f.error_type, f.error_type)})" for f in state.failures
    )
    return AllProvidersFailed(
        f"Every AI provider failed for this {prepared.task.label.lower()}: {tried}. "
        "Nothing was charged. Please try again in a minute.",
        failures=state.failures,
    )
