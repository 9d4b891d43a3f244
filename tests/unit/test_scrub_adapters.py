"""Pure pieces of the vendor adapters: status mapping, Retry-After, transport
errors, key scrubbing in messages and logs, lazy SDK imports."""

from __future__ import annotations

import email.utils
import logging
import subprocess
import sys
import time
from pathlib import Path

import httpx
import httpx2
import pytest

from orchestrator.providers import _common as common
from orchestrator.providers.logging_guard import install_log_scrubber, register_secret

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-proj-UnitSecret0123456789abcdefghijk"


@pytest.mark.parametrize("status,kind,retryable", [
    (408, "timeout", True), (429, "rate_limited", True), (500, "server_error", True),
    (502, "server_error", True), (503, "server_error", True), (529, "server_error", True),
    (401, "auth", False), (403, "auth", False), (404, "not_found", False), (400, "bad_request", False),
    (422, "bad_request", False),
])
def test_status_mapping(status, kind, retryable):
    err = common.status_error(status, label="OpenAI", provider="p", model="m", retry_after=2.0)
    assert (err.kind, err.retryable, err.status_code) == (kind, retryable, status)
    assert err.retry_after == (2.0 if retryable else None)
    assert str(err).startswith("OpenAI")


def test_rate_limit_message():
    err = common.status_error(429, label="OpenAI", provider="p", model="m", retry_after=20)
    assert str(err) == "OpenAI rate limited the request (429). Retry after 20 s."


def test_retry_after_forms():
    assert common.parse_retry_after({"retry-after": "7"}) == 7.0
    assert common.parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 27 <= common.parse_retry_after({"retry-after": date}) <= 30
    assert common.parse_retry_after({"retry-after": "soon"}) is None
    assert common.parse_retry_after({}) is None and common.parse_retry_after(None) is None
    assert common.parse_duration("20s") == 20.0 and common.parse_duration("1.5s") == 1.5


@pytest.mark.parametrize("exc,kind", [
    (httpx2.ReadTimeout("slow"), "timeout"), (httpx2.ConnectTimeout("slow"), "timeout"),
    (httpx.ReadTimeout("slow"), "timeout"), (httpx2.ConnectError("refused"), "connect"),
    (httpx.ConnectError("refused"), "connect"), (httpx2.RemoteProtocolError("gone"), "dropped"),
    (httpx2.ReadError("reset"), "dropped"), (ConnectionRefusedError(), "connect"), (ValueError("x"), None),
])
def test_transport_kind(exc, kind):
    assert common.transport_kind(exc) == kind


def test_transport_kind_looks_through_sdk_wrappers():
    class APIConnectionError(Exception):
        pass

    try:
        try:
            raise httpx2.ConnectError("refused")
        except httpx2.ConnectError as inner:
            raise APIConnectionError("Connection error.") from inner
    except APIConnectionError as outer:
        assert common.transport_kind(outer) == "connect"


def test_vendor_detail_scrubs_keys_and_masked_keys():
    body = {"error": {"message": f"Incorrect API key provided: sk-proj-****abcd. Also {SECRET}."}}
    detail = common.vendor_detail(body, [SECRET])
    assert SECRET not in detail and "****" not in detail and "[redacted]" in detail
    assert common.vendor_detail({"message": "x" * 1000}, []).endswith("…")


def test_origin_keeps_scheme_host_port_only():
    assert common.origin("http://user:pw@127.0.0.1:8080/v1?key=AIzaSecret") == "http://127.0.0.1:8080"
    assert common.origin(None) == "the provider"


def test_call_mapped_raises_unchained():
    def boom():
        raise RuntimeError(SECRET)

    with pytest.raises(Exception) as info:
        common.call_mapped(boom, lambda exc, _: common.unexpected(exc, label="X", provider="p", model="m"))
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert SECRET not in str(info.value)


def test_client_cache_reuses_and_separates():
    cache = common.ClientCache()
    one = cache.get("openai", "u", "k1", 5.0, object)
    assert cache.get("openai", "u", "k1", 5.0, object) is one
    assert cache.get("openai", "u", "k2", 5.0, object) is not one
    assert cache.get("openai", "u", "k1", 6.0, object) is not one
    assert "k1" not in repr(list(cache._clients))  # keyed by the key's hash


def test_log_scrubber_masks_sdk_records(caplog):
    install_log_scrubber()
    register_secret(SECRET)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="openai")
    log = logging.getLogger("openai._base_client")
    log.debug("Request headers: %s", {"Authorization": f"Bearer {SECRET}"})
    log.debug("HTTP Request: POST https://generativelanguage.googleapis.com/v1beta/x?key=AIzaLeaky123456789012345")
    try:
        raise RuntimeError(f"failed with {SECRET}")
    except RuntimeError:
        log.debug("Encountered Exception", exc_info=True)
    assert SECRET not in caplog.text
    assert "AIzaLeaky" not in caplog.text
    assert caplog.text.count("[redacted]") >= 3
    logging.getLogger("orchestrator.other").warning("untouched %s", "text")
    assert "untouched text" in caplog.text


def test_adapter_modules_import_no_sdk():
    code = (
        "import sys\n"
        "import orchestrator.providers.openai, orchestrator.providers.anthropic\n"
        "import orchestrator.providers.gemini, orchestrator.providers.probe\n"
        "loaded = [m for m in ('openai', 'anthropic', 'google.genai') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
