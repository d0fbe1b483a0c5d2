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
    device_name: str | None = Field(
        None,
        max_length=100,
        pattern=SINGLE_LINE,
        description="Shown in GET /me/sessions; the User-Agent when left out.",
    )


class TokenRead(BaseModel):
    """A short access token for the Authorization header, and the session's refresh token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str | None = Field(
        None, description="Opaque; for POST /auth/refresh. Absent in cookie mode (it is a cookie)."
    )
    refresh_expires_in: int = Field(description="Seconds until the session ends unless refreshed.")
    session_id: uuid.UUID
    csrf_token: str | None = Field(
        None, description="Cookie mode only: send it as X-CSRF-Token to refresh and log out."
    )


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


class RefreshRequest(BaseModel):
    """A refresh token from the body (apps); browsers send the cookie instead."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=200, pattern=SINGLE_LINE)


class SessionRead(BaseModel):
    """One signed-in device."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    device_name: str | None
    created_at: UtcDatetime
    last_used_at: UtcDatetime
    expires_at: UtcDatetime = Field(description="When it ends unless refreshed before.")
    current: bool = Field(False, description="True for the session of this request's token.")


class PasswordChange(BaseModel):
    """The current password and the new one."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=10, max_length=128)
