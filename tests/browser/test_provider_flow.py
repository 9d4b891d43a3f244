"""Add → configure → test a provider in one flow, in a real browser: the super admin adds an
OpenAI-compatible provider pointing at a loopback simulator without naming its models; the
page opens the new provider (not the first one in the list), shows the models the server
lists, adds the chosen ones to the catalog, and tests credentials with one of them: OK.
No CLI wording appears on the way. Screenshot: artifacts/browser/provider_flow.png.

Uses tests/browser/conftest.py (``app_url``: `streamlit run app.py` on a free port with a fresh
SQLite database and the demo accounts); the simulator runs in this process on 127.0.0.1.
"""

from __future__ import annotations

import re

import pytest

from orchestrator.simulator import Simulator
from tests.browser.conftest import sign_in
from tests.browser.test_admin_flow import _nav, _select, _settle

pytestmark = pytest.mark.browser

SERVED = ["llama-sim-8b", "qwen-sim-14b"]


@pytest.fixture(scope="module")
def local_server():
    """A keyless OpenAI-compatible server (as Ollama or vLLM would be) on a free loopback port."""
    s = Simulator(models={"openai": SERVED}).start()
    yield s
    s.stop()


def test_add_list_models_and_test_credentials(app_url, context, artifacts, local_server):
    from playwright.sync_api import expect

    page = context.new_page()
    sign_in(page, app_url, "admin@example.com")
    page.get_by_role("heading", name="Welcome, Ada").wait_for()
    _nav(page, "Providers")

    # --- add: no models named, so the server is asked for its list
    page.get_by_role("tab", name="Add a provider").click()
    _settle(page)
    page.get_by_role("textbox", name="Name").fill("local-llm")
    _select(page, "Kind", "OpenAI-compatible server (openai_compatible)")
    page.get_by_role("textbox", name="Base URL").fill(local_server.openai_base_url)
    page.get_by_role("button", name="Create provider").click()
    page.get_by_text("Provider 'local-llm' created.").wait_for()

    # --- it opens: the Manage tab, with the new provider chosen
    expect(page.get_by_role("tab", name="Manage a provider")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".st-key-manage_provider input")).to_have_value("local-llm")
    page.get_by_text(f"The server lists {len(SERVED)} model(s); {len(SERVED)} not in the catalog yet.").wait_for()
    picked = page.locator(".st-key-pick_models")
    for model in SERVED:  # a short list comes pre-selected
        expect(picked.get_by_text(model, exact=True)).to_be_visible()
    assert local_server.requests and local_server.requests[-1]["path"] == "/v1/models"

    # --- configure: add the listed models to the catalog
    page.get_by_role("button", name="Add selected models").click()
    page.get_by_text(f"Added {', '.join(SERVED)} to the OpenAI-compatible server catalog.").wait_for()

    # --- test credentials with one of them (the page reruns after adding: let that run finish first)
    _settle(page)
    page.get_by_role("combobox", name="Test with model", exact=True).wait_for(timeout=60_000)
    _select(page, "Test with model", "qwen-sim-14b")
    page.get_by_role("button", name="Test credentials").click()
    result = page.get_by_text(re.compile(r"^OK · \d+ ms · qwen-sim-14b\."))
    result.wait_for()
    assert local_server.requests[-1]["model"] == "qwen-sim-14b"
    _settle(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "--model" not in text and "--base-url" not in text and "python -m" not in text
    assert "answers without a key" in result.inner_text()
    # the whole page (Streamlit scrolls inside its main container: stretch the viewport to it)
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": max(900, min(int(height) + 40, 6000))})
    _settle(page)
    page.screenshot(path=str(artifacts / "provider_flow.png"))
