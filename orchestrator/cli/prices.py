"""``python -m orchestrator prices ...``: the price book from the shell.

- ``prices history KIND MODEL``: every version of a model's prices;
- ``prices preview KIND MODEL --input ... [--price KEY=VALUE ...]``: the diff of a change and
  what the last 30 days would have cost under it (total, and margin per plan);
- ``prices set KIND MODEL ... [--effective-from WHEN] [--confirm]``: record it as a new version;
- ``prices reprice KIND MODEL --from DATE --to DATE [--version N] --reason TEXT [--dry-run]``;
- ``prices sync [--apply]``: compare with the installed genai-prices snapshot (and apply).

The operator acts as a super admin (``Actor.operator()``), audited as ``cli:<login>``.
"""

from __future__ import annotations

from orchestrator.cli.commands import _actor, _orch
from orchestrator.cli.output import emit, table
from orchestrator.errors import InputRejected


def register(group, cmd) -> None:
    """Add the ``prices`` commands to the CLI's parser (``group``/``cmd`` from ``cli._parser``)."""
    pr = group("prices", "the price book: versions, previews, re-pricing and genai-prices sync")
    sp = cmd(pr, "history", prices_history, "every version of a model's prices, newest first")
    _model(sp)
    sp = cmd(pr, "preview", prices_preview, "the diff of a price change and its effect on the last N days")
    _model(sp)
    _changes(sp)
    sp.add_argument("--days", type=int, default=30, help="how many past UTC days to re-price (default 30)")
    sp = cmd(pr, "set", prices_set, "change a model's prices (a new version; unnamed prices are kept)")
    _model(sp)
    _changes(sp)
    sp.add_argument("--effective-from", metavar="WHEN", help="ISO time (UTC unless it says) to schedule the change")
    sp.add_argument("--note", default=None)
    sp.add_argument("--confirm", action="store_true", help="confirm a jump above 10x or below 0.1x, a price "
                                                           "removed, or set to or from zero")
    sp = cmd(pr, "reprice", prices_reprice, "re-price a model's past calls with one version (audited)")
    _model(sp)
    sp.add_argument("--from", dest="start", required=True, metavar="DATE", help="start (inclusive), UTC")
    sp.add_argument("--to", dest="end", required=True, metavar="DATE", help="end (exclusive), UTC")
    sp.add_argument("--version", type=int, help="the version number (default: the one in force now)")
    sp.add_argument("--reason", default="", help="why (kept on the run and in the audit log)")
    sp.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    sp = cmd(pr, "sync", prices_sync, "compare the catalog with the installed genai-prices snapshot")
    sp.add_argument("--apply", action="store_true", help="record the differences as new versions (source sync); "
                                                         "admin overrides are never overwritten")


def _model(sp) -> None:
    sp.add_argument("kind", help="provider kind, e.g. openai")
    sp.add_argument("model", help="model id, e.g. gpt-5")


def _changes(sp) -> None:
    sp.add_argument("--input", help="input $ per 1M tokens")
    sp.add_argument("--output", help="output $ per 1M tokens")
    sp.add_argument("--cached-input", help="cache read $ per 1M tokens")
    sp.add_argument("--cache-write", help="cache write (5 min) $ per 1M tokens")
    sp.add_argument("--price", action="append", default=[], metavar="KEY=VALUE",
                    help="any genai-prices price key, e.g. cache_write_1h_mtok=6 or input_audio_mtok=1; "
                         "an empty VALUE removes the price")


def _prices(args) -> dict[str, str]:
    out = {name: getattr(args, name) for name in ("input", "output", "cached_input", "cache_write")
           if getattr(args, name) is not None}
    for item in args.price:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputRejected(f"--price takes KEY=VALUE, not '{item}'.")
        out[key.strip()] = value.strip()
    if not out:
        raise InputRejected("Name at least one price to change (--input, --output, --price KEY=VALUE...).")
    return out


def _show_changes(changes: list[dict]) -> None:
    for c in changes:
        ratio = f" x{c['ratio']}" if c["ratio"] else ""
        jump = f"  <- needs --confirm ({c['jump']})" if c["jump"] else ""
        print(f"  {c['label']:<22} {c['old'] or 'unset'} -> {c['new'] or 'unset'}{ratio}{jump}")


def prices_history(args) -> int:
    from orchestrator.services.admin import price_changes

    rows = [v.as_dict() for v in price_changes.price_history(_orch(args), kind=args.kind, model=args.model)]

    def human(d: list[dict]) -> None:
        table([{**r, "effective_from": r["effective_from"][:16].replace("T", " "),
                "prices": ", ".join(f"{k}={v}" for k, v in r["prices"].items()) or "unpriced"} for r in d],
              ["version", "status", "effective_from", "source", "created_by", "note", "prices"])

    emit(args, rows, human=human)
    return 0


def _human_preview(d: dict) -> None:
    print(f"{d['kind']}:{d['model']} price change")
    _show_changes(d["changes"])
    print(f"Over {d['start']} .. {d['end']}: {d['rows']} calls cost ${d['old_cost_usd']}, "
          f"would cost ${d['new_cost_usd']} ({d['delta_usd']})")
    table(d["plans"], ["plan", "revenue_usd", "cost_before_usd", "cost_after_usd", "margin_before_usd",
                       "margin_after_usd"])


def prices_preview(args) -> int:
    from orchestrator.services.admin import price_changes

    p = price_changes.preview_price_change(_orch(args), kind=args.kind, model=args.model, prices=_prices(args),
                                           days=args.days)
    emit(args, p.as_dict(), human=_human_preview)
    return 0


def prices_set(args) -> int:
    from orchestrator.services.admin import catalog, price_changes

    orch = _orch(args)
    changes = _prices(args)
    old, new = price_changes.proposed(orch, kind=args.kind, model=args.model, prices=changes)
    row = catalog.set_price(orch, kind=args.kind, model=args.model, prices=changes,
                            effective_from=args.effective_from, note=args.note, confirm=args.confirm, actor=_actor())
    data = {**row.as_dict(), "changes": [c.as_dict() for c in price_changes.diff(old, new)]}

    def human(d: dict) -> None:
        when = f" from {d['scheduled_from']}" if d["scheduled_from"] and args.effective_from else ""
        print(f"Saved {d['kind']}:{d['model']} prices{when} (version in force: {d['price_version']}"
              + (f", scheduled: {d['scheduled_version']}" if d["scheduled_version"] else "") + ")")
        _show_changes(d["changes"])

    emit(args, data, human=human)
    return 0


def prices_reprice(args) -> int:
    from orchestrator.services.admin import price_changes

    res = price_changes.reprice(_orch(args), kind=args.kind, model=args.model, start=args.start, end=args.end,
                                version=args.version, reason=args.reason, confirm=not args.dry_run, actor=_actor())

    def human(d: dict) -> None:
        verb = "Would re-price" if d["dry_run"] else f"Re-priced (run {d['run_id']})"
        print(f"{verb} {d['rows']} of {d['scanned']} calls of {d['kind']}:{d['model']} with version "
              f"{d['version']}: ${d['old_total_usd']} -> ${d['new_total_usd']} ({d['delta_usd']}), "
              f"{d['batches']} batch(es). What users were charged is unchanged.")

    emit(args, res.as_dict(), human=human)
    return 0


def prices_sync(args) -> int:
    from orchestrator.services.admin import price_sync

    items = price_sync.sync(_orch(args), apply=args.apply, actor=_actor())
    data = {"applied": bool(args.apply), "models": [i.as_dict() for i in items if i.status != "current"],
            "current": sum(i.status == "current" for i in items)}

    def human(d: dict) -> None:
        for m in d["models"]:
            done = f" -> version {m['applied_version']}" if m["applied_version"] else ""
            print(f"{m['kind']}:{m['model']}: {price_sync.SYNC_NOTES[m['status']]}{done}")
            _show_changes(m["changes"])
        print(f"{d['current']} model(s) match genai-prices."
              + ("" if d["applied"] else " Nothing was changed (use --apply)."))

    emit(args, data, human=human)
    return 0
