"""Reading routes: create, fetch, follow (SSE), list, retry, delete and share."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from tarot.api.http import link
from tarot.api.openapi import headers, problems
from tarot.api.reading_replies import ReplierDep, accepted_responses
from tarot.api.routing import Deferred
from tarot.deps import (
    CurrentUser,
    DbDep,
    OptionalUser,
    QueueDep,
    SessionDep,
    SettingsDep,
    rate_limit,
)
from tarot.schemas.accounts import ShareRead
from tarot.schemas.common import SINGLE_LINE, Page
from tarot.schemas.readings import ReadingCreate, ReadingRead, ReadingSummary
from tarot.services import history as history_service
from tarot.services import idempotency as idempotency_service
from tarot.services import readings as reading_service
from tarot.services import shares as share_service
from tarot.services.pipeline.stream import stream_events
from tarot.services.stream_tokens import check_stream_token

router = APIRouter(route_class=Deferred, prefix="/readings", tags=["readings"])
StreamToken = Annotated[
    str | None,
    Query(
        max_length=1000,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="The token in a reading's `stream_url`; stands in for the bearer token.",
    ),
]


# The schema of one event of the stream; `data` is JSON text.
SSE_EVENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["status", "chunk", "reset", "done", "error"]},
        "id": {"type": "string", "pattern": "^[0-9]+-[0-9]+$"},
        "data": {"type": "string"},
    },
    "required": ["event", "data"],
    "examples": [{"event": "chunk", "id": "1-42", "data": '{"text": "The Magician says"}'}],
}
STREAMED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Events: status, chunk (id `<generation>-<length>`), reset, done, error.",
        "content": {"text/event-stream": {"schema": SSE_EVENT}},
        "headers": headers("Cache-Control"),
    }
}
REQUEUED: dict[int | str, dict[str, Any]] = {
    202: {"description": "Accepted: back on the queue, status pending."}
}


@router.post(
    "",
    response_model=ReadingRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ask a question; cards are drawn now and the interpretation is written next",
    responses=accepted_responses(
        "Accepted: the cards are drawn and stored, the text is still to be written (status "
        "pending). Poll Location or stream it.",
        "Location",
        "Idempotent-Replayed",
    )
    | problems(
        404,
        422,
        503,
        e404="No spread with that slug.",
        e422="The body does not validate (cards: unknown or repeated codes, or not one per "
        "position), or the Idempotency-Key was used with another body.",
    ),
    dependencies=[rate_limit("readings")],
)
async def create_reading(
    data: ReadingCreate,
    user: OptionalUser,
    reply: ReplierDep,
    wait: Annotated[bool, Query(description="Wait (bounded) for the finished reading.")] = False,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=255,
            pattern=r"^[!-~]+$",
            description="Any unique printable string; a retry with it gets the same reading "
            "for a day. The same key with a different body is a 422.",
        ),
    ] = None,
) -> ReadingRead:
    reading, replayed = await idempotency_service.create_reading_once(
        key=idempotency_key,
        ttl_seconds=reply.settings.idempotency_ttl_seconds,
        session=reply.session,
        db=reply.db,
        cache=reply.cache,
        queue=reply.queue,
        settings=reply.settings,
        memory=reply.memory,
        data=data,
        owner_id=user.id if user else None,
    )
    if replayed:
        reply.response.headers["Idempotent-Replayed"] = "true"
    return await reply.accepted(reading, wait=wait)


@router.get(
    "",
    response_model=Page[ReadingSummary],
    summary="Your readings, newest first; search by text and date",
)
async def list_readings(
    session: SessionDep,
    user: OptionalUser,
    ids: Annotated[
        list[uuid.UUID],
        Query(max_length=100, description="Anonymous readings you hold the ids of."),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=SINGLE_LINE,
            description="Text in the question or in your note (case-insensitive).",
        ),
    ] = None,
    since: Annotated[
        AwareDatetime | None, Query(description="Created at or after (ISO 8601 with offset).")
    ] = None,
    until: Annotated[
        AwareDatetime | None, Query(description="Created at or before (ISO 8601 with offset).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Page[ReadingSummary]:
    return await history_service.list_readings(
        session=session,
        owner_id=user.id if user else None,
        ids=ids,
        limit=limit,
        offset=offset,
        q=q,
        since=since,
        until=until,
    )


@router.get(
    "/{reading_id}",
    response_model=ReadingRead,
    summary="A reading and its status",
    responses=problems(404),
)
async def get_reading(reading_id: uuid.UUID, user: OptionalUser, reply: ReplierDep) -> ReadingRead:
    reading = await reading_service.get_reading(
        session=reply.session, reading_id=reading_id, owner_id=user.id if user else None
    )
    follow_ups = await history_service.follow_ups_of(session=reply.session, parent_id=reading.id)
    return await reply.present(
        reading,
        follow_ups=follow_ups,
        show_note=user is not None and reading.owner_id == user.id,
    )


@router.get(
    "/{reading_id}/stream",
    summary="Follow a reading as server-sent events",
    response_class=StreamingResponse,
    responses=STREAMED | problems(404),
)
async def stream_reading(
    reading_id: uuid.UUID,
    session: SessionDep,
    db: DbDep,
    queue: QueueDep,
    settings: SettingsDep,
    user: OptionalUser,
    last_event_id: Annotated[
        str | None,
        Header(description="Resume after this chunk id; an id we cannot use restarts the stream."),
    ] = None,
    token: StreamToken = None,
) -> StreamingResponse:
    if token is not None:
        check_stream_token(settings=settings, token=token, reading_id=reading_id)
    reading = await reading_service.get_reading(
        session=session,
        reading_id=reading_id,
        owner_id=user.id if user else None,
        granted=token is not None,
    )
    events = stream_events(
        db=db,
        queue=queue,
        settings=settings,
        reading=reading,
        last_event_id=last_event_id,
    )
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/{reading_id}/retry",
    response_model=ReadingRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Have a failed reading written again (same cards, same question)",
    responses=REQUEUED
    | problems(
        404,
        409,
        503,
        e404="No such reading, or not yours.",
        e409="The reading is not failed (pending, running or completed).",
    ),
    dependencies=[rate_limit("readings")],
)
async def retry_reading(
    reading_id: uuid.UUID, user: OptionalUser, reply: ReplierDep
) -> ReadingRead:
    reading = await reading_service.retry_reading(
        session=reply.session,
        db=reply.db,
        queue=reply.queue,
        settings=reply.settings,
        reading_id=reading_id,
        owner_id=user.id if user else None,
    )
    return await reply.requeued(reading)


@router.delete(
    "/{reading_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a reading",
    responses=problems(404),
)
async def delete_reading(
    reading_id: uuid.UUID, session: SessionDep, user: OptionalUser
) -> Response:
    await reading_service.delete_reading(
        session=session, reading_id=reading_id, owner_id=user.id if user else None
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{reading_id}/share",
    response_model=ShareRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create (or return) the public share link of a reading you own",
    responses=problems(404),
)
async def share_reading(
    reading_id: uuid.UUID, request: Request, session: SessionDep, user: CurrentUser
) -> ShareRead:
    token = await share_service.share_reading(
        session=session, reading_id=reading_id, owner_id=user.id
    )
    return ShareRead(token=token, url=link(request, "get_shared_reading", token=token))


@router.delete(
    "/{reading_id}/share",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke the share link",
    responses=problems(404),
)
async def revoke_share(reading_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    await share_service.revoke_share(session=session, reading_id=reading_id, owner_id=user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
