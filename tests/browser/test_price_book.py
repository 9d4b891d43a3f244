"""The price book in a real browser: an admin changes a model's input price on Models & prices,
sees the preview (the diff with its ratio, the 30-day cost and the margin per plan) before
anything is saved, saves it, and finds the new version in force in the price history; a jump
above 10x is refused until confirmed. Screenshots go to artifacts/browser/admin_prices_*.png."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_admin_flow import _nav, _select, _settle, _shot

pytestmark = pytest.mark.browser

MODEL = "openai · gpt-4o-mini"  # input $0.15 / 1M in genai-prices' snapshot


def _preview(page, value: str) -> None:
    field = page.get_by_role("textbox", name="Input $ / 1M", exact=True)
    field.fill(value)
    page.get_by_role("button", name="Preview change").click()
    _settle(page)
    page.get_by_text("Preview", exact=True).wait_for()


def test_a_price_change_is_previewed_saved_and_versioned(app_url, context, artifacts):
    page = context.new_page()
    sign_in(page, app_url, "admin@example.com")
    page.get_by_role("heading", name="Welcome, Ada").wait_for()
    _nav(page, "Models & prices")
    page.get_by_role("heading", name="Models & prices", exact=True).wait_for()
    _select(page, "Model", MODEL)
    page.get_by_text(re.compile(r"^Prices in force \(version 1\)")).wait_for()

    # a 20x jump: previewed, flagged, and refused until confirmed
    _preview(page, "3")
    page.get_by_text(re.compile(r"20(\.0)?x higher")).first.wait_for(state="attached")  # a table cell (canvas)
    page.get_by_role("button", name="Save price change").click()
    page.get_by_text(re.compile(r"confirm", re.I)).first.wait_for()
    assert not page.get_by_text(re.compile(r"saved as version 2")).count()

    # a modest change: previewed, then saved as version 2
    _preview(page, "0.18")
    page.get_by_text("Cost with the new prices").wait_for()
    page.get_by_text("Cost as recorded").wait_for()
    _shot(page, artifacts, "prices_preview")
    page.get_by_role("button", name="Save price change").click()
    page.get_by_text(re.compile(r"Prices of gpt-4o-mini saved as version 2")).wait_for()
    page.get_by_text(re.compile(r"^Prices in force \(version 2\)")).wait_for()

    page.get_by_role("tab", name="Price history").click()
    _settle(page)
    page.get_by_text(re.compile(r"Every version of openai · gpt-4o-mini")).wait_for()
    assert not page.locator('[data-testid="stException"]').count()
    _shot(page, artifacts, "prices_history")
