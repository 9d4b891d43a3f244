"""OpenTelemetry traces of requests, on SQLite and PostgreSQL: one span per request, one child span
per attempt with the GenAI conventions' attributes, errors where they happened, nothing private,
real OTLP/HTTP to a loopback receiver, and nothing at all (not even an import) when tracing is off."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import UsageRecord
from orchestrator import AllProvidersFailed, QuotaExceeded, observe, tracing
from orchestrator.result import Result
from orchestrator.services.admin import plans
from tests.conftest import test_settings
from tests.sim_support import SIM_KEYS, set_chain
from tests.support import POSTING, operator

ROOT = Path(__file__).resolve().parents[2]
OTEL_VARS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SERVICE_NAME",
             "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SDK_DISABLED", "OTEL_TRACES_SAMPLER")


@pytest.fixture(autouse=True)
def _no_tracing_leaks(monkeypatch):
    """Each test starts and ends with tracing off, whatever the shell running the tests exports."""
    for var in OTEL_VARS:
        monkeypatch.delenv(var, raising=False)
    tracing.uninstall()
    yield
    tracing.uninstall()


@pytest.fixture
def exporter():
    """Spans of every request, in memory (a provider of our own: the global one is untouched)."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exp = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exp))
    tracing.install(provider)
    yield exp
    tracing.uninstall()
    provider.shutdown()


def traces(exporter) -> list[tuple]:
    """(request span, [attempt spans by attempt number]) for each request, oldest first."""
    spans = exporter.get_finished_spans()
    roots = sorted((s for s in spans if s.parent is None), key=lambda s: s.start_time)
    out = []
    for root in roots:
        children = [s for s in spans if s.parent is not None and s.parent.span_id == root.context.span_id]
        out.append((root, sorted(children, key=lambda s: s.attributes["orchestrator.attempt"])))
    assert sum(1 + len(c) for _, c in out) == len(spans), "every span belongs to a request"
    return out


def ledger(orch, request_id):
    with orch.db.read() as s:
        return s.scalars(select(UsageRecord).where(UsageRecord.request_id == request_id)
                         .order_by(UsageRecord.attempt)).all()


def test_a_served_request_is_one_span_with_one_attempt_child(demo_users, sim_orch, exporter):
    from opentelemetry.trace import SpanKind, StatusCode

    orch = sim_orch
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    ((req, attempts),) = traces(exporter)
    (att,) = attempts
    (row,) = ledger(orch, r.request_id)

    assert req.name == "invoke_workflow extract_job" and req.kind == SpanKind.INTERNAL
    assert att.name == "chat gpt-4o-mini" and att.kind == SpanKind.CLIENT
    assert att.context.trace_id == req.context.trace_id and att.parent.span_id == req.context.span_id
    assert req.status.status_code == att.status.status_code == StatusCode.UNSET
    a = att.attributes
    assert (a["gen_ai.operation.name"], a["gen_ai.system"], a["gen_ai.provider.name"]) == ("chat", "openai", "openai")
    assert a["gen_ai.request.model"] == "gpt-4o-mini" and a["gen_ai.response.model"].startswith("gpt-4o-mini")
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (row.tokens_input, row.tokens_output)
    assert row.tokens_input > 0 and row.tokens_output > 0
    assert a["gen_ai.response.finish_reasons"] == (row.finish_reason,) == ("stop",)
    assert a["gen_ai.request.max_tokens"] > 0 and "error.type" not in a
    assert a["orchestrator.cost_usd"] == float(r.cost_usd) > 0
    assert (a["orchestrator.plan"], a["orchestrator.task"], a["orchestrator.provider"]) == (
        "freemium", "extract_job", "sim-openai")
    assert (a["orchestrator.attempt"], a["orchestrator.status"], a["orchestrator.cached"]) == (1, "success", False)
    assert a["orchestrator.request_id"] == req.attributes["orchestrator.request_id"] == r.request_id
    q = req.attributes
    assert (q["orchestrator.provider"], q["orchestrator.model"], q["gen_ai.system"]) == (
        "sim-openai", "gpt-4o-mini", "openai")
    assert q["orchestrator.cost_usd"] == float(r.total_cost_usd) and q["orchestrator.cached"] is False
    assert q["orchestrator.attempts"] == 1 and q["orchestrator.plan"] == "freemium"
    # the attempt sits inside the request, and lasts as long as the ledger says the call took
    assert req.start_time <= att.start_time <= att.end_time <= req.end_time
    assert att.end_time - att.start_time == row.latency_ms * 1_000_000


def test_each_provider_kind_gets_its_conventional_system(demo_users, sim_orch, exporter):
    orch = sim_orch
    chains = [("sim-openai:gpt-4o-mini", "openai", "openai"),
              ("sim-anthropic:claude-haiku-4-5", "anthropic", "anthropic"),
              ("sim-gemini:gemini-2.5-flash-lite", "gcp.gemini", "gemini"),
              ("sim-local:llama3.1:8b", "openai", "openai_compatible"),
              ("offline:offline-engine-v1", "orchestrator.offline", "offline")]
    for chain, _, _ in chains:
        set_chain(orch, "freemium", "extract_job", chain)
        orch.run("extract_job", user="free@example.com", text=POSTING, regenerate=True)
    got = [(c[0].attributes["gen_ai.system"], c[0].attributes["orchestrator.provider_kind"],
            c[0].attributes.get("orchestrator.cost_usd")) for _, c in traces(exporter)]
    assert [g[:2] for g in got] == [(system, kind) for _, system, kind in chains]
    assert got[3][2] is None  # an unpriced model has no cost, not a cost of 0
    assert [s for s, _ in traces(exporter)][3].attributes.get("orchestrator.cost_usd") is None


def test_fallback_gives_an_error_span_then_a_served_one(demo_users, sim_orch, fresh_sim, exporter):
    from opentelemetry.trace import SpanKind, StatusCode

    orch = sim_orch
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-anthropic:claude-haiku-4-5")
    fresh_sim.set_sticky_fault("openai", kind="status", status=401)
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    ((req, (first, second)),) = traces(exporter)
    assert [(x.status, x.error_type) for x in ledger(orch, r.request_id)] == [("error", "auth"), ("success", None)]
    assert first.status.status_code == StatusCode.ERROR and first.kind == SpanKind.CLIENT
    assert first.attributes["error.type"] == "auth" and first.attributes["orchestrator.status"] == "error"
    assert first.attributes["gen_ai.system"] == "openai" and "gen_ai.usage.input_tokens" not in first.attributes
    assert second.status.status_code == StatusCode.UNSET and "error.type" not in second.attributes
    assert (second.attributes["gen_ai.system"], second.attributes["orchestrator.attempt"]) == ("anthropic", 2)
    assert first.parent.span_id == second.parent.span_id == req.context.span_id
    assert first.end_time <= second.start_time  # one after the other
    assert req.status.status_code == StatusCode.UNSET and req.attributes["orchestrator.provider"] == "sim-anthropic"
    assert req.attributes["orchestrator.attempts"] == 2 == len(r.attempts)


def test_a_cache_hit_is_traced_as_cached_without_a_call(demo_users, sim_orch, exporter):
    from opentelemetry.trace import SpanKind

    orch = sim_orch
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    orch.run("extract_job", user="free@example.com", text=POSTING)
    hit = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert hit.cached
    (_, (served,)), (req, (cached,)) = traces(exporter)
    assert served.attributes["orchestrator.cached"] is False and served.kind == SpanKind.CLIENT
    assert cached.attributes["orchestrator.cached"] is True and cached.attributes["orchestrator.status"] == "cached"
    assert cached.kind == SpanKind.INTERNAL  # nothing was called
    assert cached.attributes["orchestrator.cost_usd"] == 0.0 and "error.type" not in cached.attributes
    assert req.attributes["orchestrator.cached"] is True and req.attributes["orchestrator.cost_usd"] == 0.0


def test_a_quota_denial_ends_the_request_span_in_error(demo_users, exporter):
    from opentelemetry.trace import StatusCode

    orch = demo_users
    plans.set_limits(orch, code="freemium", requests_per_day=0, actor=operator())
    with pytest.raises(QuotaExceeded):
        orch.run("extract_job", user="free@example.com", text=POSTING)
    ((req, (denied,)),) = traces(exporter)
    assert req.status.status_code == StatusCode.ERROR
    assert req.attributes["error.type"] == "QuotaExceeded"
    assert req.attributes["orchestrator.quota_limit"] == "requests_per_day"
    assert denied.status.status_code == StatusCode.ERROR
    assert (denied.attributes["orchestrator.status"], denied.attributes["error.type"]) == (
        "quota_denied", "requests_per_day")
    assert not req.status.description and not req.events  # no message, no stack trace: they quote inputs


def test_all_providers_failing_ends_the_request_span_in_error(demo_users, sim_orch, fresh_sim, exporter):
    from opentelemetry.trace import StatusCode

    orch = sim_orch
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-anthropic:claude-haiku-4-5")
    fresh_sim.set_sticky_fault("openai", kind="status", status=401)
    fresh_sim.set_sticky_fault("anthropic", kind="status", status=401)
    with pytest.raises(AllProvidersFailed):
        orch.run("extract_job", user="free@example.com", text=POSTING)
    ((req, attempts),) = traces(exporter)
    assert req.status.status_code == StatusCode.ERROR and req.attributes["error.type"] == "AllProvidersFailed"
    assert [(a.attributes["orchestrator.provider"], a.attributes["error.type"], a.status.status_code)
            for a in attempts] == [("sim-openai", "auth", StatusCode.ERROR), ("sim-anthropic", "auth", StatusCode.ERROR)]
    assert "orchestrator.provider" not in req.attributes  # nobody served it


def test_streamed_requests_are_traced_and_a_closed_stream_is_cancelled(demo_users, sim_orch, exporter):
    from opentelemetry.trace import StatusCode

    orch = sim_orch
    job = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
    set_chain(orch, "freemium", "draft_cv", "sim-gemini:gemini-2.5-flash-lite")
    exporter.clear()
    events = list(orch.stream("draft_cv", user="free@example.com", job_id=job))
    result = events[-1]
    assert isinstance(result, Result) and len(events) > 2
    ((req, (att,)),) = traces(exporter)
    assert req.name == "invoke_workflow draft_cv" and att.name == "chat gemini-2.5-flash-lite"
    assert att.attributes["gen_ai.system"] == "gcp.gemini"
    assert att.attributes["gen_ai.usage.output_tokens"] == result.usage.output_tokens > 0
    assert att.attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert req.attributes["orchestrator.request_id"] == result.request_id

    exporter.clear()
    stream = orch.stream("draft_cv", user="free@example.com", job_id=job)
    assert isinstance(next(stream), str)
    stream.close()  # the reader left mid-answer
    ((req, (att,)),) = traces(exporter)
    assert req.status.status_code == StatusCode.ERROR and req.attributes["error.type"] == "cancelled"
    assert att.attributes["error.type"] == "cancelled" and att.status.status_code == StatusCode.ERROR


def test_no_prompt_answer_personal_data_or_key_in_any_span(demo_users, sim_orch, fresh_sim, exporter):
    from orchestrator.seeding.demo import DEMO_ACCOUNTS, PROFILES
    from orchestrator.services.admin import providers

    orch = sim_orch
    leaked_key = "sk-proj-LeakCanary0123456789abcdefXYZW"
    providers.add_provider(orch, name="leaky", kind="openai", base_url=fresh_sim.openai_base_url, api_key=leaked_key,
                           actor=operator())
    # a refused key (the simulator's 401 echoes it), then a fallback, a served answer, a cache hit, a stream
    set_chain(orch, "freemium", "extract_job", "leaky:gpt-4o-mini,sim-anthropic:claude-haiku-4-5")
    first = orch.run("extract_job", user="free@example.com", text=POSTING)
    again = orch.run("extract_job", user="free@example.com", text=POSTING)
    set_chain(orch, "freemium", "cover_letter", "sim-gemini:gemini-2.5-flash-lite")
    letter = list(orch.stream("cover_letter", user="free@example.com", job_id=first.job_id))[-1]
    set_chain(orch, "freemium", "draft_cv", "sim-openai:gpt-4o-mini")
    cv = orch.run("draft_cv", user="free@example.com", job_id=first.job_id)
    assert again.cached and letter.text and cv.text

    email, name = DEMO_ACCOUNTS[1][0], DEMO_ACCOUNTS[1][1]
    secrets = [leaked_key, leaked_key[-8:], "LeakCanary", email, name, "frida", *SIM_KEYS.values(),
               *(k[-8:] for k in SIM_KEYS.values())]
    secrets += [line.strip() for line in POSTING.splitlines() if len(line.strip()) >= 12]
    secrets += [v for v in PROFILES[email].values() if isinstance(v, str) and len(v) >= 8]
    for text in (first.text, letter.text, cv.text):  # the answers, a line at a time
        secrets += [line.strip() for line in text.splitlines() if len(line.strip()) >= 16]
    texts = []
    for span in exporter.get_finished_spans():
        texts += [span.name, span.status.description or ""]
        texts += [str(v) for v in span.attributes.values()]
        texts += [str(v) for v in span.resource.attributes.values()]
        texts += [e.name + json.dumps(dict(e.attributes), default=str) for e in span.events]
    assert len(texts) > 50
    blob = "\n".join(texts).lower()
    found = [s for s in secrets if s.lower() in blob]
    assert found == []


def test_off_registers_nothing_and_watches_no_request(demo_users, tmp_path, monkeypatch):
    orch = demo_users
    tracing.setup(test_settings(tmp_path, otel_endpoint=None))
    assert "tracing" not in observe._FACTORIES
    started = []
    real = observe.start
    monkeypatch.setattr(observe, "start", lambda o, info: started.append(real(o, info)) or started[-1])
    orch.run("extract_job", user="free@example.com", text=POSTING)
    assert started == [[]]  # the pipeline watched this request with no observer at all


_CHILD = """
import json, sys
from cryptography.fernet import Fernet
from orchestrator import Orchestrator, observe
from orchestrator.config import Settings
tmp = sys.argv[1]
orch = Orchestrator(database_url=f"sqlite:///{tmp}/app.db",
                    settings=Settings.load(data_dir=tmp, master_keys=(Fernet.generate_key().decode(),)))
served = None
if sys.argv[2] == "run":
    from orchestrator.seeding.demo import _accounts
    _accounts(orch)
    served = orch.run("extract_job", user="free@example.com", text="Data Engineer at Acme, Berlin. Python, SQL.").provider
print(json.dumps({"otel": sorted(m for m in sys.modules if m.startswith("opentelemetry")),
                  "tracing": "tracing" in observe._FACTORIES, "served": served}))
"""


@pytest.mark.parametrize("endpoint", [None, "http://127.0.0.1:9/"])
def test_off_does_not_even_import_opentelemetry(tmp_path, endpoint):
    """A fresh process: creating an Orchestrator and serving a request loads no OpenTelemetry
    module unless the endpoint is set (the contrast shows the check can see it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["ORCHESTRATOR_SECRETS_FILE"] = str(tmp_path / "none.toml")
    if endpoint:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
    out = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path), "create" if endpoint else "run"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    if endpoint is None:
        assert got == {"otel": [], "tracing": False, "served": "offline"}
    else:
        assert got["tracing"] and "opentelemetry.sdk.trace" in got["otel"]


# ------------------------------------------------------------ OTLP over loopback


class _Receiver:
    """A tiny OTLP/HTTP collector on loopback: records every POST."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.append((self.path, self.headers.get("Content-Type"), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _value(v):
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return tuple(_value(x) for x in v.array_value.values)
    return getattr(v, kind)


@pytest.mark.parametrize("form", ["base", "full"])
def test_spans_reach_a_collector_over_otlp_http(demo_users, sim_orch, fresh_sim, tmp_path, form):
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

    receiver = _Receiver()
    try:
        endpoint = receiver.url + "/" if form == "base" else receiver.url + "/v1/traces"
        tracing.setup(test_settings(tmp_path, otel_endpoint=endpoint))
        orch = sim_orch
        set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite")
        fresh_sim.set_sticky_fault("openai", kind="status", status=401)
        r = orch.run("extract_job", user="free@example.com", text=POSTING)
        assert tracing.flush(10)
    finally:
        tracing.uninstall()
        receiver.close()
    assert receiver.received and {(p, t) for p, t, _ in receiver.received} == {
        ("/v1/traces", "application/x-protobuf")}
    spans, resources = [], []
    for _, _, body in receiver.received:
        for rs in ExportTraceServiceRequest.FromString(body).resource_spans:
            resources.append({kv.key: _value(kv.value) for kv in rs.resource.attributes})
            for ss in rs.scope_spans:
                assert ss.scope.name == "orchestrator"
                spans += [(s, {kv.key: _value(kv.value) for kv in s.attributes}) for s in ss.spans]
    assert resources[0]["service.name"] == "ai-orchestrator"
    (req, qa), = [(s, a) for s, a in spans if not s.parent_span_id]
    attempts = sorted(((s, a) for s, a in spans if s.parent_span_id), key=lambda x: x[1]["orchestrator.attempt"])
    assert req.name == "invoke_workflow extract_job" and qa["orchestrator.request_id"] == r.request_id
    assert qa["orchestrator.provider"] == "sim-gemini" and qa["orchestrator.cost_usd"] == float(r.total_cost_usd)
    assert [(s.name, a["gen_ai.system"], a.get("error.type"), s.status.code) for s, a in attempts] == [
        ("chat gpt-4o-mini", "openai", "auth", Status.STATUS_CODE_ERROR),
        ("chat gemini-2.5-flash-lite", "gcp.gemini", None, Status.STATUS_CODE_UNSET)]
    for s, _ in attempts:
        assert s.parent_span_id == req.span_id and s.trace_id == req.trace_id and s.kind == Span.SPAN_KIND_CLIENT
    served = attempts[1][1]
    assert served["gen_ai.usage.input_tokens"] == r.usage.input_tokens > 0
    assert served["gen_ai.usage.output_tokens"] == r.usage.output_tokens > 0
    assert served["gen_ai.response.finish_reasons"] == ("stop",) and served["orchestrator.plan"] == "freemium"


def test_endpoint_forms_and_the_traces_only_variable(monkeypatch):
    assert tracing.traces_endpoint("http://collector:4318") == "http://collector:4318/v1/traces"
    assert tracing.traces_endpoint("http://collector:4318/") == "http://collector:4318/v1/traces"
    assert tracing.traces_endpoint("https://otel.example.com/otlp") == "https://otel.example.com/otlp/v1/traces"
    assert tracing.traces_endpoint("http://collector:4318/v1/traces") == "http://collector:4318/v1/traces"
    assert tracing.traces_endpoint(" http://collector:4318/v1/traces/ ") == "http://collector:4318/v1/traces"


def test_a_mistyped_endpoint_is_a_config_error_not_silence(tmp_path):
    from orchestrator.errors import ConfigError

    for wrong in ("localhost:4318", "grpc://collector:4317"):
        with pytest.raises(ConfigError, match="OTEL_EXPORTER_OTLP_ENDPOINT"):
            tracing.setup(test_settings(tmp_path, otel_endpoint=wrong))
    assert "tracing" not in observe._FACTORIES


def test_names_and_values_agree_with_the_installed_semantic_conventions():
    from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as g
    from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE

    names = {n: getattr(tracing, n) for n in dir(tracing) if n.startswith("GEN_AI_")}
    assert tracing.GEN_AI_USAGE_CACHE_READ == g.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS
    assert tracing.GEN_AI_USAGE_CACHE_CREATION == g.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS
    assert tracing.GEN_AI_USAGE_REASONING == g.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS
    for n, v in names.items():
        if hasattr(g, n):
            assert getattr(g, n) == v, n
    assert tracing.ERROR_TYPE == ERROR_TYPE
    assert tracing.CHAT == g.GenAiOperationNameValues.CHAT.value
    assert tracing.INVOKE_WORKFLOW == g.GenAiOperationNameValues.INVOKE_WORKFLOW.value
    for kind in ("openai", "anthropic", "gemini"):
        value = tracing.PROVIDER_NAMES[kind]
        assert value in {m.value for m in g.GenAiProviderNameValues}
        assert value in {m.value for m in g.GenAiSystemValues}


def test_an_sdk_provider_already_running_is_used_and_left_running(demo_users, tmp_path, monkeypatch):
    """Under ``opentelemetry-instrument`` the process already has an SDK provider: spans go there,
    and stopping our tracing does not shut down someone else's provider."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exp = InMemorySpanExporter()
    theirs = TracerProvider()
    theirs.add_span_processor(SimpleSpanProcessor(exp))
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: theirs)
    tracing.setup(test_settings(tmp_path, otel_endpoint="http://127.0.0.1:9"))
    demo_users.run("extract_job", user="free@example.com", text=POSTING)
    tracing.uninstall()
    assert [s.name for s in exp.get_finished_spans()] == ["chat offline-engine-v1", "invoke_workflow extract_job"]
    with theirs.get_tracer("t").start_as_current_span("still running"):
        pass
    assert exp.get_finished_spans()[-1].name == "still running"
    theirs.shutdown()
