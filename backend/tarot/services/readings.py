"""Readings: draw and store, fetch, retry and delete (the stream: services/pipeline/stream.py)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.config import Settings
from tarot.data.translations import catalog_language
from tarot.db.models import Reading
from tarot.db.session import Database
from tarot.errors import Conflict, NotFound, Unavailable
from tarot.schemas.readings import FollowUpSummary, ReadingCardRead, ReadingCreate, ReadingRead
from tarot.services.admission import queue_full
from tarot.services.cache import Cache
from tarot.services.layouts import choose_cards, custom_positions, lay_out_reading, spread_label
from tarot.services.memory import MemoryGuard
from tarot.services.pipeline.context import oriented
from tarot.services.pipeline.intake import enqueue, wake_on_commit
from tarot.services.pipeline.workers import ReadingQueue
from tarot.services.reader import named_sections
from tarot.services.spreads import get_spread_model
from tarot.statuses import ReadingStatus


async def create_reading(
    *,
    session: AsyncSession,
    db: Database,
    cache: Cache,
    queue: ReadingQueue,
    settings: Settings,
    memory: MemoryGuard,
    data: ReadingCreate,
    owner_id: uuid.UUID | None = None,
) -> Reading:
    """Draw the cards (or take the client's) and store the reading, written now or pending."""
    memory.admit_reading()
    positions = custom_positions(data.positions) if data.positions else None
    spread = None if positions else await get_spread_model(db=db, cache=cache, slug=data.spread)
    if positions:
        numbers = [place["position"] for place in positions]
    else:
        assert spread is not None  # a request names a spread or brings its positions
        numbers = [place.position for place in spread.positions]
    chosen = await choose_cards(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        count=len(numbers),
        reversals=data.reversals,
        seed=data.seed,
        given=data.cards,
    )
    reading = Reading(
        id=uuid.uuid4(),
        owner_id=owner_id,
        question=data.question,
        spread_slug=spread.slug if spread else None,
        positions=classified(positions),
        language=data.language,
        reversals=data.reversals,
        seed=data.seed,
        cards=[
            {"position": number, "card_id": card.id, "reversed": flipped}
            for number, (card, flipped) in zip(numbers, chosen, strict=True)
        ],
        draw_source="client" if data.cards else "server",
        focus=data.focus.value if data.focus else None,
        tone=data.tone.value if data.tone else None,
    )
    await enqueue(session=session, db=db, cache=cache, queue=queue, reading=reading)
    return reading


def classified(positions: list[dict] | None) -> list[dict] | None:
    """Custom positions with every class filled in: the client's, else the reader's guess."""
    if not positions:
        return positions
    from tarot.llm.reader.plan import position_class  # the reader's data loads on first use

    count = len(positions)
    return [
        place
        | {"class": place["class"] or position_class(place["name"], place["prompt"], count=count)}
        for place in positions
    ]


async def get_reading(
    *,
    session: AsyncSession,
    reading_id: uuid.UUID,
    owner_id: uuid.UUID | None = None,
    granted: bool = False,
) -> Reading:
    """A reading the caller may see: anonymous ones by id, owned ones by their owner only.

    `granted` means a stream token naming this reading was verified: its owner issued it.
    """
    reading = await session.get(Reading, reading_id, populate_existing=True)
    owner_ok = granted or reading is None or reading.owner_id in (None, owner_id)
    if reading is None or not owner_ok:
        raise NotFound(f"No reading {reading_id}.")
    return reading


async def to_schema(
    *,
    db: Database,
    cache: Cache,
    image_base_url: str,
    reading: Reading,
    stream_url: str | None = None,
    follow_ups: list[FollowUpSummary] | None = None,
    show_note: bool = False,
) -> ReadingRead:
    """Expand a stored reading with its cards' names and the spread's positions.

    The note is the owner's alone: callers set `show_note` only for the owner's own view.
    """
    _, layout = await lay_out_reading(
        db=db,
        cache=cache,
        image_base_url=image_base_url,
        reading=reading,
        language=catalog_language(reading.language),
    )
    cards = [
        ReadingCardRead(
            position=place.position,
            position_name=place.name,
            position_prompt=place.prompt,
            card_id=card.id,
            code=card.code,
            name=card.name,
            reversed=flipped,
            keywords=oriented(card, flipped)[0],
            image_url=card.image_url,
        )
        for place, card, flipped in layout
    ]
    reader = reading.reader or {}
    written_in = None
    if reading.status == ReadingStatus.completed:
        written_in = reader.get("language") if reading.provider == "offline" else reading.language
    # The row holds plain strings and JSON (status, focus, sections, attempts, ...): the schema
    # validates them into its enums and models, so they go in as untyped data.
    return ReadingRead.model_validate(
        dict(
            id=reading.id,
            status=reading.status,
            question=reading.question,
            spread=spread_label(reading),
            parent_id=reading.parent_id,
            follow_ups=follow_ups or [],
            draw_source=reading.draw_source or "server",
            focus=reading.focus,
            tone=reading.tone,
            note=reading.note if show_note else None,
            language=reading.language,
            reversals=reading.reversals,
            seed=reading.seed,
            cards=cards,
            interpretation=reading.interpretation,
            answer=reader.get("answer"),
            sections=named_sections(
                reader.get("sections", []), {card.position: card.position_name for card in cards}
            ),
            safety_class=reading.safety_class,
            written_language=written_in,
            language_fallback=bool(written_in and reader.get("language_fallback"))
            and reading.provider == "offline",
            provider=reading.provider,
            model=reading.model,
            attempts=reading.attempts or [],
            usage=reading.usage,
            error=reading.error,
            created_at=reading.created_at,
            started_at=reading.started_at,
            completed_at=reading.completed_at,
            stream_url=stream_url,
        )
    )


async def retry_reading(
    *,
    session: AsyncSession,
    db: Database,
    queue: ReadingQueue,
    settings: Settings,
    reading_id: uuid.UUID,
    owner_id: uuid.UUID | None = None,
) -> Reading:
    """Queue a failed reading to be written again, with the same cards and question."""
    reading = await get_reading(session=session, reading_id=reading_id, owner_id=owner_id)
    if reading.status != ReadingStatus.failed:
        raise Conflict(f"Only a failed reading can be written again; this one is {reading.status}.")
    # A soft check, as before: no admission lock, since a retry adds at most one reading.
    if await queue_full(session=session, limit=settings.queue_max_pending):
        raise Unavailable("Too many readings are waiting; please retry shortly.", retry_after=5)
    await db.write_turn(session)
    reading.status, reading.interpretation, reading.error = ReadingStatus.pending, "", None
    reading.provider = reading.model = reading.usage = reading.completed_at = None
    reading.attempts, reading.lease_until = [], None
    await session.flush()
    await wake_on_commit(session=session, db=db, queue=queue)
    return reading


async def delete_reading(
    *, session: AsyncSession, reading_id: uuid.UUID, owner_id: uuid.UUID | None = None
) -> None:
    """Delete a reading the caller may see."""
    reading = await get_reading(session=session, reading_id=reading_id, owner_id=owner_id)
    await session.execute(delete(Reading).where(Reading.id == reading.id))
