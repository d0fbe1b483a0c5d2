"""tarotapi.dev-compatible routes: an app written for it switches by changing its base URL.

Public, GET/HEAD only, `Access-Control-Allow-Origin: *` on every answer (preflights get 204,
where the original sends 404), and a JSON 404 for anything else under the prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from tarot.api.http import accepts_gzip
from tarot.api.routing import Deferred
from tarot.deps import CatalogCacheDep, DbDep, SettingsDep
from tarot.services import tarotapi as compat
from tarot.services.cache import CachedBody

PREFIX = "/tarotapi/api/v1"
JSON_UTF8 = "application/json; charset=utf-8"
PUBLIC = {"Access-Control-Allow-Origin": "*"}
METHODS = "GET, HEAD, OPTIONS"
NOT_FOUND = b'{"error":{"status":404,"message":"Not Found"}}'

router = APIRouter(route_class=Deferred, prefix=PREFIX, include_in_schema=False)


def _route(*paths: str) -> Callable:
    """Register a GET/HEAD handler under each path (with and without a trailing slash)."""

    def register(handler: Callable) -> Callable:
        for path in paths:
            router.api_route(path, methods=["GET", "HEAD"])(handler)
        return handler

    return register


def _send(request: Request, body: bytes | CachedBody | None) -> Response:
    return compat_response(body, accept_encoding=request.headers.get("accept-encoding"))


def compat_response(body: bytes | CachedBody | None, *, accept_encoding: str | None) -> Response:
    """The original's answer for a body: JSON, public CORS, gzip for the whole deck if asked."""
    if body is None:
        return Response(NOT_FOUND, status_code=404, media_type=JSON_UTF8, headers=PUBLIC)
    headers = dict(PUBLIC)
    if isinstance(body, CachedBody):
        packed = body.gzipped() if accepts_gzip(accept_encoding) else None
        headers["Vary"] = "Accept-Encoding"
        if packed:
            headers["Content-Encoding"] = "gzip"
        body = packed or body.body
    return Response(body, media_type=JSON_UTF8, headers=headers)


async def get_deck(db: DbDep, cache: CatalogCacheDep, settings: SettingsDep) -> compat.CompatDeck:
    """The encoded deck, from the catalog cache."""
    # The compat shapes carry no image, but they share the catalog's deck, built with one base.
    return await compat.compat_deck(db=db, cache=cache, image_base_url=settings.image_base_url)


Deck = Annotated[compat.CompatDeck, Depends(get_deck)]


def _to_cards() -> Response:
    return Response(status_code=302, headers={"Location": PREFIX + "/cards", **PUBLIC})


@_route("", "/")
async def compat_root() -> Response:
    return _to_cards()


@_route("/cards", "/cards/")
async def compat_cards(request: Request, deck: Deck) -> Response:
    return _send(request, deck.everything)


@_route("/cards/random", "/cards/random/")
async def compat_random(request: Request, deck: Deck) -> Response:
    return _send(request, compat.random_cards(deck, request.query_params.get("n")))


@_route("/cards/search", "/cards/search/")
async def compat_search(
    request: Request, db: DbDep, cache: CatalogCacheDep, settings: SettingsDep
) -> Response:
    pairs = request.query_params.multi_items()
    if not pairs:
        return _to_cards()  # before the deck: this answer needs no database
    deck = await get_deck(db, cache, settings)
    key, value = pairs[-1]  # the original filters by the last pair only
    return _send(request, compat.search(deck, key, value))


@_route("/cards/suits/{suit}", "/cards/suits/{suit}/")
async def compat_suit(request: Request, suit: str, deck: Deck) -> Response:
    return _send(request, compat.suit(deck, suit))


@_route("/cards/courts", "/cards/courts/")
async def compat_courts(request: Request, deck: Deck) -> Response:
    return _send(request, compat.courts(deck))


@_route("/cards/courts/{rank}", "/cards/courts/{rank}/")
async def compat_court_rank(request: Request, rank: str, deck: Deck) -> Response:
    return _send(request, compat.courts(deck, rank))


@_route("/cards/{name_short}", "/cards/{name_short}/")
async def compat_card(request: Request, name_short: str, deck: Deck) -> Response:
    return _send(request, compat.one_card(deck, name_short))


@router.options("")
@router.options("/{rest:path}")
async def compat_preflight(request: Request) -> Response:
    """Allow any origin to GET; echo the headers the browser asks to send."""
    headers = {"Allow": METHODS, "Access-Control-Allow-Methods": METHODS, **PUBLIC}
    if asked := request.headers.get("access-control-request-headers"):
        headers["Access-Control-Allow-Headers"] = asked
    headers["Access-Control-Max-Age"] = "86400"
    return Response(status_code=204, headers=headers)


@router.api_route("/{rest:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
async def compat_not_found(request: Request) -> Response:
    """Everything else under the prefix: the original's 404, as JSON."""
    return _send(request, None)
