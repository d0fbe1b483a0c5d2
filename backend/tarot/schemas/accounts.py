"""Account, token and share shapes."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tarot.schemas.common import SINGLE_LINE
from tarot.schemas.readings import UtcDatetime

EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"


class UserCreate(BaseModel):
    """Credentials for a new account or a login."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254, pattern=EMAIL_PATTERN, examples=["seer@example.com"])
    password: str = Field(min_length=10, max_length=128)

    @field_validator("email", mode="before")
    @classmethod
    def _normalize(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class Login(BaseModel):
    """Credentials to exchange for an access token."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254, pattern=SINGLE_LINE)
    password: str = Field(min_length=1, max_length=128)


class TokenRead(BaseModel):
    """A bearer token for the Authorization header."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int = Field(description="Seconds until the token expires.")


class UserRead(BaseModel):
    """The signed-in account."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: str
    created_at: UtcDatetime


class ShareRead(BaseModel):
    """A public link to one reading."""

    token: str
    url: str
