"""Fetching a job posting's URL without letting it be turned inward (SSRF).

Refuses loopback, private, link-local and cloud-metadata addresses unless an
admin allowed them, checks every redirect hop, and caps time and size.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import re
import socket
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from orchestrator.errors import InputRejected

METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}


@dataclass(frozen=True)
class FetchedPage:
    url: str
    text: str
    content_hash: str


def _address_refused(ip: ipaddress._BaseAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or str(ip) in ("169.254.169.254", "fd00:ec2::254")
    )


def check_url(url: str, *, allow_private: bool) -> str:
    """Raise InputRejected unless ``url`` is http(s) and (unless allowed) resolves to public addresses."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise InputRejected("Only http:// and https:// links can be fetched.")
    host = parts.hostname
    if not host:
        raise InputRejected("The link has no host name.")
    if allow_private:
        return url.strip()
    if host.lower() in METADATA_HOSTS:
        raise InputRejected("That address is not allowed: cloud metadata services cannot be fetched.")
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise InputRejected(f"The host '{host}' could not be found.") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if _address_refused(ip):
            raise InputRejected(
                f"The link points to a private or local address ({ip}), which cannot be fetched."
            )
    return url.strip()


def fetch_url(url: str, *, allow_private: bool, timeout_s: float, max_bytes: int,
              max_redirects: int = 5) -> FetchedPage:
    """Fetch a posting page: redirects re-checked hop by hop, time and size capped."""
    import httpx

    current = check_url(url, allow_private=allow_private)
    with httpx.Client(timeout=timeout_s, follow_redirects=False, trust_env=False,
                      headers={"User-Agent": "AI-Orchestrator/1.0 (job posting fetcher)"}) as client:
        for _ in range(max_redirects + 1):
            try:
                with client.stream("GET", current) as resp:
                    if resp.is_redirect:
                        location = resp.headers.get("location", "")
                        current = check_url(urljoin(current, location), allow_private=allow_private)
                        continue
                    if resp.status_code >= 400:
                        raise InputRejected(f"The page answered HTTP {resp.status_code}; check the link.")
                    body = _read_capped(resp, max_bytes)
                    ctype = resp.headers.get("content-type", "")
                    encoding = resp.encoding or "utf-8"
                    break
            except httpx.TimeoutException:
                raise InputRejected(f"The page did not answer within {timeout_s:g} s.") from None
            except httpx.HTTPError:
                raise InputRejected("The page could not be reached (connection failed).") from None
        else:
            raise InputRejected("The link redirects too many times.")
    raw = body.decode(encoding, errors="replace")
    text = html_to_text(raw) if "html" in ctype or raw.lstrip()[:1] == "<" else raw
    if not text.strip():
        raise InputRejected("The page has no readable text (it may need JavaScript to show the posting).")
    return FetchedPage(url=current, text=text.strip(),
                       content_hash=hashlib.sha256(text.encode()).hexdigest())


def _read_capped(resp, max_bytes: int) -> bytes:
    chunks, size = [], 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise InputRejected(f"The page is larger than {max_bytes // 1024:,} KB.")
        chunks.append(chunk)
    return b"".join(chunks)


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
