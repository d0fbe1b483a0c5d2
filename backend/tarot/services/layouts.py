"""Where a reading's positions and cards come from: a named or custom spread, server or client."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from tarot.data.translations import DEFAULT_LANGUAGE
from tarot.db.models import Reading
from tarot.db.session import Database
from tarot.errors import InvalidInput
from tarot.schemas.cards import CardRead
from tarot.schemas.reading_options import ClientCard, CustomPosition
from tarot.schemas.spreads import SpreadPosition, SpreadRead
from tarot.services.cache import Cache
from tarot.services.cards import load_deck
from tarot.services.draw import draw
from tarot.services.spreads import lay_out

CUSTOM, FOLLOW_UP = "custom", "follow-up"
Layout = list[tuple[SpreadPosition, CardRead, bool]]


def custom_positions(positions: Sequence[CustomPosition]) -> list[dict]:
    """A custom spread as stored on the reading; a missing class is inferred later."""
    return [
        {
            "position": number,
            "name": place.name,
            "prompt": place.prompt,
            "class": place.position_class.value if place.position_class else None,
        }
        for number, place in enumerate(positions, start=1)
    ]


def stored_spread(reading: Reading) -> SpreadRead:
    """The spread of a reading whose positions are stored on it."""
    name = "Follow-up" if reading.parent_id else "Custom spread"
    return SpreadRead(
        slug=spread_label(reading),
        name=name,
        description="",
        positions=[SpreadPosition(**place) for place in reading.positions or []],
    )


def spread_label(reading: Reading) -> str:
    """The `spread` a client sees: the slug, or what kind of spread it was."""
    if reading.spread_slug:
        return reading.spread_slug
    return FOLLOW_UP if reading.parent_id else CUSTOM


def position_classes(reading: Reading) -> dict[int, str | None]:
    """Classes a custom spread gave its positions, by position number."""
    return {place["position"]: place.get("class") for place in reading.positions or []}


async def lay_out_reading(
    *,
    db: Database,
    cache: Cache,
    image_base_url: str,
    reading: Reading,
    language: str = DEFAULT_LANGUAGE,
) -> tuple[SpreadRead, Layout]:
    """A stored reading's (place, card, reversed) triples, for a named or stored spread."""
    if reading.spread_slug:
        return await lay_out(
            db=db,
            cache=cache,
            image_base_url=image_base_url,
            slug=reading.spread_slug,
            laid=reading.cards,
            language=language,
        )
    spread = stored_spread(reading)
    deck = {
        card.id: card
        for card in await load_deck(
            db=db, cache=cache, image_base_url=image_base_url, language=language
        )
    }
    places = {place.position: place for place in spread.positions}
    return spread, [
        (places[item["position"]], deck[item["card_id"]], item["reversed"])
        for item in reading.cards
    ]


async def choose_cards(
    *,
    db: Database,
    cache: Cache,
    image_base_url: str,
    count: int,
    reversals: bool,
    seed: int | None,
    given: Sequence[ClientCard] | None,
    exclude: Collection[str] = (),
) -> list[tuple[CardRead, bool]]:
    """The client's cards checked against the deck, or `count` drawn from what is left."""
    deck = await load_deck(db=db, cache=cache, image_base_url=image_base_url)
    if given is None:
        pool = [card for card in deck if card.id not in exclude]
        drawn = draw(count=count, deck_size=len(pool), reversals=reversals, seed=seed)
        return [(pool[index], flipped) for index, flipped in drawn]
    if len(given) != count:
        raise InvalidInput(
            f"{len(given)} card(s) given for {count} position(s); give one card per position."
        )
    known = {card.code: card for card in deck} | {card.id: card for card in deck}
    chosen = []
    for item in given:
        card = known.get(item.code.strip().lower())
        if card is None:
            raise InvalidInput(
                f"No card with code '{item.code}'. Codes look like 'ar01' (majors) or "
                "'cu02', 'waac', 'swkn', 'pequ' (minors); slugs such as 'the-magician' work too."
            )
        if card.id in exclude:
            raise InvalidInput(f"{card.name} is already in the spread; draw another card.")
        chosen.append((card, item.reversed))
    if len({card.id for card, _ in chosen}) != len(chosen):
        raise InvalidInput("The same card is given twice; a deck holds each card once.")
    return chosen
