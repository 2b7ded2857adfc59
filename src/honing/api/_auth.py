"""Who is calling: a bearer token (scripts, CI) or a browser session cookie."""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from honing import accounts
from honing._errors import Forbidden, Unauthenticated
from honing.accounts import Principal
from honing.storage import Database, LoopDatabase

T = TypeVar("T")

SESSION_COOKIE = "honing_session"
# A header a cross-site form cannot set: browser sessions must send it on every write.
CSRF_HEADER = "x-honing-csrf"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in a
# worker thread, a hand-off that costs more than the dependency itself.

async def database(request: Request) -> Database:
    return request.app.state.db


async def read_session(db: Annotated[Database, Depends(database)]) -> AsyncIterator[Session]:
    # Entered and closed on the event loop, not in a worker thread: closing must never wait
    # for a free thread, or a burst can leave every thread waiting for a connection that
    # only a thread could give back. The connection itself is taken lazily by the handler.
    with db.reading() as session:
        yield session


def credential(request: Request) -> tuple[str, str]:
    """(kind, secret) from the Authorization header or the session cookie."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
        return "api", secret.strip()
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        if request.method not in _SAFE_METHODS and request.headers.get(CSRF_HEADER) != "1":
            raise Forbidden(f"browser requests that change data must send the {CSRF_HEADER} header")
        return "session", cookie
    raise Unauthenticated("sign in, or send 'Authorization: Bearer <token>'",
                          hint="create a token with `honing token create --user USER`")


class Recent:
    """Answers looked up in the last few seconds, so a rater's burst of requests costs one
    lookup: credentials, workspace roles and queue rows. A change made through this server
    applies at once (it clears the caches); one made elsewhere (the CLI, another worker)
    within `seconds`. Each answer is kept for a random part of that, between half and all of
    it: a crowd of raters who all signed in at once must not all expire at once, or their
    lookups come in one burst that stalls every request in flight."""

    def __init__(self, seconds: float = 5.0, size: int = 10_000):
        self.seconds, self.size = seconds, size
        self._entries: dict[Hashable, tuple[Any, float]] = {}

    def get(self, key: Hashable) -> Any | None:
        hit = self._entries.get(key)
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def put(self, key: Hashable, value: Any) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[key] = (value, time.monotonic() + self.seconds * (0.5 + random.random() / 2))

    def clear(self) -> None:
        self._entries.clear()


def cached(session: Any, recent: Recent, key: Hashable, look_up: Any, *args: Any) -> Any:
    """`look_up(session, *args)`, or its answer from the last few seconds."""
    hit = recent.get(key)
    if hit is None:
        hit = look_up(session, *args)
        recent.put(key, hit)
    return hit


async def recent_access(request: Request) -> Recent:
    return request.app.state.access


def forget_recent(request: Request) -> None:
    """After a change to credentials, roles or queues: no cached answer may outlive it."""
    request.app.state.principals.clear()
    request.app.state.access.clear()


async def current_principal(request: Request, db: Annotated[Database, Depends(database)]) -> Principal:
    kind, secret = credential(request)
    recent: Recent = request.app.state.principals
    principal = recent.get((kind, secret))
    if principal is None:
        # Its own short session: a request must never hold two pooled connections at once,
        # or a burst of requests can starve the pool while each waits for its second one.
        principal = await look_up(request, accounts.principal_for, secret, kind=kind)
        recent.put((kind, secret), principal)
    return principal


async def look_up(request: Request, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """For async endpoints: `work(session, *args, **kwargs)` in a read session of its own, on
    the event loop where the server can (PostgreSQL, see honing.storage._loop), else in a
    worker thread."""
    loop_db: LoopDatabase | None = request.app.state.loop_db
    if loop_db is not None:
        return await loop_db.run(work, *args, **kwargs)
    db: Database = request.app.state.db

    def read() -> T:
        with db.reading() as session:
            return work(session, *args, **kwargs)

    return await run_in_threadpool(read)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
# At most READ_SESSIONS requests hold a read session at once (the rest wait on the event
# loop, not in a thread), fewer than the pool has connections: otherwise a burst lets every
# worker thread wait for a connection held by requests that need a thread to finish.
READ_SESSIONS = 30
_READ_SESSION = Depends(read_session, scope="function", max_concurrency=READ_SESSIONS)
ReadSession = Annotated[Session, _READ_SESSION]
DB = Annotated[Database, Depends(database)]
RecentAccess = Annotated[Recent, Depends(recent_access)]
