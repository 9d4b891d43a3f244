"""The browser session: sign-in and sign-out routes that own an HttpOnly cookie, and a
middleware that sends signed-out visitors of the app's pages to the sign-in page.

Why server routes: a cookie set from JavaScript can never be HttpOnly, so a script
injected into the page could read the session token. Here the token only ever travels
in a ``Set-Cookie`` header and back in ``Cookie`` headers (page loads and the
Streamlit WebSocket handshake, where ``st.context.cookies`` sees it); no script can read it.

- ``GET /auth/sign-in`` serves the sign-in page (``sign_in_page.py``; no JavaScript needed).
  A visitor who is already signed in goes straight to ``next``.
- ``POST /auth/sign-in`` (form fields ``email``, ``password``, ``next``) checks the password
  through the throttled ``sign_in.authenticate``, starts a session and sets the cookie
  ``orch_session`` (``HttpOnly; SameSite=Strict; Path=/; Max-Age=<session TTL>``, plus
  ``Secure`` over https), then answers 303 to ``next``: a same-site path only, never another
  site (open redirects are refused) and never back to ``/auth/``.
- ``POST /auth/sign-out`` revokes the session on the server and deletes the cookie.
- Both POST routes refuse cross-site requests (``Origin``/``Referer``/``Sec-Fetch-Site``),
  on top of ``SameSite=Strict``, so another site can neither sign a visitor out nor sign
  them in to an account of its choosing.
- ``BrowserSessionMiddleware`` redirects a page load (an HTML ``GET`` outside Streamlit's
  own endpoints and the APIs) without a valid session to ``/auth/sign-in?next=<path>``,
  deleting a dead cookie on the way. That costs one database read per page load, never
  one per WebSocket message: the app re-validates the session on every script run itself.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request, cookie_parser
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from orchestrator.errors import CredentialError, OrchestratorError
from orchestrator.http import errors, shared
from orchestrator.http.limits import read_bounded
from orchestrator.http.sign_in_page import CSP, refused_page, render
from orchestrator.http.threads import run_blocking
from orchestrator.services.user import sessions, sign_in

COOKIE = "orch_session"
SIGN_IN_PATH = "/auth/sign-in"
SIGN_OUT_PATH = "/auth/sign-out"
MAX_FORM_BYTES = 8 * 1024  # an e-mail, a password and a path; anything bigger is not our form
SIGNED_OUT_NOTICE = "You have signed out."
CROSS_SITE = "This request came from another site and was refused. Open the sign-in page and try again."

# Paths that are never an app page: Streamlit's endpoints and assets, the APIs, these routes.
_NOT_PAGES = ("/_stcore/", "/static/", "/media/", "/component/", "/app/static/", "/api/", "/v1/", "/auth/",
              "/demo/")
_NOT_PAGE_EXACT = frozenset({"/api", "/v1", "/auth", "/healthz", "/metrics"})
_SAFE_NEXT = re.compile(r"^/[\x21-\x7e]*$")  # printable ASCII: no spaces, controls or Unicode tricks

_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


# --- small pure helpers (tested directly) -------------------------------------------


def safe_next(value: str | None) -> str:
    """``value`` if it is a path on this site, else ``/``. A path must start with exactly one
    ``/``, have no backslash (browsers read ``/\\evil`` as ``//evil``), scheme, host, spaces or
    control characters, and not point back into ``/auth/`` (no sign-in loops)."""
    if not value or len(value) > 2048 or not _SAFE_NEXT.match(value):
        return "/"
    if value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    if parts.path == "/auth" or parts.path.startswith("/auth/"):
        return "/"
    return value


def sign_in_url(next_path: str = "/") -> str:
    next_path = safe_next(next_path)
    return SIGN_IN_PATH if next_path == "/" else f"{SIGN_IN_PATH}?next={quote(next_path, safe='/')}"


def is_https(headers: Headers, scheme: str) -> bool:
    """Whether the visitor's browser is on https. Uvicorn already turns ``X-Forwarded-Proto``
    into the scheme for trusted proxies (``FORWARDED_ALLOW_IPS``, default 127.0.0.1); the
    header is also honoured from anyone else because all it can do is add ``Secure``, which
    only makes a spoofer's own cookie stricter."""
    forwarded = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return scheme in ("https", "wss") or forwarded == "https"


def client_of(request: Request) -> str:
    """The address the sign-in throttle counts by: the connection's peer, or ``local`` on
    loopback (what the app itself reports for ``st.context.ip_address``)."""
    host = request.client.host if request.client else None
    return "local" if not host or host in ("127.0.0.1", "::1") else host[:200]


def _authority(value: str) -> str:
    """``host[:port]`` in lower case, without a default port."""
    value = value.strip().lower()
    for default in (":80", ":443"):
        if value.endswith(default):
            return value[: -len(default)]
    return value


def same_origin(headers: Headers) -> bool:
    """False for a request a browser sent from another site. Browsers send ``Origin`` with
    every form POST (``Referer`` is the fallback); a request with neither comes from a
    non-browser client, which carries no visitor's cookies and so can forge nothing."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer")
        if not referer:
            return True
        origin = referer
    if origin == "null":
        return False
    source = urlsplit(origin)
    if source.scheme not in ("http", "https") or not source.netloc:
        return False
    # A proxy may pass the visitor's Host through or name it in X-Forwarded-Host. A browser
    # cannot set that header on a cross-site form post, so trusting it forges nothing.
    hosts = {_authority(h) for h in (headers.get("host", ""), headers.get("x-forwarded-host", "").split(",")[0]) if h}
    return _authority(source.netloc) in hosts


def session_cookie(headers: Headers) -> str | None:
    return cookie_parser(headers.get("cookie", "")).get(COOKIE) or None


def set_session_cookie(response: Response, token: str, *, max_age: int, secure: bool) -> None:
    response.set_cookie(COOKIE, token, max_age=max_age, path="/", secure=secure, httponly=True, samesite="strict")


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.set_cookie(COOKIE, "", max_age=0, expires=0, path="/", secure=secure, httponly=True,
                        samesite="strict")


def _resume(token: str | None):
    return sessions.resume_session(shared.orchestrator(), token) if token else None


# --- routes ----------------------------------------------------------------------


def _page(request: Request, *, next_path: str, status: int = 200, email: str = "", error: str | None = None,
          notice: str | None = None, clear_cookie: bool = False, headers: dict | None = None) -> HTMLResponse:
    response = HTMLResponse(render(next_path=next_path, email=email, error=error, notice=notice),
                            status_code=status, headers={**_PAGE_HEADERS, **(headers or {})})
    if clear_cookie:
        clear_session_cookie(response, secure=is_https(request.headers, request.url.scheme))
    return response


def _redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


def _refused() -> HTMLResponse:
    return HTMLResponse(refused_page(CROSS_SITE), status_code=403, headers=_PAGE_HEADERS)


async def sign_in_page(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    token = session_cookie(request.headers)
    if token and await run_blocking(_resume, token) is not None:
        return _redirect(next_path)
    notice = SIGNED_OUT_NOTICE if request.query_params.get("signed_out") else None
    # A dead cookie (revoked, expired, forged) is deleted here: harmless, it opens nothing.
    return _page(request, next_path=next_path, notice=notice, clear_cookie=token is not None)


async def _read_form(request: Request) -> dict[str, str] | None:
    """The url-encoded form, read within ``MAX_FORM_BYTES`` (None if larger or malformed)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return None
    body = await read_bounded(request, MAX_FORM_BYTES)
    if body is None:
        return None
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in fields.items()}


def _sign_in(email: str, password: str, client: str) -> tuple[str, int]:
    """Check the password (throttled) and start a session: (token, cookie max-age)."""
    orch = shared.orchestrator()
    user = sign_in.authenticate(orch, email=email, password=password, client=client)
    token, _expires = sessions.create_session(orch, user_id=user.id)
    return token, orch.settings.session_ttl_hours * 3600


async def sign_in_submit(request: Request) -> Response:
    if not same_origin(request.headers):
        return _refused()
    form = await _read_form(request)
    if form is None:
        return _page(request, next_path="/", status=400,
                     error="The sign-in form could not be read. Reload the page and try again.")
    email, password = form.get("email", "").strip()[:254], form.get("password", "")
    next_path = safe_next(form.get("next"))
    if not email or not password:
        return _page(request, next_path=next_path, status=400, email=email,
                     error="Enter your email and password.")
    if len(password) > 1024:
        return _page(request, next_path=next_path, status=400, email=email, error="Wrong email or password.")
    try:
        token, max_age = await run_blocking(_sign_in, email, password, client_of(request))
    except sign_in.SignInLocked as exc:
        return _page(request, next_path=next_path, status=429, email=email, error=str(exc),
                     headers={"Retry-After": str(exc.retry_after_s)})
    except CredentialError as exc:
        return _page(request, next_path=next_path, status=401, email=email, error=str(exc))
    except OrchestratorError as exc:
        status = errors.status_of(exc)
        return _page(request, next_path=next_path, status=status, email=email, error=errors.body_of(exc)["error"])
    response = _redirect(next_path)
    set_session_cookie(response, token, max_age=max_age, secure=is_https(request.headers, request.url.scheme))
    return response


def _sign_out(token: str | None) -> None:
    if token:
        sessions.revoke_session(shared.orchestrator(), token)


async def sign_out_submit(request: Request) -> Response:
    if not same_origin(request.headers):
        return _refused()
    await run_blocking(_sign_out, session_cookie(request.headers))
    response = _redirect(f"{SIGN_IN_PATH}?signed_out=1")
    clear_session_cookie(response, secure=is_https(request.headers, request.url.scheme))
    return response


def browser_routes() -> list[Route]:
    return [
        Route(SIGN_IN_PATH, sign_in_page, methods=["GET", "HEAD"]),
        Route(SIGN_IN_PATH, sign_in_submit, methods=["POST"]),
        Route(SIGN_OUT_PATH, sign_out_submit, methods=["POST"]),
    ]


# --- middleware ------------------------------------------------------------------


def is_page_load(scope) -> bool:
    """A browser asking for one of the app's pages (not an asset, an API call, a Streamlit
    endpoint or these routes). Decided from the path and the request's own headers."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    path = scope["path"]
    if path in _NOT_PAGE_EXACT or path.startswith(_NOT_PAGES) or "." in path.rsplit("/", 1)[-1]:
        return False
    headers = Headers(scope=scope)
    dest = headers.get("sec-fetch-dest")
    if dest is not None:
        return dest in ("document", "iframe")
    return "text/html" in headers.get("accept", "")


def _requested(scope) -> str:
    raw = scope.get("raw_path") or scope["path"].encode()
    path = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


class BrowserSessionMiddleware:
    """Pure ASGI: WebSockets, assets and API calls pass untouched; a page load needs a valid
    session cookie, or it is redirected (303) to the sign-in page with ``next`` set to the
    page asked for, so the visitor lands there after signing in (a deep link survives)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if not is_page_load(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        token = session_cookie(headers)
        if token and await run_blocking(_resume, token) is not None:
            await self.app(scope, receive, send)
            return
        response = _redirect(sign_in_url(_requested(scope)))
        if token:
            clear_session_cookie(response, secure=is_https(headers, scope.get("scheme", "http")))
        await response(scope, receive, send)


__all__ = ["BrowserSessionMiddleware", "browser_routes", "COOKIE", "SIGN_IN_PATH", "SIGN_OUT_PATH",
           "safe_next", "sign_in_url", "same_origin"]
