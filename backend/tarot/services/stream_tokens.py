"""Short-lived tokens that let a browser's EventSource follow one reading.

EventSource cannot send an Authorization header, so a reading's `stream_url` carries a
signed `?token=` instead. It names one reading, has its own audience (an access token is not
a stream token, nor the other way round) and expires within minutes.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from tarot.config import Settings
from tarot.db.models import utcnow
from tarot.errors import Unauthorized
from tarot.services.accounts import ALGORITHM, signing_key

AUDIENCE = "tarot:reading-stream"


def issue_stream_token(*, settings: Settings, reading_id: uuid.UUID) -> str:
    """A token good for streaming `reading_id` only, for `TAROT_STREAM_TOKEN_SECONDS`."""
    import jwt

    now = utcnow()
    claims = {
        "aud": AUDIENCE,
        "rid": str(reading_id),
        "iat": now,
        "exp": now + timedelta(seconds=settings.stream_token_seconds),
    }
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM)


def check_stream_token(*, settings: Settings, token: str, reading_id: uuid.UUID) -> None:
    """Accept only an unexpired stream token for this very reading; anything else is 401."""
    import jwt

    try:
        claims = jwt.decode(
            token,
            signing_key(settings),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "aud", "rid"]},
        )
        granted = uuid.UUID(claims["rid"])
    except (jwt.PyJWTError, ValueError, TypeError):
        granted = None
    if granted != reading_id:
        raise Unauthorized("The stream token is invalid, expired or for another reading.")
