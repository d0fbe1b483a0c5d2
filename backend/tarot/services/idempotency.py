"""Idempotency-Key on POST /readings: a retried request gets the reading its first try made.

Keys live in the database, so a retry that lands on another instance is recognised too. The
(scope, key) primary key settles a race between two copies of one request: the second
insert fails, and that request answers with the first one's reading.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.db.models import IdempotencyKey, Reading, utcnow
from tarot.db.session import Database, rowcount
from tarot.errors import InvalidInput
from tarot.schemas.readings import ReadingCreate
from tarot.services import readings as reading_service

log = logging.getLogger("tarot.idempotency")
PURGE_EVERY_SECONDS = 3600.0
_next_purge = 0.0  # monotonic time of this process's next lazy purge


def fingerprint(data: ReadingCreate) -> str:
    """A hash of the validated body, defaults included: `{}` and its spelled-out twin agree."""
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def scope_of(owner_id: uuid.UUID | None) -> str:
    """Keys are per account; anonymous callers share one scope (their keys are random)."""
    return f"user:{owner_id}" if owner_id else "anonymous"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite drops the zone


async def _earlier(
    *, session: AsyncSession, scope: str, key: str, ttl_seconds: float
) -> IdempotencyKey | None:
    """The live record of this key; an expired one is deleted and does not count."""
    row = await session.get(IdempotencyKey, (scope, key), populate_existing=True)
    if row is not None and _aware(row.created_at) < utcnow() - timedelta(seconds=ttl_seconds):
        await session.delete(row)
        await session.flush()
        return None
    return row


async def _replay(
    *, session: AsyncSession, row: IdempotencyKey, digest: str, owner_id: uuid.UUID | None
) -> Reading:
    if row.request_hash != digest:
        raise InvalidInput(
            "This Idempotency-Key was already used with a different body; send a new key."
        )
    return await reading_service.get_reading(
        session=session, reading_id=row.reading_id, owner_id=owner_id
    )


async def create_reading_once(
    *,
    key: str | None,
    session: AsyncSession,
    ttl_seconds: float,
    data: ReadingCreate,
    owner_id: uuid.UUID | None,
    **create: Any,
) -> tuple[Reading, bool]:
    """(reading, replayed): a new reading, or the one an earlier request with `key` made."""
    if key is not None:
        await _purge_now_and_then(db=create["db"], ttl_seconds=ttl_seconds)
    if key is None:
        reading = await reading_service.create_reading(
            session=session, data=data, owner_id=owner_id, **create
        )
        return reading, False
    scope, digest = scope_of(owner_id), fingerprint(data)
    row = await _earlier(session=session, scope=scope, key=key, ttl_seconds=ttl_seconds)
    if row is not None:
        return await _replay(session=session, row=row, digest=digest, owner_id=owner_id), True
    reading = await reading_service.create_reading(
        session=session, data=data, owner_id=owner_id, **create
    )
    session.add(IdempotencyKey(scope=scope, key=key, request_hash=digest, reading_id=reading.id))
    try:
        await session.flush()
    except IntegrityError:
        # A concurrent copy of this request committed first: drop ours, answer with its reading.
        await session.rollback()
        row = await _earlier(session=session, scope=scope, key=key, ttl_seconds=ttl_seconds)
        if row is None:
            raise
        return await _replay(session=session, row=row, digest=digest, owner_id=owner_id), True
    return reading, False


async def _purge_now_and_then(*, db: Database, ttl_seconds: float) -> None:
    """Without the scheduler, old keys still go: once an hour per process, on a keyed request."""
    global _next_purge
    if time.monotonic() < _next_purge:
        return
    _next_purge = time.monotonic() + PURGE_EVERY_SECONDS
    try:
        await purge_expired(db=db, ttl_seconds=ttl_seconds)
    except DBAPIError:  # housekeeping only: another instance's purge may have locked the rows
        log.warning("purging expired idempotency keys failed; the next purge will retry")


async def purge_expired(*, db: Database, ttl_seconds: float) -> int:
    """Delete keys older than their lifetime (a scheduler job)."""
    cutoff = utcnow() - timedelta(seconds=ttl_seconds)
    async with db.sessionmaker.begin() as session:
        result = await session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)
        )
    return rowcount(result)
