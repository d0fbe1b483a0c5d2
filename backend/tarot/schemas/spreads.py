"""Spread shapes."""

from pydantic import BaseModel, ConfigDict, Field


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

    name: str | None = Field(None, min_length=1, max_length=80)
    description: str | None = Field(None, min_length=1, max_length=2000)
    position_prompts: dict[int, str] | None = Field(
        None, description="New prompts by position number.", max_length=20
    )
