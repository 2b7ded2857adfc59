"""The audit chain's hash, as a pure function so a verifier needs nothing but the rows."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson

GENESIS = "0" * 64


def canonical_time(at: datetime) -> str:
    """UTC, microseconds, no offset: what SQLite and PostgreSQL both give back intact."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def event_hash(
    *,
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    workspace: str | None,
    details: dict[str, Any],
) -> str:
    body = orjson.dumps(
        {
            "at": canonical_time(at),
            "actor": actor,
            "action": action,
            "target": target,
            "workspace": workspace,
            "details": details,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(prev_hash.encode() + b"\n" + body).hexdigest()
