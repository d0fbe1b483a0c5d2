"""Card shapes."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Arcana(StrEnum):
    major = "major"
    minor = "minor"


class Suit(StrEnum):
    wands = "wands"
    cups = "cups"
    swords = "swords"
    pentacles = "pentacles"


class CardRead(BaseModel):
    """A card of the Rider-Waite-Smith deck."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    code: str
    name: str
    arcana: Arcana
    suit: Suit | None
    number: int
    rank: str | None
    keywords_upright: list[str]
    keywords_reversed: list[str]
    meaning_upright: str
    meaning_reversed: str
    description: str
    element: str
    astrology: str


class DrawnCardRead(BaseModel):
    """A card as drawn, upright or reversed."""

    card: CardRead
    reversed: bool


class DailyCardRead(DrawnCardRead):
    """The card of the day for one UTC date."""

    date: str
