"""Server-side render time of every admin page (and the user's Plan and usage) on the demo data.

A fresh SQLite database gets the full demo (``seed_demo``: the demo accounts and 90 days of
history, as `make seed` makes it); then each page script runs in ``streamlit.testing.v1.AppTest``
signed in as the demo super admin: a *first visit* (a new session, the analytics caches
cleared) and a *rerun* of the same session (what a click on a widget costs), median of
``rounds`` each. The baseline, measured in the same run the same way, is a page that only
draws a title. Browser time (drawing, charts) is not in these figures: see
tests/browser/test_page_speed.py for click-to-settled in Chromium.
"""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"Overview": "pages/admin/overview.py", "Cost analytics": "pages/admin/analytics.py",
         "Alerts": "pages/admin/alerts.py", "Providers": "pages/admin/providers.py",
         "Models & prices": "pages/admin/models.py", "Routing": "pages/admin/routing.py",
         "Plans & quotas": "pages/admin/plans.py", "Users": "pages/admin/users.py",
         "Usage log": "pages/admin/usage_log.py", "Request inspector": "pages/admin/request.py",
         "Audit log": "pages/admin/audit_log.py", "Security": "pages/admin/security.py",
         "Stakeholder demo": "pages/admin/demo.py", "Plan and usage": "pages/user/plan.py"}
BASELINE = 'import streamlit as st\nst.title("Baseline")\n'
TARGETS = {"Cost analytics": 1.5}  # browser click-to-settled targets (s); the rest 1.0


def _time_page(script: str, user, rounds: int, clear) -> tuple[float, float, str | None]:
    """(median first visit ms, median rerun ms, first exception or None)."""
    from streamlit.testing.v1 import AppTest

    # AppTest runs scripts outside a server: Streamlit warns on every call that there is no
    # script-run context, which is expected here and would bury the figures (set after Streamlit's
    # own logging setup, which resets the levels of its loggers).
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)

    first, rerun, error = [], [], None
    for _ in range(rounds):
        clear()
        at = AppTest.from_file(script, default_timeout=120) if script.endswith(".py") else \
            AppTest.from_string(script, default_timeout=120)
        at.session_state["user"] = user
        t = time.perf_counter()
        at.run()
        first.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        at.run()
        rerun.append((time.perf_counter() - t) * 1000)
        if at.exception and error is None:
            error = str(at.exception[0].value).splitlines()[0][:100]
    return statistics.median(first), statistics.median(rerun), error


def measure(rounds: int = 5) -> dict:
    """Seed the demo in a temp database and time every page; restores the environment."""
    from cryptography.fernet import Fernet

    keys = ("DATABASE_URL", "ORCHESTRATOR_MASTER_KEY", "ORCHESTRATOR_DATA_DIR")
    saved = {k: os.environ.get(k) for k in keys}
    with tempfile.TemporaryDirectory(prefix="orch_pages_") as tmp:
        os.environ.update(DATABASE_URL=f"sqlite:///{Path(tmp) / 'pages.db'}",
                          ORCHESTRATOR_MASTER_KEY=Fernet.generate_key().decode(), ORCHESTRATOR_DATA_DIR=tmp)
        try:
            return _measure(rounds)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def _measure(rounds: int) -> dict:
    import streamlit as st

    from orchestrator import Orchestrator
    from orchestrator.http import shared
    from orchestrator.seeding.demo import seed_demo
    from orchestrator.services.admin.users import get_user
    from orchestrator.services.reports.analytics_queries import clear_cache

    orch = Orchestrator()
    t = time.perf_counter()
    seeded = seed_demo(orch)
    seed_s = time.perf_counter() - t
    user = get_user(orch, email="admin@example.com")
    shared.release()
    try:
        # one untimed pass: imports and the first connection are paid once per process, not per page
        for script in PAGES.values():
            _time_page(str(ROOT / script), user, 1, clear_cache)
        base = _time_page(BASELINE, user, rounds, clear_cache)
        rows = {name: _time_page(str(ROOT / script), user, rounds, clear_cache) for name, script in PAGES.items()}
    finally:
        st.cache_resource.clear()
        shared.release()
        orch.close()
    return {"seed_s": seed_s, "ledger_rows": seeded.get("demo_ledger_rows", 0), "baseline": base, "rows": rows,
            "rounds": rounds}


def report(log, rounds: int = 5) -> bool:
    log(f"\n== Page render time on the server (AppTest, demo data: 90 days): ms (x baseline), median of {rounds} ==")
    log("  first visit: a new session, analytics caches cleared; rerun: the same session again (a widget click); "
        "baseline: a page that only draws its title")
    try:
        m = measure(rounds)
    except Exception as exc:  # noqa: BLE001 - a failure is a line in the report, not a crash
        log(f"  skipped: {type(exc).__name__}: {str(exc)[:160]}")
        return True
    b_first, b_rerun, _ = m["baseline"]
    log(f"  demo seeded in {m['seed_s']:.1f} s ({m['ledger_rows']:,} ledger rows); baseline first visit "
        f"{b_first:.1f} ms, rerun {b_rerun:.1f} ms")
    ok = True
    for name, (first, rerun, error) in m["rows"].items():
        budget = TARGETS.get(name, 1.0) * 1000
        note = f"   ERROR: {error}" if error else "" if first <= budget else f"   over the {budget:.0f} ms page target"
        ok &= error is None
        log(f"  {name:20} first visit {first:8.1f} ms ({first / b_first:6.1f}x)   rerun {rerun:8.1f} ms "
            f"({rerun / b_rerun:6.1f}x){note}")
    firsts = [r[0] for r in m["rows"].values()]
    log(f"  median over pages: first visit {statistics.median(firsts):.0f} ms, slowest {max(firsts):.0f} ms")
    return ok
