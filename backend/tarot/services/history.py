"""A caller's reading history: newest first, searchable by text and date."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.db.models import Reading
from tarot.schemas.common import Page
from tarot.schemas.readings import FollowUpSummary, ReadingSummary
from tarot.services.layouts import spread_label
from tarot.statuses import ReadingStatus


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_readings(
    *,
    session: AsyncSession,
    owner_id: uuid.UUID | None,
    ids: list[uuid.UUID],
    limit: int,
    offset: int,
    q: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[ReadingSummary]:
    """The caller's readings (not their follow-ups): owned ones, or the anonymous ids held.

    `q` matches the question, and the owner's notes; `since` and `until` bound the creation time.
    """
    if owner_id is not None:
        scope = Reading.owner_id == owner_id
    else:
        scope = Reading.id.in_(ids) & Reading.owner_id.is_(None)
    scope &= Reading.parent_id.is_(None)
    if q:
        pattern = _like(q)
        matches: ColumnElement[bool] = func.lower(Reading.question).like(pattern, escape="\\")
        if owner_id is not None:
            matches = or_(matches, func.lower(Reading.note).like(pattern, escape="\\"))
        scope &= matches
    if since is not None:
        scope &= Reading.created_at >= since
    if until is not None:
        scope &= Reading.created_at <= until
    total = await session.scalar(select(func.count()).select_from(Reading).where(scope))
    rows = await session.scalars(
        select(Reading).where(scope).order_by(Reading.created_at.desc()).limit(limit).offset(offset)
    )
    items = [
        ReadingSummary(
            id=row.id,
            status=ReadingStatus(row.status),
            question=row.question,
            spread=spread_label(row),
            note=row.note if owner_id is not None else None,
            provider=row.provider,
            created_at=row.created_at,
        )
        for row in rows
    ]
    return Page[ReadingSummary](items=items, total=total or 0, limit=limit, offset=offset)


async def follow_ups_of(*, session: AsyncSession, parent_id: uuid.UUID) -> list[FollowUpSummary]:
    """A reading's follow-ups, oldest first."""
    rows = await session.scalars(
        select(Reading).where(Reading.parent_id == parent_id).order_by(Reading.created_at)
    )
    return [
        FollowUpSummary(
            id=row.id,
            status=ReadingStatus(row.status),
            question=row.question,
            created_at=row.created_at,
        )
        for row in rows
    ]
