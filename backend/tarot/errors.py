"""Domain errors and their RFC 9457 problem+json rendering."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tarot.db.outage import is_database_outage

PROBLEM_JSON = "application/problem+json"
# How long a client should wait after a database outage answer: long enough for a restart.
OUTAGE_RETRY_AFTER_SECONDS = 5
DATABASE_DOWN = "The database is not answering right now; please retry shortly."
log = logging.getLogger("tarot.errors")


class TarotError(Exception):
    """A failure the client can act on; subclasses pick the status."""

    status = 400

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class NotFound(TarotError):
    status = 404


class Unauthorized(TarotError):
    status = 401

    def __init__(self, detail: str):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(TarotError):
    status = 403


class Conflict(TarotError):
    status = 409


class PayloadTooLarge(TarotError):
    status = 413


class TooManyRequests(TarotError):
    status = 429

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class LimitReached(TarotError):
    """A fixed bound was reached; waiting does not help, so no Retry-After."""

    status = 429


class InvalidInput(TarotError):
    status = 422


class Unavailable(TarotError):
    """The service is alive but cannot take this request right now."""

    status = 503

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


def problem(
    status: int,
    detail: str | None,
    *,
    request: Request,
    headers: dict[str, str] | None = None,
    errors: list[dict] | None = None,
) -> JSONResponse:
    """Render a problem+json response."""
    body: dict = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _describe(error: dict) -> dict:
    where = ".".join(str(part) for part in error.get("loc", ()))
    return {"loc": where, "msg": error.get("msg", ""), "type": error.get("type", "")}


def _allowed_methods(request: Request) -> str:
    # Starlette names only the first route that matched the path; a path can have several,
    # so ask the router which methods would fully match it.
    from starlette.routing import Match

    routes = request.app.router.routes
    methods = {
        method
        for method in ("DELETE", "GET", "PATCH", "POST", "PUT")
        if any(
            route.matches(dict(request.scope, method=method))[0] == Match.FULL for route in routes
        )
    }
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def register_error_handlers(app: FastAPI) -> None:
    """Make every error, expected or not, answer with problem+json."""

    @app.exception_handler(TarotError)
    async def _domain(request: Request, exc: TarotError) -> JSONResponse:
        return problem(exc.status, exc.detail, request=request, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_describe(error) for error in exc.errors()]
        summary = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors[:5])
        return problem(422, f"Invalid request: {summary}", request=request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers or {})
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No route matches {request.url.path}"
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
            detail = f"{request.url.path} allows {headers['Allow']}."
        return problem(exc.status_code, detail, request=request, headers=headers)

    async def _maybe_outage(request: Request, exc: Exception) -> JSONResponse:
        # Handled here rather than by the catch-all: that one re-raises to the server, which
        # then drops the keep-alive connection; this keeps it usable.
        if is_database_outage(exc):
            log.warning(
                "database unavailable on %s %s: %s", request.method, request.url.path, _name(exc)
            )
            headers = {"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)}
            return problem(503, DATABASE_DOWN, request=request, headers=headers)
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem(500, "An unexpected error occurred.", request=request)

    from sqlalchemy.exc import SQLAlchemyError

    for kind in (SQLAlchemyError, OSError, TimeoutError):
        app.add_exception_handler(kind, _maybe_outage)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "An unexpected error occurred.", request=request)


def _name(exc: BaseException) -> str:
    """The error's class, and its cause's: enough to diagnose, with no SQL or parameters."""
    cause = exc.__cause__ or getattr(exc, "orig", None)
    return type(exc).__name__ + (f" ({type(cause).__name__})" if cause is not None else "")
