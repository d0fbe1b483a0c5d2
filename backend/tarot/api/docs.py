"""The OpenAPI document and Swagger UI, served offline from the swagger-ui-bundle package."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from tarot.api.http import send_cached
from tarot.api.routing import Deferred
from tarot.deps import StateDep
from tarot.errors import NotFound
from tarot.services.cache import CachedBody

router = APIRouter(route_class=Deferred, include_in_schema=False)

OPENAPI_URL = "/openapi.json"
ASSETS_URL = "/docs/assets/"
# The only files /docs needs, with their media types; nothing else of the package is served.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


@router.get(OPENAPI_URL)
async def openapi_document(request: Request, state: StateDep) -> Response:
    """Built on the first request, then kept as bytes only: the dict is not worth its memory."""
    cached = state.openapi_body
    if cached is None:
        document = request.app.openapi()
        cached = state.openapi_body = CachedBody(
            json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        )
        del document
    return send_cached(request, cached, max_age=300)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    from fastapi.openapi.docs import get_swagger_ui_html

    return get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title=f"{request.app.title} - docs",
        swagger_js_url=ASSETS_URL + "swagger-ui-bundle.js",
        swagger_css_url=ASSETS_URL + "swagger-ui.css",
        swagger_favicon_url=ASSETS_URL + "favicon-32x32.png",
        swagger_ui_parameters={"persistAuthorization": True},
    )


@router.get(ASSETS_URL + "{name}")
async def swagger_asset(name: str) -> FileResponse:
    """One Swagger UI file, streamed from the installed package, cached for a day."""
    if name not in ASSETS:
        raise NotFound(f"No docs asset '{name}'.")
    from swagger_ui_bundle import swagger_ui_path  # imported when /docs is first opened

    return FileResponse(
        swagger_ui_path / name,
        media_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )
