"""Spread catalog reads, served from the cache."""

from __future__ import annotations

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.data.translations import DEFAULT_LANGUAGE, translation
from tarot.db.models import Spread
from tarot.db.session import Database
from tarot.errors import InvalidInput, NotFound
from tarot.schemas.cards import CardRead
from tarot.schemas.spreads import SpreadPosition, SpreadRead, SpreadUpdate
from tarot.services.cache import Cache, CachedBody
from tarot.services.cards import load_deck
from tarot.services.invalidation import invalidate_on_commit

_spread_list = TypeAdapter(list[SpreadRead])


def _translated(spread: SpreadRead, texts: dict | None) -> SpreadRead:
    """A spread with its name, description and positions in another language, by position."""
    if not texts:
        return spread
    places = texts.get("positions") or []
    positions = [
        place.model_copy(update={k: v for k, v in places[index].items() if k in ("name", "prompt")})
        if index < len(places)
        else place
        for index, place in enumerate(spread.positions)
    ]
    fields = {key: texts[key] for key in ("name", "description") if texts.get(key)}
    return spread.model_copy(update=fields | {"positions": positions})


async def load_spreads(
    *, db: Database, cache: Cache, language: str = DEFAULT_LANGUAGE
) -> dict[str, SpreadRead]:
    """Every spread by slug, in catalog order, texts in `language`."""

    async def load() -> dict[str, SpreadRead]:
        texts = (translation(language) or {}).get("spreads", {})
        async with db.sessionmaker() as session:
            rows = await session.scalars(select(Spread).order_by(Spread.ordinal))
            return {
                row.slug: _translated(SpreadRead.model_validate(row), texts.get(row.slug))
                for row in rows
            }

    return await cache.get_or_load(("spreads", language), load)


async def get_spread_model(
    *, db: Database, cache: Cache, slug: str, language: str = DEFAULT_LANGUAGE
) -> SpreadRead:
    """One spread, or a 404 that lists the valid slugs."""
    spreads = await load_spreads(db=db, cache=cache, language=language)
    spread = spreads.get(slug.strip().lower())
    if spread is None:
        raise NotFound(f"No spread '{slug}'. Known spreads: {', '.join(spreads)}.")
    return spread


async def lay_out(
    *,
    db: Database,
    cache: Cache,
    image_base_url: str,
    slug: str,
    laid: list[dict],
    language: str = DEFAULT_LANGUAGE,
) -> tuple[SpreadRead, list[tuple[SpreadPosition, CardRead, bool]]]:
    """A stored draw ({position, card_id, reversed}) as (place, card, reversed) triples."""
    cards = await load_deck(db=db, cache=cache, image_base_url=image_base_url, language=language)
    deck = {card.id: card for card in cards}
    spread = (await load_spreads(db=db, cache=cache, language=language))[slug]
    places = {place.position: place for place in spread.positions}
    return spread, [
        (places[item["position"]], deck[item["card_id"]], item["reversed"]) for item in laid
    ]


async def list_spreads(
    *, db: Database, cache: Cache, language: str = DEFAULT_LANGUAGE
) -> CachedBody:
    """All spreads as a JSON array."""

    async def load() -> CachedBody:
        spreads = await load_spreads(db=db, cache=cache, language=language)
        return CachedBody(_spread_list.dump_json(list(spreads.values())))

    return await cache.get_or_load(("spreads-json", language), load)


async def get_spread(
    *, db: Database, cache: Cache, slug: str, language: str = DEFAULT_LANGUAGE
) -> CachedBody:
    """One spread as JSON."""
    spread = await get_spread_model(db=db, cache=cache, slug=slug, language=language)
    key = ("spread-json", spread.slug, language)
    return await cache.get_or_load(key, lambda: _encode(spread))


async def _encode(spread: SpreadRead) -> CachedBody:
    return CachedBody(spread.model_dump_json().encode())


async def update_spread(
    *, session: AsyncSession, db: Database, cache: Cache, slug: str, data: SpreadUpdate
) -> SpreadRead:
    """Apply an admin edit and invalidate the catalog here and on every instance."""
    spread = await session.get(Spread, slug.strip().lower())
    if spread is None:
        raise NotFound(f"No spread '{slug}'.")
    if data.name is not None:
        spread.name = data.name
    if data.description is not None:
        spread.description = data.description
    if data.position_prompts:
        numbers = {place["position"] for place in spread.positions}
        unknown = sorted(set(data.position_prompts) - numbers)
        if unknown:
            raise InvalidInput(f"Spread '{slug}' has no position(s) {unknown}.")
        spread.positions = [
            place | {"prompt": data.position_prompts.get(place["position"], place["prompt"])}
            for place in spread.positions
        ]
    await session.flush()
    await invalidate_on_commit(session=session, db=db, invalidate=cache.invalidate)
    return SpreadRead.model_validate(spread)
