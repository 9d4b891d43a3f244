"""One ``Orchestrator`` per server process, shared by the Streamlit pages and the HTTP routes.

The pages reach it through ``ui.context.get_orchestrator`` (an ``st.cache_resource``
that acquires it here), the routes through ``orchestrator()``. Sharing it means one
engine and pool, one configuration snapshot, one breaker and one housekeeping
thread per process, whichever door a request came in by.
"""

from __future__ import annotations

import threading

from orchestrator.client import Orchestrator

_lock = threading.Lock()
_current: Orchestrator | None = None


def orchestrator() -> Orchestrator:
    """The process's orchestrator, created (migrated, seeded if empty, housekeeping started) on first use."""
    global _current
    with _lock:
        if _current is None:
            from orchestrator.maintenance import start_background

            orch = Orchestrator()
            start_background(orch)
            from orchestrator.demo_mode import resume

            resume(orch)  # the stakeholder demo's simulator, if demo mode is on
            _current = orch
        return _current


def release(orch: Orchestrator | None = None) -> None:
    """Close the shared orchestrator (or ``orch`` if it is the shared one); the next use makes a new one."""
    global _current
    with _lock:
        if _current is not None and (orch is None or orch is _current):
            _current.close()
            _current = None
        elif orch is not None:
            orch.close()


def install(orch: Orchestrator | None) -> None:
    """Use ``orch`` as the process's orchestrator (tests drive the ASGI apps with their own)."""
    global _current
    with _lock:
        _current = orch
