"""Reading shapes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    field_validator,
    model_validator,
)

from tarot.schemas.reading_options import (
    ClientCards,
    CustomPositions,
    DrawSource,
    Focus,
    Tone,
    check_distinct,
)
from tarot.statuses import ReadingStatus
from tarot.text import clean_question

MAX_SEED = 2**63 - 1


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every stored time is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


UtcDatetime = Annotated[datetime, AfterValidator(_aware)]


class ReadingCreate(BaseModel):
    """A request for a reading."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1, max_length=500, examples=["What should I focus on this month?"]
    )
    spread: str = Field("three-card", min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")
    reversals: bool = True
    # Strict: JSON `true` and `2.0` are not seeds, although lax pydantic would take them as 1 and 2.
    seed: StrictInt | None = Field(
        None, ge=0, le=MAX_SEED, description="Makes the draw reproducible."
    )
    language: str = Field(
        "en",
        max_length=16,
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$",
        description="BCP 47 tag of the reply language.",
    )
    positions: CustomPositions | None = Field(
        None, description="A spread of your own (1-12 positions) instead of a named `spread`."
    )
    cards: ClientCards | None = Field(
        None,
        description="Cards you drew yourself, one per position in order; distinct codes.",
    )
    focus: Focus | None = Field(
        None, description="The area to read for when the question names none."
    )
    tone: Tone | None = Field(None, description="The reader's voice.")

    @field_validator("question")
    @classmethod
    def _clean(cls, value: str) -> str:
        cleaned = clean_question(value)
        if not cleaned:
            raise ValueError("the question is empty once control characters are removed")
        return cleaned

    @model_validator(mode="after")
    def _consistent(self) -> ReadingCreate:
        if self.positions is not None and "spread" in self.model_fields_set:
            raise ValueError("give either `spread` or `positions`, not both")
        check_distinct(self.cards)
        if self.cards is not None and self.positions is not None:
            if len(self.cards) != len(self.positions):
                raise ValueError(
                    f"{len(self.cards)} cards given for {len(self.positions)} positions; "
                    "give one card per position"
                )
        return self


class ReadingCardRead(BaseModel):
    """A card laid in a position."""

    position: int
    position_name: str
    position_prompt: str
    card_id: str
    code: str
    name: str
    reversed: bool
    keywords: list[str]
    image_url: str = Field(description="The card's face; show it turned 180° when reversed.")


class AttemptRead(BaseModel):
    """One call made to a provider while writing the reading."""

    provider: str
    outcome: str
    latency_ms: float
    detail: str | None = None  # why it failed, e.g. "gemini finished with MAX_TOKENS"


class ReadingAnswer(BaseModel):
    """The reader's answer, from its own card analysis whichever provider wrote the prose."""

    question_type: Literal["yes_no", "either_or", "how", "when", "open"]
    lean: Literal["yes", "no", "unclear", "not_applicable"]
    strength: float = Field(ge=0, le=1, description="How firmly the cards point, 0 to 1.")
    positions: list[int] = Field(description="The positions the answer rests on.")
    related_positions: list[int] = Field(
        default_factory=list,
        description="A follow-up's: the original reading's positions its clarifier speaks to.",
    )
    summary: str
    advice: str


class ReadingSection(BaseModel):
    """What one position says, as the offline reader reads it."""

    position: int
    position_name: str
    position_class: str
    card_id: str
    reversed: bool
    text: str


class FollowUpSummary(BaseModel):
    """A follow-up question as listed on its parent reading."""

    id: uuid.UUID
    status: ReadingStatus
    question: str
    created_at: UtcDatetime


class ReadingRead(BaseModel):
    """A reading with its cards, interpretation and provenance."""

    id: uuid.UUID
    status: ReadingStatus
    question: str
    spread: str = Field(description="The spread's slug; `custom` or `follow-up` otherwise.")
    parent_id: uuid.UUID | None = Field(None, description="The reading a follow-up belongs to.")
    follow_ups: list[FollowUpSummary] = Field(default_factory=list)
    draw_source: DrawSource = DrawSource.server
    focus: Focus | None = None
    tone: Tone | None = None
    note: str | None = Field(None, description="Your private note; only you see it.")
    language: str
    reversals: bool
    seed: int | None
    cards: list[ReadingCardRead]
    interpretation: str
    answer: ReadingAnswer | None
    sections: list[ReadingSection]
    safety_class: Literal["crisis", "medical", "pregnancy", "legal", "money"] | None = Field(
        description="Set when the question needs care first; a crisis gets no verdict."
    )
    written_language: str | None = Field(
        description="The language the interpretation is written in, once it is written."
    )
    language_fallback: bool = Field(
        description="True when the offline reader lacked the language and wrote English."
    )
    provider: str | None
    model: str | None
    attempts: list[AttemptRead]
    usage: dict | None
    error: str | None
    created_at: UtcDatetime
    started_at: UtcDatetime | None
    completed_at: UtcDatetime | None
    stream_url: str | None = Field(
        None,
        description="Follow this reading as server-sent events without an Authorization "
        "header (for EventSource). An owned reading's URL carries a token that expires after "
        "TAROT_STREAM_TOKEN_SECONDS; fetch the reading again for a fresh one.",
    )


class SharedReadingRead(BaseModel):
    """A shared reading as anyone with the link sees it: no seed, attempts, usage or error."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: ReadingStatus
    question: str
    spread: str
    language: str
    reversals: bool
    cards: list[ReadingCardRead]
    interpretation: str
    provider: str | None
    model: str | None
    created_at: UtcDatetime
    started_at: UtcDatetime | None
    completed_at: UtcDatetime | None


class ReadingSummary(BaseModel):
    """A reading as listed in a history."""

    id: uuid.UUID
    status: ReadingStatus
    question: str
    spread: str
    note: str | None = None
    provider: str | None
    created_at: UtcDatetime
