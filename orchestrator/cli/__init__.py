"""The admin CLI: ``python -m orchestrator <command> [--json]``.

Every command accepts ``--json`` and then prints one JSON document on stdout.
Errors exit non-zero with one clear line (``error: ...`` on stderr, or
``{"error": ..., "error_type": ...}`` on stdout with ``--json``), never a
traceback; set ``ORCHESTRATOR_DEBUG=1`` to see one.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from orchestrator.errors import OrchestratorError
from orchestrator.tasks import TASKS

EXIT_ERROR = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    from orchestrator.cli import commands as c
    from orchestrator.providers import registry

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print machine-readable JSON")
    p = argparse.ArgumentParser(prog="python -m orchestrator", parents=[common],
                                description="AI Orchestrator admin CLI")
    p.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def cmd(parent, name, func, help_):
        sp = parent.add_parser(name, parents=[common], help=help_, description=help_)
        sp.set_defaults(func=func)
        return sp

    def group(name, help_):
        g = sub.add_parser(name, help=help_, description=help_)
        return g.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")

    db = group("db", "database schema")
    cmd(db, "upgrade", c.db_upgrade, "apply Alembic migrations up to the latest")

    sp = cmd(sub, "seed", c.seed, "seed plans, providers, prices and the routing policy (idempotent)")
    sp.add_argument("--demo", action="store_true", help="also demo accounts, profiles and ~90 days of history")
    demo = group("demo", "demo data")
    cmd(demo, "purge", c.demo_purge, "remove everything seed --demo created")

    prov = group("providers", "AI providers and their keys")
    sp = cmd(prov, "add", c.providers_add, "register a provider")
    sp.add_argument("--name", required=True)
    sp.add_argument("--kind", required=True, choices=registry.PROVIDER_KINDS,
                    help="the wire format: " + "; ".join(f"{k.name} = {k.label}" for k in registry.all_kinds()))
    sp.add_argument("--base-url")
    keys = sp.add_mutually_exclusive_group()
    keys.add_argument("--api-key-env", metavar="VAR", help="read the key from this environment variable")
    keys.add_argument("--api-key-stdin", action="store_true", help="read the key from stdin; stored encrypted")
    sp.add_argument("--priority", type=int, default=100)
    sp.add_argument("--timeout", type=float, default=60.0, help="seconds per attempt")
    sp.add_argument("--inactive", action="store_true")
    cmd(prov, "list", c.providers_list, "list providers")
    sp = cmd(prov, "update", c.providers_update, "change a provider")
    sp.add_argument("name")
    sp.add_argument("--base-url")
    keys = sp.add_mutually_exclusive_group()
    keys.add_argument("--api-key-env", metavar="VAR")
    keys.add_argument("--api-key-stdin", action="store_true")
    keys.add_argument("--clear-key", action="store_true")
    sp.add_argument("--priority", type=int)
    sp.add_argument("--timeout", type=float)
    sp.add_argument("--rename", metavar="NEW_NAME")
    act = sp.add_mutually_exclusive_group()
    act.add_argument("--activate", action="store_true")
    act.add_argument("--deactivate", action="store_true")
    sp = cmd(prov, "remove", c.providers_remove, "delete a provider (refused while routing uses it)")
    sp.add_argument("name")
    sp = cmd(prov, "test", c.providers_test, "test a provider's credentials with a minimal real request")
    sp.add_argument("name")
    sp.add_argument("--model")

    route = group("route", "the routing policy (plan x task -> chain)")
    sp = cmd(route, "show", c.route_show, "show the live policy")
    sp.add_argument("--plan")
    sp.add_argument("--task")
    sp.add_argument("--version", type=int)
    sp = cmd(route, "set", c.route_set, "set one cell's chain (saved as a new version)")
    sp.add_argument("--plan", required=True)
    sp.add_argument("--task", required=True)
    sp.add_argument("--chain", required=True, metavar="NAME:MODEL[,NAME:MODEL...]")
    sp.add_argument("--note", default="")
    cmd(route, "history", c.route_history, "list policy versions")
    sp = cmd(route, "revert", c.route_revert, "make an old version live again (as a new version)")
    sp.add_argument("--version", type=int, required=True)

    users = group("users", "users, plans and credit")
    sp = cmd(users, "add", c.users_add, "add a user")
    sp.add_argument("--email", required=True)
    sp.add_argument("--plan", required=True)
    sp.add_argument("--role", default="user", choices=["user", "admin", "super_admin"])
    sp.add_argument("--name", default="")
    sp.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sp = cmd(users, "list", c.users_list, "list users")
    sp.add_argument("--search")
    sp.add_argument("--plan")
    sp = cmd(users, "set-plan", c.users_set_plan, "move a user to another plan")
    sp.add_argument("--email", required=True)
    sp.add_argument("--plan", required=True)
    sp = cmd(users, "set-role", c.users_set_role, "change a user's role")
    sp.add_argument("--email", required=True)
    sp.add_argument("--role", required=True, choices=["user", "admin", "super_admin"])
    sp = cmd(users, "top-up", c.users_top_up, "add prepaid credit (paygo)")
    sp.add_argument("--email", required=True)
    sp.add_argument("--amount", required=True, help="US dollars, e.g. 10 or 2.50")

    from orchestrator.cli import tokens as t

    tok = group("tokens", "personal API tokens (for the HTTP API and the /v1 gateway)")
    sp = cmd(tok, "create", t.tokens_create, "create a token for a user; it is printed once")
    sp.add_argument("--user", required=True, metavar="EMAIL")
    sp.add_argument("--name", help="what it is for, e.g. 'laptop script' (default 'API token')")
    sp.add_argument("--expires-days", type=int, metavar="N", help="expire after N days (default: never)")
    sp = cmd(tok, "list", t.tokens_list, "list tokens (hints only, never the tokens)")
    sp.add_argument("--user", metavar="EMAIL", help="one user's tokens (default: everyone's)")
    sp = cmd(tok, "revoke", t.tokens_revoke, "revoke a token by its id (it stops working at once)")
    sp.add_argument("id", help="the token's id, from `tokens list`")

    from orchestrator.cli import alerts as al

    al.register(group, cmd)

    from orchestrator.cli import prices as pr

    pr.register(group, cmd)

    plans = group("plans", "plans and their limits")
    cmd(plans, "list", c.plans_list, "list plans and limits")
    sp = cmd(plans, "set", c.plans_set, "change a plan's limits ('none' removes a limit)")
    sp.add_argument("--plan", required=True)
    sp.add_argument("--requests-per-day")
    sp.add_argument("--tokens-per-month")
    sp.add_argument("--cost-cap-usd")
    sp.add_argument("--markup-pct")
    sp.add_argument("--monthly-fee-usd")
    sp.add_argument("--keep-payloads", choices=["on", "off"],
                    help="keep prompts and answers (redacted) for the request inspector")
    sp.add_argument("--redact-personal-data", choices=["on", "off"],
                    help="send users' name and contact details to external providers as placeholders")

    prof = group("profile", "a user's profile (master CV)")
    sp = cmd(prof, "show", c.profile_show, "print a profile")
    sp.add_argument("--user", required=True)
    sp = cmd(prof, "set", c.profile_set, "set a profile from a Markdown, text, JSON, DOCX or PDF file (or stdin)")
    sp.add_argument("--user", required=True)
    sp.add_argument("--file", help="path; '-' or omitted reads stdin")

    sp = cmd(sub, "run", c.run_task, "run a task for a user")
    sp.add_argument("task", choices=list(TASKS), help="a registered task")
    sp.add_argument("--user", required=True)
    src = sp.add_mutually_exclusive_group()
    src.add_argument("--text")
    src.add_argument("--file", help="a text file with the posting")
    src.add_argument("--image", help="a PNG, JPEG or WebP screenshot")
    src.add_argument("--url")
    sp.add_argument("--job-id", type=int)
    sp.add_argument("--length", choices=["short", "standard", "detailed"])
    sp.add_argument("--tone", choices=["formal", "friendly", "confident", "enthusiastic"])
    sp.add_argument("--language")
    sp.add_argument("--emphasis")
    sp.add_argument("--regenerate", action="store_true", help="bypass the response cache")
    sp.add_argument("--stream", action="store_true", help="print text as it arrives")
    sp.add_argument("--document-id", type=int, help="a document version (tasks that rewrite one part of it)")
    sp.add_argument("--part", type=int, help="the part to rewrite: its number in the document's parts, from 0")
    sp.add_argument("--style", help="how to rewrite it: concise, quantified or posting_wording")

    from orchestrator.cli import match as mt

    mt.register(sub, cmd)

    sp = cmd(sub, "usage", c.usage, "the usage ledger, one row per attempt")
    sp.add_argument("--since", help="YYYY-MM-DD or an ISO timestamp (UTC)")
    sp.add_argument("--user")
    sp.add_argument("--request-id")
    sp.add_argument("--limit", type=int, default=1000)

    led = group("ledger", "the usage ledger's books")
    cmd(led, "check", c.ledger_check, "check that ledger, quota holds, counters and credit agree")
    q = group("quota", "quota holds")
    cmd(q, "sweep", c.quota_sweep, "release holds whose TTL has passed (processes that died mid-request)")
    mnt = group("maintenance", "housekeeping the app server also runs on its own")
    cmd(mnt, "prune", c.maintenance_prune,
        "delete expired sessions, cache entries and sign-in throttle rows; release stale holds")

    k = group("keys", "the credential vault")
    cmd(k, "rotate", c.keys_rotate, "re-encrypt every stored key under the first master key")
    cmd(k, "generate", c.keys_generate, "print a new master key")

    sp = cmd(sub, "simulate", c.simulate, "serve the loopback provider simulator")
    sp.add_argument("--port", type=int, default=8765)
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--fault", action="append", default=[], metavar="VENDOR:KIND[:ARG...]")
    sp.add_argument("--valid-key", action="append", default=[], metavar="VENDOR=KEY")
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s: %(message)s")
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "json"):
        args.json = False
    try:
        return int(args.func(args) or 0)
    except OrchestratorError as exc:
        return _fail(args, str(exc), type(exc).__name__)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for users; ORCHESTRATOR_DEBUG=1 shows it
        if os.environ.get("ORCHESTRATOR_DEBUG"):
            raise
        from orchestrator.redact import scrub

        return _fail(args, f"unexpected {type(exc).__name__}: {scrub(exc)}", type(exc).__name__)


def _fail(args, message: str, error_type: str) -> int:
    message = " ".join(message.split())
    if args.json:
        from orchestrator.cli.output import emit_json

        emit_json({"error": message, "error_type": error_type})
    else:
        print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR
