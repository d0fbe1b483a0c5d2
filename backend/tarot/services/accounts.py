"""Accounts: registration, password checks, tokens and deletion."""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import cache

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.config import Settings
from tarot.db.models import Reading, User, utcnow
from tarot.errors import Conflict, Unauthorized
from tarot.services.passwords import hash_password, needs_rehash, verify_password

ALGORITHM = "HS256"
PLACEHOLDER_KEYS = frozenset({"", "changeme", "change-me", "secret", "dev", "placeholder"})


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding space."""
    return email.strip().lower()


async def register(*, session: AsyncSession, email: str, password: str, role: str = "user") -> User:
    """Create an account; hashing runs off the event loop, a bounded few at a time."""
    email = normalize_email(email)
    if await session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("An account with this email already exists.")
    user = User(id=uuid.uuid4(), email=email, role=role)
    user.password_hash = await hash_password(password)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:  # a concurrent registration won the race
        raise Conflict("An account with this email already exists.") from None
    return user


async def authenticate(*, session: AsyncSession, email: str, password: str) -> User:
    """The account for these credentials, or 401 without saying which part was wrong."""
    user = await session.scalar(select(User).where(User.email == normalize_email(email)))
    # An unknown email is checked against a throwaway hash, so timing does not reveal it.
    if not await verify_password(user.password_hash if user else None, password):
        raise Unauthorized("Wrong email or password.")
    assert user is not None  # verify_password is False without a user
    if needs_rehash(user.password_hash):  # made with older parameters: upgrade it now
        user.password_hash = await hash_password(password)
    return user


def signing_key(settings: Settings) -> str:
    """The JWT key; refuses placeholders in production."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else ""
    if settings.is_production and (key.lower() in PLACEHOLDER_KEYS or len(key) < 32):
        raise RuntimeError("TAROT_SECRET_KEY must be set to a random value of 32+ characters")
    return key or _ephemeral_key()


@cache
def _ephemeral_key() -> str:
    # Development without a key: tokens simply stop working when the process restarts.
    import secrets

    return secrets.token_urlsafe(48)


def issue_token(
    *, settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID
) -> tuple[str, int]:
    """A signed access token naming the account and its session, and its lifetime in seconds."""
    import jwt

    lifetime = max(1, round(settings.access_token_minutes * 60))
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "iat": now,
        "exp": now + timedelta(seconds=lifetime),
    }
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM), lifetime


def claims_from_token(*, settings: Settings, token: str) -> tuple[uuid.UUID, uuid.UUID]:
    """Verify a token strictly (pinned algorithm, `exp` required): its account and session ids."""
    import jwt

    try:
        claims = jwt.decode(
            token,
            signing_key(settings),
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "sid"]},
        )
        return uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
    except (jwt.PyJWTError, ValueError, TypeError, AttributeError):
        raise Unauthorized("The access token is invalid or expired.") from None


async def delete_account(*, session: AsyncSession, user: User) -> None:
    """Delete the account and every reading it owns."""
    await session.execute(delete(Reading).where(Reading.owner_id == user.id))
    await session.execute(delete(User).where(User.id == user.id))


async def find_user(*, session: AsyncSession, email: str) -> User | None:
    """The account with this email, if any."""
    return await session.scalar(select(User).where(User.email == normalize_email(email)))


async def create_admin(*, session: AsyncSession, email: str, password: str) -> User:
    """Make an admin with this password, promoting (and re-keying) an existing account."""
    existing = await find_user(session=session, email=email)
    if existing is not None:
        existing.role = "admin"
        # Whoever runs this asked for this password: never leave the old one in place.
        existing.password_hash = await hash_password(password)
        return existing
    return await register(session=session, email=email, password=password, role="admin")
