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
        full = (str(session.get_bind().url), key)
        with self._lock:
            if full in self._entries:
                self._entries.move_to_end(full)
                return self._entries[full]
        value = load()  # outside the lock: loading queries the database
        with self._lock:
            self._entries[full] = value
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value
