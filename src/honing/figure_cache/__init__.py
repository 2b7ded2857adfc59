"""Computed figures stored with the state of their data and reused while it holds, so the
lead's dashboard and the dataset card answer quickly on queues of any size (`_store`)."""

from honing.figure_cache._json import dumps, loads
from honing.figure_cache._store import (
    Cached,
    Figures,
    cached,
    fresh,
    refresh_in_background,
    wait_for_refreshes,
)

__all__ = ["Cached", "Figures", "cached", "dumps", "fresh", "loads", "refresh_in_background",
           "wait_for_refreshes"]
