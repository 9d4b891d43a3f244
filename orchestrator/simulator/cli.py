"""``python -m orchestrator simulate``: run the simulator in the foreground."""

from __future__ import annotations

import argparse
import sys

from orchestrator.simulator.faults import parse_fault_spec
from orchestrator.simulator.usage import parse_usage_spec


def _pairs(values: list[str], flag: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for value in values:
        vendor, sep, item = value.partition("=")
        if not sep or not item:
            raise SystemExit(f"{flag} expects VENDOR=VALUE, got {value!r}")
        out.setdefault(vendor.strip(), []).append(item.strip())
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m orchestrator simulate",
        description="Serve fake OpenAI, Anthropic and Gemini APIs on loopback.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument("--fault", action="append", default=[], metavar="VENDOR:KIND[:ARG...]",
                   help="e.g. openai:status:429:1 (sticky) or gemini:status:503:times=2 (queued)")
    p.add_argument("--usage", action="append", default=[], metavar="VENDOR:NAME=N[:...]",
                   help="extra usage detail, e.g. anthropic:cache_write=200:cache_write_1h=100 (sticky) or "
                        "gemini:input_audio=300:cache_audio_read=100:times=2 (queued)")
    p.add_argument("--valid-key", action="append", default=[], metavar="VENDOR=KEY",
                   help="accept only these keys for VENDOR (repeatable)")
    p.add_argument("--model", action="append", default=[], metavar="VENDOR=MODEL",
                   help="serve only these models for VENDOR (repeatable); others get a 404")
    p.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between stream chunks")
    p.add_argument("--no-prompt-cache", action="store_true", help="never report cached input tokens")
    return p


def main(argv: list[str] | None = None) -> int:
    from orchestrator.simulator.server import Simulator

    args = build_parser().parse_args(argv)
    try:
        faults = [parse_fault_spec(spec) for spec in args.fault]
        plans = [parse_usage_spec(spec) for spec in args.usage]
        sim = Simulator(
            host=args.host, port=args.port,
            valid_keys=_pairs(args.valid_key, "--valid-key") or None,
            models=_pairs(args.model, "--model") or None,
            chunk_delay=args.chunk_delay, prompt_cache=not args.no_prompt_cache,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for book, entries in ((sim._faults, faults), (sim._usage_plans, plans)):
        for vendor, item, times in entries:
            if times is None:
                book.set_sticky(vendor, item)
            else:
                book.add(vendor, item, times)
    try:
        sim.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Simulator listening on {sim.url}  (control: {sim.url}/_sim/faults, /_sim/requests)")
    print(f"  OpenAI     base_url = {sim.openai_base_url}")
    print(f"  Anthropic  base_url = {sim.anthropic_base_url}")
    print(f"  Gemini     base_url = {sim.gemini_base_url}")
    sys.stdout.flush()
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
