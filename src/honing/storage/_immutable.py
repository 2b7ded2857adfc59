"""A small per-process cache for rows that never change once written (rubric versions,
items). Keyed by database URL and id, so two databases in one process never mix."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

_V = TypeVar("_V")


class ImmutableCache(Generic[_V]):
    def __init__(self, size: int):
        self._size = size
        self._entries: OrderedDict[tuple[str, Hashable], _V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, key: Hashable, load: Callable[[], _V]) -> _V:
        url = str(session.get_bind().url)
        value = self.peek(url, key)
        if value is None:
            value = load()  # outside the lock: loading queries the database
            self.put(url, key, value)
        return value

    def peek(self, url: str, key: Hashable) -> _V | None:
        """The cached value, if there is one, without loading (for callers without a
        session; `url` is str(engine.url), as `get` derives it from the session)."""
        with self._lock:
            value = self._entries.get((url, key))
            if value is not None:
                self._entries.move_to_end((url, key))
            return value

    def put(self, url: str, key: Hashable, value: _V) -> None:
        with self._lock:
            self._entries[(url, key)] = value
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def discard(self, url: str, key: Hashable) -> None:
        """Forget one entry: for the rare value that does change (an item whose raw text a
        retention policy replaced)."""
        with self._lock:
            self._entries.pop((url, key), None)
