"""Runs sampling schedules that are due, every little while, in every server process:
`run_due_schedules` claims each run with a compare-and-set, so one process runs it."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from starlette.concurrency import run_in_threadpool

from honing import sampling
from honing.storage import Database

log = logging.getLogger("honing.api")


async def run_sampler(db: Database, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)  # not at start-up: a server starts serving first
        try:
            await run_in_threadpool(sampling.run_due_schedules, db)
        except Exception:  # a database hiccup must not stop the schedules for good
            log.exception("running sampling schedules failed; retrying")


def start_sampler(db: Database, interval: float) -> asyncio.Task[None]:
    return asyncio.create_task(run_sampler(db, interval))


async def stop_sampler(task: asyncio.Task[None]) -> None:
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
