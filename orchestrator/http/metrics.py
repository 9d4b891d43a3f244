"""``GET /metrics``: the Prometheus scrape endpoint of the one server.

Who may scrape: with ``ORCHESTRATOR_METRICS_TOKEN`` set (``settings.metrics_token``), a
request must carry ``Authorization: Bearer <token>`` (compared in constant time), else 401.
Without a token, only clients on loopback may scrape (a Prometheus or agent on the same
host, or a reverse proxy there); anyone else gets 403 saying to set the token. The
peer address is the connection's, as the server reports it: uvicorn rewrites it from
``X-Forwarded-For`` only for trusted proxies (``FORWARDED_ALLOW_IPS``, default 127.0.0.1).

The figures are read from the database (``orchestrator.metrics``) off the event loop,
through the process's shared orchestrator.
"""

from __future__ import annotations

import hmac
import ipaddress

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from orchestrator import metrics
from orchestrator.http import shared
from orchestrator.http.threads import run_blocking

PATH = "/metrics"
TOKEN_HINT = "set ORCHESTRATOR_METRICS_TOKEN on the server and send it as 'Authorization: Bearer <token>'"


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 and IPv4-mapped loopback; a name (or no address) is not."""
    if not host:
        return False
    try:
        addr = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(addr, "ipv4_mapped", None)
    return (mapped or addr).is_loopback


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def refusal(request: Request, token: str | None) -> Response | None:
    """The answer for a client that may not scrape, or None when it may."""
    if token:
        given = _bearer(request)
        if given is not None and hmac.compare_digest(given.encode(), token.encode()):
            return None
        return PlainTextResponse("A valid metrics token is required: send 'Authorization: Bearer <token>'.\n",
                                 status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    if is_loopback(request.client.host if request.client else None):
        return None
    return PlainTextResponse(f"/metrics answers loopback clients only; to scrape from elsewhere, {TOKEN_HINT}.\n",
                             status_code=403)


async def metrics_endpoint(request: Request) -> Response:
    orch = await run_blocking(shared.orchestrator)
    refused = refusal(request, orch.settings.metrics_token)
    if refused is not None:
        return refused
    body = await run_blocking(metrics.render, orch)
    return Response(body, headers={"Content-Type": metrics.CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def metrics_routes() -> list[Route]:
    return [Route(PATH, metrics_endpoint, methods=["GET", "HEAD"])]
