"""Your personal card of the day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Response

from tarot.api.openapi import headers
from tarot.api.routing import Deferred
from tarot.deps import CatalogCacheDep, CurrentUser, DbDep, SettingsDep
from tarot.errors import InvalidInput
from tarot.schemas.reading_options import PersonalDailyRead
from tarot.services import daily as daily_service

router = APIRouter(route_class=Deferred, prefix="/me", tags=["accounts"])


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"'{name}' is not an IANA time zone; use a name such as 'Europe/Madrid' or "
            "'Asia/Taipei'."
        ) from exc


@router.get(
    "/daily",
    response_model=PersonalDailyRead,
    summary="Your card of the day, by your local date",
    responses={
        200: {
            "description": "The same card all day; private, cached until your local midnight.",
            "headers": headers("Cache-Control"),
        },
        422: {"description": "`tz` is not an IANA time zone name."},
    },
)
async def get_my_daily_card(
    user: CurrentUser,
    db: DbDep,
    cache: CatalogCacheDep,
    settings: SettingsDep,
    tz: Annotated[
        str,
        Query(
            min_length=1,
            max_length=64,
            pattern=r"^[A-Za-z0-9_+\-/]+$",
            description="Your IANA time zone, e.g. `Asia/Taipei`.",
        ),
    ] = "UTC",
    language: Annotated[
        str, Query(max_length=16, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")
    ] = "en",
) -> Response:
    body, seconds = await daily_service.personal_daily(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        user_id=user.id,
        tz=_zone(tz),
        language=language,
        now=datetime.now(UTC),
    )
    return Response(
        body.model_dump_json(),
        media_type="application/json",
        headers={"Cache-Control": f"private, max-age={seconds}"},
    )
