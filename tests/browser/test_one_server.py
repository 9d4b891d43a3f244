"""The server ``make run`` starts, end to end: a user signs in in the browser, creates a
personal token on Plan and usage, and a program uses it against the same server and port:
the REST API (a seed route and the usage it counted), the OpenAI-compatible gateway through
the official ``openai`` SDK, plain and streamed, and the interactive docs, which load with
no request leaving the machine."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import sign_in
from tests.support import POSTING

pytestmark = pytest.mark.browser


def _token_from_the_plan_page(page, app_url: str) -> str:
    # the first Streamlit session of this fresh server, opened on a deep link: Streamlit must not
    # take the pages/ directory for its old directory navigation ("Page not found"; see app.py)
    sign_in(page, f"{app_url}/plan")
    page.get_by_role("heading", name="API tokens").wait_for()
    page.wait_for_timeout(1000)
    assert page.get_by_text("Page not found").count() == 0
    page.get_by_role("textbox", name="Token name").fill("smoke test")
    page.get_by_role("button", name="Create token").click()
    code = page.locator('[data-testid="stCode"]').filter(has_text="aio_pat_").first
    code.wait_for()
    token = code.inner_text().strip()
    assert token.startswith("aio_pat_") and len(token) == 46
    return token


def test_a_token_made_in_the_app_drives_the_api_and_the_gateway(context, app_url, artifacts):
    page = context.new_page()
    token = _token_from_the_plan_page(page, app_url)
    page.screenshot(path=str(artifacts / "one_server_token.png"), full_page=True)
    auth = {"Authorization": f"Bearer {token}"}

    r = httpx.post(f"{app_url}/api/v1/job-extractor/extract", headers=auth, json={"text": POSTING}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["title"] == "Senior Python Engineer" and r.json()["job_id"]
    usage = httpx.get(f"{app_url}/api/v1/usage", headers=auth, timeout=30).json()
    assert usage  # the route answers for the token's user
    assert httpx.get(f"{app_url}/api/v1/usage", timeout=30).status_code == 401

    from openai import OpenAI

    client = OpenAI(base_url=f"{app_url}/v1", api_key=token, max_retries=0)
    reply = client.chat.completions.create(model="auto", messages=[{"role": "user", "content": "Hello"}])
    assert "offline engine" in reply.choices[0].message.content and reply.usage.total_tokens > 0
    chunks = list(client.chat.completions.create(model="auto", messages=[{"role": "user", "content": "Hi"}],
                                                 stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == reply.choices[0].message.content and chunks[-1].usage.total_tokens > 0
    assert [m.id for m in client.models.list()][0] == "auto"


def test_the_api_docs_load_from_this_server_alone(context, app_url, artifacts):
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(app_url) else None)
    page.goto(f"{app_url}/api/v1/docs")
    page.get_by_text("/job-extractor/extract").first.wait_for()
    page.get_by_text("/admin/providers").first.wait_for()
    page.screenshot(path=str(artifacts / "one_server_api_docs.png"))
    assert outside == []
    spec = httpx.get(f"{app_url}/api/v1/openapi.json", timeout=30).json()
    assert spec["openapi"].startswith("3.") and "/job-extractor/extract" in spec["paths"]
