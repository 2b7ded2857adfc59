"""Signing in under attack: throttling with backoff per account name and per client address,
audit of failures, logouts and refusals, and no way to tell from timing whether a name exists."""

from __future__ import annotations

import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from conftest import OPERATOR, make_user
from honing import accounts, audit
from honing._config import Settings
from honing._errors import HoningError, Unauthenticated
from honing.accounts import Client, ThrottlePolicy, TooManyAttempts
from honing.api import create_app
from honing.api._auth import SESSION_COOKIE
from honing.storage import AuditEvent, Database, LoginThrottle, User

PASSWORD = "correct horse battery"
WRONG = "Tr0ub4dor&3-guess"
ATTACKER = Client(address="198.51.100.7", user_agent="curl/8.5")


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def policy(clock: Clock) -> ThrottlePolicy:
    return ThrottlePolicy(clock=clock)


@pytest.fixture
def ada(db: Database, workspace: str) -> str:
    make_user(db, "ada", accounts.Role.rater)
    return "ada"


def attempt(db: Database, username: str, password: str, policy: ThrottlePolicy,
            client: Client = ATTACKER) -> str:
    """'ok', 'denied' (401) or the seconds to wait (429), as the caller would see it."""
    try:
        accounts.login(db, username, password, client=client, throttle=policy)
    except TooManyAttempts as error:
        return str(error.retry_after)
    except Unauthenticated:
        return "denied"
    return "ok"


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.reading() as session:
        return [e for e in reversed(audit.recent(session, limit=1000)) if e.action == action]


def chain_holds(db: Database) -> bool:
    with db.writing() as session:
        audit.seal_pending(session)
    with db.reading() as session:
        return audit.verify(session).ok


# --- throttling, through the library ------------------------------------------------------

def test_account_locks_after_five_failures_even_for_the_right_password(db, ada, policy):
    assert [attempt(db, "ada", WRONG, policy) for _ in range(5)] == ["denied"] * 5
    assert attempt(db, "ada", PASSWORD, policy) == "60"
    # Another address is refused too: the lock is on the account.
    assert attempt(db, "ada", PASSWORD, policy, Client(address="192.0.2.1")) == "60"


def test_lockouts_double_up_to_the_cap_and_a_success_starts_afresh(db, ada, policy, clock):
    for _ in range(5):
        attempt(db, "ada", WRONG, policy)
    delays = []
    for _ in range(6):
        delays.append(int(attempt(db, "ada", WRONG, policy)))
        clock.advance(delays[-1])
        # Once the lockout ends, one more failure locks again, for twice as long.
        assert attempt(db, "ada", WRONG, policy) == "denied"
    assert delays == [60, 120, 240, 480, 900, 900]
    clock.advance(900)
    assert attempt(db, "ada", PASSWORD, policy) == "ok"
    assert [attempt(db, "ada", WRONG, policy) for _ in range(5)] == ["denied"] * 5
    assert attempt(db, "ada", WRONG, policy) == "60"  # back to the first delay


def test_failures_are_forgotten_after_a_quiet_window(db, ada, policy, clock):
    for _ in range(4):
        attempt(db, "ada", WRONG, policy)
    clock.advance(15 * 60 + 1)
    assert [attempt(db, "ada", WRONG, policy) for _ in range(5)] == ["denied"] * 5
    assert attempt(db, "ada", WRONG, policy) == "60"


def test_a_correct_password_resets_the_account_count(db, ada, policy):
    for _ in range(4):
        attempt(db, "ada", WRONG, policy)
    assert attempt(db, "ada", PASSWORD, policy) == "ok"
    assert [attempt(db, "ada", WRONG, policy) for _ in range(4)] == ["denied"] * 4


def test_unknown_names_are_throttled_like_known_ones(db, workspace, policy):
    assert [attempt(db, "nobody", WRONG, policy) for _ in range(5)] == ["denied"] * 5
    assert attempt(db, "nobody", WRONG, policy) == "60"


def test_one_address_is_locked_after_twenty_failures_across_names(db, ada, policy):
    results = [attempt(db, f"guess{i}", WRONG, policy) for i in range(20)]
    assert results == ["denied"] * 20
    # Even the right password of a real account, from that address: refused unchecked.
    assert attempt(db, "ada", PASSWORD, policy) == "60"
    assert attempt(db, "ada", PASSWORD, policy, Client(address="192.0.2.1")) == "ok"


def test_successes_do_not_count_against_an_address(db, ada, policy):
    strict = replace(policy, address_failures=3)
    for _ in range(4):  # an office behind one NAT, signing in all day
        assert attempt(db, "ada", PASSWORD, strict) == "ok"
    assert [attempt(db, "ada", WRONG, strict) for _ in range(3)] == ["denied"] * 3
    assert attempt(db, "ada", PASSWORD, strict) == "60"


def test_parallel_guesses_get_no_more_checks_than_the_limit(db, ada):
    # Each attempt is counted before its password is hashed, so a burst on several
    # connections (as from several server processes) cannot outrun the count.
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: attempt(db, "ada", WRONG, ThrottlePolicy()), range(12)))
    refused = [int(r) for r in results if r != "denied"]
    assert results.count("denied") == 5 and len(refused) == 7
    assert all(50 <= wait <= 60 for wait in refused), refused  # real time passes here


def test_old_throttle_rows_are_pruned(db, ada, policy, clock):
    for i in range(3):
        attempt(db, f"gone{i}", WRONG, policy)
    clock.advance(2 * 3600)
    attempt(db, "ada", WRONG, policy)
    with db.reading() as session:
        rows = session.scalar(select(func.count()).select_from(LoginThrottle))
    assert rows == 2  # the account and the address that just failed


def test_limits_come_from_the_environment():
    settings = Settings.from_env({"HONING_HOME": "/tmp/h", "HONING_LOGIN_ACCOUNT_FAILURES": "3",
                                  "HONING_LOGIN_LOCKOUT_SECONDS": "30",
                                  "HONING_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2"})
    policy = ThrottlePolicy.from_settings(settings)
    assert (policy.account_failures, policy.address_failures) == (3, 20)
    assert policy.lockout == timedelta(seconds=30) and policy.max_lockout == timedelta(minutes=15)
    assert settings.trusted_proxies == ("10.0.0.1", "10.0.0.2")
    with pytest.raises(HoningError, match="HONING_LOGIN_WINDOW_SECONDS must be a whole number"):
        Settings.from_env({"HONING_LOGIN_WINDOW_SECONDS": "soon"})


# --- audit, through the library -----------------------------------------------------------

def test_failed_sign_ins_are_audited_with_their_reason_and_never_the_password(db, ada, policy):
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "gone", PASSWORD)
        session.scalar(select(User).where(User.username == "gone")).is_active = False
    attempt(db, "ada", WRONG, policy)
    attempt(db, "mallory", WRONG, policy)
    attempt(db, "gone", PASSWORD, policy)
    for _ in range(5):
        attempt(db, "ada", WRONG, policy)
    failed = events(db, "session.login_failed")
    assert [(e.target, e.details["reason"]) for e in failed[:3]] == [
        ("user:ada", "wrong password"), ("user:?", "unknown user"), ("user:gone", "inactive")]
    assert failed[-1].details["reason"] == "throttled"
    assert failed[0].actor == "anonymous" and failed[0].workspace is None
    assert failed[0].details["address"] == "198.51.100.7"
    assert failed[0].details["user_agent"] == "curl/8.5"
    # A name nobody has may be a mistyped password: only a digest of it is kept.
    assert "mallory" not in repr([(e.target, e.details) for e in failed])
    assert failed[1].details["username_sha256"]
    assert all(WRONG not in repr(e.details) and PASSWORD not in repr(e.details) for e in failed)
    assert chain_holds(db)


# --- timing -------------------------------------------------------------------------------

@pytest.fixture
def sqlite_db(sqlite_template, tmp_path):
    shutil.copy(sqlite_template, tmp_path / "timing.db")
    database = Database(f"sqlite:///{tmp_path / 'timing.db'}")
    yield database
    database.dispose()


def test_an_unknown_name_takes_as_long_as_a_known_one(sqlite_db):
    db = sqlite_db
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "ada", PASSWORD)
    generous = ThrottlePolicy(account_failures=1000, address_failures=1000)

    def seconds(username: str) -> float:
        start = time.perf_counter()
        assert attempt(db, username, WRONG, generous) == "denied"
        return time.perf_counter() - start

    seconds("ada"), seconds("nobody")  # warm both paths
    known, unknown = [], []
    for _ in range(7):  # interleaved, so a busy moment on the machine hits both alike
        known.append(seconds("ada"))
        unknown.append(seconds("nobody"))
    ratio = statistics.median(unknown) / statistics.median(known)
    print(f"median known {statistics.median(known) * 1000:.0f} ms, "
          f"unknown {statistics.median(unknown) * 1000:.0f} ms, ratio {ratio:.2f}")
    assert 0.5 < ratio < 2.0


# --- through HTTP -------------------------------------------------------------------------

def sign_in(client: TestClient, username: str, password: str, **headers: str):
    return client.post("/login", data={"username": username, "password": password},
                       headers=headers, follow_redirects=False)


def test_http_lockout_answers_429_with_retry_after(db, settings, ada):
    with TestClient(create_app(db, settings)) as client:
        statuses = [sign_in(client, "ada", WRONG).status_code for _ in range(5)]
        refused = sign_in(client, "ada", PASSWORD)
    assert statuses == [401] * 5
    assert refused.status_code == 429 and 50 <= int(refused.headers["retry-after"]) <= 60
    assert "too many failed sign-ins" in refused.text and "try again in 1 minute" in refused.text
    assert SESSION_COOKIE not in refused.cookies


def test_http_client_address_honours_forwarded_for_only_from_trusted_proxies(db, settings, ada):
    forwarded = {"x-forwarded-for": "203.0.113.9, 203.0.113.5", "user-agent": "Mozilla/5.0 test"}
    with TestClient(create_app(db, settings)) as client:
        sign_in(client, "ada", WRONG, **forwarded)
    proxied = replace(settings, trusted_proxies=("testclient",), login_address_failures=3)
    with TestClient(create_app(db, proxied)) as client:
        sign_in(client, "ada", WRONG, **forwarded)
        # Three failures from one client behind the proxy lock that client only.
        sign_in(client, "bob", WRONG, **forwarded)
        locked = sign_in(client, "cy", WRONG, **forwarded)
        neighbour = sign_in(client, "cy", WRONG, **{"x-forwarded-for": "203.0.113.6"})
    addresses = [e.details["address"] for e in events(db, "session.login_failed")]
    # Untrusted peer: its header is ignored. Trusted: the rightmost hop it vouches for.
    assert addresses[:2] == ["testclient", "203.0.113.5"]
    assert locked.status_code == 401 and neighbour.status_code == 401
    with TestClient(create_app(db, proxied)) as client:
        assert sign_in(client, "dee", WRONG, **forwarded).status_code == 429
    assert events(db, "session.login_failed")[0].details["user_agent"] == "Mozilla/5.0 test"


def test_http_logout_is_audited(db, settings, ada):
    with TestClient(create_app(db, settings)) as client:
        assert sign_in(client, "ada", PASSWORD).status_code == 303
        client.post("/logout", headers={"user-agent": "Firefox"})
        client.post("/logout")  # already signed out: nothing more to record
    logouts = events(db, "session.logout")
    assert [(e.actor, e.details["user_agent"]) for e in logouts] == [("user:ada", "Firefox")]
    assert chain_holds(db)


def test_http_denials_are_audited_on_api_and_pages(db, settings, ada):
    token = make_user(db, "rae", accounts.Role.rater)
    with TestClient(create_app(db, settings)) as client:
        api = client.get("/api/workspaces/helpdesk/members", headers={
            "authorization": f"Bearer {token}", "user-agent": "script/1.0"})
        sign_in(client, "ada", PASSWORD)
        page = client.get("/w/helpdesk/queues/triage", headers={"accept": "text/html"})
        # A browser write without the CSRF header: refused before anyone is known.
        client.cookies.set(SESSION_COOKIE, "forged")
        csrf = client.post("/api/workspaces", json={"name": "x"})
    assert (api.status_code, page.status_code, csrf.status_code) == (403, 403, 403)
    denied = events(db, "access.denied")
    assert [(e.actor, e.details["method"], e.details["path"], e.workspace) for e in denied] == [
        ("user:rae", "GET", "/api/workspaces/helpdesk/members", "helpdesk"),
        ("user:ada", "GET", "/w/helpdesk/queues/triage", "helpdesk"),
        ("anonymous", "POST", "/api/workspaces", None)]
    assert denied[0].details["user_agent"] == "script/1.0"
    assert denied[0].details["address"] == "testclient"
    assert "this needs the admin role" in denied[0].details["reason"]
    assert chain_holds(db)


def test_a_failing_audit_write_does_not_change_the_answers(sqlite_db, tmp_path):
    db = sqlite_db
    with db.writing() as session:
        accounts.create_workspace(session, OPERATOR, "helpdesk", "Helpdesk")
    make_user(db, "ada", accounts.Role.rater)
    token = make_user(db, "rae", accounts.Role.rater)
    with db.writing() as session:  # the database itself refuses audit events from now on
        session.execute(text("CREATE TRIGGER no_audit BEFORE INSERT ON audit_event "
                             "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"))
    settings = Settings(home=tmp_path / "home", database_url=db.url)
    with TestClient(create_app(db, settings)) as client:
        denied = client.get("/api/workspaces/helpdesk/members",
                            headers={"authorization": f"Bearer {token}"})
        statuses = [sign_in(client, "ada", WRONG).status_code for _ in range(6)]
    assert denied.status_code == 403 and denied.json()["error"] == "forbidden"
    # Unaudited, but still counted: the throttle holds.
    assert statuses == [401] * 5 + [429]
