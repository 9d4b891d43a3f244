"""Fact check in a real browser: the simulator is scripted (``POST /_sim/faults``, kind ``reply``) so
that the first provider of freemium's CV chain writes a CV inventing an employer, twice; the job
seeker drafts a CV and gets the fallback provider's document, checked against their profile; the
admin's Usage log counts the failed attempts and the request inspector shows why
(``invalid_output`` naming the employer). Screenshots: artifacts/browser/factcheck_*.png.

Runs its own server (as ``tests/browser/test_privacy.py`` does) so the test can route the CV to the
simulator in the database before the app starts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from orchestrator.simulator import Simulator
from tests.browser.conftest import ROOT, _free_port, _require_chromium, _wait_healthy, sign_in
from tests.conftest import TEST_MASTER_KEY, test_settings
from tests.sim_support import SIM_KEYS
from tests.support import POSTING

pytestmark = pytest.mark.browser

EMAIL = "free@example.com"
INVENTED_CV = """# Frida Free
**Junior Data Analyst**

## Experience
### Data Analyst — Initech (2024 – 2025)
- Built Power BI dashboards for energy usage used by 40 managers

## Education
- B.Sc. Economics, TU Berlin (2020 – 2024)
"""
CHECKED = "Checked against your profile"
BADGE_WIRED = "checked_badge" in (ROOT / "ui" / "user_drafting.py").read_text()


@pytest.fixture(scope="module")
def sim():
    s = Simulator(valid_keys={"openai": SIM_KEYS["openai"], "gemini": SIM_KEYS["gemini"]}).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def factcheck_app(tmp_path_factory, sim):
    """The demo accounts, freemium's CV routed to two simulated providers, then `streamlit run app.py`.
    Yields (base URL, database URL)."""
    _require_chromium()
    from orchestrator import Orchestrator
    from orchestrator.seeding.demo import _accounts
    from orchestrator.services.admin import providers
    from orchestrator.tasks import document_tasks
    from tests.sim_support import set_chain
    from tests.support import operator

    tmp = tmp_path_factory.mktemp("factcheck")
    db_url = f"sqlite:///{tmp / 'app.db'}"
    orch = Orchestrator(database_url=db_url, settings=test_settings(tmp))
    _accounts(orch)
    providers.add_provider(orch, name="sim-openai", kind="openai", base_url=sim.openai_base_url,
                           api_key=SIM_KEYS["openai"], timeout_s=10, actor=operator())
    providers.add_provider(orch, name="sim-gemini", kind="gemini", base_url=sim.gemini_base_url,
                           api_key=SIM_KEYS["gemini"], timeout_s=10, actor=operator())
    cv_task = next(t.name for t in document_tasks() if t.document_kind == "cv")
    set_chain(orch, "freemium", cv_task, "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite")
    orch.close()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.endswith("_BASE_URL")}
    env.update(DATABASE_URL=db_url, ORCHESTRATOR_MASTER_KEY=TEST_MASTER_KEY, ORCHESTRATOR_DATA_DIR=str(tmp),
               PYTHONPATH=str(ROOT), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    port, log = _free_port(), tmp / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    app = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(app, proc, log)
        yield app, db_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _settle(page) -> None:
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)


def _shot(page, artifacts: Path, name: str) -> None:
    _settle(page)
    size = page.viewport_size
    height = page.evaluate("Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
                           "[data-testid=stMainBlockContainer]')].map(e => e.scrollHeight), 0)")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height) + 40, 6000))})
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / f"factcheck_{name}.png"))
    page.set_viewport_size(size)


def _nav(page, label: str) -> None:
    nav = page.locator('[data-testid="stSidebarNav"]')
    more = nav.get_by_text(re.compile(r"^View \d+ more$"))
    if more.count():
        more.click()
    nav.get_by_role("link", name=label, exact=True).click()
    _settle(page)


def _script_the_simulator(sim) -> None:
    """What an admin does to rehearse a misbehaving model: two scripted answers from OpenAI."""
    body = json.dumps({"vendor": "openai", "kind": "reply", "text": INVENTED_CV, "times": 2}).encode()
    req = urllib.request.Request(f"{sim.url}/_sim/faults", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert json.load(resp)["openai"]["queue"][0]["kind"] == "reply"


def _cv_request_id(db_url: str) -> str:
    from db.models import UsageRecord
    from db.session import Database

    db = Database(db_url)
    try:
        with db.read() as s:
            rows = s.scalars(select(UsageRecord).where(UsageRecord.provider == "sim-gemini")).all()
        assert len(rows) == 1
        return rows[0].request_id
    finally:
        db.dispose()


def test_an_invented_employer_is_rejected_and_the_fallback_serves(factcheck_app, context, browser, artifacts, sim):
    app, db_url = factcheck_app
    sim.reset()
    _script_the_simulator(sim)

    page = context.new_page()
    sign_in(page, app, EMAIL)
    page.get_by_role("heading", name="Welcome, Frida").wait_for()
    _nav(page, "Extract a job")
    page.get_by_role("textbox", name="Job posting").fill(POSTING)
    page.get_by_role("button", name="Extract", exact=True).click()
    page.get_by_role("heading", name=re.compile("Senior Python Engineer")).wait_for()
    page.get_by_role("button", name="Draft a CV").click()
    page.get_by_role("heading", name="Draft a CV").wait_for()
    page.get_by_role("button", name="Draft my CV").click()
    page.get_by_role("heading", name="Your CV").wait_for()
    _settle(page)
    page.get_by_text(re.compile("Served by sim-gemini")).first.wait_for()
    text = page.locator('[data-testid="stTextArea"] textarea').first.input_value()
    assert text.startswith("# Frida Free") and "Stadtwerke Berlin" in text and "Initech" not in text
    if BADGE_WIRED:
        page.get_by_text(CHECKED).first.wait_for()
    _shot(page, artifacts, "cv")
    calls = [e for e in sim.requests if e["action"] in ("chat", "generate", "stream")]
    assert [e["vendor"] for e in calls] == ["openai", "openai", "gemini"]  # one repair, then the fallback

    admin = browser.new_context(viewport={"width": 1440, "height": 1000})
    admin.set_default_timeout(20_000)
    try:
        apage = admin.new_page()
        sign_in(apage, app, "admin@example.com")
        apage.get_by_role("heading", name="Welcome, Ada").wait_for()
        _nav(apage, "Usage log")
        apage.get_by_role("heading", name="Usage log").wait_for()
        attempts = apage.locator('[data-testid="stMetric"]').filter(has_text="Attempts")
        assert re.search(r"Attempts\s*4", attempts.inner_text()), attempts.inner_text()  # extraction + 3
        assert "2 failed" in attempts.inner_text()
        _shot(apage, artifacts, "usage_log")

        apage.goto(f"{app}/request?request={_cv_request_id(db_url)}")
        apage.get_by_role("heading", name=re.compile(r"^Request [0-9a-f]{12}")).wait_for()
        _settle(apage)
        warnings = apage.locator('[data-testid="stAlertContentWarning"]')
        warnings.first.wait_for()
        found = warnings.all_inner_texts()
        assert len(found) == 2, found
        assert all("invalid_output" in w and "employer 'Initech'" in w for w in found), found
        outcome = apage.locator('[data-testid="stMetric"]').filter(has_text="Attempts").inner_text()
        assert re.search(r"Attempts\s*3", outcome), outcome
        _shot(apage, artifacts, "inspector")
    finally:
        admin.close()
