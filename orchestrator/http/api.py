"""The REST API under ``/api/v1`` (FastAPI): the seed's routes, a user's own data, and the
admin's provider routes. Mounted by ``app.py``; ``create_api()`` builds a fresh app, so
tests drive it in-process with ``httpx.ASGITransport`` or Starlette's ``TestClient``.

Every route authenticates with a personal token (``auth.caller_of``), runs the same
services and pipeline as the pages (blocking work on the API's own thread limiter),
and answers errors as ``{"error", "error_type"}`` (``http/errors.py``).
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from orchestrator.errors import OrchestratorError
from orchestrator.http import errors, limits, shared
from orchestrator.http.auth import Caller, caller_of
from orchestrator.http.threads import run_blocking

API_VERSION = "1"


def orch():
    return shared.orchestrator()


# Declared so OpenAPI (and the docs' Authorize button) shows bearer auth; ``caller_of`` reads the header itself.
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="PersonalToken",
                           description="A personal API token: `Authorization: Bearer aio_pat_...`.")


async def caller(request: Request, _shown: object = Security(bearer_scheme)) -> Caller:
    return await run_blocking(caller_of, shared.orchestrator(), request.headers.get("authorization"))


def error_response(exc: Exception) -> JSONResponse:
    return JSONResponse(errors.body_of(exc), status_code=errors.status_of(exc), headers=errors.headers_of(exc))


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "Invalid request: " + "; ".join(parts) + "."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(OrchestratorError)
    async def _orchestrator_error(_request: Request, exc: OrchestratorError):
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError):
        return JSONResponse({"error": _validation_message(exc), "error_type": "ValidationError"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        return JSONResponse({"error": message, "error_type": "HTTPError"}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception):
        return error_response(exc)


def create_api() -> FastAPI:
    from orchestrator.http import routes_admin, routes_user

    app = FastAPI(title="AI Orchestrator API", version=API_VERSION, openapi_url="/openapi.json",
                  docs_url=None, redoc_url=None,
                  description="Job postings to tailored CVs and cover letters, with the plan's routing, "
                              "quotas, credit, cache and ledger. Authenticate with a personal API token: "
                              "`Authorization: Bearer aio_pat_...`.")
    install_error_handlers(app)
    limits.install(app)
    app.include_router(routes_user.router)
    app.include_router(routes_admin.router)
    return app


__all__ = ["create_api", "caller", "orch", "error_response", "Caller", "Depends"]
