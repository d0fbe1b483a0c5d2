"""Card catalog routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from tarot.api.http import language_headers, send_cached
from tarot.api.language import CatalogLanguage
from tarot.api.openapi import cached, headers, problems
from tarot.api.routing import Deferred
from tarot.deps import AdminUser, CatalogCacheDep, DbDep, SessionDep, SettingsDep
from tarot.schemas.cards import Arcana, CardRead, CardUpdate, DailyCardRead, DrawnCardRead, Suit
from tarot.schemas.common import IDENTIFIER, SINGLE_LINE, Page
from tarot.services import cards as card_service

router = APIRouter(route_class=Deferred, prefix="/cards", tags=["cards"])

CardId = Annotated[
    str, Path(pattern=IDENTIFIER, description="A slug (`the-magician`) or short code (`ar01`).")
]
MAX_SEED = 2**63 - 1


@router.get(
    "",
    response_model=Page[CardRead],
    summary="List and search cards",
    responses=cached("One page of cards, in deck order.", localized=True),
)
async def list_cards(
    request: Request,
    db: DbDep,
    cache: CatalogCacheDep,
    settings: SettingsDep,
    language: CatalogLanguage,
    arcana: Arcana | None = None,
    suit: Suit | None = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=SINGLE_LINE,
            description="Matches name, keywords and meanings in the language asked for.",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Response:
    cached = await card_service.list_cards(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        arcana=arcana,
        suit=suit,
        q=q,
        limit=limit,
        offset=offset,
        language=language,
    )
    return send_cached(request, cached, max_age=settings.cache_ttl_seconds, language=language)


@router.get(
    "/random",
    response_model=list[DrawnCardRead],
    summary="Draw random cards",
    responses={
        200: {
            "description": "Distinct cards, never cached.",
            "headers": headers("Cache-Control", "Vary", "Content-Language"),
        }
    },
)
async def random_cards(
    db: DbDep,
    cache: CatalogCacheDep,
    settings: SettingsDep,
    language: CatalogLanguage,
    n: Annotated[int, Query(ge=1, le=78, description="How many distinct cards.")] = 1,
    reversals: Annotated[bool, Query(description="Allow reversed cards.")] = True,
    seed: Annotated[
        int | None, Query(ge=0, le=MAX_SEED, description="Makes the draw reproducible.")
    ] = None,
) -> Response:
    body = await card_service.random_cards(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        n=n,
        reversals=reversals,
        seed=seed,
        language=language,
    )
    headers = {"Cache-Control": "no-store"} | language_headers(language)
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/daily",
    response_model=DailyCardRead,
    summary="The card of the day (UTC)",
    responses=cached("Cached until the next UTC midnight.", localized=True),
)
async def get_daily_card(
    request: Request,
    db: DbDep,
    cache: CatalogCacheDep,
    settings: SettingsDep,
    language: CatalogLanguage,
) -> Response:
    now = datetime.now(UTC)
    cached = await card_service.daily_card(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        day=now.date(),
        language=language,
    )
    return send_cached(request, cached, max_age=daily_max_age(now), language=language)


def daily_max_age(now: datetime) -> int:
    """Seconds until the next UTC midnight, when the card of the day changes (at least 1)."""
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return max(1, int((midnight - now).total_seconds()))


@router.get(
    "/{card_id}",
    response_model=CardRead,
    summary="One card by slug or short code",
    responses=cached("The card.", localized=True) | problems(404),
)
async def get_card(
    request: Request,
    card_id: CardId,
    db: DbDep,
    cache: CatalogCacheDep,
    settings: SettingsDep,
    language: CatalogLanguage,
) -> Response:
    cached = await card_service.get_card(
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        card_id=card_id,
        language=language,
    )
    return send_cached(request, cached, max_age=settings.cache_ttl_seconds, language=language)


@router.patch(
    "/{card_id}",
    response_model=CardRead,
    summary="Edit a card's texts (admin)",
    responses=problems(404),
)
async def update_card(
    card_id: CardId,
    data: CardUpdate,
    _admin: AdminUser,
    session: SessionDep,
    db: DbDep,
    cache: CatalogCacheDep,
    settings: SettingsDep,
) -> CardRead:
    return await card_service.update_card(
        session=session,
        db=db,
        cache=cache,
        image_base_url=settings.image_base_url,
        card_id=card_id,
        data=data,
    )
