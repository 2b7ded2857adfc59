"""The FastAPI application: routers, error handling and the web pages."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from honing import __version__
from honing._config import Settings
from honing._errors import Conflict, HoningError, InvalidInput, Problem
from honing.api import (
    _annotate,
    _datasets,
    _evaluate,
    _feedback,
    _migrations,
    _otlp,
    _quality,
    _sampling,
    _tokens,
    _workspaces,
)
from honing.api._access_audit import record_denial
from honing.api._auth import Recent
from honing.api._fast_path import RaterFastPath
from honing.api._headers import SecurityHeaders
from honing.api._ids import missing_row
from honing.api._limits import RequestBodyLimit
from honing.api._queue_listings import router as queue_listings
from honing.api._sampler import start_sampler, stop_sampler
from honing.api._schemas import Health
from honing.api._sealer import run_sealer, stop_sealer
from honing.api._users import router as users
from honing.storage import Database, LoopDatabase

log = logging.getLogger("honing.api")
WORKER_THREADS = 16


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Requests are GIL-bound: more threads than this only add switching, and each one
    # holds at most one pooled connection (the pool keeps 20).
    to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    db: Database = app.state.db
    sampler = start_sampler(db, app.state.settings.sampling_check_s)
    try:
        async with _labeling(app, db):
            yield
    finally:
        await stop_sampler(sampler)


@asynccontextmanager
async def _labeling(app: FastAPI, db: Database) -> AsyncIterator[None]:
    if db.dialect != "postgresql":  # SQLite seals every event when it is written
        yield
        return
    from honing.annotate import AsyncLabeling

    loop_db = LoopDatabase(db)  # lookups on the event loop, not in threads: see its module
    labeling = AsyncLabeling(db, loop_db)
    await labeling.open()
    app.state.loop_db = loop_db
    app.state.labeling = labeling  # raters' claims and submits, see honing.annotate._async_pg
    sealer = asyncio.create_task(run_sealer(loop_db))
    try:
        yield
    finally:
        app.state.labeling = app.state.loop_db = None
        await stop_sealer(sealer, db)
        await labeling.close()
        await loop_db.close()


def tune_for_serving() -> None:
    """Fewer, larger garbage collections in a server process. Its caches (items, rubrics,
    credentials) hold many long-lived objects that every full collection walks; with 50
    raters those pauses were the largest part of the p99 latency (benchmarks/README.md).
    What exists at startup is frozen out of collection altogether."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


def serving_app() -> FastAPI:
    """The app as each `honing serve --workers N` process builds it."""
    tune_for_serving()
    return create_app()


def create_app(db: Database | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        lifespan=_lifespan,
        title="Honing",
        version=__version__,
        description="Human feedback, label quality, versioned datasets, evaluation and release "
        "gates. Authenticate with `Authorization: Bearer <token>` (`honing token create`).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db or Database(settings.database_url)
    app.state.principals = Recent(seconds=5.0)
    app.state.access = Recent(seconds=2.0)  # workspace roles and queue rows
    app.state.labeling = None  # set while the server runs on PostgreSQL
    app.state.loop_db = None  # likewise

    @app.get("/api/health", response_model=Health, tags=["health"], openapi_extra={"security": []})
    def health() -> Health:
        return Health(status="ok", version=__version__, database=app.state.db.dialect)

    _mount_docs(app)
    # Routes are matched in order: raters' requests, the most frequent by far, come first.
    app.include_router(_annotate.router)
    app.include_router(_workspaces.router)
    app.include_router(_datasets.router)
    app.include_router(_migrations.router)
    app.include_router(_feedback.router)
    app.include_router(_sampling.router)
    app.include_router(_otlp.router)
    app.include_router(_tokens.router)
    app.include_router(_quality.router)
    app.include_router(_evaluate.router)
    app.include_router(queue_listings)
    app.include_router(users)

    from honing.web import mount_web

    mount_web(app)
    _install_error_handlers(app)
    app.add_middleware(RaterFastPath)  # raters' claims and submits, answered before routing
    # Outside the fast path, so no body reaches it or a route past the limit.
    app.add_middleware(RequestBodyLimit, max_bytes=settings.max_json_bytes, answer=error_response,
                       paths={"/v1/traces": (settings.max_otlp_bytes, "HONING_MAX_OTLP_BYTES")})
    # Outermost: every answer, a 413 included, carries the headers, and the scheme a trusted
    # proxy forwarded is set before anything reads it.
    app.add_middleware(SecurityHeaders, trusted_proxies=settings.trusted_proxies)
    return app


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI from locally installed assets: the docs must work with no network."""
    import swagger_ui

    assets = Path(swagger_ui.__file__).parent / "static"
    app.mount("/static/swagger", StaticFiles(directory=assets), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        # No inline script (the pages' Content-Security-Policy forbids it): the start-up
        # code is a static file that reads the schema's address from the page.
        return HTMLResponse(_DOCS_PAGE.format(openapi_url=app.openapi_url or "/openapi.json"))


_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<link rel="icon" href="/static/swagger/favicon-32x32.png">
<title>Honing API</title>
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def error_response(request: Request, error: HoningError, headers: dict[str, str] | None = None) -> Response:
    """The one answer to every error: the HTML error page for a browser page, else JSON."""
    from honing.web import render_error

    if _wants_html(request):
        return render_error(request, error)
    if error.status_code == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return JSONResponse(error.as_dict(), status_code=error.status_code, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HoningError)
    async def honing_error(request: Request, error: HoningError):  # type: ignore[no-untyped-def]
        if error.status_code == 403:
            await record_denial(request, error)
        return error_response(request, error)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):  # type: ignore[no-untyped-def]
        if missing := missing_row(error.errors()):
            return error_response(request, missing)
        invalid = HoningError("the request is not valid", problems=[_problem(d) for d in error.errors()])
        invalid.status_code, invalid.code = 422, "invalid_request"
        return error_response(request, invalid)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):  # type: ignore[no-untyped-def]
        wrapped = HoningError(str(error.detail))
        wrapped.status_code = error.status_code
        wrapped.code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return error_response(request, wrapped, error.headers)

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, error: IntegrityError):  # type: ignore[no-untyped-def]
        # Two requests raced to create the same thing; the loser gets a clear 409.
        conflict = Conflict("this conflicts with a change made at the same time",
                            hint="reload and try again")
        return error_response(request, conflict)

    @app.exception_handler(DataError)
    async def data_error(request: Request, error: DataError):  # type: ignore[no-untyped-def]
        # The database refused a value (e.g. a NUL byte in text on PostgreSQL).
        invalid = InvalidInput("a value in the request cannot be stored or searched",
                               hint="remove control characters such as NUL bytes")
        return error_response(request, invalid)

    @app.exception_handler(OverflowError)
    async def overflow_error(request: Request, error: OverflowError):  # type: ignore[no-untyped-def]
        # A number too large for the database reached a query; ids are checked before
        # (honing.api._ids), so this is a missed parameter: answered as bad input, logged to fix.
        log.warning("number out of range on %s %s", request.method, request.url.path)
        return error_response(request, InvalidInput("a number in the request is too large"))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):  # type: ignore[no-untyped-def]
        # Never echo the exception: it may quote item content or SQL.
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if _wants_html(request):
            internal = HoningError("an unexpected error occurred")
            internal.status_code = 500
            return error_response(request, internal)
        return JSONResponse({"error": "internal", "message": "an unexpected error occurred"},
                            status_code=500)


def _problem(detail: dict[str, Any]) -> Problem:
    loc = [str(p) for p in detail.get("loc", ())]
    where, field = (loc[0], ".".join(loc[1:])) if loc else ("request", "")
    return Problem(detail.get("msg", "invalid"), field=f"{where}:{field}" if field else where)
