"""Card shapes."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tarot.schemas.common import MULTI_LINE, SINGLE_LINE

Keyword = Annotated[str, Field(min_length=1, max_length=40, pattern=SINGLE_LINE)]


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
    image_url: str = Field(
        description="The card's face; the base is `TAROT_IMAGE_BASE_URL`.",
        examples=["/static/cards/the-magician.svg"],
    )


class DrawnCardRead(BaseModel):
    """A card as drawn, upright or reversed."""

    card: CardRead
    reversed: bool


class DailyCardRead(DrawnCardRead):
    """The card of the day for one UTC date."""

    date: str


class CardUpdate(BaseModel):
    """Admin edits to a card's texts; identity fields (id, code, suit, number) stay fixed."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=40, pattern=SINGLE_LINE)
    keywords_upright: list[Keyword] | None = Field(None, min_length=1, max_length=10)
    keywords_reversed: list[Keyword] | None = Field(None, min_length=1, max_length=10)
    meaning_upright: str | None = Field(None, min_length=1, max_length=4000, pattern=MULTI_LINE)
    meaning_reversed: str | None = Field(None, min_length=1, max_length=4000, pattern=MULTI_LINE)
    description: str | None = Field(None, min_length=1, max_length=2000, pattern=MULTI_LINE)
    astrology: str | None = Field(None, min_length=1, max_length=60, pattern=SINGLE_LINE)
