"""What the vendor adapters share: HTTP status -> error kind, Retry-After
parsing, transport-error classification, the client cache and the helpers that
run one SDK call with its exceptions mapped.

Every SDK exception becomes a ``ProviderError`` whose message is written here,
short and human, never the SDK's own text (which may carry a key or a URL);
only a vendor's explanation of a rejected request is kept, scrubbed and cut.
The mapped error is raised *outside* the ``except`` block, so the SDK
exception is neither its ``__cause__`` nor its ``__context__`` and never shows
up in a traceback.
"""

from __future__ import annotations

import email.utils
import hashlib
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from orchestrator.errors import ProviderError
from orchestrator.redact import scrub

T = TypeVar("T")

# An exception -> ProviderError function, bound to one call's provider and model.
Mapper = Callable[[BaseException, bool], ProviderError]

_MASKED_KEY = re.compile(r"\S*\*{4,}\S*")  # "sk-abc****wxyz", how OpenAI echoes a wrong key
_DETAIL_MAX = 240


# ------------------------------------------------------------------ clients


def key_digest(api_key: str | None) -> str:
    return hashlib.sha256((api_key or "").encode()).hexdigest()


class ClientCache:
    """SDK clients by (kind, base_url, sha256(key), timeout), shared across threads.

    Building a client costs 20-45 ms (SSL context); calling one against
    loopback about 1 ms, so every call after the first reuses it. The timeout
    is keyed in whole seconds (rounded up) and adapters also pass the exact
    timeout on each request: the pipeline shrinks timeouts to a request's
    remaining deadline, which must not mint a new client per call.
    """

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str, str, int], Any] = {}
        self._lock = threading.Lock()

    def get(self, kind: str, base_url: str, api_key: str | None, timeout_s: float,
            build: Callable[[], Any]) -> Any:
        key = (kind, base_url, key_digest(api_key), math.ceil(timeout_s))
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = build()
                self._clients[key] = client
            return client

    def __len__(self) -> int:
        return len(self._clients)


# ------------------------------------------------------------ text helpers


def origin(url: str | None) -> str:
    """``scheme://host:port`` of a URL: never its path, query or user info."""
    if not url:
        return "the provider"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else "the provider"


def vendor_detail(body: Any, secrets: list[str | None]) -> str:
    """The vendor's own explanation from an error body, scrubbed and cut short."""
    msg: Any = body
    for _ in range(3):
        if isinstance(msg, Mapping):
            msg = msg.get("error", msg.get("message")) if "error" in msg else msg.get("message")
        else:
            break
    if not isinstance(msg, str) or not msg.strip():
        return ""
    text = _MASKED_KEY.sub("[redacted]", scrub(msg.strip(), secrets))
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 1] + "…"


def _with_detail(sentence: str, detail: str) -> str:
    return f"{sentence[:-1]}: {detail}" if detail else sentence


# -------------------------------------------------------------- Retry-After


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, or ``retry-after`` as seconds or an HTTP-date."""
    if not headers:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000.0)
    except (TypeError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def parse_duration(value: Any) -> float | None:
    """A protobuf duration (``"20s"``, ``"1.5s"``) as seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.endswith("s"):
        try:
            return max(0.0, float(value[:-1]))
        except ValueError:
            return None
    return None


# ----------------------------------------------------------- status codes


QUOTA_EXHAUSTED = "quota_exhausted"
TOO_LARGE = "too_large"

# what the vendors say when the account, not the moment, is the problem
# (codes and exact phrases only: OpenAI's ordinary per-minute 429 ends "...by adding a payment method
# ... /account/billing", and every Gemini 429 says "check your plan and billing details")
_BILLING_WORDS = ("insufficient_quota", "billing_error", "credit balance is too low")
_TOO_LARGE_WORDS = ("request too large", "request_too_large", "exceeds the maximum allowed number of bytes",
                    "payload size exceeds the limit")


def refine_kind(status: int, *, code: str = "", message: str = "", per_day_quota: bool = False) -> str | None:
    """``quota_exhausted`` or ``too_large`` when the vendor's own code or words say a retry on
    the same account cannot succeed; None to class the status as usual.

    OpenAI answers both an exhausted balance (``insufficient_quota``) and a request larger
    than the per-minute token limit ("Request too large for ... tokens per min") with 429,
    like a passing rate limit; Anthropic uses 402 ``billing_error``, a 400 "credit balance is
    too low" and 413 ``request_too_large``; Gemini a 429 whose QuotaFailure names a per-day quota."""
    text = f"{code} {message}".lower()
    if status == 413 or any(w in text for w in _TOO_LARGE_WORDS):
        return TOO_LARGE
    if status == 402 or per_day_quota or (status in (400, 403, 429) and any(w in text for w in _BILLING_WORDS)):
        return QUOTA_EXHAUSTED
    return None


def status_error(status: int, *, label: str, provider: str, model: str, retry_after: float | None = None,
                 detail: str = "", refined: str | None = None) -> ProviderError:
    """The ProviderError for an HTTP error status (also for in-stream error events).
    ``refined`` (from ``refine_kind``) overrides the class a status alone would give."""

    def err(message: str, kind: str, retryable: bool) -> ProviderError:
        return ProviderError(message, provider=provider, model=model, kind=kind, retryable=retryable,
                             retry_after=retry_after if retryable else None, status_code=status)

    if refined == QUOTA_EXHAUSTED:
        return err(f"{label} refused the request: the account's quota or credit is used up ({status}). "
                   "Calls fall back to other providers until it is topped up.", QUOTA_EXHAUSTED, False)
    if refined == TOO_LARGE:
        return err(_with_detail(f"{label} refused the request as too large for this account's limits ({status}).",
                                detail), TOO_LARGE, False)
    if status == 429:
        wait = f" Retry after {retry_after:g} s." if retry_after is not None else ""
        return err(f"{label} rate limited the request (429).{wait}", "rate_limited", True)
    if status == 408:
        return err(f"{label} timed out the request (408).", "timeout", True)
    if status == 529:
        return err(f"{label} is overloaded (529).", "server_error", True)
    if status >= 500:
        return err(f"{label} had a server error ({status}).", "server_error", True)
    if status == 401:
        return err(f"{label} rejected the API key (401).", "auth", False)
    if status == 403:
        return err(f"{label} refused access with this API key (403).", "auth", False)
    if status == 404:
        return err(_with_detail(f"{label} does not offer model '{model}' to this key (404).", detail),
                   "not_found", False)
    if status == 409:
        return err(f"{label} reported a conflict (409).", "server_error", True)
    return err(_with_detail(f"{label} rejected the request ({status}).", detail), "bad_request", False)


# ------------------------------------------------------ transport errors

_TIMEOUT_NAMES = {"TimeoutException", "ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout",
                  "APITimeoutError", "TimeoutError"}
_CONNECT_NAMES = {"ConnectError", "ConnectionRefusedError"}
_DROPPED_NAMES = {"RemoteProtocolError", "ReadError", "WriteError", "NetworkError", "CloseError",
                  "ProtocolError", "ConnectionResetError", "BrokenPipeError", "ConnectionAbortedError",
                  "IncompleteRead", "ChunkedEncodingError"}


def transport_kind(exc: BaseException) -> str | None:
    """``timeout``, ``connect`` or ``dropped`` for httpx/httpx2/socket errors (looking
    through the SDK wrappers' causes), else None."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    found: str | None = None
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        names = {c.__name__ for c in type(cur).__mro__}
        if names & _TIMEOUT_NAMES:
            return "timeout"
        if names & _CONNECT_NAMES:
            found = found or "connect"
        elif names & _DROPPED_NAMES:
            found = found or "dropped"
        cur = cur.__cause__ or cur.__context__
    return found


def transport_error(kind: str, *, label: str, provider: str, model: str, base_url: str | None,
                    timeout_s: float, in_stream: bool) -> ProviderError:
    where = origin(base_url)
    if kind == "timeout":
        return ProviderError(f"{label} did not answer within {timeout_s:g} s.", provider=provider, model=model,
                             kind="timeout", retryable=True)
    if in_stream:
        return stream_broken(label=label, provider=provider, model=model)
    if kind == "connect":
        return ProviderError(f"Could not connect to {where}.", provider=provider, model=model,
                             kind="unreachable", retryable=True)
    return ProviderError(f"The connection to {where} was dropped before an answer arrived.",
                         provider=provider, model=model, kind="unreachable", retryable=True)


def stream_broken(*, label: str, provider: str, model: str, why: str = "") -> ProviderError:
    return ProviderError(f"The {label} stream broke off before the end{why}.", provider=provider, model=model,
                         kind="stream_broken", retryable=True)


def malformed(*, label: str, provider: str, model: str) -> ProviderError:
    return ProviderError(f"{label} sent a malformed response.", provider=provider, model=model,
                         kind="server_error", retryable=True)


def unexpected(exc: BaseException, *, label: str, provider: str, model: str) -> ProviderError:
    """Anything unforeseen: name its type only (its text may carry a secret)."""
    return ProviderError(f"The {label} call failed unexpectedly ({type(exc).__name__}).", provider=provider,
                         model=model, kind="error", retryable=False)


def no_key(*, label: str, provider: str, model: str) -> ProviderError:
    return ProviderError(f"No API key is configured for {label}.", provider=provider, model=model,
                         kind="auth", retryable=False)


# ------------------------------------------------------- running a call


def call_mapped(fn: Callable[[], T], mapper: Mapper) -> T:
    """Run ``fn``; any exception comes out as the mapper's ProviderError, unchained."""
    try:
        return fn()
    except ProviderError:
        raise
    except Exception as exc:  # noqa: BLE001 - every SDK error is mapped, none escapes raw
        err = mapper(exc, False)
    raise err


def iter_mapped(iterator: Iterator[T], mapper: Mapper) -> Iterator[T]:
    """Iterate an SDK stream with its exceptions mapped (as in-stream errors), unchained."""
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except ProviderError:
            raise
        except Exception as exc:  # noqa: BLE001
            err = mapper(exc, True)
        else:
            yield item
            continue
        raise err


def close_quietly(obj: Any) -> None:
    try:
        close = getattr(obj, "close", None)
        if close is not None:
            close()
    except Exception:  # noqa: BLE001 - closing a broken stream may fail again; nothing to do
        pass


# ------------------------------------------------------------ model lists

def listing_error(err: ProviderError, *, label: str, base_url: str | None) -> ProviderError:
    """A listing call's error, worded for a listing: a 404 means the address serves no model
    list (a wrong base URL, or a server without one), not a missing model."""
    if err.kind != "not_found":
        return err
    return ProviderError(f"{label} has no model list at {origin(base_url)} ({err.status_code or 404}): "
                         "check the base URL, or name the models by hand.", provider=err.provider,
                         model=err.model, kind="not_found", retryable=False, status_code=err.status_code)


def model_names(names: Iterator[str] | list[str], limit: int = 1000) -> list[str]:
    """Listed model ids, cleaned: stripped, without duplicates, in the server's order, at most ``limit``."""
    out: dict[str, None] = {}
    for name in names:
        if isinstance(name, str) and name.strip():
            out.setdefault(name.strip(), None)
        if len(out) >= limit:
            break
    return list(out)


# ------------------------------------------------------------ usage counts


class UsageReader:
    """Reads token counts off an SDK usage object, noting what cannot be trusted.

    A count that is missing where the vendor always sends one, or negative, or
    not a number, is read as 0 and named in ``problem``: the attempt is then
    recorded unpriced with that reason rather than billed at a guess.
    """

    def __init__(self, raw: Any, fallback: Any = None) -> None:
        self.raw = raw
        self.fallback = fallback
        self.bad: list[str] = []

    def get(self, *path: str, required: bool = False) -> int:
        value = _dig(self.raw, path)
        if value is None and self.fallback is not None:
            value = _dig(self.fallback, path)
        if value is None:
            if required:
                self.bad.append(f"{'.'.join(path)} missing")
            return 0
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value != int(value):
            self.bad.append(f"{'.'.join(path)} = {value!r}")
            return 0
        return int(value)

    @property
    def problem(self) -> str | None:
        if not self.bad:
            return None
        return "the provider's usage block is invalid (" + ", ".join(self.bad[:4]) + ")"


def _dig(obj: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        if obj is None:
            return None
        obj = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
    return obj


def only_nonzero(counts: Mapping[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}
