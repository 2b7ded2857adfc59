"""Who is calling: a bearer token (scripts, CI) or a browser session cookie."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from honing import accounts
from honing._errors import Forbidden, Unauthenticated
from honing.accounts import Principal
from honing.storage import Database

SESSION_COOKIE = "honing_session"
# A header a cross-site form cannot set: browser sessions must send it on every write.
CSRF_HEADER = "x-honing-csrf"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def database(request: Request) -> Database:
    return request.app.state.db


def read_session(db: Annotated[Database, Depends(database)]) -> Iterator[Session]:
    with db.reading() as session:
        yield session


def principal_from_request(request: Request, session: Session) -> Principal:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
        return accounts.principal_for(session, secret.strip(), kind="api")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        principal = accounts.principal_for(session, cookie, kind="session")
        if request.method not in _SAFE_METHODS and request.headers.get(CSRF_HEADER) != "1":
            raise Forbidden(f"browser requests that change data must send the {CSRF_HEADER} header")
        return principal
    raise Unauthenticated("sign in, or send 'Authorization: Bearer <token>'",
                          hint="create a token with `honing token create --user USER`")


def current_principal(request: Request, db: Annotated[Database, Depends(database)]) -> Principal:
    # Its own short session: a request must never hold two pooled connections at once,
    # or a burst of requests can starve the pool while each waits for its second one.
    with db.reading() as session:
        return principal_from_request(request, session)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
ReadSession = Annotated[Session, Depends(read_session)]
DB = Annotated[Database, Depends(database)]
