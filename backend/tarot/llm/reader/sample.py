"""Reading contexts straight from the catalog files, for the quality tests and the benchmark."""

from __future__ import annotations

import json
from functools import cache

from tarot.llm.base import DrawnCard, ReadingContext
from tarot.llm.reader.data import CATALOG, SUITS
from tarot.services.draw import draw


@cache
def _deck() -> tuple[dict, ...]:
    cards = []
    for suit in SUITS:
        with (CATALOG / f"cards_{suit}.json").open(encoding="utf-8") as handle:
            cards.extend(json.load(handle))
    return tuple(cards)


@cache
def spreads() -> dict[str, dict]:
    """The catalog's spreads by slug."""
    with (CATALOG / "spreads.json").open(encoding="utf-8") as handle:
        return {spread["slug"]: spread for spread in json.load(handle)}


def context(
    question: str, spread: str, *, seed: int, language: str = "en", reversals: bool = True
) -> ReadingContext:
    """A seeded draw laid out as the queue would lay it out."""
    deck, layout = _deck(), spreads()[spread]
    picks = draw(
        count=len(layout["positions"]), deck_size=len(deck), reversals=reversals, seed=seed
    )
    cards = tuple(
        DrawnCard(
            position=place["position"],
            position_name=place["name"],
            position_prompt=place["prompt"],
            card_id=deck[index]["id"],
            card_name=deck[index]["name"],
            arcana=deck[index]["arcana"],
            suit=deck[index]["suit"],
            element=deck[index]["element"],
            reversed=flipped,
            keywords=tuple(deck[index]["keywords_reversed" if flipped else "keywords_upright"]),
            meaning=deck[index]["meaning_reversed" if flipped else "meaning_upright"],
        )
        for place, (index, flipped) in zip(layout["positions"], picks, strict=True)
    )
    return ReadingContext(question, layout["name"], language, cards, reversals)
