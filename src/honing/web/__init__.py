"""Server-rendered web pages (Jinja2), mounted on the API application."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from honing.web._admin_pages import router as admin_router
from honing.web._annotate_pages import router as annotate_router
from honing.web._escalation_pages import router as escalation_router
from honing.web._eval_pages import router as eval_router
from honing.web._explore_pages import router as explore_router
from honing.web._pages import LoginRequired, login_redirect, render_error, router
from honing.web._quality_pages import router as quality_router
from honing.web._setup_pages import router as setup_router


def mount_web(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(annotate_router)
    app.include_router(escalation_router)
    app.include_router(quality_router)
    app.include_router(eval_router)
    app.include_router(setup_router)
    app.include_router(admin_router)
    app.include_router(explore_router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.add_exception_handler(LoginRequired, login_redirect)  # type: ignore[arg-type]


__all__ = ["mount_web", "render_error"]
