"""CLI command handlers: parse arguments, call services, print. No logic of their own.

Admin commands act as ``Actor.operator()``: the CLI runs with the operator's shell
access (the database and the master key are theirs already), so it counts as a super
admin, and the audit trail records ``cli:<login>``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from orchestrator.cli.output import emit, table
from orchestrator.errors import InputRejected


def _actor():
    """The operator as a checked actor (imported lazily: ``--help`` stays fast)."""
    from orchestrator.services.actor import Actor

    return Actor.operator()


def _orch(args, *, seed: bool = True):
    from orchestrator import Orchestrator

    return Orchestrator(database_url=args.database_url, seed=seed)


def _stdin_secret(what: str) -> str:
    value = sys.stdin.readline().strip()
    if not value:
        raise InputRejected(f"No {what} on stdin.")
    return value


# ------------------------------------------------------------------ database


def db_upgrade(args) -> int:
    orch = _orch(args, seed=False)
    from alembic.migration import MigrationContext

    with orch.db.engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
    emit(args, {"database": orch.db.engine.url.render_as_string(hide_password=True), "revision": rev},
         human=lambda d: print(f"Database at revision {d['revision']}: {d['database']}"))
    return 0


def seed(args) -> int:
    from orchestrator.seeding.seed import seed_base

    orch = _orch(args, seed=False)
    created = seed_base(orch.db)
    if args.demo:
        from orchestrator.seeding.demo import seed_demo

        created.update(seed_demo(orch))
    emit(args, {"created": created},
         human=lambda d: print("Seeded: " + ", ".join(f"{k} {v}" for k, v in d["created"].items())))
    return 0


def demo_purge(args) -> int:
    from orchestrator.seeding.demo import purge_demo

    removed = purge_demo(_orch(args))
    emit(args, {"removed": removed},
         human=lambda d: print("Removed: " + ", ".join(f"{k} {v}" for k, v in d["removed"].items())))
    return 0


# ----------------------------------------------------------------- providers


def _provider_row(p) -> dict:
    d = p.as_dict()
    d["circuit"] = d.pop("circuit_state")
    d["last_test"] = ("ok" if p.last_test_ok else "failed") if p.last_test_ok is not None else None
    return d


def providers_add(args) -> int:
    from orchestrator.services.admin import providers

    key = _stdin_secret("API key") if args.api_key_stdin else None
    info = providers.add_provider(_orch(args), name=args.name, kind=args.kind, base_url=args.base_url,
                                  api_key=key, api_key_env=args.api_key_env, priority=args.priority,
                                  timeout_s=args.timeout, is_active=not args.inactive, actor=_actor())
    emit(args, _provider_row(info), human=lambda d: print(
        f"Added provider {d['name']} ({d['kind']}), key {d['key_source']}"
        + (f" {d['key_hint']}" if d["key_hint"] else "")))
    return 0


def providers_list(args) -> int:
    from orchestrator.services.admin import providers

    rows = [_provider_row(p) for p in providers.list_providers(_orch(args))]
    emit(args, rows, human=lambda d: table(d, ["name", "kind", "is_active", "key_source", "key_hint", "priority",
                                              "base_url", "circuit", "last_test"]))
    return 0


def providers_update(args) -> int:
    from orchestrator.services.admin import providers

    kwargs: dict = {}
    if args.base_url is not None:
        kwargs["base_url"] = args.base_url
    if args.api_key_stdin:
        kwargs["api_key"] = _stdin_secret("API key")
    elif args.clear_key:
        kwargs["api_key"] = None
    if args.api_key_env is not None:
        kwargs["api_key_env"] = args.api_key_env
    if args.activate or args.deactivate:
        kwargs["is_active"] = bool(args.activate)
    info = providers.update_provider(_orch(args), args.name, priority=args.priority, timeout_s=args.timeout,
                                     new_name=args.rename, actor=_actor(), **kwargs)
    emit(args, _provider_row(info), human=lambda d: print(f"Updated provider {d['name']}."))
    return 0


def providers_remove(args) -> int:
    from orchestrator.services.admin import providers

    providers.remove_provider(_orch(args), args.name, actor=_actor())
    emit(args, {"removed": args.name}, human=lambda d: print(f"Removed provider {d['removed']}."))
    return 0


def providers_test(args) -> int:
    from orchestrator.services.admin import providers

    res = providers.check_credentials(_orch(args), args.name, model=args.model, actor=_actor())
    emit(args, res.as_dict(), human=lambda d: print(
        f"{'OK' if d['ok'] else 'FAILED'} {d['provider']} ({d['model']}) in {d['latency_ms']} ms: {d['message']}"))
    return 0 if res.ok else 1


# ------------------------------------------------------------------- routing


def _show_policy(d: dict) -> None:
    print(f"Routing policy v{d['version']} by {d['created_by']} at {d['created_at']}  {d['note']}")
    for cell in d["cells"]:
        chain = " -> ".join(f"{st['provider']}:{st['model']}" for st in cell["chain"])
        print(f"  {cell['plan']:<10} {cell['task']:<13} {chain}")


def route_show(args) -> int:
    from orchestrator.errors import NotFound
    from orchestrator.services.admin import policy

    orch = _orch(args)
    pol = policy.get_version(orch, args.version) if args.version else policy.current(orch)
    if pol is None:
        raise NotFound("There is no routing policy yet: run `python -m orchestrator seed`.")
    data = pol.as_dict()
    data["cells"] = [c for c in data["cells"]
                     if (not args.plan or c["plan"] == args.plan) and (not args.task or c["task"] == args.task)]
    emit(args, data, human=_show_policy)
    return 0


def route_set(args) -> int:
    from orchestrator.routing import parse_chain
    from orchestrator.services.admin import policy

    orch = _orch(args)
    pol = policy.set_chain(orch, plan=args.plan, task=args.task, steps=parse_chain(args.chain), actor=_actor(),
                           note=args.note)
    warnings = [w for w in policy.validate(orch, pol.matrix) if w.startswith(f"{args.plan}/{args.task}")]
    data = pol.as_dict()
    data["cells"] = [c for c in data["cells"] if c["plan"] == args.plan and c["task"] == args.task]
    data["warnings"] = warnings

    def human(d):
        _show_policy(d)
        for w in d["warnings"]:
            print(f"warning: {w}")

    emit(args, data, human=human)
    return 0


def route_history(args) -> int:
    from orchestrator.services.admin import policy

    rows = [{k: v for k, v in p.as_dict().items() if k != "cells"} for p in policy.history(_orch(args))]
    emit(args, rows, human=lambda d: table(d, ["version", "created_at", "created_by", "note"]))
    return 0


def route_revert(args) -> int:
    from orchestrator.services.admin import policy

    pol = policy.revert(_orch(args), args.version, actor=_actor())
    emit(args, pol.as_dict(), human=_show_policy)
    return 0


# --------------------------------------------------------------------- users


def users_add(args) -> int:
    from orchestrator.services.admin import users

    password = _stdin_secret("password") if args.password_stdin else None
    info = users.add_user(_orch(args), email=args.email, plan=args.plan, role=args.role, name=args.name,
                          password=password, actor=_actor())
    emit(args, info.as_dict(), human=lambda d: print(f"Added {d['email']} ({d['role']}, plan {d['plan']})."))
    return 0


def users_list(args) -> int:
    from orchestrator.services.admin import users

    rows = [u.as_dict() for u in users.list_users(_orch(args), search=args.search, plan=args.plan)]
    emit(args, rows, human=lambda d: table(d, ["email", "name", "role", "plan", "is_active", "credit_usd"]))
    return 0


def users_set_plan(args) -> int:
    from orchestrator.services.admin import users

    info = users.set_plan(_orch(args), email=args.email, plan=args.plan, actor=_actor())
    emit(args, info.as_dict(), human=lambda d: print(f"{d['email']} is now on {d['plan']}."))
    return 0


def users_set_role(args) -> int:
    from orchestrator.services.admin import users

    info = users.set_role(_orch(args), email=args.email, role=args.role, actor=_actor())
    emit(args, info.as_dict(), human=lambda d: print(f"{d['email']} is now {d['role']}."))
    return 0


def users_top_up(args) -> int:
    from orchestrator.services.admin import users

    info = users.top_up(_orch(args), email=args.email, amount_usd=args.amount, actor=_actor())
    emit(args, info.as_dict(), human=lambda d: print(f"{d['email']} now has ${d['credit_usd']} credit."))
    return 0


# --------------------------------------------------------------------- plans


def plans_list(args) -> int:
    from orchestrator.services.admin import plans

    rows = [p.as_dict() for p in plans.list_plans(_orch(args))]
    emit(args, rows, human=lambda d: table(d, ["code", "name", "requests_per_day", "tokens_per_month",
                                              "cost_cap_usd_month", "markup_pct", "monthly_fee_usd",
                                              "keep_payloads", "redact_personal_data"]))
    return 0


def plans_set(args) -> int:
    from orchestrator.services.admin import plans

    changes = {k: getattr(args, k, None) for k in ("requests_per_day", "tokens_per_month", "cost_cap_usd",
                                                   "markup_pct", "monthly_fee_usd", "keep_payloads",
                                                   "redact_personal_data")
               if getattr(args, k, None) is not None}
    if not changes:
        raise InputRejected("Nothing to change: give at least one limit.")
    info = plans.set_limits(_orch(args), code=args.plan, actor=_actor(), **changes)
    emit(args, info.as_dict(), human=lambda d: table([d], ["code", "requests_per_day", "tokens_per_month",
                                                          "cost_cap_usd_month", "markup_pct", "keep_payloads",
                                                          "redact_personal_data"]))
    return 0


# ------------------------------------------------------------------- profile


def profile_show(args) -> int:
    from orchestrator.services.user import profiles

    prof = profiles.get_profile(_orch(args), user=args.user)
    emit(args, prof.model_dump(mode="json"), human=None)
    return 0


def profile_set(args) -> int:
    from orchestrator.services.user import profiles

    orch = _orch(args)
    if args.file and args.file != "-":
        path = Path(args.file)
        if not path.is_file():
            raise InputRejected(f"No file {path}.")
        prof = profiles.parse_profile(orch, path.read_bytes(), filename=path.name)
    else:
        prof = profiles.parse_profile(orch, sys.stdin.read(), filename="stdin.md")
    saved = profiles.save_profile(orch, user=args.user, profile=prof)
    emit(args, saved.model_dump(mode="json"), human=lambda d: print(
        f"Saved profile for {args.user}: {d['name'] or '(no name)'}, {len(d['experience'])} roles, "
        f"{len(d['skills'])} skills."))
    return 0


# ---------------------------------------------------------------- run, usage


def run_task(args) -> int:
    from orchestrator.cli.run import run

    return run(_orch(args), args)


def usage(args) -> int:
    from orchestrator import ledger
    from orchestrator.services.admin.users import get_user

    orch = _orch(args)
    since = _parse_since(args.since) if args.since else None
    user_id = get_user(orch, email=args.user).id if args.user else None
    rows = ledger.recent(orch.db, since=since, user_id=user_id, request_id=args.request_id, limit=args.limit)
    emit(args, rows, human=lambda d: table(d, ["timestamp", "user", "task_type", "provider", "model", "status",
                                              "tokens_input", "tokens_output", "cost_usd", "latency_ms"]))
    return 0


def _parse_since(value: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise InputRejected(f"--since must be a date like 2026-11-01 or an ISO timestamp, not '{value}'.") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def ledger_check(args) -> int:
    from orchestrator.integrity import check

    problems = check(_orch(args).db)
    emit(args, {"ok": not problems, "problems": problems},
         human=lambda d: print("The books balance." if d["ok"] else "\n".join(d["problems"])))
    return 0 if not problems else 1


def quota_sweep(args) -> int:
    from orchestrator.quota import sweep_expired

    n = sweep_expired(_orch(args).db)
    emit(args, {"released": n}, human=lambda d: print(f"Released {d['released']} expired hold(s)."))
    return 0


def maintenance_prune(args) -> int:
    from orchestrator.maintenance import run_due

    result = run_due(_orch(args), force=True)
    emit(args, result, human=lambda d: print("Pruned: " + ", ".join(f"{v} {k.replace('_', ' ')}"
                                                                    for k, v in d.items()) + "."))
    return 0


# ---------------------------------------------------------------- keys, sim


def keys_rotate(args) -> int:
    from orchestrator.services.admin import providers

    from orchestrator.services.admin import alert_channels

    orch = _orch(args)
    n = providers.rotate_keys(orch, actor=_actor()) + alert_channels.rotate_secrets(orch, actor=_actor())
    emit(args, {"rotated": n}, human=lambda d: print(f"Re-encrypted {d['rotated']} stored key(s)."))
    return 0


def keys_generate(args) -> int:
    from orchestrator.vault import Vault

    key = Vault.generate_key()
    emit(args, {"key": key}, human=lambda d: print(d["key"]))
    return 0


def simulate(args) -> int:
    from orchestrator.simulator import main as sim_main

    argv = ["--host", args.host, "--port", str(args.port)]
    for f in args.fault:
        argv += ["--fault", f]
    for k in args.valid_key:
        argv += ["--valid-key", k]
    return sim_main(argv)
