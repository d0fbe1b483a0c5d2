"""A personal daily card: seeded by the account and its local date, cached until local midnight."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cachetools import TLRUCache

from tarot.db.session import Database
from tarot.llm.base import ReadingContext
from tarot.schemas.reading_options import PersonalDailyRead
from tarot.schemas.spreads import SpreadPosition
from tarot.services.cache import Cache
from tarot.services.cards import load_deck
from tarot.services.draw import draw
from tarot.services.pipeline.context import drawn_cards

DAILY_POSITION = SpreadPosition(position=1, name="Today", prompt="What today asks of you.")


@dataclass(frozen=True, slots=True)
class _Entry:
    body: PersonalDailyRead
    expires: float  # the local midnight, as a POSIX time


# One entry per (user, local date, language); each lives until that user's local midnight.
_cache: TLRUCache = TLRUCache(maxsize=2048, ttu=lambda _key, entry, _now: entry.expires)


def personal_seed(user_id: uuid.UUID, day: date) -> int:
    """A seed from the account and its local date: one card per person per day."""
    digest = hashlib.sha256(f"tarot-daily:{user_id}:{day.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def local_day(tz: ZoneInfo, now: datetime) -> tuple[date, datetime]:
    """The local date at `now` and the next local midnight (aware)."""
    local = now.astimezone(tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tz)
    return local.date(), midnight


async def personal_daily(
    *,
    db: Database,
    cache: Cache,
    image_base_url: str,
    user_id: uuid.UUID,
    tz: ZoneInfo,
    language: str,
    now: datetime,
) -> tuple[PersonalDailyRead, int]:
    """Today's card for this account with a short offline reading, and seconds to local midnight."""
    day, midnight = local_day(tz, now)
    seconds = max(1, int((midnight - now).total_seconds()))
    key = (user_id, day.isoformat(), language)
    entry = _cache.get(key)
    if entry is None:
        deck = await load_deck(db=db, cache=cache, image_base_url=image_base_url)
        [(index, flipped)] = draw(
            count=1, deck_size=len(deck), reversals=True, seed=personal_seed(user_id, day)
        )
        card = deck[index]
        context = ReadingContext(
            "What does today ask of me?",
            "Daily card",
            language,
            drawn_cards([(DAILY_POSITION, card, flipped)], {}),
        )
        body = PersonalDailyRead(
            date=day.isoformat(),
            timezone=tz.key,
            card=card,
            reversed=flipped,
            reading=short_reading(context),
        )
        entry = _Entry(body, now.timestamp() + seconds)
        _cache[key] = entry
    return entry.body, seconds


def short_reading(context: ReadingContext) -> str:
    """A few sentences from the offline reader: the card's own section and its advice."""
    from tarot.llm.reader.compose import write  # the reader's data loads on first use
    from tarot.llm.reader.grammar import grammar

    written = write(context)
    section = written.sections[0]["text"] if written.sections else ""
    return grammar(written.language).sentences([part for part in (section, written.advice) if part])
