"""Raters' claims and submits, answered before routing.

They are nearly every request a busy server gets (two per label), and on PostgreSQL the
work behind each is one statement (honing.annotate._async_pg). Routing through every
route, resolving dependencies and the app's middleware cost more than that work, and a
server process has one event loop to share among all raters in flight; so these two
requests are recognised by their path and answered here.

This layer has no rules of its own. It authenticates with the app's dependency, and the
answer comes from the same functions the endpoints document (`claim_on_loop`,
`submit_on_loop`). It only answers the common case: anything else (another route, SQLite,
a body that is not plain JSON, anything refused, any case the event-loop path leaves to
the synchronous one) goes to the app untouched, which answers it as it always does. A
refusal here has written nothing, so the app's answer is the whole story.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from honing._errors import HoningError
from honing.api._annotate import claim_on_loop, submit_on_loop
from honing.api._annotate_schemas import AnswersIn
from honing.api._auth import current_principal

_NAME = r"([^/]{1,64})"  # as the endpoints' path parameters: at most 64 characters
_CLAIM = re.compile(rf"/api/workspaces/{_NAME}/queues/{_NAME}/claim")
_SUBMIT = re.compile(rf"/api/workspaces/{_NAME}/assignments/([1-9][0-9]{{0,18}})/submit")
MAX_ID = 2**62
MAX_BODY = 64 * 1024  # a submit's answers are a few kilobytes; larger ones go the long way
# What makes the event-loop path refuse a request without writing anything; the app then
# gives the refusal its proper answer.
_DECLINED = (HoningError, ValidationError, psycopg.DataError, psycopg.IntegrityError)


class RaterFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            path = scope["path"]
            if path.endswith("/claim") and (match := _CLAIM.fullmatch(path)):
                if await self._claim(scope, receive, send, match[1], match[2]):
                    return
            elif path.endswith("/submit") and (match := _SUBMIT.fullmatch(path)):
                if int(match[2]) <= MAX_ID:
                    receive = await self._submit(scope, receive, send, match[1], int(match[2]))
                    if receive is None:
                        return
        await self.app(scope, receive, send)

    async def _claim(self, scope: Scope, receive: Receive, send: Send, workspace: str, queue: str) -> bool:
        request = Request(scope, receive)
        if request.app.state.labeling is None:
            return False
        return await _answer(send, _served(request, claim_on_loop, workspace, queue))

    async def _submit(self, scope: Scope, receive: Receive, send: Send, workspace: str,
                      assignment_id: int) -> Receive | None:
        """None once answered; else the `receive` the app reads the same request from."""
        request = Request(scope, receive)
        if request.app.state.labeling is None or not _small_json(request):
            return receive
        raw = await request.body()
        try:
            body = AnswersIn.model_validate_json(raw)
        except ValidationError:
            return _replay(raw, receive)
        if await _answer(send, _served(request, submit_on_loop, workspace, assignment_id, body)):
            return None
        return _replay(raw, receive)


async def _served(request: Request, serve: Callable[..., Awaitable[bytes | None]], *args: Any) -> bytes | None:
    try:
        principal = await current_principal(request, request.app.state.db)
        return await serve(request, principal, *args)
    except _DECLINED:
        return None


async def _answer(send: Send, content: Awaitable[bytes | None]) -> bool:
    body = await content
    if body is None:
        return False
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
    return True


def _small_json(request: Request) -> bool:
    length = request.headers.get("content-length")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" and length is not None and length.isdigit() and int(length) <= MAX_BODY


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body already read, then whatever comes next."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
