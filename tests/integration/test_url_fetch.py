"""Fetching a posting's URL follows at most ``url_max_redirects`` hops (a setting)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orchestrator import url_fetch
from orchestrator.errors import InputRejected


class _Hops(BaseHTTPRequestHandler):
    """/hop/N redirects to /hop/N-1; /hop/0 is the posting."""

    def do_GET(self):  # noqa: N802
        n = int(self.path.rsplit("/", 1)[-1])
        self.server.seen.append(n)
        if n > 0:
            self.send_response(302)
            self.send_header("Location", f"/hop/{n - 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"Data Engineer at Acme, Berlin. Python, SQL, dbt. Full-time."
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def hops():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hops)
    server.seen = []
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()


def _fetch(server, n: int, limit: int):
    return url_fetch.fetch_url(f"http://127.0.0.1:{server.server_port}/hop/{n}", allow_private=True, timeout_s=5,
                            max_bytes=10_000, max_redirects=limit)


def test_redirects_up_to_the_limit_are_followed(hops):
    page = _fetch(hops, 2, limit=2)
    assert "Data Engineer" in page.text and hops.seen == [2, 1, 0]


def test_one_redirect_more_than_the_limit_is_refused(hops):
    with pytest.raises(InputRejected, match="redirects too many times"):
        _fetch(hops, 3, limit=2)
    assert hops.seen == [3, 2, 1]  # never a request past the limit


def test_the_limit_is_a_setting(monkeypatch):
    from orchestrator.config import Settings

    monkeypatch.setenv("ORCHESTRATOR_URL_MAX_REDIRECTS", "1")
    assert Settings.load().url_max_redirects == 1
