"""The stakeholder demo in the real server: the super admin turns demo mode on, sets an outage on
the first provider of the chain, sends test requests and sees the failing attempts and the next
provider's answer, sees the circuit open on the Providers page, and ends the outage. Then the
app's own sample posting page is extracted through Extract → Link."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from orchestrator.seeding.demo_providers import demo_name
from orchestrator.seeding.seed import POLICY
from orchestrator.tasks.chat import SPEC
from tests.browser.conftest import sign_in
from tests.browser.test_admin_flow import _nav, _select, _settle, _shot

pytestmark = pytest.mark.browser
FIRST = demo_name(POLICY[("pro", SPEC.name)][0][0])  # the first provider of pro's chat chain, in the demo
LONG = 60_000


def _send(page) -> None:
    page.get_by_role("button", name="Send a test request").click()
    _settle(page)


def test_demo_mode_shows_an_outage_and_the_fallback(context, app_url, artifacts):
    page = context.new_page()
    sign_in(page, f"{app_url}/demo", email="admin@example.com")
    page.get_by_role("heading", name="Stakeholder demo").wait_for()
    expect(page.get_by_text("Demo mode is off")).to_be_visible()
    assert httpx.get(f"{app_url}/demo/postings/data-engineer-amsterdam", timeout=10).status_code == 404

    page.get_by_text("Demo mode", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Simulator at http://127\.0\.0\.1:"))).to_be_visible(timeout=LONG)
    _select(page, f"Outage on {FIRST}", "503 Service Unavailable")
    expect(page.get_by_text(f"{FIRST}: 503 service unavailable from now on.")).to_be_visible()

    _send(page)
    answered = page.get_by_text(re.compile(rf"Answered by demo-\w+ after \d+ failed attempts on {FIRST}\."))
    expect(answered).to_be_visible(timeout=LONG)
    expect(page.get_by_text(re.compile(rf"Attempt 1 · {FIRST} · .* error \(server_error\)"))).to_be_visible()
    _send(page)  # a second request: enough failures in a row to open the circuit
    live = page.get_by_text(re.compile(rf"{FIRST} circuit ● open"))
    expect(live).to_be_visible(timeout=LONG)  # the live view (refreshes by itself)
    _shot(page, artifacts, "demo_outage")

    _nav(page, "Providers")
    circuits = page.locator('[data-testid="stMetric"]').filter(has_text="Circuits not closed")
    expect(circuits.locator('[data-testid="stMetricValue"]')).to_have_text("1", timeout=LONG)
    _shot(page, artifacts, "demo_providers_circuit_open")

    _nav(page, "Stakeholder demo")
    _select(page, f"Outage on {FIRST}", "None (healthy)")
    expect(page.get_by_text(f"{FIRST}: outage ended.")).to_be_visible()
    _send(page)  # while its circuit is open, the request skips it and is answered at once
    expect(page.get_by_text(re.compile(r"Answered by demo-\w+ at the first attempt\."))).to_be_visible(timeout=LONG)


def test_a_sample_posting_served_by_the_app_is_extracted_by_link(context, app_url, artifacts):
    page = context.new_page()
    sign_in(page, f"{app_url}/demo", email="admin@example.com")
    page.get_by_role("heading", name="Stakeholder demo").wait_for()
    off = page.get_by_text("Demo mode is off")
    simulator = page.get_by_text(re.compile(r"^Simulator at http://127\.0\.0\.1:"))
    expect(off.or_(simulator).first).to_be_visible(timeout=LONG)  # whichever state the other test left
    if off.count():
        page.get_by_text("Demo mode", exact=True).click()
    expect(simulator).to_be_visible(timeout=LONG)
    page.get_by_text("Allow links to private and loopback addresses").click()
    expect(page.get_by_text("Links to local pages are allowed now.")).to_be_visible(timeout=LONG)
    url = page.locator('[data-testid="stCode"]').filter(has_text="/demo/postings/data-engineer-amsterdam")
    link = url.first.inner_text().strip()
    assert link.startswith("http://127.0.0.1:")
    served = httpx.get(link, timeout=10)
    assert served.status_code == 200 and "<h1>Senior Data Engineer</h1>" in served.text

    _nav(page, "Extract a job")
    page.get_by_role("tab", name=re.compile("Link")).click()
    page.get_by_label("Link to the posting").fill(link)
    page.get_by_role("button", name="Fetch and extract").click()
    expect(page.get_by_text("Northwind Logistics").first).to_be_visible(timeout=LONG)
    _shot(page, artifacts, "demo_extract_by_link")
