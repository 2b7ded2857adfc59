"""Engine, sessions and automatic migrations for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Executable, Result, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from honing._config import Settings
from honing._errors import HoningError

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same for every Honing process.
_MIGRATION_LOCK = 7_240_001


class Database:
    """A handle on one Honing database. `writing()` and `reading()` are the only doors."""

    def __init__(self, url: str, *, migrate: bool = True):
        self.url = url
        self.engine = _create_engine(url)
        self.dialect = self.engine.dialect.name
        # On SQLite a writer takes the write lock when it begins, so two writers never
        # both read the same "last" row and then collide; readers stay lock-free (WAL).
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._writer = sessionmaker(writer, expire_on_commit=False)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.migrate()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A unit of work that commits once at the end, or not at all."""
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    def migrate(self) -> None:
        with self.engine.connect() as connection:
            if self.dialect == "postgresql":
                # Two servers starting at once must not both run the same migration.
                connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            try:
                if _current_revision(connection) != _head_revision():
                    config = _alembic_config()
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                connection.commit()
            finally:
                if self.dialect == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK}
                    )
                    connection.commit()

    def dispose(self) -> None:
        self.engine.dispose()


def execute_unprepared(session: Session, statement: Executable,
                       parameters: Mapping[str, Any] | None = None) -> Result[Any]:
    """Execute a batch lookup (keys in an array or a list) planned for the values it is given.

    psycopg prepares a statement on the server once a connection has run it five times, and
    PostgreSQL then keeps one generic plan for it. A generic plan made while the table was
    empty (a new database, before autovacuum's first ANALYZE a minute later) finds rows by
    the workspace alone and filters the keys: every lookup then reads the workspace's whole
    index, and storing a batch grows slower with each one stored (24 ms at 32,000 spans).
    Planned per call, the lookup costs a tenth of a millisecond more and stays an index probe
    per key."""
    if session.get_bind().dialect.name != "postgresql":
        return session.execute(statement, parameters)
    driver = session.connection().connection.driver_connection
    threshold = driver.prepare_threshold  # type: ignore[union-attr]
    driver.prepare_threshold = None  # type: ignore[union-attr]
    try:
        return session.execute(statement, parameters)
    finally:
        driver.prepare_threshold = threshold  # type: ignore[union-attr]


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Enough connections for the server's worker threads (one per request at most).
        engine = create_engine(url, connect_args={"timeout": 30}, pool_size=10, max_overflow=40)
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # Enough pooled connections for a server process's worker threads (16, see
        # honing.api._app), so a busy server does not open and close overflow connections.
        # No pre-ping (one more round trip per request): a connection the server dropped
        # fails one request and is then replaced, and recycling bounds how long one lives.
        return create_engine(url, pool_size=20, max_overflow=30, pool_recycle=1800)
    raise HoningError(
        f"unsupported database URL scheme {parsed.drivername!r}",
        hint="use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB in HONING_DATABASE_URL",
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Take transaction control from the driver so we can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _current_revision(connection) -> str | None:  # type: ignore[no-untyped-def]
    return MigrationContext.configure(connection).get_current_revision()


def open_database(settings: Settings | None = None) -> Database:
    """The database the environment names (HONING_DATABASE_URL, else SQLite in HONING_HOME)."""
    return Database((settings or Settings.from_env()).database_url)
