"""Feedback from production: thumbs, ratings, comments and corrected answers that end users
gave on an item, from the API, from traces and from other tools' exports."""

from honing.feedback._signals import Signal, SignalKind, parse_signal
from honing.feedback._store import (
    SignalSummary,
    StoredSignal,
    check_item,
    item_signals,
    move_signals,
    record_signals,
    signal_summaries,
)

__all__ = [
    "Signal",
    "SignalKind",
    "SignalSummary",
    "StoredSignal",
    "check_item",
    "item_signals",
    "move_signals",
    "parse_signal",
    "record_signals",
    "signal_summaries",
]
