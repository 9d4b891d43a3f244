"""Fetching a job posting's URL without letting it be turned inward (SSRF).

Three defences, each against a real attack:

* **Resolve once, connect to what was checked.** A host name is resolved a
  single time, every answer is checked, and the request is sent to the checked
  IP literal, with the original ``Host`` header and (for https) the real name as
  TLS SNI and for certificate verification. Letting the HTTP client resolve the
  name again would open DNS rebinding: a name answering a public address to the
  check and 127.0.0.1 to the connection. Every redirect hop is resolved, checked
  and pinned the same way.
* **Only globally routable addresses.** ``is_global`` alone is not enough: IPv6
  can wrap an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo), and Python 3.11
  calls multicast and site-local (``fec0::/10``) addresses global. Admins can
  allow private addresses for demos; even then the name is resolved once.
* **A total deadline**, not just a per-read timeout: a server dripping a byte
  every few seconds would otherwise hold the request for minutes. A watchdog
  shuts the sockets down at the deadline so that even one blocked read ends.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from orchestrator.errors import InputRejected, InputTooLarge

METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"}
# AWS/GCP/Azure link-local, AWS IPv6, Alibaba, Azure wireserver (a *public* address, hence listed).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "fd00:ec2::254", "100.100.100.200", "168.63.129.16"))
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")
MAX_URL_CHARS = 2048  # the width of jobs.source_url
_USER_AGENT = "AI-Orchestrator/1.0 (job posting fetcher)"
_METADATA_REFUSED = "That address is not allowed: cloud metadata services cannot be fetched."

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchedPage:
    url: str
    text: str
    content_hash: str


@dataclass(frozen=True)
class _Target:
    """One hop: ``url`` is what the user gave (and sees), ``ip_url`` what is requested."""

    url: str
    ip_url: str
    host: str  # ASCII host name: TLS SNI and certificate check
    host_header: str


# ------------------------------------------------------------ address policy


def _connects_to(ip: Address) -> Address:
    """The address a connection really reaches: IPv4-mapped and NAT64 addresses reach their IPv4."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if any(ip in net for net in _NAT64):
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def embedded_ipv4(ip: Address) -> tuple[ipaddress.IPv4Address, ...]:
    """IPv4 addresses an IPv6 address carries (mapped, NAT64, 6to4, Teredo server and client)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return ()
    found = [] if _connects_to(ip) == ip else [_connects_to(ip)]
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.extend(ip.teredo)
    return tuple(found)


def _plainly_public(ip: Address) -> bool:
    """``is_global`` plus what Python 3.11 still calls global: multicast, site-local, NAT64 (reserved)."""
    return (ip.is_global and ip not in METADATA_ADDRESSES
            and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
                     or ip.is_link_local or ip.is_private)
            and not (isinstance(ip, ipaddress.IPv6Address) and ip in _SITE_LOCAL))


def address_allowed(ip: Address) -> bool:
    """True if a fetch may connect to ``ip``: it and every IPv4 address it wraps are public.

    IPv4-mapped and NAT64 addresses are judged by the IPv4 address they reach
    (so a DNS64 host can fetch public sites); 6to4 and Teredo must pass twice.
    """
    ip = ipaddress.ip_address(str(ip).split("%")[0])  # a scope id changes nothing here
    return _plainly_public(_connects_to(ip)) and all(_plainly_public(v4) for v4 in embedded_ipv4(ip))


def _refuse(ip: Address) -> InputRejected:
    if ip in METADATA_ADDRESSES or _connects_to(ip) in METADATA_ADDRESSES:
        return InputRejected(_METADATA_REFUSED)
    return InputRejected(f"The link points to a private or local address ({ip}), which cannot be fetched.")


# ---------------------------------------------------------------- resolving


class _Late(Exception):
    """The total deadline passed; ``fetch_url`` turns it into a user-readable message."""


def _getaddrinfo(host: str, port: int, deadline: float | None) -> list:
    """``socket.getaddrinfo``, given up at the deadline (a slow resolver cannot be interrupted)."""
    if deadline is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    box: dict = {}

    def run():
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="url-fetch-resolve", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        raise _Late()
    if "error" in box:
        raise box["error"]
    return box["infos"]


def _resolve(host: str, port: int, *, allow_private: bool, deadline: float | None) -> Address:
    """The one address to connect to; refused if *any* answer is refused (the client may pick any)."""
    try:
        return _checked([ipaddress.ip_address(host)], allow_private)
    except ValueError:
        pass
    try:
        infos = _getaddrinfo(host, port, deadline)
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    except (OSError, UnicodeError, ValueError, IndexError, TypeError):
        raise InputRejected(f"The host '{host}' could not be found.") from None
    if not addresses:
        raise InputRejected(f"The host '{host}' could not be found.")
    return _checked(addresses, allow_private)


def _checked(addresses: list[Address], allow_private: bool) -> Address:
    for ip in addresses:
        if not allow_private and not address_allowed(ip):
            raise _refuse(ip)
    return addresses[0]


def check_form(url: str) -> SplitResult:
    """The link's form: length, http(s), a host name and a valid port. No DNS, no connection
    (the pipeline checks this before taking any quota; the fetch then checks the address)."""
    link = url.strip()
    if len(link) > MAX_URL_CHARS:
        raise InputTooLarge(f"The link is {len(link):,} characters long; the limit is {MAX_URL_CHARS:,}.")
    try:
        parts = urlsplit(link)
        name, _port = parts.hostname, parts.port
    except ValueError:
        raise InputRejected("The link is not a valid web address.") from None
    if parts.scheme not in ("http", "https"):
        raise InputRejected("Only http:// and https:// links can be fetched.")
    if not name:
        raise InputRejected("The link has no host name.")
    return parts


def _target(url: str, *, allow_private: bool, deadline: float | None) -> _Target:
    parts = check_form(url)
    scheme, name, port = parts.scheme, parts.hostname, parts.port
    url = urlunsplit(parts)  # as parsed: urlsplit drops leading controls, tabs and newlines
    if not allow_private and name.rstrip(".") in METADATA_HOSTS:
        raise InputRejected(_METADATA_REFUSED)
    try:
        host = name if ":" in name else name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InputRejected(f"The host '{name}' could not be found.") from None
    default_port = 443 if scheme == "https" else 80
    ip = _resolve(host, port or default_port, allow_private=allow_private, deadline=deadline)
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    bracketed = f"[{host}]" if ":" in host else host
    host_header = bracketed if port in (None, default_port) else f"{bracketed}:{port}"
    ip_url = urlunsplit((scheme, f"{literal}:{port or default_port}", parts.path or "/", parts.query, ""))
    return _Target(url=url, ip_url=ip_url, host=host, host_header=host_header)


def check_url(url: str, *, allow_private: bool) -> str:
    """Raise InputRejected unless ``url`` is http(s) and (unless allowed) resolves to public addresses.

    Checking alone does not protect a later connection (the name may resolve
    differently then): ``fetch_url`` connects to the address checked here.
    """
    return _target(url, allow_private=allow_private, deadline=None).url


# ----------------------------------------------------------------- fetching


class _Watchdog:
    """Shuts down every socket of one fetch at its deadline.

    A per-read timeout cannot stop a server that sends a byte just often
    enough, and a blocked ``recv`` only returns when the socket is shut down
    (``shutdown(SHUT_RDWR)`` wakes it on Linux; ``close`` would not). The
    watchdog keeps a ``dup`` of each socket: the duplicate stays valid even
    after TLS wrapping detaches the original, and can never name another file
    that reused the number. Duplicates are closed after each hop.
    """

    def __init__(self, deadline: float):
        self.fired = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        dup = sock.dup()
        with self._lock:
            self._socks.append(dup)
            if self.fired:
                _shut(dup)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._socks:
                _shut(sock)

    def release(self) -> None:
        with self._lock:
            socks, self._socks = self._socks, []
        for sock in socks:
            sock.close()

    def stop(self) -> None:
        self._timer.cancel()
        self.release()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the peer


def _client(dog: _Watchdog):
    """An httpx client whose every new socket the watchdog can shut down.

    httpx 0.28 takes no network backend, so the transport's httpcore pool gets
    one (``_network_backend``). No keep-alive: a pooled connection is keyed by
    the IP literal, and must not be reused for another name (other SNI).
    """
    import httpcore
    import httpx

    class WatchedBackend(httpcore.SyncBackend):
        def connect_tcp(self, *args, **kwargs):
            stream = super().connect_tcp(*args, **kwargs)
            dog.watch(stream.get_extra_info("socket"))
            return stream

    transport = httpx.HTTPTransport(trust_env=False, limits=httpx.Limits(max_keepalive_connections=0))
    transport._pool._network_backend = WatchedBackend()  # noqa: SLF001 - see docstring
    return httpx.Client(transport=transport, follow_redirects=False, trust_env=False,
                        headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "gzip, deflate"})


def fetch_url(url: str, *, allow_private: bool, timeout_s: float, max_bytes: int,
              max_redirects: int = 5, deadline_s: float | None = None) -> FetchedPage:
    """Fetch a posting page: every hop resolved once, checked and pinned; time and size capped.

    ``deadline_s`` bounds the whole fetch (resolving, connecting, headers, body
    and redirects together); it defaults to ``timeout_s``, so the fetch setting
    means what a user expects: the longest the link may take. ``timeout_s``
    also caps each connect and read, which matters when ``deadline_s`` is larger.
    """
    total = timeout_s if deadline_s is None else deadline_s
    deadline = time.monotonic() + total
    dog = _Watchdog(deadline)
    try:
        with _client(dog) as client:
            final, body, ctype, encoding = _follow(client, dog, url, allow_private=allow_private,
                                                   timeout_s=timeout_s, deadline=deadline,
                                                   max_bytes=max_bytes, max_redirects=max_redirects)
        if dog.fired:  # a shut-down socket can look like a short, complete body
            raise _Late()
    except _Late:
        raise InputRejected(f"The page did not finish loading within {total:g} s.") from None
    finally:
        dog.stop()
    raw = body.decode(encoding, errors="replace")
    text = html_to_text(raw) if "html" in ctype or raw.lstrip()[:1] == "<" else raw
    if not text.strip():
        raise InputRejected("The page has no readable text (it may need JavaScript to show the posting).")
    return FetchedPage(url=final, text=text.strip(), content_hash=hashlib.sha256(text.encode()).hexdigest())


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Late()
    return left


def _follow(client, dog: _Watchdog, url: str, *, allow_private: bool, timeout_s: float, deadline: float,
            max_bytes: int, max_redirects: int) -> tuple[str, bytes, str, str]:
    import httpx

    target = _target(url, allow_private=allow_private, deadline=deadline)
    for hop in range(max_redirects + 1):
        extensions = {"sni_hostname": target.host} if target.ip_url.startswith("https:") else {}
        try:
            with client.stream("GET", target.ip_url, headers={"Host": target.host_header},
                               extensions=extensions, timeout=min(timeout_s, _remaining(deadline))) as resp:
                if not resp.is_redirect:
                    if resp.status_code >= 400:
                        raise InputRejected(f"The page answered HTTP {resp.status_code}; check the link.")
                    body = _read_capped(resp, max_bytes, deadline)
                    return target.url, body, resp.headers.get("content-type", ""), resp.encoding or "utf-8"
                location = resp.headers.get("location", "")
        except httpx.InvalidURL:
            raise InputRejected("The link is not a valid web address.") from None
        except (httpx.HTTPError, OSError) as exc:
            if dog.fired or time.monotonic() >= deadline:
                raise _Late() from None
            if isinstance(exc, httpx.TimeoutException):
                raise InputRejected(f"The page did not answer within {timeout_s:g} s.") from None
            raise InputRejected("The page could not be reached (connection failed).") from None
        dog.release()
        if hop == max_redirects:
            break
        # Relative to the name the user sees, never to the pinned IP literal.
        target = _target(urljoin(target.url, location), allow_private=allow_private, deadline=deadline)
    raise InputRejected("The link redirects too many times.")


def _read_capped(resp, max_bytes: int, deadline: float) -> bytes:
    """The body, decoded, at most ``max_bytes``. Compressed bodies are inflated here, never
    more than the bytes still allowed per call (a gzip bomb costs at most ``max_bytes``)."""
    coding = resp.headers.get("content-encoding", "identity").strip().lower()
    if coding not in _DECODERS:
        raise InputRejected(f"The page is sent with a compression this fetcher does not read ({coding[:20]}).")
    inflate = _DECODERS[coding]()
    chunks, size = [], 0
    try:
        for raw in resp.iter_raw():
            while raw:
                piece, raw = (inflate.decompress(raw, max_bytes - size + 1), inflate.unconsumed_tail) if inflate \
                    else (raw, b"")
                size += len(piece)
                if size > max_bytes:
                    raise InputRejected(f"The page is larger than {max_bytes // 1024:,} KB.")
                chunks.append(piece)
            _remaining(deadline)
    except zlib.error:
        raise InputRejected("The page's compressed body is damaged; check the link.") from None
    return b"".join(chunks)


# Content-Encoding -> a zlib decompressor factory (None: as sent). We ask only for these.
_DECODERS = {"identity": lambda: None, "": lambda: None, "deflate": zlib.decompressobj,
             "gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
             "x-gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)}


class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "noscript", "svg", "head", "template"}
    BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
             "article", "header", "footer"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCK:
            self.out.append("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag in self.BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.out.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    text = html.unescape("".join(parser.out))
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()
