"""Personal data kept at home, in a real browser: a job seeker extracts a posting and drafts a CV
through a provider on the loopback simulator; the page shows their real name and contact details,
their Plan page says they are replaced by placeholders, and the bodies the simulator received hold
none of them (``/_sim/requests``). Screenshots: artifacts/browser/privacy_*.png.

Runs its own server (as ``tests/browser/conftest.py``'s ``app_url`` does) so the test can route
the demo plan to the simulator in the database before the app starts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from orchestrator.simulator import Simulator
from tests.browser.conftest import ROOT, _free_port, _require_chromium, _wait_healthy, sign_in
from tests.conftest import TEST_MASTER_KEY, test_settings
from tests.support import POSTING
from ui.user_privacy import ON

pytestmark = pytest.mark.browser

KEY = "sk-proj-BrowserPrivacyKey0123456789abcdWXYZ"
EMAIL = "free@example.com"
# the demo profile of free@example.com (orchestrator/seeding/demo.py) and the account
SECRETS = ["Frida", "free@example.com", "linkedin.com/in/frida-free", "Berlin, Germany"]


@pytest.fixture(scope="module")
def sim():
    s = Simulator(valid_keys={"openai": KEY}).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def privacy_app(tmp_path_factory, sim):
    """The demo accounts, freemium's extraction and CV routed to the simulator, then
    `streamlit run app.py` on a free port."""
    _require_chromium()
    from orchestrator import Orchestrator
    from orchestrator.seeding.demo import _accounts
    from orchestrator.services.admin import providers
    from tests.sim_support import set_chain
    from tests.support import operator

    tmp = tmp_path_factory.mktemp("privacy")
    url = f"sqlite:///{tmp / 'app.db'}"
    orch = Orchestrator(database_url=url, settings=test_settings(tmp))
    _accounts(orch)
    providers.add_provider(orch, name="sim-openai", kind="openai", base_url=sim.openai_base_url, api_key=KEY,
                           timeout_s=10, actor=operator())
    for task in ("extract_job", "draft_cv"):
        set_chain(orch, "freemium", task, "sim-openai:gpt-4o-mini")
    orch.close()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.endswith("_BASE_URL")}
    env.update(DATABASE_URL=url, ORCHESTRATOR_MASTER_KEY=TEST_MASTER_KEY, ORCHESTRATOR_DATA_DIR=str(tmp),
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
        yield app
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
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / f"privacy_{name}.png"))
    page.set_viewport_size(size)


def _nav(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=label).click()
    _settle(page)


def _received(sim) -> list[str]:
    """The request bodies the simulator logged, read over HTTP as any client would."""
    with urllib.request.urlopen(f"{sim.url}/_sim/requests", timeout=5) as resp:
        log = json.load(resp)["requests"]
    return [json.dumps(r["body"], ensure_ascii=False) for r in log if r.get("body")]


def test_the_page_shows_the_real_name_and_the_provider_never_got_it(privacy_app, context, artifacts, sim):
    sim.clear_requests()
    page = context.new_page()
    sign_in(page, privacy_app, EMAIL)
    page.get_by_role("heading", name="Welcome, Frida").wait_for()

    _nav(page, "Extract a job")
    page.get_by_role("textbox", name="Job posting").fill(POSTING)
    page.get_by_role("button", name="Extract", exact=True).click()
    page.get_by_role("heading", name=re.compile("Senior Python Engineer")).wait_for()
    page.get_by_text(re.compile("Served by sim-openai")).first.wait_for()

    page.get_by_role("button", name="Draft a CV").click()
    page.get_by_role("heading", name="Draft a CV").wait_for()
    page.get_by_role("button", name="Draft my CV").click()
    page.get_by_role("heading", name="Your CV").wait_for()
    _settle(page)
    editor = page.locator('[data-testid="stTextArea"] textarea').first
    text = editor.input_value()
    assert text.startswith("# Frida Free"), text[:200]
    assert "free@example.com" in text and "https://linkedin.com/in/frida-free" in text and "[[" not in text
    page.get_by_role("tab", name=re.compile("Preview")).click()
    page.get_by_role("heading", name="Frida Free").wait_for()
    _shot(page, artifacts, "cv")

    bodies = _received(sim)
    assert len(bodies) == 2, len(bodies)  # the extraction and the CV, both through the simulator
    assert [s for s in SECRETS if any(s in b for b in bodies)] == []
    assert "[[NAME_1]]" in bodies[1] and "[[EMAIL_1]]" in bodies[1] and "Stadtwerke Berlin" in bodies[1]

    _nav(page, "Plan and usage")
    page.get_by_text(ON).wait_for()
    _shot(page, artifacts, "plan")
