"""Units of work run on the server's event loop instead of in worker threads (PostgreSQL).

An async server that hands short database lookups to threads pays for each twice: the
thread competes with the event loop for the GIL, and every time the loop waits on a socket
the thread takes the GIL and keeps it for up to the switch interval (5 ms), so all requests
in flight stall behind a lookup that needed a fraction of that. Here the same synchronous
library functions run on the loop instead (SQLAlchemy's asyncio over psycopg, through
greenlets): their queries yield to other requests, and nothing else takes the GIL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from honing.storage._database import Database

T = TypeVar("T")


class LoopDatabase:
    """Sessions for `Database`'s PostgreSQL database, used from one event loop. Open it on
    that loop (a server's lifespan) and close it there."""

    def __init__(self, db: Database, *, size: int = 8):
        if db.dialect != "postgresql":
            raise ValueError("units of work on the event loop need PostgreSQL")
        self.engine = create_async_engine(db.url, pool_size=size, max_overflow=0, pool_recycle=1800)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`work(session, *args, **kwargs)` with a plain synchronous `Session`, in one
        transaction that commits when it returns, as `Database.writing()` and `reading()`."""
        async with self._sessions() as session, session.begin():
            return await session.run_sync(work, *args, **kwargs)

    async def close(self) -> None:
        await self.engine.dispose()

