"""Private notes on your own readings."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from tarot.api.openapi import problems
from tarot.api.routing import Deferred
from tarot.deps import CurrentUser, SessionDep
from tarot.schemas.reading_options import NoteRead, NoteUpdate
from tarot.services import notes as note_service

router = APIRouter(route_class=Deferred, prefix="/readings", tags=["readings"])


@router.put(
    "/{reading_id}/note",
    response_model=NoteRead,
    summary="Write the private note on a reading you own",
    responses=problems(404, 422),
)
async def put_note(
    reading_id: uuid.UUID, data: NoteUpdate, session: SessionDep, user: CurrentUser
) -> NoteRead:
    return await note_service.set_note(
        session=session, reading_id=reading_id, owner_id=user.id, note=data.note
    )


@router.delete(
    "/{reading_id}/note",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove the note from a reading you own",
    responses=problems(404),
)
async def delete_note(reading_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    await note_service.delete_note(session=session, reading_id=reading_id, owner_id=user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
