"""Interactive API docs (Swagger UI) at ``/api/v1/docs``, from files on this machine.

FastAPI's default page loads Swagger UI from a CDN; a demo must work offline, so the
bundle and stylesheet (``assets/swagger-ui/``, version in its README.txt) are served
here, by name from a fixed list. URLs are built from the mount's ``root_path`` so the page
works wherever the API is mounted. No favicon or validator badge is fetched from outside.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from orchestrator.errors import NotFound

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "swagger-ui"
FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "LICENSE": "text/plain; charset=utf-8",
    "NOTICE": "text/plain; charset=utf-8",
    "swagger-ui-bundle.js.LICENSE.txt": "text/plain; charset=utf-8",
}

router = APIRouter()


@router.get("/docs", include_in_schema=False)
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    return get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json", title="AI Orchestrator API",
        swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
        swagger_favicon_url="data:,",
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
    )


@router.get("/docs/assets/{name}", include_in_schema=False)
async def swagger_asset(name: str) -> FileResponse:
    if name not in FILES or not (ASSETS / name).is_file():
        raise NotFound(f"No docs asset '{name[:60]}'.")
    return FileResponse(ASSETS / name, media_type=FILES[name],
                        headers={"Cache-Control": "public, max-age=86400"})
