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
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from honing import __version__
from honing._config import Settings
from honing._errors import Conflict, HoningError, InvalidInput, Problem
from honing.api import _annotate, _datasets, _evaluate, _quality, _tokens, _workspaces
from honing.api._auth import Recent
from honing.api._fast_path import RaterFastPath
from honing.api._queue_listings import router as queue_listings
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
    app.include_router(_tokens.router)
    app.include_router(_quality.router)
    app.include_router(_evaluate.router)
    app.include_router(queue_listings)
    app.include_router(users)

    from honing.web import mount_web

    mount_web(app)
    _install_error_handlers(app)
    app.add_middleware(RaterFastPath)  # raters' claims and submits, answered before routing
    return app


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI from locally installed assets: the docs must work with no network."""
    import swagger_ui

    assets = Path(swagger_ui.__file__).parent / "static"
    app.mount("/static/swagger", StaticFiles(directory=assets), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title="Honing API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def _install_error_handlers(app: FastAPI) -> None:
    from honing.web import render_error

    @app.exception_handler(HoningError)
    async def honing_error(request: Request, error: HoningError):  # type: ignore[no-untyped-def]
        if _wants_html(request):
            return render_error(request, error)
        headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
        return JSONResponse(error.as_dict(), status_code=error.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):  # type: ignore[no-untyped-def]
        problems = [_problem(detail) for detail in error.errors()]
        body = HoningError("the request is not valid", problems=problems).as_dict()
        body["error"] = "invalid_request"
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):  # type: ignore[no-untyped-def]
        wrapped = HoningError(str(error.detail))
        wrapped.status_code = error.status_code
        wrapped.code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        if _wants_html(request):
            return render_error(request, wrapped)
        return JSONResponse(wrapped.as_dict(), status_code=error.status_code, headers=error.headers)

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, error: IntegrityError):  # type: ignore[no-untyped-def]
        # Two requests raced to create the same thing; the loser gets a clear 409.
        conflict = Conflict("this conflicts with a change made at the same time",
                            hint="reload and try again")
        return JSONResponse(conflict.as_dict(), status_code=409)

    @app.exception_handler(DataError)
    async def data_error(request: Request, error: DataError):  # type: ignore[no-untyped-def]
        # The database refused a value (e.g. a NUL byte in text on PostgreSQL).
        invalid = InvalidInput("a value in the request cannot be stored or searched",
                               hint="remove control characters such as NUL bytes")
        return JSONResponse(invalid.as_dict(), status_code=invalid.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):  # type: ignore[no-untyped-def]
        # Never echo the exception: it may quote item content or SQL.
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal", "message": "an unexpected error occurred"},
                            status_code=500)


def _problem(detail: dict[str, Any]) -> Problem:
    loc = [str(p) for p in detail.get("loc", ())]
    where, field = (loc[0], ".".join(loc[1:])) if loc else ("request", "")
    return Problem(detail.get("msg", "invalid"), field=f"{where}:{field}" if field else where)
