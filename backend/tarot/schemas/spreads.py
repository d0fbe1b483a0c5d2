"""Spread shapes."""

from pydantic import BaseModel, ConfigDict


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
