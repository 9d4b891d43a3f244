"""A loopback server that answers every POST with one recorded vendor response.

The recorded-responses tier replays real response bodies (VCR cassettes and
quoted error bodies from public repositories, see README.md) through our
adapters on the real SDKs. This server is the only thing the SDKs talk to: it
binds 127.0.0.1 on an ephemeral port, runs in a daemon thread, and sends the
cassette's status, its recorded content-type / retry-after headers and the body
(JSON, re-serialised without changing its meaning) or the SSE text byte for
byte. It ignores the request path, so one server serves every vendor's URL
layout; the last request is kept for tests that want to look at it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CASSETTES = Path(__file__).parent / "cassettes"
VENDORS = ("openai", "anthropic", "gemini")


@dataclass(frozen=True)
class Cassette:
    """One fixture file: where it came from, what was asked, what came back, what we expect."""

    vendor: str
    name: str
    path: Path
    provenance: dict[str, Any]
    request: dict[str, Any]
    response: dict[str, Any]
    expect: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.vendor}/{self.name}"

    @property
    def is_sse(self) -> bool:
        return "sse" in self.response

    @property
    def is_error(self) -> bool:
        return "error" in self.expect

    def payload(self) -> tuple[int, dict[str, str], bytes]:
        status = int(self.response["status"])
        headers = {k.lower(): str(v) for k, v in (self.response.get("headers") or {}).items()}
        if self.is_sse:
            body = self.response["sse"].encode("utf-8")
            headers.setdefault("content-type", "text/event-stream")
        else:
            body = json.dumps(self.response["body"], ensure_ascii=False).encode("utf-8")
            headers.setdefault("content-type", "application/json")
        return status, headers, body


def load(path: Path) -> Cassette:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Cassette(vendor=path.parent.name, name=path.stem, path=path, provenance=data["provenance"],
                    request=data["request"], response=data["response"], expect=data.get("expect") or {})


def all_cassettes() -> list[Cassette]:
    return [load(p) for vendor in VENDORS for p in sorted((CASSETTES / vendor).glob("*.json"))]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.server.owner._seen(self.command, self.path, raw)
        cassette = self.server.owner.cassette
        if cassette is None:
            self.send_response(503)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        status, headers, body = cassette.payload()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.send_header("connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    do_POST = _answer
    do_GET = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: "ReplayServer"


class ReplayServer:
    """``with ReplayServer() as srv: srv.play(cassette); ... srv.url``"""

    def __init__(self) -> None:
        self.cassette: Cassette | None = None
        self.requests: list[tuple[str, str, bytes]] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="replay-server", daemon=True)

    def start(self) -> "ReplayServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "ReplayServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def base_url(self, kind: str) -> str:
        """What a ProviderConfig's base_url is for ``kind`` (OpenAI's SDK wants the /v1 prefix)."""
        return self.url + "/v1" if kind in ("openai", "openai_compatible") else self.url

    def play(self, cassette: Cassette) -> None:
        with self._lock:
            self.cassette = cassette
            self.requests.clear()

    def _seen(self, method: str, path: str, body: bytes) -> None:
        with self._lock:
            self.requests.append((method, path, body))
