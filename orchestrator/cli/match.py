"""``python -m orchestrator match --user EMAIL --job-id N [--json]``: how well a user's profile
matches one of their saved jobs (deterministic and offline: no cost, no ledger row).

``--json`` prints exactly ``{"score": int, "matched": [...], "missing": [...]}``; ``missing``
names the posting's skills (or, for a posting without skills, its keywords) the profile lacks.
"""

from __future__ import annotations

from orchestrator.cli.commands import _orch
from orchestrator.cli.output import emit


def register(sub, cmd) -> None:
    """Add ``match`` to the CLI's parser (``sub``/``cmd`` from ``cli._parser``)."""
    sp = cmd(sub, "match", match, "score a user's profile against one of their saved jobs (offline, free)")
    sp.add_argument("--user", required=True, metavar="EMAIL")
    sp.add_argument("--job-id", required=True, type=int, metavar="N")


def match(args) -> int:
    from orchestrator.services.user.matching import match_job

    report = match_job(_orch(args), user=args.user, job_id=args.job_id)

    def human(_data: dict) -> None:
        print(f"Match score {report.score}/100 for job {report.job_id}: {report.job_title}")
        print(report.summary)
        if report.matched:
            print("Matched: " + ", ".join(report.matched))
        if report.missing:
            print("Missing: " + ", ".join(report.missing))
        print(report.explanation)

    emit(args, report.as_json(), human=human)
    return 0
