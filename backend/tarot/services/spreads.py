"""Spread catalog reads, served from the cache."""

from __future__ import annotations

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.db.models import Reading, Spread
from tarot.db.session import Database
from tarot.errors import InvalidInput, NotFound
from tarot.llm.base import DrawnCard, ReadingContext
from tarot.schemas.cards import CardRead
from tarot.schemas.spreads import SpreadPosition, SpreadRead, SpreadUpdate
from tarot.services.cache import Cache, CachedBody
from tarot.services.cards import load_deck
from tarot.services.invalidation import invalidate_on_commit

_spread_list = TypeAdapter(list[SpreadRead])


async def load_spreads(*, db: Database, cache: Cache) -> dict[str, SpreadRead]:
    """Every spread by slug, in catalog order."""

    async def load() -> dict[str, SpreadRead]:
        async with db.sessionmaker() as session:
            rows = await session.scalars(select(Spread).order_by(Spread.ordinal))
            return {row.slug: SpreadRead.model_validate(row) for row in rows}

    return await cache.get_or_load(("spreads",), load)


async def get_spread_model(*, db: Database, cache: Cache, slug: str) -> SpreadRead:
    """One spread, or a 404 that lists the valid slugs."""
    spreads = await load_spreads(db=db, cache=cache)
    spread = spreads.get(slug.strip().lower())
    if spread is None:
        raise NotFound(f"No spread '{slug}'. Known spreads: {', '.join(spreads)}.")
    return spread


async def lay_out(
    *, db: Database, cache: Cache, image_base_url: str, slug: str, laid: list[dict]
) -> tuple[SpreadRead, list[tuple[SpreadPosition, CardRead, bool]]]:
    """A stored draw ({position, card_id, reversed}) as (place, card, reversed) triples."""
    cards = await load_deck(db=db, cache=cache, image_base_url=image_base_url)
    deck = {card.id: card for card in cards}
    spread = (await load_spreads(db=db, cache=cache))[slug]
    places = {place.position: place for place in spread.positions}
    return spread, [
        (places[item["position"]], deck[item["card_id"]], item["reversed"]) for item in laid
    ]


async def reading_context(
    *, db: Database, cache: Cache, image_base_url: str, reading: Reading
) -> ReadingContext:
    """What a writer needs for one stored reading: its question, spread and drawn cards."""
    spread, layout = await lay_out(
        db=db,
        cache=cache,
        image_base_url=image_base_url,
        slug=reading.spread_slug,
        laid=reading.cards,
    )
    drawn = tuple(
        DrawnCard(
            position=place.position,
            position_name=place.name,
            position_prompt=place.prompt,
            card_id=card.id,
            card_name=card.name,
            arcana=card.arcana.value,
            suit=card.suit.value if card.suit else None,
            element=card.element,
            reversed=flipped,
            keywords=tuple(card.keywords_reversed if flipped else card.keywords_upright),
            meaning=card.meaning_reversed if flipped else card.meaning_upright,
        )
        for place, card, flipped in layout
    )
    return ReadingContext(reading.question, spread.name, reading.language, drawn)


async def list_spreads(*, db: Database, cache: Cache) -> CachedBody:
    """All spreads as a JSON array."""

    async def load() -> CachedBody:
        spreads = await load_spreads(db=db, cache=cache)
        return CachedBody(_spread_list.dump_json(list(spreads.values())))

    return await cache.get_or_load(("spreads-json",), load)


async def get_spread(*, db: Database, cache: Cache, slug: str) -> CachedBody:
    """One spread as JSON."""
    spread = await get_spread_model(db=db, cache=cache, slug=slug)
    return await cache.get_or_load(("spread-json", spread.slug), lambda: _encode(spread))


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
