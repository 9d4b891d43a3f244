"""Fault injection for the simulator: what goes wrong, for whom, and how often.

Each vendor has a FIFO queue of faults (each entry used ``times`` times, one
per request) and at most one sticky fault that applies until cleared. A fault
may be limited to models matching a glob (``model="gpt-4o*"``). Tests script
failures ("two 503s, then OK") without touching the SDKs; the CLI and the
``/_sim/faults`` control endpoint set the same structures.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any

VENDORS: tuple[str, ...] = ("openai", "anthropic", "gemini")

KINDS: tuple[str, ...] = (
    "status",          # an HTTP error in the vendor's shape (optional Retry-After)
    "latency",         # sleep ``seconds`` then answer normally
    "timeout",         # hold the request until the client gives up (or ``seconds``), then drop it
    "malformed_json",  # HTTP 200 with a broken JSON body, or a broken SSE data line
    "stream_cut",      # stream ``after`` chunks, then end without the finish event and usage
    "schema_invalid",  # valid JSON that does not match the requested schema
    "reset",           # close the connection abruptly, no response at all
    "quota",           # the account's quota or credit is used up, in the vendor's own body
    "too_large",       # the request exceeds a size or per-minute token limit, in the vendor's own body
    "truncate",        # the answer stops at the token limit (finish "length"), after ``after`` words
    "refuse",          # the model declines: OpenAI content_filter (or a structured ``refusal``), Anthropic
                       # stop_reason "refusal", Gemini finishReason SAFETY
    "reply",           # a scripted answer: ``text`` instead of the offline engine's, with real usage (a model
                       # that writes what the test wants, e.g. a CV inventing an employer)
)

DEFAULT_TIMEOUT_S = 30.0


@dataclass
class Fault:
    """One kind of failure with its parameters.

    ``after`` applies to streamed answers: ``stream_cut`` and ``malformed_json``
    send that many content chunks first; ``status`` and ``timeout`` with
    ``after`` fail mid-stream (an in-band error event, or a stall) instead of
    before the headers; so do ``quota`` and ``too_large``. ``truncate`` cuts the
    answer after ``after`` words (else at half its length, never beyond the
    request's max_tokens), plain or streamed. ``reply`` answers with ``text``, plain or streamed,
    in the vendor's normal shape (finish "stop", usage counted). ``status`` picks a vendor's variant
    of ``quota`` / ``too_large`` (Anthropic 402 billing_error, Gemini 413). ``mode`` is ``clean`` (the HTTP body ends properly, the
    SDK simply sees no finish event) or ``abrupt`` (the socket closes inside
    the chunked body, the SDK raises a transport error) for ``stream_cut``.
    """

    kind: str
    status: int | None = None
    retry_after: float | None = None
    seconds: float | None = None
    after: int | None = None
    mode: str = "clean"
    message: str | None = None
    model: str | None = None
    text: str | None = None  # the answer of a ``reply``
    times: int | None = None  # remaining uses for queued faults; None when sticky

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; choose one of {', '.join(KINDS)}")
        if self.kind == "status" and self.status is None:
            self.status = 500
        if self.mode not in ("clean", "abrupt"):
            raise ValueError("stream_cut mode must be 'clean' or 'abrupt'")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1")
        if (self.kind == "reply") != (self.text is not None):
            raise ValueError("a 'reply' fault needs its 'text' (and only a reply takes one)")

    def matches(self, model: str | None) -> bool:
        if self.model is None:
            return True
        return model is not None and fnmatch.fnmatchcase(model, self.model)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _check_vendor(vendor: str) -> str:
    if vendor not in VENDORS:
        raise ValueError(f"unknown vendor {vendor!r}; choose one of {', '.join(VENDORS)}")
    return vendor


@dataclass
class _VendorFaults:
    queue: list[Fault] = field(default_factory=list)
    sticky: Fault | None = None


class FaultBook:
    """Thread-safe per-vendor fault queues and sticky faults (and, alike, usage plans)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_vendor = {v: _VendorFaults() for v in VENDORS}

    def add(self, vendor: str, fault: Fault, times: int = 1) -> None:
        fault.times = times
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._by_vendor[_check_vendor(vendor)].queue.append(fault)

    def set_sticky(self, vendor: str, fault: Fault | None) -> None:
        if fault is not None:
            fault.times = None
        with self._lock:
            self._by_vendor[_check_vendor(vendor)].sticky = fault

    def clear(self, vendor: str | None = None) -> None:
        with self._lock:
            for v in [_check_vendor(vendor)] if vendor else list(VENDORS):
                self._by_vendor[v] = _VendorFaults()

    def take(self, vendor: str, model: str | None) -> Fault | None:
        """The fault for this request: the first matching queued one (used up
        one time), else the sticky one if it matches, else None."""
        with self._lock:
            book = self._by_vendor[vendor]
            for i, fault in enumerate(book.queue):
                if fault.matches(model):
                    assert fault.times is not None
                    fault.times -= 1
                    if fault.times <= 0:
                        del book.queue[i]
                    return replace(fault, times=None)
            if book.sticky is not None and book.sticky.matches(model):
                return book.sticky
            return None

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {
                v: {
                    "queue": [f.as_dict() for f in b.queue],
                    "sticky": b.sticky.as_dict() if b.sticky else None,
                }
                for v, b in self._by_vendor.items()
            }


_FLOAT_FIELDS = ("retry_after", "seconds")
_INT_FIELDS = ("status", "after", "times")
_POSITIONAL = {
    "status": ("status", "retry_after"),
    "latency": ("seconds",),
    "timeout": ("seconds",),
    "stream_cut": ("after", "mode"),
    "malformed_json": ("after",),
    "schema_invalid": (),
    "reset": (),
    "quota": ("status",),
    "too_large": ("status",),
    "truncate": ("after",),
    "refuse": (),
    "reply": ("text",),
}


def fault_from_mapping(data: dict[str, Any]) -> tuple[str, Fault, int | None]:
    """(vendor, fault, times) from a JSON object; ``times`` None means sticky
    unless ``sticky`` is false (then one use)."""
    data = dict(data)
    vendor = _check_vendor(str(data.pop("vendor", "")))
    sticky = bool(data.pop("sticky", False))
    times = data.pop("times", None)
    if times is None and not sticky:
        times = 1
    allowed = {"kind", "status", "retry_after", "seconds", "after", "mode", "message", "model", "text"}
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
    fault = Fault(**data)
    return vendor, fault, None if sticky else int(times)


def parse_fault_spec(spec: str) -> tuple[str, Fault, int | None]:
    """Parse the CLI form ``VENDOR:KIND[:ARG...]``.

    ARGs are positional per kind (``status`` -> code, retry_after; ``latency``
    and ``timeout`` -> seconds; ``stream_cut`` -> after, mode;
    ``malformed_json`` and ``truncate`` -> after; ``quota`` and ``too_large``
    -> status) or ``name=value`` (``times``, ``model``,
    ``retry_after``, ``after``, ``seconds``, ``mode``, ``message``, ``status``).
    A ``reply``'s text runs to the end of the spec, colons included, so it comes last:
    ``openai:reply:times=2:text=# Jane Doe ...``.
    Without ``times`` the fault is sticky. Examples: ``openai:status:429:2``,
    ``gemini:latency:1.5``, ``anthropic:status:529:times=2``,
    ``openai:quota``, ``anthropic:quota:402``, ``gemini:too_large:after=2``,
    ``openai:truncate:20:times=1``.
    """
    head, sep, text = spec.partition(":text=")
    parts = head.split(":")
    if len(parts) < 2:
        raise ValueError(f"fault spec {spec!r} must look like VENDOR:KIND[:ARG...]")
    vendor, kind, args = parts[0], parts[1], parts[2:] + ([f"text={text}"] if sep else [])
    values: dict[str, Any] = {"kind": kind}
    positional = list(_POSITIONAL.get(kind, ()))
    for arg in args:
        if "=" in arg:
            name, value = arg.split("=", 1)
        elif positional:
            name, value = positional.pop(0), arg
        else:
            raise ValueError(f"unexpected argument {arg!r} in fault spec {spec!r}")
        values[name] = value
    for name in _FLOAT_FIELDS:
        if name in values:
            values[name] = float(values[name])
    for name in _INT_FIELDS:
        if name in values:
            values[name] = int(values[name])
    times = values.pop("times", None)
    values["vendor"] = vendor
    if times is None:
        values["sticky"] = True
    else:
        values["times"] = times
    return fault_from_mapping(values)
