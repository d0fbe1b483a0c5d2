"""Spread shapes."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tarot.schemas.common import MULTI_LINE, SINGLE_LINE

PositionPrompt = Annotated[str, Field(min_length=1, max_length=500, pattern=SINGLE_LINE)]


class SpreadPosition(BaseModel):
    """One place in a spread and what it asks."""

    position: int
    name: str
    prompt: str


class SpreadRead(BaseModel):
    """A spread with its ordered positions."""

    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    description: str
    positions: list[SpreadPosition]


class SpreadUpdate(BaseModel):
    """Admin edits to a spread's texts; the number of positions stays fixed."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=80, pattern=SINGLE_LINE)
    description: str | None = Field(None, min_length=1, max_length=2000, pattern=MULTI_LINE)
    position_prompts: dict[int, PositionPrompt] | None = Field(
        None, description="New prompts by position number.", max_length=20
    )
