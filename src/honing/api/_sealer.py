"""Seals audit events written with `seal=False` into the chain, a moment after they commit.

Every server process runs one; on PostgreSQL they take turns through a try-lock, so at
most one seals at a time and none waits. On SQLite every event is sealed when written."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from starlette.concurrency import run_in_threadpool

from honing import audit
from honing.storage import Database, LoopDatabase

log = logging.getLogger("honing.api")
INTERVAL = 0.5  # seconds an event may wait outside the chain, at most about this


async def run_sealer(loop_db: LoopDatabase, interval: float = INTERVAL) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await loop_db.run(audit.seal_pending, wait=False)
        except Exception:  # a database hiccup must not stop the sealer for good
            log.exception("sealing audit events failed; retrying")


def seal_once(db: Database, wait: bool = True) -> int:
    with db.writing() as session:
        return audit.seal_pending(session, wait=wait)


async def stop_sealer(task: asyncio.Task[None], db: Database) -> None:
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    await run_in_threadpool(seal_once, db)  # nothing left waiting at shutdown
