"""ORM models: the catalog (cards, spreads) and the readings that double as the queue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from tarot.db.base import Base
from tarot.statuses import ReadingStatus


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class Card(Base):
    """One of the 78 Rider-Waite-Smith cards."""

    __tablename__ = "card"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    ordinal: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(40))
    arcana: Mapped[str] = mapped_column(String(8), index=True)
    suit: Mapped[str | None] = mapped_column(String(12), index=True)
    number: Mapped[int] = mapped_column(Integer)
    rank: Mapped[str | None] = mapped_column(String(12))
    keywords_upright: Mapped[list[str]] = mapped_column(JSON)
    keywords_reversed: Mapped[list[str]] = mapped_column(JSON)
    meaning_upright: Mapped[str] = mapped_column(Text)
    meaning_reversed: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    element: Mapped[str] = mapped_column(String(8))
    astrology: Mapped[str] = mapped_column(String(60))


class Spread(Base):
    """A layout of ordered positions; `positions` is a list of {position, name, prompt}."""

    __tablename__ = "spread"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text)
    positions: Mapped[list[dict]] = mapped_column(JSON)


class User(Base):
    """An account; readings it owns go when it goes."""

    __tablename__ = "user_account"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default="user")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Share(Base):
    """A public, revocable link to one reading."""

    __tablename__ = "share"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    reading_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reading.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Reading(Base):
    """A question, its drawn cards and interpretation; its status row is also the job queue."""

    __tablename__ = "reading"
    __table_args__ = (Index("ix_reading_status_created_at", "status", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(Text)
    # None for a custom spread or a follow-up: their positions are stored in `positions`.
    spread_slug: Mapped[str | None] = mapped_column(ForeignKey("spread.slug"))
    # [{"position": 1, "name": "...", "prompt": "...", "class": "advice"}, ...] or None
    positions: Mapped[list[dict] | None] = mapped_column(JSON)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reading.id", ondelete="CASCADE"), index=True
    )
    draw_source: Mapped[str] = mapped_column(String(8), default="server", server_default="server")
    focus: Mapped[str | None] = mapped_column(String(12))
    tone: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    note_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    language: Mapped[str] = mapped_column(String(16), default="en")
    reversals: Mapped[bool] = mapped_column(Boolean, default=True)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    # [{"position": 1, "card_id": "the-fool", "reversed": false}, ...]
    cards: Mapped[list[dict]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default=ReadingStatus.pending)
    interpretation: Mapped[str] = mapped_column(Text, default="")
    # The reader's own analysis, whoever writes the prose: crisis | medical | ... | None.
    safety_class: Mapped[str | None] = mapped_column(String(16))
    # {"answer": {...}, "sections": [...], "language": "en", "language_fallback": false}
    reader: Mapped[dict | None] = mapped_column(JSON)
    provider: Mapped[str | None] = mapped_column(String(20))
    model: Mapped[str | None] = mapped_column(String(80))
    # [{"provider": "gemini", "outcome": "rate_limited", "latency_ms": 12.5}, ...]
    attempts: Mapped[list[dict]] = mapped_column(JSON, default=list)
    usage: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IdempotencyKey(Base):
    """A client's Idempotency-Key on POST /readings: a retry gets the reading the key made."""

    __tablename__ = "idempotency_key"

    # "user:<uuid>" or "anonymous": the same key from two accounts is two keys.
    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    reading_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reading.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class AuthSession(Base):
    """One signed-in device: its refresh tokens rotate, and revoking it ends them all."""

    __tablename__ = "auth_session"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    device_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RefreshToken(Base):
    """A refresh token, kept only as its SHA-256; `used_at` is set once it has been rotated."""

    __tablename__ = "refresh_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_session.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
