"""Bearer tokens, browser sessions and signing in. Only SHA-256 digests are stored: the secrets are
long random strings, so a fast hash is enough and lookups stay a single indexed query."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import Forbidden, InvalidInput, NotFound, Problem, Unauthenticated
from honing.accounts import _throttle
from honing.accounts._client import LOCAL, Client
from honing.accounts._passwords import dummy_hash, verify_password
from honing.accounts._service import Principal, get_user
from honing.accounts._throttle import ThrottlePolicy, TooManyAttempts
from honing.storage import ApiToken, Database, User, utcnow

TOKEN_PREFIX = "hon_"
# Lifetimes of API tokens when the caller does not say (Settings holds the server's own).
DEFAULT_DAYS = 90
MAX_DAYS = 365
DEFAULT_POLICY = ThrottlePolicy()
log = logging.getLogger("honing.accounts")


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


def login(db: Database, username: str, password: str, *, client: Client = LOCAL,
          days: int = 14, throttle: ThrottlePolicy = DEFAULT_POLICY) -> tuple[User, str]:
    """Check a password and open a browser session; the same message for every failure.

    Throttled (see `_throttle`): TooManyAttempts while the account name or the client
    address is locked out, even for the right password. An unknown, inactive or
    password-less user costs one password hash too, so the time taken does not tell
    whether a name exists. Failures are audited as `session.login_failed`."""
    with db.writing() as session:
        wait = _throttle.admit(session, throttle, username, client.address)
        user = session.scalar(select(User).where(User.username == username))
        if wait is not None:
            _record_failure(session, username, user, client, "throttled")
    if wait is not None:
        raise TooManyAttempts(wait)
    usable = user is not None and user.is_active and bool(user.password_hash)
    if verify_password(password, user.password_hash if usable else dummy_hash()) and usable:
        secret = secrets.token_urlsafe(32)
        with db.writing() as session:
            _throttle.succeeded(session, username)
            session.add(ApiToken(user_id=user.id, kind="session", name="browser",
                                 token_hash=_digest(secret), prefix="session",
                                 expires_at=utcnow() + timedelta(days=days)))
            audit.record(session, actor=f"user:{username}", action="session.login",
                         target=f"user:{username}", details=client.audit_details())
        return user, secret
    reason = "unknown user" if user is None else "inactive" if not user.is_active else "wrong password"
    with db.writing() as session:
        _throttle.failed(session, throttle, client.address)
        _record_failure(session, username, user, client, reason)
    raise Unauthenticated("unknown user or wrong password")


def logout(session: Session, secret: str, *, client: Client = LOCAL) -> None:
    """End a browser session and every API token created in it; audited as `session.logout`
    (once: a second call is a no-op)."""
    row = session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                          .where(ApiToken.token_hash == _digest(secret),
                                 ApiToken.kind == "session")).first()
    if row is None or row[0].revoked_at is not None:
        return
    token, user = row
    token.revoked_at = utcnow()
    session.execute(update(ApiToken).where(ApiToken.session_id == token.id,
                                           ApiToken.revoked_at.is_(None))
                    .values(revoked_at=token.revoked_at))
    record_quietly(session, actor=f"user:{user.username}", action="session.logout",
                   target=f"user:{user.username}", details=client.audit_details())


def record_quietly(session: Session, **event: Any) -> None:
    """An audit event that must not cost the caller its answer or its other writes: written
    in a savepoint, and if that fails only the failure's kind is logged (never content)."""
    try:
        with session.begin_nested():
            audit.record(session, seal=False, **event)
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the sign-in goes on
        log.warning("could not record %s in the audit log (%s)", event.get("action"),
                    type(error).__name__)


def _record_failure(session: Session, username: str, user: User | None, client: Client,
                    reason: str) -> None:
    # A name nobody has is kept as a digest: it may be a password typed into the wrong
    # field, and the audit log is never rewritten.
    if user is None:
        target, extra = "user:?", {"username_sha256": _throttle.account_key(username)[:16]}
    else:
        target, extra = f"user:{user.username}", {}
    record_quietly(session, actor="anonymous", action="session.login_failed", target=target,
                   details={"reason": reason, **extra, **client.audit_details()})


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
