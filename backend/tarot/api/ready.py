"""A lean path for catalog GETs whose ready bytes already sit in the catalog cache.

FastAPI's dependency resolution costs as much per cached request as everything else put
together, so a GET or HEAD of a catalog route is answered here when the cache holds its body,
with the response the route itself would build (`cached_response`, `compat_response`). A miss,
a query this layer does not read, or any other path goes on to FastAPI, whose route validates,
fills the cache and answers. It sits inside the metrics and CORS layers, so both still apply;
no rate limit covers the catalog routes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from tarot.api.cards import daily_max_age
from tarot.api.http import cached_response
from tarot.api.language import LANGUAGE_TAG, negotiate
from tarot.api.tarotapi import PREFIX as COMPAT
from tarot.api.tarotapi import compat_response
from tarot.schemas.cards import Arcana, Suit
from tarot.schemas.common import IDENTIFIER
from tarot.services import tarotapi as compat
from tarot.services.cache import CachedBody
from tarot.state import AppState

V1 = "/api/v1/"
_IDENTIFIER = re.compile(IDENTIFIER)
_LANGUAGE_TAG = re.compile(LANGUAGE_TAG)
MAX_LANGUAGE_TAG = 35  # api/language.py's Query(max_length=...)
LIST_QUERY = frozenset({"lang", "limit", "offset", "arcana", "suit"})
LANG_ONLY = frozenset({"lang"})
NOT_CARD_IDS = frozenset({"random", "daily"})  # routes of their own, declared before /{card_id}
NOT_COMPAT_CODES = frozenset({"random", "search", "courts"})
ARCANA = {member.value: member for member in Arcana}
SUITS = {member.value: member for member in Suit}


class ReadyCatalog:
    """Pure ASGI: answer cached catalog GETs/HEADs; pass everything else to the app."""

    def __init__(self, app: Any, state: AppState):
        self.app, self.state = app, state
        self._routes: dict[str, Any] | None = None
        self.answered = 0  # requests this layer answered itself

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            answer = self._answer(scope)
            if answer is not None:
                await self._send(scope, send, *answer)
                return
        await self.app(scope, receive, send)

    def _answer(self, scope: dict) -> tuple[Response, str, dict[str, str]] | None:
        """(response, route template, path params) when the cache can answer, else None."""
        path: str = scope["path"]
        if scope.get("root_path"):
            return None
        cache = getattr(self.state, "catalog_cache", None)
        if cache is None or not cache.enabled:
            return None
        if path.startswith(V1):
            return self._catalog(scope, path[len(V1) :], cache)
        if path.startswith(COMPAT):
            return self._compat(scope, path[len(COMPAT) :], cache)
        return None

    def _catalog(self, scope: dict, rest: str, cache: Any) -> Any:
        area, slash, ident = rest.partition("/")
        if area not in ("cards", "spreads") or "/" in ident or (slash and not ident):
            return None  # a trailing slash gets FastAPI's redirect
        query = _query(scope["query_string"], LANG_ONLY if ident else LIST_QUERY)
        if query is None:
            return None
        headers = _headers(scope)
        lang = query.get("lang")
        if lang is not None and (len(lang) > MAX_LANGUAGE_TAG or not _LANGUAGE_TAG.fullmatch(lang)):
            return None
        language = negotiate(lang, headers.get(b"accept-language"))
        max_age = self.state.settings.cache_ttl_seconds
        params: dict[str, str] = {}
        if area == "spreads":
            if ident:
                if not _IDENTIFIER.fullmatch(ident):
                    return None
                key: tuple = ("spread-json", ident.strip().lower(), language)
                template, params = "/api/v1/spreads/{slug}", {"slug": ident}
            else:
                key, template = ("spreads-json", language), "/api/v1/spreads"
        elif ident == "daily":
            now = datetime.now(UTC)
            key, template = ("daily", now.date().isoformat(), language), "/api/v1/cards/daily"
            max_age = daily_max_age(now)
        elif ident:
            if ident in NOT_CARD_IDS or not _IDENTIFIER.fullmatch(ident):
                return None
            key = ("card", ident.strip().lower(), language)
            template, params = "/api/v1/cards/{card_id}", {"card_id": ident}
        else:
            limit = _count(query.get("limit", "20"), 1, 100)
            offset = _count(query.get("offset", "0"), 0, 10_000)
            arcana = ARCANA.get(query["arcana"], ()) if "arcana" in query else None
            suit = SUITS.get(query["suit"], ()) if "suit" in query else None
            if limit is None or offset is None or arcana == () or suit == ():
                return None
            key = ("cards", arcana, suit, None, limit, offset, language)
            template = "/api/v1/cards"
        cached = cache.peek(key)
        if not isinstance(cached, CachedBody):
            return None
        response = cached_response(
            cached,
            accept_encoding=headers.get(b"accept-encoding"),
            if_none_match=headers.get(b"if-none-match"),
            max_age=max_age,
            language=language,
        )
        return response, template, params

    def _compat(self, scope: dict, rest: str, cache: Any) -> Any:
        # The deck (`/cards`) and one card (`/cards/<code>`), with or without a trailing
        # slash; those routes read no query, but one is left to them all the same.
        if scope["query_string"]:
            return None
        if rest in ("/cards", "/cards/"):
            code = ""
        elif rest.startswith("/cards/"):
            code = rest[len("/cards/") :].removesuffix("/")
            if not code or "/" in code or code in NOT_COMPAT_CODES:
                return None
        else:
            return None
        slash = "/" if rest.endswith("/") else ""
        deck = cache.peek(("tarotapi", "deck"))
        if not isinstance(deck, compat.CompatDeck):
            return None
        params: dict[str, str] = {}
        if not code:
            body: bytes | CachedBody | None = deck.everything
            template = COMPAT + "/cards" + slash
        else:
            body = compat.one_card(deck, code)
            if body is None:
                return None  # the route's own 404
            template, params = COMPAT + "/cards/{name_short}" + slash, {"name_short": code}
        accept_encoding = _headers(scope).get(b"accept-encoding")
        return compat_response(body, accept_encoding=accept_encoding), template, params

    async def _send(
        self, scope: dict, send: Any, response: Response, template: str, params: dict
    ) -> None:
        # What the router would have put in the scope, so the metrics name the same route.
        scope["route"] = self._route(scope, template)
        scope["path_params"] = params
        self.answered += 1
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": response.raw_headers,
            }
        )
        body = b"" if scope["method"] == "HEAD" else response.body
        await send({"type": "http.response.body", "body": body})

    def _route(self, scope: dict, template: str) -> Any:
        if self._routes is None:
            from fastapi.routing import iter_route_contexts

            self._routes = {
                context.path: context.original_route
                for context in iter_route_contexts(scope["app"].routes)
                if context.path and "GET" in (context.methods or ())
            }
        return self._routes.get(template)


def _query(raw: bytes, allowed: frozenset[str]) -> dict[str, str] | None:
    """Plain `name=value` pairs of allowed names, each once; None for anything else."""
    if not raw:
        return {}
    if not raw.isascii() or b"%" in raw or b"+" in raw:
        return None
    found: dict[str, str] = {}
    for pair in raw.decode().split("&"):
        name, equals, value = pair.partition("=")
        if not equals or not value or name not in allowed or name in found:
            return None
        found[name] = value
    return found


def _count(value: str, low: int, high: int) -> int | None:
    """A canonical decimal within bounds (what FastAPI would accept and key the same way)."""
    if not value.isdigit() or (value.startswith("0") and value != "0"):
        return None
    number = int(value)
    return number if low <= number <= high else None


def _headers(scope: dict) -> dict[bytes, str]:
    """The first value of each request header this layer reads, as Starlette would pick it."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in (b"accept-encoding", b"if-none-match", b"accept-language"):
            found.setdefault(name, value.decode("latin-1"))
    return found
