"""Tamper-evident audit log: every mutation appends a hash-chained event."""

from honing.audit._chain import GENESIS, canonical_time, event_hash
from honing.audit._service import (
    Verification,
    browse,
    recent,
    record,
    seal_pending,
    unsealed_events_sql,
    verify,
)

__all__ = ["GENESIS", "Verification", "browse", "canonical_time", "event_hash", "recent", "record", "seal_pending",
           "unsealed_events_sql", "verify"]
