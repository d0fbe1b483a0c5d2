"""Shapes shared across areas."""

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

Item = TypeVar("Item")

# Postgres text cannot hold NUL, and no field of ours needs control characters.
SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
IDENTIFIER = r"^[A-Za-z0-9-]{1,40}$"


class Page(BaseModel, Generic[Item]):
    """One page of a list, with the total across all pages."""

    items: list[Item]
    total: int = Field(description="How many items match, across all pages.")
    limit: int
    offset: int


class Problem(BaseModel):
    """An RFC 9457 problem details body."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict] | None = None
