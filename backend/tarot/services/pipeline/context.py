"""The writer's context of a stored reading, built here for the API view and the workers alike.

A follow-up carries its original reading as data. `oriented` is the one place a card's upright
or reversed side is chosen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from tarot.data.translations import DEFAULT_LANGUAGE, catalog_language
from tarot.db.models import Reading
from tarot.db.session import Database
from tarot.llm.base import DrawnCard, ReadingContext
from tarot.schemas.cards import CardRead
from tarot.services.cache import Cache
from tarot.services.layouts import Layout, lay_out_reading, position_classes

PARENT_TEXT_CHARS = 4000  # enough of the original reading for context, bounded for the prompt


def oriented(card: CardRead, flipped: bool) -> tuple[list[str], str]:
    """(keywords, meaning) of the side of the card that faces the querent."""
    if flipped:
        return card.keywords_reversed, card.meaning_reversed
    return card.keywords_upright, card.meaning_upright


def drawn_cards(layout: Layout, classes: Mapping[int, str | None]) -> tuple[DrawnCard, ...]:
    """Laid-out cards with the meaning for their orientation."""
    return tuple(_drawn(place, card, flipped, classes) for place, card, flipped in layout)


def _drawn(place, card: CardRead, flipped: bool, classes: Mapping[int, str | None]) -> DrawnCard:
    keywords, meaning = oriented(card, flipped)
    return DrawnCard(
        position=place.position,
        position_name=place.name,
        position_prompt=place.prompt,
        card_id=card.id,
        card_name=card.name,
        arcana=card.arcana.value,
        suit=card.suit.value if card.suit else None,
        element=card.element,
        reversed=flipped,
        keywords=tuple(keywords),
        meaning=meaning,
        position_class=classes.get(place.position),
    )


async def context_for(
    *,
    db: Database,
    cache: Cache,
    image_base_url: str,
    reading: Reading,
    session: AsyncSession | None = None,
) -> ReadingContext:
    """The context of one reading; a follow-up carries its parent's."""
    spread, layout = await lay_out_reading(
        db=db, cache=cache, image_base_url=image_base_url, reading=reading
    )
    parent, parent_text = None, ""
    if reading.parent_id is not None:
        row = await _load(db, session, reading.parent_id)
        if row is not None:
            parent = await context_for(
                db=db, cache=cache, image_base_url=image_base_url, reading=row
            )
            parent_text = (row.interpretation or "")[:PARENT_TEXT_CHARS]
    context = ReadingContext(
        reading.question,
        spread.name,
        reading.language,
        drawn_cards(layout, position_classes(reading)),
        reversals=reading.reversals,
        focus=reading.focus,
        tone=reading.tone,
        parent=parent,
        parent_text=parent_text,
    )
    language = catalog_language(reading.language)
    if language == DEFAULT_LANGUAGE:
        return context
    # The same draw in the querent's language, for LLM prompts; the reader classifies on the
    # English one.
    spread, layout = await lay_out_reading(
        db=db, cache=cache, image_base_url=image_base_url, reading=reading, language=language
    )
    localized = replace(
        context,
        spread_name=spread.name,
        cards=drawn_cards(layout, position_classes(reading)),
        parent=None,
    )
    return replace(context, localized=localized)


async def _load(db: Database, session: AsyncSession | None, reading_id) -> Reading | None:
    if session is not None:
        return await session.get(Reading, reading_id)
    async with db.sessionmaker() as own:
        return await own.get(Reading, reading_id)
