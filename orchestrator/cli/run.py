"""``python -m orchestrator run TASK``: run one task and print the result."""

from __future__ import annotations

import sys
from pathlib import Path

from orchestrator.cli.output import emit
from orchestrator.errors import InputRejected
from orchestrator.origin import CLI
from orchestrator.result import Result, StreamRestart


def _read(path: str, binary: bool = False):
    p = Path(path)
    if not p.is_file():
        raise InputRejected(f"No file {p}.")
    return p.read_bytes() if binary else p.read_text(encoding="utf-8", errors="replace")


def run(orch, args) -> int:
    options = {k: getattr(args, k) for k in ("length", "tone", "language", "emphasis") if getattr(args, k)}
    options |= {k: getattr(args, k) for k in ("document_id", "part", "style") if getattr(args, k, None) is not None}
    kwargs = dict(user=args.user, job_id=args.job_id, regenerate=args.regenerate, origin=CLI, **options)
    if args.text is not None:
        kwargs["text"] = args.text
    elif args.file:
        kwargs["text"] = _read(args.file)
    elif args.image:
        kwargs["image"] = _read(args.image, binary=True)
    elif args.url:
        kwargs["url"] = args.url
    if args.stream and not args.json:
        result = None
        for event in orch.stream(args.task, **kwargs):
            if isinstance(event, Result):
                result = event
            elif isinstance(event, StreamRestart):
                print(f"\n[{event.describe()}]\n", file=sys.stderr)
            else:
                sys.stdout.write(event)
                sys.stdout.flush()
        print()
        _footer(result)
        return 0
    result = orch.run(args.task, **kwargs)
    emit(args, result.as_dict(), human=lambda d: _human(result))
    return 0


def _human(result: Result) -> None:
    if result.data is not None:
        print(result.data.model_dump_json(indent=2))
    else:
        print(result.text)
    _footer(result)


def _footer(result: Result) -> None:
    cost = "unpriced" if result.cost_usd is None else f"${result.cost_usd}"
    extra = f", job {result.job_id}" if result.job_id else (f", document {result.document_id}"
                                                              if result.document_id else "")
    print(f"\n-- {result.label}; {result.usage.input_tokens} in / {result.usage.output_tokens} out tokens; "
          f"{cost}; {result.latency_ms} ms{extra}", file=sys.stderr)
