"""The catalog language of a request: `?lang=` first, else `Accept-Language` by q-value."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from tarot.data.translations import DEFAULT_LANGUAGE, match_language

LANGUAGE_TAG = r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8}){0,3}$"
MAX_ACCEPT_LANGUAGE_ITEMS = 20  # a longer header is read only this far


def parse_accept_language(header: str | None) -> list[str]:
    """The tags of an `Accept-Language` header, best first; q=0 and malformed items dropped."""
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate((header or "").split(",")[:MAX_ACCEPT_LANGUAGE_ITEMS]):
        tag, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-min(quality, 1.0), index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(lang: str | None, accept_language: str | None) -> str:
    """The language to answer in; English when nothing asked for is available."""
    if lang:
        return match_language(lang) or DEFAULT_LANGUAGE
    for tag in parse_accept_language(accept_language):
        if tag == "*":
            return DEFAULT_LANGUAGE
        found = match_language(tag)
        if found:
            return found
    return DEFAULT_LANGUAGE


async def catalog_language(
    request: Request,
    lang: Annotated[
        str | None,
        Query(
            max_length=35,
            pattern=LANGUAGE_TAG,
            description=(
                "Language of the texts: `en` (default), `zh-TW` (also `zh`, `zh-Hant`) or "
                "`es` (any `es-*`). Overrides `Accept-Language`; an unknown language gets "
                "English. The response says which in `Content-Language`."
            ),
            examples=["zh-TW"],
        ),
    ] = None,
) -> str:
    return negotiate(lang, request.headers.get("accept-language"))


CatalogLanguage = Annotated[str, Depends(catalog_language)]
