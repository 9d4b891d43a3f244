"""The match score in a real browser: extract a pasted posting and the extracted job shows the
score, what the profile covers and what is missing."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_user_flow import _nav, _settle, _shot
from tests.support import POSTING

pytestmark = pytest.mark.browser


def test_match_score_shown_on_the_extracted_job(app_url, context, artifacts):
    page = context.new_page()
    sign_in(page, app_url)
    page.get_by_role("heading", name="Welcome, Frida").wait_for()
    _nav(page, "Extract a job")
    page.get_by_role("textbox", name="Job posting").fill(POSTING)
    page.get_by_role("button", name="Extract", exact=True).click()
    page.get_by_role("heading", name=re.compile("Senior Python Engineer")).wait_for()
    _settle(page)

    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Match score")
    metric.wait_for()
    value = metric.locator('[data-testid="stMetricValue"]').inner_text()
    assert re.fullmatch(r"\d{1,3}/100", value.strip()), value
    assert 0 < int(value.split("/")[0]) < 100
    page.get_by_text(re.compile(r"Your profile covers \d+ of \d+ required skills; missing: ")).wait_for()
    page.get_by_text("You have", exact=False).first.wait_for()
    # chips: what Frida has (Python) and what she lacks (Docker)
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text("Docker", exact=True).count() >= 1
    assert page.locator('[data-testid="stProgress"]').count() >= 1
    _shot(page, artifacts, "match_01_extract")
