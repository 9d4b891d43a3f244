"""The ``/_sim/*`` control endpoints: faults, the request log, keys, models.

``GET  /_sim/health``                 -> {"ok": true}
``GET  /_sim/faults``                 -> {vendor: {"queue": [...], "sticky": {...}|null}}
``POST /_sim/faults``                 <- a fault object, a list of them, or {"faults": [...]};
                                         each {"vendor", "kind", ...,"times": n | "sticky": true};
                                         {"kind": "reply", "text": "..."} scripts the answer itself
                                         or {"clear": true, "vendor": optional}
``DELETE /_sim/faults[?vendor=v]``    clears faults
``GET  /_sim/usage``                  -> {vendor: {"queue": [...], "sticky": {...}|null}}
``POST /_sim/usage``                  <- a usage plan, a list of them, or {"plans": [...]}; each
                                         {"vendor", "cache_read", "cache_write", "cache_write_1h",
                                         "reasoning", "input_audio", "input_image", "cache_audio_read",
                                         "cache_image_read", "output_audio", "output_image", "model",
                                         "times": n | "sticky": true}; or {"clear": true, "vendor": optional}
``DELETE /_sim/usage[?vendor=v]``     clears usage plans
``GET  /_sim/requests``               -> {"requests": [...]}  (never a key)
``DELETE /_sim/requests``             clears the log
``POST /_sim/reset``                  clears faults, usage plans, the log and the prompt cache
``POST /_sim/keys``                   <- {"vendor": v, "keys": [..] | null}   (null: accept any)
``POST /_sim/models``                 <- {"vendor": v, "models": [..] | null} (null: accept any)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from orchestrator.simulator.faults import fault_from_mapping
from orchestrator.simulator.usage import plan_from_mapping

if TYPE_CHECKING:
    from orchestrator.simulator.server import Simulator


def _bad(message: str) -> tuple[int, dict[str, Any]]:
    return 400, {"error": {"message": message}}


def handle_control(sim: Simulator, method: str, path: str, query: dict[str, str],
                   raw: bytes) -> tuple[int, Any]:
    try:
        body = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError:
        return _bad("body is not valid JSON")
    try:
        return _route(sim, method, path, query, body)
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))


def _route(sim: Simulator, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
    if path == "/_sim/health" and method == "GET":
        return 200, {"ok": True}
    if path == "/_sim/faults":
        return _scripted(method, query, body, many="faults", what="fault", parse=fault_from_mapping,
                         book=sim._faults, clear=sim.clear_faults, show=lambda: sim.faults)
    if path == "/_sim/usage":
        return _scripted(method, query, body, many="plans", what="usage plan", parse=plan_from_mapping,
                         book=sim._usage_plans, clear=sim.clear_usage, show=lambda: sim.usage_plans)
    if path == "/_sim/requests":
        if method == "GET":
            return 200, {"requests": sim.requests}
        if method == "DELETE":
            sim.clear_requests()
            return 200, {"requests": []}
    if path == "/_sim/reset" and method == "POST":
        sim.reset()
        return 200, {"ok": True}
    if path == "/_sim/keys" and method == "POST" and isinstance(body, dict):
        sim.set_valid_keys(str(body.get("vendor")), body.get("keys"))
        return 200, {"ok": True}
    if path == "/_sim/models" and method == "POST" and isinstance(body, dict):
        sim.set_models(str(body.get("vendor")), body.get("models"))
        return 200, {"ok": True}
    return 404, {"error": {"message": f"no control endpoint {method} {path}"}}


def _scripted(method: str, query: dict[str, str], body: Any, *, many: str, what: str,
              parse: Callable[[dict[str, Any]], tuple[str, Any, int | None]], book: Any,
              clear: Callable[[str | None], None], show: Callable[[], Any]) -> tuple[int, Any]:
    """GET / DELETE / POST of a per-vendor script (faults, usage plans): each item is queued
    ``times`` times or made sticky; ``{"clear": true}`` or DELETE clears one vendor or all."""
    if method == "GET":
        return 200, show()
    if method == "DELETE":
        clear(query.get("vendor") or None)
        return 200, show()
    if method != "POST":
        return 404, {"error": {"message": f"no control endpoint {method}"}}
    if isinstance(body, dict) and body.get("clear"):
        clear(body.get("vendor") or None)
        return 200, show()
    items = body.get(many) if isinstance(body, dict) and many in body else body
    for item in items if isinstance(items, list) else [items]:
        if not isinstance(item, dict):
            raise ValueError(f"each {what} must be a JSON object")
        vendor, entry, times = parse(item)
        if times is None:
            book.set_sticky(vendor, entry)
        else:
            book.add(vendor, entry, times)
    return 200, show()
