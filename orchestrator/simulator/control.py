"""The ``/_sim/*`` control endpoints: faults, the request log, keys, models.

``GET  /_sim/health``                 -> {"ok": true}
``GET  /_sim/faults``                 -> {vendor: {"queue": [...], "sticky": {...}|null}}
``POST /_sim/faults``                 <- a fault object, a list of them, or {"faults": [...]};
                                         each {"vendor", "kind", ...,"times": n | "sticky": true};
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
        if method == "GET":
            return 200, sim.faults
        if method == "DELETE":
            sim.clear_faults(query.get("vendor") or None)
            return 200, sim.faults
        if method == "POST":
            if isinstance(body, dict) and body.get("clear"):
                sim.clear_faults(body.get("vendor") or None)
                return 200, sim.faults
            items = body.get("faults") if isinstance(body, dict) and "faults" in body else body
            for item in items if isinstance(items, list) else [items]:
                if not isinstance(item, dict):
                    raise ValueError("each fault must be a JSON object")
                vendor, fault, times = fault_from_mapping(item)
                if times is None:
                    sim._faults.set_sticky(vendor, fault)
                else:
                    sim._faults.add(vendor, fault, times)
            return 200, sim.faults
    if path == "/_sim/usage":
        if method == "GET":
            return 200, sim.usage_plans
        if method == "DELETE":
            sim.clear_usage(query.get("vendor") or None)
            return 200, sim.usage_plans
        if method == "POST":
            if isinstance(body, dict) and body.get("clear"):
                sim.clear_usage(body.get("vendor") or None)
                return 200, sim.usage_plans
            items = body.get("plans") if isinstance(body, dict) and "plans" in body else body
            for item in items if isinstance(items, list) else [items]:
                if not isinstance(item, dict):
                    raise ValueError("each usage plan must be a JSON object")
                vendor, plan, times = plan_from_mapping(item)
                if times is None:
                    sim._usage_plans.set_sticky(vendor, plan)
                else:
                    sim._usage_plans.add(vendor, plan, times)
            return 200, sim.usage_plans
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
