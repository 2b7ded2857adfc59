"""User accounts over REST, for site administrators: what `honing user` does at the
command line, so an integration can provision its raters without shell access.

Passwords are hashed with the accounts module's scrypt parameters (a tenth of a second
or more and 32 MiB each), in worker threads of their own, at most HASHING_THREADS at a time,
and before the database transaction opens: a burst of new users neither stalls the event
loop, nor takes the threads raters' requests run in, nor holds the write lock."""

from __future__ import annotations

from typing import Annotated

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from honing import accounts
from honing._errors import Forbidden
from honing.accounts import Principal
from honing.api._auth import DB, CurrentPrincipal, ReadSession, forget_recent
from honing.api._paging import NEXT_PAGE_HEADERS, Cursor, announce_next, decode_cursor, split_page
from honing.api._schemas import ERROR_RESPONSES
from honing.api._user_schemas import (
    PasswordIn,
    PasswordReset,
    UserCreated,
    UserIn,
    UserOut,
    UsersPage,
)
from honing.storage import Database, User

router = APIRouter(prefix="/api/users", tags=["users"], responses=ERROR_RESPONSES)
Username = Annotated[str, Path(max_length=64)]
HASHING_THREADS = 2


def _site_admin(principal: Principal) -> None:
    if not principal.is_site_admin:
        raise Forbidden("only site administrators may manage users")


def _out(user: User) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


async def _new_password_hash(request: Request, username: str, password: str) -> str:
    limiter = getattr(request.app.state, "password_hashing", None)
    if limiter is None:
        limiter = request.app.state.password_hashing = CapacityLimiter(HASHING_THREADS)
    return await to_thread.run_sync(accounts.hash_new_password, username, password, limiter=limiter)


@router.get("", response_model=UsersPage, responses={200: {"headers": NEXT_PAGE_HEADERS}})
def list_users(principal: CurrentPrincipal, session: ReadSession, request: Request, response: Response,
               cursor: Cursor = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> UsersPage:
    """Every user in id order, deactivated ones too; paged by cursor."""
    _site_admin(principal)
    users, next_cursor = split_page(accounts.list_users(session, after=decode_cursor(cursor), limit=limit + 1),
                                    limit, lambda user: user.id)
    announce_next(request, response, next_cursor)
    return UsersPage(users=[_out(u) for u in users], next_cursor=next_cursor)


@router.post("", response_model=UserCreated, status_code=201)
async def create_user(body: UserIn, principal: CurrentPrincipal, db: DB, request: Request) -> UserCreated:
    """Create a user (audited as `user.create`). Without a password one is generated and
    returned once; give the user a role in a workspace with `PUT /api/workspaces/W/members/U`."""
    _site_admin(principal)
    generated = accounts.generate_password() if body.password is None else None
    password_hash = await _new_password_hash(request, body.username, body.password or generated or "")

    def create() -> UserOut:
        with db.writing() as session:
            return _out(accounts.create_user(session, principal, body.username, password_hash=password_hash,
                                             display_name=body.display_name, site_admin=body.is_site_admin))

    user = await run_in_threadpool(create)
    return UserCreated(**user.model_dump(), password=generated)


@router.get("/{username}", response_model=UserOut)
def get_user(username: Username, principal: CurrentPrincipal, session: ReadSession) -> UserOut:
    _site_admin(principal)
    return _out(accounts.get_user(session, username))


def _set_active(db: Database, principal: Principal, username: str, active: bool) -> UserOut:
    with db.writing() as session:
        return _out(accounts.set_user_active(session, principal, username, active))


@router.post("/{username}/deactivate", response_model=UserOut)
def deactivate_user(username: Username, principal: CurrentPrincipal, db: DB, request: Request) -> UserOut:
    """Refuse the user's tokens and sessions from now on (audited as `user.deactivate`);
    their labels, roles and tokens are kept for a reactivation."""
    _site_admin(principal)
    user = _set_active(db, principal, username, False)
    forget_recent(request)  # no cached credential may outlive the deactivation
    return user


@router.post("/{username}/reactivate", response_model=UserOut)
def reactivate_user(username: Username, principal: CurrentPrincipal, db: DB, request: Request) -> UserOut:
    """Accept the user's tokens and sessions again (audited as `user.reactivate`)."""
    _site_admin(principal)
    user = _set_active(db, principal, username, True)
    forget_recent(request)
    return user


@router.post("/{username}/password", response_model=PasswordReset)
async def reset_password(username: Username, body: PasswordIn, principal: CurrentPrincipal, db: DB,
                         request: Request) -> PasswordReset:
    """Set a new password (generated and returned once when none is given) and sign the
    user out of every browser session; audited as `user.password.reset`."""
    _site_admin(principal)
    generated = accounts.generate_password() if body.password is None else None
    password_hash = await _new_password_hash(request, username, body.password or generated or "")

    def reset() -> int:
        with db.writing() as session:
            _, ended = accounts.reset_password(session, principal, username, password_hash)
            return ended

    ended = await run_in_threadpool(reset)
    forget_recent(request)
    return PasswordReset(username=username, password=generated, sessions_ended=ended)
