"""Self-service plans in a real browser: a user at quota upgrades from Plan and usage and can go
on extracting; a pay-as-you-go user buys credit and sees the new balance and the invoice."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import _require_chromium, serve_app, sign_in
from tests.browser.test_user_flow import _nav, _settle, _shot
from tests.support import POSTING

pytestmark = pytest.mark.browser

SEED = ("from orchestrator import Orchestrator; from orchestrator.seeding.demo import _accounts; "
        "from orchestrator.services.admin import plans; from orchestrator.services.actor import Actor; "
        "o = Orchestrator(); _accounts(o); "
        "plans.set_limits(o, code='freemium', requests_per_day=0, actor=Actor.operator('test'))")


@pytest.fixture(scope="module")
def billing_url(tmp_path_factory):
    """The app (as `make run` starts it) on a fresh database with the demo accounts, where the
    free plan allows no requests today: free@example.com is at quota from the start."""
    _require_chromium()
    with serve_app(tmp_path_factory.mktemp("billing"), SEED) as url:
        yield url


def _extract(page) -> None:
    _nav(page, "Extract a job")
    page.get_by_role("textbox", name="Job posting").fill(POSTING)
    page.get_by_role("button", name="Extract", exact=True).click()


def test_a_user_at_quota_upgrades_and_goes_on(billing_url, context, artifacts):
    from playwright.sync_api import expect

    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, billing_url)
    page.get_by_role("heading", name="Welcome, Frida").wait_for()
    _extract(page)
    link = page.get_by_role("link", name="See your plan and usage")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name="Freemium · free")).to_be_visible()
    page.get_by_role("button", name="Upgrade to Pro").click()
    expect(page.get_by_text("Your plan changes to Pro now.")).to_be_visible()
    _shot(page, artifacts, "self_service_01_confirm_upgrade")
    page.get_by_role("button", name=re.compile(r"^Switch to Pro · pay \$\d+\.\d\d$")).click()
    expect(page.get_by_role("heading", name="Pro · $19.00 a month")).to_be_visible()
    expect(page.locator('[data-testid="stTable"]').get_by_text("paid", exact=True)).to_be_visible()
    _shot(page, artifacts, "self_service_02_upgraded")
    _extract(page)
    expect(page.get_by_role("heading", name=re.compile("Senior Python Engineer"))).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name="See your plan and usage")).to_have_count(0)


def test_paygo_buys_credit_and_sees_balance_and_invoice(billing_url, context, artifacts):
    from playwright.sync_api import expect

    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, billing_url, email="paygo@example.com")
    _settle(page)
    _nav(page, "Plan and usage")
    expect(page.get_by_role("heading", name="Pay as you go · pay per use")).to_be_visible()
    balance = page.locator('[data-testid="stMetric"]').filter(has_text="Credit balance")
    expect(balance).to_contain_text("$10.00")
    page.get_by_role("radio", name="$25.00", exact=True).click()
    page.get_by_role("button", name="Buy", exact=True).click()
    expect(balance).to_contain_text("$35.00")
    invoices = page.locator('[data-testid="stTable"]')
    expect(invoices).to_contain_text("Credit $25.00")
    expect(invoices).to_contain_text("paid")
    expect(invoices).to_contain_text("demo_ch_")
    # a custom amount, then a refused one with its reason
    page.get_by_role("radio", name="Other amount", exact=True).click()
    page.get_by_role("textbox", name=re.compile("Other amount")).fill("7.5")
    page.get_by_role("button", name="Buy", exact=True).click()
    expect(balance).to_contain_text("$42.50")
    page.get_by_role("textbox", name=re.compile("Other amount")).fill("0.001")
    page.get_by_role("button", name="Buy", exact=True).click()
    expect(page.get_by_text(re.compile("Amounts are in whole cents"))).to_be_visible()
    expect(balance).to_contain_text("$42.50")
    _shot(page, artifacts, "self_service_03_credit")
