"""The job seeker's day in a real browser: sign in, save the profile, extract a pasted
posting, draft a CV and a cover letter, download every format and open the files;
the session survives a reload and a new tab, and sign-out ends it."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in
from tests.support import POSTING

pytestmark = pytest.mark.browser

JOB_TITLE = "Senior Python Engineer"


def _settle(page) -> None:
    """Wait until Streamlit has finished the current run (no "Running..." indicator)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)


def _shot(page, artifacts: Path, name: str) -> None:
    """A screenshot of the whole page. Streamlit scrolls inside its main container, not the
    document, so the viewport is stretched to the content's height for the shot."""
    _settle(page)
    size = page.viewport_size
    height = page.evaluate("Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
                           "[data-testid=stMainBlockContainer]')].map(e => e.scrollHeight), 0)")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height) + 40, 6000))})
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / f"{name}.png"))
    page.set_viewport_size(size)


def _nav(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=label).click()
    _settle(page)


def _sign_in(page, url: str) -> None:
    sign_in(page, url)
    page.get_by_role("heading", name="Welcome, Frida").wait_for()


def _download(page, label: str, dest: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    path = dest / info.value.suggested_filename
    info.value.save_as(path)
    return path


def _check_files(page, artifacts: Path, stem: str) -> None:
    """Download DOCX, PDF and Markdown; each opens and mentions the job title."""
    import docx
    from pypdf import PdfReader

    docx_path = _download(page, "Download Word", artifacts)
    text = "\n".join(p.text for p in docx.Document(str(docx_path)).paragraphs)
    assert JOB_TITLE in text, f"{docx_path.name}: {text[:300]}"
    pdf_path = _download(page, "Download PDF", artifacts)
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    pdf_text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))
    assert JOB_TITLE in pdf_text, f"{pdf_path.name}: {pdf_text[:300]}"
    md_path = _download(page, "Download Markdown", artifacts)
    assert JOB_TITLE in md_path.read_text(encoding="utf-8")
    for p in (docx_path, pdf_path, md_path):
        assert p.name.startswith(stem), p.name


def test_job_seeker_flow(app_url, context, artifacts):
    started = time.monotonic()
    page = context.new_page()
    _sign_in(page, app_url)
    _shot(page, artifacts, "01_home")

    # Profile: the demo profile is there; change the headline and save.
    _nav(page, "Profile")
    headline = page.get_by_role("textbox", name="Headline")
    headline.fill("Data Analyst moving into Python engineering")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved").wait_for()
    _shot(page, artifacts, "02_profile")

    # Extraction of the pasted posting.
    _nav(page, "Extract a job")
    page.get_by_role("textbox", name="Job posting").fill(POSTING)
    page.get_by_role("button", name="Extract", exact=True).click()
    page.get_by_role("heading", name=re.compile(JOB_TITLE)).wait_for()
    page.get_by_text(re.compile("Served by Offline engine")).wait_for()
    _shot(page, artifacts, "03_extract")

    # CV: straight from the extraction, streamed, then edited in place and downloaded.
    page.get_by_role("button", name="Draft a CV").click()
    page.get_by_role("heading", name="Draft a CV").wait_for()
    page.get_by_role("button", name="Draft my CV").click()
    page.get_by_role("heading", name="Your CV").wait_for()
    _check_files(page, artifacts, "cv-senior-python-engineer")
    _shot(page, artifacts, "04_cv")

    # Cover letter for the same job (the page remembers it).
    _nav(page, "Cover letter")
    page.get_by_role("button", name="Write my letter").click()
    page.get_by_role("heading", name="Your cover letter").wait_for()
    _check_files(page, artifacts, "cover-letter-senior-python-engineer")
    _shot(page, artifacts, "05_cover_letter")

    _nav(page, "My documents")
    page.get_by_text(f"Cover letter — {JOB_TITLE}").first.wait_for()
    _shot(page, artifacts, "06_documents")
    _nav(page, "Plan and usage")
    page.locator('[data-testid="stPlotlyChart"]').wait_for()
    _shot(page, artifacts, "07_plan")

    # The session survives a reload and a new tab, never via the URL.
    assert "orch_session" not in page.url
    page.reload()
    page.get_by_role("heading", name="Plan and usage").wait_for()
    other = context.new_page()
    other.goto(app_url)
    other.get_by_role("heading", name="Welcome, Frida").wait_for()
    other.close()
    cookie = next(c for c in context.cookies() if c["name"] == "orch_session")
    assert cookie["sameSite"] == "Strict" and cookie["httpOnly"] is True

    # Sign-out ends the session on the server: the browser lands on the sign-in page, a
    # reload stays there, and the old token no longer works even if it is sent again.
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda u: u.endswith("/auth/sign-in?signed_out=1"))
    page.get_by_text("You have signed out.").wait_for()
    assert not [c for c in context.cookies() if c["name"] == "orch_session"]
    page.reload()
    page.get_by_role("button", name="Sign in").wait_for()
    _shot(page, artifacts, "08_signed_out")
    context.add_cookies([cookie])
    page.goto(app_url)
    page.wait_for_url("**/auth/sign-in**")
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.get_by_role("heading", name="Welcome, Frida").count() == 0
    assert time.monotonic() - started < 90
