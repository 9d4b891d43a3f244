"""The HTTP handler: routes a request to a vendor's wire module, applies the
fault for it, and writes plain, chunked-SSE or deliberately broken answers.

HTTP/1.1 with keep-alive: plain answers carry Content-Length, streams use
chunked transfer encoding (so the connection survives a finished stream), and
anything that breaks a connection on purpose marks it closed.
"""

from __future__ import annotations

import json
import logging
import re
import select
import socket
import struct
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from orchestrator.simulator import anthropic_wire, gemini_wire, openai_wire
from orchestrator.simulator.control import handle_control
from orchestrator.simulator.engine import compute_usage, generate, image_data, input_tokens, split_chunks
from orchestrator.simulator.faults import DEFAULT_TIMEOUT_S, Fault
from orchestrator.simulator.wire import StreamPlan, WireError, dumps, header

if TYPE_CHECKING:
    from orchestrator.simulator.server import Simulator

log = logging.getLogger(__name__)

WIRES: dict[str, Any] = {"openai": openai_wire, "anthropic": anthropic_wire, "gemini": gemini_wire}
REASONS = {529: "Overloaded", 499: "Client Closed Request"}
_ERROR_KINDS = ("status", "quota", "too_large")  # faults answered with the vendor's error body

_GEMINI_CALL = re.compile(r"^/(v1|v1beta|v1alpha)/models/([^/:]+):(generateContent|streamGenerateContent|countTokens)$")
_GEMINI_MODELS = re.compile(r"^/(v1beta|v1alpha)/(models|tunedModels)(?:/([^/:]+))?$")
_V1_MODELS = re.compile(r"^/v1/(models|tunedModels)(?:/([^/:]+))?$")


@dataclass
class Route:
    vendor: str
    action: str  # chat | messages | count | generate | stream | list | get
    model: str | None = None
    api_version: str = "v1"


def _vendor_by_headers(headers: Any, query: dict[str, str]) -> str:
    """``GET /v1/models`` is shared by all three: tell them apart by their auth."""
    if header(headers, "x-goog-api-key") or "key" in query:
        return "gemini"
    if header(headers, "x-api-key") or header(headers, "anthropic-version"):
        return "anthropic"
    return "openai"


def route_for(method: str, path: str, headers: Any, query: dict[str, str]) -> Route | None:
    if method == "POST":
        if path == "/v1/chat/completions":
            return Route("openai", "chat")
        if path == "/v1/messages":
            return Route("anthropic", "messages")
        if path == "/v1/messages/count_tokens":
            return Route("anthropic", "count")
        m = _GEMINI_CALL.match(path)
        if m:
            action = {"generateContent": "generate", "streamGenerateContent": "stream", "countTokens": "count"}
            return Route("gemini", action[m.group(3)], unquote(m.group(2)), m.group(1))
        return None
    if method != "GET":
        return None
    m = _GEMINI_MODELS.match(path)
    if m:
        tuned = m.group(2) == "tunedModels"
        return Route("gemini", "get" if m.group(3) else ("tuned" if tuned else "list"),
                     unquote(m.group(3) or "") or None, m.group(1))
    m = _V1_MODELS.match(path)
    if m:
        vendor = _vendor_by_headers(headers, query)
        if m.group(1) == "tunedModels" and vendor != "gemini":
            return None
        action = "get" if m.group(2) else ("tuned" if m.group(1) == "tunedModels" else "list")
        return Route(vendor, action, unquote(m.group(2) or "") or None, "v1")
    return None


def _internal_error(vendor: str) -> dict[str, Any]:
    if vendor == "anthropic":
        return anthropic_wire.error(500)
    if vendor == "gemini":
        return gemini_wire.error(500)
    return openai_wire.error(500)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY, Nagle holds the body
    # back until the client's delayed ACK (40 ms) on keep-alive connections
    disable_nagle_algorithm = True
    server_version = "orchestrator-simulator"
    sys_version = ""

    @property
    def sim(self) -> Simulator:
        return self.server.sim  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silent: the default prints request lines, and Gemini keys travel in query strings."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # ------------------------------------------------------------- plumbing

    def _read_body(self) -> bytes:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    _answer_started = False

    def send_response(self, code: int, message: str | None = None) -> None:
        self._answer_started = True
        super().send_response(code, message)

    def _send_bytes(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status, REASONS.get(status))
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, dumps(obj).encode(), "application/json; charset=UTF-8", headers)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _reset(self) -> None:
        """Close with RST: the client sees a dropped connection, no response."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _hangup(self) -> None:
        """Close with FIN, mid-response: the body is left incomplete."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _hold(self, seconds: float) -> None:
        """Wait until the client gives up (closes), ``seconds`` pass, or the simulator stops."""
        deadline = time.monotonic() + seconds
        sock = self.connection
        while not self.sim._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                readable, _, _ = select.select([sock], [], [], min(0.05, remaining))
                if readable and not sock.recv(1, socket.MSG_PEEK):
                    return  # the client closed its end
            except OSError:
                return
            if readable:
                time.sleep(0.05)

    # ------------------------------------------------------------- dispatch

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query))
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        if split.path.startswith("/_sim/"):
            status, obj = handle_control(self.sim, method, split.path, query, body)
            self.send_json(status, obj)
            return
        self._answer_started = False
        route = route_for(method, split.path, self.headers, query)
        if route is None:
            self.send_json(404, {"error": {"message": f"No route for {method} {split.path}",
                                           "type": "invalid_request_error", "code": "unknown_url"}})
            return
        entry = self.sim._log_start(method, split.path, route.vendor, route.action, route.model)
        try:
            self._serve(route, query, body, entry)
        except WireError as err:
            entry["status"] = err.status
            self.send_json(err.status, err.body, {**WIRES[route.vendor].response_headers(), **err.headers})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # a simulator bug: answer like the vendor's 500, not a dropped socket
            log.exception("simulator failed on %s %s", method, split.path)
            entry["status"] = 500
            if self._answer_started:
                self._hangup()
            else:
                self.send_json(500, _internal_error(route.vendor))
        finally:
            self.sim._log_finish(entry)

    def _serve(self, route: Route, query: dict[str, str], raw: bytes, entry: dict[str, Any]) -> None:
        sim = self.sim
        wire = WIRES[route.vendor]
        err = wire.auth_error(self.headers, query, sim._valid_keys.get(route.vendor))
        if err is not None:
            entry["auth"] = "rejected"
            raise err
        entry["auth"] = "ok" if sim._valid_keys.get(route.vendor) is not None else "unchecked"

        call = None
        model = route.model
        if route.action not in ("list", "get", "tuned"):
            try:
                body = json.loads(raw or b"{}")
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise wire.bad_request("The request body is not valid JSON.") from None
            if not isinstance(body, dict):
                raise wire.bad_request("The request body must be a JSON object.")
            entry["body"] = body  # what the client sent (keys travel in headers and URLs, never here)
            if route.vendor == "gemini":
                stream = route.action == "stream"
                call = gemini_wire.parse(route.model or "", body, stream=stream)
            elif route.action == "count":
                call = anthropic_wire.parse(body, counting=True)
            else:
                call = wire.parse(body)
            if call.images:
                call.image_data = image_data(body)
            model = call.model
            entry.update(model=model, stream=call.stream, images=call.images, structured=call.json_mode,
                         max_tokens=call.max_tokens)
        allowed = sim._models.get(route.vendor)
        if model and allowed is not None and model not in allowed:
            if route.vendor == "gemini":
                method = {"stream": "streamGenerateContent", "count": "countTokens"}.get(route.action, "generateContent")
                raise gemini_wire.model_not_found(model, route.api_version, method)
            raise wire.model_not_found(model)

        fault = sim._faults.take(route.vendor, model)
        if fault is not None:
            entry["fault"] = fault.kind
            if self._fault_before_answer(route, fault, call, entry):
                return

        headers = wire.response_headers()
        if route.action in ("list", "tuned"):
            models = [] if route.action == "tuned" else sim.models_for(route.vendor)
            return self._send_plain(route, wire.list_models(models, query), headers, fault, entry)
        if route.action == "get":
            return self._send_plain(route, wire.get_model(model or ""), headers, fault, entry)
        assert call is not None
        if route.action == "count":
            total = input_tokens(call)
            obj = gemini_wire.count_tokens(total) if route.vendor == "gemini" else {"input_tokens": total}
            return self._send_plain(route, obj, headers, fault, entry)
        kind = fault.kind if fault is not None else None
        respond = sim._respond
        if fault is not None and kind == "reply":  # the scripted answer instead of the offline engine's
            respond = lambda _system, _prompt, text=fault.text or "": text  # noqa: E731
        gen = generate(call, respond, schema_invalid=kind == "schema_invalid", truncate=kind == "truncate",
                       truncate_after=fault.after if fault is not None and kind == "truncate" else None,
                       refuse=kind == "refuse")
        gen.usage = compute_usage(call, gen, sim._cache)
        plan = sim._usage_plans.take(route.vendor, model)
        if plan is not None:
            plan.apply(gen.usage)
            entry["usage_plan"] = plan.as_dict()
        entry.update(input_tokens=gen.usage.input_tokens, output_tokens=gen.usage.output_tokens,
                     finish=gen.finish, usage_body=wire.usage_body(call, gen))
        if not call.stream:
            return self._send_plain(route, wire.render(call, gen), headers, fault, entry)
        chunks = split_chunks(gen.text)
        if route.vendor == "gemini" and query.get("alt") != "sse":
            body_chunks, tail = gemini_wire.stream_chunks(call, gen, chunks)
            return self._send_plain(route, body_chunks + tail, headers, fault, entry)
        self._stream(wire, wire.stream(call, gen, chunks), headers, fault, entry)

    def _fault_before_answer(self, route: Route, fault: Fault, call: Any, entry: dict[str, Any]) -> bool:
        """Apply a fault that acts before the answer; True when the request is done."""
        streaming = call is not None and call.stream
        if fault.kind == "reset":
            entry["status"] = None
            self._reset()
            return True
        if fault.kind == "latency":
            self.sim._stopping.wait(fault.seconds if fault.seconds is not None else 1.0)
        elif fault.kind == "timeout" and not (streaming and fault.after is not None):
            entry["status"] = None
            self._hold(fault.seconds if fault.seconds is not None else DEFAULT_TIMEOUT_S)
            self._hangup()
            return True
        elif fault.kind in _ERROR_KINDS and not (streaming and fault.after is not None):
            self._send_fault_status(route, fault, call, entry)
            return True
        return False

    def _send_fault_status(self, route: Route, fault: Fault, call: Any, entry: dict[str, Any]) -> None:
        wire = WIRES[route.vendor]
        model = call.model if call is not None else route.model
        status, body = wire.fault_error(fault, model, call)
        headers = wire.response_headers()
        # OpenAI sends retry-after and retry-after-ms, Anthropic retry-after; Gemini says it in the body
        if fault.retry_after is not None and fault.kind == "status" and route.vendor != "gemini":
            headers["retry-after"] = f"{fault.retry_after:g}"
            if route.vendor == "openai":
                headers["retry-after-ms"] = f"{fault.retry_after * 1000:g}"
        if route.vendor == "openai" and status == 429:
            headers["x-ratelimit-remaining-requests"] = "0"
        entry["status"] = status
        self.send_json(status, body, headers)

    def _send_plain(self, route: Route, obj: Any, headers: dict[str, str], fault: Fault | None,
                    entry: dict[str, Any]) -> None:
        data = dumps(obj).encode()
        if fault is not None and fault.kind == "malformed_json":
            data = data[: max(1, len(data) // 2)]
        entry["status"] = 200
        self._send_bytes(200, data, "application/json; charset=UTF-8", headers)

    def _stream(self, wire: Any, plan: StreamPlan, headers: dict[str, str], fault: Fault | None,
                entry: dict[str, Any]) -> None:
        kind = fault.kind if fault is not None else None
        broken = kind in ("stream_cut", "malformed_json") or (
            kind in (*_ERROR_KINDS, "timeout") and fault is not None and fault.after is not None
        )
        default_after = 1 if kind == "malformed_json" else 2
        after = len(plan.body)
        if broken and fault is not None:
            after = min(fault.after if fault.after is not None else default_after, len(plan.body))
        entry["status"] = 200
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in headers.items():
            self.send_header(name, value)
        if kind in ("stream_cut", "timeout"):
            self.send_header("Connection", "close")
        self.end_headers()
        delay = self.sim.chunk_delay
        for frame in plan.head:
            self._chunk(frame)
        for frame in plan.body[:after]:
            if delay:
                self.sim._stopping.wait(delay)
            self._chunk(frame)
        if not broken:
            for frame in plan.tail:
                self._chunk(frame)
            self._end_chunks()
            return
        assert fault is not None
        if kind == "stream_cut":
            if fault.mode == "abrupt":
                self._hangup()
                return
            self._end_chunks()
            self.close_connection = True
        elif kind == "malformed_json":
            self._chunk(wire.broken_frame())
            self._end_chunks()
        elif kind in _ERROR_KINDS:
            self._chunk(wire.stream_fault(fault, entry.get("model")))
            self._end_chunks()
        elif kind == "timeout":
            self._hold(fault.seconds if fault.seconds is not None else DEFAULT_TIMEOUT_S)
            self._hangup()
