"""Share links: a random token that opens one reading, read-only, until revoked."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.db.models import Reading, Share
from tarot.db.session import rowcount
from tarot.errors import Conflict, NotFound
from tarot.services.readings import get_reading

TOKEN_BYTES = 24  # 192 bits


async def share_reading(
    *, session: AsyncSession, reading_id: uuid.UUID, owner_id: uuid.UUID
) -> str:
    """The reading's share token, created on first ask; owners only."""
    reading = await get_reading(session=session, reading_id=reading_id, owner_id=owner_id)
    if reading.owner_id != owner_id:
        raise NotFound(f"No reading {reading_id}.")
    existing = await session.scalar(select(Share.token).where(Share.reading_id == reading.id))
    if existing:
        return existing
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        async with session.begin_nested():
            session.add(Share(token=token, reading_id=reading.id))
    except IntegrityError:  # a concurrent request shared it first: return that link
        winner = await session.scalar(select(Share.token).where(Share.reading_id == reading.id))
        if winner is None:  # shared and revoked again in between: ask the client to retry
            raise Conflict("The share link changed while it was made; try again.") from None
        return winner
    return token


async def shared_reading(*, session: AsyncSession, token: str) -> Reading:
    """The reading behind a live share token."""
    reading = await session.scalar(
        select(Reading).join(Share, Share.reading_id == Reading.id).where(Share.token == token)
    )
    if reading is None:
        raise NotFound("This share link does not exist or was revoked.")
    return reading


async def revoke_share(
    *, session: AsyncSession, reading_id: uuid.UUID, owner_id: uuid.UUID
) -> None:
    """Revoke the reading's share link; owners only."""
    reading = await get_reading(session=session, reading_id=reading_id, owner_id=owner_id)
    if reading.owner_id != owner_id:
        raise NotFound(f"No reading {reading_id}.")
    result = await session.execute(delete(Share).where(Share.reading_id == reading.id))
    if not rowcount(result):
        raise NotFound("This reading has no share link.")
