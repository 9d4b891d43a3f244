"""``GET /demo/postings`` and ``/demo/postings/<slug>``: the demo's sample job postings as web
pages, served by the app's own server while demo mode is on (404 otherwise), so Extract → Link
can fetch them without the internet. Public (the server fetches them without a session) and
static: no script, a strict content security policy."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from orchestrator.demo_mode import postings
from orchestrator.http import shared
from orchestrator.http.threads import run_blocking

HEADERS = {"Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
           "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}
NOT_FOUND = "<!doctype html><title>Not found</title><p>No such page.</p>"


def _demo_on() -> bool:
    from orchestrator import demo_mode

    return demo_mode.load(shared.orchestrator().db).enabled


async def _index(request: Request) -> Response:
    if not await run_blocking(_demo_on):
        return HTMLResponse(NOT_FOUND, status_code=404, headers=HEADERS)
    return HTMLResponse(postings.index_page(str(request.base_url)), headers=HEADERS)


async def _posting(request: Request) -> Response:
    sample = postings.find(request.path_params["slug"])
    if sample is None or not await run_blocking(_demo_on):
        return HTMLResponse(NOT_FOUND, status_code=404, headers=HEADERS)
    return HTMLResponse(postings.page(sample), headers=HEADERS)


def demo_routes() -> list[Route]:
    return [Route(postings.PATH, _index, methods=["GET", "HEAD"]),
            Route(postings.PATH + "/{slug}", _posting, methods=["GET", "HEAD"])]
