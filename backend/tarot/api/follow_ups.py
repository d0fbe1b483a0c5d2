"""Follow-up questions on a reading: one clarifier card, written and streamed like a reading."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from tarot.api.openapi import problems
from tarot.api.reading_replies import ReplierDep, accepted_responses
from tarot.api.routing import Deferred
from tarot.deps import OptionalUser, rate_limit
from tarot.schemas.reading_options import FollowUpCreate
from tarot.schemas.readings import ReadingRead
from tarot.services import followups as follow_up_service

router = APIRouter(route_class=Deferred, prefix="/readings", tags=["readings"])


@router.post(
    "/{reading_id}/follow-ups",
    response_model=ReadingRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ask a follow-up question; one clarifier card is read against the original spread",
    responses=accepted_responses(
        "Accepted: the clarifier is drawn, the text is still to be written.", "Location"
    )
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
    reply: ReplierDep,
    wait: Annotated[bool, Query(description="Wait (bounded) for the finished answer.")] = False,
) -> ReadingRead:
    follow_up = await follow_up_service.create_follow_up(
        session=reply.session,
        db=reply.db,
        cache=reply.cache,
        queue=reply.queue,
        settings=reply.settings,
        memory=reply.memory,
        parent_id=reading_id,
        owner_id=user.id if user else None,
        data=data,
    )
    return await reply.accepted(follow_up, wait=wait)
