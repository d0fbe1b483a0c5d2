"""Readings: draw and store, fetch, list, delete, and follow as server-sent events."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.config import Settings
from tarot.data.translations import catalog_language
from tarot.db.models import Reading
from tarot.db.outage import is_database_outage
from tarot.db.session import Database
from tarot.errors import Conflict, NotFound, Unavailable
from tarot.schemas.readings import FollowUpSummary, ReadingCardRead, ReadingCreate, ReadingRead
from tarot.services.admission import admit_pending
from tarot.services.cache import Cache
from tarot.services.contexts import context_for
from tarot.services.layouts import choose_cards, custom_positions, lay_out_reading, spread_label
from tarot.services.memory import MemoryGuard
from tarot.services.queue import TERMINAL, ReadingQueue
from tarot.services.reader import named_sections, structured
from tarot.services.spreads import get_spread_model

DB_POLL_SECONDS = 0.5
EVENT_ID = re.compile(r"([0-9]{1,9})-([0-9]{1,12})")
# Sent as the last frame when the server stops or the database fails mid-stream: an
# EventSource reconnects after this many milliseconds, with its Last-Event-ID.
RECONNECT_MS = 1000


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
    """Draw the cards (or take the client's) and store a pending reading for a worker."""
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
    await enqueue(session=session, db=db, cache=cache, settings=settings, reading=reading)
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


async def enqueue(
    *, session: AsyncSession, db: Database, cache: Cache, settings: Settings, reading: Reading
) -> None:
    """Add the reader's structured answer, then insert the reading as pending."""
    context = await context_for(
        db=db, cache=cache, image_base_url=settings.image_base_url, reading=reading, session=session
    )
    reader = structured(context=context, settings=settings)
    reading.safety_class, reading.reader = reader["safety_class"], reader
    reading.status, reading.interpretation, reading.attempts, reading.claims = "pending", "", [], 0
    # Last before the insert: the admission lock is held until the route commits, and
    # nothing in between may need a second pooled connection.
    await admit_pending(session=session, limit=settings.queue_max_pending)
    session.add(reading)
    await session.flush()


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
            keywords=card.keywords_reversed if flipped else card.keywords_upright,
            image_url=card.image_url,
        )
        for place, card, flipped in layout
    ]
    reader = reading.reader or {}
    written_in = None
    if reading.status == "completed":
        written_in = reader.get("language") if reading.provider == "offline" else reading.language
    return ReadingRead(
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


async def retry_reading(
    *,
    session: AsyncSession,
    queue: ReadingQueue,
    settings: Settings,
    reading_id: uuid.UUID,
    owner_id: uuid.UUID | None = None,
) -> Reading:
    """Queue a failed reading to be written again, with the same cards and question."""
    reading = await get_reading(session=session, reading_id=reading_id, owner_id=owner_id)
    if reading.status != "failed":
        raise Conflict(f"Only a failed reading can be written again; this one is {reading.status}.")
    if await queue.pending_count() >= settings.queue_max_pending:
        raise Unavailable("Too many readings are waiting; please retry shortly.", retry_after=5)
    reading.status, reading.interpretation, reading.error = "pending", "", None
    reading.provider = reading.model = reading.usage = reading.completed_at = None
    reading.attempts, reading.lease_until = [], None
    await session.flush()
    return reading


async def delete_reading(
    *, session: AsyncSession, reading_id: uuid.UUID, owner_id: uuid.UUID | None = None
) -> None:
    """Delete a reading the caller may see."""
    reading = await get_reading(session=session, reading_id=reading_id, owner_id=owner_id)
    await session.execute(delete(Reading).where(Reading.id == reading.id))


def _event(kind: str, data: dict | str, event_id: str | None = None) -> str:
    payload = data if isinstance(data, str) else json.dumps(data)
    lines = [f"event: {kind}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.extend(f"data: {line}" for line in payload.split("\n"))
    return "\n".join(lines) + "\n\n"


async def stream_events(
    *,
    db: Database,
    queue: ReadingQueue,
    settings: Settings,
    reading: Reading,
    last_event_id: str | None = None,
) -> AsyncIterator[str]:
    """SSE frames: what exists so far, then live chunks until `done` or `error`.

    A chunk's id is `<generation>-<length>`: the claim that wrote the text and how much of
    it the client now has. A reconnect resumes exactly there. A `reset` event says to start
    over: when the reading was written again since (its worker died and another took over),
    when the id is malformed, or when it claims more text than the reading has. Never a 4xx
    for a bad id: a browser's EventSource gives up for good on any non-200.
    """
    loop = asyncio.get_running_loop()
    generation, sent, understood = _parse_event_id(last_event_id)
    restart = not understood
    status, last_frame = None, loop.time()
    row: Reading | None = reading
    while True:
        if queue.draining:
            yield f"retry: {RECONNECT_MS}\n: this server is stopping; reconnect\n\n"
            return
        live = queue.live.get(reading.id)
        if live is None:
            try:
                row = row or await _fresh(db, reading.id)
            except Exception as exc:
                if not is_database_outage(exc):
                    raise
                yield f"retry: {RECONNECT_MS * 5}\n: the database is not answering\n\n"
                return
            if row is None:
                yield _event("error", {"error": "the reading was deleted"})
                return
            text, current, current_generation = row.interpretation, row.status, row.claims
        else:
            seen = live.version
            text, current, current_generation = live.text, live.status, live.generation
        frames = []
        # Text on this instance (live) or of a finished reading is final up to its length; a
        # reading running elsewhere may simply not have saved what the client saw yet.
        past_end = sent > len(text) and (live is not None or current in TERMINAL)
        stale = sent and generation is not None and (current_generation != generation or past_end)
        if restart or stale:
            frames.append(_event("reset", {"generation": current_generation}))
            sent, restart = 0, False
        generation = current_generation
        if current != status:
            status = current
            frames.append(_event("status", {"status": current}))
        if len(text) > sent:
            chunk_id = f"{generation}-{len(text)}"
            frames.append(_event("chunk", {"text": text[sent:]}, event_id=chunk_id))
            sent = len(text)
            if live is not None:
                live.delivered = True  # from now on this text pins its provider
        if live is None and row is not None and current == "completed":
            frames.append(_event("done", _done(row)))
        elif live is None and row is not None and current == "failed":
            frames.append(_event("error", {"error": row.error or "generation failed"}))
        for frame in frames:
            yield frame
        if live is None and current in TERMINAL:
            return
        if frames:
            last_frame = loop.time()
        elif loop.time() - last_frame >= settings.sse_heartbeat_seconds:
            last_frame = loop.time()
            yield ": keep-alive\n\n"
        row = None
        if live is not None:
            await live.wait_changed(seen, settings.sse_heartbeat_seconds)
        else:
            # Pending, or generating on another instance: follow the table instead.
            await asyncio.sleep(DB_POLL_SECONDS)


def _done(row: Reading) -> dict:
    """The `done` event: who wrote the reading, and the reader's structured answer."""
    reader = row.reader or {}
    return {
        "provider": row.provider,
        "model": row.model,
        "safety_class": row.safety_class,
        "answer": reader.get("answer"),
        "sections": reader.get("sections", []),
    }


def _parse_event_id(value: str | None) -> tuple[int | None, int, bool]:
    """(generation, length, understood) from a `Last-Event-ID` of the form `<int>-<int>`."""
    if not value:
        return None, 0, True
    match = EVENT_ID.fullmatch(value.strip())
    if match is None:
        return None, 0, False
    return int(match[1]), int(match[2]), True


async def _fresh(db: Database, reading_id: uuid.UUID) -> Reading | None:
    async with db.sessionmaker() as session:
        return await session.get(Reading, reading_id)
