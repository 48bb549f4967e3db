"""The FastAPI app: routes per resource over the round pipeline, errors as exact 4xx
messages, the schema migrated at start.

>>> app = create_app(Settings(database_url="sqlite:///cosource.db"))
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.cli_inputs import cosource_version
from api.service.auth import ForbiddenError, UnauthorizedError
from api.service.compiled import CompiledCache
from api.service.database import Database
from api.service.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    TooLargeError,
    UnsupportedTypeError,
)
from api.service.routes import (
    audit,
    health,
    keys,
    offers,
    page,
    reports,
    results,
    rounds,
    runs,
    shortlists,
)
from api.service.settings import Settings
from matcher.errors import RoundError

ERRORS: dict[type[Exception], int] = {
    RoundError: 422,
    NotFoundError: 404,
    ConflictError: 409,
    TooLargeError: 413,
    UnsupportedTypeError: 415,
    InputError: 422,
    ForbiddenError: 403,
}
"""The service's errors and their HTTP status; the body is ``{"detail": message}``."""


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


def _where(location: Sequence[Any]) -> str:
    """``("query", "k")`` as "query parameter 'k'", ``("body", "seed")`` as "field 'seed'"."""
    if not location:
        return "request"
    head, *rest = location
    path = ".".join(str(part) for part in rest)
    if head == "body":
        return f"field '{path}'" if path else "body"
    return f"{head} parameter '{path}'" if path else str(head)


def validation_message(exc: RequestValidationError) -> str:
    """FastAPI's validation errors in the service's words: where, then what."""
    parts = [
        # a body that is not JSON: FastAPI puts the character's position where a field goes
        f"body: not valid JSON at character {error['loc'][-1]}: {error.get('ctx', {}).get('error')}"
        if error.get("type") == "json_invalid"
        else f"{_where(error.get('loc', ()))}: {error.get('msg', 'invalid')}"
        for error in exc.errors()
    ]
    return "; ".join(parts) or "invalid request"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service over ``settings``' database (migrated when the app starts)."""
    settings = settings or Settings()
    database = Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database.migrate()
        yield
        database.dispose()

    app = FastAPI(
        title="cosource",
        version=cosource_version(),
        description="Matching rounds for talent sharing between organizations: rounds by "
        "version, solve runs that survive a crash, results, shortlists.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.cache = CompiledCache(settings.shortlist_cache)
    for kind, status in ERRORS.items():

        def handler(_: Request, exc: Exception, status: int = status) -> JSONResponse:
            return _error(status, str(exc))

        app.add_exception_handler(kind, handler)

    def invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _error(422, validation_message(exc))

    app.add_exception_handler(RequestValidationError, invalid)

    def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return _error(exc.status_code, str(exc.detail))

    app.add_exception_handler(StarletteHTTPException, http_error)

    def unauthorized(_: Request, exc: Exception) -> JSONResponse:
        answer = _error(401, str(exc))
        answer.headers["WWW-Authenticate"] = "Bearer"
        return answer

    app.add_exception_handler(UnauthorizedError, unauthorized)
    for module in (health, keys, rounds, runs, results, reports, shortlists, offers, audit, page):
        app.include_router(module.router)
    return app
