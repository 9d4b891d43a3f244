"""The browser session routes and middleware, in-process on SQLite and PostgreSQL: sign-in
sets an HttpOnly, SameSite=Strict cookie (Secure over https), failures re-render the page
with the service's message, ``next`` never leaves the site, cross-site posts are refused,
sign-out revokes the session on the server, and a signed-out page load goes to sign-in."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from db.models import SignInThrottle
from orchestrator.errors import CredentialError
from orchestrator.http.browser import COOKIE, BrowserSessionMiddleware, browser_routes
from orchestrator.services.user import sessions, sign_in

PAGE = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SAME_ORIGIN = {"Origin": "http://testserver"}


def _app() -> Starlette:
    """The routes and middleware as app.py mounts them, with stand-ins for the app's pages."""
    async def page(request):
        return HTMLResponse(f"<h1>page {request.url.path}</h1>")

    async def health(_request):
        return PlainTextResponse("ok")

    return Starlette(routes=[*browser_routes(), Route("/", page), Route("/documents", page),
                             Route("/_stcore/health", health), Route("/static/app.js", health)],
                     middleware=[Middleware(BrowserSessionMiddleware)])


def _client(base_url="http://testserver", client=("203.0.113.5", 50000)) -> TestClient:
    return TestClient(_app(), base_url=base_url, follow_redirects=False, client=client)


@pytest.fixture
def web(api_orch):
    with _client() as c:
        yield c


def _cookie(response) -> SimpleCookie | None:
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        if COOKIE in jar:
            return jar
    return None


def _sign_in(web, email="free@example.com", password="demo", next_path="/documents", headers=SAME_ORIGIN):
    return web.post("/auth/sign-in", data={"email": email, "password": password, "next": next_path},
                    headers=headers)


def _failures(orch) -> dict[str, int]:
    with orch.db.read() as s:
        return {r.key: r.failures for r in s.scalars(select(SignInThrottle))}


def test_the_sign_in_page_is_a_plain_form_that_needs_no_script(web):
    page = web.get("/auth/sign-in?next=/documents", headers=PAGE)
    assert page.status_code == 200
    html = page.text
    for text in ("AI Orchestrator", "Tailored CVs and cover letters from any job posting.",
                 'autocomplete="username"', 'autocomplete="current-password"', ">Sign in</button>",
                 'name="next" value="/documents"', "free@example.com, paygo@example.com, pro@example.com and "
                 "admin@example.com, password <code>demo</code>."):
        assert text in html
    assert "<script" not in html
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"


def test_signing_in_sets_an_httponly_strict_cookie_and_lands_on_next(web, api_orch):
    response = _sign_in(web)
    assert response.status_code == 303 and response.headers["location"] == "/documents"
    jar = _cookie(response)
    morsel = jar[COOKIE]
    assert morsel["httponly"] is True and morsel["samesite"].lower() == "strict" and morsel["path"] == "/"
    assert not morsel["secure"]  # plain http: a Secure cookie would never come back
    assert int(morsel["max-age"]) == api_orch.settings.session_ttl_hours * 3600
    assert sessions.resume_session(api_orch, morsel.value).email == "free@example.com"
    assert morsel.value not in response.headers["location"]
    # the browser then opens the page it asked for, signed in
    assert web.get("/documents", headers=PAGE).text == "<h1>page /documents</h1>"


@pytest.mark.parametrize("how", ["https", "proxy"])
def test_over_https_the_cookie_is_secure(api_orch, how):
    base, headers = (("https://testserver", {"Origin": "https://testserver"}) if how == "https" else
                     ("http://testserver", {**SAME_ORIGIN, "X-Forwarded-Proto": "https"}))
    with _client(base) as web:
        morsel = _cookie(_sign_in(web, headers=headers))[COOKIE]
    assert morsel["secure"] is True and morsel["httponly"] is True


def test_a_wrong_password_re_renders_the_page_with_the_message_and_no_cookie(web, api_orch):
    response = _sign_in(web, password="nope")
    assert response.status_code == 401
    assert _cookie(response) is None
    assert "Wrong email or password." in response.text
    assert 'value="free@example.com"' in response.text and 'name="next" value="/documents"' in response.text
    assert "nope" not in response.text
    assert _failures(api_orch) == {"account:free@example.com": 1, "client:203.0.113.5": 1}


def test_empty_fields_are_asked_for_without_counting_a_failure(web, api_orch):
    response = _sign_in(web, password="")
    assert response.status_code == 400 and "Enter your email and password." in response.text
    assert _failures(api_orch) == {}


def test_a_locked_account_gets_the_lock_message_even_with_the_right_password(web, api_orch):
    for _ in range(10):
        with pytest.raises(CredentialError):
            sign_in.authenticate(api_orch, email="free@example.com", password="wrong", client="198.51.100.1")
    response = _sign_in(web)
    assert response.status_code == 429
    assert 14 * 60 < int(response.headers["retry-after"]) <= 15 * 60
    assert "Sign-in is locked for 15 minutes" in response.text
    assert _cookie(response) is None


def test_loopback_visitors_are_counted_as_local_like_in_the_app(api_orch):
    with _client(client=("127.0.0.1", 50000)) as web:
        _sign_in(web, password="nope")
    assert "client:local" in _failures(api_orch)


@pytest.mark.parametrize("next_path", ["/documents?job=3&tab=cv", "/plan"])
def test_next_is_honoured(web, next_path):
    assert _sign_in(web, next_path=next_path).headers["location"] == next_path


@pytest.mark.parametrize("evil", ["//evil.example", "https://evil.example", "/\\evil.example", "\\\\evil.example",
                                  "/\\/evil.example", "http:/evil.example", "javascript:alert(1)", "evil.example",
                                  "/auth/sign-out", "/auth/sign-in?next=//evil.example", "/ok\r\nSet-Cookie: x=1",
                                  "/\tevil", "/caf\u00e9", ""])
def test_open_redirects_are_refused(web, evil):
    page = web.get("/auth/sign-in", params={"next": evil}, headers=PAGE)
    assert 'name="next" value="/"' in page.text
    assert _sign_in(web, next_path=evil).headers["location"] == "/"
    assert web.get("/auth/sign-in", params={"next": evil}, headers=PAGE).headers["location"] == "/"


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://testserver.evil.example"},
    {"Referer": "https://evil.example/form"},
    {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://testserver", "Sec-Fetch-Site": "same-site"},
], ids=["origin", "null-origin", "lookalike", "referer", "fetch-metadata", "sibling-site"])
def test_cross_site_posts_are_refused(web, api_orch, headers):
    response = _sign_in(web, headers=headers)
    assert response.status_code == 403 and _cookie(response) is None
    assert "came from another site" in response.text
    assert _failures(api_orch) == {}  # not even an attempt
    token = _cookie(_sign_in(web))[COOKIE].value
    out = web.post("/auth/sign-out", headers=headers)
    assert out.status_code == 403
    assert sessions.resume_session(api_orch, token) is not None  # another site cannot sign you out


def test_same_origin_browsers_and_non_browser_clients_may_post(web):
    assert _sign_in(web, headers={"Referer": "http://testserver/auth/sign-in"}).status_code == 303
    assert _sign_in(web, headers={}).status_code == 303  # curl: no Origin, no visitor cookie to abuse
    behind_proxy = {"Origin": "https://app.example", "X-Forwarded-Host": "app.example"}
    assert _sign_in(web, headers=behind_proxy).status_code == 303


def test_sign_out_revokes_the_server_session_and_deletes_the_cookie(web, api_orch):
    token = _cookie(_sign_in(web))[COOKIE].value
    response = web.post("/auth/sign-out", headers=SAME_ORIGIN)
    assert response.status_code == 303 and response.headers["location"] == "/auth/sign-in?signed_out=1"
    morsel = _cookie(response)[COOKIE]
    assert morsel.value == "" and morsel["max-age"] == "0" and morsel["httponly"] is True
    assert sessions.resume_session(api_orch, token) is None
    assert "You have signed out." in web.get(response.headers["location"], headers=PAGE).text
    # the old token, sent again, opens nothing
    web.cookies.set(COOKIE, token)
    assert web.get("/documents", headers=PAGE).status_code == 303


def test_a_signed_out_page_load_goes_to_sign_in_with_the_page_as_next(web):
    response = web.get("/documents", headers=PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/sign-in?next=/documents"
    with_query = web.get("/documents?job=3", headers=PAGE)
    assert with_query.headers["location"] == "/auth/sign-in?next=/documents%3Fjob%3D3"
    signed_in = _sign_in(web, next_path="/documents?job=3")
    assert signed_in.headers["location"] == "/documents?job=3"
    assert web.get("/documents", headers=PAGE).status_code == 200


def test_assets_streamlit_endpoints_and_non_page_requests_pass_untouched(web):
    assert web.get("/_stcore/health", headers=PAGE).text == "ok"
    assert web.get("/static/app.js", headers=PAGE).text == "ok"
    assert web.get("/documents", headers={"Accept": "application/json"}).status_code == 200
    assert web.get("/documents", headers={"Sec-Fetch-Dest": "script", **PAGE}).status_code == 200
    assert web.get("/documents", headers={"Sec-Fetch-Dest": "document"}).status_code == 303


def test_an_invalid_cookie_is_cleared(web, api_orch):
    for dead in ("abc.9999999999.forged", _cookie(_sign_in(web))[COOKIE].value):
        sessions.revoke_session(api_orch, dead)
        web.cookies.clear()
        web.cookies.set(COOKIE, dead)
        response = web.get("/documents", headers=PAGE)
        assert response.status_code == 303
        assert _cookie(response)[COOKIE]["max-age"] == "0"
        page = web.get("/auth/sign-in", headers=PAGE)  # the sign-in page deletes it too
        assert page.status_code == 200 and _cookie(page)[COOKIE]["max-age"] == "0"


def test_a_signed_in_visitor_skips_the_sign_in_page(web):
    _sign_in(web)
    response = web.get("/auth/sign-in?next=/plan", headers=PAGE)
    assert response.status_code == 303 and response.headers["location"] == "/plan"


def test_an_oversized_or_malformed_form_is_refused(web, api_orch):
    big = web.post("/auth/sign-in", data={"email": "free@example.com", "password": "x" * 10_000},
                   headers=SAME_ORIGIN)
    assert big.status_code == 400 and "could not be read" in big.text
    as_json = web.post("/auth/sign-in", json={"email": "free@example.com", "password": "demo"},
                       headers=SAME_ORIGIN)
    assert as_json.status_code == 400 and _cookie(as_json) is None
    assert _failures(api_orch) == {}
