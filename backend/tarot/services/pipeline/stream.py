"""Server-sent events of one reading: what exists so far, then live chunks to the end."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator

from tarot.config import Settings
from tarot.db.models import Reading
from tarot.db.outage import is_database_outage
from tarot.db.session import Database
from tarot.services.pipeline.workers import ReadingQueue
from tarot.statuses import TERMINAL, ReadingStatus

DB_POLL_SECONDS = 0.5
EVENT_ID = re.compile(r"([0-9]{1,9})-([0-9]{1,12})")
# Sent as the last frame when the server stops or the database fails mid-stream: an
# EventSource reconnects after this many milliseconds, with its Last-Event-ID.
RECONNECT_MS = 1000


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
        if live is None and row is not None and current == ReadingStatus.completed:
            frames.append(_event("done", _done(row)))
        elif live is None and row is not None and current == ReadingStatus.failed:
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
