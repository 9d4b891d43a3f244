"""SSRF: a posting link must never make the server fetch from its own network.

Nothing here leaves loopback. ``Net`` is an in-process DNS and router: host
names answer from a script (so a name can "rebind" between lookups), and a few
fake *public* addresses are routed to loopback test servers. Its
``create_connection`` resolves a host name itself, exactly as the real one
does; that second lookup is what DNS rebinding exploits, so a fetcher that lets
the HTTP client resolve again is caught by these tests.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
import time

import pytest

from orchestrator import url_fetch
from orchestrator.errors import InputRejected

PUBLIC = "93.184.216.34"
PUBLIC_2 = "93.184.216.35"
PUBLIC_6 = "2606:2800:220:1::1"
LIMITS = dict(timeout_s=5, max_bytes=100_000, max_redirects=5)
POSTING = b"<html><body><h1>Data Engineer</h1><p>Acme, Berlin. Python, SQL.</p></body></html>"
_real_create_connection = socket.create_connection


class Net:
    """Scripted DNS (``answers``: name -> successive answer lists, the last repeats) and routes."""

    def __init__(self):
        self.answers: dict[str, list[list[str]]] = {}
        self.routes: dict[tuple[str, int], int] = {}  # (fake public address, port) -> loopback port
        self.lookups: list[str] = []
        self.connects: list[tuple[str, int]] = []

    def getaddrinfo(self, host, port, *args, **kwargs):
        host = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(host)
            answer = [host]
        except ValueError:
            self.lookups.append(host)
            script = self.answers.get(host)
            if not script:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            answer = script.pop(0) if len(script) > 1 else script[0]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port, 0, 0) if ":" in a else (a, port)) for a in answer]

    def create_connection(self, address, timeout=None, source_address=None, **kwargs):
        host, port = address[:2]
        self.connects.append((host, port))
        ip = self.getaddrinfo(host, port)[0][4][0]  # a name is resolved (again) here, like the real one
        if (ip, port) in self.routes:
            return _real_create_connection(("127.0.0.1", self.routes[(ip, port)]), timeout)
        if ipaddress.ip_address(ip).is_loopback:
            return _real_create_connection((ip, port), timeout)
        raise ConnectionRefusedError(f"tests only reach loopback, not {address!r}")


@pytest.fixture
def net(monkeypatch):
    n = Net()
    monkeypatch.setattr(socket, "getaddrinfo", n.getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", n.create_connection)
    return n


def _redirect(location: str):
    return (302, {"Location": location}, b"")


# ------------------------------------------------------------- DNS rebinding


def test_dns_rebinding_cannot_reach_an_internal_server(net, site):
    internal = site({"/job": (200, {}, b"INTERNAL admin console")})
    public = site({"/job": (200, {}, POSTING)})
    # Checked: a public address. Asked again: loopback, on the internal server's port.
    net.answers["jobs.example"] = [[PUBLIC], ["127.0.0.1"]]
    net.routes[(PUBLIC, internal.port)] = public.port
    page = url_fetch.fetch_url(f"http://jobs.example:{internal.port}/job", allow_private=False, **LIMITS)
    assert "Data Engineer" in page.text and "INTERNAL" not in page.text
    assert internal.requests == []
    assert public.requests == [("/job", f"jobs.example:{internal.port}")]  # Host header kept
    assert page.url == f"http://jobs.example:{internal.port}/job"  # the name, not the pinned address
    assert net.connects == [(PUBLIC, internal.port)] and net.lookups == ["jobs.example"]


def test_dns_rebinding_through_a_redirect_cannot_reach_an_internal_server(net, site):
    internal = site({"/secret": (200, {}, b"INTERNAL admin console")})
    public = site({"/job": _redirect(f"http://evil.example:{internal.port}/secret"),
                   "/secret": (200, {}, b"<p>Decoy page served publicly</p>")})
    net.answers["jobs.example"] = [[PUBLIC]]
    net.answers["evil.example"] = [[PUBLIC_2], ["127.0.0.1"]]
    net.routes[(PUBLIC, public.port)] = public.port
    net.routes[(PUBLIC_2, internal.port)] = public.port
    page = url_fetch.fetch_url(f"http://jobs.example:{public.port}/job", allow_private=False, **LIMITS)
    assert internal.requests == [] and "INTERNAL" not in page.text
    assert page.text == "Decoy page served publicly"  # fetched from the address that was checked
    assert page.url == f"http://evil.example:{internal.port}/secret"
    assert public.requests[-1] == ("/secret", f"evil.example:{internal.port}")
    assert net.connects == [(PUBLIC, public.port), (PUBLIC_2, internal.port)]


def test_a_redirect_to_a_private_literal_is_refused(net, site):
    internal = site({"/admin": (200, {}, b"INTERNAL admin console")})
    public = site({"/job": _redirect(f"http://127.0.0.1:{internal.port}/admin")})
    net.answers["jobs.example"] = [[PUBLIC]]
    net.routes[(PUBLIC, public.port)] = public.port
    with pytest.raises(InputRejected, match=r"private or local address \(127\.0\.0\.1\)"):
        url_fetch.fetch_url(f"http://jobs.example:{public.port}/job", allow_private=False, **LIMITS)
    assert internal.requests == []


def test_every_hop_is_checked_and_relative_redirects_keep_the_name(net, site):
    public = site({"/a": _redirect("/b"), "/b": _redirect("http://intranet.example/wiki")})
    net.answers["jobs.example"] = [[PUBLIC]]
    net.answers["intranet.example"] = [["10.0.0.7"]]
    net.routes[(PUBLIC, public.port)] = public.port
    with pytest.raises(InputRejected, match=r"private or local address \(10\.0\.0\.7\)"):
        url_fetch.fetch_url(f"http://jobs.example:{public.port}/a", allow_private=False, **LIMITS)
    host = f"jobs.example:{public.port}"
    assert public.requests == [("/a", host), ("/b", host)]
    assert net.connects == [(PUBLIC, public.port)] * 2


def test_a_name_with_any_private_answer_is_refused(net):
    net.answers["mixed.example"] = [[PUBLIC, "10.0.0.1"]]
    with pytest.raises(InputRejected, match=r"private or local address \(10\.0\.0\.1\)"):
        url_fetch.fetch_url("http://mixed.example/job", allow_private=False, **LIMITS)
    assert net.connects == []


def test_default_port_and_ipv6_are_pinned_with_the_right_host_header(net, site):
    public = site({"/job": (200, {}, POSTING)})
    net.answers["jobs.example"] = [[PUBLIC_6]]
    net.routes[(PUBLIC_6, 80)] = public.port
    page = url_fetch.fetch_url("http://jobs.example/job", allow_private=False, **LIMITS)
    assert "Data Engineer" in page.text and page.url == "http://jobs.example/job"
    assert public.requests == [("/job", "jobs.example")] and net.connects == [(PUBLIC_6, 80)]


def test_allowing_private_addresses_still_resolves_only_once(net, site):
    local = site({"/job": (200, {}, POSTING)})
    net.answers["demo.example"] = [["127.0.0.1"], ["10.9.9.9"]]
    page = url_fetch.fetch_url(f"http://demo.example:{local.port}/job", allow_private=True, **LIMITS)
    assert "Data Engineer" in page.text
    assert net.lookups == ["demo.example"] and net.connects == [("127.0.0.1", local.port)]


# -------------------------------------------------------------- TLS (SNI)


@pytest.fixture
def tls_server(tmp_path):
    """A TLS server with a self-signed certificate for jobs.example, recording the SNI it is sent."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jobs.example")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("jobs.example")]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    seen: list[str | None] = []
    ctx.sni_callback = lambda sock, server_name, context: seen.append(server_name)

    def handle(conn, stop):
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)
        except (ssl.SSLError, OSError):
            pass

    with _RawServer(handle) as server:
        server.sni = seen
        yield server


def test_https_sends_the_real_name_as_sni_and_verifies_the_certificate(net, tls_server):
    net.answers["jobs.example"] = [[PUBLIC]]
    net.routes[(PUBLIC, tls_server.port)] = tls_server.port
    with pytest.raises(InputRejected, match="could not be reached"):  # self-signed: verification is on
        url_fetch.fetch_url(f"https://jobs.example:{tls_server.port}/job", allow_private=False, **LIMITS)
    assert tls_server.sni == ["jobs.example"] and net.connects == [(PUBLIC, tls_server.port)]


# ------------------------------------------------------------ address classes

REFUSED = ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
           "100.100.100.200", "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "fc00::1",
           "fd00:ec2::254", "fe80::1", "fec0::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1",
           "2002:c0a8:0101::1", "64:ff9b::7f00:1", "64:ff9b:1::a00:1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
           "ff02::1"]
ACCEPTED = [PUBLIC, PUBLIC_6, "2002:5db8:d822::1", "64:ff9b::5db8:d822", "::ffff:93.184.216.34"]


def _refusal(address: str) -> str:
    ip = ipaddress.ip_address(address)
    if ip in url_fetch.METADATA_ADDRESSES:
        return "That address is not allowed: cloud metadata services cannot be fetched."
    return f"The link points to a private or local address ({ip}), which cannot be fetched."


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused_by_name(net, address):
    net.answers["target.example"] = [[address]]
    with pytest.raises(InputRejected) as err:
        url_fetch.fetch_url("http://target.example/job", allow_private=False, **LIMITS)
    assert str(err.value) == _refusal(address) and net.connects == []


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused_as_literals(net, address):
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(InputRejected) as err:
        url_fetch.fetch_url(f"http://{literal}:8080/job", allow_private=False, **LIMITS)
    assert str(err.value) == _refusal(address) and net.connects == [] and net.lookups == []


@pytest.mark.parametrize("address", ACCEPTED)
def test_public_addresses_pass_the_check(net, address):
    assert url_fetch.address_allowed(ipaddress.ip_address(address))
    net.answers["www.example"] = [[address]]
    assert url_fetch.check_url(" http://www.example/jobs ", allow_private=False) == "http://www.example/jobs"
    assert net.connects == []


@pytest.mark.parametrize("host", ["metadata.google.internal", "METADATA.google.internal.", "metadata",
                                  "instance-data"])
def test_metadata_names_are_refused_without_resolving(net, host):
    with pytest.raises(InputRejected, match="cloud metadata services cannot be fetched"):
        url_fetch.fetch_url(f"http://{host}/computeMetadata/v1/", allow_private=False, **LIMITS)
    assert net.lookups == [] and net.connects == []


@pytest.mark.parametrize("url, message", [
    ("file:///etc/passwd", "Only http:// and https:// links"),
    ("gopher://jobs.example/", "Only http:// and https:// links"),
    ("http:///job", "no host name"),
    ("http://jobs.example:99999/", "not a valid web address"),
    ("http://unknown.example/", "could not be found"),
])
def test_malformed_links_are_refused_clearly(net, url, message):
    with pytest.raises(InputRejected, match=message):
        url_fetch.fetch_url(url, allow_private=False, **LIMITS)
    assert net.connects == []


# ------------------------------------------------------- time and size caps


class _RawServer:
    """A loopback TCP server running ``handle(conn, stop)`` per connection until closed."""

    def __init__(self, handle):
        self._handle, self.stop = handle, threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self._listener.close()

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                continue
            conn.settimeout(5)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            try:
                self._handle(conn, self.stop)
            except OSError:
                pass  # the client hung up: the point of these tests


def _read_request(conn) -> str:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1").split(" ")[1] if data else ""


GIVE_UP_S = 6  # the servers stop by themselves: a broken deadline fails these tests instead of hanging them


def _drip(conn, stop, head: bytes):
    _read_request(conn)
    conn.sendall(head)
    until = time.monotonic() + GIVE_UP_S
    while not stop.wait(0.3) and time.monotonic() < until:
        conn.sendall(b"a")


def _drip_body_until_close(conn, stop):
    _drip(conn, stop, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nData Engineer ")


def _drip_body_with_length(conn, stop):
    _drip(conn, stop, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")


def _drip_headers(conn, stop):
    _drip(conn, stop, b"HTTP/1.1 200 OK\r\nX-Slow: ")


def _stall_before_headers(conn, stop):
    _read_request(conn)
    stop.wait(GIVE_UP_S)


def _slow_redirects(conn, stop):
    n = int(_read_request(conn).rsplit("/", 1)[-1])
    stop.wait(0.4)
    conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: /hop/{n + 1}\r\nContent-Length: 0\r\n\r\n".encode())


@pytest.mark.parametrize("handle, timeout_s, deadline_s", [
    (_drip_body_until_close, 1.5, None),
    (_drip_body_with_length, 1.5, None),
    (_drip_headers, 1.0, 1.5),  # each byte beats the 1 s read timeout: only the deadline stops it
    (_stall_before_headers, 1.5, None),
    (_slow_redirects, 1.5, None),
], ids=["body-until-close", "body-with-length", "headers", "stall", "redirects"])
def test_a_slow_server_cannot_hold_the_fetch_past_its_deadline(handle, timeout_s, deadline_s):
    with _RawServer(handle) as server:
        started = time.monotonic()
        with pytest.raises(InputRejected, match=r"did not finish loading within 1\.5 s"):
            url_fetch.fetch_url(f"http://127.0.0.1:{server.port}/hop/0", allow_private=True, timeout_s=timeout_s,
                                deadline_s=deadline_s, max_bytes=100_000, max_redirects=20)
        elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 2.5


def test_an_oversized_page_is_refused(site):
    big = site({"/job": (200, {"Content-Type": "text/plain"}, b"x" * 50_000)})
    with pytest.raises(InputRejected, match="larger than 9 KB"):
        url_fetch.fetch_url(f"http://127.0.0.1:{big.port}/job", allow_private=True, timeout_s=5,
                            max_bytes=10_000)


def test_an_http_error_is_a_clear_message(net, site):
    public = site({})
    net.answers["jobs.example"] = [[PUBLIC]]
    net.routes[(PUBLIC, public.port)] = public.port
    with pytest.raises(InputRejected, match="answered HTTP 404"):
        url_fetch.fetch_url(f"http://jobs.example:{public.port}/gone", allow_private=False, **LIMITS)


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, compresslevel=9)


def test_a_compressed_page_is_read(site):
    page = b"<html><body><h1>Data Engineer</h1><p>Acme, Berlin.</p></body></html>"
    server = site({"/job": (200, {"Content-Encoding": "gzip"}, _gzip(page))})
    fetched = url_fetch.fetch_url(f"http://127.0.0.1:{server.port}/job", allow_private=True, timeout_s=5,
                                  max_bytes=10_000)
    assert "Data Engineer" in fetched.text


def test_a_gzip_bomb_is_refused_without_inflating_it(site):
    """50 MB of spaces in 50 KB of gzip: refused at the size cap, never inflated whole."""
    import tracemalloc

    bomb = _gzip(b" " * (50 * 1024 * 1024))
    server = site({"/job": (200, {"Content-Encoding": "gzip"}, bomb)})
    tracemalloc.start()
    try:
        with pytest.raises(InputRejected, match="larger than 1,024 KB"):
            url_fetch.fetch_url(f"http://127.0.0.1:{server.port}/job", allow_private=True, timeout_s=5,
                                max_bytes=1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_an_unknown_compression_is_refused(site):
    server = site({"/job": (200, {"Content-Encoding": "br"}, b"\x8b\x02\x80hello\x03")})
    with pytest.raises(InputRejected, match="compression this fetcher does not read"):
        url_fetch.fetch_url(f"http://127.0.0.1:{server.port}/job", allow_private=True, timeout_s=5,
                            max_bytes=10_000)


def test_a_damaged_compressed_page_is_a_clear_message(site):
    server = site({"/job": (200, {"Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00not really gzip at all")})
    with pytest.raises(InputRejected, match="compressed body is damaged"):
        url_fetch.fetch_url(f"http://127.0.0.1:{server.port}/job", allow_private=True, timeout_s=5,
                            max_bytes=10_000)
