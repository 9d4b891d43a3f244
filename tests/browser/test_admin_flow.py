"""The admin console in a real browser: sign in as the super admin, create a provider
pointing at the loopback simulator with a key, test its credentials, route a cell of the
policy to it through the data editor, save, and open the analytics page; a screenshot
of every admin page goes to artifacts/browser/admin_*.png.

Uses tests/browser/conftest.py (``app_url``: `streamlit run app.py` on a free port with a fresh
SQLite database and the demo accounts; ``context``: Playwright on /usr/bin/chromium).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestrator.simulator import Simulator
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

KEY = "sk-proj-BrowserSimKey0123456789abcdWXYZ"


@pytest.fixture(scope="module")
def sim():
    s = Simulator(valid_keys={"openai": KEY}).start()
    yield s
    s.stop()


def _settle(page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)


def _shot(page, artifacts: Path, name: str) -> None:
    """The whole page (Streamlit scrolls inside its main container, so the viewport is
    stretched to the content), after tables have drawn their canvases."""
    _settle(page)
    size = page.viewport_size
    height = page.evaluate("Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
                           "[data-testid=stMainBlockContainer]')].map(e => e.scrollHeight), 0)")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height) + 40, 6000))})
    page.wait_for_timeout(1200)
    page.screenshot(path=str(artifacts / f"admin_flow_{name}.png"))
    page.set_viewport_size(size)


def _nav(page, label: str) -> None:
    nav = page.locator('[data-testid="stSidebarNav"]')
    more = nav.get_by_text(re.compile(r"^View \d+ more$"))
    if more.count():
        more.click()
    nav.get_by_role("link", name=label, exact=True).click()
    _settle(page)


def _select(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (retried: a rerun may redraw it mid-click)."""
    for attempt in range(3):
        _settle(page)
        page.get_by_role("combobox", name=label, exact=True).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=4000)
            break
        except Exception:
            page.keyboard.press("Escape")
            if attempt == 2:
                raise
    _settle(page)


def test_admin_flow(app_url, context, artifacts, sim):
    page = context.new_page()
    sign_in(page, app_url, "admin@example.com")
    page.get_by_role("heading", name="Welcome, Ada").wait_for()

    _nav(page, "Overview")
    page.get_by_role("heading", name="Admin overview").wait_for()
    _shot(page, artifacts, "overview")

    # --- create a provider pointing at the simulator, with a key
    _nav(page, "Providers")
    page.get_by_role("tab", name="Add a provider").click()
    page.get_by_role("textbox", name="Name").fill("sim-openai")
    _select(page, "Kind", "OpenAI (openai)")
    page.get_by_role("textbox", name="Base URL").fill(sim.openai_base_url)
    page.get_by_role("textbox", name="API key (optional)").fill(KEY)
    page.get_by_role("button", name="Create provider").click()
    page.get_by_text("Provider 'sim-openai' created with key …WXYZ.").wait_for()
    assert KEY not in page.content()

    # --- test its credentials: OK and the latency
    page.get_by_role("tab", name="Manage a provider").click()
    _select(page, "Provider", "sim-openai")
    page.get_by_text("Key: key …WXYZ").wait_for()
    _select(page, "Test with model", "gpt-4o-mini")
    page.get_by_role("button", name="Test credentials").click()
    result = page.get_by_text(re.compile(r"^OK · \d+ ms · gpt-4o-mini\."))
    result.wait_for()
    assert re.search(r"answered in \d+ ms", result.inner_text())
    assert KEY not in page.content()
    _shot(page, artifacts, "providers")

    # --- route freemium extraction to it: edit the first row of the chain, then save
    _nav(page, "Routing")
    chain = page.get_by_role("textbox", name="Or type the chain")
    chain.fill("sim-openai:gpt-4o-mini, offline:offline-engine-v1")
    page.get_by_role("button", name="Apply").click()
    _settle(page)
    page.get_by_text(re.compile(r"^sim-openai · gpt-4o-mini")).first.wait_for()  # the matrix shows the draft
    page.get_by_role("button", name="Validate draft").click()
    _settle(page)
    page.get_by_role("textbox", name="What changed and why").fill("freemium extraction on the simulator")
    page.get_by_role("button", name="Save as new version").click()
    page.get_by_text("Saved version v2: live from the next request.").wait_for()
    page.get_by_role("button", name="Run dry run").click()
    page.get_by_text("Predicted cost: draft", exact=True).wait_for()
    _shot(page, artifacts, "routing")

    for label, name, heading in [("Models & prices", "models", "Models & prices"),
                                 ("Plans & quotas", "plans", "Plans & quotas"), ("Users", "users", "Users"),
                                 ("Usage log", "usage_log", "Usage log"), ("Audit log", "audit_log", "Audit log"),
                                 ("Cost analytics", "analytics", "Cost analytics")]:
        _nav(page, label)
        page.get_by_role("heading", name=heading, exact=True).wait_for()
        assert not page.locator('[data-testid="stException"]').count(), label
        _shot(page, artifacts, name)

    # the audit trail of this session (its Action filter lists what happened), without the key
    _nav(page, "Audit log")
    page.get_by_role("combobox", name="Action", exact=True).click()
    actions = set(page.get_by_role("option").all_inner_texts())
    page.keyboard.press("Escape")
    assert {"provider.add", "provider.test", "routing.save"} <= actions, actions
    assert KEY not in page.content()
