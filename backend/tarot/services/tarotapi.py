"""tarotapi.dev-compatible card bodies, encoded once per catalog load and kept in its cache.

The key sets, key order, value types and the three names below are what clients of the
original API decode strictly; /work/shared/tarotapi-compat.md records them.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass

from tarot.db.session import Database
from tarot.schemas.cards import CardRead
from tarot.services.cache import Cache, CachedBody
from tarot.services.cards import load_deck

# Clients key their image maps on the original's names for these three.
NAME_OVERRIDES = {"ar08": "Fortitude", "ar10": "Wheel Of Fortune", "ar20": "The Last Judgment"}
SUITS = ("wands", "cups", "pentacles", "swords")
RANKS: tuple[str, ...] = ("page", "knight", "queen", "king", "ace")
RANKS += ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
COURTS = RANKS[:4]
FIELDS: tuple[str, ...] = ("name", "name_short", "value", "value_int", "suit", "type")
FIELDS += ("meaning_up", "meaning_rev", "desc")


@dataclass(frozen=True, slots=True)
class CompatDeck:
    """The 78 cards in the original's order, as dicts and as encoded JSON objects."""

    cards: tuple[dict, ...]
    encoded: tuple[bytes, ...]
    everything: CachedBody
    by_code: dict[str, int]


def _order(card: CardRead) -> tuple[int, int, int]:
    """ar01 … ar20, ar00, ar21; then each suit page, knight, queen, king, ace, 2 … 10."""
    if card.arcana == "major":
        return (0, {0: 20, 21: 21}.get(card.number, card.number - 1), 0)
    return (1, SUITS.index(card.suit), RANKS.index(card.rank))


def compat_card(card: CardRead) -> dict:
    """One card in the original's shape, keys in its order; majors have no `suit` at all."""
    name = NAME_OVERRIDES.get(card.code, card.name)
    texts = {
        "meaning_up": card.meaning_upright,
        "meaning_rev": card.meaning_reversed,
        "desc": card.description,
    }
    if card.arcana == "major":
        value = "ZERO" if card.number == 0 else str(card.number)
        head: dict[str, str | int | None] = {
            "type": "major",
            "name_short": card.code,
            "name": name,
            "value": value,
        }
        return head | {"value_int": card.number} | texts
    head = {"name": name, "name_short": card.code, "value": card.rank, "value_int": card.number}
    return head | {"suit": card.suit, "type": "minor"} | texts


def _encode(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _join(encoded: tuple[bytes, ...], indices: list[int] | range) -> bytes:
    cards = b",".join(encoded[index] for index in indices)
    return b'{"nhits":%d,"cards":[%s]}' % (len(indices), cards)


def cards_body(deck: CompatDeck, indices: list[int] | range) -> bytes:
    """`{"nhits": k, "cards": [...]}` joined from the ready-encoded cards."""
    return _join(deck.encoded, indices)


async def compat_deck(*, db: Database, cache: Cache, image_base_url: str) -> CompatDeck:
    """The encoded deck; an admin edit's cache invalidation rebuilds it."""

    async def load() -> CompatDeck:
        deck = await load_deck(db=db, cache=cache, image_base_url=image_base_url)
        ordered = sorted(deck, key=_order)
        cards = tuple(compat_card(card) for card in ordered)
        encoded = tuple(_encode(card) for card in cards)
        everything = CachedBody(_join(encoded, range(len(encoded))))
        by_code = {card["name_short"]: index for index, card in enumerate(cards)}
        return CompatDeck(cards, encoded, everything, by_code)

    return await cache.get_or_load(("tarotapi", "deck"), load)


def one_card(deck: CompatDeck, code: str) -> bytes | None:
    """`{"nhits": 1, "card": {...}}` for an exact, case-sensitive short code."""
    index = deck.by_code.get(code)
    return None if index is None else b'{"nhits":1,"card":%s}' % deck.encoded[index]


def random_cards(deck: CompatDeck, n: str | None) -> bytes:
    """ceil(n) distinct shuffled cards for 0 < n <= 78; anything else shuffles the whole deck."""
    total = len(deck.cards)
    try:
        wanted = float(n) if n is not None and "_" not in n else math.nan
    except ValueError:
        wanted = math.nan
    count = math.ceil(wanted) if 0 < wanted <= total else total
    return cards_body(deck, random.sample(range(total), count))


def search(deck: CompatDeck, key: str, value: str) -> bytes:
    """Cards whose field `key` contains `value`, case-insensitively, in deck order."""
    needle = value.lower()

    def text(card: dict) -> str | None:
        if key == "q":
            return ",".join(str(v) for v in card.values())
        if key == "meaning":
            return card["meaning_up"] + "," + card["meaning_rev"]
        return str(card[key]) if key in card else None

    hits = []
    if key in ("q", "meaning", *FIELDS):  # an unknown key matches nothing
        for index, card in enumerate(deck.cards):
            haystack = text(card)
            if haystack is not None and needle in haystack.lower():
                hits.append(index)
    return cards_body(deck, hits)


def suit(deck: CompatDeck, name: str) -> bytes | None:
    """The 14 cards of a suit named exactly in lowercase."""
    if name not in SUITS:
        return None
    return cards_body(deck, [i for i, c in enumerate(deck.cards) if c.get("suit") == name])


def courts(deck: CompatDeck, rank: str | None = None) -> bytes | None:
    """The 16 court cards, or the 4 of one rank (`kings` works as `king`)."""
    if rank is not None:
        if len(rank) < 4:
            return None
        rank = rank.removesuffix("s")
        if rank not in COURTS:
            return None
    wanted = (rank,) if rank else COURTS
    return cards_body(
        deck, [i for i, c in enumerate(deck.cards) if c["type"] == "minor" and c["value"] in wanted]
    )
