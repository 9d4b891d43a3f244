"""The request path's overhead with OpenTelemetry tracing off and on, in one interleaved run.

Same set-up as ``bench.request_path.measure_overhead`` (a cover letter routed to the
loopback simulator in its own process; each orchestrated call paired with a direct
``openai`` SDK call sending the same body, the difference being the overhead). Each
round measures one pair with tracing off and one with it on, in alternating order, so
drift (caches, the OS, the simulator) hits both alike; the figures are medians over
several hundred rounds.

"On" is what ``OTEL_EXPORTER_OTLP_ENDPOINT`` turns on, minus the network: the request
observer with an SDK ``TracerProvider`` and a ``BatchSpanProcessor`` whose exporter drops
the spans (the OTLP encoding and POST happen on the processor's thread, off the request
path). "Off" is the default: no observer registered, so the pipeline's ``observe.start``
returns ``[]`` and every later hook is skipped.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.request_path import _direct_call, _orchestrated_call, _q, _setup, simulator


def _null_provider():
    """A tracer provider that batches spans like the real one and drops them at export."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Dropped(SpanExporter):
        def __init__(self) -> None:
            self.count = 0

        def export(self, spans):
            self.count += len(spans)
            return SpanExportResult.SUCCESS

    exporter = Dropped()
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider, exporter


def measure(url: str, data_dir: Path, runs: int = 400, warmup: int = 30) -> dict:
    """{"run": {...}, "stream": {...}, "spans": n}: per mode, the overhead p50/p95 (ms) with tracing
    off and on, their difference, and the orchestrated call's p50 both ways."""
    from orchestrator import tracing

    provider, exporter = _null_provider()
    with simulator() as sim_url:
        orch, jobs = _setup(url, Path(data_dir), sim_url, users=1)
        try:
            email, job = jobs[0]
            out: dict = {}
            for mode in ("run", "stream"):
                streaming = mode == "stream"
                direct = _direct_call(orch, email, job, sim_url + "/v1", streaming)
                orchestrated = _orchestrated_call(orch, email, job, streaming)

                over: dict[bool, list[float]] = {False: [], True: []}
                whole: dict[bool, list[float]] = {False: [], True: []}

                def pair(on: bool, keep: bool) -> None:
                    if on:
                        tracing.install(provider)
                    else:
                        tracing.uninstall()
                    t = time.perf_counter()
                    direct()
                    d = (time.perf_counter() - t) * 1000
                    t = time.perf_counter()
                    orchestrated()
                    o = (time.perf_counter() - t) * 1000
                    if keep:
                        over[on].append(o - d)
                        whole[on].append(o)

                for i in range(warmup + runs):  # warm-up rounds first: clients, snapshot, pools
                    for on in ((False, True) if i % 2 == 0 else (True, False)):
                        pair(on, keep=i >= warmup)
                tracing.uninstall()
                off, on = statistics.median(over[False]), statistics.median(over[True])
                out[mode] = dict(off_overhead_p50=off, on_overhead_p50=on, delta_p50=on - off,
                                 off_overhead_p95=_q(over[False], .95), on_overhead_p95=_q(over[True], .95),
                                 off_run_p50=statistics.median(whole[False]),
                                 on_run_p50=statistics.median(whole[True]), runs=runs)
            provider.force_flush()
            out["spans"] = exporter.count
            return out
        finally:
            tracing.uninstall()
            orch.close()
            provider.shutdown()


def report(name: str, r: dict) -> list[str]:
    """Lines for ``make bench``."""
    lines = []
    for mode in ("run", "stream"):
        m = r[mode]
        lines.append(f"  {name:10} {mode + '()':9} overhead p50: tracing off {m['off_overhead_p50']:.2f} ms, "
                     f"on {m['on_overhead_p50']:.2f} ms (+{m['delta_p50']:.2f} ms); p95 off "
                     f"{m['off_overhead_p95']:.2f}, on {m['on_overhead_p95']:.2f}; orchestrated p50 off "
                     f"{m['off_run_p50']:.2f} ms, on {m['on_run_p50']:.2f} ms ({m['runs']} interleaved rounds)")
    lines.append(f"  {name:10} {r['spans']} spans batched and dropped by the exporter (2 per request)")
    return lines


if __name__ == "__main__":  # python -m bench.tracing_overhead [sqlite|postgresql URL]
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="orch_trace_bench_") as tmp:
        target = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(tmp) / 'trace.db'}"
        for line in report(target.split(":", 1)[0], measure(target, Path(tmp) / "data")):
            print(line, flush=True)
