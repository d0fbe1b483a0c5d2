"""Follow-up questions on a reading: one clarifier card, written and streamed like a reading."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from tarot.api.openapi import headers, problems
from tarot.api.readings import _stream_url
from tarot.api.routing import Deferred
from tarot.deps import (
    CatalogCacheDep,
    DbDep,
    MemoryDep,
    OptionalUser,
    QueueDep,
    SessionDep,
    SettingsDep,
    rate_limit,
)
from tarot.schemas.reading_options import FollowUpCreate
from tarot.schemas.readings import ReadingRead
from tarot.services import followups as follow_up_service
from tarot.services import readings as reading_service
from tarot.statuses import TERMINAL

router = APIRouter(route_class=Deferred, prefix="/readings", tags=["readings"])


@router.post(
    "/{reading_id}/follow-ups",
    response_model=ReadingRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ask a follow-up question; one clarifier card is read against the original spread",
    responses={
        202: {
            "description": "Accepted: the clarifier is drawn, the text is still to be written.",
            "headers": headers("Location"),
        },
        201: {
            "model": ReadingRead,
            "description": "Created and finished within the wait (wait=true).",
            "headers": headers("Location"),
        },
    }
    | problems(
        404,
        422,
        429,
        503,
        e404="No reading with that id that you may see.",
        e422="The body does not validate, the card is unknown or already in the spread, or "
        "the reading is itself a follow-up.",
        e429="Too many requests, or the reading has TAROT_MAX_FOLLOW_UPS follow-ups already.",
    ),
    dependencies=[rate_limit("readings")],
)
async def create_follow_up(
    reading_id: uuid.UUID,
    data: FollowUpCreate,
    user: OptionalUser,
    request: Request,
    response: Response,
    session: SessionDep,
    db: DbDep,
    cache: CatalogCacheDep,
    queue: QueueDep,
    settings: SettingsDep,
    memory: MemoryDep,
    wait: Annotated[bool, Query(description="Wait (bounded) for the finished answer.")] = False,
) -> ReadingRead:
    follow_up = await follow_up_service.create_follow_up(
        session=session,
        db=db,
        cache=cache,
        queue=queue,
        settings=settings,
        memory=memory,
        parent_id=reading_id,
        owner_id=user.id if user else None,
        data=data,
    )
    await session.commit()  # durable before any worker can see it (the wake goes at commit)
    # Written already when the offline reader wrote it: nothing to wait for, nothing to reload.
    waiting = wait and follow_up.status not in TERMINAL
    if waiting:
        queue.watch(follow_up.id)
    response.headers["Location"] = str(request.url_for("get_reading", reading_id=follow_up.id))
    if waiting and await queue.wait_done(follow_up.id, settings.reading_wait_seconds):
        follow_up = await reading_service.get_reading(
            session=session, reading_id=follow_up.id, owner_id=follow_up.owner_id
        )
    if wait and follow_up.status in TERMINAL:
        response.status_code = status.HTTP_201_CREATED
    return await reading_service.to_schema(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        reading=follow_up,
        stream_url=_stream_url(
            request, settings, reading_id=follow_up.id, owned=follow_up.owner_id is not None
        ),
    )
