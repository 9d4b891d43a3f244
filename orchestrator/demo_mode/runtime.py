"""The simulator the demo switch starts inside the app server: one per process, on loopback
and a free port, on its own daemon thread. Starting it again (a Streamlit rerun, another
session, another page) returns the same one.

Outages are sticky simulator faults on the demo provider's vendor. The process that hosts the
simulator sets them on it directly; another process (a second replica on the same host) sets
them through the simulator's ``/_sim/faults`` control endpoint on loopback.
"""

from __future__ import annotations

import json
import threading
import urllib.request

from orchestrator.simulator import Simulator
from orchestrator.simulator.engine import Responder
from orchestrator.simulator.faults import Fault

_lock = threading.Lock()
_sim: Simulator | None = None
CHUNK_DELAY_S = 0.02  # paced streams, so the demo shows text arriving
HEALTH_TIMEOUT_S = 0.5


def start(valid_keys: dict[str, str], respond: Responder | None = None) -> Simulator:
    """This process's simulator, started on first use (accepting only the demo keys)."""
    global _sim
    with _lock:
        if _sim is None:
            _sim = Simulator(host="127.0.0.1", port=0, valid_keys=valid_keys, respond=respond,
                             chunk_delay=CHUNK_DELAY_S).start()
        return _sim


def current() -> Simulator | None:
    return _sim


def stop() -> bool:
    """Stop this process's simulator; True if one was running."""
    global _sim
    with _lock:
        sim, _sim = _sim, None
    if sim is None:
        return False
    sim.stop()
    return True


def owns(url: str | None) -> bool:
    sim = _sim
    return sim is not None and url is not None and sim.url == url


def healthy(url: str | None) -> bool:
    """Whether a simulator answers at ``url`` (this process's or another's on this host)."""
    if not url:
        return False
    if owns(url):
        return True
    try:
        with urllib.request.urlopen(f"{url}/_sim/health", timeout=HEALTH_TIMEOUT_S) as resp:  # noqa: S310 - loopback
            return resp.status == 200
    except OSError:
        return False


def apply_outages(url: str, faults: dict[str, Fault | None]) -> None:
    """Make each vendor's sticky fault exactly ``faults[vendor]`` (None: healthy again)."""
    sim = _sim
    if sim is not None and sim.url == url:
        for vendor, fault in faults.items():
            if fault is None:
                sim.clear_faults(vendor)
            else:
                sim.set_sticky_fault(vendor, **fault.as_dict())
        return
    for vendor, fault in faults.items():
        body = {"clear": True, "vendor": vendor} if fault is None else {**fault.as_dict(), "vendor": vendor,
                                                                         "sticky": True}
        req = urllib.request.Request(f"{url}/_sim/faults", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=HEALTH_TIMEOUT_S * 4):  # noqa: S310 - loopback only
            pass


def sticky_faults(url: str | None) -> dict[str, str | None]:
    """What the simulator says each vendor's sticky fault is (for the page and the tests)."""
    sim = _sim
    if sim is None or sim.url != url:
        return {}
    return {v: (book["sticky"] or {}).get("kind") for v, book in sim.faults.items()}
