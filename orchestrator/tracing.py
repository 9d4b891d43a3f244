"""OpenTelemetry traces of requests, following the GenAI semantic conventions.

Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set (``settings.otel_endpoint``). Off means
nothing at all: ``setup`` returns before importing OpenTelemetry and registers no observer,
so the pipeline watches requests with an empty list (``observe.start`` returns ``[]`` at
once) and pays no extra cost.

On, once per process, ``setup`` builds an SDK ``TracerProvider`` (``service.name`` from
``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES``, else ``ai-orchestrator``) whose
``BatchSpanProcessor`` sends spans in the background to the collector over OTLP/HTTP
(protobuf), and registers the request observer. The SDK reads its other ``OTEL_*``
variables itself (headers, timeout, compression, batch sizes, sampling...). The provider
is not made the process's global one: these spans go to the collector named here and do
not capture other libraries' instrumentation. If the process already runs an SDK provider
(``opentelemetry-instrument``), the spans go through that one instead.

Each request is one span, ``invoke_workflow {task}`` (INTERNAL, child of whatever span is
current, e.g. an instrumented HTTP server's), from the moment the request started to its
end; each recorded attempt is one child span, ``chat {model}``, created when the ledger row
is written, from ``timestamp - latency_ms`` to the row's ``timestamp``: CLIENT for a model
call, INTERNAL for a cache hit or a quota denial (no call was made). Attribute names and
values are the GenAI conventions' (``gen_ai.*``, ``error.type``) plus the project's own
(``orchestrator.*``); see ``_attempt_attributes``. No prompt, answer, error message, user
name or e-mail, key or URL is ever put in a span: only ids, names of providers, models,
plans and tasks, counts, costs and error classes.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from orchestrator import observe
from orchestrator.errors import ConfigError

log = logging.getLogger(__name__)

NAME = "tracing"  # the observer factory's name in ``observe``
SERVICE_NAME = "ai-orchestrator"
TRACES_PATH = "/v1/traces"
INSTRUMENTATION = "orchestrator"

# Attribute names and values of the GenAI semantic conventions, as in
# opentelemetry-semantic-conventions 0.66b2 (``semconv._incubating.attributes.gen_ai_attributes``;
# a test checks they still agree). Written out here: that module is incubating and its GenAI
# names have moved to their own repository, so importing it would tie us to one release.
GEN_AI_SYSTEM = "gen_ai.system"                # deprecated for gen_ai.provider.name; both are set
GEN_AI_PROVIDER_NAME = "gen_ai.provider.name"
GEN_AI_OPERATION_NAME = "gen_ai.operation.name"
GEN_AI_WORKFLOW_NAME = "gen_ai.workflow.name"
GEN_AI_REQUEST_MODEL = "gen_ai.request.model"
GEN_AI_RESPONSE_MODEL = "gen_ai.response.model"
GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens"
GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature"
GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens"
GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
GEN_AI_USAGE_CACHE_READ = "gen_ai.usage.cache_read.input_tokens"
GEN_AI_USAGE_CACHE_CREATION = "gen_ai.usage.cache_creation.input_tokens"
GEN_AI_USAGE_REASONING = "gen_ai.usage.reasoning.output_tokens"
GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons"
ERROR_TYPE = "error.type"
CHAT = "chat"
INVOKE_WORKFLOW = "invoke_workflow"

# provider kind -> gen_ai.provider.name / gen_ai.system. An OpenAI-compatible server is
# reached with OpenAI's API and client, which the conventions call "openai" (our
# ``orchestrator.provider_kind`` says which). A kind the conventions do not name (the offline
# engine, a kind added at run time) is ``orchestrator.<kind>``: see ``provider_name``.
PROVIDER_NAMES = {
    "openai": "openai",
    "openai_compatible": "openai",
    "anthropic": "anthropic",
    "gemini": "gcp.gemini",
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

_lock = threading.Lock()
_provider: Any = None   # the TracerProvider ``setup`` uses (None: tracing is off)
_built = False          # ``setup`` built it (and shuts it down in ``uninstall``)
_endpoint: str | None = None


def traces_endpoint(endpoint: str) -> str:
    """The URL spans are POSTed to, given ``OTEL_EXPORTER_OTLP_ENDPOINT``.

    The variable names the collector's OTLP/HTTP base (``http://collector:4318``, perhaps with
    a path prefix), to which the specification appends ``/v1/traces``; a URL that already ends
    in ``/v1/traces`` is taken as it is, so either form works."""
    base = endpoint.strip().rstrip("/")
    return base if base.endswith(TRACES_PATH) else base + TRACES_PATH


def provider_name(kind: str) -> str:
    """``gen_ai.provider.name`` (and ``gen_ai.system``) for a provider kind."""
    return PROVIDER_NAMES.get(kind) or f"orchestrator.{kind}"


def setup(settings) -> None:
    """Start exporting traces when ``settings.otel_endpoint`` is set; otherwise do nothing.

    Called by every ``Orchestrator``; the first call with an endpoint configures the process,
    later ones keep that configuration."""
    global _provider, _built, _endpoint
    endpoint = getattr(settings, "otel_endpoint", None)
    if not endpoint:
        return
    if not endpoint.strip().lower().startswith(("http://", "https://")):
        raise ConfigError("OTEL_EXPORTER_OTLP_ENDPOINT must be the collector's OTLP/HTTP URL, "
                          "such as http://localhost:4318.")
    with _lock:
        if _provider is not None:
            if endpoint != _endpoint:
                log.warning("Traces already go to the collector configured first in this process; "
                            "a second OTLP endpoint is ignored.")
            return
        try:
            provider, built = _process_provider(endpoint)
        except ImportError as exc:
            raise ConfigError("OTEL_EXPORTER_OTLP_ENDPOINT is set, but the OpenTelemetry SDK and its "
                              f"OTLP/HTTP exporter are not installed ({exc.name}).") from None
        _provider, _built, _endpoint = provider, built, endpoint
        install(provider)
    log.info("OpenTelemetry traces are on (OTLP/HTTP).")


def _process_provider(endpoint: str) -> tuple[Any, bool]:
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME as SERVICE_NAME_KEY
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):  # opentelemetry-instrument (or the host app) set one up
        return current, False
    resource = Resource.create()  # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, the SDK's own
    if str(resource.attributes.get(SERVICE_NAME_KEY, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME_KEY: SERVICE_NAME}))
    # the specification lets the traces-only variable win over the base one: the SDK reads it
    # itself when given no endpoint
    url = None if os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") else traces_endpoint(endpoint)
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
    return provider, True


def install(tracer_provider) -> None:
    """Trace every request with ``tracer_provider`` (tests pass one with an in-memory exporter)."""
    observe.register(NAME, _Factory(tracer_provider.get_tracer(INSTRUMENTATION)))


def uninstall() -> None:
    """Stop tracing requests; a provider ``setup`` built is flushed and shut down, so a later
    ``setup`` configures the process again."""
    global _provider, _built, _endpoint
    observe.unregister(NAME)
    with _lock:
        provider, built = _provider, _built
        _provider, _built, _endpoint = None, False, None
    if provider is not None and built:
        provider.shutdown()


def flush(timeout_s: float = 5.0) -> bool:
    """Send the spans ``setup``'s provider still holds (tests, and a CLI run about to exit)."""
    provider = _provider
    return True if provider is None else bool(provider.force_flush(int(timeout_s * 1000)))


# ------------------------------------------------------------------ the observer


class _Api:
    """The few OpenTelemetry names the observer uses, imported once tracing is on."""

    def __init__(self) -> None:
        from opentelemetry import trace
        from opentelemetry.trace import SpanKind, Status, StatusCode

        self.in_context = trace.set_span_in_context
        self.client, self.internal = SpanKind.CLIENT, SpanKind.INTERNAL
        self.error = Status(StatusCode.ERROR)


class _Factory:
    """``observe`` factory: every request gets a ``_RequestTrace``."""

    def __init__(self, tracer) -> None:
        self.tracer = tracer
        self.api = _Api()

    def __call__(self, orch, info: observe.RequestInfo) -> _RequestTrace:
        return _RequestTrace(self.tracer, self.api, info)


class _RequestTrace:
    """One request's span, and its attempts' child spans as the ledger records them."""

    __slots__ = ("tracer", "api", "span", "context", "started_ns", "plan", "task", "request_id")

    def __init__(self, tracer, api: _Api, info: observe.RequestInfo) -> None:
        prepared = info.prepared
        self.tracer, self.api, self.started_ns = tracer, api, info.started_ns
        self.plan, self.task, self.request_id = prepared.plan.code, prepared.task.name, info.request_id
        self.span = tracer.start_span(
            f"{INVOKE_WORKFLOW} {self.task}", kind=api.internal, start_time=info.started_ns,
            attributes={GEN_AI_OPERATION_NAME: INVOKE_WORKFLOW, GEN_AI_WORKFLOW_NAME: self.task,
                        "orchestrator.request_id": self.request_id, "orchestrator.task": self.task,
                        "orchestrator.plan": self.plan, "orchestrator.origin": info.origin.kind})
        self.context = api.in_context(self.span)

    def attempt(self, info: observe.AttemptInfo) -> None:
        row = info.row
        status = row["status"]
        end = max(_ns(row.get("timestamp")), self.started_ns)
        start = max(end - int(row.get("latency_ms") or 0) * 1_000_000, self.started_ns)
        called = status in ("success", "error")  # a cache hit or a quota denial made no call
        span = self.tracer.start_span(
            f"{CHAT} {row['model']}", context=self.context, kind=self.api.client if called else self.api.internal,
            start_time=start, attributes=self._attempt_attributes(info))
        if row.get("error_type"):
            span.set_status(self.api.error)
        span.end(end_time=end)

    def _attempt_attributes(self, info: observe.AttemptInfo) -> dict[str, Any]:
        row, request, completion = info.row, info.request, info.completion
        system = provider_name(row["provider_kind"])
        attrs: dict[str, Any] = {
            GEN_AI_OPERATION_NAME: CHAT, GEN_AI_SYSTEM: system, GEN_AI_PROVIDER_NAME: system,
            GEN_AI_REQUEST_MODEL: row["model"],
            "orchestrator.request_id": self.request_id, "orchestrator.task": self.task,
            "orchestrator.plan": self.plan, "orchestrator.attempt": row["attempt"],
            "orchestrator.status": row["status"], "orchestrator.cached": row["status"] == "cached",
            "orchestrator.provider": row["provider"], "orchestrator.provider_kind": row["provider_kind"],
            "orchestrator.priced": bool(row.get("priced", True)),
        }
        if row.get("cost_usd") is not None:
            attrs["orchestrator.cost_usd"] = float(row["cost_usd"])  # exact Decimal in the ledger
        if request is not None:
            if request.max_tokens is not None:
                attrs[GEN_AI_REQUEST_MAX_TOKENS] = int(request.max_tokens)
            if request.temperature is not None:
                attrs[GEN_AI_REQUEST_TEMPERATURE] = float(request.temperature)
        if completion is not None:
            if completion.model:
                attrs[GEN_AI_RESPONSE_MODEL] = str(completion.model)
            attrs[GEN_AI_USAGE_INPUT_TOKENS] = int(row.get("tokens_input") or 0)
            attrs[GEN_AI_USAGE_OUTPUT_TOKENS] = int(row.get("tokens_output") or 0)
            for key, column in ((GEN_AI_USAGE_CACHE_READ, "tokens_cached"),
                                (GEN_AI_USAGE_CACHE_CREATION, "tokens_cache_write"),
                                (GEN_AI_USAGE_REASONING, "tokens_reasoning")):
                if row.get(column):
                    attrs[key] = int(row[column])
        if row.get("finish_reason"):
            attrs[GEN_AI_RESPONSE_FINISH_REASONS] = (str(row["finish_reason"]),)
        if row.get("error_type"):
            attrs[ERROR_TYPE] = str(row["error_type"])  # the ledger's class: auth, timeout, a quota's limit...
        return attrs

    def finish(self, result, error: BaseException | None) -> None:
        span = self.span
        if result is not None:
            system = provider_name(result.provider_kind)
            attrs: dict[str, Any] = {
                "orchestrator.provider": result.provider, "orchestrator.provider_kind": result.provider_kind,
                "orchestrator.model": result.model, GEN_AI_PROVIDER_NAME: system, GEN_AI_SYSTEM: system,
                "orchestrator.cached": bool(result.cached), "orchestrator.attempts": len(result.attempts),
            }
            if result.total_cost_usd is not None:
                attrs["orchestrator.cost_usd"] = float(result.total_cost_usd)  # every attempt's, failed ones too
            if result.charged_usd is not None:
                attrs["orchestrator.charged_usd"] = float(result.charged_usd)
            span.set_attributes(attrs)
        elif error is not None:
            # the error's class only: messages can quote what the user sent
            cancelled = isinstance(error, (GeneratorExit, KeyboardInterrupt))
            span.set_attribute(ERROR_TYPE, "cancelled" if cancelled else type(error).__name__)
            limit = getattr(error, "limit", None)
            if isinstance(limit, str):
                span.set_attribute("orchestrator.quota_limit", limit)
            span.set_status(self.api.error)
        span.end()


def _ns(ts: datetime | None) -> int:
    """Nanoseconds since the epoch of a ledger timestamp (naive ones are UTC); now without one."""
    if ts is None:
        return time.time_ns()
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return (ts - _EPOCH) // _MICROSECOND * 1000
