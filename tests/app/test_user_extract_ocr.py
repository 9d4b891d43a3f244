"""Extract a job from a screenshot in the default setup (no AI provider): the offline engine
reads it with its bundled OCR; a screenshot without readable text is a message, not a job."""

from __future__ import annotations

import pytest

from orchestrator.services.user import documents
from tests.app.user_support import captions, messages, open_page
from tests.fixtures.screenshots.render import blank, screenshot

pytest.importorskip("rapidocr_onnxruntime")


def _upload(at, data: bytes):
    at.file_uploader(key="extract_image").upload("posting.png", data, "image/png")
    at.run()
    at.button(key="extract_image_go").click().run(timeout=180)
    assert not at.exception, at.exception
    return at


def test_a_screenshot_is_read_offline_shown_and_saved(app_env):
    at = _upload(open_page("free@example.com", "extract"), screenshot("linkedin_data_engineer"))
    assert messages(at) == []
    assert at.subheader[0].value == "Senior Data Engineer · Northwind Logistics"
    assert "Served by Offline engine (built-in, no AI model) · cost $0.00" in captions(at)
    [job] = documents.list_jobs(app_env, user="free@example.com")
    assert (job.title, job.source) == ("Senior Data Engineer", "image")
    assert "Apache Airflow" in job.posting.skills


def test_a_screenshot_without_text_is_refused_and_nothing_is_saved(app_env):
    at = _upload(open_page("free@example.com", "extract"), blank())
    [error] = [e.value for e in at.error]
    assert error.startswith("No readable text was found in the screenshot.")
    assert documents.list_jobs(app_env, user="free@example.com") == []
