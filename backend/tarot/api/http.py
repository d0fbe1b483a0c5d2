"""HTTP helpers shared by routers: conditional GET, gzip and cache headers."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from fastapi import Request, Response
from starlette.datastructures import URLPath
from starlette.routing import Route

from tarot.services.cache import CachedBody
from tarot.state import state_of

# Each app's routes by name, found once: url_path_for asks every route in turn (each miss a
# raised NoMatchFound), and reading answers build two URLs.
_routes: WeakKeyDictionary[Any, dict[str, Route]] = WeakKeyDictionary()


def path_for(app: Any, name: str, **params: Any) -> URLPath:
    """`app.url_path_for(name, ...)`, with the route found by its name once per app."""
    named = _routes.setdefault(app, {})
    route = named.get(name)
    if route is None:
        found = [r for r in app.router.routes if isinstance(r, Route) and r.name == name]
        if len(found) != 1:  # a mount's route, or a name used twice: the router decides
            return app.url_path_for(name, **params)
        route = named[name] = found[0]
    return route.url_path_for(name, **params)


def link(request: Request, name: str, **params: object) -> str:
    """The URL of a route: absolute under TAROT_PUBLIC_URL, else relative; never from Host."""
    path = request.scope.get("root_path", "") + path_for(request.app, name, **params)
    base = state_of(request.app).settings.public_url
    return base.rstrip("/") + path if base else path


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 asks for If-None-Match."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def accepts_gzip(accept_encoding: str | None) -> bool:
    """True unless the client did not list gzip or gave it q=0."""
    for part in (accept_encoding or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def gzip_etag(etag: str) -> str:
    """The gzip body is another representation, so it gets its own strong ETag (RFC 9110)."""
    return etag[:-1] + '-gzip"' if etag.endswith('"') else etag + "-gzip"


def language_headers(language: str) -> dict[str, str]:
    """What a catalog response says about its language: it varies by Accept-Language."""
    return {"Vary": "Accept-Encoding, Accept-Language", "Content-Language": language}


def send_cached(
    request: Request, cached: CachedBody, *, max_age: int, language: str | None = None
) -> Response:
    """A cached body as a response, honouring Accept-Encoding and then If-None-Match.

    With `language`, the body is one of several per language (Vary, Content-Language).
    """
    return cached_response(
        cached,
        accept_encoding=request.headers.get("accept-encoding"),
        if_none_match=request.headers.get("if-none-match"),
        max_age=max_age,
        language=language,
    )


def cached_response(
    cached: CachedBody,
    *,
    accept_encoding: str | None,
    if_none_match: str | None,
    max_age: int,
    language: str | None = None,
) -> Response:
    """`send_cached` from the two request headers it reads; api/ready.py calls it directly."""
    body, etag, encoding = cached.body, cached.etag, None
    if accepts_gzip(accept_encoding) and (packed := cached.gzipped()):
        body, etag, encoding = packed, gzip_etag(cached.etag), "gzip"
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": "Accept-Encoding",
    }
    if language is not None:
        headers |= language_headers(language)
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    if encoding:
        headers["Content-Encoding"] = encoding
    return Response(body, media_type="application/json", headers=headers)
