"""Sign-in throttling: after too many failures for one account name or from one client
address, sign-ins are refused without looking at the password, for a delay that doubles
with each lockout in a row up to a cap.

The state lives in the database (`login_throttle`), so every server process refuses the
same attempts. An account's attempt is counted *before* its password is checked: parallel
guesses cannot slip past the limit while the first ones are still being hashed. An
address's failures are counted after the check, so that its own successful sign-ins (an
office behind one NAT) never count against it."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from honing._config import Settings
from honing._errors import HoningError
from honing.storage import LoginThrottle, utcnow

ACCOUNT, ADDRESS = "account", "address"


class TooManyAttempts(HoningError):
    """Sign-in refused because of earlier failures; `retry_after` is in whole seconds."""

    status_code = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int):
        minutes = math.ceil(retry_after / 60)
        wait = f"{retry_after} seconds" if retry_after < 60 else \
            f"{minutes} minute{'s' if minutes != 1 else ''}"
        super().__init__(f"too many failed sign-ins for this account or from this address; "
                         f"try again in {wait}",
                         hint="an administrator can check the audit log for session.login_failed")
        self.retry_after = retry_after


@dataclass(frozen=True)
class ThrottlePolicy:
    account_failures: int = 5
    address_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=1)
    max_lockout: timedelta = timedelta(minutes=15)
    # A test seam: where "now" comes from.
    clock: Callable[[], datetime] = field(default=utcnow, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottlePolicy:
        return cls(account_failures=settings.login_account_failures,
                   address_failures=settings.login_address_failures,
                   window=timedelta(seconds=settings.login_window_seconds),
                   lockout=timedelta(seconds=settings.login_lockout_seconds),
                   max_lockout=timedelta(seconds=settings.login_lockout_max_seconds))

    def delay(self, lockouts: int) -> timedelta:
        """The n-th lockout in a row lasts lockout * 2^(n-1), at most max_lockout."""
        return min(self.lockout * 2 ** min(lockouts - 1, 30), self.max_lockout)


def account_key(username: str) -> str:
    # A digest, not the name: a password typed into the name field must not be stored.
    return hashlib.sha256(username.encode()).hexdigest()


def admit(session: Session, policy: ThrottlePolicy, username: str, address: str) -> int | None:
    """Seconds to wait if the account or address is locked; otherwise None, and this attempt
    is counted against the account (`succeeded` forgives it)."""
    now = policy.clock()
    # Rows nobody needs any more: an indexed range delete, usually of nothing. First, so
    # that this transaction holds no row lock yet while it waits for another's.
    session.execute(delete(LoginThrottle).where(LoginThrottle.forget_at < now))
    by_address = session.scalar(select(LoginThrottle).where(
        LoginThrottle.scope == ADDRESS, LoginThrottle.key == _address_key(address)))
    account = _locked_row(session, ACCOUNT, account_key(username), now)
    now = _forget_if_quiet(account, policy)
    waits = [w for w in (_wait(by_address, now), _wait(account, now)) if w is not None]
    if waits:
        return max(waits)
    _count_failure(account, now, policy, policy.account_failures)
    return None


def failed(session: Session, policy: ThrottlePolicy, address: str) -> None:
    """Count a wrong password (or unknown name) against the client address."""
    row = _locked_row(session, ADDRESS, _address_key(address), policy.clock())
    _count_failure(row, _forget_if_quiet(row, policy), policy, policy.address_failures)


def succeeded(session: Session, username: str) -> None:
    """A correct password: the account starts afresh. Its address does not: one attacker
    signing in to their own account must not wipe out the failures they caused."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.scope == ACCOUNT,
                                                LoginThrottle.key == account_key(username)))


def _address_key(address: str) -> str:
    return address[:128]


def _locked_row(session: Session, scope: str, key: str, now: datetime) -> LoginThrottle:
    """The row, created if missing (as already forgettable at `now`) and locked for this
    transaction (PostgreSQL: FOR UPDATE; SQLite writers are serialized anyway), so that
    concurrent failures all count."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for _ in range(3):  # a concurrent prune may remove it between the two statements
        session.execute(insert(LoginThrottle).values(
            scope=scope, key=key, failures=0, lockouts=0, forget_at=now).on_conflict_do_nothing())
        row = session.scalar(select(LoginThrottle).where(
            LoginThrottle.scope == scope, LoginThrottle.key == key)
            .with_for_update().execution_options(populate_existing=True))
        if row is not None:
            return row
    raise HoningError("the sign-in throttle could not be updated; try again")


def _forget_if_quiet(row: LoginThrottle, policy: ThrottlePolicy) -> datetime:
    """Start the row afresh if it has been quiet for a whole window since its last lockout.
    Returns "now", read after the row's lock was granted: waiting for it takes time, and
    Retry-After counts from the moment of the answer."""
    now = policy.clock()
    if row.forget_at <= now:
        row.failures, row.lockouts, row.locked_until = 0, 0, None
    return now


def _wait(row: LoginThrottle | None, now: datetime) -> int | None:
    if row is None or row.forget_at <= now or row.locked_until is None or row.locked_until <= now:
        return None
    return max(1, math.ceil((row.locked_until - now).total_seconds()))


def _count_failure(row: LoginThrottle, now: datetime, policy: ThrottlePolicy, limit: int) -> None:
    # Once at the limit, every further failure (possible only after a lockout has ended)
    # locks again, for twice as long.
    row.failures += 1
    if row.failures >= limit:
        row.lockouts += 1
        row.locked_until = now + policy.delay(row.lockouts)
    row.forget_at = max(now, row.locked_until or now) + policy.window
