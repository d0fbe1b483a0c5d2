"""Request parts a reading may carry: custom positions, client-drawn cards, focus and tone."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tarot.schemas.cards import CardRead
from tarot.schemas.common import IDENTIFIER, SINGLE_LINE
from tarot.text import clean_question

MAX_POSITIONS = 12
MAX_NOTE_CHARS = 2000


class PositionClass(StrEnum):
    """How the reader reads a position (the offline reader's classes)."""

    past = "past"
    present = "present"
    future = "future"
    outcome = "outcome"
    challenge = "challenge"
    foundation = "foundation"
    crown = "crown"
    self = "self"
    other = "other"
    connection = "connection"
    environment = "environment"
    hopes_fears = "hopes_fears"
    hidden = "hidden"
    advice = "advice"
    single = "single"


class Focus(StrEnum):
    """The life area a reading leans to when the question names none."""

    love = "love"
    career = "career"
    money = "money"
    wellbeing = "wellbeing"
    spiritual = "spiritual"
    general = "general"


class Tone(StrEnum):
    """The reader's voice."""

    gentle = "gentle"
    direct = "direct"
    practical = "practical"


class DrawSource(StrEnum):
    server = "server"
    client = "client"


def _one_line(value: str) -> str:
    cleaned = clean_question(value)
    if not cleaned:
        raise ValueError("must not be empty once control characters are removed")
    return cleaned


class CustomPosition(BaseModel):
    """One position of a spread the client defines."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=60, pattern=SINGLE_LINE, examples=["Root"])
    prompt: str = Field(
        min_length=1, max_length=200, pattern=SINGLE_LINE, examples=["What this grows from."]
    )
    position_class: PositionClass | None = Field(
        None,
        alias="class",
        description="How to read it; inferred from the name and prompt when absent.",
    )

    _clean = field_validator("name", "prompt")(classmethod(lambda cls, value: _one_line(value)))


class ClientCard(BaseModel):
    """A card the client drew itself (a browser draw, a physical deck)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        pattern=IDENTIFIER,
        description="The card's short code (`ar01`) or slug (`the-magician`).",
        examples=["ar01"],
    )
    reversed: bool = False


CustomPositions = Annotated[list[CustomPosition], Field(min_length=1, max_length=MAX_POSITIONS)]
ClientCards = Annotated[list[ClientCard], Field(min_length=1, max_length=78)]


def check_distinct(cards: list[ClientCard] | None) -> None:
    """Raise ValueError when a card code appears twice."""
    if not cards:
        return
    seen: set[str] = set()
    for card in cards:
        code = card.code.lower()
        if code in seen:
            raise ValueError(f"card '{card.code}' is given twice; a deck holds each card once")
        seen.add(code)


class FollowUpCreate(BaseModel):
    """A follow-up question on a reading; one clarifier card answers it."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=500, examples=["What is blocking the new role?"])
    card: ClientCard | None = Field(
        None, description="The clarifier, if the client drew it; else the server draws one."
    )
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Makes the draw reproducible.")
    tone: Tone | None = Field(None, description="Defaults to the original reading's tone.")

    _clean = field_validator("question")(classmethod(lambda cls, value: _one_line(value)))


class NoteUpdate(BaseModel):
    """The owner's private note on a reading."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(
        min_length=1,
        max_length=MAX_NOTE_CHARS,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
        examples=["The interview went well; the Eight of Pentacles was right."],
    )


class NoteRead(BaseModel):
    """A note as stored."""

    reading_id: uuid.UUID
    note: str
    updated_at: str = Field(description="When the note was last written (ISO 8601, UTC).")


class PersonalDailyRead(BaseModel):
    """Your card of the day, in your time zone, with a short reading."""

    date: str = Field(description="Your local date (ISO 8601).")
    timezone: str = Field(description="The IANA time zone the date is in.")
    card: CardRead
    reversed: bool
    reading: str = Field(description="A short offline reading of the card for the day.")
