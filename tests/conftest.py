"""Fixtures: fresh databases built by the real migrations, on SQLite and PostgreSQL.

PostgreSQL comes from HONING_TEST_POSTGRES_URL (scripts/test provisions a server). Without
it, PostgreSQL tests are skipped with a visible reason locally, and fail in CI (CI=true)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from browser_fixtures import demo_home, demo_server, page  # noqa: F401  (shared browser fixtures)
from honing import accounts
from honing._config import Settings
from honing.accounts import Principal, Role
from honing.storage import Database

# pytest-xdist's workers inherit COLUMNS=80, which fixes the CLI's console at 80 columns
# when it is first imported; the suite runs as a command whose output is piped (no COLUMNS),
# in one process or many. Tests that want a width pass their own.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

OPERATOR = Principal(name="cli:test")
PG_URL = os.environ.get("HONING_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"]


def _require_postgres() -> str:
    if PG_URL:
        return PG_URL
    if os.environ.get("CI"):
        pytest.fail("HONING_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI")
    pytest.skip("PostgreSQL not configured (set HONING_TEST_POSTGRES_URL or run scripts/test)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "honing.db"
    db = Database(f"sqlite:///{path}")
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    url = make_url(_require_postgres())
    name = f"honing_tpl_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(url.set(database=name).render_as_string(hide_password=False))
    db.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "honing.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    url = make_url(_require_postgres())
    name = f"honing_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=database_url)


@pytest.fixture
def workspace(db: Database) -> str:
    with db.writing() as session:
        accounts.create_workspace(session, OPERATOR, "helpdesk", "Helpdesk")
    return "helpdesk"


def make_user(db: Database, username: str, role: Role | None, *, workspace: str = "helpdesk",
              site_admin: bool = False) -> str:
    """Create a user (with a role in `workspace`) and return an API token for them."""
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, username, "correct horse battery",
                             site_admin=site_admin)
        if role is not None:
            accounts.set_role(session, OPERATOR, workspace, username, role)
        _, secret = accounts.create_token(session, OPERATOR, username, "test")
    return secret
