"""``Simulator``: a loopback HTTP server speaking the OpenAI, Anthropic and
Gemini wire formats, for tests (as a fixture) and demos (``python -m
orchestrator simulate``). Point the official SDKs at it with ``base_url``.

Stdlib only: ``ThreadingHTTPServer`` with daemon threads, one per connection.
"""

from __future__ import annotations

import collections
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import ThreadingHTTPServer
from typing import Any

from orchestrator.simulator import anthropic_wire, gemini_wire, openai_wire
from orchestrator.simulator.engine import PromptCache, Responder, default_respond
from orchestrator.simulator.faults import VENDORS, Fault, FaultBook, _check_vendor
from orchestrator.simulator.handler import Handler
from orchestrator.simulator.usage import UsagePlan

_DEFAULT_MODELS = {
    "openai": openai_wire.DEFAULT_MODELS,
    "anthropic": anthropic_wire.DEFAULT_MODELS,
    "gemini": gemini_wire.DEFAULT_MODELS,
}
LOG_LIMIT = 5000


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sim: Simulator) -> None:
        self.sim = sim
        self._conns: set[Any] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: clients hanging up mid-answer are expected here."""

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up idle keep-alive connections so their threads end with the server."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _key_sets(valid: Mapping[str, str | Iterable[str] | None] | None) -> dict[str, frozenset[str] | None]:
    out: dict[str, frozenset[str] | None] = {v: None for v in VENDORS}
    for vendor, keys in (valid or {}).items():
        _check_vendor(vendor)
        out[vendor] = None if keys is None else frozenset([keys] if isinstance(keys, str) else keys)
    return out


class Simulator:
    """A fake of the three vendors' APIs on one port.

    ``valid_keys`` maps a vendor to the keys it accepts (any key when absent);
    ``models`` maps a vendor to its allowed models (any model when absent;
    others get the vendor's 404). ``respond(system, prompt) -> str`` replaces
    the offline engine as the source of answers. ``chunk_delay`` paces streams
    (seconds between chunks) for demos. ``prompt_cache`` reports cached input
    tokens when a (vendor, model, system prompt) repeats.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        valid_keys: Mapping[str, str | Iterable[str] | None] | None = None,
        *,
        models: Mapping[str, Iterable[str] | None] | None = None,
        respond: Responder | None = None,
        chunk_delay: float = 0.0,
        prompt_cache: bool = True,
    ) -> None:
        self.host = host
        self._requested_port = port
        self._valid_keys = _key_sets(valid_keys)
        self._models: dict[str, frozenset[str] | None] = {v: None for v in VENDORS}
        self._model_order: dict[str, list[str]] = {}
        for vendor, names in (models or {}).items():
            self.set_models(vendor, names)
        self._respond: Responder = respond or default_respond
        self.chunk_delay = chunk_delay
        self._cache = PromptCache(enabled=prompt_cache)
        self._faults = FaultBook()
        self._usage_plans = FaultBook()  # UsagePlans, queued and sticky like faults
        self._log: collections.deque[dict[str, Any]] = collections.deque(maxlen=LOG_LIMIT)
        self._log_lock = threading.Lock()
        self._seq = 0
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------- lifecycle

    def start(self) -> Simulator:
        """Bind, listen and serve on a background thread; returns once listening."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"simulator:{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (the CLI's loop)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- URLs

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + "/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    @property
    def gemini_base_url(self) -> str:
        return self.url

    # -------------------------------------------------------------- faults

    def add_fault(self, vendor: str, kind: str, *, status: int | None = None, times: int = 1,
                  retry_after: float | None = None, model: str | None = None,
                  seconds: float | None = None, after: int | None = None, mode: str = "clean",
                  message: str | None = None, text: str | None = None) -> None:
        """Queue a fault for the next ``times`` matching requests to ``vendor`` (``kind="reply"``
        with ``text``: answer with that text)."""
        fault = Fault(kind=kind, status=status, retry_after=retry_after, seconds=seconds,
                      after=after, mode=mode, message=message, model=model, text=text)
        self._faults.add(vendor, fault, times)

    def set_sticky_fault(self, vendor: str, kind: str, *, status: int | None = None,
                         retry_after: float | None = None, model: str | None = None,
                         seconds: float | None = None, after: int | None = None,
                         mode: str = "clean", message: str | None = None, text: str | None = None) -> None:
        """Apply a fault to every matching request to ``vendor`` until cleared
        (queued faults go first)."""
        fault = Fault(kind=kind, status=status, retry_after=retry_after, seconds=seconds,
                      after=after, mode=mode, message=message, model=model, text=text)
        self._faults.set_sticky(vendor, fault)

    def clear_faults(self, vendor: str | None = None) -> None:
        self._faults.clear(vendor)

    @property
    def faults(self) -> dict[str, dict[str, Any]]:
        return self._faults.snapshot()

    # --------------------------------------------------------- usage plans

    def add_usage(self, vendor: str, *, times: int = 1, model: str | None = None, **counts: int) -> None:
        """Report extra usage detail on the next ``times`` matching answers of ``vendor``
        (``cache_read``, ``cache_write``, ``cache_write_1h``, ``reasoning``, ``input_audio``,
        ``input_image``, ``cache_audio_read``, ``cache_image_read``, ``output_audio``,
        ``output_image``; see ``orchestrator.simulator.usage``)."""
        self._usage_plans.add(vendor, UsagePlan(model=model, **counts), times)

    def set_sticky_usage(self, vendor: str, *, model: str | None = None, **counts: int) -> None:
        """Report extra usage detail on every matching answer of ``vendor`` until cleared."""
        self._usage_plans.set_sticky(vendor, UsagePlan(model=model, **counts))

    def clear_usage(self, vendor: str | None = None) -> None:
        self._usage_plans.clear(vendor)

    @property
    def usage_plans(self) -> dict[str, dict[str, Any]]:
        return self._usage_plans.snapshot()

    # ------------------------------------------------------ keys and models

    def set_valid_keys(self, vendor: str, keys: str | Iterable[str] | None) -> None:
        """Accept only these keys for ``vendor`` (None: accept any key)."""
        self._valid_keys[_check_vendor(vendor)] = _key_sets({vendor: keys})[vendor]

    def set_models(self, vendor: str, models: Iterable[str] | None) -> None:
        """Serve only these models for ``vendor`` (None: any model)."""
        _check_vendor(vendor)
        if models is None:
            self._models[vendor] = None
            self._model_order.pop(vendor, None)
        else:
            names = [str(m) for m in models]
            self._models[vendor] = frozenset(names)
            self._model_order[vendor] = names

    def models_for(self, vendor: str) -> list[str]:
        """What ``GET .../models`` lists: the allow list, else a default catalog."""
        return list(self._model_order.get(vendor) or _DEFAULT_MODELS[vendor])

    # ----------------------------------------------------------------- log

    def _log_start(self, method: str, path: str, vendor: str, action: str, model: str | None) -> dict[str, Any]:
        with self._log_lock:
            self._seq += 1
            entry: dict[str, Any] = {
                "id": self._seq, "time": time.time(), "method": method, "path": path,
                "vendor": vendor, "action": action, "model": model, "stream": False,
                "status": None, "fault": None, "auth": None, "duration_ms": None,
                "images": None, "structured": None, "input_tokens": None, "output_tokens": None,
                "max_tokens": None, "finish": None, "usage_plan": None, "usage_body": None, "body": None,
                "_t0": time.monotonic(),
            }
            self._log.append(entry)
        return entry

    def _log_finish(self, entry: dict[str, Any]) -> None:
        # values change in place; keys never do, so readers can copy without the lock racing
        entry["duration_ms"] = round((time.monotonic() - entry["_t0"]) * 1000, 1)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The request log, oldest first: method, path (no query string),
        vendor, action, model, stream, status, fault, auth outcome, duration,
        token counts, the request's max_tokens, the finish ("stop" or
        "length"), the usage plan applied, ``usage_body`` (the usage block
        sent, wrapped as genai-prices' ``extract_usage`` reads it) and ``body`` (the
        request body received, parsed; None for model listings). Never a key."""
        with self._log_lock:
            return [{k: v for k, v in e.items() if not k.startswith("_")} for e in self._log]

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    def reset(self) -> None:
        """Clear faults, usage plans, the request log and the prompt cache."""
        self.clear_faults()
        self.clear_usage()
        self.clear_requests()
        self._cache.clear()
