"""A screenshot read offline, in a real browser: on the default setup (the offline engine only,
no AI provider) the job seeker uploads a screenshot of a posting on the extract page and gets the
extracted job, its fields filled in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_user_flow import _nav, _settle, _shot
from tests.fixtures.screenshots.render import screenshot

pytestmark = pytest.mark.browser
pytest.importorskip("rapidocr_onnxruntime")


def test_a_screenshot_is_extracted_offline(app_url, context, artifacts):
    shot = artifacts / "ocr_posting.png"
    shot.write_bytes(screenshot("linkedin_data_engineer"))
    page = context.new_page()
    sign_in(page, app_url)
    page.get_by_role("heading", name="Welcome, Frida").wait_for()
    _nav(page, "Extract a job")
    page.get_by_role("tab", name=re.compile("Screenshot")).click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(shot))
    page.get_by_role("button", name="Extract from screenshot").wait_for()
    _settle(page)
    page.get_by_role("button", name="Extract from screenshot").click()
    heading = page.get_by_role("heading", name=re.compile("Senior Data Engineer"))
    heading.wait_for(timeout=180_000)  # a few seconds of OCR on a quiet machine; CI machines are slower
    assert "Northwind Logistics" in heading.inner_text()
    page.get_by_text(re.compile("Served by Offline engine")).wait_for()
    # The form's fields are filled by the frontend after the heading shows; on a loaded machine
    # a field can be read before its value lands, so wait for the value itself.
    expect(page.get_by_role("textbox", name="Company", exact=True)).to_have_value("Northwind Logistics",
                                                                                  timeout=30_000)
    expect(page.get_by_role("textbox", name="Skills (comma-separated)")).to_have_value(
        re.compile("Apache Airflow"), timeout=30_000)
    _shot(page, artifacts, "ocr_extracted")
