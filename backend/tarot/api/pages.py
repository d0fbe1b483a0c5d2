"""The demo page at `/` and the package's static files (card faces, the page's assets)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from tarot.api.http import etag_matches
from tarot.api.routing import Deferred

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
# The page is revalidated hourly (a 304 with the ETag); its assets carry their content hash
# in the URL, so they can be cached for good and an update still reaches every visitor.
PAGE_CACHE = "public, max-age=3600"
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

router = APIRouter(route_class=Deferred, include_in_schema=False)


class ImmutableFiles(StaticFiles):
    """Files streamed from disk in chunks, never read whole into memory, cached for a year."""

    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200):
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        return response


def static_files() -> ImmutableFiles:
    """The app mounts this at `/static`."""
    return ImmutableFiles(directory=STATIC_DIR)


@dataclass(frozen=True, slots=True)
class Page:
    body: bytes
    etag: str


def _version(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / "demo" / name).read_bytes()).hexdigest()[:12]


@cache
def demo_page() -> Page:
    """index.html with each asset URL versioned by its content hash; read once."""
    html = (STATIC_DIR / "demo" / "index.html").read_text(encoding="utf-8")
    for name in ("app.js", "app.css"):
        html = html.replace(f"/static/demo/{name}", f"/static/demo/{name}?v={_version(name)}")
    body = html.encode()
    return Page(body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:16]}"')


@router.get("/")
async def get_demo_page(request: Request) -> Response:
    page = demo_page()
    headers = {
        "ETag": page.etag,
        "Cache-Control": PAGE_CACHE,
        "Content-Security-Policy": PAGE_POLICY,
        # The page opens stream URLs that carry a token: never send them on as a referrer.
        "Referrer-Policy": "no-referrer",
    }
    if etag_matches(request.headers.get("if-none-match"), page.etag):
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type="text/html; charset=utf-8", headers=headers)
