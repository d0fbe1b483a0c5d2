"""Card catalog reads, served from the cache as ready-made JSON bytes."""

from __future__ import annotations

from datetime import date

from pydantic import TypeAdapter
from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.data.translations import CARD_FIELDS, DEFAULT_LANGUAGE, translation
from tarot.db.models import Card
from tarot.db.session import Database
from tarot.errors import NotFound
from tarot.schemas.cards import Arcana, CardRead, CardUpdate, DailyCardRead, DrawnCardRead, Suit
from tarot.schemas.common import Page
from tarot.services.cache import Cache, CachedBody
from tarot.services.draw import daily_seed, draw
from tarot.services.invalidation import invalidate_on_commit

_card_page = TypeAdapter(Page[CardRead])
_drawn_cards = TypeAdapter(list[DrawnCardRead])
IMAGE_SUFFIX = ".svg"


def card_image_url(*, image_base_url: str, card_id: str) -> str:
    """Where a card's face is served: `<base>/<card id>.svg`."""
    return f"{image_base_url}/{card_id}{IMAGE_SUFFIX}"


def to_card_read(row: Card, *, image_base_url: str, texts: dict | None = None) -> CardRead:
    """A card row as its API shape, with the image URL under the configured base.

    `texts` are the card's translated fields; a field a translation lacks stays English.
    """
    fields = {name: getattr(row, name) for name in CardRead.model_fields if name != "image_url"}
    if texts:
        fields |= {name: texts[name] for name in CARD_FIELDS if texts.get(name)}
    url = card_image_url(image_base_url=image_base_url, card_id=row.id)
    return CardRead.model_validate(fields | {"image_url": url})


def _matches(card: CardRead, *, arcana: Arcana | None, suit: Suit | None, q: str | None) -> bool:
    """The list filters applied to a translated card (its own language's texts)."""
    if (arcana and card.arcana != arcana) or (suit and card.suit != suit):
        return False
    if not q:
        return True
    texts: tuple[str, ...] = (card.name, card.meaning_upright, card.meaning_reversed)
    texts += (*card.keywords_upright, *card.keywords_reversed)
    return any(q in text.lower() for text in texts)


async def list_cards(
    *,
    db: Database,
    cache: Cache,
    image_base_url: str,
    arcana: Arcana | None = None,
    suit: Suit | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
    language: str = DEFAULT_LANGUAGE,
) -> CachedBody:
    """One page of cards matching the filters, in deck order, in one language."""
    q = q.strip().lower() if q else None
    key = ("cards", arcana, suit, q, limit, offset, language)

    async def load_translated() -> CachedBody:
        deck = await load_deck(db=db, cache=cache, image_base_url=image_base_url, language=language)
        hits = [card for card in deck if _matches(card, arcana=arcana, suit=suit, q=q)]
        page = Page[CardRead](
            items=hits[offset : offset + limit], total=len(hits), limit=limit, offset=offset
        )
        return CachedBody(_card_page.dump_json(page))

    async def load() -> CachedBody:
        filters = []
        if arcana:
            filters.append(Card.arcana == arcana.value)
        if suit:
            filters.append(Card.suit == suit.value)
        if q:
            filters.append(
                or_(
                    *(
                        column.icontains(q, autoescape=True)
                        for column in (
                            Card.name,
                            Card.meaning_upright,
                            Card.meaning_reversed,
                            cast(Card.keywords_upright, String),
                            cast(Card.keywords_reversed, String),
                        )
                    )
                )
            )
        async with db.sessionmaker() as session:
            total = await session.scalar(select(func.count()).select_from(Card).where(*filters))
            rows = await session.scalars(
                select(Card).where(*filters).order_by(Card.ordinal).limit(limit).offset(offset)
            )
            page = Page[CardRead](
                items=[to_card_read(row, image_base_url=image_base_url) for row in rows],
                total=total or 0,
                limit=limit,
                offset=offset,
            )
        return CachedBody(_card_page.dump_json(page))

    english = language == DEFAULT_LANGUAGE
    return await cache.get_or_load(key, load if english else load_translated)


async def get_card(
    *,
    db: Database,
    cache: Cache,
    image_base_url: str,
    card_id: str,
    language: str = DEFAULT_LANGUAGE,
) -> CachedBody:
    """One card by slug (`the-magician`) or short code (`ar01`), in one language."""
    ident = card_id.strip().lower()

    async def load() -> CachedBody:
        async with db.sessionmaker() as session:
            card = await session.scalar(
                select(Card).where(or_(Card.id == ident, Card.code == ident))
            )
        if card is None:
            raise NotFound(f"No card with id or code '{card_id}'. Try 'the-magician' or 'ar01'.")
        texts = (translation(language) or {}).get("cards", {}).get(card.id)
        card_read = to_card_read(card, image_base_url=image_base_url, texts=texts)
        return CachedBody(card_read.model_dump_json().encode())

    return await cache.get_or_load(("card", ident, language), load)


async def load_deck(
    *, db: Database, cache: Cache, image_base_url: str, language: str = DEFAULT_LANGUAGE
) -> tuple[CardRead, ...]:
    """All 78 cards in deck order, as models, for drawing; texts in `language`."""

    async def load() -> tuple[CardRead, ...]:
        texts = (translation(language) or {}).get("cards", {})
        async with db.sessionmaker() as session:
            rows = await session.scalars(select(Card).order_by(Card.ordinal))
            return tuple(
                to_card_read(row, image_base_url=image_base_url, texts=texts.get(row.id))
                for row in rows
            )

    return await cache.get_or_load(("deck", language), load)


async def random_cards(
    *,
    db: Database,
    cache: Cache,
    image_base_url: str,
    n: int,
    reversals: bool,
    seed: int | None,
    language: str = DEFAULT_LANGUAGE,
) -> bytes:
    """`n` distinct cards, reproducible when seeded."""
    deck = await load_deck(db=db, cache=cache, image_base_url=image_base_url, language=language)
    if n > len(deck):
        raise NotFound(f"The catalog holds only {len(deck)} cards.")
    drawn = draw(count=n, deck_size=len(deck), reversals=reversals, seed=seed)
    return _drawn_cards.dump_json(
        [DrawnCardRead(card=deck[index], reversed=flip) for index, flip in drawn]
    )


async def daily_card(
    *,
    db: Database,
    cache: Cache,
    image_base_url: str,
    day: date,
    language: str = DEFAULT_LANGUAGE,
) -> CachedBody:
    """The card of the day: a deterministic function of the UTC date."""

    async def load() -> CachedBody:
        deck = await load_deck(db=db, cache=cache, image_base_url=image_base_url, language=language)
        [(index, flip)] = draw(count=1, deck_size=len(deck), reversals=True, seed=daily_seed(day))
        daily = DailyCardRead(date=day.isoformat(), card=deck[index], reversed=flip)
        return CachedBody(daily.model_dump_json().encode())

    return await cache.get_or_load(("daily", day.isoformat(), language), load)


async def update_card(
    *,
    session: AsyncSession,
    db: Database,
    cache: Cache,
    image_base_url: str,
    card_id: str,
    data: CardUpdate,
) -> CardRead:
    """Apply an admin edit and invalidate the catalog here and on every instance."""
    ident = card_id.strip().lower()
    card = await session.scalar(select(Card).where(or_(Card.id == ident, Card.code == ident)))
    if card is None:
        raise NotFound(f"No card with id or code '{card_id}'.")
    for name, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(card, name, value)
    await session.flush()
    await invalidate_on_commit(session=session, db=db, invalidate=cache.invalidate)
    return to_card_read(card, image_base_url=image_base_url)
