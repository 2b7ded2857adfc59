"""Bearer tokens and browser sessions. Only SHA-256 digests are stored: the secrets are
long random strings, so a fast hash is enough and lookups stay a single indexed query."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import Forbidden, InvalidInput, NotFound, Problem, Unauthenticated
from honing.accounts._passwords import verify_password
from honing.accounts._service import Principal, get_user
from honing.storage import ApiToken, User, utcnow

TOKEN_PREFIX = "hon_"
# Lifetimes of API tokens when the caller does not say (Settings holds the server's own).
DEFAULT_DAYS = 90
MAX_DAYS = 365


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, actor: Principal, username: str, name: str,
                 *, days: int | None = None, default_days: int = DEFAULT_DAYS,
                 max_days: int = MAX_DAYS, minted_with: str | None = None,
                 outlive_session: bool = False) -> tuple[ApiToken, str]:
    """A new API token for `username`, lasting `days` (`default_days` when not given, at
    most `max_days`). The secret is returned once and never stored.

    `minted_with` is the credential the request came with. A token asked for from a browser
    session (or with a token that is itself bound to one) ends with that session: it expires
    no later and is revoked at its logout, so signing out ends everything the session made.
    Only a site admin may let it outlive the session (`outlive_session`)."""
    days = default_days if days is None else days
    if not 1 <= days <= max_days:
        raise InvalidInput(f"a token can last from 1 to {max_days} days, not {days}",
                           hint="ask for fewer days (the server's HONING_TOKEN_MAX_DAYS sets the maximum)",
                           problems=[Problem(f"must be between 1 and {max_days}", field="days")])
    if outlive_session and not actor.is_site_admin:
        raise Forbidden("only a site admin may create a token that outlives the browser session",
                        hint="leave out outlive_session: the token then ends when you sign out")
    user = get_user(session, username)
    expires_at = utcnow() + timedelta(days=days)
    bound = None if outlive_session or minted_with is None else _session_behind(session, minted_with)
    if bound is not None and bound.expires_at is not None:
        expires_at = min(expires_at, bound.expires_at)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, kind="api", name=name, token_hash=_digest(secret),
                     prefix=secret[:12], expires_at=expires_at,
                     session_id=bound.id if bound is not None else None)
    session.add(token)
    session.flush()
    audit.record(session, actor=actor.audit_name, action="token.create",
                 target=f"user:{username}", details={"token_id": token.id, "name": name,
                                                     "ends_with_session": bound is not None})
    return token, secret


def _session_behind(session: Session, secret: str) -> ApiToken | None:
    """The browser session a credential is, or is bound to; None for a free-standing token."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if row is None:
        return None
    if row.kind == "session":
        return row
    return session.get(ApiToken, row.session_id) if row.session_id is not None else None


def list_tokens(session: Session, username: str) -> list[ApiToken]:
    user = get_user(session, username)
    return list(session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.kind == "api").order_by(ApiToken.id)))


def revoke_token(session: Session, actor: Principal, token_id: int, *, owner: str | None = None) -> None:
    token = session.get(ApiToken, token_id)
    user = session.get(User, token.user_id) if token else None
    if token is None or token.kind != "api" or (owner is not None and user.username != owner):
        raise NotFound(f"token {token_id} does not exist")
    token.revoked_at = utcnow()
    audit.record(session, actor=actor.audit_name, action="token.revoke",
                 target=f"user:{user.username}", details={"token_id": token_id})


def login(session: Session, username: str, password: str, *, days: int = 14) -> tuple[User, str]:
    """Check a password and open a browser session; the same message for every failure."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or not verify_password(password, user.password_hash):
        raise Unauthenticated("unknown user or wrong password")
    secret = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, kind="session", name="browser",
                         token_hash=_digest(secret), prefix="session",
                         expires_at=utcnow() + timedelta(days=days)))
    audit.record(session, actor=f"user:{username}", action="session.login", target=f"user:{username}")
    return user, secret


def logout(session: Session, secret: str) -> None:
    """End a browser session and every API token created in it."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        if token.kind == "session":
            session.execute(update(ApiToken).where(ApiToken.session_id == token.id,
                                                   ApiToken.revoked_at.is_(None))
                            .values(revoked_at=token.revoked_at))


def principal_for(session: Session, secret: str, *, kind: str) -> Principal:
    """The principal a token or session secret stands for, or Unauthenticated."""
    row = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(secret), ApiToken.kind == kind)
    ).first()
    if row is None:
        raise Unauthenticated("the credential is not valid")
    token, user = row
    expired = token.expires_at is not None and token.expires_at < utcnow()
    if token.revoked_at is not None or expired or not user.is_active:
        raise Unauthenticated("the credential has expired or was revoked")
    return Principal(name=user.username, user_id=user.id, is_site_admin=user.is_site_admin)
