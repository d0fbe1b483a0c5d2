"""Account routes: register, log in, read and delete yourself."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request, Response, status

from tarot.api import sessions as session_routes
from tarot.api.openapi import problems
from tarot.api.routing import Deferred
from tarot.deps import CurrentUser, SessionDep, SettingsDep, rate_limit
from tarot.schemas.accounts import Login, TokenRead, UserCreate, UserRead
from tarot.services import accounts as account_service
from tarot.services import sessions as session_service

router = APIRouter(route_class=Deferred, tags=["accounts"])


@router.post(
    "/auth/register",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[rate_limit("auth")],
    summary="Create an account",
    responses=problems(409, e409="An account with this email already exists."),
)
async def register(data: UserCreate, session: SessionDep) -> UserRead:
    user = await account_service.register(session=session, email=data.email, password=data.password)
    return UserRead.model_validate(user)


@router.post(
    "/auth/login",
    response_model=TokenRead,
    dependencies=[rate_limit("auth")],
    summary="Exchange email and password for an access token and a refresh token",
)
async def login(
    data: Login,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    mode: Literal["token", "cookie"] = Query(
        "token", description="`cookie`: the refresh token is set as an httpOnly cookie instead."
    ),
) -> TokenRead:
    user = await account_service.authenticate(
        session=session, email=data.email, password=data.password
    )
    issued = await session_service.start(
        session=session,
        settings=settings,
        user=user,
        device_name=session_routes.device_name(data.device_name, request),
    )
    if mode == "cookie":
        session_routes.set_cookies(response, issued)
    return session_routes.token_body(issued, cookie_mode=mode == "cookie")


@router.get("/me", response_model=UserRead, summary="The signed-in account")
async def get_me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.delete(
    "/me", status_code=status.HTTP_204_NO_CONTENT, summary="Delete your account and readings"
)
async def delete_me(user: CurrentUser, session: SessionDep) -> Response:
    await account_service.delete_account(session=session, user=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
