"""Managing user accounts after they exist: listing, deactivating, resetting passwords.
Every change is audited like `user.create`."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import Conflict
from honing.accounts._service import Principal, get_user
from honing.storage import ApiToken, User, utcnow


def generate_password() -> str:
    """A password for a user an administrator creates without choosing one: 144 random
    bits, shown to that administrator once."""
    return secrets.token_urlsafe(18)


def list_users(session: Session, *, after: int | None = None, limit: int | None = None) -> list[User]:
    """Users in id order; `after` an id from a previous page (keyset paging)."""
    query = select(User).order_by(User.id)
    if after is not None:
        query = query.where(User.id > after)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def set_user_active(session: Session, actor: Principal, username: str, active: bool) -> User:
    """Deactivate (or reactivate) a user. A deactivated user's tokens and sessions stop
    working at once (credentials are checked against `is_active`) and come back with
    reactivation; nothing else about the user changes, so their labels keep their rater."""
    user = get_user(session, username)
    if not active and user.id == actor.user_id:
        raise Conflict("you cannot deactivate your own account",
                       hint="ask another site administrator to do it")
    if user.is_active != active:
        user.is_active = active
        audit.record(session, actor=actor.audit_name,
                     action="user.reactivate" if active else "user.deactivate", target=f"user:{username}")
    return user


def reset_password(session: Session, actor: Principal, username: str, password_hash: str) -> tuple[User, int]:
    """Give a user a new password (hashed by `hash_new_password`) and sign them out of
    every browser: whoever knew the old password must not keep a session opened with it.
    API tokens stay, since they are credentials of their own. Returns the user and the
    number of sessions ended."""
    user = get_user(session, username)
    user.password_hash = password_hash
    signed_out = session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.kind == "session",
                               ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())).rowcount
    audit.record(session, actor=actor.audit_name, action="user.password.reset", target=f"user:{username}",
                 details={"sessions_ended": signed_out})
    return user, signed_out
