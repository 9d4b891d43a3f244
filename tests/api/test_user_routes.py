"""The job seeker's REST routes under /api/v1, driven in-process on both databases: what a
client sends and gets back (statuses, bodies, headers, files), and what the books say."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from db.models import ApiToken
from orchestrator import ledger, settings_store
from orchestrator.services.admin import plans, providers
from orchestrator.services.admin.users import get_user, set_active
from orchestrator.services.user import api_tokens
from tests.api.conftest import bearer
from tests.sim_support import SIM_KEYS, set_chain
from tests.support import POSTING, operator, png

FREE, PAYGO = "free@example.com", "paygo@example.com"
EXTRACT, DRAFT, LETTER = "/job-extractor/extract", "/cv-drafter/draft", "/cover-letter/generate"


def _new_token(orch, email=FREE, **kwargs):
    return api_tokens.create_token(orch, user_id=get_user(orch, email=email).id, **kwargs)


def _extract(api, headers, text=POSTING) -> dict:
    r = api.post(EXTRACT, json={"text": text}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _clean(body_text: str) -> None:
    """No stack trace, no key, no token in what a client sees."""
    assert "Traceback" not in body_text and 'File "' not in body_text
    for key in SIM_KEYS.values():
        assert key not in body_text
    assert "aio_pat_" not in body_text


# ------------------------------------------------------------ the seed routes


def test_extract_saves_a_job_and_the_ledger_names_the_token(api, api_orch):
    new = _new_token(api_orch)
    body = _extract(api, bearer(new.token))
    assert body["data"]["title"] == "Senior Python Engineer"
    assert body["job_id"] > 0 and body["provider"] == "offline" and body["cached"] is False
    assert body["cost_usd"] == "0" and isinstance(body["cost_usd"], str)
    assert set(body["usage"]) >= {"input_tokens", "output_tokens"} and body["usage"]["input_tokens"] > 0
    rows = ledger.recent(api_orch.db, request_id=body["request_id"])
    assert [(r["status"], r["origin"], r["token_id"]) for r in rows] == [("success", "api", new.info.id)]

    job = api.get(f"/jobs/{body['job_id']}", headers=bearer(new.token)).json()
    assert job["title"] == "Senior Python Engineer" and job["posting"]["skills"] == body["data"]["skills"]


def test_extract_from_a_screenshot_in_base64(api, token_for, sim_orch):
    from tests.fixtures.screenshots.render import screenshot

    set_chain(sim_orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    shot = base64.b64encode(screenshot("terse_go_backend")).decode()
    r = api.post(EXTRACT, json={"image_base64": shot, "mime_type": "image/png"}, headers=bearer(token_for()))
    assert r.status_code == 200, r.text
    assert r.json()["provider"] == "sim-openai" and r.json()["data"]["title"]
    r = api.post(EXTRACT, json={"image_base64": "data:image/png;base64," + shot}, headers=bearer(token_for()))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("path,task", [(DRAFT, "draft_cv"), (LETTER, "cover_letter")])
def test_draft_and_letter_save_documents(api, api_orch, token_for, path, task):
    settings_store.put(api_orch.db, "cache_ttl_s", {task: 3600})  # drafts are not cached by default
    headers = bearer(token_for())
    job_id = _extract(api, headers)["job_id"]
    r = api.post(path, json={"job_id": job_id, "tone": "friendly", "length": "short"}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["document_id"] > 0 and body["text"].strip() and body["request_id"]
    assert body["cost_usd"] == "0" and body["charged_usd"] == "0" and body["usage"]["output_tokens"] > 0
    doc = api.get(f"/documents/{body['document_id']}", headers=headers).json()
    assert doc["text"] == body["text"] and doc["job_id"] == job_id and doc["options"]["tone"] == "friendly"
    assert [d["id"] for d in api.get("/documents", headers=headers).json()["documents"]] == [body["document_id"]]

    again = api.post(path, json={"job_id": job_id, "tone": "friendly", "length": "short"}, headers=headers).json()
    assert again["cached"] is True
    fresh = api.post(path, json={"job_id": job_id, "tone": "friendly", "length": "short", "regenerate": True},
                     headers=headers).json()
    assert fresh["cached"] is False


def test_documents_download_as_md_docx_pdf(api, token_for):
    headers = bearer(token_for())
    job_id = _extract(api, headers)["job_id"]
    doc_id = api.post(DRAFT, json={"job_id": job_id}, headers=headers).json()["document_id"]
    expected = {"md": ("text/markdown", b"#"), "docx": ("application/vnd.openxmlformats-officedocument"
                                                        ".wordprocessingml.document", b"PK\x03\x04"),
                "pdf": ("application/pdf", b"%PDF-")}
    for fmt, (ctype, magic) in expected.items():
        r = api.get(f"/documents/{doc_id}", params={"format": fmt}, headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(ctype) and r.content.startswith(magic)
        disposition = r.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="') and disposition.endswith(f'.{fmt}"')
    r = api.get(f"/documents/{doc_id}", params={"format": "exe"}, headers=headers)
    assert r.status_code == 422 and "format" in r.json()["error"]


def test_lists_page_newest_first_and_filter(api, token_for):
    headers = bearer(token_for())
    ids = [_extract(api, headers, POSTING.replace("Senior", f"Senior {i}"))["job_id"] for i in range(3)]
    first = api.get("/jobs", params={"limit": 2}, headers=headers).json()
    assert [j["id"] for j in first["jobs"]] == ids[::-1][:2] and first["next_offset"] == 2
    last = api.get("/jobs", params={"limit": 2, "offset": 2}, headers=headers).json()
    assert [j["id"] for j in last["jobs"]] == [ids[0]] and last["next_offset"] is None
    assert api.get("/jobs", params={"limit": 0}, headers=headers).status_code == 422

    api.post(DRAFT, json={"job_id": ids[0]}, headers=headers)
    api.post(LETTER, json={"job_id": ids[1]}, headers=headers)
    listed = api.get("/documents", params={"kind": "cover_letter"}, headers=headers).json()["documents"]
    assert [d["job_id"] for d in listed] == [ids[1]] and "text" not in listed[0]
    assert [d["job_id"] for d in api.get("/documents", params={"job_id": ids[0]},
                                         headers=headers).json()["documents"]] == [ids[0]]
    r = api.get("/documents", params={"kind": "poem"}, headers=headers)
    assert r.status_code == 400 and "kind must be one of" in r.json()["error"]
    assert api.get("/jobs", headers=headers).json()["jobs"][0]["document_count"] == 0  # newest has none


def test_usage_shows_limits_left_credit_and_costs(api, token_for):
    headers = bearer(token_for())
    job_id = _extract(api, headers)["job_id"]
    body = api.get("/usage", headers=headers).json()
    assert body["plan"]["code"] == "freemium" and body["credit"] is None
    today = body["requests_today"]
    assert (today["used"], today["limit"], today["remaining"]) == (1, 20, 19) and today["resets_at"]
    assert body["cost_month"]["unit"] == "usd" and isinstance(body["cost_month"]["limit"], str)
    assert len(body["days"]) == 30 and body["days"][-1]["requests"] == 1
    assert [(c["kind"], c["id"]) for c in body["recent"]] == [("job", job_id)]

    paygo = api.get("/usage", params={"days": 7}, headers=bearer(token_for(PAYGO))).json()
    assert paygo["plan"]["uses_credit"] and len(paygo["days"]) == 7
    assert set(paygo["credit"]) == {"balance_usd", "held_usd", "available_usd"}
    assert isinstance(paygo["credit"]["balance_usd"], str)


# ---------------------------------------------------------------------- 401


def test_missing_malformed_revoked_expired_tokens_and_deactivated_users_are_401(api, api_orch):
    revoked, expired, ok = _new_token(api_orch), _new_token(api_orch), _new_token(api_orch, PAYGO)
    api_tokens.revoke_token(api_orch, user_id=revoked.info.user_id, token_id=revoked.info.id)
    with api_orch.db.write() as s:
        s.execute(update(ApiToken).where(ApiToken.id == expired.info.id)
                  .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert api.get("/jobs", headers=bearer(ok.token)).status_code == 200
    set_active(api_orch, email=PAYGO, active=False, actor=operator())
    cases = {"missing": {}, "not bearer": {"Authorization": f"Basic {ok.token}"},
             "malformed": bearer("aio_pat_nope"), "revoked": bearer(revoked.token),
             "expired": bearer(expired.token), "deactivated user": bearer(ok.token)}
    for label, headers in cases.items():
        for method, path in (("get", "/jobs"), ("post", EXTRACT), ("get", "/usage")):
            r = getattr(api, method)(path, headers=headers, **({"json": {"text": POSTING}} if method == "post" else {}))
            assert r.status_code == 401, (label, path, r.text)
            assert r.json()["error_type"] == "Unauthenticated" and r.headers["www-authenticate"].startswith("Bearer")
            _clean(r.text)


# ---------------------------------------------------------------------- 404


def test_another_users_job_or_document_is_404(api, token_for):
    theirs = bearer(token_for(PAYGO))
    job_id = _extract(api, theirs)["job_id"]
    doc_id = api.post(LETTER, json={"job_id": job_id}, headers=theirs).json()["document_id"]
    mine = bearer(token_for())
    for path in (f"/jobs/{job_id}", f"/documents/{doc_id}", f"/documents/{doc_id}?format=pdf"):
        r = api.get(path, headers=mine)
        assert r.status_code == 404 and r.json()["error_type"] == "NotFound", path
    r = api.post(DRAFT, json={"job_id": job_id}, headers=mine)
    assert r.status_code == 404 and f"Job {job_id} is not one of your saved jobs" in r.json()["error"]
    assert api.get("/jobs", headers=mine).json()["jobs"] == []
    assert api.get(f"/documents/{doc_id}", headers=theirs).status_code == 200

    assert api.get("/jobs/999999", headers=mine).status_code == 404
    assert api.get("/jobs/99999999999999999999999", headers=mine).status_code == 404
    assert api.get("/jobs/0", headers=mine).status_code == 404
    assert api.get("/jobs/abc", headers=mine).status_code == 422
    assert api.get("/documents/1.5", headers=mine).status_code == 422


# ------------------------------------------------------------- bad requests


def test_bad_bodies_are_400_or_422_with_clear_messages(api, token_for):
    headers = bearer(token_for())
    r = api.post(EXTRACT, json={"text": POSTING, "url": "https://example.com/job"}, headers=headers)
    assert r.status_code == 400 and "exactly one of text, url or image_base64 (got text and url)" in r.json()["error"]
    r = api.post(EXTRACT, json={}, headers=headers)
    assert r.status_code == 400 and "none was given" in r.json()["error"]
    r = api.post(EXTRACT, json={"image_base64": "not base64!!", "mime_type": "image/png"}, headers=headers)
    assert r.status_code == 400 and "not valid base64" in r.json()["error"]
    jpeg_labelled = base64.b64encode(png()).decode()
    r = api.post(EXTRACT, json={"image_base64": jpeg_labelled, "mime_type": "image/jpeg"}, headers=headers)
    assert r.status_code == 400 and "the data is a PNG image" in r.json()["error"]
    r = api.post(EXTRACT, json={"text": POSTING, "mime_type": "image/png"}, headers=headers)
    assert r.status_code == 400
    r = api.post(EXTRACT, json={"text": "   "}, headers=headers)
    assert r.status_code == 400 and "empty" in r.json()["error"]
    r = api.post(EXTRACT, json={"url": "file:///etc/passwd"}, headers=headers)
    assert r.status_code == 400

    for body in ({"txt": POSTING}, {"image_base64": "AAAA", "mime_type": "image/gif"}, [1, 2]):
        r = api.post(EXTRACT, json=body, headers=headers)
        assert r.status_code == 422 and r.json()["error"].startswith("Invalid request"), body
    r = api.post(EXTRACT, content=b"{not json", headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 422
    for body in ({"job_id": "abc"}, {"job_id": 1, "tone": "sarcastic"}, {"job_id": 1, "colour": "blue"}, {}):
        r = api.post(DRAFT, json=body, headers=headers)
        assert r.status_code == 422, body
        _clean(r.text)


def test_oversized_posting_image_and_body_are_413(api, api_orch, token_for):
    headers = bearer(token_for())
    r = api.post(EXTRACT, json={"text": "x" * (api_orch.settings.max_posting_chars + 1)}, headers=headers)
    assert r.status_code == 413 and "characters long" in r.json()["error"]

    api_orch.settings = dataclasses.replace(api_orch.settings, max_image_bytes=4000)
    big = base64.b64encode(png(400, 400) + b"\0" * 4000).decode()
    r = api.post(EXTRACT, json={"image_base64": big, "mime_type": "image/png"}, headers=headers)
    assert r.status_code == 413 and r.json()["error_type"] == "InputTooLarge"
    huge = {"text": "y" * 13_000}  # above 3 x max_image_bytes: refused before parsing
    r = api.post(EXTRACT, json=huge, headers=headers)
    assert r.status_code == 413 and "request body is larger" in r.json()["error"]

    def chunks():  # no Content-Length: the cap counts the bytes as they arrive
        yield b'{"text": "'
        for _ in range(20):
            yield b"z" * 1000
        yield b'"}'

    r = api.post(EXTRACT, content=chunks(), headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error_type"] == "InputTooLarge"
    assert api.get("/usage", headers=headers).json()["requests_today"]["used"] == 0


# ----------------------------------------------------------- limits, failures


def test_daily_quota_used_up_is_429_with_retry_after(api, api_orch, token_for):
    plans.set_limits(api_orch, code="freemium", requests_per_day=1, actor=operator())
    headers = bearer(token_for())
    job_id = _extract(api, headers)["job_id"]
    r = api.post(DRAFT, json={"job_id": job_id}, headers=headers)
    assert r.status_code == 429, r.text
    assert 1 <= int(r.headers["retry-after"]) <= 86_400
    body = r.json()
    assert body["error_type"] == "QuotaExceeded" and body["limit"] == "requests_per_day" and body["resets_at"]


@pytest.fixture
def failing(sim_orch, fresh_sim):
    """Both providers of the free plan's extraction chain fail (one with a key the simulator echoes)."""
    set_chain(sim_orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite")
    providers.update_provider(sim_orch, "sim-openai", api_key="sk-proj-WrongKeyEchoedBack0000000000",
                              actor=operator())
    fresh_sim.set_sticky_fault("gemini", kind="status", status=503)
    return sim_orch


def test_all_providers_failing_is_502_without_internals(api, failing, token_for):
    r = api.post(EXTRACT, json={"text": POSTING}, headers=bearer(token_for()))
    assert r.status_code == 502, r.text
    assert r.json()["error_type"] == "AllProvidersFailed" and "Nothing was charged" in r.json()["error"]
    _clean(r.text)
    assert "WrongKeyEchoedBack" not in r.text


def test_no_provider_available_is_503(api, sim_orch, token_for):
    set_chain(sim_orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    providers.update_provider(sim_orch, "sim-openai", is_active=False, actor=operator())
    settings_store.put(sim_orch.db, "offline_fallback", False)
    r = api.post(EXTRACT, json={"text": POSTING}, headers=bearer(token_for()))
    assert r.status_code == 503 and r.json()["error_type"] == "NoRouteAvailable"
    _clean(r.text)


# --------------------------------------------------------------------- docs


def test_openapi_documents_routes_auth_and_docs_work_offline(api):
    spec = api.get("/openapi.json").json()
    for path in (EXTRACT, DRAFT, LETTER, "/jobs", "/jobs/{job_id}", "/documents", "/documents/{document_id}",
                 "/usage"):
        assert path in spec["paths"], path
    assert "/docs" not in spec["paths"]
    assert spec["components"]["securitySchemes"]["PersonalToken"] == {
        "type": "http", "scheme": "bearer", "description": "A personal API token: `Authorization: Bearer aio_pat_...`."}
    op = spec["paths"][EXTRACT]["post"]
    assert op["summary"] and op["security"] == [{"PersonalToken": []}]
    assert {"200", "400", "401", "413", "422", "429", "502"} <= set(op["responses"])
    assert "text/event-stream" in spec["paths"][DRAFT]["post"]["responses"]["200"]["content"]

    page = api.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "/api/v1/openapi.json" in page.text and "/api/v1/docs/assets/swagger-ui-bundle.js" in page.text
    assert "https://" not in page.text and "http://" not in page.text  # nothing fetched from outside
    js = api.get("/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and "SwaggerUIBundle" in js.text
    assert api.get("/docs/assets/swagger-ui.css").status_code == 200
    for name in ("README.txt", "..%2Fswagger-ui.css", "index.html"):
        assert api.get(f"/docs/assets/{name}").status_code == 404
