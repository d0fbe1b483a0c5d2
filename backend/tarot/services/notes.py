"""The owner's private note on a reading: a journal line, never shown in shared views."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tarot.db.models import Reading, utcnow
from tarot.errors import NotFound
from tarot.schemas.reading_options import NoteRead


async def _owned(session: AsyncSession, reading_id: uuid.UUID, owner_id: uuid.UUID) -> Reading:
    reading = await session.get(Reading, reading_id)
    if reading is None or reading.owner_id != owner_id:
        raise NotFound(f"No reading {reading_id}.")
    return reading


async def set_note(
    *, session: AsyncSession, reading_id: uuid.UUID, owner_id: uuid.UUID, note: str
) -> NoteRead:
    """Write (or replace) the note on a reading the caller owns."""
    reading = await _owned(session, reading_id, owner_id)
    reading.note, reading.note_updated_at = note, utcnow()
    await session.flush()
    return NoteRead(
        reading_id=reading.id, note=note, updated_at=reading.note_updated_at.isoformat()
    )


async def delete_note(*, session: AsyncSession, reading_id: uuid.UUID, owner_id: uuid.UUID) -> None:
    """Remove the note from a reading the caller owns."""
    reading = await _owned(session, reading_id, owner_id)
    reading.note, reading.note_updated_at = None, None
    await session.flush()
