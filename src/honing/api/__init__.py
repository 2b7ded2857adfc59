"""The REST API (FastAPI). Routers stay thin: each endpoint calls one core function."""

from honing.api._app import create_app

__all__ = ["create_app"]
