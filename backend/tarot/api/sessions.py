"""Session routes: refresh, logout, your sessions, password change; and the browser cookies.

Apps keep the refresh token themselves and send it in the body. Browsers log in with
`?mode=cookie`: the refresh token then lives in an httpOnly cookie scoped to /api/v1/auth,
and the cookie-authenticated refresh and logout need the X-CSRF-Token header (a signed
double-submit token, also readable from the `tarot_csrf` cookie by the page's own script).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal, TypedDict

from fastapi import APIRouter, Body, Cookie, Header, Request, Response, status
from fastapi.responses import JSONResponse

from tarot.api.openapi import problems
from tarot.api.routing import Deferred
from tarot.deps import (
    CurrentSessionId,
    CurrentUser,
    SessionCacheDep,
    SessionDep,
    SettingsDep,
    get_optional_user,
    rate_limit,
)
from tarot.errors import Unauthorized, problem
from tarot.schemas.accounts import PasswordChange, RefreshRequest, SessionRead, TokenRead
from tarot.schemas.examples import REFRESH
from tarot.services import sessions as session_service

router = APIRouter(route_class=Deferred, tags=["sessions"])

REFRESH_COOKIE = "tarot_refresh"
CSRF_COOKIE = "tarot_csrf"
COOKIE_PATH = "/api/v1/auth"  # refresh and logout; never sent with other requests
REPLAYED = "The refresh token was already used; the session has been ended. Sign in again."

RefreshCookie = Annotated[str | None, Cookie(alias=REFRESH_COOKIE, include_in_schema=False)]
CsrfHeader = Annotated[
    str | None,
    Header(alias="X-CSRF-Token", description="Cookie mode: the csrf_token of the login."),
]
# Apps send the token here; browsers send no body (the cookie carries it).
RefreshBody = Annotated[RefreshRequest | None, Body(examples=[REFRESH])]


def token_body(issued: session_service.Issued, *, cookie_mode: bool) -> TokenRead:
    """The JSON answer of a login or refresh; in cookie mode the refresh token stays a cookie."""
    return TokenRead(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=None if cookie_mode else issued.refresh_token,
        refresh_expires_in=issued.refresh_expires_in,
        session_id=issued.session_id,
        csrf_token=issued.csrf_token if cookie_mode else None,
    )


class _CookieOptions(TypedDict):
    max_age: int
    secure: bool
    samesite: Literal["lax"]


def set_cookies(response: Response, issued: session_service.Issued) -> None:
    """The refresh cookie (httpOnly, Secure, SameSite=Lax, auth path only) and the CSRF one."""
    common: _CookieOptions = {
        "max_age": issued.refresh_expires_in,
        "secure": True,
        "samesite": "lax",
    }
    response.set_cookie(
        REFRESH_COOKIE, issued.refresh_token, path=COOKIE_PATH, httponly=True, **common
    )
    response.set_cookie(CSRF_COOKIE, issued.csrf_token, path="/", httponly=False, **common)


def clear_cookies(response: Response) -> None:
    response.delete_cookie(REFRESH_COOKIE, path=COOKIE_PATH, secure=True, httponly=True)
    response.delete_cookie(CSRF_COOKIE, path="/", secure=True)


def _credential(data: RefreshRequest | None, cookie: str | None) -> tuple[str | None, bool]:
    # A token in the body cannot be forged by another site, so it needs no CSRF token.
    if data is not None:
        return data.refresh_token, False
    return cookie, cookie is not None


@router.post(
    "/auth/refresh",
    response_model=TokenRead,
    dependencies=[rate_limit("auth", by_account=False)],
    summary="Trade the refresh token for a new access token and a new refresh token",
    responses=problems(
        401,
        403,
        e401="The refresh token is unknown, expired, revoked or was already used.",
        e403="Cookie mode: X-CSRF-Token is missing or wrong.",
    ),
    # The refresh token comes in the body (no scheme) or as the cookie.
    openapi_extra={"security": [{}, {"refreshCookie": []}]},
)
async def refresh(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    cache: SessionCacheDep,
    cookie: RefreshCookie = None,
    csrf: CsrfHeader = None,
    data: RefreshBody = None,
) -> TokenRead | JSONResponse:
    token, from_cookie = _credential(data, cookie)
    if token is None:
        raise Unauthorized("Send the refresh token in the body, or the refresh cookie.")
    issued = await session_service.rotate(
        session=session,
        settings=settings,
        cache=cache,
        token=token,
        csrf=csrf,
        from_cookie=from_cookie,
    )
    if issued is None:  # a replay: answered without raising, so the revocation is committed
        replayed = problem(401, REPLAYED, request=request, headers={"WWW-Authenticate": "Bearer"})
        if from_cookie:
            clear_cookies(replayed)
        return replayed
    if from_cookie:
        set_cookies(response, issued)
    return token_body(issued, cookie_mode=from_cookie)


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this session (by refresh token, refresh cookie or access token)",
    responses=problems(401, 403, e403="Cookie mode: X-CSRF-Token is missing or wrong."),
    # The access token is read only without a refresh credential: an expired one sent along
    # with the cookie must not stand in the way of logging out.
    openapi_extra={"security": [{}, {"refreshCookie": []}, {"bearer": []}]},
)
async def logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    cache: SessionCacheDep,
    cookie: RefreshCookie = None,
    csrf: CsrfHeader = None,
    data: RefreshBody = None,
) -> Response:
    token, from_cookie = _credential(data, cookie)
    if token is not None:
        await session_service.end_by_refresh_token(
            session=session,
            settings=settings,
            cache=cache,
            token=token,
            csrf=csrf,
            from_cookie=from_cookie,
        )
    elif (user := await get_optional_user(request, session)) is not None:
        await session_service.end(
            session=session, cache=cache, user_id=user.id, session_id=request.state.session_id
        )
    else:
        raise Unauthorized("Send the refresh token, the refresh cookie or an access token.")
    done = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_cookies(done)
    return done


@router.get("/me/sessions", response_model=list[SessionRead], summary="Your signed-in devices")
async def list_my_sessions(
    user: CurrentUser, current: CurrentSessionId, session: SessionDep
) -> list[SessionRead]:
    rows = await session_service.list_live(session=session, user_id=user.id)
    return [
        SessionRead.model_validate(row).model_copy(update={"current": row.id == current})
        for row in rows
    ]


@router.delete(
    "/me/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign one of your devices out",
    responses=problems(404, e404="No live session of yours has this id."),
)
async def revoke_my_session(
    session_id: uuid.UUID, user: CurrentUser, session: SessionDep, cache: SessionCacheDep
) -> Response:
    await session_service.end(session=session, cache=cache, user_id=user.id, session_id=session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[rate_limit("auth")],
    summary="Change your password; every other session is signed out",
    responses=problems(403, e403="The current password is wrong."),
)
async def change_password(
    data: PasswordChange,
    user: CurrentUser,
    current: CurrentSessionId,
    session: SessionDep,
    cache: SessionCacheDep,
) -> Response:
    await session_service.change_password(
        session=session,
        cache=cache,
        user=user,
        current_password=data.current_password,
        new_password=data.new_password,
        keep_session_id=current,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def device_name(given: str | None, request: Request) -> str | None:
    """The name a login gave its device, else its User-Agent, cut to fit."""
    name = given or request.headers.get("user-agent")
    return name[:100] if name else None
