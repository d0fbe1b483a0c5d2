"""Reading routes: create, fetch, follow (SSE), list and delete."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from tarot.api.http import link
from tarot.api.openapi import headers, problems
from tarot.api.routing import Deferred
from tarot.config import Settings
from tarot.deps import (
    CatalogCacheDep,
    CurrentUser,
    DbDep,
    MemoryDep,
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
from tarot.services.stream_tokens import check_stream_token, issue_stream_token
from tarot.statuses import TERMINAL

router = APIRouter(route_class=Deferred, prefix="/readings", tags=["readings"])
StreamToken = Annotated[
    str | None,
    Query(
        max_length=1000,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="The token in a reading's `stream_url`; stands in for the bearer token.",
    ),
]


def _stream_url(request: Request, settings: Settings, *, reading_id: uuid.UUID, owned: bool) -> str:
    url = str(request.url_for("stream_reading", reading_id=reading_id))
    if not owned:
        # The id is the capability already; no token, and PyJWT (+10 MB) stays unimported.
        return url
    token = issue_stream_token(settings=settings, reading_id=reading_id)
    return f"{url}?token={token}"


# The schema of one event of the stream; `data` is JSON text.
SSE_EVENT = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["status", "chunk", "reset", "done", "error"]},
        "id": {"type": "string", "pattern": "^[0-9]+-[0-9]+$"},
        "data": {"type": "string"},
    },
    "required": ["event", "data"],
    "examples": [{"event": "chunk", "id": "1-42", "data": '{"text": "The Magician says"}'}],
}


@router.post(
    "",
    response_model=ReadingRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ask a question; cards are drawn now and the interpretation is written next",
    responses={
        202: {
            "description": "Accepted: the cards are drawn and stored, the text is still to be "
            "written (status pending). Poll Location or stream it.",
            "headers": headers("Location", "Idempotent-Replayed"),
        },
        201: {
            "model": ReadingRead,
            "description": "Created and finished within the wait (wait=true).",
            "headers": headers("Location", "Idempotent-Replayed"),
        },
    }
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
    request: Request,
    response: Response,
    session: SessionDep,
    db: DbDep,
    cache: CatalogCacheDep,
    queue: QueueDep,
    settings: SettingsDep,
    memory: MemoryDep,
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
        ttl_seconds=settings.idempotency_ttl_seconds,
        session=session,
        db=db,
        cache=cache,
        queue=queue,
        settings=settings,
        memory=memory,
        data=data,
        owner_id=user.id if user else None,
    )
    # Durable before any worker can see it: a reading is never lost once accepted.
    await session.commit()
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    # Written already (the offline reader writes at once): nothing to wait for or reload.
    waiting = wait and reading.status not in TERMINAL
    if waiting:
        queue.watch(reading.id)
    response.headers["Location"] = link(request, "get_reading", reading_id=reading.id)
    if waiting and await queue.wait_done(reading.id, settings.reading_wait_seconds):
        reading = await reading_service.get_reading(
            session=session, reading_id=reading.id, owner_id=reading.owner_id
        )
    if wait and reading.status in TERMINAL:
        response.status_code = status.HTTP_201_CREATED
    return await reading_service.to_schema(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        reading=reading,
        stream_url=_stream_url(
            request, settings, reading_id=reading.id, owned=reading.owner_id is not None
        ),
    )


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
async def get_reading(
    reading_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    db: DbDep,
    cache: CatalogCacheDep,
    settings: SettingsDep,
) -> ReadingRead:
    reading = await reading_service.get_reading(
        session=session, reading_id=reading_id, owner_id=user.id if user else None
    )
    follow_ups = await history_service.follow_ups_of(session=session, parent_id=reading.id)
    return await reading_service.to_schema(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        reading=reading,
        stream_url=_stream_url(
            request, settings, reading_id=reading.id, owned=reading.owner_id is not None
        ),
        follow_ups=follow_ups,
        show_note=user is not None and reading.owner_id == user.id,
    )


@router.get(
    "/{reading_id}/stream",
    summary="Follow a reading as server-sent events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Events: status, chunk (id `<generation>-<length>`), reset, "
            "done, error.",
            "content": {"text/event-stream": {"schema": SSE_EVENT}},
            "headers": headers("Cache-Control"),
        }
    }
    | problems(404),
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
    responses={202: {"description": "Accepted: back on the queue, status pending."}}
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
    reading_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    db: DbDep,
    cache: CatalogCacheDep,
    queue: QueueDep,
    settings: SettingsDep,
) -> ReadingRead:
    reading = await reading_service.retry_reading(
        session=session,
        db=db,
        queue=queue,
        settings=settings,
        reading_id=reading_id,
        owner_id=user.id if user else None,
    )
    await session.commit()  # durable before a worker can look for it (woken at commit)
    return await reading_service.to_schema(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        reading=reading,
        stream_url=_stream_url(
            request, settings, reading_id=reading.id, owned=reading.owner_id is not None
        ),
    )


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
