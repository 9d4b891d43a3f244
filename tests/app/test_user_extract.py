"""Extract a job: pasted text, a screenshot, a link; the editable result; and every
failure as a message in the page (quota, providers down, bad file, bad link)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orchestrator import settings_store
from orchestrator.services.user import documents
from orchestrator.services.admin import plans
from tests.app.user_support import (
    by_label,
    captions,
    closed_port,
    fast_retries,
    messages,
    open_page,
    providers_down,
)
from tests.support import POSTING, operator, png


def _extract_text(at, text: str = POSTING):
    at.text_area(key="extract_text").input(text)
    at.button(key="extract_go").click().run()
    assert not at.exception, at.exception
    return at


def test_pasted_posting_is_extracted_shown_and_saved(app_env):
    at = _extract_text(open_page("free@example.com", "extract"))
    assert messages(at) == []
    assert at.subheader[0].value == "Senior Python Engineer · Acme Analytics GmbH"
    assert "Served by Offline engine (built-in, no AI model) · cost $0.00" in captions(at)
    assert any("Saved to My jobs: Senior Python Engineer" in t.value for t in at.toast)
    jobs = documents.list_jobs(app_env, user="free@example.com")
    assert [j.title for j in jobs] == ["Senior Python Engineer"]
    # The editable form holds the structured fields.
    assert at.text_input(key=f"job{jobs[0].id}_u{jobs[0].updated_at.timestamp():.0f}_company").value == \
        "Acme Analytics GmbH"
    assert not at.json  # no raw JSON dump as the UI


def test_edited_fields_are_saved_to_the_job(app_env):
    at = _extract_text(open_page("free@example.com", "extract"))
    job = documents.list_jobs(app_env, user="free@example.com")[0]
    key = f"job{job.id}_u{job.updated_at.timestamp():.0f}"
    at.text_input(key=f"{key}_title").input("Staff Python Engineer")
    at.text_input(key=f"{key}_smin").input("75000")
    at.selectbox(key=f"{key}_remote").select("remote")
    at.text_area(key=f"{key}_skills").input("Python, Go, Python")
    by_label(at.button, "Save changes").click().run()
    assert not at.exception and messages(at) == []
    saved = documents.get_job(app_env, user="free@example.com", job_id=job.id)
    assert saved.title == "Staff Python Engineer"
    assert saved.posting.remote_mode == "remote"
    assert str(saved.posting.salary.min) == "75000" and saved.posting.salary.currency == "EUR"
    assert saved.posting.skills == ["Python", "Go"]
    assert at.subheader[0].value.startswith("Staff Python Engineer")


def test_invalid_salary_is_a_message_not_a_crash(app_env):
    at = _extract_text(open_page("free@example.com", "extract"))
    job = documents.list_jobs(app_env, user="free@example.com")[0]
    key = f"job{job.id}_u{job.updated_at.timestamp():.0f}"
    at.text_input(key=f"{key}_smin").input("lots")
    by_label(at.button, "Save changes").click().run()
    assert not at.exception
    assert messages(at) == ["The minimum salary must be a number, like 65000."]


def test_empty_posting_is_rejected_clearly(app_env):
    at = _extract_text(open_page("free@example.com", "extract"), text="   ")
    assert messages(at) == ["The posting is empty. Paste the text of a job posting."]
    assert [s.label for s in at.status] == ["Extraction failed"]


def test_quota_reached_says_which_limit_and_when_it_resets(app_env):
    plans.set_limits(app_env, code="freemium", requests_per_day=0, actor=operator())
    at = _extract_text(open_page("free@example.com", "extract"))
    [warning] = [w.value for w in at.warning]
    assert "You have used all 0 requests of your plan for today" in warning
    assert "resets at" in warning and "00:00 UTC" in warning
    assert not at.error
    assert documents.list_jobs(app_env, user="free@example.com") == []


def test_providers_down_lists_what_was_tried(app_env, fresh_sim, monkeypatch):
    fast_retries(monkeypatch)
    providers_down(app_env, fresh_sim, plan="freemium", task="extract_job")
    at = _extract_text(open_page("free@example.com", "extract"))
    [error] = [e.value for e in at.error]
    assert error.startswith("Every AI provider failed for this job extraction")
    assert "sim-openai:gpt-4o-mini" in error and "sim-anthropic:claude-haiku-4-5" in error
    assert "Nothing was charged" in error


def _upload(at, name: str, data: bytes, mime: str = "image/png"):
    at.file_uploader(key="extract_image").upload(name, data, mime)
    at.run()
    at.button(key="extract_image_go").click().run()
    assert not at.exception, at.exception
    return at


def test_corrupt_screenshot_is_rejected(app_env):
    at = _upload(open_page("free@example.com", "extract"), "posting.png", b"\x89PNG\r\n\x1a\nnot really")
    assert messages(at) == ["The file is not a readable image (it may be corrupt or truncated). "
                            "Save the screenshot again as PNG or JPEG."]


def test_screenshot_without_readable_text_is_refused(app_env):
    """The offline engine reads screenshots; one with no text in it is refused, nothing saved."""
    at = _upload(open_page("free@example.com", "extract"), "posting.png", png())
    [error] = [e.value for e in at.error]
    assert "No readable text was found in the screenshot" in error
    assert documents.list_jobs(app_env, user="free@example.com") == []


def test_screenshot_with_a_vision_provider_is_extracted(app_env, fresh_sim):
    from tests.sim_support import add_sim_providers, set_chain

    add_sim_providers(app_env, fresh_sim)
    set_chain(app_env, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    from tests.fixtures.screenshots.render import screenshot

    at = _upload(open_page("free@example.com", "extract"), "posting.png", screenshot("terse_go_backend"))
    assert messages(at) == []
    assert "Served by sim-openai · gpt-4o-mini · cost $" in captions(at)
    assert documents.list_jobs(app_env, user="free@example.com")[0].source == "image"


def _fetch(at, url: str):
    at.text_input(key="extract_url").input(url)
    at.button(key="extract_url_go").click().run()
    assert not at.exception, at.exception
    return at


def test_private_address_is_refused_by_default(app_env):
    at = _fetch(open_page("free@example.com", "extract"), f"http://127.0.0.1:{closed_port()}/job")
    assert messages(at) == ["The link points to a private or local address (127.0.0.1), which cannot be fetched."]


def test_non_http_link_is_refused(app_env):
    at = _fetch(open_page("free@example.com", "extract"), "file:///etc/passwd")
    assert messages(at) == ["Only http:// and https:// links can be fetched."]


def test_unreachable_link_is_a_clear_message(app_env):
    settings_store.put(app_env.db, "url_fetch_allow_private", True)
    at = _fetch(open_page("free@example.com", "extract"), f"http://127.0.0.1:{closed_port()}/job")
    assert messages(at) == ["The page could not be reached (connection failed)."]


@pytest.fixture
def posting_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = f"<html><body><h1>Job</h1><pre>{POSTING}</pre></body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jobs/42"
    server.shutdown()


def test_link_is_fetched_and_extracted(app_env, posting_server):
    settings_store.put(app_env.db, "url_fetch_allow_private", True)
    at = _fetch(open_page("free@example.com", "extract"), posting_server)
    assert messages(at) == []
    job = documents.list_jobs(app_env, user="free@example.com")[0]
    assert (job.title, job.source, job.source_url) == ("Senior Python Engineer", "url", posting_server)


def test_next_step_buttons_open_the_drafting_pages(app_env):
    at = _extract_text(open_page("free@example.com", "extract"))
    job_id = documents.list_jobs(app_env, user="free@example.com")[0].id
    at.button(key="extract_to_draft_cv").click().run()
    assert not at.exception
    assert at.title[0].value == "Draft a CV"
    assert at.session_state["draft_job_id"] == job_id


def test_a_job_deleted_elsewhere_is_forgotten_quietly(app_env):
    at = _extract_text(open_page("free@example.com", "extract"))
    job = documents.list_jobs(app_env, user="free@example.com")[0]
    documents.delete_job(app_env, user="free@example.com", job_id=job.id)
    at.run()
    assert not at.exception and messages(at) == []
    assert not at.subheader and "extracted" not in at.session_state
