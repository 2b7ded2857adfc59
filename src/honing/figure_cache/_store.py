"""Reuse computed figures while the data they were computed from has not changed.

A figure is stored per (kind, key) with the `state` of its data: a short string that is
cheap to read (counts, largest ids, latest update times) and changes whenever the figures
could. A view reads the stored row:

- no row yet: the figures are computed now, stored, and shown;
- the state still holds and the row is younger than `max_age_s`: the stored figures are
  shown as they are;
- otherwise the stored figures are shown marked as updating, and one background
  computation replaces them. The row's `refreshing_since` is the flag that makes it one:
  a conditional UPDATE claims it, so of any number of threads and server workers (SQLite
  or PostgreSQL) exactly one wins; a claim older than `STUCK` (a killed worker) may be
  taken over.

The background computation reads the state before the figures, in its own session, so
figures are never stored under a state newer than the data they saw.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from honing.figure_cache._json import dumps, loads
from honing.storage import Database, FigureCache, utcnow

T = TypeVar("T")
log = logging.getLogger(__name__)
STUCK = timedelta(minutes=10)
_running: set[threading.Thread] = set()
_running_lock = threading.Lock()


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    computed_at: datetime
    updating: bool  # newer data (or a newer period) exists; a refresh is under way


@dataclass(frozen=True)
class Figures(Generic[T]):
    """How to compute one kind of figure for one key, from any session."""

    kind: str
    key: str
    state: Callable[[Session], str]
    compute: Callable[[Session], T]


def cached(db: Database, session: Session, figures: Figures[T], *, max_age_s: float | None) -> Cached[T]:
    """The figures, from the store when they are current (see the module's docstring);
    `max_age_s` None: only a change of state makes them old."""
    row = session.get(FigureCache, (figures.kind, figures.key))
    now = utcnow()
    value: T | None = None
    if row is not None:
        try:
            value = loads(row.payload)
        except Exception:  # a payload from an older release: compute afresh
            log.warning("cached %s figures for %s could not be read; recomputing", figures.kind, figures.key)
    if row is None or value is None:
        state = figures.state(session)
        computed = figures.compute(session)
        _store(db, figures, state, computed, now)
        return Cached(computed, now, updating=False)
    current = row.state == figures.state(session) and (
        max_age_s is None or now - row.computed_at <= timedelta(seconds=max_age_s))
    if not current:
        refresh_in_background(db, figures)
    return Cached(value, row.computed_at, updating=not current)


def fresh(db: Database, session: Session, figures: Figures[T]) -> Cached[T]:
    """Compute now and store (e.g. a command that wants today's figures, or a benchmark)."""
    now = utcnow()
    state = figures.state(session)
    value = figures.compute(session)
    _store(db, figures, state, value, now)
    return Cached(value, now, updating=False)


def refresh_in_background(db: Database, figures: Figures[T]) -> bool:
    """Start one refresh unless another thread or worker already runs one for this key."""
    now = utcnow()
    with db.writing() as session:
        claimed = session.execute(
            update(FigureCache)
            .where(FigureCache.kind == figures.kind, FigureCache.key == figures.key,
                   or_(FigureCache.refreshing_since.is_(None), FigureCache.refreshing_since < now - STUCK))
            .values(refreshing_since=now)
            .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return False
    thread = threading.Thread(target=_refresh, args=(db, figures), daemon=True,
                              name=f"figures {figures.kind} {figures.key}")
    with _running_lock:
        _running.add(thread)
    thread.start()
    return True


def wait_for_refreshes(timeout: float = 60.0) -> None:
    """Wait until the background refreshes started by this process have finished."""
    with _running_lock:
        threads = list(_running)
    for thread in threads:
        thread.join(timeout)


def _refresh(db: Database, figures: Figures[T]) -> None:
    try:
        with db.reading() as session:
            state = figures.state(session)
            value = figures.compute(session)
        _store(db, figures, state, value, utcnow())
    except Exception:
        log.exception("refreshing %s figures for %s failed", figures.kind, figures.key)
        with db.writing() as session:
            session.execute(update(FigureCache).where(
                FigureCache.kind == figures.kind, FigureCache.key == figures.key)
                .values(refreshing_since=None).execution_options(synchronize_session=False))
    finally:
        with _running_lock:
            _running.discard(threading.current_thread())


def _store(db: Database, figures: Figures[T], state: str, value: T, computed_at: datetime) -> None:
    values = {"kind": figures.kind, "key": figures.key, "state": state, "computed_at": computed_at,
              "payload": dumps(value), "refreshing_since": None}
    insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    with db.writing() as session:
        statement = insert(FigureCache).values(**values)
        session.execute(statement.on_conflict_do_update(
            index_elements=["kind", "key"], set_={k: statement.excluded[k] for k in values
                                                   if k not in ("kind", "key")}))
