"""How reading routes answer with a reading: its schema, its stream URL, and accept-or-wait."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.api.http import link, path_for
from tarot.api.openapi import headers
from tarot.config import Settings
from tarot.db.models import Reading
from tarot.db.session import Database
from tarot.deps import SessionDep
from tarot.schemas.readings import FollowUpSummary, ReadingRead
from tarot.services import readings as reading_service
from tarot.services.cache import Cache
from tarot.services.memory import MemoryGuard
from tarot.services.pipeline.workers import ReadingQueue
from tarot.services.stream_tokens import issue_stream_token
from tarot.state import state_of
from tarot.statuses import TERMINAL


def accepted_responses(accepted: str, *header_names: str) -> dict[int | str, dict[str, Any]]:
    """The 202 and 201 answers of a route that queues a reading and may wait for it."""
    return {
        202: {"description": accepted, "headers": headers(*header_names)},
        201: {
            "model": ReadingRead,
            "description": "Created and finished within the wait (wait=true).",
            "headers": headers(*header_names),
        },
    }


def stream_url(request: Request, settings: Settings, *, reading_id: uuid.UUID, owned: bool) -> str:
    """The reading's SSE URL; an owned reading's carries a token for that stream alone."""
    url = str(
        path_for(request.app, "stream_reading", reading_id=reading_id).make_absolute_url(
            request.base_url
        )
    )
    if not owned:
        # The id is the capability already; no token, and PyJWT (+10 MB) stays unimported.
        return url
    token = issue_stream_token(settings=settings, reading_id=reading_id)
    return f"{url}?token={token}"


@dataclass(slots=True)
class Replier:
    """The request and the app's parts a route needs to answer with a reading."""

    request: Request
    response: Response
    session: AsyncSession
    db: Database
    cache: Cache
    queue: ReadingQueue
    settings: Settings
    memory: MemoryGuard

    async def present(
        self,
        reading: Reading,
        *,
        follow_ups: list[FollowUpSummary] | None = None,
        show_note: bool = False,
    ) -> ReadingRead:
        """The reading as its schema, with its stream URL."""
        return await reading_service.to_schema(
            db=self.db,
            cache=self.cache,
            image_base_url=self.settings.image_base_url,
            reading=reading,
            stream_url=stream_url(
                self.request,
                self.settings,
                reading_id=reading.id,
                owned=reading.owner_id is not None,
            ),
            follow_ups=follow_ups,
            show_note=show_note,
        )

    async def requeued(self, reading: Reading) -> ReadingRead:
        """Commit a reading put back on the queue and answer it as it is now."""
        await self.session.commit()  # durable before a worker can look for it (woken at commit)
        return await self.present(reading)

    async def accepted(self, reading: Reading, *, wait: bool) -> ReadingRead:
        """Commit a new reading; then 202, or 201 if it is written within the wait.

        One the offline reader wrote in its INSERT, or a replay, may be finished already:
        then there is nothing to wait for or reload.
        """
        # Durable before any worker can see it (the wake goes at commit): never lost once accepted.
        await self.session.commit()
        waiting = wait and reading.status not in TERMINAL
        if waiting:
            self.queue.watch(reading.id)
        self.response.headers["Location"] = link(self.request, "get_reading", reading_id=reading.id)
        if waiting and await self.queue.wait_done(reading.id, self.settings.reading_wait_seconds):
            reading = await reading_service.get_reading(
                session=self.session, reading_id=reading.id, owner_id=reading.owner_id
            )
        if wait and reading.status in TERMINAL:
            self.response.status_code = status.HTTP_201_CREATED
        return await self.present(reading)


async def get_replier(request: Request, response: Response, session: SessionDep) -> Replier:
    # The app's parts come from the state container, not one sub-dependency each: this is
    # solved on every reading request.
    state = state_of(request.app)
    return Replier(
        request,
        response,
        session,
        state.db,
        state.catalog_cache,
        state.queue,
        state.settings,
        state.memory,
    )


ReplierDep = Annotated[Replier, Depends(get_replier)]
