"""Follow-up questions: a clarifier card read against the original spread, queued like readings."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.config import Settings
from tarot.db.models import Reading
from tarot.db.session import Database
from tarot.errors import InvalidInput, LimitReached
from tarot.schemas.reading_options import FollowUpCreate
from tarot.services.cache import Cache
from tarot.services.layouts import choose_cards
from tarot.services.memory import MemoryGuard
from tarot.services.pipeline.intake import enqueue
from tarot.services.pipeline.workers import ReadingQueue
from tarot.services.readings import get_reading

CLARIFIER = {
    "position": 1,
    "name": "Clarifier",
    "prompt": "What this card adds to the reading, for the question asked after it.",
    "class": "advice",
}


async def create_follow_up(
    *,
    session: AsyncSession,
    db: Database,
    cache: Cache,
    queue: ReadingQueue,
    settings: Settings,
    memory: MemoryGuard,
    parent_id: uuid.UUID,
    owner_id: uuid.UUID | None,
    data: FollowUpCreate,
) -> Reading:
    """Store a follow-up of a reading the caller may see, within the per-reading bound."""
    parent = await get_reading(session=session, reading_id=parent_id, owner_id=owner_id)
    if parent.parent_id is not None:
        raise InvalidInput("Ask follow-up questions on the original reading, not on a follow-up.")
    if db.is_postgres:  # two follow-ups at once must not both slip under the bound
        await session.execute(select(Reading.id).where(Reading.id == parent.id).with_for_update())
    asked = await session.scalar(
        select(func.count()).select_from(Reading).where(Reading.parent_id == parent.id)
    )
    if (asked or 0) >= settings.max_follow_ups:
        raise LimitReached(
            f"This reading already has {asked} follow-up(s), the most allowed "
            f"(TAROT_MAX_FOLLOW_UPS={settings.max_follow_ups}); start a new reading."
        )
    memory.admit_reading()
    [(card, flipped)] = await choose_cards(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        count=1,
        reversals=parent.reversals,
        seed=data.seed,
        given=[data.card] if data.card else None,
        exclude={item["card_id"] for item in parent.cards},
    )
    follow_up = Reading(
        id=uuid.uuid4(),
        owner_id=parent.owner_id,
        parent_id=parent.id,
        question=data.question,
        spread_slug=None,
        positions=[CLARIFIER],
        language=parent.language,
        reversals=parent.reversals,
        seed=data.seed,
        cards=[{"position": 1, "card_id": card.id, "reversed": flipped}],
        draw_source="client" if data.card else "server",
        focus=parent.focus,
        tone=data.tone.value if data.tone else parent.tone,
    )
    await enqueue(session=session, db=db, cache=cache, queue=queue, reading=follow_up)
    return follow_up
