"""Properties of the URL check, over arbitrary input.

Nothing here touches real DNS: ``socket.getaddrinfo`` answers from a
deterministic map (a name's hash picks public, private or no address), so a
random name can never leave the sandbox.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import string
from unittest import mock
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator import url_fetch
from orchestrator.errors import InputRejected

ANSWERS = [["93.184.216.34"], ["2606:2800:220:1::1"], ["127.0.0.1"], ["10.1.2.3", "93.184.216.34"],
           ["fec0::1"], ["::ffff:192.168.0.1"], ["100.64.0.9"], []]
FAST = settings(max_examples=200, deadline=None, database=None)


def _answer(host: str) -> list[str]:
    """A fixed answer per name, or None: the name does not exist."""
    pick = hashlib.sha256(host.encode("utf-8", "surrogatepass")).digest()[0] % (len(ANSWERS) + 1)
    return ANSWERS[pick] if pick < len(ANSWERS) else None


def _fake_getaddrinfo(host, port, *args, **kwargs):
    host = host.decode() if isinstance(host, bytes) else str(host)
    answer = _answer(host)
    if answer is None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
             (a, port, 0, 0) if ":" in a else (a, port)) for a in answer]


def _accepted(ip) -> bool:
    return url_fetch.address_allowed(ipaddress.ip_address(ip))


HOSTS = st.one_of(st.text(max_size=30), st.text(string.ascii_lowercase + string.digits + ".-", max_size=30),
                  st.ip_addresses().map(lambda ip: f"[{ip}]" if ip.version == 6 else str(ip)),
                  st.sampled_from(["metadata", "metadata.google.internal.", "localhost", "jobs.example"]))
BUILT = st.builds(lambda scheme, host, port, path: f"{scheme}://{host}{port}/{path}",
                  st.one_of(st.sampled_from(["http", "https"]),
                            st.sampled_from(["HTTP", "ftp", "file", "javascript", ""])),
                  HOSTS, st.one_of(st.just(""), st.integers(-5, 70_000).map(lambda p: f":{p}"), st.text(max_size=6)),
                  st.text(max_size=20))
URLS = st.one_of(st.text(max_size=80), BUILT, BUILT)


@FAST
@given(URLS)
def test_check_url_returns_or_refuses_clearly(url):
    with mock.patch.object(socket, "getaddrinfo", _fake_getaddrinfo):
        try:
            checked = url_fetch.check_url(url, allow_private=False)
        except InputRejected as err:
            assert str(err)  # a readable message, never a raw parsing or socket error
            return
    assert checked.startswith(("http://", "https://")) and urlsplit(checked).hostname


@FAST
@given(st.from_regex(r"\A[a-z0-9]{1,12}\.example\Z"))
def test_a_name_passes_only_if_every_answer_is_public(name):
    with mock.patch.object(socket, "getaddrinfo", _fake_getaddrinfo):
        try:
            url_fetch.check_url(f"http://{name}/job", allow_private=False)
            passed = True
        except InputRejected:
            passed = False
    answer = _answer(name)
    assert passed == bool(answer and all(_accepted(a) for a in answer))


def _unwrapped(ip):
    """The address a connection reaches (mapped and NAT64 reach their IPv4), as the policy should see it."""
    if ip.version == 6 and ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.version == 6 and (ip in ipaddress.ip_network("64:ff9b::/96") or ip in ipaddress.ip_network("64:ff9b:1::/48")):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


@FAST
@given(st.ip_addresses())
def test_an_address_is_accepted_only_if_it_and_what_it_wraps_are_global(ip):
    if not _accepted(ip):
        return
    reached = _unwrapped(ip)
    assert reached.is_global and not reached.is_multicast and not reached.is_reserved
    if ip.version == 6:
        assert ip.sixtofour is None or ip.sixtofour.is_global
        assert ip.teredo is None  # Teredo (2001::/32) is never global
        assert ip not in ipaddress.ip_network("fec0::/10")


@FAST
@given(st.ip_addresses(v=4))
def test_ipv4_is_accepted_exactly_when_global_unicast(ip):
    expected = ip.is_global and not ip.is_multicast and ip not in url_fetch.METADATA_ADDRESSES
    assert _accepted(ip) == expected


@FAST
@given(st.ip_addresses(v=4))
def test_wrapping_ipv4_in_ipv6_changes_nothing(ip):
    v4 = int(ip)
    assert _accepted(ipaddress.IPv6Address((0xFFFF << 32) | v4)) == _accepted(ip)  # ::ffff:a.b.c.d
    assert _accepted(ipaddress.IPv6Address((0x64FF9B << 96) | v4)) == _accepted(ip)  # NAT64
    if not _accepted(ip):  # 6to4 of a non-public address, Teredo to it
        assert not _accepted(ipaddress.IPv6Address((0x2002 << 112) | (v4 << 80) | 1))
        assert not _accepted(ipaddress.IPv6Address((0x20010000 << 96) | (v4 << 64) | (~v4 & 0xFFFFFFFF)))


@FAST
@given(st.ip_addresses())
def test_a_literal_link_passes_exactly_when_its_address_does(ip):
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    with mock.patch.object(socket, "getaddrinfo", side_effect=AssertionError("a literal needs no lookup")):
        try:
            url_fetch.check_url(f"https://{literal}/job", allow_private=False)
            passed = True
        except InputRejected:
            passed = False
    assert passed == _accepted(ip)
