"""A limit on request bodies, applied before anything reads them.

Without it a client could send a draft or a label of any size: it was parsed, stored and
then served back in every page that shows it. Every body except a multipart upload (dataset
imports, which stream to a file under their own `max_upload_bytes`) is refused above
`Settings.max_json_bytes` with a 413:

- when Content-Length says so, before the app (or the raters' fast path) sees the request;
- when a body without a length (chunked) grows past the limit, reading stops there.

This is a raw ASGI middleware, not a BaseHTTPMiddleware: it sits in front of every
request, including the raters' claims and submits that the fast path answers before
routing, and costs one header scan when the length is declared.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from honing._errors import HoningError, PayloadTooLarge

ErrorAnswer = Callable[[Request, HoningError], Response]


def too_large(limit: int, setting: str = "HONING_MAX_JSON_BYTES") -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the request body is larger than the limit of {limit} bytes ({_readable(limit)}); "
        f"the server setting {setting} raises it",
        hint="files to import are uploaded as multipart form data, "
             "which has its own limit (HONING_MAX_UPLOAD_BYTES)")


def _readable(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{size / 1024:.3g} KB"


class _BodyTooLarge(Exception):
    """Raised into whatever reads the body past the limit; never leaves this module."""


class RequestBodyLimit:
    """`paths` gives routes a limit of their own, with the setting that raises it: OTLP
    export batches are megabytes, far above what a label or a draft needs."""

    def __init__(self, app: ASGIApp, max_bytes: int, answer: ErrorAnswer,
                 paths: dict[str, tuple[int, str]] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.answer = answer  # the app's own error page or JSON, so a 413 looks like any error
        self.paths = paths or {}

    def limit_for(self, scope: Scope) -> tuple[int, str]:
        return self.paths.get(scope.get("path", ""), (self.max_bytes, "HONING_MAX_JSON_BYTES"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, multipart = _length_and_kind(scope)
        limit, _ = self.limit_for(scope)
        if multipart:
            await self.app(scope, receive, send)
        elif length is not None and length > limit:
            await self._refuse(scope, receive, send)
        elif length is not None:
            # The server delivers no more than the declared length: nothing to count.
            await self.app(scope, receive, send)
        else:
            await _Counted(self, scope, receive, send, limit).run()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit, setting = self.limit_for(scope)
        await self.answer(Request(scope), too_large(limit, setting))(scope, receive, send)


class _Counted:
    """One request whose body has no declared length: counted as it is read."""

    def __init__(self, limit: RequestBodyLimit, scope: Scope, receive: Receive, send: Send,
                 max_bytes: int) -> None:
        self.limit, self.scope, self.receive, self.send = limit, scope, receive, send
        self.max_bytes = max_bytes
        self.read = 0
        self.exceeded = False
        self.app_started = False  # the app began its answer before the limit was crossed
        self.refused = False  # our 413 was sent

    async def run(self) -> None:
        try:
            await self.limit.app(self.scope, self.counted_receive, self.checked_send)
        except _BodyTooLarge:
            if self.app_started:
                raise
            await self.refuse()

    async def refuse(self) -> None:
        if not self.refused:
            self.refused = True
            await self.limit._refuse(self.scope, self.receive, self.send)

    async def counted_receive(self) -> Message:
        if self.exceeded:
            raise _BodyTooLarge
        message = await self.receive()
        if message["type"] == "http.request":
            self.read += len(message.get("body", b""))
            if self.read > self.max_bytes:
                self.exceeded = True
                raise _BodyTooLarge
        return message

    async def checked_send(self, message: Message) -> None:
        if self.exceeded and not self.app_started:
            # The app turned the interrupted read into an answer of its own (FastAPI makes
            # it a 400 "error parsing the body"): the client gets the 413 instead.
            await self.refuse()
            return
        if message["type"] == "http.response.start":
            self.app_started = True
        await self.send(message)


def _length_and_kind(scope: Scope) -> tuple[int | None, bool]:
    length: int | None = None
    multipart = False
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            length = int(value)
        elif name == b"content-type":
            multipart = value.lstrip().lower().startswith(b"multipart/")
    return length, multipart
