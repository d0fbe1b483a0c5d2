"""Sessions: one row per signed-in device, rotating refresh tokens, reuse detection, revocation.

A refresh token is 256 random bits, so a plain SHA-256 is the right way to store it (a slow
password hash protects guessable secrets; this one cannot be guessed). Every token a session
ever had keeps its row: presenting one that was already rotated is a replay, and revokes the
whole session (RFC 9700 section 4.14.2).

Access tokens name their session. Checking it costs one primary-key lookup that also loads the
account, and a live session is then remembered for `TAROT_SESSION_CHECK_SECONDS` in a TTLCache,
so a hit costs only the account load every authenticated route already paid for. Revoking on
this instance evicts at once; other instances notice within that TTL.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cachetools import TTLCache
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.config import Settings
from tarot.db.models import AuthSession, RefreshToken, User, utcnow
from tarot.db.session import Database, rowcount
from tarot.errors import Forbidden, NotFound, Unauthorized
from tarot.services import accounts as account_service
from tarot.services.passwords import hash_password, verify_password

log = logging.getLogger("tarot.sessions")
SessionCache = TTLCache  # session id -> account id, for sessions seen alive recently


@dataclass(frozen=True, slots=True)
class Issued:
    """What a login or a refresh hands out."""

    session_id: uuid.UUID
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    csrf_token: str


def new_cache(settings: Settings) -> SessionCache:
    """The per-instance cache of live sessions."""
    return TTLCache(maxsize=4096, ttl=settings.session_check_seconds)


def hash_token(token: str) -> str:
    """The stored form of a refresh token."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(*, settings: Settings, session_id: uuid.UUID) -> str:
    """The double-submit token of a cookie session, bound to it by an HMAC."""
    key = account_service.signing_key(settings).encode()
    return hmac.new(key, b"csrf:" + session_id.bytes, hashlib.sha256).hexdigest()


def check_csrf(*, settings: Settings, session_id: uuid.UUID, given: str | None) -> None:
    """Refuse a cookie-authenticated request whose X-CSRF-Token is missing or wrong."""
    expected = csrf_token(settings=settings, session_id=session_id)
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("Send the X-CSRF-Token header you got with the cookie.")


def _lifetime(settings: Settings) -> timedelta:
    return timedelta(days=settings.refresh_token_days)


async def _issue(
    *, session: AsyncSession, settings: Settings, auth: AuthSession, now: datetime
) -> Issued:
    refresh = secrets.token_urlsafe(32)
    session.add(RefreshToken(token_hash=hash_token(refresh), session_id=auth.id, created_at=now))
    access, lifetime = account_service.issue_token(
        settings=settings, user_id=auth.user_id, session_id=auth.id
    )
    return Issued(
        session_id=auth.id,
        access_token=access,
        expires_in=lifetime,
        refresh_token=refresh,
        refresh_expires_in=int((auth.expires_at - now).total_seconds()),
        csrf_token=csrf_token(settings=settings, session_id=auth.id),
    )


async def start(
    *, session: AsyncSession, settings: Settings, user: User, device_name: str | None
) -> Issued:
    """Open a session for a signed-in account; its expired sessions are cleared on the way."""
    now = utcnow()
    await session.execute(
        delete(AuthSession).where(AuthSession.user_id == user.id, AuthSession.expires_at <= now)
    )
    auth = AuthSession(
        id=uuid.uuid4(),
        user_id=user.id,
        device_name=device_name,
        created_at=now,
        last_used_at=now,
        expires_at=now + _lifetime(settings),
    )
    session.add(auth)
    await session.flush()
    return await _issue(session=session, settings=settings, auth=auth, now=now)


async def _find(session: AsyncSession, token: str) -> tuple[RefreshToken, AuthSession] | None:
    row = (
        await session.execute(
            select(RefreshToken, AuthSession)
            .join(AuthSession, AuthSession.id == RefreshToken.session_id)
            .where(RefreshToken.token_hash == hash_token(token))
        )
    ).first()
    return (row[0], row[1]) if row else None


def _alive(auth: AuthSession, now: datetime) -> bool:
    return auth.revoked_at is None and _aware(auth.expires_at) > now


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored one is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def rotate(
    *,
    session: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    token: str,
    csrf: str | None = None,
    from_cookie: bool = False,
) -> Issued | None:
    """Trade a refresh token for new tokens; the old one stops working.

    None means the token had already been rotated: a replay. The session is then revoked,
    which the caller must still commit, and the event is logged without the token.
    """
    found = await _find(session, token)
    if found is None:
        raise Unauthorized("The refresh token is invalid or expired.")
    row, auth = found
    if from_cookie:
        check_csrf(settings=settings, session_id=auth.id, given=csrf)
    now = utcnow()
    if not _alive(auth, now):
        raise Unauthorized("The refresh token is invalid or expired.")
    claimed = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == row.token_hash, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    if rowcount(claimed) != 1:
        await _revoke_ids(session=session, cache=cache, ids=[auth.id], now=now)
        log.warning("refresh token reuse: revoked session %s of account %s", auth.id, auth.user_id)
        return None
    auth.last_used_at = now
    auth.expires_at = now + _lifetime(settings)
    return await _issue(session=session, settings=settings, auth=auth, now=now)


async def active_user(
    *, session: AsyncSession, cache: SessionCache, user_id: uuid.UUID, session_id: uuid.UUID
) -> User | None:
    """The account behind an access token, while its session lives; None once it ended."""
    if cache.get(session_id) == user_id:
        return await session.get(User, user_id)
    user = await session.scalar(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            AuthSession.id == session_id,
            User.id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow(),
        )
    )
    if user is not None:
        cache[session_id] = user_id
    return user


async def _revoke_ids(
    *, session: AsyncSession, cache: SessionCache, ids: list[uuid.UUID], now: datetime
) -> None:
    if ids:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id.in_(ids), AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    for session_id in ids:
        cache.pop(session_id, None)


async def end_by_refresh_token(
    *,
    session: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    token: str,
    csrf: str | None = None,
    from_cookie: bool = False,
) -> None:
    """Log out the session a refresh token belongs to; an unknown token changes nothing."""
    found = await _find(session, token)
    if found is None:
        return
    auth = found[1]
    if from_cookie:
        check_csrf(settings=settings, session_id=auth.id, given=csrf)
    await _revoke_ids(session=session, cache=cache, ids=[auth.id], now=utcnow())


async def end(
    *, session: AsyncSession, cache: SessionCache, user_id: uuid.UUID, session_id: uuid.UUID
) -> None:
    """Revoke one of the account's live sessions; another account's, or a dead one, is 404."""
    now = utcnow()
    live = await session.scalar(
        select(AuthSession.id).where(
            AuthSession.id == session_id,
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
    )
    if live is None:
        raise NotFound("No session of yours has this id.")
    await _revoke_ids(session=session, cache=cache, ids=[session_id], now=now)


async def list_live(*, session: AsyncSession, user_id: uuid.UUID) -> list[AuthSession]:
    """The account's sessions that can still refresh, most recently used first."""
    return list(
        await session.scalars(
            select(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > utcnow(),
            )
            .order_by(AuthSession.last_used_at.desc(), AuthSession.created_at.desc())
        )
    )


async def change_password(
    *,
    session: AsyncSession,
    cache: SessionCache,
    user: User,
    current_password: str,
    new_password: str,
    keep_session_id: uuid.UUID,
) -> None:
    """Set a new password after checking the current one; every other session ends."""
    if not await verify_password(user.password_hash, current_password):
        raise Forbidden("The current password is wrong.")
    user.password_hash = await hash_password(new_password)
    others = await session.scalars(
        select(AuthSession.id).where(
            AuthSession.user_id == user.id,
            AuthSession.id != keep_session_id,
            AuthSession.revoked_at.is_(None),
        )
    )
    await _revoke_ids(session=session, cache=cache, ids=list(others), now=utcnow())


async def purge_ended(*, db: Database) -> int:
    """Delete sessions past their expiry, and their refresh tokens with them (a scheduler job)."""
    async with db.sessionmaker.begin() as session:
        result = await session.execute(
            delete(AuthSession).where(AuthSession.expires_at <= utcnow())
        )
    return rowcount(result)
